// What meshjobs-cluster's exit code tells a script.
#pragma once

namespace meshjobs::cluster {

constexpr int exit_ok = 0;      ///< every node stopped cleanly (or --check found no problem)
constexpr int exit_failed = 1;  ///< a node did not stop cleanly, was given up, or could not start
constexpr int exit_usage = 2;   ///< bad arguments or a bad cluster file; nothing was started

}  // namespace meshjobs::cluster
