// One connection of the HTTP server: read a request (idle wait, then read under a deadline),
// route it, hand it to its handler, write the answer, and again while the client keeps the
// connection alive. Everything of one session runs on its strand. Beast lives here and in the
// .cpp files of this folder only.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <unordered_map>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "http/router.hpp"
#include "meshjobs/http/http_server.hpp"

namespace meshjobs::http {

/// Answers may only reach sessions while it is open; stop() closes it before the io_context
/// goes, so a responder held by another thread never touches a dead one.
struct answer_gate {
  std::mutex mutex;
  bool open = true;
};

class session;

/// What the sessions of one server share; outlives them all while its io_context runs.
struct session_host {
  const server_options& options;
  const router& routes;
  std::shared_ptr<answer_gate> gate;
  std::mutex sessions_mutex;
  std::unordered_map<const session*, std::shared_ptr<session>> sessions;
};

class session : public std::enable_shared_from_this<session> {
 public:
  session(boost::asio::ip::tcp::socket socket, session_host& host);
  void start();
  /// Writes the answer to the request being served (on the strand).
  void answer(std::uint64_t request_number, response r);
  /// Closes the socket; the session ends when its pending operations have completed.
  void close();
  boost::asio::any_io_executor executor() { return socket_.get_executor(); }

 private:
  enum class phase { idle, reading, handling, writing };
  void wait_for_request();
  void read_request();
  void on_header(boost::system::error_code ec);
  void on_read(boost::system::error_code ec);
  void dispatch(boost::beast::http::request<boost::beast::http::string_body> raw);
  void write(response r, bool keep_alive);
  void arm(std::chrono::milliseconds after, phase p);
  void disarm();
  void on_deadline(phase p);

  boost::asio::ip::tcp::socket socket_;
  session_host& host_;
  boost::asio::steady_timer deadline_;
  std::uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> out_;
  phase phase_ = phase::idle;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  std::uint64_t request_number_ = 0;
  bool closed_ = false;
};

}  // namespace meshjobs::http
