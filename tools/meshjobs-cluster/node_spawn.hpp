// Starts one node process: in its own directory and its own process group (so a Ctrl-C on the
// terminal reaches only the launcher, which then stops the nodes in order), its stdout and
// stderr into one pipe the launcher reads, SIGTERM and SIGINT blocked until it waits for them
// (as meshjobs does), and SIGTERM to it should the launcher die.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace meshjobs::cluster {

struct spawned_node {
  pid_t pid = -1;
  int output_fd = -1;  ///< the pipe's read end, non-blocking; the caller closes it
};

/// Throws std::system_error naming the call that failed (pipe, fork). A program that cannot
/// be executed shows up as the node's last output line and its exit 127.
spawned_node spawn_node(const std::string& program, const std::vector<std::string>& args,
                        const std::string& workdir);

/// "exit 0", "killed by signal 9 (Killed)": a status from waitpid.
std::string describe_wait_status(int status);

/// True when `status` (from waitpid) is an exit with code `code`.
bool exited_with(int status, int code);

}  // namespace meshjobs::cluster
