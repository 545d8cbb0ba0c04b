#include "local_cluster.hpp"

#include "free_ports.hpp"

namespace meshjobs::cluster {

cluster_plan local_cluster(int workers, const std::string& keys, const std::string& config) {
  const auto ports = free_loopback_ports(2);
  cluster_plan plan;
  plan.nodes.push_back({"head", node_role::head, "127.0.0.1", ports[0], ports[1], keys, config, {}});
  for (int i = 1; i <= workers; ++i)
    plan.nodes.push_back({"worker" + std::to_string(i), node_role::worker, "127.0.0.1", 0, 0, keys, config, {}});
  return plan;
}

}  // namespace meshjobs::cluster
