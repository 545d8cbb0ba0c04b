// A small bounded pool for the pipeline's blocking chores that are not jobs: an HTTP handler's
// record reads and writes, an asynchronous job's file writes. A full queue refuses the task
// (the caller answers 503 or fails the job) instead of growing without bound.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace meshjobs {

class task_pool {
 public:
  task_pool(std::size_t threads, std::size_t max_queued);
  ~task_pool();  ///< runs what is queued, then joins
  task_pool(const task_pool&) = delete;
  task_pool& operator=(const task_pool&) = delete;

  /// False when `max_queued` tasks already wait (or the pool is stopping): `fn` will not run.
  bool post(std::function<void()> fn);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> queue_;
  std::size_t max_queued_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace meshjobs
