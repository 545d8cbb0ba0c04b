// How far ahead a time that comes into meshjobs may lie: an enqueue's wait, run_at and
// expires_at, a retry's wait, the config's dead_max_age. Past this bound a time is refused
// (or, for a retry wait computed by code, capped), so `now + wait` never overflows: not in
// microseconds, and not in the nanoseconds of a timer's deadline either, whose int64 runs out
// 292 years after its epoch.
//
// 100 years: longer than any job's plan can mean, far short of any overflow.
#pragma once

#include <cstdint>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

inline constexpr std::int64_t max_time_ahead_days = 100 * 36525 / 100;  // 100 years of 365.25 days
inline constexpr std::int64_t max_time_ahead_s = max_time_ahead_days * 86400;
inline constexpr timestamp max_time_ahead_us = max_time_ahead_s * 1000000;
/// For messages: "100 years".
inline constexpr const char* max_time_ahead_text = "100 years";

}  // namespace meshjobs
