#include "hostile_peer.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>

#include "link/link_credentials.hpp"
#include "link/link_handshake.hpp"
#include "link/openssl_handles.hpp"
#include "link/socket_address.hpp"

namespace meshjobs::testing {
namespace {

constexpr auto connect_limit = std::chrono::seconds(10);

}  // namespace

/// A non-blocking socket, and a TLS session on it when authenticated.
struct raw_connection::session {
  int fd = -1;
  link::ssl_ptr ssl;

  /// Bytes moved (> 0), 0 to wait for `events`, or -1: the connection is over.
  long transfer(char* data, std::size_t size, bool sending, short& events) {
    if (!ssl) {
      const auto n = sending ? send(fd, data, size, MSG_NOSIGNAL) : recv(fd, data, size, 0);
      events = sending ? POLLOUT : POLLIN;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return 0;
      return n > 0 ? n : -1;
    }
    const int n = sending ? SSL_write(ssl.get(), data, static_cast<int>(size))
                          : SSL_read(ssl.get(), data, static_cast<int>(size));
    if (n > 0)
      return n;
    const int err = SSL_get_error(ssl.get(), n);
    events = err == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN;
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE ? 0 : -1;
  }
};

raw_connection::raw_connection(std::uint16_t port) : session_(std::make_unique<session>()) {
  session_->fd = link::connect_to("127.0.0.1", port, std::chrono::steady_clock::now() + connect_limit);
}

raw_connection::raw_connection(std::uint16_t port, const std::string& keys_dir) : raw_connection(port) {
  config node_config;
  node_config.security.keys_dir = keys_dir;
  const auto credentials = link::load_credentials(link::sources_from(node_config));
  session_->ssl.reset(SSL_new(credentials.tls.get()));
  SSL_set_fd(session_->ssl.get(), session_->fd);
  link::authenticate_as_client(session_->fd, session_->ssl.get(), credentials.secret,
                               std::chrono::steady_clock::now() + connect_limit);
}

raw_connection::~raw_connection() {
  session_->ssl.reset();
  close(session_->fd);
}

bool raw_connection::send_bytes(const std::string& bytes) {
  std::string left = bytes;
  while (!left.empty()) {
    short events = 0;
    const auto n = session_->transfer(left.data(), left.size(), true, events);
    if (n < 0)
      return false;
    left.erase(0, static_cast<std::size_t>(n));
    if (n == 0) {
      pollfd p{session_->fd, events, 0};
      poll(&p, 1, 100);
    }
  }
  return true;
}

bool raw_connection::closed_by_peer_within(int limit_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(limit_ms);
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    short events = 0;
    const auto n = session_->transfer(buffer, sizeof buffer, false, events);
    if (n < 0)
      return true;
    if (n == 0) {
      pollfd p{session_->fd, events, 0};
      poll(&p, 1, 100);
    }
  }
  return false;
}

std::string basp_header_claiming(std::uint32_t length) {
  std::string header(32, '\0');
  header[0] = 1;  // client_handshake
  // payload_len at offset 4, in network order
  header[4] = static_cast<char>(length >> 24);
  header[5] = static_cast<char>(length >> 16);
  header[6] = static_cast<char>(length >> 8);
  header[7] = static_cast<char>(length);
  return header;
}

std::size_t resident_bytes(int pid) {
  std::ifstream status{"/proc/" + std::to_string(pid) + "/status"};
  std::string word;
  while (status >> word)
    if (word == "VmRSS:") {
      std::size_t kib = 0;
      status >> kib;
      return kib * 1024;
    }
  return 0;
}

}  // namespace meshjobs::testing
