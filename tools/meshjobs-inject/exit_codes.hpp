// What meshjobs-inject's exit code tells a script.
#pragma once

namespace meshjobs::inject {

constexpr int exit_ok = 0;
constexpr int exit_refused = 1;      ///< the node answered no: refused, not found, finished
constexpr int exit_usage = 2;        ///< the command line is wrong; nothing was sent
constexpr int exit_unreachable = 3;  ///< no node answered: nothing listening, link lost, timeout

}  // namespace meshjobs::inject
