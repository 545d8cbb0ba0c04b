#include "meshjobs/http/http_client.hpp"

#include <pthread.h>

#include <charconv>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "http/idle_connections.hpp"
#include "meshjobs/http/url.hpp"

namespace meshjobs::http {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::string_view to_string(error_kind k) {
  switch (k) {
    case error_kind::bad_url: return "bad_url";
    case error_kind::service_error: return "service_error";
    case error_kind::read_timeout: return "read_timeout";
    case error_kind::bad_response: return "bad_response";
  }
  return "unknown";
}

namespace {

class call;

client_error make_error(error_kind kind, std::string message) {
  client_error e;
  e.kind = kind;
  e.message = std::move(message);
  return e;
}

/// What the calls of one client share: the io_context, the idle connections, and the calls in
/// flight for stop().
struct client_core {
  asio::io_context io;
  idle_connections idle;  // after io: its sockets close before the io_context goes
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{io.get_executor()};
  std::vector<std::thread> threads;
  std::mutex mutex;
  bool stopped = false;
  std::unordered_map<const call*, std::weak_ptr<call>> calls;
};

/// The body length a response header announced (0: none), read from the field Beast has
/// checked already: boost::optional (content_length()) trips GCC 12's -Wmaybe-uninitialized.
std::uint64_t announced_length(const bhttp::response_parser<bhttp::string_body>& p) {
  const auto field = p.get()[bhttp::field::content_length];
  std::uint64_t length = 0;
  std::from_chars(field.data(), field.data() + field.size(), length);
  return length;
}

/// One request on a connection kept from an earlier call to the same host and port, or else on
/// a new one: resolve, connect, write, read, under one deadline. After a complete answer that
/// keeps the connection alive, the connection goes back to the idle ones.
class call : public std::enable_shared_from_this<call> {
 public:
  /// `idle`: a kept connection, or null for a new one.
  call(client_core& owner, url where, std::string method, std::string body,
       std::string content_type, call_options options, client_callback done,
       std::shared_ptr<pooled_connection> idle)
    : owner_(owner), where_(std::move(where)), options_(std::move(options)),
      done_(std::move(done)), reused_(idle != nullptr),
      connection_(idle ? std::move(idle) : std::make_shared<pooled_connection>(owner.io)),
      strand_(connection_->strand), socket_(connection_->socket), resolver_(strand_), deadline_(strand_) {
    request_.method_string(method);
    request_.target(where_.target);
    request_.version(11);
    request_.set(bhttp::field::host, where_.host + ":" + std::to_string(where_.port));
    for (const auto& [name, value] : options_.headers)
      request_.set(name, value);
    if (!body.empty() || method == "POST" || method == "PUT") {
      request_.set(bhttp::field::content_type, content_type);
      request_.body() = std::move(body);
      request_.prepare_payload();
    }
    parser_ = std::make_unique<bhttp::response_parser<bhttp::string_body>>();
    parser_->body_limit(options_.response_limit);
  }

  static std::string host_port(const url& where) { return where.host + ":" + std::to_string(where.port); }

  void start() {
    asio::post(strand_, [self = shared_from_this()] { self->begin(); });
  }

  /// From client::stop(): ends the call with "client stopped".
  void cancel() {
    asio::post(strand_, [self = shared_from_this()] {
      self->stopped_ = true;
      self->abort();
    });
  }

 private:
  void begin() {
    if (finished_)
      return;
    deadline_.expires_after(options_.timeout);
    deadline_.async_wait([self = shared_from_this()](error_code ec) {
      if (ec || self->finished_)
        return;
      self->timed_out_ = true;
      self->abort();
    });
    if (reused_)
      return write();
    open();
  }

  void open() {
    // A numeric host (the mesh service on loopback, a callback URL) needs no resolver, whose
    // thread would cost each call two thread switches and a getaddrinfo.
    error_code not_numeric;
    const auto address = asio::ip::make_address(where_.host, not_numeric);
    if (!not_numeric)
      return connect(tcp::resolver::results_type::create(tcp::endpoint{address, where_.port}, where_.host,
                                                          std::to_string(where_.port)));
    resolver_.async_resolve(where_.host, std::to_string(where_.port),
                            [self = shared_from_this()](error_code ec, tcp::resolver::results_type found) {
                              if (ec)
                                return self->fail_io(ec, "cannot resolve " + self->where_.host);
                              self->connect(found);
                            });
  }

  void connect(const tcp::resolver::results_type& found) {
    asio::async_connect(socket_, found, [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
      if (ec)
        return self->fail_io(ec, "cannot connect");
      error_code ignored;
      self->socket_.set_option(tcp::no_delay(true), ignored);
      self->write();
    });
  }

  void write() {
    bhttp::async_write(socket_, request_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec && self->stale(ec))
        return self->reopen();
      if (ec)
        return self->fail_io(ec, "cannot send the request");
      self->read();
    });
  }

  /// A kept connection failed before any byte of the answer: the server closed it while it was
  /// idle (and so never took this request). Worth one retry on a new connection.
  bool stale(error_code ec) const {
    return reused_ && !timed_out_ && !stopped_ && !parser_->got_some() &&
           (ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
            ec == asio::error::connection_reset || ec == asio::error::broken_pipe);
  }

  void reopen() {
    reused_ = false;
    error_code ignored;
    socket_.close(ignored);
    buffer_.clear();
    parser_ = std::make_unique<bhttp::response_parser<bhttp::string_body>>();
    parser_->body_limit(options_.response_limit);
    open();
  }

  // The header first: Beast 1.74's response parser misses its body limit when the header and a
  // Content-Length body arrive in one read, so the announced length is checked here.
  void read() {
    bhttp::async_read_header(socket_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec && self->stale(ec))
        return self->reopen();
      if (ec)
        return self->read_failed(ec);
      if (announced_length(*self->parser_) > self->options_.response_limit)
        return self->fail_over_limit();
      bhttp::async_read(self->socket_, self->buffer_, *self->parser_, [self](error_code ec, std::size_t) {
        if (ec)
          return self->read_failed(ec);
        self->succeed();
      });
    });
  }

  void read_failed(error_code ec) {
    const auto& parse_errors = bhttp::make_error_code(bhttp::error::bad_target).category();
    if (ec == bhttp::error::body_limit)
      return fail_over_limit();
    if (ec == bhttp::error::end_of_stream && !parser_->got_some())
      return fail_io(ec, "the connection closed without an answer");
    if (ec == bhttp::error::partial_message || ec == bhttp::error::end_of_stream)
      return fail(error_kind::bad_response, "the answer was cut short");
    if (ec.category() == parse_errors)
      return fail(error_kind::bad_response, "not valid HTTP (" + ec.message() + ")");
    fail_io(ec, "cannot read the answer");
  }

  void fail_over_limit() {
    auto e = make_error(error_kind::bad_response,
                        std::string{request_.method_string()} + " " + where_.text() +
                            ": the answer is over the limit of " +
                            std::to_string(options_.response_limit) + " bytes");
    e.over_limit = true;
    finish(std::move(e));
  }

  void succeed() {
    const bool keep_alive = parser_->keep_alive();
    auto raw = parser_->release();
    if (raw.result_int() >= 500) {
      auto e = make_error(error_kind::service_error,
                          where_.text() + ": the service answered " + std::to_string(raw.result_int()));
      e.status = raw.result_int();
      e.body = std::move(raw.body());
      return finish(std::move(e));
    }
    client_response r;
    r.status = raw.result_int();
    for (const auto& field : raw)
      r.headers.emplace_back(std::string{field.name_string()}, std::string{field.value()});
    r.body = std::move(raw.body());
    finish(std::move(r), keep_alive);
  }

  /// An I/O failure, or the abort the deadline or a stop caused.
  void fail_io(error_code ec, const std::string& what) {
    if (timed_out_)
      return fail(error_kind::read_timeout,
                  "no answer within " + std::to_string(options_.timeout.count()) + " ms");
    if (stopped_)
      return fail(error_kind::service_error, "client stopped");
    fail(error_kind::service_error, what + " (" + ec.message() + ")");
  }

  void fail(error_kind kind, const std::string& why) {
    finish(make_error(kind, std::string{request_.method_string()} + " " + where_.text() + ": " + why));
  }

  /// `keep`: the answer was complete and the connection may carry another call.
  void finish(client_result result, bool keep = false) {
    if (finished_)
      return;
    finished_ = true;
    if (keep && !timed_out_ && !stopped_) {
      deadline_.cancel();
      resolver_.cancel();
      released_ = true;  // the connection is another call's from now on
      owner_.idle.put(host_port(where_), connection_);
    } else {
      abort();
    }
    {
      std::lock_guard<std::mutex> guard{owner_.mutex};
      owner_.calls.erase(this);
    }
    auto done = std::move(done_);
    done(std::move(result));
  }

  void abort() {
    error_code ignored;
    deadline_.cancel();
    resolver_.cancel();
    if (released_)
      return;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  client_core& owner_;
  url where_;
  call_options options_;
  client_callback done_;
  bool reused_;  ///< on a kept connection, until a retry on a new one
  std::shared_ptr<pooled_connection> connection_;
  asio::strand<asio::io_context::executor_type>& strand_;
  tcp::socket& socket_;
  tcp::resolver resolver_;
  asio::steady_timer deadline_;
  bhttp::request<bhttp::string_body> request_;
  std::unique_ptr<bhttp::response_parser<bhttp::string_body>> parser_;  ///< a new one per attempt
  boost::beast::flat_buffer buffer_;
  bool released_ = false;  ///< the connection went back to the idle ones
  bool timed_out_ = false;
  bool stopped_ = false;
  bool finished_ = false;
};

}  // namespace

struct client::impl : client_core {};

client::client(client_options options) : impl_(std::make_shared<impl>()) {
  const unsigned count = options.io_threads == 0 ? 1 : options.io_threads;
  for (unsigned i = 0; i < count; ++i)
    impl_->threads.emplace_back([m = impl_.get()] {
      pthread_setname_np(pthread_self(), "http-client");  // not its maker's name (see task_pool)
      m->io.run();
    });
}

client::~client() { stop(); }

void client::get(std::string_view url, client_callback done, call_options options) {
  request("GET", url, {}, {}, std::move(done), std::move(options));
}

void client::post_json(std::string_view url, std::string body, client_callback done,
                       call_options options) {
  request("POST", url, std::move(body), "application/json", std::move(done), std::move(options));
}

void client::request(std::string method, std::string_view url_text, std::string body,
                     std::string content_type, client_callback done, call_options options) {
  auto& m = *impl_;
  std::unique_lock<std::mutex> guard{m.mutex};
  if (m.stopped) {
    guard.unlock();
    return done(make_error(error_kind::service_error, method + " " + std::string{url_text} +
                                                          ": client stopped"));
  }
  auto parsed = parse_url(url_text);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    asio::post(m.io, [done = std::move(done), e = make_error(error_kind::bad_url, *why)]() mutable {
      done(std::move(e));
    });
    return;
  }
  auto where = std::move(std::get<url>(parsed));
  auto idle = m.idle.take(call::host_port(where));
  auto c = std::make_shared<call>(m, std::move(where), std::move(method), std::move(body),
                                  std::move(content_type), std::move(options), std::move(done),
                                  std::move(idle));
  m.calls.emplace(c.get(), c);
  c->start();
}

void client::stop() {
  auto& m = *impl_;
  {
    std::lock_guard<std::mutex> guard{m.mutex};
    if (m.stopped)
      return;
    m.stopped = true;
    for (auto& [key, weak] : m.calls)
      if (auto c = weak.lock())
        c->cancel();
  }
  m.work.reset();
  for (auto& t : m.threads)
    t.join();
  m.idle.close_all();
}

}  // namespace meshjobs::http
