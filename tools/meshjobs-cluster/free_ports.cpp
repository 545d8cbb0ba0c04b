#include "free_ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace meshjobs::cluster {
namespace {

constexpr int connect_wait_ms = 100;

class socket_fd {
 public:
  explicit socket_fd(int flags = 0) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0)) {
    if (fd_ < 0)
      throw std::system_error(errno, std::generic_category(), "socket");
  }
  ~socket_fd() { ::close(fd_); }
  socket_fd(socket_fd&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  socket_fd(const socket_fd&) = delete;
  socket_fd& operator=(const socket_fd&) = delete;
  socket_fd& operator=(socket_fd&&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  return addr;
}

}  // namespace

std::vector<std::uint16_t> free_loopback_ports(std::size_t count) {
  std::vector<socket_fd> held;
  std::vector<std::uint16_t> ports;
  for (std::size_t i = 0; i < count; ++i) {
    auto& s = held.emplace_back();
    auto addr = loopback(0);
    if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      throw std::system_error(errno, std::generic_category(), "bind 127.0.0.1:0");
    socklen_t size = sizeof addr;
    if (::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &size) != 0)
      throw std::system_error(errno, std::generic_category(), "getsockname");
    ports.push_back(ntohs(addr.sin_port));
  }
  return ports;
}

bool accepts_connections(std::uint16_t port) {
  // Non-blocking, so a listener whose backlog is full costs a bounded wait, not the kernel's
  // SYN retries.
  socket_fd s{SOCK_NONBLOCK};
  auto addr = loopback(port);
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
    return true;
  if (errno != EINPROGRESS)
    return false;
  pollfd pending{s.get(), POLLOUT, 0};
  if (::poll(&pending, 1, connect_wait_ms) != 1)
    return false;
  int error = 0;
  socklen_t size = sizeof error;
  return ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0;
}

}  // namespace meshjobs::cluster
