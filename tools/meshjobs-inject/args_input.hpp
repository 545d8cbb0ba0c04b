// A job's arguments as the user gives them: inline (`--args JSON`), from a file
// (`--args-file F`) or from stdin (`--args -`). A command line holds at most 128 KiB per
// argument, so larger arguments come from a file or a pipe.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include "time_input.hpp"

namespace meshjobs::inject {

/// The most a job's arguments may weigh: what a node keeps per job stays reasonable.
constexpr std::size_t max_args_bytes = 16 * 1024 * 1024;

/// Reads all of `path` ("-": stdin), at most `max_args_bytes`; `option` names the input in errors.
std::variant<std::string, input_error> read_args(const std::string& path, std::string_view option);

}  // namespace meshjobs::inject
