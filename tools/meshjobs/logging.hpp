// Log setup for the node: human lines by default, JSON lines with --log-format json.
#pragma once

#include <string>

namespace meshjobs::tools {

/// Throws std::invalid_argument for an unknown format or level.
void setup_logging(const std::string& format, const std::string& level);

}  // namespace meshjobs::tools
