#include "task_pool.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

namespace meshjobs {

task_pool::task_pool(std::size_t threads, std::size_t max_queued) : max_queued_(max_queued) {
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] {
      // Named, or it takes the name of the thread that made it (often a CAF worker, which CAF
      // 0.17 names "caf.multiplexer"), and profiles blame the scheduler for its file I/O.
      pthread_setname_np(pthread_self(), "meshjobs-tasks");
      run();
    });
}

task_pool::~task_pool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    t.join();
}

bool task_pool::post(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || queue_.size() >= max_queued_)
      return false;
    queue_.push_back(std::move(fn));
  }
  ready_.notify_one();
  return true;
}

void task_pool::run() {
  for (;;) {
    std::function<void()> fn;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty())
        return;
      fn = std::move(queue_.front());
      queue_.pop_front();
    }
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("task_pool: a task threw: {}", e.what());
    }
  }
}

}  // namespace meshjobs
