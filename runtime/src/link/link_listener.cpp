#include "link/link_listener.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "link/link_handshake.hpp"
#include "link/socket_address.hpp"
#include "link/tls_scribe.hpp"

namespace meshjobs::link {
namespace {

/// How many socket numbers the rotation spans at most: a number comes back after that many
/// connections, long after CAF forgot the connection that had it.
constexpr int rotation_span = 65536;

}  // namespace

/// One peer being authenticated, on its own thread. `fd` is -1 once the thread has closed
/// the socket or handed it to BASP, so that stop() never touches a number reused since.
struct link_listener::handshake {
  int fd = -1;
  std::string peer;
  std::atomic<bool> done{false};
  std::thread thread;
};

link_listener::link_listener(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                             link_credentials credentials, std::string what)
    : sys_(sys),
      basp_(sys.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"))),
      host_(host),
      credentials_(std::move(credentials)),
      what_(std::move(what)) {
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

link_listener::~link_listener() { stop(); }

void link_listener::set_actor(caf::strong_actor_ptr actor, std::set<std::string> interface) {
  std::lock_guard<std::mutex> guard{actor_mutex_};
  actor_ = std::move(actor);
  interface_ = std::move(interface);
}

void link_listener::start() { thread_ = std::thread([this] { accept_loop(); }); }

void link_listener::stop() {
  if (listen_fd_ < 0)
    return;
  stopping_ = true;
  shutdown(listen_fd_, SHUT_RDWR);  // wakes accept()
  if (thread_.joinable())
    thread_.join();
  close(listen_fd_);
  listen_fd_ = -1;
  std::list<std::unique_ptr<handshake>> cut;
  {
    std::lock_guard<std::mutex> guard{handshakes_mutex_};
    for (auto& h : handshakes_)
      if (h->fd >= 0)
        shutdown(h->fd, SHUT_RDWR);  // wakes its poll(); the thread closes it
    cut.swap(handshakes_);
  }
  for (auto& h : cut)
    h->thread.join();
}

void link_listener::accept_loop() {
  while (!stopping_) {
    sockaddr_storage addr{};
    socklen_t len = sizeof addr;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd >= 0) {
      reap_handshakes();
      start_handshake(away_from_recent_numbers(fd), address_text(addr));
      continue;
    }
    if (stopping_ || errno == EINTR || errno == ECONNABORTED)
      continue;
    spdlog::error("{}: accept on {} failed: {}; trying again in 100 ms", what_, address_text(host_, port_),
                  std::strerror(errno));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // not a CAF thread
  }
}

int link_listener::away_from_recent_numbers(int fd) {
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

void link_listener::reap_handshakes() {
  std::list<std::unique_ptr<handshake>> ended;
  {
    std::lock_guard<std::mutex> guard{handshakes_mutex_};
    for (auto i = handshakes_.begin(); i != handshakes_.end();)
      if ((*i)->done)
        ended.splice(ended.end(), handshakes_, i++);
      else
        ++i;
  }
  for (auto& h : ended)
    h->thread.join();
}

void link_listener::start_handshake(int fd, std::string peer) {
  std::lock_guard<std::mutex> guard{handshakes_mutex_};
  if (handshakes_.size() >= max_authenticating) {
    close(fd);
    spdlog::warn("{}: refused {}: {} peers are authenticating already", what_, peer, max_authenticating);
    return;
  }
  auto h = std::make_unique<handshake>();
  h->fd = fd;
  h->peer = std::move(peer);
  auto* raw = h.get();
  handshakes_.push_back(std::move(h));
  raw->thread = std::thread([this, raw] { authenticate(*raw); });
}

void link_listener::authenticate(handshake& h) {
  const int fd = h.fd;
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ssl_ptr ssl;
  std::string refusal;
  try {
    if (credentials_.tls) {
      ssl.reset(SSL_new(credentials_.tls.get()));
      if (!ssl || SSL_set_fd(ssl.get(), fd) != 1)
        throw handshake_failure{"cannot start a TLS session: " + openssl_error_text()};
    }
    authenticate_as_server(fd, ssl.get(), credentials_.secret,
                           handshake_io::clock::now() + credentials_.handshake_timeout);
  } catch (const handshake_failure& e) {
    refusal = e.what();
  }
  {
    std::lock_guard<std::mutex> guard{handshakes_mutex_};
    h.fd = -1;  // from here on, this thread alone has the socket
  }
  if (refusal.empty() && !stopping_) {
    spdlog::debug("{}: {} authenticated", what_, h.peer);
    hand_over(fd, std::move(ssl));
  } else {
    ssl.reset();
    close(fd);
    if (!refusal.empty())
      spdlog::warn("{}: refused {}: {}", what_, h.peer, refusal);
  }
  h.done = true;
}

void link_listener::hand_over(int fd, ssl_ptr ssl) {
  caf::strong_actor_ptr actor;
  std::set<std::string> interface;
  {
    std::lock_guard<std::mutex> guard{actor_mutex_};
    actor = actor_;
    interface = interface_;
  }
  auto& mpx = static_cast<caf::io::network::default_multiplexer&>(sys_.middleman().backend());
  auto scribe = ssl ? make_tls_scribe(mpx, fd, std::move(ssl)) : mpx.new_scribe(fd);
  // The BASP broker's own way to take a connection made elsewhere: it answers with the
  // handshake of the actor published on `port_`, as for a connection its doorman accepted.
  caf::anon_send(basp_, caf::publish_atom::value, std::move(scribe), port_, std::move(actor), std::move(interface));
}

}  // namespace meshjobs::link
