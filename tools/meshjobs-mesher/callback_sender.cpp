#include "callback_sender.hpp"

#include <spdlog/spdlog.h>

#include "signature.hpp"

namespace meshjobs::mesher_service {

void callback_sender::send(const std::string& job_id, const std::string& url, std::string body) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto [it, idle] = queued_.try_emplace(job_id);
    if (!idle) {
      it->second.push_back({url, std::move(body)});
      return;
    }
  }
  post(job_id, {url, std::move(body)});
}

void callback_sender::post(const std::string& job_id, pending next) {
  http::call_options options;
  if (!secret_.empty())
    options.headers.emplace_back(signature_header, sign_body(secret_, next.body));
  client_.post_json(next.url, std::move(next.body), [this, job_id, url = next.url](http::client_result r) {
    if (auto* e = std::get_if<http::client_error>(&r))
      spdlog::warn("job {}: callback to {} failed: {}", job_id, url, e->message);
    else if (auto& ok = std::get<http::client_response>(r); ok.status >= 300)
      spdlog::warn("job {}: callback to {} answered {}", job_id, url, ok.status);
    sent(job_id);
  }, options);
}

void callback_sender::sent(const std::string& job_id) {
  pending next;
  {
    std::lock_guard<std::mutex> guard{mutex_};
    auto it = queued_.find(job_id);
    if (it == queued_.end())
      return;
    if (it->second.empty()) {
      queued_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  post(job_id, std::move(next));
}

}  // namespace meshjobs::mesher_service
