// Reads a YAML config into the model and validates it. Every error names the key and the reason.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "meshjobs/config/config.hpp"

namespace meshjobs {

/// One problem in a config, e.g. {"queues[2]", "weight must be > 0 (got -1)"}.
struct config_error {
  std::string key;
  std::string reason;
  std::string to_string() const { return "config: " + key + ": " + reason; }
};

struct config_result {
  config value;                      ///< meaningful only when `errors` is empty
  std::vector<config_error> errors;  ///< all of them, not just the first
  bool ok() const { return errors.empty(); }
};

/// Parses YAML text. `source` names the text in errors (a path, or "<string>").
config_result load_config_string(std::string_view yaml, std::string_view source = "<string>");

/// Reads and parses a file; an unreadable file is an error naming the path.
config_result load_config_file(const std::string& path);

/// Applies the seed's environment variables over `c` (BATCH_CONCURRENCY -> batch.concurrency);
/// returns an error naming each variable whose value is not valid (and leaves that field).
/// The daemon applies them after its config; the loaders above do not.
std::vector<config_error> apply_environment(config& c);

/// The embedded defaults (the shipped meshjobs.yml, compiled in).
config default_config();

/// "Mesh::CleanupJob" -> "mesh.cleanup", "Reports::UsageReportJob" -> "reports.usage_report".
std::string kind_from_class_name(std::string_view class_name);

}  // namespace meshjobs
