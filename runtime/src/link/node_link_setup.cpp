#include "link/node_link_setup.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>
#include <system_error>

#include "link/keys_dir.hpp"
#include "link/socket_address.hpp"

namespace meshjobs::link {

void check_publishable(const config& cfg, const std::string& host, const std::string& key) {
  if (cfg.security.transport != link_transport::plaintext || cfg.security.insecure || is_loopback_host(host))
    return;
  throw std::invalid_argument(
    "config: " + key + ": \"" + host + "\" is not a loopback address, and security.transport is plaintext: "
    "anyone who can reach it could send the node unauthenticated traffic in the clear. Use "
    "security.transport: tls, listen on 127.0.0.1, or start the node with --insecure");
}

void check_link_credentials(const config& cfg) {
  const auto sources = sources_from(cfg);
  std::error_code ec;
  const bool made = std::filesystem::exists(sources.keys_dir, ec);  // if not, the start makes it
  if (sources.transport == link_transport::tls && (made || !sources.generated_identity))
    load_tls_context(sources);
  if (made || !sources.secret.empty())
    load_secret(sources);
}

link_credentials node_link_credentials(const config& cfg) {
  const auto sources = sources_from(cfg);
  if (uses_keys_dir(sources)) {
    try {
      if (make_keys_dir_if_missing(sources.keys_dir, cfg.node.name))
        spdlog::info("security: made a CA, a certificate and a cluster secret for this node in {}",
                     sources.keys_dir.string());
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument("security.keys_dir: " + std::string{e.what()});
    }
  }
  return load_credentials(sources);
}

}  // namespace meshjobs::link
