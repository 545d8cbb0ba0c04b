#include "supervision/signal_inbox.hpp"

namespace meshjobs {
namespace {
constexpr std::chrono::milliseconds stop_check_interval{5};
}

void signal_inbox::push(std::string payload) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    payloads_.push_back(std::move(payload));
  }
  arrived_.notify_all();
}

void signal_inbox::clear() {
  std::lock_guard<std::mutex> guard{mutex_};
  payloads_.clear();
}

std::optional<std::string> signal_inbox::next(std::chrono::milliseconds timeout,
                                              const std::function<bool()>& stop) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  std::unique_lock<std::mutex> guard{mutex_};
  while (payloads_.empty()) {
    auto now = std::chrono::steady_clock::now();
    if (now >= give_up || stop())
      return std::nullopt;
    arrived_.wait_until(guard, std::min(give_up, now + stop_check_interval));
  }
  auto payload = std::move(payloads_.front());
  payloads_.pop_front();
  return payload;
}

}  // namespace meshjobs
