// The client side of a link: connects, authenticates (link_handshake.hpp) and only then hands
// the connection to CAF's BASP broker, which answers with the actor published on the port.
// Blocking: call it from a thread of one's own, never from a CAF one.
#pragma once

#include <caf/actor_addr.hpp>
#include <caf/fwd.hpp>
#include <caf/intrusive_ptr.hpp>

#include <chrono>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <string>

#include "link/link_credentials.hpp"

namespace meshjobs::link {

struct remote_actor {
  caf::strong_actor_ptr actor;       ///< null: nothing is published on the port
  std::set<std::string> interface;   ///< its message types, to check against the expected one
};

/// No handshake (ours, then BASP's) within the timeout: the peer says nothing, or too late.
struct link_timeout : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Connects to HOST:PORT and authenticates, all within `timeout`. Throws link_timeout, or
/// std::runtime_error naming the address and the reason: unreachable, TLS refused, wrong
/// cluster secret.
remote_actor connect_link(caf::actor_system& sys, const std::string& host, std::uint16_t port,
                          const link_credentials& credentials, std::chrono::milliseconds timeout);

}  // namespace meshjobs::link
