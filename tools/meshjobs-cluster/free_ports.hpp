// Ports on 127.0.0.1 that nothing listens on, so the launcher can pass them to a node and
// print them, instead of letting the node pick one and having to ask it which; and whether a
// node listens on its port yet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace meshjobs::cluster {

/// `count` distinct ports that were free a moment ago (each bound to port 0, all held until
/// the last is read, then released). Throws std::system_error naming the failed call.
std::vector<std::uint16_t> free_loopback_ports(std::size_t count);

/// True when a TCP socket listens on `port` (any local address), as /proc/net/tcp and tcp6
/// say. Read there rather than tried with a connection, which the node would log as a peer
/// that hung up in its handshake.
bool listening_on(std::uint16_t port);

}  // namespace meshjobs::cluster
