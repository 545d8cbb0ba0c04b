#include "link/keys_dir.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "link/openssl_handles.hpp"

namespace meshjobs::link {
namespace {

namespace fs = std::filesystem;

constexpr long ten_years_s = 10L * 366 * 24 * 3600;
constexpr int secret_bytes = 32;

[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + openssl_error_text());
}

pkey_ptr new_key() {
  pkey_ptr key{EVP_EC_gen("P-256")};
  if (!key)
    fail("cannot make an EC key");
  return key;
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr || X509_add_ext(cert, ext, -1) != 1)
    fail(std::string{"cannot add the certificate extension "} + OBJ_nid2sn(nid) + "=" + value);
  X509_EXTENSION_free(ext);
}

/// A certificate for `subject_key` named `common_name`, valid from an hour ago for ten years;
/// its issuer is itself when `issuer` is null. Extensions are added by the caller, then signed.
x509_ptr new_certificate(EVP_PKEY* subject_key, const std::string& common_name, X509* issuer) {
  x509_ptr cert{X509_new()};
  if (!cert || X509_set_version(cert.get(), 2) != 1)
    fail("cannot make a certificate");
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial{BN_new(), BN_free};
  if (!serial || BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr)
    fail("cannot draw a serial number");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), ten_years_s);
  X509_NAME* name = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("meshjobs"), -1,
                                 -1, 0) != 1)
    fail("cannot name the certificate \"" + common_name + "\"");
  if (X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name) != 1 ||
      X509_set_pubkey(cert.get(), subject_key) != 1)
    fail("cannot fill in the certificate");
  return cert;
}

void sign(X509* cert, EVP_PKEY* issuer_key) {
  if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0)
    fail("cannot sign the certificate");
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0)
    return {};
  return name;
}

std::string pem_of(X509* cert) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1)
    fail("cannot write a certificate as PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string pem_of(EVP_PKEY* key) {
  bio_ptr bio{BIO_new(BIO_s_mem())};
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot write a private key as PEM");
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return {data, static_cast<std::size_t>(size)};
}

std::string new_secret() {
  unsigned char bytes[secret_bytes];
  if (RAND_bytes(bytes, sizeof bytes) != 1)
    fail("cannot draw a cluster secret");
  static const char hex[] = "0123456789abcdef";
  std::string text;
  for (auto b : bytes) {
    text += hex[b >> 4];
    text += hex[b & 0xf];
  }
  return text + "\n";
}

/// Writes a new file with `mode` from the start (never readable by others, not even briefly).
void write_new_file(const fs::path& path, const std::string& text, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < text.size()) {
    auto n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      auto reason = std::strerror(errno);
      close(fd);
      throw std::runtime_error("cannot write " + path.string() + ": " + reason);
    }
    done += static_cast<std::size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0)
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

void write_credentials(const fs::path& dir, const std::string& node_name) {
  auto ca_key = new_key();
  auto ca = new_certificate(ca_key.get(), "meshjobs CA of " + node_name, nullptr);
  add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_extension(ca.get(), ca.get(), NID_subject_key_identifier, "hash");
  sign(ca.get(), ca_key.get());

  auto node_key = new_key();
  auto node = new_certificate(node_key.get(), node_name, ca.get());
  add_extension(node.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(node.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(node.get(), ca.get(), NID_ext_key_usage, "serverAuth,clientAuth");
  std::string names = "DNS:localhost,IP:127.0.0.1,IP:::1";
  if (auto host = host_name(); !host.empty() && host.find(',') == std::string::npos)
    names += ",DNS:" + host;
  add_extension(node.get(), ca.get(), NID_subject_alt_name, names.c_str());
  add_extension(node.get(), ca.get(), NID_authority_key_identifier, "keyid:always");
  sign(node.get(), ca_key.get());

  const auto files = files_in(dir);
  write_new_file(files.ca, pem_of(ca.get()), 0644);
  write_new_file(files.certificate, pem_of(node.get()), 0644);
  write_new_file(files.key, pem_of(node_key.get()), 0600);
  write_new_file(files.secret, new_secret(), 0600);
}

}  // namespace

keys_dir_files files_in(const fs::path& dir) {
  return {dir / "ca.pem", dir / "node.pem", dir / "node.key", dir / "cluster.secret"};
}

bool make_keys_dir_if_missing(const fs::path& dir, const std::string& node_name) {
  std::error_code ec;
  if (fs::exists(dir, ec))
    return false;
  const auto parent = dir.has_parent_path() ? dir.parent_path() : fs::path{"."};
  fs::create_directories(parent, ec);
  std::string pattern = (parent / ("." + dir.filename().string() + ".new-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr)  // mode 0700
    throw std::runtime_error("cannot make a directory in " + parent.string() + ": " + std::strerror(errno));
  const fs::path fresh{pattern};
  try {
    write_credentials(fresh, node_name);
  } catch (...) {
    fs::remove_all(fresh, ec);
    throw;
  }
  if (rename(fresh.c_str(), dir.c_str()) != 0) {
    const int err = errno;
    fs::remove_all(fresh, ec);
    if (err == EEXIST || err == ENOTEMPTY)
      return false;  // another node made it first: theirs it is
    throw std::runtime_error("cannot rename " + fresh.string() + " to " + dir.string() + ": " +
                             std::strerror(err));
  }
  return true;
}

}  // namespace meshjobs::link
