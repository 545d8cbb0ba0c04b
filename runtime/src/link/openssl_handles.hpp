// Owning handles for the OpenSSL objects the link module holds, and OpenSSL's error queue as
// text, so that every failure names what OpenSSL said.
#pragma once

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace meshjobs::link {

struct openssl_free {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
  void operator()(SSL* p) const { SSL_free(p); }
  void operator()(BIO* p) const { BIO_free(p); }
};

using pkey_ptr = std::unique_ptr<EVP_PKEY, openssl_free>;
using x509_ptr = std::unique_ptr<X509, openssl_free>;
using ssl_ptr = std::unique_ptr<SSL, openssl_free>;
using bio_ptr = std::unique_ptr<BIO, openssl_free>;

/// Empties OpenSSL's error queue of this thread into one line ("unknown" when it is empty).
inline std::string openssl_error_text() {
  std::string text;
  while (auto code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += (text.empty() ? "" : "; ") + std::string{buffer};
  }
  return text.empty() ? "unknown" : text;
}

}  // namespace meshjobs::link
