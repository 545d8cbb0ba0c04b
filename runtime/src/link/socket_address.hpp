// Listening and connecting sockets by host and port, and a peer's address as text.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace meshjobs::link {

/// A listening socket (port 0: any free port). Throws std::runtime_error with the reason.
int listen_on(const std::string& host, std::uint16_t port);
std::uint16_t bound_port(int fd);

/// A connected non-blocking socket, or throws std::runtime_error naming the address and why
/// (refused, unreachable, no answer before `deadline`).
int connect_to(const std::string& host, std::uint16_t port, std::chrono::steady_clock::time_point deadline);

/// "127.0.0.1:4100", "[::1]:4100".
std::string address_text(const sockaddr_storage& addr);
std::string address_text(const std::string& host, std::uint16_t port);

/// True when every address `host` names is a loopback one (127.0.0.0/8, ::1); false for a
/// wildcard (0.0.0.0, ::), another address, or a name that does not resolve.
bool is_loopback_host(const std::string& host);

}  // namespace meshjobs::link
