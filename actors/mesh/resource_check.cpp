#include "mesh/resource_check.hpp"

namespace meshjobs {

resource_check::resource_check(std::function<void()> measure, std::chrono::milliseconds validity,
                               std::function<clock_type::time_point()> now)
  : measure_(std::move(measure)), validity_(validity), now_(std::move(now)) {}

bool resource_check::fresh() const {
  const auto passed = passed_at_.load(std::memory_order_acquire);
  return passed != never && now_() - clock_type::time_point{clock_type::duration{passed}} < validity_;
}

void resource_check::run() {
  if (fresh())
    return;
  measure_();
  passed_at_.store(now_().time_since_epoch().count(), std::memory_order_release);
}

}  // namespace meshjobs
