// The inject port's listening socket, accepted on this class's own thread rather than by
// CAF's doorman, each connection then handed to CAF's BASP broker as published there.
//
// Why: CAF 0.17.6's BASP broker names a connection by its socket's number, and forgets a
// closed connection only a few messages later (connection_closed_msg queues a delete_atom
// behind the BASP workers). A client that connects in between is given the same socket
// number, is taken for the client that left, and its requests are carried out while their
// replies go to the departed node: about 1 request in 300 with a few clients at once. Each
// accepted socket here moves to a number not used for a long while, which keeps the two apart.
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "meshjobs/front.hpp"

namespace meshjobs {

class front_listener {
 public:
  /// Binds and listens (port 0: any free port). Throws std::runtime_error naming the address.
  front_listener(caf::actor_system& sys, const std::string& host, std::uint16_t port);
  ~front_listener();  ///< stops accepting
  front_listener(const front_listener&) = delete;
  front_listener& operator=(const front_listener&) = delete;

  std::uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }

  /// Connections accepted from now on are given `front` (a new one after the old one died).
  void set_front(front_actor front);
  /// Starts accepting; call once, after set_front().
  void start();
  /// Stops accepting and joins the thread; connections already made stay. Idempotent.
  void stop();

 private:
  void accept_loop();
  /// Moves `fd` to the next number of the rotation; keeps it where it is if none is free.
  int away_from_recent_numbers(int fd);
  void hand_over(int fd);

  caf::actor_system& sys_;
  caf::actor basp_;  // the middleman's BASP broker
  std::string host_;
  std::uint16_t port_ = 0;
  int listen_fd_ = -1;
  int rotation_low_ = 0;
  int rotation_high_ = 0;
  int next_number_ = 0;
  std::mutex front_mutex_;
  front_actor front_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace meshjobs
