// The asynchronous HTTP client against the HTTP server on loopback, and against raw sockets
// that misbehave (garbage, resets): answers, error kinds, limits, timeouts, URLs and stop.
#include "meshjobs/http/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "meshjobs/http/http_server.hpp"
#include "meshjobs/http/url.hpp"
#include "process.hpp"

namespace meshjobs::http {
namespace {

using namespace std::chrono_literals;
constexpr auto patience = 10s;

/// The one result of a call, with the thread its callback ran on.
class result_box {
 public:
  client_callback callback() {
    return [this](client_result r) {
      std::lock_guard<std::mutex> guard{mutex_};
      result_ = std::move(r);
      thread_ = std::this_thread::get_id();
      ++calls_;
      changed_.notify_all();
    };
  }
  client_result wait() {
    std::unique_lock<std::mutex> guard{mutex_};
    if (!changed_.wait_for(guard, patience, [&] { return result_.has_value(); }))
      {
      client_error e;
      e.message = "TEST: no callback within patience";
      return e;
    }
    return *result_;
  }
  client_response response() {
    auto r = wait();
    if (auto* e = std::get_if<client_error>(&r)) {
      ADD_FAILURE() << "expected a response, got " << to_string(e->kind) << ": " << e->message;
      return {};
    }
    return std::get<client_response>(r);
  }
  client_error error() {
    auto r = wait();
    if (auto* ok = std::get_if<client_response>(&r)) {
      ADD_FAILURE() << "expected an error, got status " << ok->status << ": " << ok->body;
      return {};
    }
    return std::get<client_error>(r);
  }
  std::thread::id thread() {
    std::lock_guard<std::mutex> guard{mutex_};
    return thread_;
  }
  int calls() {
    std::lock_guard<std::mutex> guard{mutex_};
    return calls_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<client_result> result_;
  std::thread::id thread_;
  int calls_ = 0;
};

/// A listening socket on 127.0.0.1 and a free port; throws when there is none.
int listen_on_loopback(std::uint16_t& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 || ::listen(fd, 4) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("test listener: cannot listen on loopback");
  }
  port = ntohs(addr.sin_port);
  return fd;
}

/// A loopback listener that does one thing to the first connection: write `bytes` and close,
/// or reset it (close with SO_LINGER 0) when `reset` is set.
class misbehaving_listener {
 public:
  misbehaving_listener(std::string bytes, bool reset) {
    fd_ = listen_on_loopback(port_);
    thread_ = std::thread{[this, bytes = std::move(bytes), reset] {
      int conn = ::accept(fd_, nullptr, nullptr);
      if (conn < 0)
        return;
      char request[4096];
      (void)::recv(conn, request, sizeof(request), 0);  // let the client finish sending
      if (reset) {
        linger hard{1, 0};
        ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &hard, sizeof(hard));
      } else {
        (void)::send(conn, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      }
      ::close(conn);
    }};
  }
  ~misbehaving_listener() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

/// A loopback listener that answers each request "200 ok" and counts the connections it took:
/// keeping each open for more (`keep_open`), or closing it after its first answer, as a server
/// closes an idle connection.
class counting_listener {
 public:
  explicit counting_listener(bool keep_open) {
    fd_ = listen_on_loopback(port_);
    thread_ = std::thread{[this, keep_open] {
      for (;;) {
        int conn = ::accept(fd_, nullptr, nullptr);
        if (conn < 0)
          return;
        {
          std::lock_guard<std::mutex> guard{mutex_};
          ++connections_;
          conn_ = conn;
        }
        serve(conn, keep_open);
        {
          std::lock_guard<std::mutex> guard{mutex_};
          conn_ = -1;
          ++closed_;
          changed_.notify_all();
        }
        ::close(conn);
      }
    }};
  }
  ~counting_listener() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      if (conn_ >= 0)
        ::shutdown(conn_, SHUT_RDWR);
    }
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/x"; }
  int connections() {
    std::lock_guard<std::mutex> guard{mutex_};
    return connections_;
  }
  /// Waits until `n` connections were closed on this side.
  bool await_closed(int n) {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, patience, [&] { return closed_ >= n; });
  }

 private:
  /// Answers each GET (no body) that arrives complete, until the client closes.
  static void serve(int conn, bool keep_open) {
    std::string pending;
    char chunk[4096];
    for (;;) {
      auto n = ::recv(conn, chunk, sizeof(chunk), 0);
      if (n <= 0)
        return;
      pending.append(chunk, static_cast<std::size_t>(n));
      for (auto end = pending.find("\r\n\r\n"); end != std::string::npos; end = pending.find("\r\n\r\n")) {
        pending.erase(0, end + 4);
        const std::string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        (void)::send(conn, answer.data(), answer.size(), MSG_NOSIGNAL);
        if (!keep_open)
          return;
      }
    }
  }

  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  int conn_ = -1;
  int connections_ = 0;
  int closed_ = 0;
  std::thread thread_;
};

class HttpClient : public ::testing::Test {
 protected:
  void SetUp() override {
    srv_.route("POST", "/echo", [](request req, responder respond) {
      auto r = response::json(200, req.body);
      r.headers.emplace_back("X-Seen-Trace", req.header("X-Trace").value_or(""));
      respond(std::move(r));
    });
    srv_.route("GET", "/broken", [](request, responder respond) {
      respond(response::error(500, "boom", "the service broke"));
    });
    srv_.route("GET", "/big", [](request, responder respond) {
      respond(response::json(200, "\"" + std::string(5000, 'x') + "\""));
    });
    srv_.route("GET", "/hang", [this](request, responder respond) {
      std::lock_guard<std::mutex> guard{hung_mutex_};
      hung_.push_back(std::move(respond));
    });
    port_ = srv_.start();
  }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }

  server srv_{server_options{}};
  std::uint16_t port_ = 0;
  std::mutex hung_mutex_;
  std::vector<responder> hung_;  // answered never; the server's stop drops them
  client client_;
};

TEST_F(HttpClient, PostsJsonAndGetsTheAnswerOnAnIoThread) {
  result_box box;
  call_options options;
  options.headers.emplace_back("X-Trace", "t-1");
  client_.post_json(url("/echo"), R"({"a":1})", box.callback(), options);
  auto r = box.response();
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"a":1})");
  EXPECT_EQ(find_header(r.headers, "X-Seen-Trace"), "t-1");
  EXPECT_NE(box.thread(), std::this_thread::get_id());
  EXPECT_EQ(box.calls(), 1);
}

TEST_F(HttpClient, A4xxIsAnAnswerAndA5xxIsAServiceError) {
  result_box missing;
  client_.get(url("/nowhere"), missing.callback());
  EXPECT_EQ(missing.response().status, 404u);

  result_box broken;
  client_.get(url("/broken"), broken.callback());
  auto e = broken.error();
  EXPECT_EQ(e.kind, error_kind::service_error);
  EXPECT_EQ(e.status, 500u);
  EXPECT_NE(e.body.find("the service broke"), std::string::npos);
  EXPECT_NE(e.message.find("/broken"), std::string::npos) << e.message;
}

TEST_F(HttpClient, ConnectionRefusedIsAServiceError) {
  result_box box;
  client_.get("http://127.0.0.1:" + std::to_string(testing::free_loopback_port()) + "/health",
              box.callback());
  auto e = box.error();
  EXPECT_EQ(e.kind, error_kind::service_error);
  EXPECT_NE(e.message.find("cannot connect"), std::string::npos) << e.message;
}

TEST_F(HttpClient, NoAnswerInTimeIsAReadTimeout) {
  result_box box;
  call_options options;
  options.timeout = 200ms;
  client_.get(url("/hang"), box.callback(), options);
  auto e = box.error();
  EXPECT_EQ(e.kind, error_kind::read_timeout);
  EXPECT_NE(e.message.find("200 ms"), std::string::npos) << e.message;
}

TEST_F(HttpClient, AnAnswerOverTheLimitIsABadResponse) {
  result_box box;
  call_options options;
  options.response_limit = 1000;
  client_.get(url("/big"), box.callback(), options);
  auto e = box.error();
  EXPECT_EQ(e.kind, error_kind::bad_response);
  EXPECT_TRUE(e.over_limit);
  EXPECT_NE(e.message.find("1000 bytes"), std::string::npos) << e.message;
}

TEST_F(HttpClient, GarbageOrACutShortAnswerIsABadResponse) {
  misbehaving_listener garbage{"SMTP ready, not HTTP at all\r\n\r\n", false};
  result_box g;
  client_.get(garbage.url(), g.callback());
  EXPECT_EQ(g.error().kind, error_kind::bad_response);

  misbehaving_listener cut{"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"partial", false};
  result_box c;
  client_.get(cut.url(), c.callback());
  auto e = c.error();
  EXPECT_EQ(e.kind, error_kind::bad_response);
  EXPECT_NE(e.message.find("cut short"), std::string::npos) << e.message;
}

TEST_F(HttpClient, AResetOrAnUnansweredCloseIsAServiceError) {
  misbehaving_listener reset{"", true};
  result_box r;
  client_.get(reset.url(), r.callback());
  EXPECT_EQ(r.error().kind, error_kind::service_error);

  misbehaving_listener silent{"", false};
  result_box s;
  client_.get(silent.url(), s.callback());
  auto e = s.error();
  EXPECT_EQ(e.kind, error_kind::service_error);
  EXPECT_NE(e.message.find("without an answer"), std::string::npos) << e.message;
}

TEST_F(HttpClient, OneKeptConnectionCarriesTheNextCallsToTheSameHost) {
  counting_listener server{true};
  for (int i = 0; i < 3; ++i) {
    result_box r;
    client_.get(server.url(), r.callback());
    EXPECT_EQ(r.response().body, "ok") << "call " << i;
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(HttpClient, AKeptConnectionTheServerClosedIsRetriedOnANewOne) {
  counting_listener server{false};
  result_box first;
  client_.get(server.url(), first.callback());
  EXPECT_EQ(first.response().body, "ok");
  ASSERT_TRUE(server.await_closed(1)) << "the server closed the connection the client keeps";
  result_box second;
  client_.get(server.url(), second.callback());
  EXPECT_EQ(second.response().body, "ok") << "the closed connection was found out and replaced";
  EXPECT_EQ(server.connections(), 2);
}

TEST_F(HttpClient, BadUrlsAreRefusedByNameWithoutSending) {
  for (std::string bad : {"ftp://127.0.0.1/x", "https://example.org/", "no scheme", "http://",
                          "http://127.0.0.1:99999/", "http://127.0.0.1:80x/"}) {
    result_box box;
    client_.get(bad, box.callback());
    auto e = box.error();
    EXPECT_EQ(e.kind, error_kind::bad_url) << bad;
    EXPECT_NE(e.message.find(bad), std::string::npos) << e.message;
  }
}

TEST_F(HttpClient, StopEndsCallsInFlightWithServiceErrorBeforeReturning) {
  result_box box;
  client_.get(url("/hang"), box.callback());
  for (auto deadline = std::chrono::steady_clock::now() + patience;;) {
    std::lock_guard<std::mutex> guard{hung_mutex_};
    if (!hung_.empty() || std::chrono::steady_clock::now() > deadline)
      break;
  }
  client_.stop();
  EXPECT_EQ(box.calls(), 1);
  auto e = box.error();
  EXPECT_EQ(e.kind, error_kind::service_error);
  EXPECT_NE(e.message.find("client stopped"), std::string::npos) << e.message;

  result_box after;
  client_.get(url("/echo"), after.callback());
  EXPECT_EQ(after.calls(), 1) << "a call after stop is answered at once";
}

TEST(HttpUrl, ParsesHostPortAndTarget) {
  auto u = std::get<url>(parse_url("http://127.0.0.1:8080/status/7?x=1#frag"));
  EXPECT_EQ(u.host, "127.0.0.1");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.target, "/status/7?x=1");
  auto plain = std::get<url>(parse_url("HTTP://localhost"));
  EXPECT_EQ(plain.port, 80);
  EXPECT_EQ(plain.target, "/");
  auto v6 = std::get<url>(parse_url("http://[::1]:9/a"));
  EXPECT_EQ(v6.host, "::1");
  EXPECT_EQ(v6.text(), "http://[::1]:9/a");
}

TEST(HttpUrl, ErrorsNameTheUrlAndTheReason) {
  auto error = [](std::string_view text) { return std::get<std::string>(parse_url(text)); };
  EXPECT_EQ(error("ftp://h/x"), "url 'ftp://h/x': unsupported scheme 'ftp' (only http:// is supported)");
  EXPECT_NE(error("http://:80/").find("no host"), std::string::npos);
  EXPECT_NE(error("http://h:0/").find("invalid port '0'"), std::string::npos);
  EXPECT_NE(error("http://u:p@h/").find("credentials"), std::string::npos);
  EXPECT_NE(error("http://h/a b").find("spaces"), std::string::npos);
  EXPECT_NE(error("/just/a/path").find("not an absolute URL"), std::string::npos);
}

TEST(HttpUrl, ResolvesPathsAgainstABase) {
  auto base = std::get<url>(parse_url("http://10.0.0.1:81/generate"));
  EXPECT_EQ(std::get<url>(resolve_url(base, "/result/7")).text(), "http://10.0.0.1:81/result/7");
  EXPECT_EQ(std::get<url>(resolve_url(base, "http://h:2/m.glb")).text(), "http://h:2/m.glb");
  EXPECT_TRUE(std::holds_alternative<std::string>(resolve_url(base, "relative")));
}

}  // namespace
}  // namespace meshjobs::http
