#include "meshjobs/config/cron_expression.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace meshjobs {
namespace {

// ---------------------------------------------------------------------------------------------
// Parsing

/// Wide enough for any field; each field copies its bits into its own bitset afterwards.
using field_bits = std::bitset<64>;

struct field_spec {
  std::string_view name;
  int min;
  int max;
  /// Names in value order starting at `min`; null when the field takes numbers only.
  const std::vector<std::string_view>* names = nullptr;
};

const std::vector<std::string_view> month_names{"jan", "feb", "mar", "apr", "may", "jun",
                                                "jul", "aug", "sep", "oct", "nov", "dec"};
const std::vector<std::string_view> weekday_names{"sun", "mon", "tue", "wed",
                                                  "thu", "fri", "sat"};

// Day-of-week accepts 7 so that ranges like fri-7 read naturally; 7 is folded onto 0 (Sunday).
const std::array<field_spec, 5> field_specs{{
    {"minute", 0, 59},
    {"hour", 0, 23},
    {"day-of-month", 1, 31},
    {"month", 1, 12, &month_names},
    {"day-of-week", 0, 7, &weekday_names},
}};
constexpr std::size_t day_of_week_field = 4;

const std::array<std::pair<std::string_view, std::string_view>, 7> nicknames{{
    {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
    {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"},
    {"@daily", "0 0 * * *"},
    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
}};

/// A parse step either yields a value or the reason it could not.
template <class T>
using parsed = std::variant<T, std::string>;

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find(separator, start)) != std::string_view::npos;
       start = end + 1)
    parts.push_back(text.substr(start, end - start));
  parts.push_back(text.substr(start));
  return parts;
}

std::vector<std::string_view> split_on_whitespace(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const std::size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

/// Digits only: from_chars on an unsigned type refuses signs, and the whole token must be used.
std::optional<unsigned long long> parse_digits(std::string_view token) {
  unsigned long long value = 0;
  const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (token.empty() || end != token.data() + token.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) return ~0ULL;
  return value;
}

std::optional<int> lookup_name(std::string_view token, const field_spec& spec) {
  if (spec.names == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < spec.names->size(); ++i)
    if (equals_ignoring_case(token, (*spec.names)[i])) return spec.min + static_cast<int>(i);
  return std::nullopt;
}

std::string field_error(const field_spec& spec, const std::string& reason) {
  return std::string(spec.name) + ": " + reason;
}

parsed<int> parse_value(std::string_view token, const field_spec& spec) {
  if (auto named = lookup_name(token, spec)) return *named;
  const auto number = parse_digits(token);
  if (!number) {
    const char* expected = spec.names ? " is not a number or a name" : " is not a number";
    return field_error(spec, quoted(token) + expected);
  }
  if (*number < static_cast<unsigned long long>(spec.min) ||
      *number > static_cast<unsigned long long>(spec.max))
    return field_error(spec, std::string(token) + " is out of range " + std::to_string(spec.min) +
                                 "-" + std::to_string(spec.max));
  return static_cast<int>(*number);
}

parsed<int> parse_step(std::string_view token, const field_spec& spec) {
  const auto step = parse_digits(token);
  if (!step) return field_error(spec, "step " + quoted(token) + " is not a number");
  if (*step == 0) return field_error(spec, "step must be > 0");
  // Any step past the field's width selects only the start, so clamping keeps int arithmetic safe.
  return static_cast<int>(std::min<unsigned long long>(*step, 64));
}

struct span {
  int first;
  int last;
};

/// The part of an item before any `/`: `*`, `a`, or `a-b`. A bare `a` with a step runs to max.
parsed<span> parse_span(std::string_view base, bool has_step, const field_spec& spec) {
  if (base == "*") return span{spec.min, spec.max};
  const std::size_t dash = base.find('-');
  // A dash at either end is a sign or a missing bound, not a range: report the whole token.
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == base.size()) {
    auto value = parse_value(base, spec);
    if (auto* error = std::get_if<std::string>(&value)) return std::move(*error);
    const int v = std::get<int>(value);
    return span{v, has_step ? spec.max : v};
  }
  auto first = parse_value(base.substr(0, dash), spec);
  if (auto* error = std::get_if<std::string>(&first)) return std::move(*error);
  auto last = parse_value(base.substr(dash + 1), spec);
  if (auto* error = std::get_if<std::string>(&last)) return std::move(*error);
  const int a = std::get<int>(first);
  const int b = std::get<int>(last);
  if (a > b)
    return field_error(spec, "range " + std::string(base) + " runs backwards (" +
                                 std::to_string(a) + " > " + std::to_string(b) + ")");
  return span{a, b};
}

std::optional<std::string> add_item(std::string_view item, const field_spec& spec,
                                    field_bits& bits) {
  if (item.empty()) return field_error(spec, "empty list item");
  const std::size_t slash = item.find('/');
  const bool has_step = slash != std::string_view::npos;
  auto parsed_span = parse_span(item.substr(0, slash), has_step, spec);
  if (auto* error = std::get_if<std::string>(&parsed_span)) return std::move(*error);
  const span s = std::get<span>(parsed_span);
  int step = 1;
  if (has_step) {
    auto parsed_step = parse_step(item.substr(slash + 1), spec);
    if (auto* error = std::get_if<std::string>(&parsed_step)) return std::move(*error);
    step = std::get<int>(parsed_step);
  }
  for (int v = s.first; v <= s.last; v += step) bits.set(static_cast<std::size_t>(v));
  return std::nullopt;
}

parsed<field_bits> parse_field(std::string_view text, const field_spec& spec) {
  field_bits bits;
  for (std::string_view item : split(text, ',')) {
    if (auto error = add_item(item, spec, bits)) return std::move(*error);
  }
  return bits;
}

/// Vixie cron's rule: a day field counts as restricted unless it starts with `*`, so `*/2`
/// is unrestricted and combines with the other day field by AND, not OR.
bool is_restricted(std::string_view field_text) { return field_text.front() != '*'; }

template <std::size_t N>
std::bitset<N> narrow(const field_bits& bits) {
  return std::bitset<N>(bits.to_ullong());
}

std::bitset<7> fold_sunday(const field_bits& bits) {
  auto weekdays = narrow<7>(bits);
  if (bits.test(7)) weekdays.set(0);
  return weekdays;
}

parsed<std::string_view> expand_nickname(std::string_view text) {
  for (const auto& [nickname, expansion] : nicknames)
    if (equals_ignoring_case(text, nickname)) return expansion;
  return "unknown nickname " + quoted(text) +
         " (expected @yearly, @annually, @monthly, @weekly, @daily, @midnight or @hourly)";
}

// ---------------------------------------------------------------------------------------------
// UTC civil-date arithmetic, so no local time zone ever leaks in.

constexpr std::int64_t micros_per_minute = 60'000'000;
constexpr std::int64_t minutes_per_day = 24 * 60;

// The Gregorian calendar repeats every 400 years (146097 days, a whole number of weeks): an
// expression that matches no minute in 400 years never matches, so searching one full cycle
// is both bounded and exact. The extra month covers the partial month the search starts in.
constexpr int search_horizon_months = 400 * 12 + 1;

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

struct civil_date {
  std::int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

/// Days since 1970-01-01 to a proleptic Gregorian date, counting in 400-year eras that start on
/// March 1st so the leap day is the last day of each era-year.
civil_date civil_from_days(std::int64_t days) {
  days += 719468;  // from 1970-01-01 to 0000-03-01
  const std::int64_t era = floor_div(days, 146097);
  const std::int64_t day_of_era = days - era * 146097;
  const std::int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const std::int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 -
                                                 year_of_era / 100);
  const std::int64_t shifted_month = (5 * day_of_year + 2) / 153;  // 0 = March
  const int day = static_cast<int>(day_of_year - (153 * shifted_month + 2) / 5 + 1);
  const int month = static_cast<int>(shifted_month < 10 ? shifted_month + 3 : shifted_month - 9);
  const std::int64_t year = year_of_era + era * 400 + (month <= 2);
  return {year, month, day};
}

bool is_leap_year(std::int64_t year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(std::int64_t year, int month) {
  static constexpr std::array<int, 13> lengths{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap_year(year) ? 29 : lengths[static_cast<std::size_t>(month)];
}

/// 0 = Sunday; 1970-01-01 was a Thursday.
int weekday_of(std::int64_t days) {
  return static_cast<int>(days - floor_div(days + 4, 7) * 7 + 4);
}

// ---------------------------------------------------------------------------------------------
// Searching

struct day_rule {
  const std::bitset<32>& days;
  const std::bitset<7>& weekdays;
  bool either_fires;  // both fields restricted: Vixie cron ORs them

  bool matches(int day, int weekday) const {
    const bool by_day = days.test(static_cast<std::size_t>(day));
    const bool by_weekday = weekdays.test(static_cast<std::size_t>(weekday));
    return either_fires ? (by_day || by_weekday) : (by_day && by_weekday);
  }
};

struct time_rule {
  const std::bitset<24>& hours;
  const std::bitset<60>& minutes;

  /// The first matching minute of the day at or after `from` (minutes since midnight).
  std::optional<std::int64_t> first_at_or_after(std::int64_t from) const {
    for (std::int64_t hour = from / 60; hour < 24; ++hour) {
      if (!hours.test(static_cast<std::size_t>(hour))) continue;
      const std::int64_t first_minute = hour == from / 60 ? from % 60 : 0;
      for (std::int64_t minute = first_minute; minute < 60; ++minute)
        if (minutes.test(static_cast<std::size_t>(minute))) return hour * 60 + minute;
    }
    return std::nullopt;
  }
};

/// Where the search stands: a day (as days since the epoch and as a date) and the first minute
/// of that day still worth checking.
struct cursor {
  std::int64_t day_number;
  civil_date date;
  std::int64_t from_minute;
};

/// The first matching minute (since the epoch) from the cursor to the end of its month.
std::optional<std::int64_t> first_slot_in_month(cursor at, const day_rule& days,
                                                const time_rule& times) {
  const int month_length = days_in_month(at.date.year, at.date.month);
  int weekday = weekday_of(at.day_number);
  for (int day = at.date.day; day <= month_length; ++day) {
    if (days.matches(day, weekday)) {
      if (auto minute = times.first_at_or_after(at.from_minute))
        return at.day_number * minutes_per_day + *minute;
    }
    ++at.day_number;
    weekday = (weekday + 1) % 7;
    at.from_minute = 0;
  }
  return std::nullopt;
}

cursor first_day_of_next_month(const cursor& at) {
  const int remaining = days_in_month(at.date.year, at.date.month) - at.date.day + 1;
  const civil_date next = at.date.month == 12 ? civil_date{at.date.year + 1, 1, 1}
                                              : civil_date{at.date.year, at.date.month + 1, 1};
  return {at.day_number + remaining, next, 0};
}

}  // namespace

std::variant<cron_expression, std::string> cron_expression::parse(std::string_view text) {
  std::vector<std::string_view> fields = split_on_whitespace(text);
  if (fields.size() == 1 && fields.front().front() == '@') {
    auto expansion = expand_nickname(fields.front());
    if (auto* error = std::get_if<std::string>(&expansion)) return std::move(*error);
    fields = split_on_whitespace(std::get<std::string_view>(expansion));
  }
  if (fields.size() != field_specs.size())
    return "needs 5 fields (got " + std::to_string(fields.size()) + ")";

  std::array<field_bits, 5> bits;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto parsed_field = parse_field(fields[i], field_specs[i]);
    if (auto* error = std::get_if<std::string>(&parsed_field)) return std::move(*error);
    bits[i] = std::get<field_bits>(parsed_field);
  }

  cron_expression expression;
  expression.text_ = std::string(text);
  expression.minutes_ = narrow<60>(bits[0]);
  expression.hours_ = narrow<24>(bits[1]);
  expression.days_ = narrow<32>(bits[2]);
  expression.months_ = narrow<13>(bits[3]);
  expression.weekdays_ = fold_sunday(bits[day_of_week_field]);
  expression.days_restricted_ = is_restricted(fields[2]);
  expression.weekdays_restricted_ = is_restricted(fields[day_of_week_field]);
  // Only day-of-month and month can exclude each other: a weekday always comes round.
  if (expression.next_after(0) == 0)
    return "never fires: no month it names has the day of the month it names (as in "
           "\"0 0 30 2 *\": February has no 30th)";
  return expression;
}

timestamp cron_expression::next_after(timestamp t) const {
  const std::int64_t first_candidate = floor_div(t, micros_per_minute) + 1;
  const std::int64_t day_number = floor_div(first_candidate, minutes_per_day);
  cursor at{day_number, civil_from_days(day_number),
            first_candidate - day_number * minutes_per_day};

  const day_rule days{days_, weekdays_, days_restricted_ && weekdays_restricted_};
  const time_rule times{hours_, minutes_};
  for (int searched = 0; searched < search_horizon_months; ++searched) {
    if (months_.test(static_cast<std::size_t>(at.date.month))) {
      if (auto minute = first_slot_in_month(at, days, times)) return *minute * micros_per_minute;
    }
    at = first_day_of_next_month(at);
  }
  return 0;
}

}  // namespace meshjobs
