#include "link/link_credentials.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "link/keys_dir.hpp"
#include "link/openssl_handles.hpp"
#include "meshjobs/config/cluster_secret.hpp"

namespace meshjobs::link {
namespace {

namespace fs = std::filesystem;

/// A secret file is a line of text; past this it is the wrong file.
constexpr std::size_t max_secret_file_bytes = 4096;

std::string where(const named_file& f) { return f.origin + ": " + f.path.string(); }

[[noreturn]] void refuse(const named_file& f, const std::string& reason) {
  throw std::invalid_argument(where(f) + ": " + reason);
}

void require_file(const named_file& f) {
  std::error_code ec;
  if (!fs::is_regular_file(f.path, ec))
    refuse(f, fs::exists(f.path, ec) ? "not a regular file" : "does not exist");
}

/// Like ssh with its keys: a secret others can read is no secret.
void require_private(const named_file& f) {
  struct stat st {};
  if (stat(f.path.c_str(), &st) != 0)
    refuse(f, "cannot read its mode");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 0777));
    refuse(f, std::string{"readable by others (mode "} + mode + "); chmod 600 it");
  }
}

std::string read_secret_file(const named_file& f) {
  require_file(f);
  require_private(f);
  std::ifstream in{f.path, std::ios::binary};
  std::string text(max_secret_file_bytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad())
    refuse(f, "cannot read it");
  text.resize(static_cast<std::size_t>(in.gcount()));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  if (auto problem = cluster_secret_problem(text))
    refuse(f, "the secret in it " + *problem);
  return text;
}

}  // namespace

std::shared_ptr<SSL_CTX> load_tls_context(const credential_sources& s) {
  for (const auto* f : {&s.ca, &s.certificate, &s.key})
    require_file(*f);
  require_private(s.key);
  std::shared_ptr<SSL_CTX> ctx{SSL_CTX_new(TLS_method()), SSL_CTX_free};
  if (!ctx)
    throw std::invalid_argument("cannot make a TLS context: " + openssl_error_text());
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), s.certificate.path.c_str()) != 1)
    refuse(s.certificate, "not a PEM certificate: " + openssl_error_text());
  if (SSL_CTX_use_PrivateKey_file(ctx.get(), s.key.path.c_str(), SSL_FILETYPE_PEM) != 1)
    refuse(s.key, "not a PEM private key (or one with a passphrase): " + openssl_error_text());
  if (SSL_CTX_check_private_key(ctx.get()) != 1)
    refuse(s.key, "is not the key of " + where(s.certificate) + ": " + openssl_error_text());
  if (SSL_CTX_load_verify_locations(ctx.get(), s.ca.path.c_str(), nullptr) != 1)
    refuse(s.ca, "not a PEM CA certificate: " + openssl_error_text());
  // Both sides show a certificate of this CA, or the handshake fails.
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  // CAF's stream writes what it can and comes back with the rest, possibly from a moved buffer.
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // No resumption: every connection shows its certificate, and no ticket follows the handshake.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  return ctx;
}

fs::path default_keys_dir(const std::string& store_path) {
  const fs::path store{store_path};
  return (store.has_parent_path() ? store.parent_path() : fs::path{"."}) / "meshjobs-keys";
}

credential_sources sources_from(const config& cfg) {
  const auto& sec = cfg.security;
  credential_sources s;
  s.transport = sec.transport;
  s.handshake_timeout = std::chrono::milliseconds{sec.handshake_timeout_ms};
  s.keys_dir = sec.keys_dir.empty() ? default_keys_dir(cfg.store.path) : fs::path{sec.keys_dir};
  const auto files = files_in(s.keys_dir);
  const std::string generated = "security.keys_dir";
  if (sec.ca.empty()) {
    s.ca = {files.ca, generated};
    s.certificate = {files.certificate, generated};
    s.key = {files.key, generated};
  } else {
    s.generated_identity = false;
    s.ca = {sec.ca, "security.ca"};
    s.certificate = {sec.certificate, "security.certificate"};
    s.key = {sec.key, "security.key"};
  }
  s.secret_file = {files.secret, generated};
  if (const char* env = std::getenv(cluster_secret_variable); env != nullptr && *env != '\0') {
    if (auto problem = cluster_secret_problem(env))
      throw std::invalid_argument(std::string{cluster_secret_variable} + ": " + *problem);
    s.secret = env;
    s.secret_origin = cluster_secret_variable;
  } else if (!sec.secret.empty()) {
    s.secret = sec.secret;
    s.secret_origin = "security.secret";
  }
  return s;
}

bool uses_keys_dir(const credential_sources& s) {
  return (s.transport == link_transport::tls && s.generated_identity) || s.secret.empty();
}

link_credentials load_credentials(const credential_sources& s) {
  link_credentials out;
  out.transport = s.transport;
  out.handshake_timeout = s.handshake_timeout;
  out.secret = load_secret(s);
  if (s.transport == link_transport::tls)
    out.tls = load_tls_context(s);
  return out;
}

std::string load_secret(const credential_sources& s) {
  return s.secret.empty() ? read_secret_file(s.secret_file) : s.secret;
}

}  // namespace meshjobs::link
