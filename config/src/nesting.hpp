// Where a YAML text nests too deep. yaml-cpp stops at its depth limit with "bad file" at
// line 1, column 1; this finds the place, so the error can name it.
#pragma once

#include <string>
#include <string_view>

namespace meshjobs::config_detail {

/// "nested deeper than N levels at line L, column C (...)": the first flow bracket ([ or {)
/// that reaches `depth`, else the most indented line.
std::string too_deep_reason(std::string_view yaml, int depth);

}  // namespace meshjobs::config_detail
