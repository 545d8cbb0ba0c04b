// Peers that are no meshjobs client, for the link security tests: a TCP connection that sends
// raw bytes, either before any handshake or after passing the link's authentication (where
// CAF's BASP then expects its messages).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace meshjobs::testing {

class raw_connection {
 public:
  /// Plain TCP to 127.0.0.1:`port`, nothing said yet.
  explicit raw_connection(std::uint16_t port);
  /// TLS to 127.0.0.1:`port`, authenticated with the credentials in `keys_dir`.
  raw_connection(std::uint16_t port, const std::string& keys_dir);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  /// Sends all of `bytes`; false when the node closed the connection first.
  bool send_bytes(const std::string& bytes);
  /// True when the node closes the connection within `limit_ms` (what it says is dropped).
  bool closed_by_peer_within(int limit_ms);

 private:
  struct session;
  std::unique_ptr<session> session_;
};

/// A 32-byte BASP header (CAF 0.17) announcing a payload of `length` bytes.
std::string basp_header_claiming(std::uint32_t length);

/// The node's resident memory in bytes (VmRSS), or 0 when it cannot be read.
std::size_t resident_bytes(int pid);

}  // namespace meshjobs::testing
