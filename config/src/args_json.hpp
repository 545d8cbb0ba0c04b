// A schedule entry's `args`, written in YAML, become the JSON object text a job envelope carries.
#pragma once

#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "reader.hpp"

namespace meshjobs::config_detail {

/// JSON object text for a YAML map; nullopt once the problems are reported to `r`.
/// Scalars keep their core-schema type: `604800` stays a number, `true` a boolean,
/// `~` null, `"42"` a string. Keys lose a leading ':' as everywhere else.
std::optional<std::string> args_to_json(reader& r, const YAML::Node& map, const std::string& path);

}  // namespace meshjobs::config_detail
