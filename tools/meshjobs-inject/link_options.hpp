// How meshjobs-inject proves itself to a node: the node's own credentials when it runs on the
// same machine (its config, or its keys directory), or files given one by one.
#pragma once

#include <string>
#include <variant>

#include "link/link_credentials.hpp"

namespace meshjobs::inject {

struct link_options {
  std::string config_path;  ///< --config: the node's config names its credentials
  std::string keys_dir;     ///< --keys: a node's keys directory (default ./meshjobs-keys)
  std::string ca, cert, key;
  std::string secret_file;
  bool plaintext = false;   ///< --plaintext: the node's security.transport is plaintext
};

/// What went wrong, naming the option or file: a usage error (exit 2), nothing sent.
struct credentials_error {
  std::string message;
};

/// Resolves like the node does; MESHJOBS_CLUSTER_SECRET wins over files unless --secret-file.
std::variant<link::link_credentials, credentials_error> load_link_credentials(const link_options& o);

}  // namespace meshjobs::inject
