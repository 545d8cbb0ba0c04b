#include "mesher_threads.hpp"

namespace meshjobs::mesher_service {

mesher_threads::mesher_threads(std::size_t count) {
  for (std::size_t i = 0; i < (count == 0 ? 1 : count); ++i)
    threads_.emplace_back([this] { work(); });
}

mesher_threads::~mesher_threads() {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    stopping_ = true;
    queue_.clear();
  }
  changed_.notify_all();
  for (auto& t : threads_)
    t.join();
}

void mesher_threads::post(std::function<void()> task) {
  {
    std::lock_guard<std::mutex> guard{mutex_};
    queue_.push_back(std::move(task));
  }
  changed_.notify_one();
}

void mesher_threads::work() {
  std::unique_lock<std::mutex> guard{mutex_};
  for (;;) {
    changed_.wait(guard, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_)
      return;
    auto task = std::move(queue_.front());
    queue_.pop_front();
    guard.unlock();
    task();
    guard.lock();
  }
}

}  // namespace meshjobs::mesher_service
