// The coordinator's two timers: one for the earliest timed change of the ledger (a scheduled
// job comes due, a dead job ages out), one for the next cron slot. Deadlines are wall-clock
// times and CAF's timers count on a steady clock, so a timer never waits more than a second at
// a time and each wake-up compares the deadline with the wall clock again: a jump of the wall
// clock (or of a test's manual clock) is seen within a second. A timer armed again before it
// fires makes the earlier one stale: each carries a generation, and only the latest counts.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class coordinator_timer {
 public:
  static constexpr timestamp max_wait_us = 1000000;

  struct arming {
    std::chrono::microseconds delay;
    std::uint64_t gen;
  };
  /// What to send to oneself to wake at `at` (0: nothing waits), or nothing when an armed
  /// wake-up comes soon enough.
  std::optional<arming> arm(timestamp at, timestamp now);
  /// True when `gen` is the armed wake-up's (a stale one is ignored); disarms it.
  bool fired(std::uint64_t gen);

 private:
  std::uint64_t gen_ = 0;
  timestamp armed_at_ = 0;
};

}  // namespace meshjobs
