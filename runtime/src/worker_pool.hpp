// A bounded pool of threads for handlers that block or burn CPU, so that no CAF scheduler
// thread ever does. Tasks queue FIFO; the pool never grows.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace meshjobs {

class worker_pool {
 public:
  explicit worker_pool(std::size_t threads);
  ~worker_pool();  ///< runs what is queued, then joins
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  void post(std::function<void()> task);
  std::size_t size() const { return threads_.size(); }

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  bool closing_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace meshjobs
