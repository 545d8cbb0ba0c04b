#include "time_input.hpp"

#include <cstdint>
#include <limits>
#include <optional>

namespace meshjobs::inject {
namespace {

constexpr std::int64_t us_per_s = 1000000;
constexpr std::int64_t max_int = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t horizon_us = max_time_ahead_us;
constexpr std::int64_t horizon_days = max_time_ahead_days;

std::string quoted(std::string_view text) { return "\"" + std::string{text} + "\""; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Reads the leading digits of `text` into `out`; returns how many there were (0: none or overflow).
std::size_t read_digits(std::string_view text, std::int64_t& out) {
  out = 0;
  std::size_t n = 0;
  for (; n < text.size() && is_digit(text[n]); ++n) {
    int digit = text[n] - '0';
    if (out > (max_int - digit) / 10)
      return 0;
    out = out * 10 + digit;
  }
  return n;
}

/// A fixed-width field of exactly `width` digits at `pos`.
std::optional<int> field(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size())
    return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    if (!is_digit(text[i]))
      return std::nullopt;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian), for years >= 1970.
std::int64_t days_since_epoch(int y, int m, int d) {
  // Count from March so the leap day falls at the end of the counted year.
  std::int64_t year = m <= 2 ? y - 1 : y;
  std::int64_t era = year / 400;
  std::int64_t year_of_era = year - era * 400;
  std::int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

std::variant<timestamp, input_error> parse_iso(std::string_view text, std::string_view option) {
  input_error bad{std::string{option} + ": " + quoted(text) +
                  " is not a time (use ISO-8601 UTC like 2026-11-29T10:00:00Z, or epoch seconds)"};
  auto year = field(text, 0, 4), month = field(text, 5, 2), day = field(text, 8, 2);
  auto hour = field(text, 11, 2), minute = field(text, 14, 2), second = field(text, 17, 2);
  if (!year || !month || !day || !hour || !minute || !second || text[4] != '-' || text[7] != '-' ||
      text[10] != 'T' || text[13] != ':' || text[16] != ':')
    return bad;
  std::size_t pos = 19;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    std::size_t digits = 0;
    std::int64_t scale = us_per_s;
    for (++pos; pos < text.size() && is_digit(text[pos]); ++pos, ++digits) {
      scale /= 10;
      micros += (text[pos] - '0') * scale;  // digits past microseconds add 0
    }
    if (digits == 0)
      return bad;
  }
  if (pos + 1 != text.size() || text[pos] != 'Z')
    return bad;
  if (*year < 1970 || *month < 1 || *month > 12 || *day < 1 || *day > days_in_month(*year, *month) ||
      *hour > 23 || *minute > 59 || *second > 59)
    return input_error{std::string{option} + ": " + quoted(text) +
                       " is not a valid UTC date and time (year >= 1970)"};
  auto seconds = days_since_epoch(*year, *month, *day) * 86400 + *hour * 3600 + *minute * 60 + *second;
  return seconds * us_per_s + micros;
}

}  // namespace

std::variant<std::chrono::microseconds, input_error> parse_duration(std::string_view text,
                                                                   std::string_view option) {
  input_error bad{std::string{option} + ": " + quoted(text) +
                  " is not a duration (use 500ms, 30s, 5m, 2h, 1d, or seconds)"};
  std::int64_t value = 0;
  auto digits = read_digits(text, value);
  if (digits == 0)
    return bad;
  auto unit = text.substr(digits);
  std::int64_t factor = 0;
  if (unit.empty() || unit == "s")
    factor = us_per_s;
  else if (unit == "ms")
    factor = 1000;
  else if (unit == "m")
    factor = 60 * us_per_s;
  else if (unit == "h")
    factor = 3600 * us_per_s;
  else if (unit == "d")
    factor = 86400 * us_per_s;
  else
    return bad;
  if (value > horizon_us / factor)
    return input_error{std::string{option} + ": " + quoted(text) + " is longer than " + std::string{max_time_ahead_text} + " (" +
                       std::to_string(horizon_days) + "d)"};
  return std::chrono::microseconds{value * factor};
}

std::variant<timestamp, input_error> parse_time(std::string_view text, std::string_view option,
                                                timestamp now) {
  input_error too_far{std::string{option} + ": " + quoted(text) +
                      " is more than " + std::string{max_time_ahead_text} + " ahead; no job waits that long"};
  std::int64_t seconds = 0;
  auto digits = read_digits(text, seconds);
  std::variant<timestamp, input_error> at;
  if (digits != 0 && digits == text.size()) {
    if (seconds > max_int / us_per_s)
      return too_far;
    at = seconds * us_per_s;
  } else {
    at = parse_iso(text, option);
  }
  if (const auto* t = std::get_if<timestamp>(&at); t != nullptr && *t - now > horizon_us)
    return too_far;
  return at;
}

}  // namespace meshjobs::inject
