// Cron expressions: 5 fields (minute hour day-of-month month day-of-week), evaluated in UTC.
// Fields take *, numbers, ranges a-b, lists a,b,c and steps */n, a-b/n or a/n (a to the field's
// maximum); month and weekday also take names (jan..dec, sun..sat, any case); day-of-week 0 and 7
// are Sunday. The nicknames @yearly @annually @monthly @weekly @daily @midnight @hourly stand for
// their 5-field forms. As in Vixie cron, when both day-of-month and day-of-week are restricted, a
// day matching either one fires; a day field starting with `*` (even `*/2`) is unrestricted.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class cron_expression {
 public:
  /// Parses `text`; the error names the field and the reason, e.g.
  /// `hour: 24 is out of range 0-23`. An expression that can never fire is an error too.
  static std::variant<cron_expression, std::string> parse(std::string_view text);

  /// The first slot (a whole minute) strictly after `t`, or 0 when there is none: the search
  /// spans one 400-year Gregorian cycle, after which the calendar repeats, so 0 means the
  /// expression can never fire (e.g. `0 0 30 2 *`).
  timestamp next_after(timestamp t) const;

  const std::string& text() const { return text_; }

 private:
  std::string text_;
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1..31
  std::bitset<13> months_;   // 1..12
  std::bitset<7> weekdays_;  // 0..6, Sunday = 0
  bool days_restricted_ = false;
  bool weekdays_restricted_ = false;
};

}  // namespace meshjobs
