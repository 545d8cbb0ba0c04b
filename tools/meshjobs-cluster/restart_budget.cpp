#include "restart_budget.hpp"

#include <algorithm>

namespace meshjobs::cluster {

int restart_budget::spent(clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() >= window)
    recent_.pop_front();
  return static_cast<int>(recent_.size());
}

std::optional<std::chrono::milliseconds> restart_budget::spend(clock::time_point now) {
  const int before = spent(now);
  if (before >= max_restarts_)
    return std::nullopt;
  recent_.push_back(now);
  const int doublings = std::min(before, 5);  // 250 ms << 5 = 8 s, the cap
  return std::min(first_back_off * (1 << doublings), max_back_off);
}

}  // namespace meshjobs::cluster
