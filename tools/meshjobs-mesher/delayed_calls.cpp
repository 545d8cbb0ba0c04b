#include "delayed_calls.hpp"

namespace meshjobs::mesher_service {

delayed_calls::delayed_calls() : thread_([this] { run(); }) {}

delayed_calls::~delayed_calls() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void delayed_calls::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    due_.emplace(std::chrono::steady_clock::now() + delay, std::move(fn));
  }
  changed_.notify_all();
}

void delayed_calls::run() {
  std::unique_lock<std::mutex> guard{mutex_};
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(guard);
      continue;
    }
    auto first = due_.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      changed_.wait_until(guard, first->first);
      continue;
    }
    auto fn = std::move(first->second);
    due_.erase(first);
    guard.unlock();
    fn();
    guard.lock();
  }
}

}  // namespace meshjobs::mesher_service
