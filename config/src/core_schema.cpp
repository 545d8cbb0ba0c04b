#include "core_schema.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>

namespace meshjobs::config_detail {
namespace {

constexpr std::string_view core_str_tag = "tag:yaml.org,2002:str";
constexpr std::string_view non_specific_tag = "!";  // what yaml-cpp gives a quoted scalar

constexpr std::array<std::string_view, 6> boolean_words{
  "true", "True", "TRUE", "false", "False", "FALSE"};

int digit_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return std::numeric_limits<int>::max();
}

bool all_digits(std::string_view s, int base) {
  return !s.empty()
         && std::all_of(s.begin(), s.end(), [base](char c) { return digit_value(c) < base; });
}

std::size_t count_decimal_digits(std::string_view s, std::size_t from) {
  std::size_t n = 0;
  while (from + n < s.size() && digit_value(s[from + n]) < 10)
    ++n;
  return n;
}

struct integer_syntax {
  bool negative = false;
  int base = 10;
  std::string_view digits;
};

// Core schema ints: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ (no sign on octal and hex).
std::optional<integer_syntax> integer_syntax_of(std::string_view text) {
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'x')) {
    const int base = text[1] == 'o' ? 8 : 16;
    if (all_digits(text.substr(2), base))
      return integer_syntax{false, base, text.substr(2)};
    return std::nullopt;
  }
  integer_syntax syntax;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    syntax.negative = text[0] == '-';
    text.remove_prefix(1);
  }
  if (!all_digits(text, 10))
    return std::nullopt;
  syntax.digits = text;
  return syntax;
}

bool is_special_float(std::string_view text) {
  if (text == ".nan" || text == ".NaN" || text == ".NAN")
    return true;
  if (!text.empty() && (text[0] == '-' || text[0] == '+'))
    text.remove_prefix(1);
  return text == ".inf" || text == ".Inf" || text == ".INF";
}

// Core schema floats: [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE][-+]?[0-9]+ )?
bool is_float(std::string_view text) {
  if (is_special_float(text))
    return true;
  std::size_t at = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
  const std::size_t whole = count_decimal_digits(text, at);
  at += whole;
  std::size_t fraction = 0;
  if (at < text.size() && text[at] == '.') {
    fraction = count_decimal_digits(text, at + 1);
    at += 1 + fraction;
  }
  if (whole == 0 && fraction == 0)
    return false;
  if (at < text.size() && (text[at] == 'e' || text[at] == 'E')) {
    ++at;
    if (at < text.size() && (text[at] == '-' || text[at] == '+'))
      ++at;
    const std::size_t exponent = count_decimal_digits(text, at);
    if (exponent == 0)
      return false;
    at += exponent;
  }
  return at == text.size();
}

}  // namespace

scalar_type resolve(const YAML::Node& node) {
  if (node.IsNull())
    return scalar_type::null;
  if (node.Tag() == non_specific_tag || node.Tag() == core_str_tag)
    return scalar_type::string;
  const std::string& text = node.Scalar();
  if (std::find(boolean_words.begin(), boolean_words.end(), text) != boolean_words.end())
    return scalar_type::boolean;
  if (integer_syntax_of(text))
    return scalar_type::integer;
  if (is_float(text))
    return scalar_type::floating;
  return scalar_type::string;
}

std::optional<std::int64_t> integer_value(std::string_view text) {
  const auto syntax = integer_syntax_of(text);
  if (!syntax)
    return std::nullopt;
  std::uint64_t magnitude = 0;
  const char* end = syntax->digits.data() + syntax->digits.size();
  const auto [ptr, ec] = std::from_chars(syntax->digits.data(), end, magnitude, syntax->base);
  if (ec != std::errc{} || ptr != end)
    return std::nullopt;
  constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (!syntax->negative)
    return magnitude <= max ? std::optional<std::int64_t>(static_cast<std::int64_t>(magnitude))
                            : std::nullopt;
  if (magnitude == max + 1)
    return std::numeric_limits<std::int64_t>::min();
  return magnitude <= max ? std::optional<std::int64_t>(-static_cast<std::int64_t>(magnitude))
                          : std::nullopt;
}

bool boolean_value(std::string_view text) {
  return !text.empty() && (text[0] == 't' || text[0] == 'T');
}

std::string describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Scalar:
      break;
    default:
      return "null";
  }
  switch (resolve(node)) {
    case scalar_type::boolean:
      return "the boolean " + node.Scalar();
    case scalar_type::integer:
      return "the integer " + node.Scalar();
    case scalar_type::floating:
      return "the number " + node.Scalar();
    case scalar_type::string:
      return "the string " + json_quote(node.Scalar());
    case scalar_type::null:
      break;
  }
  return "null";
}

std::string json_quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  for (const char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

}  // namespace meshjobs::config_detail
