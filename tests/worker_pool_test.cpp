// The worker pool with handlers that hang: written off and replaced within the bound, held back
// past it, and never joined by the destructor.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>

#include "supervision/worker_pool.hpp"

namespace meshjobs {
namespace {

using namespace std::chrono_literals;
constexpr auto patience = 10s;

/// A latch a task blocks on until the test releases it (never on its own: a hung handler).
class latch {
 public:
  void release() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      released_ = true;
    }
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> guard{mutex_};
    changed_.wait(guard, [this] { return released_; });
  }
  bool released() {
    std::lock_guard<std::mutex> guard{mutex_};
    return released_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool released_ = false;
};

/// Posts a task that says when it starts, then hangs on `hold`.
std::future<void> post_hung(worker_pool& pool, worker_pool::ticket t, std::shared_ptr<latch> hold) {
  auto started = std::make_shared<std::promise<void>>();
  auto future = started->get_future();
  pool.post(t, [started, hold](const worker_pool::lifeline&) {
    started->set_value();
    hold->wait();
  });
  return future;
}

bool eventually(const std::function<bool()>& condition) {
  auto give_up = std::chrono::steady_clock::now() + patience;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > give_up)
      return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(WorkerPool, ThreadOfAHungTaskIsWrittenOffAndReplaced) {
  auto hold = std::make_shared<latch>();
  worker_pool pool{1, 1};
  auto hung = pool.new_ticket();
  ASSERT_EQ(post_hung(pool, hung, hold).wait_for(patience), std::future_status::ready);
  pool.write_off(hung);
  EXPECT_EQ(pool.stats().threads, 1u);
  EXPECT_EQ(pool.stats().written_off, 1u);

  std::promise<void> ran;
  pool.post(pool.new_ticket(), [&](const worker_pool::lifeline&) { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(patience), std::future_status::ready)
    << "the next task waited behind the hung one";

  hold->release();
  EXPECT_TRUE(eventually([&] { return pool.stats().written_off == 0; }))
    << "a written-off thread that came back is still counted";
  EXPECT_EQ(pool.stats().threads, 1u) << "it ended instead of growing the pool";
}

TEST(WorkerPool, PastTheBoundAHungTaskKeepsItsThreadUntilAWrittenOffOneComesBack) {
  auto first = std::make_shared<latch>();
  auto second = std::make_shared<latch>();
  worker_pool pool{1, 1};
  auto a = pool.new_ticket();
  ASSERT_EQ(post_hung(pool, a, first).wait_for(patience), std::future_status::ready);
  pool.write_off(a);
  auto b = pool.new_ticket();
  ASSERT_EQ(post_hung(pool, b, second).wait_for(patience), std::future_status::ready);
  pool.write_off(b);  // the bound is reached: b keeps the only counted thread
  EXPECT_EQ(pool.stats().written_off, 1u);
  EXPECT_EQ(pool.stats().threads, 1u);

  std::promise<bool> ran_after_first_came_back;
  pool.post(pool.new_ticket(), [&](const worker_pool::lifeline&) {
    ran_after_first_came_back.set_value(first->released());
  });
  first->release();  // its thread ends; b is written off in its place and replaced
  auto ran = ran_after_first_came_back.get_future();
  ASSERT_EQ(ran.wait_for(patience), std::future_status::ready) << "b was never written off";
  EXPECT_TRUE(ran.get()) << "a task ran while the bound was reached";
  EXPECT_EQ(pool.stats().written_off, 1u);
  second->release();
  EXPECT_TRUE(eventually([&] { return pool.stats().written_off == 0; }));
}

TEST(WorkerPool, DestructorLeavesAThreadInsideAHandlerBehindAndItsLateResultIsNotDelivered) {
  auto hold = std::make_shared<latch>();
  auto delivered = std::make_shared<std::promise<bool>>();
  auto pool = std::make_unique<worker_pool>(2, 0);
  auto started = std::make_shared<std::promise<void>>();
  pool->post(pool->new_ticket(), [=](const worker_pool::lifeline& line) {
    started->set_value();
    hold->wait();
    delivered->set_value(line.deliver([] {}));
  });
  ASSERT_EQ(started->get_future().wait_for(patience), std::future_status::ready);

  auto destroyed = std::async(std::launch::async, [&] { pool.reset(); });
  EXPECT_EQ(destroyed.wait_for(patience), std::future_status::ready)
    << "the destructor waits for a hung handler";
  hold->release();
  auto result = delivered->get_future();
  ASSERT_EQ(result.wait_for(patience), std::future_status::ready);
  EXPECT_FALSE(result.get()) << "a result delivered after the pool closed";
  destroyed.wait();
}

}  // namespace
}  // namespace meshjobs
