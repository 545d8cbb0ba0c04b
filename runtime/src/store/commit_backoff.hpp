// How the coordinator paces commits after one fails (a read-only file, a full disk): it waits
// 100 ms before the next try, doubling up to 5 s, instead of starting a new commit at once.
// It logs the first failure at once, then at most one line per 5 s with the count of failures
// since the last line, and one line when commits succeed again. The store counts as unhealthy
// (stats say so, with the error) from a failed commit until one succeeds.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace meshjobs {

class commit_backoff {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds first_wait{100};
  static constexpr std::chrono::milliseconds max_wait{5000};
  static constexpr std::chrono::milliseconds log_interval{5000};

  /// A commit failed with `error`: logs it when a line is due, and returns how long to wait
  /// before the next try.
  std::chrono::milliseconds failed(const std::string& error, clock::time_point now = clock::now());
  /// A commit succeeded: healthy again, the wait starts over.
  void succeeded();

  bool healthy() const { return error_.empty(); }
  /// The last failure's reason (empty while healthy).
  const std::string& error() const { return error_; }
  /// Failed commits since the start.
  std::uint64_t failures() const { return failures_; }

 private:
  std::string error_;
  std::chrono::milliseconds next_wait_ = first_wait;
  std::uint64_t failures_ = 0;
  std::uint64_t in_a_row_ = 0;
  std::uint64_t unreported_ = 0;
  clock::time_point last_line_{};
};

}  // namespace meshjobs
