// Writing compact JSON: RFC 8259 string escaping, shortest round-trip numbers.
#include "meshjobs/messages/json.hpp"

#include <cassert>
#include <charconv>
#include <cmath>
#include <iterator>

namespace meshjobs::json {
namespace {

// Unicode Table 3-7 (well-formed UTF-8): the length of the sequence starting at `at`, or 0 when
// it is malformed, overlong, a surrogate, above U+10FFFF or cut short.
std::size_t utf8_sequence_length(std::string_view s, std::size_t at) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(at);
  std::size_t length = 0;
  unsigned char second_min = 0x80;
  unsigned char second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    second_min = lead == 0xE0 ? 0xA0 : second_min;
    second_max = lead == 0xED ? 0x9F : second_max;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    second_min = lead == 0xF0 ? 0x90 : second_min;
    second_max = lead == 0xF4 ? 0x8F : second_max;
  } else {
    return 0;
  }
  if (s.size() - at < length || byte(at + 1) < second_min || byte(at + 1) > second_max)
    return 0;
  for (std::size_t i = 2; i < length; ++i)
    if ((byte(at + i) & 0xC0) != 0x80)
      return 0;
  return length;
}

void append_control_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
  }
  constexpr char hex[] = "0123456789abcdef";
  out += "\\u00";
  out += hex[c >> 4];
  out += hex[c & 0x0F];
}

// A JSON text must be valid UTF-8 (RFC 8259 section 8.1), and simdjson rejects one that is not;
// a malformed byte, e.g. from a third-party error message, becomes U+FFFD so the output stays
// readable by our own parser.
constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

void append_quoted(std::string& out, std::string_view s) {
  out.reserve(out.size() + s.size() + 2);
  out += '"';
  std::size_t copied = 0;  // s[copied, i) needs no escaping and is appended in one go
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const bool plain_ascii = c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
    if (plain_ascii) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (std::size_t length = utf8_sequence_length(s, i)) {
        i += length;
        continue;
      }
    }
    out.append(s.data() + copied, i - copied);
    if (c >= 0x80)
      out += replacement_character;
    else if (c == '"' || c == '\\')
      (out += '\\') += static_cast<char>(c);
    else
      append_control_escape(out, c);
    copied = ++i;
  }
  out.append(s.data() + copied, s.size() - copied);
  out += '"';
}

template <class Number>
void append_number(std::string& out, Number v) {
  char digits[32];  // the longest shortest-form double, "-2.2250738585072014e-308", is 24
  const auto result = std::to_chars(std::begin(digits), std::end(digits), v);
  out.append(digits, result.ptr);
}

// Shortest round-trip digits, plus ".0" when they look like an integer: a reader then still
// sees a double (simdjson types "100" as int64), and -0.0 keeps its sign.
void append_double(std::string& out, double v) {
  const std::size_t start = out.size();
  append_number(out, v);
  const bool looks_integral =
      out.find_first_not_of("-0123456789", start) == std::string::npos;
  if (looks_integral)
    out += ".0";
}

}  // namespace

std::string quote(std::string_view s) {
  std::string out;
  append_quoted(out, s);
  return out;
}

// A value directly after a key takes no comma; any other value or key after a sibling does.
void writer::separate() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (first_.empty())
    return;
  if (!first_.back())
    out_ += ',';
  first_.back() = false;
}

writer& writer::begin_object() {
  separate();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

writer& writer::end_object() {
  assert(!first_.empty() && "end_object without begin_object");
  first_.pop_back();
  out_ += '}';
  return *this;
}

writer& writer::begin_array() {
  separate();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

writer& writer::end_array() {
  assert(!first_.empty() && "end_array without begin_array");
  first_.pop_back();
  out_ += ']';
  return *this;
}

writer& writer::key(std::string_view k) {
  separate();
  append_quoted(out_, k);
  out_ += ':';
  after_key_ = true;
  return *this;
}

writer& writer::value(std::string_view s) {
  separate();
  append_quoted(out_, s);
  return *this;
}

writer& writer::value(std::int64_t v) {
  separate();
  append_number(out_, v);
  return *this;
}

writer& writer::value(std::uint64_t v) {
  separate();
  append_number(out_, v);
  return *this;
}

// JSON has no NaN or infinity; null is what JSON.stringify writes for them too.
writer& writer::value(double v) {
  if (!std::isfinite(v))
    return null();
  separate();
  append_double(out_, v);
  return *this;
}

writer& writer::value(bool v) {
  separate();
  out_ += v ? "true" : "false";
  return *this;
}

writer& writer::null() {
  separate();
  out_ += "null";
  return *this;
}

writer& writer::raw(std::string_view json_text) {
  separate();
  out_ += json_text;
  return *this;
}

}  // namespace meshjobs::json
