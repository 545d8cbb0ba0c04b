#include "coordinator/coordinator_timers.hpp"

#include <algorithm>

namespace meshjobs {

std::optional<coordinator_timer::arming> coordinator_timer::arm(timestamp at, timestamp now) {
  if (at == 0)
    return std::nullopt;
  const auto wake = std::min(at, now + max_wait_us);
  if (armed_at_ != 0 && armed_at_ <= wake)
    return std::nullopt;
  armed_at_ = wake;
  gen_ += 1;
  return arming{std::chrono::microseconds(std::max<timestamp>(0, wake - now)), gen_};
}

bool coordinator_timer::fired(std::uint64_t gen) {
  if (gen != gen_)
    return false;
  armed_at_ = 0;
  return true;
}

}  // namespace meshjobs
