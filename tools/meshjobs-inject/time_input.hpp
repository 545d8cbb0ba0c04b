// Durations and points in time as a user types them on the command line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "meshjobs/messages/job.hpp"

namespace meshjobs::inject {

/// Why an input is not what was expected, naming the option and the text.
struct input_error {
  std::string message;
};

/// How far ahead a delay or a time may point: 100 years. No job is meant to wait longer, and
/// `now + delay` stays far from the end of 64-bit microseconds (year 294247).
constexpr std::chrono::hours max_horizon{24 * 36525};

/// `500ms`, `30s`, `5m`, `2h`, `1d`, or a bare number of seconds; at most `max_horizon`.
std::variant<std::chrono::microseconds, input_error> parse_duration(std::string_view text,
                                                                   std::string_view option);

/// ISO-8601 in UTC (`2026-11-29T10:00:00Z`, optionally with a fraction of a second) or seconds
/// since the Unix epoch, at most `max_horizon` after `now`. Returns microseconds since the epoch.
std::variant<timestamp, input_error> parse_time(std::string_view text, std::string_view option,
                                                timestamp now);

}  // namespace meshjobs::inject
