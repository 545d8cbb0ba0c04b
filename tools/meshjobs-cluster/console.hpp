// Everything the launcher prints goes to its stdout as whole lines, one write each, so its
// own notices and the lines of several nodes never cut into one another.
#pragma once

#include <string>
#include <string_view>

namespace meshjobs::cluster {

/// Writes `line` and a newline to stdout; a closed stdout is not the cluster's problem.
void print_line(std::string_view line);

/// A notice of the launcher's own: "meshjobs-cluster: <text>".
void notice(std::string_view text);

}  // namespace meshjobs::cluster
