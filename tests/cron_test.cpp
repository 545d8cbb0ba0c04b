#include "meshjobs/config/cron_expression.hpp"

#include <gtest/gtest.h>

#include <bitset>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace meshjobs {
namespace {

constexpr timestamp micros_per_second = 1'000'000;
constexpr timestamp micros_per_minute = 60 * micros_per_second;

/// A UTC instant from its calendar fields, through the C library rather than the code under test.
timestamp utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0) {
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  return static_cast<timestamp>(timegm(&fields)) * micros_per_second;
}

cron_expression cron(std::string_view text) {
  auto parsed = cron_expression::parse(text);
  if (auto* error = std::get_if<std::string>(&parsed))
    throw std::invalid_argument("\"" + std::string(text) + "\" did not parse: " + *error);
  return std::get<cron_expression>(parsed);
}

std::string parse_error(std::string_view text) {
  auto parsed = cron_expression::parse(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  return "<parsed>";
}

std::vector<timestamp> slots_after(const cron_expression& expression, timestamp t, int count) {
  std::vector<timestamp> slots;
  for (int i = 0; i < count; ++i) slots.push_back(t = expression.next_after(t));
  return slots;
}

// --- The seed's schedules ----------------------------------------------------------------------

TEST(Cron, DailyAtTwoFiresAtTwoTheSameDayOrTheNext) {
  const auto daily = cron("0 2 * * *");
  EXPECT_EQ(daily.next_after(utc(2025, 3, 10, 1, 59, 59) + 999'999), utc(2025, 3, 10, 2, 0));
  EXPECT_EQ(daily.next_after(utc(2025, 3, 10, 2, 0, 1)), utc(2025, 3, 11, 2, 0));
  EXPECT_EQ(daily.next_after(utc(2025, 12, 31, 2, 0) + 500'000), utc(2026, 1, 1, 2, 0));
}

TEST(Cron, DailyAtTwoWalksThroughLeapDayAndNotThroughAMissingOne) {
  const auto daily = cron("0 2 * * *");
  EXPECT_EQ(daily.next_after(utc(2028, 2, 28, 3, 0)), utc(2028, 2, 29, 2, 0));
  EXPECT_EQ(daily.next_after(utc(2027, 2, 28, 3, 0)), utc(2027, 3, 1, 2, 0));
  EXPECT_EQ(daily.next_after(utc(2100, 2, 28, 3, 0)), utc(2100, 3, 1, 2, 0));  // 2100 is no leap year
}

TEST(Cron, WeeklyOnSundayAtThreeFindsTheNextSunday) {
  const auto weekly = cron("0 3 * * 0");
  EXPECT_EQ(weekly.next_after(utc(2025, 1, 1)), utc(2025, 1, 5, 3, 0));       // Wed -> Sun
  EXPECT_EQ(weekly.next_after(utc(2025, 12, 29)), utc(2026, 1, 4, 3, 0));     // across the year
  EXPECT_EQ(weekly.next_after(utc(2028, 2, 27, 3, 0)), utc(2028, 3, 5, 3, 0));  // across Feb 29
}

TEST(Cron, MonthlyOnTheFirstFindsTheNextFirst) {
  const auto monthly = cron("0 0 1 * *");
  EXPECT_EQ(monthly.next_after(utc(2025, 1, 15, 12, 0)), utc(2025, 2, 1));
  EXPECT_EQ(monthly.next_after(utc(2025, 12, 1)), utc(2026, 1, 1));
  EXPECT_EQ(monthly.next_after(utc(2028, 2, 1)), utc(2028, 3, 1));
  EXPECT_EQ(monthly.next_after(utc(2028, 2, 29, 12, 0)), utc(2028, 3, 1));
}

// --- Strictly after ----------------------------------------------------------------------------

TEST(Cron, AnExactSlotYieldsTheFollowingSlot) {
  const auto quarterly = cron("*/15 * * * *");
  EXPECT_EQ(quarterly.next_after(utc(2025, 5, 5, 10, 15)), utc(2025, 5, 5, 10, 30));
  EXPECT_EQ(quarterly.next_after(utc(2025, 5, 5, 10, 15) - 1), utc(2025, 5, 5, 10, 15));
  EXPECT_EQ(quarterly.next_after(utc(2025, 5, 5, 10, 15) + 1), utc(2025, 5, 5, 10, 30));
}

TEST(Cron, EveryMinuteFiresOnTheNextWholeMinute) {
  const auto every_minute = cron("* * * * *");
  EXPECT_EQ(every_minute.next_after(utc(2025, 12, 31, 23, 59, 30)), utc(2026, 1, 1, 0, 0));
  EXPECT_EQ(every_minute.next_after(utc(2025, 12, 31, 23, 59)), utc(2026, 1, 1, 0, 0));
}

// --- Field syntax ------------------------------------------------------------------------------

TEST(Cron, StarStepFiresEveryNthValue) {
  EXPECT_EQ(slots_after(cron("*/15 * * * *"), utc(2025, 5, 5, 10, 0), 4),
            (std::vector<timestamp>{utc(2025, 5, 5, 10, 15), utc(2025, 5, 5, 10, 30),
                                    utc(2025, 5, 5, 10, 45), utc(2025, 5, 5, 11, 0)}));
}

TEST(Cron, StartStepRunsFromTheStartToTheFieldMaximum) {
  EXPECT_EQ(slots_after(cron("5/20 * * * *"), utc(2025, 5, 5, 10, 0), 4),
            (std::vector<timestamp>{utc(2025, 5, 5, 10, 5), utc(2025, 5, 5, 10, 25),
                                    utc(2025, 5, 5, 10, 45), utc(2025, 5, 5, 11, 5)}));
}

TEST(Cron, RangeStepStaysInsideTheRange) {
  EXPECT_EQ(slots_after(cron("10-20/5 * * * *"), utc(2025, 5, 5, 10, 0), 4),
            (std::vector<timestamp>{utc(2025, 5, 5, 10, 10), utc(2025, 5, 5, 10, 15),
                                    utc(2025, 5, 5, 10, 20), utc(2025, 5, 5, 11, 10)}));
}

TEST(Cron, RangeOfHoursFiresEachHourThenWrapsToTheNextDay) {
  EXPECT_EQ(slots_after(cron("0 9-11 * * *"), utc(2025, 5, 5), 4),
            (std::vector<timestamp>{utc(2025, 5, 5, 9, 0), utc(2025, 5, 5, 10, 0),
                                    utc(2025, 5, 5, 11, 0), utc(2025, 5, 6, 9, 0)}));
}

TEST(Cron, ListOfWeekdaysFiresOnEachListedDay) {
  // 2025-06-02 is a Monday.
  EXPECT_EQ(slots_after(cron("0 0 * * 1,3,5"), utc(2025, 6, 1), 4),
            (std::vector<timestamp>{utc(2025, 6, 2), utc(2025, 6, 4), utc(2025, 6, 6),
                                    utc(2025, 6, 9)}));
}

TEST(Cron, ListMixesValuesRangesAndSteps) {
  EXPECT_EQ(slots_after(cron("1,10-12,50/5 0 * * *"), utc(2025, 5, 5), 7),
            (std::vector<timestamp>{utc(2025, 5, 5, 0, 1), utc(2025, 5, 5, 0, 10),
                                    utc(2025, 5, 5, 0, 11), utc(2025, 5, 5, 0, 12),
                                    utc(2025, 5, 5, 0, 50), utc(2025, 5, 5, 0, 55),
                                    utc(2025, 5, 6, 0, 1)}));
}

TEST(Cron, MonthAndWeekdayNamesAreCaseInsensitive) {
  EXPECT_EQ(slots_after(cron("0 0 1 jan,JUL *"), utc(2025, 3, 1), 3),
            (std::vector<timestamp>{utc(2025, 7, 1), utc(2026, 1, 1), utc(2026, 7, 1)}));
  // 2025-06-06 is a Friday: MON-fri skips the weekend.
  EXPECT_EQ(slots_after(cron("0 12 * * MON-fri"), utc(2025, 6, 6), 2),
            (std::vector<timestamp>{utc(2025, 6, 6, 12, 0), utc(2025, 6, 9, 12, 0)}));
  EXPECT_EQ(slots_after(cron("0 0 1 Mar-May/2 *"), utc(2025, 1, 1), 2),
            (std::vector<timestamp>{utc(2025, 3, 1), utc(2025, 5, 1)}));
}

TEST(Cron, WeekdaySevenIsSunday) {
  const timestamp from = utc(2025, 1, 1);
  EXPECT_EQ(slots_after(cron("0 3 * * 7"), from, 5), slots_after(cron("0 3 * * 0"), from, 5));
  EXPECT_EQ(slots_after(cron("0 3 * * sun"), from, 5), slots_after(cron("0 3 * * 0"), from, 5));
  // 2025-06-06 is a Friday: 5-7 is Friday, Saturday, Sunday.
  EXPECT_EQ(slots_after(cron("0 0 * * 5-7"), utc(2025, 6, 5), 4),
            (std::vector<timestamp>{utc(2025, 6, 6), utc(2025, 6, 7), utc(2025, 6, 8),
                                    utc(2025, 6, 13)}));
}

// --- Day-of-month and day-of-week --------------------------------------------------------------

TEST(Cron, BothDayFieldsRestrictedFireOnADayMatchingEither) {
  // The 13th, or any Friday.
  EXPECT_EQ(slots_after(cron("0 0 13 * 5"), utc(2025, 6, 1), 8),
            (std::vector<timestamp>{utc(2025, 6, 6), utc(2025, 6, 13), utc(2025, 6, 20),
                                    utc(2025, 6, 27), utc(2025, 7, 4), utc(2025, 7, 11),
                                    utc(2025, 7, 13), utc(2025, 7, 18)}));
}

TEST(Cron, OnlyTheRestrictedDayFieldMustMatchWhenTheOtherIsStar) {
  EXPECT_EQ(slots_after(cron("0 0 13 * *"), utc(2025, 6, 1), 2),
            (std::vector<timestamp>{utc(2025, 6, 13), utc(2025, 7, 13)}));
  EXPECT_EQ(slots_after(cron("0 0 * * 5"), utc(2025, 6, 1), 2),
            (std::vector<timestamp>{utc(2025, 6, 6), utc(2025, 6, 13)}));
}

TEST(Cron, StarStepDayFieldCountsAsUnrestrictedSoTheDaysCombineByAnd) {
  // Vixie cron: a field starting with `*` is unrestricted, so odd days AND Mondays.
  EXPECT_EQ(slots_after(cron("0 0 */2 * 1"), utc(2025, 6, 1), 4),
            (std::vector<timestamp>{utc(2025, 6, 9), utc(2025, 6, 23), utc(2025, 7, 7),
                                    utc(2025, 7, 21)}));
}

// --- Nicknames ---------------------------------------------------------------------------------

TEST(Cron, NicknamesExpandToTheirFiveFieldForms) {
  const timestamp from = utc(2025, 6, 6, 12, 34);
  EXPECT_EQ(cron("@hourly").next_after(from), utc(2025, 6, 6, 13, 0));
  EXPECT_EQ(cron("@daily").next_after(from), utc(2025, 6, 7));
  EXPECT_EQ(cron("@midnight").next_after(from), utc(2025, 6, 7));
  EXPECT_EQ(cron("@weekly").next_after(from), utc(2025, 6, 8));  // Sunday
  EXPECT_EQ(cron("@monthly").next_after(from), utc(2025, 7, 1));
  EXPECT_EQ(cron("@yearly").next_after(from), utc(2026, 1, 1));
  EXPECT_EQ(cron("@ANNUALLY").next_after(from), utc(2026, 1, 1));
}

TEST(Cron, TextIsKeptAsGiven) { EXPECT_EQ(cron("0 2 * * *").text(), "0 2 * * *"); }

// --- Errors ------------------------------------------------------------------------------------

TEST(Cron, ParseErrorsNameTheFieldAndTheReason) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"0 24 * * *", "hour: 24 is out of range 0-23"},
      {"60 * * * *", "minute: 60 is out of range 0-59"},
      {"0 0 0 * *", "day-of-month: 0 is out of range 1-31"},
      {"0 0 32 * *", "day-of-month: 32 is out of range 1-31"},
      {"0 0 1 13 *", "month: 13 is out of range 1-12"},
      {"0 0 * * 8", "day-of-week: 8 is out of range 0-7"},
      {"99999999999999999999 * * * *", "minute: 99999999999999999999 is out of range 0-59"},
      {"*/0 * * * *", "minute: step must be > 0"},
      {"*/x * * * *", "minute: step \"x\" is not a number"},
      {"0 0 * * * *", "needs 5 fields (got 6)"},
      {"0 0 * *", "needs 5 fields (got 4)"},
      {"", "needs 5 fields (got 0)"},
      {"0 0 * * funday", "day-of-week: \"funday\" is not a number or a name"},
      {"0 0 1 foo *", "month: \"foo\" is not a number or a name"},
      {"x * * * *", "minute: \"x\" is not a number"},
      {"-5 * * * *", "minute: \"-5\" is not a number"},
      {"0 0 * * mon-", "day-of-week: \"mon-\" is not a number or a name"},
      {"1,,2 * * * *", "minute: empty list item"},
      {"0 5-3 * * *", "hour: range 5-3 runs backwards (5 > 3)"},
      {"0 0 1 dec-jan *", "month: range dec-jan runs backwards (12 > 1)"},
      {"@reboot", "unknown nickname \"@reboot\" (expected @yearly, @annually, @monthly, "
                  "@weekly, @daily, @midnight or @hourly)"},
  };
  for (const auto& [text, message] : cases) EXPECT_EQ(parse_error(text), message) << text;
}

// --- Rare and impossible expressions -----------------------------------------------------------

TEST(Cron, AnExpressionThatCanNeverFireIsAParseError) {
  for (const char* text : {"0 0 30 2 *", "0 0 31 4 *", "0 0 31 4,6,9,11 *", "0 0 30,31 feb *"})
    EXPECT_EQ(parse_error(text).rfind("never fires: ", 0), 0u) << text << ": " << parse_error(text);
}

TEST(Cron, ADayThatExistsInOnlySomeNamedMonthsStillFires) {
  EXPECT_EQ(cron("0 0 31 2,3 *").next_after(utc(2025, 1, 1)), utc(2025, 3, 31));
  EXPECT_EQ(cron("0 0 30 2 mon").next_after(utc(2025, 1, 1)), utc(2025, 2, 3));  // OR: Mondays
}

TEST(Cron, LeapDayIsFoundYearsAhead) {
  EXPECT_EQ(cron("0 0 29 2 *").next_after(utc(2025, 3, 1)), utc(2028, 2, 29));
  EXPECT_EQ(cron("0 0 29 2 *").next_after(utc(2096, 3, 1)), utc(2104, 2, 29));  // 2100 skipped
}

TEST(Cron, ASlotDecadesAheadIsFoundNotMistakenForImpossible) {
  // Feb 29 that is also a Sunday (`*/7` is unrestricted, so AND): 2088, then 40 years later.
  EXPECT_EQ(cron("0 0 29 2 */7").next_after(utc(2088, 3, 1)), utc(2128, 2, 29));
}

TEST(Cron, LocalTimeZoneDoesNotChangeTheResult) {
  const char* saved = std::getenv("TZ");
  const std::string previous = saved ? saved : "";
  setenv("TZ", "NPT-5:45", 1);  // a POSIX zone with an odd offset, no tzdata needed
  tzset();
  const timestamp next = cron("0 2 * * *").next_after(utc(2025, 3, 10));
  if (saved) setenv("TZ", previous.c_str(), 1); else unsetenv("TZ");
  tzset();
  EXPECT_EQ(next, utc(2025, 3, 10, 2, 0));
}

TEST(Cron, InstantsBeforeTheEpochCountBackwardsCorrectly) {
  EXPECT_EQ(cron("* * * * *").next_after(utc(1969, 12, 31, 23, 59, 30)), utc(1970, 1, 1));
  // 1969-07-20 was a Sunday.
  EXPECT_EQ(cron("0 3 * * 0").next_after(utc(1969, 7, 15, 12, 0)), utc(1969, 7, 20, 3, 0));
}

// --- Fast path against brute force -------------------------------------------------------------

struct field_shape {
  int min;
  int max;
  std::vector<std::string> names;
};

/// A random field's text and the values it must select, built without the parser.
struct generated_field {
  std::string text;
  std::bitset<64> values;
};

/// A random expression and, independently of the parser, the schedule it must mean.
struct generated_expression {
  std::string text;
  std::bitset<64> fields[5];
  bool day_restricted;
  bool weekday_restricted;
};

class expression_generator {
 public:
  explicit expression_generator(std::uint64_t seed) : rng_(seed) {}

  generated_expression next() {
    static const field_shape shapes[5]{
        {0, 59, {}},
        {0, 23, {}},
        {1, 31, {}},
        {1, 12, {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                 "dec"}},
        {0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}},
    };
    // Day and month fields are `*` more often, so most expressions fire within the window.
    static const int star_percent[5]{15, 15, 50, 60, 50};
    generated_expression e;
    std::string texts[5];
    for (int i = 0; i < 5; ++i) {
      generated_field f = chance(star_percent[i]) ? generated_field{"*", all(shapes[i])}
                                                   : random_field(shapes[i]);
      if (i == 4 && f.values.test(7)) f.values.set(0);  // 7 is Sunday
      e.text += (i ? " " : "") + f.text;
      e.fields[i] = f.values;
      texts[i] = f.text;
    }
    // Vixie cron: a day field is restricted unless its text starts with `*`.
    e.day_restricted = texts[2][0] != '*';
    e.weekday_restricted = texts[4][0] != '*';
    return e;
  }

 private:
  bool chance(int percent) { return uniform(0, 99) < percent; }
  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  static std::bitset<64> all(const field_shape& s) {
    std::bitset<64> bits;
    for (int v = s.min; v <= s.max; ++v) bits.set(v);
    return bits;
  }

  std::string render(int value, const field_shape& s) {
    const bool has_name = !s.names.empty() && value - s.min < static_cast<int>(s.names.size());
    if (!has_name || !chance(30)) return std::to_string(value);
    std::string name = s.names[value - s.min];
    for (char& c : name)
      if (chance(50)) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return name;
  }

  generated_field random_field(const field_shape& s) {
    const int items = chance(70) ? 1 : uniform(2, 3);
    generated_field field;
    for (int i = 0; i < items; ++i) {
      generated_field item = random_item(s);
      field.text += (i ? "," : "") + item.text;
      field.values |= item.values;
    }
    return field;
  }

  generated_field random_item(const field_shape& s) {
    int first = uniform(s.min, s.max);
    int last = first;
    int step = 1;
    std::string text;
    switch (uniform(0, 4)) {
      case 0:  // a
        text = render(first, s);
        break;
      case 1:  // a-b
        last = uniform(first, s.max);
        text = render(first, s) + "-" + render(last, s);
        break;
      case 2:  // */n
        first = s.min;
        last = s.max;
        step = uniform(1, s.max - s.min + 2);
        text = "*/" + std::to_string(step);
        break;
      case 3:  // a-b/n
        last = uniform(first, s.max);
        step = uniform(1, 10);
        text = render(first, s) + "-" + render(last, s) + "/" + std::to_string(step);
        break;
      default:  // a/n
        last = s.max;
        step = uniform(1, 10);
        text = render(first, s) + "/" + std::to_string(step);
        break;
    }
    generated_field item{text, {}};
    for (int v = first; v <= last; v += step) item.values.set(v);
    return item;
  }

  std::mt19937_64 rng_;
};

bool brute_force_matches(const generated_expression& e, const std::tm& day, int minute_of_day) {
  const bool by_day = e.fields[2].test(day.tm_mday);
  const bool by_weekday = e.fields[4].test(day.tm_wday);
  const bool day_ok = e.day_restricted && e.weekday_restricted ? by_day || by_weekday
                                                               : by_day && by_weekday;
  return e.fields[0].test(minute_of_day % 60) && e.fields[1].test(minute_of_day / 60) &&
         e.fields[3].test(day.tm_mon + 1) && day_ok;
}

/// Checks every minute after `t` for `window_minutes`, reading the calendar from gmtime_r.
std::optional<timestamp> brute_force_next(const generated_expression& e, timestamp t,
                                          std::int64_t window_minutes) {
  const std::int64_t first = t / micros_per_minute + 1;  // t is positive here
  std::tm day{};
  std::int64_t day_of = -1;
  for (std::int64_t minute = first; minute <= first + window_minutes; ++minute) {
    if (minute / 1440 != day_of) {
      day_of = minute / 1440;
      const std::time_t midnight = static_cast<std::time_t>(day_of * 86400);
      gmtime_r(&midnight, &day);
    }
    if (brute_force_matches(e, day, static_cast<int>(minute % 1440)))
      return minute * micros_per_minute;
  }
  return std::nullopt;
}

TEST(Cron, NextAfterAgreesWithAMinuteByMinuteSearchOnRandomExpressions) {
  constexpr int expressions = 3000;
  constexpr std::int64_t window_minutes = 14 * 1440;
  expression_generator generator(20250606);
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<timestamp> instant(utc(1970, 1, 1), utc(2400, 1, 1));

  int compared = 0;
  int found_in_window = 0;
  int failures = 0;
  for (int i = 0; i < expressions && failures < 10; ++i) {
    const generated_expression e = generator.next();
    const auto parsed_or_error = cron_expression::parse(e.text);
    if (const auto* error = std::get_if<std::string>(&parsed_or_error)) {
      // Refused as never firing (as "0 0 30 2 *"): the brute force must find nothing either.
      EXPECT_EQ(error->rfind("never fires: ", 0), 0u) << e.text << ": " << *error;
      EXPECT_FALSE(brute_force_next(e, instant(rng), window_minutes).has_value()) << e.text;
      continue;
    }
    const auto& parsed = std::get<cron_expression>(parsed_or_error);
    // A random instant, then the slot found from it, to check exact slots too.
    std::vector<timestamp> instants{instant(rng)};
    if (auto first = brute_force_next(e, instants[0], window_minutes)) instants.push_back(*first);
    for (timestamp t : instants) {
      const auto expected = brute_force_next(e, t, window_minutes);
      const timestamp actual = parsed.next_after(t);
      const timestamp window_end = (t / micros_per_minute + 1 + window_minutes) * micros_per_minute;
      const bool agrees = expected ? actual == *expected : (actual == 0 || actual > window_end);
      ++compared;
      found_in_window += expected.has_value();
      if (!agrees) {
        ++failures;
        ADD_FAILURE() << "\"" << e.text << "\" after " << t << ": next_after gave " << actual
                      << ", brute force " << (expected ? std::to_string(*expected) : "none");
      }
    }
  }
  EXPECT_EQ(failures, 0);
  // The sweep proves something only if most comparisons found a slot to compare.
  EXPECT_GT(found_in_window, compared * 2 / 3) << found_in_window << " of " << compared;
}

}  // namespace
}  // namespace meshjobs
