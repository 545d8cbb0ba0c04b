#include "meshjobs/http/http_server.hpp"

#include <pthread.h>

#include <stdexcept>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include "http/http_session.hpp"
#include "http/router.hpp"

namespace meshjobs::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct server::impl {
  explicit impl(server_options o)
    : options(std::move(o)), host{options, routes, std::make_shared<answer_gate>(), {}, {}} {}

  void accept() {
    acceptor.async_accept(asio::make_strand(io), [this](error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open())
        return;
      if (!ec) {
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // small JSON answers go out at once
        auto s = std::make_shared<session>(std::move(socket), host);
        {
          std::lock_guard<std::mutex> guard{host.sessions_mutex};
          host.sessions.emplace(s.get(), s);
        }
        asio::post(s->executor(), [s] { s->start(); });
      }
      accept();
    });
  }

  server_options options;
  router routes;
  session_host host;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::vector<std::thread> threads;
  std::uint16_t bound_port = 0;
  bool started = false;
  bool stopped = false;
};

server::server(server_options options) : impl_(std::make_shared<impl>(std::move(options))) {}

server::~server() { stop(); }

void server::route(std::string method, std::string pattern, handler h, route_options options) {
  if (impl_->started)
    throw std::logic_error("http route '" + pattern + "': routes are added before start()");
  impl_->routes.add(std::move(method), pattern, std::move(h), std::move(options));
}

std::uint16_t server::start() {
  auto& m = *impl_;
  if (m.started)
    throw std::logic_error("http server: start() called twice");
  const auto where = m.options.host + ":" + std::to_string(m.options.port);
  error_code ec;
  tcp::resolver resolver{m.io};
  auto endpoints = resolver.resolve(m.options.host, std::to_string(m.options.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty())
    throw std::runtime_error("http server " + where + ": cannot resolve the host (" +
                             ec.message() + ")");
  tcp::endpoint endpoint = *endpoints.begin();
  auto fail = [&](const char* step) {
    throw std::runtime_error("http server " + where + ": " + step + " failed (" + ec.message() + ")");
  };
  if (m.acceptor.open(endpoint.protocol(), ec); ec)
    fail("open");
  if (m.acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
    fail("set reuse_address");
  if (m.acceptor.bind(endpoint, ec); ec)
    fail("bind");
  if (m.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec)
    fail("listen");
  m.bound_port = m.acceptor.local_endpoint().port();
  m.started = true;
  m.accept();
  const unsigned count = m.options.io_threads == 0 ? 1 : m.options.io_threads;
  for (unsigned i = 0; i < count; ++i)
    m.threads.emplace_back([&m] {
      pthread_setname_np(pthread_self(), "http-server");  // not its maker's name (see task_pool)
      m.io.run();
    });
  return m.bound_port;
}

std::uint16_t server::port() const { return impl_->bound_port; }

void server::stop() {
  auto& m = *impl_;
  if (!m.started || m.stopped)
    return;
  m.stopped = true;
  {
    std::lock_guard<std::mutex> guard{m.host.gate->mutex};
    m.host.gate->open = false;
  }
  m.io.stop();
  for (auto& t : m.threads)
    t.join();
  error_code ignored;
  m.acceptor.close(ignored);
  // Handlers still queued in the stopped io_context keep their sessions alive until it goes:
  // close every socket now (no io thread runs any more) so that clients see the stop at once.
  decltype(m.host.sessions) sessions;
  {
    std::lock_guard<std::mutex> guard{m.host.sessions_mutex};
    sessions.swap(m.host.sessions);
  }
  for (auto& [key, s] : sessions)
    s->close();
}

}  // namespace meshjobs::http
