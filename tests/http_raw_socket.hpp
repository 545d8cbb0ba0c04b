// A plain blocking TCP client for the HTTP server tests: it sends exactly the bytes a test
// writes (malformed ones included) and reads answers back, each read bounded by a deadline so a
// broken server fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "meshjobs/http/http_message.hpp"

namespace meshjobs::testing {

struct raw_response {
  unsigned status = 0;
  http::header_list headers;
  std::string body;
};

class raw_socket {
 public:
  /// Connects to 127.0.0.1:port; throws std::runtime_error naming the reason.
  explicit raw_socket(std::uint16_t port,
                      std::chrono::milliseconds deadline = std::chrono::seconds{10});
  ~raw_socket();
  raw_socket(const raw_socket&) = delete;
  raw_socket& operator=(const raw_socket&) = delete;

  void send(const std::string& bytes);
  /// One response (status line, headers, Content-Length body); nullopt if the server closed
  /// the connection or the deadline passed first.
  std::optional<raw_response> read_response();
  /// Waits for the server to close the connection: true when it did (EOF or reset) before the
  /// deadline, false when the deadline passed with the connection still open.
  bool await_close();

 private:
  bool fill();  ///< reads more into buffer_; false on EOF, error or deadline
  int fd_ = -1;
  std::chrono::milliseconds deadline_;
  std::string buffer_;
  bool timed_out_ = false;
};

/// "GET /path HTTP/1.1" with Host and, when given, a body with Content-Length.
std::string raw_request(const std::string& method, const std::string& target,
                        const std::string& body = "", const std::string& extra_headers = "");

}  // namespace meshjobs::testing
