// A published port that lets a peer reach CAF's BASP only once it is authenticated: accepted
// on this class's own thread, authenticated on a thread per connection (TLS and the cluster
// secret, link_handshake.hpp) under a deadline, then handed to the BASP broker as a
// connection to the actor published here.
//
// Why not CAF's doorman: CAF 0.17's BASP trusts the payload length in a header, so a peer
// that reaches it unauthenticated can make the node allocate gigabytes; and CAF 0.17.6's BASP
// broker names a connection by its socket's number, forgetting a closed one only a few
// messages later, so a client that connects in between and is given the same number is taken
// for the one that left (about 1 request in 300 with a few clients at once). Each accepted
// socket here moves to a number not used for a long while, which keeps the two apart.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "link/link_credentials.hpp"
#include "link/openssl_handles.hpp"

namespace meshjobs::link {

class link_listener {
 public:
  /// At most this many peers authenticate at once; the next ones are closed at once.
  static constexpr std::size_t max_authenticating = 64;

  /// Binds and listens (port 0: any free port). `what` names the port in logs ("inject
  /// port"). Throws std::runtime_error naming the address.
  link_listener(caf::actor_system& sys, const std::string& host, std::uint16_t port, link_credentials credentials,
                std::string what);
  ~link_listener();  ///< stops accepting
  link_listener(const link_listener&) = delete;
  link_listener& operator=(const link_listener&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }
  const std::string& what() const { return what_; }

  /// Connections authenticated from now on are given `actor`, with its interface.
  void set_actor(caf::strong_actor_ptr actor, std::set<std::string> interface);
  /// Starts accepting; call once, after set_actor().
  void start();
  /// Stops accepting, cuts the handshakes in progress and joins every thread; connections
  /// already handed to BASP stay. Idempotent.
  void stop();

 private:
  struct handshake;

  void accept_loop();
  /// Moves `fd` to the next number of the rotation; keeps it where it is if none is free.
  int away_from_recent_numbers(int fd);
  void start_handshake(int fd, std::string peer);
  void authenticate(handshake& h);
  /// Joins the handshake threads that have ended.
  void reap_handshakes();
  void hand_over(int fd, ssl_ptr ssl);

  caf::actor_system& sys_;
  caf::actor basp_;  // the middleman's BASP broker
  std::string host_;
  std::uint16_t port_ = 0;
  link_credentials credentials_;
  std::string what_;
  int listen_fd_ = -1;
  int rotation_low_ = 0;
  int rotation_high_ = 0;
  int next_number_ = 0;
  std::mutex actor_mutex_;
  caf::strong_actor_ptr actor_;
  std::set<std::string> interface_;
  std::mutex handshakes_mutex_;
  std::list<std::unique_ptr<handshake>> handshakes_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace meshjobs::link
