// Blocking reads and writes with one deadline for a whole handshake, over a plain socket or a
// TLS session on it. Used on the link's own threads (never CAF's): a peer that stalls, drips
// bytes or says nothing is cut off at the deadline, whatever it does.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace meshjobs::link {

/// The handshake failed; the message says why, in terms of the peer.
struct handshake_failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The deadline passed first.
struct handshake_deadline_passed : handshake_failure {
  using handshake_failure::handshake_failure;
};

class handshake_io {
 public:
  using clock = std::chrono::steady_clock;

  /// `fd` must be non-blocking. `ssl` (may be null: plaintext) is already bound to `fd`.
  handshake_io(int fd, SSL* ssl, clock::time_point deadline) : fd_(fd), ssl_(ssl), deadline_(deadline) {}

  /// The TLS handshake as server or client; verifies the peer's certificate.
  void tls_accept();
  void tls_connect();
  void write_all(const void* data, std::size_t size, const char* what);
  void read_exact(void* data, std::size_t size, const char* what);

 private:
  /// Waits until `events` (POLLIN / POLLOUT) on the socket, or throws at the deadline.
  void wait_for(short events, const char* what);
  /// Runs an SSL call until it succeeds, waiting on the socket when it asks to.
  template <class Call>
  int drive(Call call, const char* what);

  int fd_;
  SSL* ssl_;
  clock::time_point deadline_;
};

}  // namespace meshjobs::link
