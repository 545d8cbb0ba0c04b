// The resource check before each generation (the seed's check_resource_availability), with
// its pass kept for a moment: at hundreds of generations a second, a create_directories and a
// statvfs per generation, and the trip to the io pool that the `http` backend makes for them,
// cost more than the check is worth. A pass holds for `validity` (a disk that fills up is seen
// within it); a failure is never kept, so each later check measures again and refuses for as
// long as the disk is short.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <limits>

namespace meshjobs {

class resource_check {
 public:
  using clock_type = std::chrono::steady_clock;

  /// `measure` throws (job_failure) when the resources fall short; it may block (file system).
  resource_check(std::function<void()> measure, std::chrono::milliseconds validity,
                 std::function<clock_type::time_point()> now = clock_type::now);

  /// Measures unless a pass less than `validity` old is at hand; throws what `measure` throws.
  void run();
  /// A pass less than `validity` old is at hand: run() would neither block nor throw.
  bool fresh() const;

 private:
  std::function<void()> measure_;
  std::chrono::milliseconds validity_;
  std::function<clock_type::time_point()> now_;
  static constexpr clock_type::rep never = std::numeric_limits<clock_type::rep>::min();
  std::atomic<clock_type::rep> passed_at_{never};  ///< ticks of the last pass
};

}  // namespace meshjobs
