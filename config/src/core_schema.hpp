// YAML 1.2 core schema: whether a scalar reads as null, a boolean, an integer, a float or a
// string. yaml-cpp hands every scalar over as text, so the loader decides types here, once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

namespace meshjobs::config_detail {

enum class scalar_type { null, boolean, integer, floating, string };

/// The type of a null or scalar node. Quoted and `!!str` scalars are always strings;
/// plain ones follow the core schema (`true`/`True`/`TRUE`, `0x1F`, `0o17`, `1e3`, `~`...).
scalar_type resolve(const YAML::Node& node);

/// The value of a text that resolves to an integer; nullopt when it does not fit in 64 bits.
std::optional<std::int64_t> integer_value(std::string_view text);

/// The value of a text that resolves to a boolean.
bool boolean_value(std::string_view text);

/// What a node is, for "expected X, found Y": `a map`, `the string "x"`, `the integer 5`...
std::string describe(const YAML::Node& node);

/// `s` as a JSON string literal, quotes included; also how errors quote user text.
std::string json_quote(std::string_view s);

}  // namespace meshjobs::config_detail
