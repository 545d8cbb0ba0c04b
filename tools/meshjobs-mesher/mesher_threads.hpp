// The threads meshjobs-mesher meshes on: a fixed number, a FIFO queue. Unlike the runtime's
// worker_pool (built to write off hung handlers), its destructor drops what is queued and joins
// every thread, since a generation always ends (an injected "hang" only leaves it unfinished,
// without holding a thread), and nothing may outlive the service it reports to.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace meshjobs::mesher_service {

class mesher_threads {
 public:
  explicit mesher_threads(std::size_t count);
  ~mesher_threads();
  mesher_threads(const mesher_threads&) = delete;
  mesher_threads& operator=(const mesher_threads&) = delete;

  void post(std::function<void()> task);
  std::size_t size() const { return threads_.size(); }

 private:
  void work();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace meshjobs::mesher_service
