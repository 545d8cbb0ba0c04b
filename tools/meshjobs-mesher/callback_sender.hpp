// Progress callbacks, POSTed in order per job: the next one of a job leaves when the one before
// it has been answered (or has failed), so a receiver never sees "processing" after "completed"
// because two connections raced. A failed callback is logged and not retried: the status
// endpoint stays the source of truth. With a secret, each body is signed as meshjobs' gateway
// checks it (X-Meshjobs-Signature: sha256=<HMAC-SHA256 of the body>).
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "meshjobs/http/http_client.hpp"

namespace meshjobs::mesher_service {

class callback_sender {
 public:
  explicit callback_sender(http::client& client) : client_(client) {}
  /// Signs every callback from now on with `secret` (empty: unsigned).
  void set_secret(std::string secret) { secret_ = std::move(secret); }
  void send(const std::string& job_id, const std::string& url, std::string body);

 private:
  struct pending {
    std::string url;
    std::string body;
  };
  void post(const std::string& job_id, pending next);
  void sent(const std::string& job_id);

  http::client& client_;
  std::string secret_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<pending>> queued_;  ///< present while one is in flight
};

}  // namespace meshjobs::mesher_service
