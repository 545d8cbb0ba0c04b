#include "link/tls_scribe.hpp"

#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/native_socket.hpp>
#include <caf/io/network/stream_impl.hpp>

#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "link/sigpipe_guard.hpp"

namespace meshjobs::link {
namespace {

using caf::io::network::native_socket;
using caf::io::network::rw_state;

/// CAF's stream policy for one TLS session: want-read and want-write mean "nothing now".
class tls_policy {
 public:
  explicit tls_policy(std::shared_ptr<SSL> ssl) : ssl_(std::move(ssl)) {}

  rw_state read_some(std::size_t& result, native_socket, void* buf, std::size_t len) {
    return outcome(result, len, [&] { return SSL_read(ssl_.get(), buf, static_cast<int>(len)); });
  }

  rw_state write_some(std::size_t& result, native_socket, const void* buf, std::size_t len) {
    return outcome(result, len, [&] { return SSL_write(ssl_.get(), buf, static_cast<int>(len)); });
  }

  /// Bytes TLS has decrypted already are invisible to poll(): read them now.
  bool must_read_more(native_socket, std::size_t threshold) {
    return static_cast<std::size_t>(SSL_pending(ssl_.get())) >= threshold;
  }

 private:
  template <class Call>
  rw_state outcome(std::size_t& result, std::size_t len, Call call) {
    result = 0;
    if (len == 0)
      return rw_state::indeterminate;
    // A read may write too: OpenSSL answers a broken record with an alert, maybe to a peer
    // that has gone.
    sigpipe_guard no_sigpipe;
    ERR_clear_error();
    const int rc = call();
    if (rc > 0) {
      result = static_cast<std::size_t>(rc);
      return rw_state::success;
    }
    const int err = SSL_get_error(ssl_.get(), rc);
    if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE)
      return rw_state::success;
    ERR_clear_error();
    return rw_state::failure;  // closed by the peer, or a TLS error: the connection ends
  }

  std::shared_ptr<SSL> ssl_;  // shared: CAF's stream copies nothing, but the policy must be movable
};

class tls_scribe : public caf::io::scribe {
 public:
  tls_scribe(caf::io::network::default_multiplexer& mpx, native_socket fd, std::shared_ptr<SSL> ssl)
      : caf::io::scribe(caf::io::network::conn_hdl_from_socket(fd)), stream_(mpx, fd, std::move(ssl)) {}

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (!launched_) {
      launched_ = true;
      stream_.start(this);
    }
  }

  void ack_writes(bool enable) override { stream_.ack_writes(enable); }
  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }
  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }

  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }

  void flush() override { stream_.flush(this); }

  std::string addr() const override {
    auto x = caf::io::network::remote_addr_of_fd(stream_.fd());
    return x ? *x : std::string{};
  }

  std::uint16_t port() const override {
    auto x = caf::io::network::remote_port_of_fd(stream_.fd());
    return x ? *x : 0;
  }

  void add_to_loop() override { stream_.activate(this); }
  void remove_from_loop() override { stream_.passivate(); }

  /// Looks at each BASP header before BASP does (BASP reads a 32-byte header, then its
  /// payload, if any, in one piece): an operation BASP does not know, or a payload past
  /// max_basp_payload, is logged with the peer's address, and the header handed on is made one
  /// BASP refuses, so BASP closes the connection before it allocates anything for it.
  bool consume(caf::execution_unit* ctx, const void* buf, std::size_t n) override {
    if (payload_due_ != 0) {
      payload_due_ = 0;
      return caf::io::scribe::consume(ctx, buf, n);
    }
    if (n != basp_header_size)
      return caf::io::scribe::consume(ctx, buf, n);
    auto* bytes = static_cast<unsigned char*>(const_cast<void*>(buf));
    const unsigned operation = bytes[0];
    const std::uint32_t payload = (std::uint32_t{bytes[4]} << 24) | (std::uint32_t{bytes[5]} << 16) |
                                  (std::uint32_t{bytes[6]} << 8) | std::uint32_t{bytes[7]};
    if (operation > last_basp_operation || payload > max_basp_payload) {
      spdlog::warn("link: peer {}:{} sent a malformed BASP message ({}); its connection is closed", addr(), port(),
                   operation > last_basp_operation
                     ? "unknown operation " + std::to_string(operation)
                     : "a payload of " + std::to_string(payload) + " bytes, past the bound of " +
                         std::to_string(max_basp_payload));
      bytes[0] = 0x7f;
      for (int i = 4; i < 8; ++i)
        bytes[i] = 0;
      return caf::io::scribe::consume(ctx, buf, n);
    }
    payload_due_ = payload;
    return caf::io::scribe::consume(ctx, buf, n);
  }

 private:
  static constexpr std::size_t basp_header_size = 32;
  static constexpr unsigned last_basp_operation = 6;  // heartbeat, in CAF 0.17's basp::message_type
  /// One message's payload at most: far above any meshjobs message (a dispatch of a few hundred
  /// jobs, a page of 1,000), far below what a node can allocate per peer.
  static constexpr std::uint32_t max_basp_payload = 256u << 20;

  std::uint32_t payload_due_ = 0;  ///< the payload the last header announced, read next
  bool launched_ = false;
  caf::io::network::stream_impl<tls_policy> stream_;
};

}  // namespace

caf::io::scribe_ptr make_tls_scribe(caf::io::network::default_multiplexer& mpx, int fd, ssl_ptr ssl) {
  std::shared_ptr<SSL> shared{ssl.release(), SSL_free};
  return caf::make_counted<tls_scribe>(mpx, fd, std::move(shared));
}

}  // namespace meshjobs::link
