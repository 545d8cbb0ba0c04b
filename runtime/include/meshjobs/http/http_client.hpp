// An asynchronous HTTP/1.1 client on its own io threads (Boost.Beast inside, none of it here).
//
//   http::client c;
//   c.post_json("http://127.0.0.1:8080/generate", body, [](http::client_result r) {
//     if (auto* e = std::get_if<http::client_error>(&r)) log(e->message);
//   });
//
// Callbacks run on one of the client's io threads: they must be quick and must not block
// (hand work on to an actor or a pool). Every request gets exactly one callback, also when
// the URL is bad or the client stops. Connections are kept alive between calls to the same
// host and port (idle ones for at most 5 s); one the server closed meanwhile is retried once on
// a new connection, when no byte of the answer had come.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "meshjobs/http/http_message.hpp"

namespace meshjobs::http {

enum class error_kind {
  bad_url,        ///< not an http:// URL (nothing was sent)
  service_error,  ///< cannot connect, connection reset or closed unanswered, 5xx, client stopped
  read_timeout,   ///< no complete answer within the request's timeout
  bad_response,   ///< not valid HTTP, truncated, or over the response limit
};
std::string_view to_string(error_kind k);

struct client_error {
  error_kind kind = error_kind::service_error;
  std::string message;  ///< names the URL and the reason
  unsigned status = 0;  ///< for a 5xx: its status, with its body
  std::string body;
  bool over_limit = false;  ///< bad_response because the answer passed call_options::response_limit
};

/// Any answer below 500 (4xx included: the caller decides what they mean).
struct client_response {
  unsigned status = 0;
  header_list headers;
  std::string body;
};

using client_result = std::variant<client_response, client_error>;
using client_callback = std::function<void(client_result)>;

struct call_options {
  /// From the call to the last byte of the answer (resolve, connect, send, receive).
  std::chrono::milliseconds timeout{10000};
  std::size_t response_limit = 8u << 20;  ///< bytes of body, else bad_response
  header_list headers;                     ///< extra request headers
};

struct client_options {
  unsigned io_threads = 1;
};

class client {
 public:
  explicit client(client_options options = {});
  ~client();  ///< stop()
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  void get(std::string_view url, client_callback done, call_options options = {});
  /// POST with Content-Type: application/json.
  void post_json(std::string_view url, std::string body, client_callback done,
                 call_options options = {});
  void request(std::string method, std::string_view url, std::string body,
               std::string content_type, client_callback done, call_options options = {});

  /// Ends every call in flight with service_error "client stopped" (their callbacks run before
  /// stop returns), then joins the io threads. Later calls are answered the same way at once,
  /// on the caller's thread. Idempotent.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace meshjobs::http
