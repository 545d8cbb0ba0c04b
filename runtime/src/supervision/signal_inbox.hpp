// The signals waiting for a synchronous handler: its supervisor pushes them (from an actor
// thread), the handler takes them with job_context::next_signal (on a pool thread). One per
// execution slot, emptied when the slot starts a job, so a signal never reaches the next job.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>

namespace meshjobs {

class signal_inbox {
 public:
  void push(std::string payload);
  void clear();
  /// The oldest signal, waiting up to `timeout`; nothing on timeout or once `stop()` is true
  /// (looked at every few milliseconds: a cancel flag has no notification).
  std::optional<std::string> next(std::chrono::milliseconds timeout, const std::function<bool()>& stop);

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::deque<std::string> payloads_;
};

}  // namespace meshjobs
