#include "node/front_listener.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/io/basp_broker.hpp>
#include <spdlog/spdlog.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace meshjobs {
namespace {

/// How many socket numbers the rotation spans at most: a number comes back after that many
/// connections, long after CAF forgot the connection that had it.
constexpr int rotation_span = 65536;

std::string address_text(const std::string& host, std::uint16_t port) {
  return host + ":" + std::to_string(port);
}

int listen_on(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const auto service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
    throw std::runtime_error("cannot resolve \"" + host + "\": " + gai_strerror(rc));
  std::string reason = "no address";
  int fd = -1;
  for (auto* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    int on = 1;
    if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) == 0 &&
        bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, SOMAXCONN) == 0)
      break;
    reason = std::strerror(errno);
    if (fd >= 0)
      close(fd);
    fd = -1;
  }
  freeaddrinfo(found);
  if (fd < 0)
    throw std::runtime_error(reason);
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

}  // namespace

front_listener::front_listener(caf::actor_system& sys, const std::string& host, std::uint16_t port)
    : sys_(sys), basp_(sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"))), host_(host) {
  try {
    listen_fd_ = listen_on(host, port);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error("cannot listen on " + address_text(host, port) + ": " + e.what());
  }
  port_ = bound_port(listen_fd_);
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  const auto limit = files.rlim_cur == RLIM_INFINITY || files.rlim_cur > (1u << 30)
                       ? 1 << 30 : static_cast<int>(files.rlim_cur);
  // The upper half of what the process may open, the lower half left to everything else.
  rotation_high_ = limit;
  rotation_low_ = std::max(limit / 2, limit - rotation_span);
  next_number_ = rotation_low_;
}

front_listener::~front_listener() { stop(); }

void front_listener::set_front(front_actor front) {
  std::lock_guard<std::mutex> guard{front_mutex_};
  front_ = std::move(front);
}

void front_listener::start() { thread_ = std::thread([this] { accept_loop(); }); }

void front_listener::stop() {
  if (listen_fd_ < 0)
    return;
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (thread_.joinable())
    thread_.join();
  close(listen_fd_);
  listen_fd_ = -1;
}

void front_listener::accept_loop() {
  while (!stopping_) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) {
      hand_over(away_from_recent_numbers(fd));
      continue;
    }
    if (stopping_ || errno == EINTR || errno == ECONNABORTED)
      continue;
    spdlog::error("front: accept on {} failed: {}; trying again in 100 ms", address_text(host_, port_),
                  std::strerror(errno));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // not a CAF thread
  }
}

int front_listener::away_from_recent_numbers(int fd) {
  if (rotation_low_ >= rotation_high_ || fd >= rotation_low_)
    return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, next_number_);
  if (moved < 0 || moved >= rotation_high_) {
    if (moved >= 0)
      close(moved);
    moved = fcntl(fd, F_DUPFD_CLOEXEC, rotation_low_);  // wrapped around
  }
  if (moved < 0)
    return fd;
  close(fd);
  next_number_ = moved + 1 < rotation_high_ ? moved + 1 : rotation_low_;
  return moved;
}

void front_listener::hand_over(int fd) {
  front_actor front;
  {
    std::lock_guard<std::mutex> guard{front_mutex_};
    front = front_;
  }
  auto scribe = sys_.middleman().backend().new_scribe(fd);
  // The BASP broker's own way to take a connection made elsewhere: it answers with the
  // handshake of the actor published on `port_`, as for a connection its doorman accepted.
  caf::anon_send(basp_, caf::publish_atom::value, std::move(scribe), port_,
                 caf::actor_cast<caf::strong_actor_ptr>(front), sys_.message_types(front));
}

}  // namespace meshjobs
