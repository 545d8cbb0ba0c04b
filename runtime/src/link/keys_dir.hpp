// The node's own credentials, kept beside its store as an Erlang node keeps its cookie: a CA
// certificate, a certificate for the node signed by that CA, the node's private key and the
// cluster secret. Made on first start with OpenSSL's C API; the CA's private key is thrown
// away once it signed, so nobody can issue another certificate from this directory.
#pragma once

#include <filesystem>
#include <string>

namespace meshjobs::link {

struct keys_dir_files {
  std::filesystem::path ca;           ///< ca.pem (0644)
  std::filesystem::path certificate;  ///< node.pem (0644)
  std::filesystem::path key;          ///< node.key (0600)
  std::filesystem::path secret;       ///< cluster.secret (0600)
};

keys_dir_files files_in(const std::filesystem::path& dir);

/// Makes `dir` (0700) with all four files unless it exists. All or nothing: the files are
/// written in a fresh directory that is then renamed to `dir`, so two nodes starting at once
/// in the same place end up with one set. True if this call made it. Throws
/// std::runtime_error naming the path and the reason.
bool make_keys_dir_if_missing(const std::filesystem::path& dir, const std::string& node_name);

}  // namespace meshjobs::link
