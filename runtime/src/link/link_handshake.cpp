#include "link/link_handshake.hpp"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstring>

#include "link/openssl_handles.hpp"

namespace meshjobs::link {
namespace {

constexpr std::array<unsigned char, 4> magic{'M', 'J', 'L', '1'};
constexpr std::size_t nonce_size = 32;
constexpr std::size_t mac_size = 32;
constexpr unsigned char accepted = 'Y';
constexpr unsigned char refused = 'N';
constexpr const char* export_label = "EXPORTER-meshjobs-link";

using nonce = std::array<unsigned char, nonce_size>;
using mac = std::array<unsigned char, mac_size>;

struct greeting {
  std::array<unsigned char, 4> magic;
  nonce server_nonce;
};

struct answer {
  std::array<unsigned char, 4> magic;
  nonce client_nonce;
  mac client_mac;
};

struct verdict {
  unsigned char word;
  mac server_mac;
};

nonce new_nonce() {
  nonce n;
  if (RAND_bytes(n.data(), static_cast<int>(n.size())) != 1)
    throw handshake_failure{"cannot draw a nonce: " + openssl_error_text()};
  return n;
}

/// Ties the proofs to this TLS session; nothing to tie to in plaintext.
std::string session_binding(SSL* ssl) {
  if (ssl == nullptr)
    return {};
  std::string out(32, '\0');
  if (SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(out.data()), out.size(), export_label,
                                 std::strlen(export_label), nullptr, 0, 0) != 1)
    throw handshake_failure{"cannot export keying material: " + openssl_error_text()};
  return out;
}

mac proof(const std::string& secret, const char* role, const nonce& server, const nonce& client,
          const std::string& binding) {
  std::string input = role;
  input.append(reinterpret_cast<const char*>(server.data()), server.size());
  input.append(reinterpret_cast<const char*>(client.data()), client.size());
  input += binding;
  mac out{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out.data(), &length);
  return out;
}

bool same(const mac& a, const mac& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

}  // namespace

void authenticate_as_server(int fd, SSL* ssl, const std::string& secret, handshake_io::clock::time_point deadline) {
  handshake_io io{fd, ssl, deadline};
  if (ssl != nullptr)
    io.tls_accept();
  const std::string binding = session_binding(ssl);
  const greeting hello{magic, new_nonce()};
  io.write_all(&hello, sizeof hello, "greeting");
  answer reply{};
  io.read_exact(&reply, sizeof reply, "answer to the greeting");
  if (reply.magic != magic)
    throw handshake_failure{"not a meshjobs peer: its answer does not start with \"MJL1\""};
  if (!same(reply.client_mac, proof(secret, "client", hello.server_nonce, reply.client_nonce, binding))) {
    const verdict no{refused, {}};
    try {
      io.write_all(&no, sizeof no, "refusal");
    } catch (const handshake_failure&) {
      // The peer is refused either way; it may already have gone.
    }
    throw wrong_secret{"wrong cluster secret"};
  }
  const verdict yes{accepted, proof(secret, "server", hello.server_nonce, reply.client_nonce, binding)};
  io.write_all(&yes, sizeof yes, "verdict");
}

void authenticate_as_client(int fd, SSL* ssl, const std::string& secret, handshake_io::clock::time_point deadline) {
  handshake_io io{fd, ssl, deadline};
  if (ssl != nullptr)
    io.tls_connect();
  const std::string binding = session_binding(ssl);
  greeting hello{};
  io.read_exact(&hello, sizeof hello, "node's greeting");
  if (hello.magic != magic)
    throw handshake_failure{"not a meshjobs node: its greeting does not start with \"MJL1\""};
  const answer reply{magic, new_nonce(), {}};
  answer signed_reply = reply;
  signed_reply.client_mac = proof(secret, "client", hello.server_nonce, reply.client_nonce, binding);
  io.write_all(&signed_reply, sizeof signed_reply, "answer to the greeting");
  verdict said{};
  io.read_exact(&said.word, 1, "node's verdict");
  if (said.word != accepted)
    throw wrong_secret{"the node refused our cluster secret (a different secret than the node's)"};
  io.read_exact(said.server_mac.data(), said.server_mac.size(), "node's proof");
  if (!same(said.server_mac, proof(secret, "server", hello.server_nonce, reply.client_nonce, binding)))
    throw wrong_secret{"the node's proof of the cluster secret is wrong: it does not hold our secret"};
}

}  // namespace meshjobs::link
