// `meshjobs --demo`: a workload that shows the runtime at work (weighted queues, retries,
// timeouts, the dead set, scheduled jobs), run to its end on the node's own config.
#pragma once

#include "meshjobs/runtime.hpp"

namespace meshjobs::tools {

/// Enqueues the demo workload, waits for it, prints the figures, stops. Returns the exit code.
int run_demo(runtime& rt);

}  // namespace meshjobs::tools
