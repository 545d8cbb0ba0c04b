// A YAML document read from text or a file, bounded in size and depth, with the error that
// stops it named as the config's errors are. The config loader and the cluster file of
// meshjobs-cluster both read their YAML through here.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "meshjobs/config/loader.hpp"

namespace meshjobs::config_detail {

/// What a document is, for the reason given when one is too large: "a meshjobs config".
struct yaml_document_kind {
  std::string_view described_as;
};

/// The document in `text`; nullopt after adding one error keyed by `source` (too large,
/// nested too deep, not YAML).
std::optional<YAML::Node> parse_yaml(std::string_view text, std::string_view source,
                                     yaml_document_kind kind, std::vector<config_error>& errors);

/// The document in the file at `path`; nullopt after adding one error keyed by `path`
/// (unreadable, or as parse_yaml).
std::optional<YAML::Node> load_yaml_file(const std::string& path, yaml_document_kind kind,
                                         std::vector<config_error>& errors);

}  // namespace meshjobs::config_detail
