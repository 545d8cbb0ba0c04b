// The JSON codec: simdjson reads, a small writer writes. simdjson stays out of this header.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "meshjobs/messages/job.hpp"

namespace meshjobs::json {

/// Why a text is not the JSON that was expected, e.g. `args: not valid JSON (TAPE_ERROR: ...)`.
struct parse_error {
  std::string message;
};

/// Checks that `text` is exactly one JSON object. `what` names the input in the error.
std::optional<parse_error> check_object(std::string_view text, std::string_view what = "json");

/// A parsed JSON object whose top-level members can be read by name.
class object {
 public:
  /// Parses `text`; on failure returns the error naming `what`.
  static std::variant<object, parse_error> parse(std::string_view text, std::string_view what = "json");

  object(object&&) noexcept;
  object& operator=(object&&) noexcept;
  ~object();

  bool has(std::string_view key) const;
  std::optional<std::string> get_string(std::string_view key) const;
  std::optional<std::int64_t> get_int(std::string_view key) const;
  std::optional<double> get_double(std::string_view key) const;  ///< also accepts integers
  std::optional<bool> get_bool(std::string_view key) const;
  /// The member's value as minified JSON text (objects, arrays, anything).
  std::optional<std::string> get_raw(std::string_view key) const;
  /// The member as an array of strings; nothing when it is missing, not an array, or holds
  /// anything but strings.
  std::optional<std::vector<std::string>> get_string_array(std::string_view key) const;
  std::vector<std::string> keys() const;

 private:
  struct impl;
  explicit object(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

/// Appends JSON to a string; the caller keeps the nesting right.
class writer {
 public:
  writer& begin_object();
  writer& end_object();
  writer& begin_array();
  writer& end_array();
  writer& key(std::string_view k);
  writer& value(std::string_view s);
  writer& value(const char* s) { return value(std::string_view{s}); }
  writer& value(const std::string& s) { return value(std::string_view{s}); }
  writer& value(std::int64_t v);
  writer& value(std::uint64_t v);
  writer& value(std::int32_t v) { return value(static_cast<std::int64_t>(v)); }
  writer& value(double v);
  writer& value(bool v);
  writer& null();
  /// Inserts already-valid JSON text as a value.
  writer& raw(std::string_view json_text);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  void separate();
  std::string out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

/// Escapes `s` as a JSON string literal including the quotes.
std::string quote(std::string_view s);

/// The whole envelope as one JSON object (times as microseconds since the epoch).
std::string to_json(const job& j);

}  // namespace meshjobs::json
