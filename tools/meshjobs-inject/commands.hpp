// Runs one command against the node and prints its answer. Returns the exit code.
#pragma once

#include "command_line.hpp"
#include "front_connection.hpp"

namespace meshjobs::inject {

int run_command(const command& what, front_connection& node);

}  // namespace meshjobs::inject
