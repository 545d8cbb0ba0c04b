#include "link/handshake_io.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "link/openssl_handles.hpp"
#include "link/sigpipe_guard.hpp"

namespace meshjobs::link {

void handshake_io::wait_for(short events, const char* what) {
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - clock::now());
    if (left.count() <= 0)
      throw handshake_deadline_passed{std::string{"no "} + what + " before the handshake's deadline"};
    pollfd p{fd_, events, 0};
    const int n = poll(&p, 1, static_cast<int>(left.count()) + 1);
    if (n > 0)
      return;  // ready, or an error the next call reports
    if (n < 0 && errno != EINTR)
      throw handshake_failure{std::string{"poll failed: "} + std::strerror(errno)};
  }
}

template <class Call>
int handshake_io::drive(Call call, const char* what) {
  sigpipe_guard no_sigpipe;
  while (true) {
    ERR_clear_error();
    const int rc = call();
    if (rc > 0)
      return rc;
    const int err = SSL_get_error(ssl_, rc);
    if (err == SSL_ERROR_WANT_READ) {
      wait_for(POLLIN, what);
      continue;
    }
    if (err == SSL_ERROR_WANT_WRITE) {
      wait_for(POLLOUT, what);
      continue;
    }
    if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
      throw handshake_failure{std::string{"the connection closed during the "} + what};
    std::string reason = openssl_error_text();
    const long verified = SSL_get_verify_result(ssl_);
    if (verified != X509_V_OK)
      reason += " (certificate: " + std::string{X509_verify_cert_error_string(verified)} + ")";
    throw handshake_failure{std::string{what} + " failed: " + reason};
  }
}

void handshake_io::tls_accept() {
  drive([this] { return SSL_accept(ssl_); }, "TLS handshake");
}

void handshake_io::tls_connect() {
  drive([this] { return SSL_connect(ssl_); }, "TLS handshake");
}

void handshake_io::write_all(const void* data, std::size_t size, const char* what) {
  const auto* bytes = static_cast<const char*>(data);
  std::size_t done = 0;
  while (done < size) {
    if (ssl_ != nullptr) {
      done += static_cast<std::size_t>(
        drive([&] { return SSL_write(ssl_, bytes + done, static_cast<int>(size - done)); }, what));
      continue;
    }
    const auto n = send(fd_, bytes + done, size - done, MSG_NOSIGNAL);
    if (n > 0)
      done += static_cast<std::size_t>(n);
    else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      wait_for(POLLOUT, what);
    else if (n < 0 && errno != EINTR)
      throw handshake_failure{std::string{"cannot send the "} + what + ": " + std::strerror(errno)};
  }
}

void handshake_io::read_exact(void* data, std::size_t size, const char* what) {
  auto* bytes = static_cast<char*>(data);
  std::size_t done = 0;
  while (done < size) {
    if (ssl_ != nullptr) {
      done += static_cast<std::size_t>(
        drive([&] { return SSL_read(ssl_, bytes + done, static_cast<int>(size - done)); }, what));
      continue;
    }
    const auto n = recv(fd_, bytes + done, size - done, 0);
    if (n > 0)
      done += static_cast<std::size_t>(n);
    else if (n == 0)
      throw handshake_failure{std::string{"the connection closed before the "} + what};
    else if (errno == EAGAIN || errno == EWOULDBLOCK)
      wait_for(POLLIN, what);
    else if (errno != EINTR)
      throw handshake_failure{std::string{"cannot read the "} + what + ": " + std::strerror(errno)};
  }
}

}  // namespace meshjobs::link
