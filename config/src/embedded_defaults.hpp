// The shipped meshjobs.yml, compiled into the library so the daemon runs without any file.
#pragma once

#include <string_view>

namespace meshjobs::config_detail {

/// Defined in a .cpp that CMake generates from config/meshjobs.yml.
extern const std::string_view embedded_default_yaml;

}  // namespace meshjobs::config_detail
