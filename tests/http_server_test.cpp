// The HTTP server on loopback, driven by a raw client socket: routing and captures, keep-alive,
// limits, timeouts, bearer tokens, and handlers that answer later from another thread.
#include "meshjobs/http/http_server.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "http_raw_socket.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::http {
namespace {

using namespace std::chrono_literals;
using testing::raw_request;
using testing::raw_response;
using testing::raw_socket;

/// The "error" member of a JSON error body, or what went wrong reading it.
std::string error_of(const std::string& body) {
  auto parsed = json::object::parse(body, "error body");
  if (auto* e = std::get_if<json::parse_error>(&parsed))
    return "not JSON: " + e->message;
  auto& o = std::get<json::object>(parsed);
  if (!o.get_string("detail"))
    return "no detail in " + body;
  return o.get_string("error").value_or("no error member in " + body);
}

/// The response is the server's JSON error `error` with `status`.
void expect_error(const raw_response& r, unsigned status, const std::string& error) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(error_of(r.body), error);
}

/// Responders that handlers leave for the test thread to answer.
class parked_responders {
 public:
  void park(responder r) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      parked_.push_back(std::move(r));
    }
    changed_.notify_all();
  }
  std::optional<responder> take(std::chrono::milliseconds patience = 10s) {
    std::unique_lock<std::mutex> guard{mutex_};
    if (!changed_.wait_for(guard, patience, [&] { return !parked_.empty(); }))
      return std::nullopt;
    auto r = std::move(parked_.front());
    parked_.pop_front();
    return r;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<responder> parked_;
};

class HttpServer : public ::testing::Test {
 protected:
  void start(server_options options = {}) {
    srv_ = std::make_unique<server>(options);
    srv_->route("GET", "/things/{id}/parts/{part}", [](request req, responder respond) {
      json::writer w;
      w.begin_object().key("id").value(req.params["id"]).key("part").value(req.params["part"])
          .key("query").value(req.query).end_object();
      respond(response::json(200, w.take()));
    });
    srv_->route("POST", "/echo", [](request req, responder respond) {
      respond(response::json(201, req.body));
    });
    srv_->route("GET", "/echo", [](request, responder respond) {
      respond(response::json(200, "{}"));
    });
    srv_->route("GET", "/secret", [](request, responder respond) {
      respond(response::json(200, R"({"secret":true})"));
    }, route_options{std::string{"s3cret"}});
    srv_->route("GET", "/later", [this](request, responder respond) { parked_.park(respond); });
    srv_->route("GET", "/throws", [](request, responder) -> void {
      throw std::runtime_error("the handler broke");
    });
    srv_->route("GET", "/drops", [](request, responder) {});
    port_ = srv_->start();
  }

  raw_response exchange(const std::string& bytes) {
    raw_socket client{port_};
    client.send(bytes);
    auto r = client.read_response();
    EXPECT_TRUE(r) << "no response to " << bytes;
    return r.value_or(raw_response{});
  }

  std::unique_ptr<server> srv_;
  std::uint16_t port_ = 0;
  parked_responders parked_;
};

TEST_F(HttpServer, PortZeroBindsAFreePortAndReportsIt) {
  start();
  EXPECT_NE(port_, 0);
  EXPECT_EQ(srv_->port(), port_);
}

TEST_F(HttpServer, RoutesByPathAndGivesCapturesAndQuery) {
  start();
  auto r = exchange(raw_request("GET", "/things/42/parts/wheel?x=1"));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"id":"42","part":"wheel","query":"x=1"})");
  EXPECT_EQ(http::find_header(r.headers, "content-type"), "application/json");
}

TEST_F(HttpServer, UnknownPathIs404AndWrongMethodIs405NamingTheAllowedOnes) {
  start();
  auto missing = exchange(raw_request("GET", "/nothing/here"));
  expect_error(missing, 404, "not_found");
  EXPECT_NE(missing.body.find("/nothing/here"), std::string::npos);

  auto wrong = exchange(raw_request("DELETE", "/echo"));
  expect_error(wrong, 405, "method_not_allowed");
  EXPECT_EQ(http::find_header(wrong.headers, "Allow"), "POST, GET");
}

TEST_F(HttpServer, KeepAliveServesSeveralRequestsOnOneConnection) {
  start();
  raw_socket client{port_};
  for (int i = 0; i < 3; ++i) {
    std::string body = R"({"n":)" + std::to_string(i) + "}";
    client.send(raw_request("POST", "/echo", body));
    auto r = client.read_response();
    ASSERT_TRUE(r) << "request " << i << " got no answer on the kept-alive connection";
    EXPECT_EQ(r->status, 201u);
    EXPECT_EQ(r->body, body);
  }
  // Two pipelined requests in one write are answered in order.
  client.send(raw_request("GET", "/things/1/parts/a") + raw_request("GET", "/things/2/parts/b"));
  auto first = client.read_response();
  auto second = client.read_response();
  ASSERT_TRUE(first && second);
  EXPECT_NE(first->body.find(R"("id":"1")"), std::string::npos);
  EXPECT_NE(second->body.find(R"("id":"2")"), std::string::npos);
}

TEST_F(HttpServer, OversizedBodyIs413AndTheConnectionCloses) {
  server_options options;
  options.body_limit = 1000;
  start(options);
  raw_socket client{port_};
  client.send(raw_request("POST", "/echo", std::string(1001, 'x')));
  auto r = client.read_response();
  ASSERT_TRUE(r);
  expect_error(*r, 413, "body_too_large");
  EXPECT_NE(r->body.find("1000"), std::string::npos) << r->body;
  EXPECT_TRUE(client.await_close());

  auto at_limit = exchange(raw_request("POST", "/echo", std::string(998, ' ') + "{}"));
  EXPECT_EQ(at_limit.status, 201u);
}

TEST_F(HttpServer, ExpectContinueIsAnsweredBeforeTheBodyAndAnOversizedOneIsRefusedFromItsHeader) {
  server_options options;
  options.body_limit = 1000;
  start(options);
  raw_socket client{port_};
  const std::string body = R"({"big":")" + std::string(900, 'b') + R"("})";
  client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
  auto go_on = client.read_response();
  ASSERT_TRUE(go_on) << "no 100 Continue: the client would wait before sending its body";
  EXPECT_EQ(go_on->status, 100u);
  client.send(body);
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201u);
  EXPECT_EQ(r->body, body);

  raw_socket big{port_};
  big.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\nExpect: 100-continue\r\n\r\n");
  auto refused = big.read_response();
  ASSERT_TRUE(refused);
  expect_error(*refused, 413, "body_too_large");
}

TEST_F(HttpServer, OversizedHeadersAre431) {
  server_options options;
  options.header_limit = 1024;
  start(options);
  auto r = exchange(raw_request("GET", "/echo", "", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  expect_error(r, 431, "headers_too_large");
}

TEST_F(HttpServer, MalformedRequestIs400AndTheConnectionCloses) {
  start();
  raw_socket client{port_};
  client.send("THIS IS NOT HTTP\r\n\r\n");
  auto r = client.read_response();
  ASSERT_TRUE(r);
  expect_error(*r, 400, "malformed_request");
  EXPECT_TRUE(client.await_close());

  auto bad_length = exchange("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: banana\r\n\r\n");
  EXPECT_EQ(bad_length.status, 400u);
}

TEST_F(HttpServer, ASlowClientGets408AndIsDisconnected) {
  server_options options;
  options.read_timeout = 200ms;
  start(options);
  raw_socket client{port_};
  client.send("GET /echo HTTP/1.1\r\nHost: 127.0.0.1\r\n");  // the headers never end
  auto r = client.read_response();
  ASSERT_TRUE(r) << "the server neither answered nor closed within the test's patience";
  expect_error(*r, 408, "request_timeout");
  EXPECT_TRUE(client.await_close());
}

TEST_F(HttpServer, AnIdleKeptAliveConnectionIsClosedSilently) {
  server_options options;
  options.idle_timeout = 200ms;
  start(options);
  raw_socket client{port_};
  client.send(raw_request("GET", "/echo"));
  ASSERT_TRUE(client.read_response());
  EXPECT_TRUE(client.await_close());
}

TEST_F(HttpServer, BearerTokenIsCheckedPerRoute) {
  start();
  auto none = exchange(raw_request("GET", "/secret"));
  expect_error(none, 401, "unauthorized");
  EXPECT_EQ(http::find_header(none.headers, "WWW-Authenticate"), "Bearer");

  auto wrong = exchange(raw_request("GET", "/secret", "", "Authorization: Bearer nope\r\n"));
  EXPECT_EQ(wrong.status, 401u);
  EXPECT_NE(wrong.body.find("wrong"), std::string::npos);

  auto right = exchange(raw_request("GET", "/secret", "", "Authorization: Bearer s3cret\r\n"));
  EXPECT_EQ(right.status, 200u);
  // Routes without a token stay open.
  EXPECT_EQ(exchange(raw_request("GET", "/echo")).status, 200u);
}

TEST_F(HttpServer, AHandlerAnswersLaterFromAnotherThread) {
  start();
  raw_socket client{port_};
  client.send(raw_request("GET", "/later"));
  auto respond = parked_.take();
  ASSERT_TRUE(respond) << "the handler never ran";
  std::thread answerer{[r = *respond] { r(response::json(202, R"({"late":true})")); }};
  answerer.join();
  auto r = client.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202u);
  EXPECT_EQ(r->body, R"({"late":true})");
  // Answering twice changes nothing, and the connection serves the next request.
  (*respond)(response::json(200, "{}"));
  client.send(raw_request("GET", "/echo"));
  auto next = client.read_response();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body, "{}");
}

TEST_F(HttpServer, AHandlerThatNeverAnswersGets503AfterTheResponseTimeout) {
  server_options options;
  options.response_timeout = 200ms;
  start(options);
  auto r = exchange(raw_request("GET", "/later"));
  expect_error(r, 503, "no_answer_in_time");
}

TEST_F(HttpServer, AHandlerThatThrowsOrDropsTheRequestGets500) {
  start();
  auto thrown = exchange(raw_request("GET", "/throws"));
  expect_error(thrown, 500, "handler_failed");
  EXPECT_NE(thrown.body.find("the handler broke"), std::string::npos);

  auto dropped = exchange(raw_request("GET", "/drops"));
  expect_error(dropped, 500, "no_answer");
}

TEST_F(HttpServer, StopClosesConnectionsAndLateAnswersAreDropped) {
  start();
  raw_socket client{port_};
  client.send(raw_request("GET", "/later"));
  auto respond = parked_.take();
  ASSERT_TRUE(respond);
  srv_->stop();
  EXPECT_TRUE(client.await_close());
  (*respond)(response::json(200, "{}"));  // after stop: dropped, no crash
  srv_.reset();
  (*respond)(response::json(200, "{}"));  // after the server is gone: still harmless
}

TEST_F(HttpServer, SeveralIoThreadsServeConcurrentClients) {
  server_options options;
  options.io_threads = 2;
  start(options);
  std::vector<std::thread> clients;
  std::atomic<int> answered{0};
  for (int c = 0; c < 4; ++c)
    clients.emplace_back([&, c] {
      raw_socket client{port_};
      for (int i = 0; i < 20; ++i) {
        client.send(raw_request("GET", "/things/" + std::to_string(c) + "/parts/" + std::to_string(i)));
        if (auto r = client.read_response(); r && r->status == 200)
          ++answered;
      }
    });
  for (auto& t : clients)
    t.join();
  EXPECT_EQ(answered.load(), 80);
}

TEST(HttpServerSetup, ABadRoutePatternOrABusyPortIsRefusedByName) {
  server srv{server_options{}};
  EXPECT_THROW(srv.route("GET", "no-slash", [](request, responder) {}), std::invalid_argument);
  EXPECT_THROW(srv.route("GET", "/a/x{id}", [](request, responder) {}), std::invalid_argument);
  auto port = srv.start();
  server_options same;
  same.port = port;
  server other{same};
  try {
    other.start();
    ADD_FAILURE() << "a second server bound the same port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string{e.what()}.find(std::to_string(port)), std::string::npos) << e.what();
    EXPECT_NE(std::string{e.what()}.find("bind"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace meshjobs::http
