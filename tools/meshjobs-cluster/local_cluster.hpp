// The cluster of `meshjobs-cluster --workers N`: a head named `head` on two free loopback
// ports and workers `worker1`..`workerN` joining it, all sharing one credentials directory.
#pragma once

#include <string>

#include "node_plan.hpp"

namespace meshjobs::cluster {

constexpr int max_local_workers = 64;

/// Throws std::system_error when no free port can be had.
cluster_plan local_cluster(int workers, const std::string& keys, const std::string& config);

}  // namespace meshjobs::cluster
