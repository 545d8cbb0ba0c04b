// What a link needs to authenticate a peer, and where each piece comes from. The node and
// meshjobs-inject resolve them the same way (the config's `security` section, the
// MESHJOBS_CLUSTER_SECRET variable, the generated keys directory), so a client on the node's
// machine finds what the node made without being told.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "meshjobs/config/config.hpp"

namespace meshjobs::link {

/// A file and who named it ("security.ca", "--cert"...), so that an error names both.
struct named_file {
  std::filesystem::path path;
  std::string origin;
};

struct credential_sources {
  link_transport transport = link_transport::tls;
  std::filesystem::path keys_dir;  ///< the generated credentials' directory
  named_file ca, certificate, key;
  bool generated_identity = true;  ///< ca, certificate and key are the keys_dir's
  std::string secret;              ///< given inline; empty: read from secret_file
  std::string secret_origin;       ///< "MESHJOBS_CLUSTER_SECRET", "security.secret"
  named_file secret_file;
  std::chrono::milliseconds handshake_timeout{5000};
};

struct link_credentials {
  link_transport transport = link_transport::tls;
  std::shared_ptr<SSL_CTX> tls;  ///< null in plaintext
  std::string secret;
  std::chrono::milliseconds handshake_timeout{5000};
};

/// `meshjobs-keys` in the directory of the store's file.
std::filesystem::path default_keys_dir(const std::string& store_path);

/// The sources a node's config names, MESHJOBS_CLUSTER_SECRET included. Throws
/// std::invalid_argument when that variable holds no valid secret.
credential_sources sources_from(const config& cfg);

/// True when some piece is to come from `keys_dir` (and so it must be made if missing).
bool uses_keys_dir(const credential_sources& s);

/// Reads and checks every file: certificates and key load and match, the key and the secret
/// file are readable by their owner only. Throws std::invalid_argument naming the file, its
/// origin and the reason.
link_credentials load_credentials(const credential_sources& s);
/// The pieces of load_credentials(), for checks of what exists so far.
std::shared_ptr<SSL_CTX> load_tls_context(const credential_sources& s);
std::string load_secret(const credential_sources& s);

}  // namespace meshjobs::link
