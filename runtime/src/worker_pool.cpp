#include "worker_pool.hpp"

namespace meshjobs {

worker_pool::worker_pool(std::size_t threads) {
  threads_.reserve(threads);
  for (std::size_t i = 0; i < threads; ++i)
    threads_.emplace_back([this] { work(); });
}

worker_pool::~worker_pool() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    closing_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_)
    t.join();
}

void worker_pool::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    tasks_.push_back(std::move(task));
  }
  ready_.notify_one();
}

void worker_pool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> guard{mutex_};
      ready_.wait(guard, [this] { return closing_ || !tasks_.empty(); });
      if (tasks_.empty())
        return;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace meshjobs
