// An HTTP/1.1 server on its own io threads (Boost.Beast inside, none of it in this header).
//
//   http::server srv{http::server_options{}};  // 127.0.0.1, a free port
//   srv.route("GET", "/meshes/{id}", [](http::request req, http::responder respond) {
//     respond(http::response::json(200, lookup(req.params["id"])));
//   });
//   std::uint16_t port = srv.start();
//
// A handler runs on an io thread and must not block it. It may answer at once or later, from
// any thread: the responder answers exactly once (later calls are ignored), and a responder
// dropped without answering sends a 500. Answers that arrive after stop() are dropped.
//
// Every error the server produces itself is JSON {"error","detail"}: 400 malformed request,
// 401 missing or wrong bearer token, 404 unknown path, 405 known path with another method,
// 408 a request not read in time, 413 body over the limit, 431 headers over the limit,
// 500 a handler that threw, 503 a handler that never answered within response_timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "meshjobs/http/http_message.hpp"

namespace meshjobs::http {

struct server_options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  ///< 0: a free port, see start()
  unsigned io_threads = 1;
  std::size_t body_limit = 1u << 20;     ///< bytes of request body, else 413
  std::size_t header_limit = 16u << 10;  ///< bytes of request line and headers, else 431
  /// From a request's first byte to its last, else 408 and the connection closes.
  std::chrono::milliseconds read_timeout{10000};
  /// A kept-alive connection with no request started is closed after this, silently.
  std::chrono::milliseconds idle_timeout{30000};
  /// A handler that has not answered by then gets a 503 for it (0: wait for ever).
  std::chrono::milliseconds response_timeout{60000};
  /// Writing a response to a client that does not read it.
  std::chrono::milliseconds write_timeout{10000};
};

/// Answers a request; callable from any thread, once.
class responder {
 public:
  struct state;
  explicit responder(std::shared_ptr<state> s) : state_(std::move(s)) {}
  void operator()(response r) const;

 private:
  std::shared_ptr<state> state_;
};

using handler = std::function<void(request, responder)>;

struct route_options {
  /// When set, the request must carry `Authorization: Bearer <token>`, else 401.
  std::optional<std::string> bearer_token;
};

class server {
 public:
  explicit server(server_options options);
  ~server();  ///< stop()
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// `pattern` is a path whose segments may be `{name}` captures, e.g. "/status/{job_id}".
  /// Routes are added before start(); a bad pattern throws std::invalid_argument naming it.
  void route(std::string method, std::string pattern, handler h, route_options options = {});

  /// Binds, listens and starts the io threads. Returns the bound port (the free one when the
  /// options say 0). Throws std::runtime_error naming host:port and the reason.
  std::uint16_t start();
  std::uint16_t port() const;

  /// Closes the listener and every connection, joins the io threads. Idempotent.
  void stop();

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

}  // namespace meshjobs::http
