// Durations and points in time as a user types them on the command line.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/time_limits.hpp"

namespace meshjobs::inject {

/// Why an input is not what was expected, naming the option and the text.
struct input_error {
  std::string message;
};

/// `500ms`, `30s`, `5m`, `2h`, `1d`, or a bare number of seconds; at most max_time_ahead (100
/// years), the bound the node applies too.
std::variant<std::chrono::microseconds, input_error> parse_duration(std::string_view text,
                                                                   std::string_view option);

/// ISO-8601 in UTC (`2026-11-29T10:00:00Z`, optionally with a fraction of a second) or seconds
/// since the Unix epoch, at most max_time_ahead after `now`. Returns microseconds since the epoch.
std::variant<timestamp, input_error> parse_time(std::string_view text, std::string_view option,
                                                timestamp now);

}  // namespace meshjobs::inject
