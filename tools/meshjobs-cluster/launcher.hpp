// Runs the local nodes of a cluster and keeps them running: the head first, the workers once
// the head accepts connections; a node that ends on its own is started again within its
// restart budget; SIGTERM, SIGINT or SIGHUP stop them all, workers first (so that they report
// what they finished to the head), then the head, each given a grace before SIGKILL.
#pragma once

#include <chrono>
#include <string>

#include "node_plan.hpp"

namespace meshjobs::cluster {

struct launch_options {
  std::string program;  ///< the meshjobs executable
  std::string run_dir;  ///< each local node runs in run_dir/NAME
  int max_restarts = 5; ///< per node, within a minute
  std::chrono::seconds grace{40};
};

/// Blocks until the cluster is stopped; returns the launcher's exit code: 0 when every node
/// stopped cleanly (exit 0 within its grace) and none was given up, 1 otherwise. Throws
/// std::system_error when the launcher cannot set itself up (signals, the run directory).
int run_local_nodes(const cluster_plan& plan, const launch_options& options);

}  // namespace meshjobs::cluster
