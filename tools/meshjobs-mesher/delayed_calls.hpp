// Calls run after a delay, on one thread of their own: how meshjobs-mesher answers late
// (injected latency) without holding an io thread or a mesher thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace meshjobs::mesher_service {

class delayed_calls {
 public:
  delayed_calls();
  ~delayed_calls();  ///< drops the calls not yet due
  delayed_calls(const delayed_calls&) = delete;
  delayed_calls& operator=(const delayed_calls&) = delete;

  void after(std::chrono::milliseconds delay, std::function<void()> fn);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> due_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace meshjobs::mesher_service
