#include "free_ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

namespace meshjobs::cluster {
namespace {

/// How /proc/net/tcp writes the LISTEN state.
constexpr std::string_view tcp_listen_state = "0A";

class socket_fd {
 public:
  socket_fd() : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
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

bool listening_on(std::uint16_t port) {
  char wanted[8];
  std::snprintf(wanted, sizeof wanted, ":%04X", port);
  for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
    std::ifstream in{table};
    std::string line;
    std::getline(in, line);  // the header
    while (std::getline(in, line)) {
      // "  0: 0100007F:EDA7 00000000:0000 0A ...": slot, local address, remote address, state.
      std::istringstream fields{line};
      std::string slot, local, remote, state;
      fields >> slot >> local >> remote >> state;
      const bool port_matches = local.size() > 5 && local.compare(local.size() - 5, 5, wanted) == 0;
      if (port_matches && state == tcp_listen_state)
        return true;
    }
  }
  return false;
}

}  // namespace meshjobs::cluster
