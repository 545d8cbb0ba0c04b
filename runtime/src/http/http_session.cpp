#include "http/http_session.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "meshjobs/http/http_message.hpp"

namespace meshjobs::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using error_code = boost::system::error_code;

/// One request's way back: whoever holds the responder answers once; a responder dropped
/// unanswered answers 500 so that the client is never left waiting for nothing.
struct responder::state {
  std::weak_ptr<session> target;
  std::shared_ptr<answer_gate> gate;
  std::uint64_t request_number = 0;
  std::atomic<bool> answered{false};

  void deliver(response r) {
    if (answered.exchange(true))
      return;
    std::lock_guard<std::mutex> guard{gate->mutex};
    if (!gate->open)
      return;
    if (auto s = target.lock())
      asio::post(s->executor(), [s, n = request_number, r = std::move(r)]() mutable {
        s->answer(n, std::move(r));
      });
  }

  ~state() {
    deliver(response::error(500, "no_answer", "the handler dropped the request without answering"));
  }
};

void responder::operator()(response r) const { state_->deliver(std::move(r)); }

session::session(asio::ip::tcp::socket socket, session_host& host)
  : socket_(std::move(socket)), host_(host), deadline_(socket_.get_executor()) {}

void session::start() { wait_for_request(); }

void session::wait_for_request() {
  phase_ = phase::idle;
  if (buffer_.size() > 0)  // a pipelined request is already here
    return read_request();
  arm(host_.options.idle_timeout, phase::idle);
  socket_.async_wait(asio::ip::tcp::socket::wait_read,
                     [self = shared_from_this()](error_code ec) {
                       if (ec || self->closed_)
                         return self->close();
                       self->read_request();
                     });
}

void session::read_request() {
  phase_ = phase::reading;
  parser_.emplace();
  parser_->body_limit(host_.options.body_limit);
  parser_->header_limit(static_cast<std::uint32_t>(host_.options.header_limit));
  arm(host_.options.read_timeout, phase::reading);
  bhttp::async_read_header(socket_, buffer_, *parser_,
                           [self = shared_from_this()](error_code ec, std::size_t) { self->on_header(ec); });
}

void session::on_header(error_code ec) {
  if (ec || closed_ || parser_->is_done())
    return on_read(ec);
  auto read_body = [self = shared_from_this()] {
    bhttp::async_read(self->socket_, self->buffer_, *self->parser_,
                      [self](error_code ec, std::size_t) { self->on_read(ec); });
  };
  // A client that waits for leave to send its body (curl does past 1 KB) gets it at once; one
  // over the body limit has had its 413 already, from the header.
  if (!beast::iequals(parser_->get()[bhttp::field::expect], "100-continue"))
    return read_body();
  static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
  asio::async_write(socket_, asio::buffer(go_on.data(), go_on.size()),
                    [self = shared_from_this(), read_body](error_code ec, std::size_t) {
                      if (ec)
                        return self->on_read(ec);
                      read_body();
                    });
}

void session::on_read(error_code ec) {
  disarm();
  if (closed_)
    return;
  if (timed_out_)
    return write(response::error(408, "request_timeout",
                                 "the request was not received within " +
                                     std::to_string(host_.options.read_timeout.count()) + " ms"),
                 false);
  if (ec == bhttp::error::end_of_stream && !parser_->got_some())
    return close();
  if (ec == bhttp::error::body_limit)
    return write(response::error(413, "body_too_large",
                                 "the request body is over the limit of " +
                                     std::to_string(host_.options.body_limit) + " bytes"),
                 false);
  if (ec == bhttp::error::header_limit)
    return write(response::error(431, "headers_too_large",
                                 "the request line and headers are over the limit of " +
                                     std::to_string(host_.options.header_limit) + " bytes"),
                 false);
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category())
    return write(response::error(400, "malformed_request", "not valid HTTP/1.1: " + ec.message()),
                 false);
  if (ec)
    return close();
  dispatch(parser_->release());
}

void session::dispatch(bhttp::request<bhttp::string_body> raw) {
  phase_ = phase::handling;
  ++request_number_;
  version_ = raw.version();
  keep_alive_ = raw.keep_alive();

  request req;
  req.method = std::string{raw.method_string()};
  req.target = std::string{raw.target()};
  auto question = req.target.find('?');
  req.path = req.target.substr(0, question);
  if (question != std::string::npos)
    req.query = req.target.substr(question + 1);
  for (const auto& field : raw)
    req.headers.emplace_back(std::string{field.name_string()}, std::string{field.value()});
  req.body = std::move(raw.body());

  auto found = host_.routes.find(req.method, req.path);
  using outcome = router::match::outcome;
  if (found.result == outcome::no_path)
    return write(response::error(404, "not_found", "no route for " + req.method + " " + req.path),
                 keep_alive_);
  if (found.result == outcome::wrong_method) {
    auto r = response::error(405, "method_not_allowed",
                             req.method + " is not allowed on " + req.path + " (allowed: " +
                                 found.allowed + ")");
    r.headers.emplace_back("Allow", found.allowed);
    return write(std::move(r), keep_alive_);
  }
  const auto& token = found.route->options.bearer_token;
  if (token && req.header("Authorization") != "Bearer " + *token) {
    auto r = response::error(401, "unauthorized",
                             req.header("Authorization") ? "the bearer token is wrong"
                                                         : "an Authorization: Bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return write(std::move(r), keep_alive_);
  }
  req.params = std::move(found.params);

  auto state = std::make_shared<responder::state>();
  state->target = weak_from_this();
  state->gate = host_.gate;
  state->request_number = request_number_;
  if (host_.options.response_timeout.count() > 0) {
    arm(host_.options.response_timeout, phase::handling);
    deadline_.async_wait([weak = std::weak_ptr<responder::state>{state}](error_code ec) {
      if (auto s = weak.lock(); s && !ec)
        s->deliver(response::error(503, "no_answer_in_time", "the handler did not answer in time"));
    });
  }
  try {
    found.route->fn(std::move(req), responder{std::move(state)});
  } catch (const std::exception& e) {
    // The responder went with the handler's frame: answer here, before its 500 arrives.
    answer(request_number_, response::error(500, "handler_failed", e.what()));
  } catch (...) {
    answer(request_number_, response::error(500, "handler_failed", "an unknown exception"));
  }
}

void session::answer(std::uint64_t request_number, response r) {
  if (closed_ || phase_ != phase::handling || request_number != request_number_)
    return;
  disarm();
  write(std::move(r), keep_alive_);
}

void session::write(response r, bool keep_alive) {
  phase_ = phase::writing;
  keep_alive_ = keep_alive;
  out_.emplace();
  out_->version(version_);
  out_->result(r.status);
  out_->set(bhttp::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers)
    out_->set(name, value);
  out_->body() = std::move(r.body);
  out_->keep_alive(keep_alive);
  out_->prepare_payload();
  arm(host_.options.write_timeout, phase::writing);
  bhttp::async_write(socket_, *out_, [self = shared_from_this()](error_code ec, std::size_t) {
    self->disarm();
    self->out_.reset();
    if (ec || !self->keep_alive_ || self->timed_out_)
      return self->close();
    self->wait_for_request();
  });
}

void session::arm(std::chrono::milliseconds after, phase p) {
  auto generation = ++deadline_generation_;
  deadline_.expires_after(after);
  if (p == phase::handling)
    return;  // dispatch() waits on it itself, with the responder's state
  deadline_.async_wait([self = shared_from_this(), generation, p](error_code ec) {
    if (!ec && generation == self->deadline_generation_)
      self->on_deadline(p);
  });
}

void session::disarm() {
  ++deadline_generation_;
  deadline_.cancel();
}

void session::on_deadline(phase p) {
  if (p == phase::idle)
    return close();
  // Reading: the read completes with operation_aborted and answers 408. Writing: give up.
  timed_out_ = true;
  error_code ignored;
  socket_.cancel(ignored);
  if (p == phase::writing)
    close();
}

void session::close() {
  if (closed_)
    return;
  closed_ = true;
  error_code ignored;
  deadline_.cancel();
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  std::lock_guard<std::mutex> guard{host_.sessions_mutex};
  host_.sessions.erase(this);
}

}  // namespace meshjobs::http
