// The asynchronous HTTP client made synchronous for tests: one call, its result awaited with a
// deadline (a callback that never comes fails the test instead of hanging it).
#pragma once

#include <chrono>
#include <future>
#include <string>

#include "meshjobs/http/http_client.hpp"

namespace meshjobs::testing {

inline http::client_result sync_call(http::client& c, const std::string& method, const std::string& url,
                                     const std::string& body = "", http::call_options options = {}) {
  auto done = std::make_shared<std::promise<http::client_result>>();
  auto answer = done->get_future();
  c.request(method, url, body, body.empty() ? "" : "application/json",
            [done](http::client_result r) { done->set_value(std::move(r)); }, options);
  if (answer.wait_for(options.timeout + std::chrono::seconds{10}) != std::future_status::ready) {
    http::client_error e;
    e.message = "TEST: no callback for " + method + " " + url;
    return e;
  }
  return answer.get();
}

/// The response of a call that must succeed; a failed call gives status 0 and the error as body.
inline http::client_response sync_ok(http::client& c, const std::string& method, const std::string& url,
                                     const std::string& body = "") {
  auto r = sync_call(c, method, url, body);
  if (auto* e = std::get_if<http::client_error>(&r)) {
    http::client_response failed;
    failed.body = std::string{http::to_string(e->kind)} + ": " + e->message;
    return failed;
  }
  return std::get<http::client_response>(r);
}

}  // namespace meshjobs::testing
