// What a peer does before CAF's BASP reads a byte from it: with TLS, a mutual handshake (both
// certificates must chain to the configured CA), then, always, a proof that both sides hold
// the cluster secret without sending it:
//
//   server -> client   "MJL1" server_nonce[32]
//   client -> server   "MJL1" client_nonce[32] HMAC-SHA256(secret, "client" | nonces | binding)
//   server -> client   'Y' HMAC-SHA256(secret, "server" | nonces | binding)   or 'N' and close
//
// `binding` is 32 bytes exported from the TLS session (empty in plaintext), so a proof made
// for one TLS session is worthless in another. Every read has a fixed size: nothing a peer
// says before it is authenticated can make this side allocate.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <string>

#include "link/handshake_io.hpp"

namespace meshjobs::link {

/// A wrong secret: the peer is refused (server side) or refused us (client side).
struct wrong_secret : handshake_failure {
  using handshake_failure::handshake_failure;
};

/// `fd` is a freshly accepted non-blocking socket, `ssl` (null in plaintext) bound to it.
void authenticate_as_server(int fd, SSL* ssl, const std::string& secret, handshake_io::clock::time_point deadline);

/// `fd` is a freshly connected non-blocking socket, `ssl` (null in plaintext) bound to it.
void authenticate_as_client(int fd, SSL* ssl, const std::string& secret, handshake_io::clock::time_point deadline);

}  // namespace meshjobs::link
