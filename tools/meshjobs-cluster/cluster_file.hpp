// The cluster file: which nodes make the cluster, their roles, hosts, ports and credentials.
//
//   nodes:
//     - {name: head, role: head, host: 127.0.0.1, cluster_port: 4200, inject_port: 4100,
//        keys: keys, config: head.yml}
//     - {name: w1, role: worker, host: 127.0.0.1, run_kinds: "demo.*,mesh.generation"}
//     - {name: w2, role: worker, host: 10.0.0.7, keys: /etc/meshjobs/keys}
//
// Read as the node's config is: every problem is collected, each naming its key path and the
// reason. Paths of local nodes are taken relative to the file's directory.
#pragma once

#include <string>
#include <vector>

#include "meshjobs/config/loader.hpp"
#include "node_plan.hpp"

namespace meshjobs::cluster {

struct cluster_file_result {
  cluster_plan plan;                 ///< meaningful only when `errors` is empty
  std::vector<config_error> errors;  ///< all of them
  bool ok() const { return errors.empty(); }
};

cluster_file_result read_cluster_file(const std::string& path);

/// Gives the local nodes that name no credentials of their own (no `keys`, and a config naming
/// neither security.keys_dir nor certificates) the local head's `keys`, else `default_keys`:
/// a worker joins only a head of its own CA and secret. Call on a plan read without errors.
void share_local_credentials(cluster_plan& plan, const std::string& default_keys);

/// "cluster file: nodes[1].role: must be one of head, worker (got \"boss\")"
std::string describe(const config_error& error);

}  // namespace meshjobs::cluster
