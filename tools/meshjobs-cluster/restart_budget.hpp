// How often a node that exits on its own is started again: at most `max_restarts` within a
// sliding minute, each after a back-off that doubles with the restarts already in that minute
// (250 ms, 500 ms, 1 s, ... capped at 8 s). A node that exhausts it is given up.
#pragma once

#include <chrono>
#include <deque>
#include <optional>

namespace meshjobs::cluster {

class restart_budget {
 public:
  using clock = std::chrono::steady_clock;

  static constexpr std::chrono::seconds window{60};
  static constexpr std::chrono::milliseconds first_back_off{250};
  static constexpr std::chrono::milliseconds max_back_off{8000};

  explicit restart_budget(int max_restarts) : max_restarts_(max_restarts) {}

  /// Spends one restart at `now`: the wait before it, or nullopt when the minute's are spent.
  std::optional<std::chrono::milliseconds> spend(clock::time_point now);
  /// Restarts spent within the minute before `now`.
  int spent(clock::time_point now);
  int limit() const { return max_restarts_; }

 private:
  int max_restarts_;
  std::deque<clock::time_point> recent_;
};

}  // namespace meshjobs::cluster
