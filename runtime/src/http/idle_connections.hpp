// The HTTP client's connections kept open after a complete answer, for the next call to the same
// host and port (HTTP/1.1 keep-alive). A fresh TCP connection per call cost each call a
// connect, an accept and two closes, on both sides: the mesh pipeline makes ten calls per
// generation (five to the mesh service, five callbacks from it). A connection idle longer than
// max_idle is closed rather than reused; one the server closed meanwhile is found out by the
// call that takes it, which then retries once on a fresh connection (http_client.cpp).
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

namespace meshjobs::http {

/// A connection and the strand its calls run on, one call at a time.
struct pooled_connection {
  explicit pooled_connection(boost::asio::io_context& io)
    : strand(boost::asio::make_strand(io)), socket(strand) {}

  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  boost::asio::ip::tcp::socket socket;
  std::chrono::steady_clock::time_point idle_since;
};

class idle_connections {
 public:
  static constexpr std::chrono::seconds max_idle{5};
  static constexpr std::size_t max_per_host = 256;

  /// An idle connection to `host_port`, or null; connections idle too long are closed here.
  std::shared_ptr<pooled_connection> take(const std::string& host_port);
  /// Keeps `c` (with no operation pending) for the next call; closes it past max_per_host.
  void put(const std::string& host_port, std::shared_ptr<pooled_connection> c);
  /// Closes every idle connection; none is kept from now on.
  void close_all();

 private:
  std::mutex mutex_;
  bool closed_ = false;
  std::unordered_map<std::string, std::vector<std::shared_ptr<pooled_connection>>> idle_;
};

}  // namespace meshjobs::http
