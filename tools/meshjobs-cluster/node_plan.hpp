// One node of a cluster as the launcher plans it: who it is, where it runs, what it listens on,
// and the `meshjobs` command line that makes it so.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meshjobs::cluster {

enum class node_role { head, worker };

const char* to_string(node_role role);

struct node_plan {
  std::string name;
  node_role role = node_role::worker;
  std::string host = "127.0.0.1";
  std::uint16_t cluster_port = 0;  ///< head only: where workers join
  std::uint16_t inject_port = 0;   ///< head only: where meshjobs-inject and clients talk
  std::string keys;                ///< --keys DIR; empty: the node's own default
  std::string config;              ///< --config FILE; empty: the embedded defaults
  std::string run_kinds;           ///< --run-kinds LIST; empty: the node's default for its role
};

struct cluster_plan {
  std::vector<node_plan> nodes;  ///< at most one head
  const node_plan* head() const;
};

/// 127.0.0.1, localhost and ::1: a node the launcher starts itself.
bool is_local_host(const std::string& host);

/// "HOST:PORT", bracketing an IPv6 host.
std::string address(const std::string& host, std::uint16_t port);

/// The arguments after the program name: `--role head --name N --cluster-port P ...` for a
/// head, `--role worker --name N --join HOST:P ...` for a worker joining `head`.
std::vector<std::string> node_arguments(const node_plan& node, const node_plan* head);

/// `program` and `args` as one line a POSIX shell reads back as the same words.
std::string shell_command(const std::string& program, const std::vector<std::string>& args);

}  // namespace meshjobs::cluster
