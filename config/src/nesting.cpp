#include "nesting.hpp"

#include <cstddef>

namespace meshjobs::config_detail {
namespace {

struct position {
  std::size_t line = 1;
  std::size_t column = 1;
};

/// The first `[` or `{` (outside quotes and comments) that opens level `depth`, if any.
bool deepest_bracket(std::string_view yaml, int depth, position& at) {
  int open = 0;
  char quote = 0;
  bool comment = false;
  position here;
  for (const char c : yaml) {
    if (c == '\n') {
      comment = false;
      ++here.line;
      here.column = 1;
      continue;
    }
    if (quote != 0) {
      if (c == quote)
        quote = 0;
    } else if (!comment) {
      if (c == '"' || c == '\'')
        quote = c;
      else if (c == '#')
        comment = true;
      else if ((c == '[' || c == '{') && ++open >= depth) {
        at = here;
        return true;
      } else if ((c == ']' || c == '}') && open > 0)
        --open;
    }
    ++here.column;
  }
  return false;
}

position most_indented_line(std::string_view yaml) {
  position best, here;
  std::size_t indent = 0;
  bool leading = true;
  for (const char c : yaml) {
    if (c == '\n') {
      ++here.line;
      indent = 0;
      leading = true;
      continue;
    }
    if (leading && c == ' ') {
      ++indent;
    } else if (leading) {
      leading = false;
      if (indent + 1 > best.column)
        best = {here.line, indent + 1};
    }
  }
  return best;
}

}  // namespace

std::string too_deep_reason(std::string_view yaml, int depth) {
  position at;
  if (!deepest_bracket(yaml, depth, at))
    at = most_indented_line(yaml);
  return "nested deeper than " + std::to_string(depth) + " levels at line " + std::to_string(at.line) +
         ", column " + std::to_string(at.column) + " (a config needs a few levels; is this the right file?)";
}

}  // namespace meshjobs::config_detail
