// A node's side of the link setup, from its config: where a published port may listen and
// with which credentials. check_* never write; node_link_credentials() makes the keys
// directory on first start.
#pragma once

#include <string>

#include "link/link_credentials.hpp"
#include "meshjobs/config/config.hpp"

namespace meshjobs::link {

/// Throws std::invalid_argument when `host` (the value of config key `key`) is not a
/// loopback address, the transport is plaintext and the node was not started --insecure.
void check_publishable(const config& cfg, const std::string& host, const std::string& key);

/// Loads and checks the credentials when they exist; missing generated ones are fine (the
/// start makes them). Throws std::invalid_argument naming the file and the reason.
void check_link_credentials(const config& cfg);

/// Makes the keys directory if it is needed and missing, then loads the credentials.
link_credentials node_link_credentials(const config& cfg);

}  // namespace meshjobs::link
