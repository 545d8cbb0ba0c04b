#include "supervision/worker_pool.hpp"

#include <pthread.h>
#include <spdlog/spdlog.h>

#include <set>
#include <vector>

namespace meshjobs {

struct worker_pool::lifeline::state {
  std::shared_mutex gate;  // deliveries share it; closing takes it alone
  bool open = true;
};

// Kept alive by the pool and by each of its threads, so that a thread written off long ago can
// still come back and find it.
struct worker_pool::shared {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<queued> tasks;
  bool open = true;
  std::size_t target = 0;           // threads the pool keeps
  std::size_t max_written_off = 0;
  std::unordered_map<std::size_t, std::thread> live;      // counted threads, by number
  std::unordered_set<std::size_t> written_off;             // detached, inside a handler
  std::unordered_map<ticket, std::size_t> running;         // ticket -> thread number
  std::set<ticket> held_back;  // given up on, but kept their thread (bound reached); oldest first
  std::size_t next_thread = 0;
  std::shared_ptr<lifeline::state> line = std::make_shared<lifeline::state>();
};

bool worker_pool::lifeline::deliver(const std::function<void()>& fn) const {
  std::shared_lock<std::shared_mutex> guard{state_->gate};
  if (!state_->open)
    return false;
  fn();
  return true;
}

worker_pool::worker_pool(std::size_t threads, std::size_t max_written_off)
    : shared_(std::make_shared<shared>()) {
  std::lock_guard<std::mutex> guard{shared_->mutex};
  shared_->target = threads;
  shared_->max_written_off = max_written_off;
  for (std::size_t i = 0; i < threads; ++i)
    spawn(shared_);
}

worker_pool::~worker_pool() {
  {
    std::unique_lock<std::shared_mutex> closing{shared_->line->gate};
    shared_->line->open = false;
  }
  std::vector<std::thread> idle;
  std::deque<queued> dropped;
  std::size_t left_behind = 0;
  {
    std::lock_guard<std::mutex> guard{shared_->mutex};
    shared_->open = false;
    dropped.swap(shared_->tasks);
    std::unordered_set<std::size_t> busy;
    for (const auto& [id, thread_number] : shared_->running)
      busy.insert(thread_number);
    for (auto& [number, thread] : shared_->live) {
      if (busy.count(number) != 0) {
        thread.detach();
        shared_->written_off.insert(number);
        ++left_behind;
      } else {
        idle.push_back(std::move(thread));
      }
    }
    shared_->live.clear();
  }
  shared_->ready.notify_all();
  for (auto& t : idle)
    t.join();
  if (left_behind != 0)
    spdlog::warn("pool: {} threads still inside a handler at stop are left behind, not joined",
                 left_behind);
}

void worker_pool::post(ticket t, task fn) {
  {
    std::lock_guard<std::mutex> guard{shared_->mutex};
    shared_->tasks.push_back(queued{t, std::move(fn)});
  }
  shared_->ready.notify_one();
}

void worker_pool::write_off(ticket t) {
  std::lock_guard<std::mutex> guard{shared_->mutex};
  write_off_locked(shared_, t);
}

void worker_pool::write_off_locked(const std::shared_ptr<shared>& s, ticket t) {
  auto run = s->running.find(t);
  if (run == s->running.end() || !s->open)
    return;  // not started (it will not start) or already back
  auto thread = s->live.find(run->second);
  if (thread == s->live.end())
    return;  // written off already
  if (s->written_off.size() >= s->max_written_off) {
    s->held_back.insert(t);
    spdlog::warn("pool: a hung handler keeps its thread: {} threads are written off already "
                 "(node.max_written_off_threads); blocking jobs wait for a free thread",
                 s->written_off.size());
    return;
  }
  s->held_back.erase(t);
  thread->second.detach();
  s->written_off.insert(run->second);
  s->live.erase(thread);
  spawn(s);
  spdlog::warn("pool: a thread held by a hung handler is written off and replaced ({} of at most "
               "{} written off)", s->written_off.size(), s->max_written_off);
}

worker_pool::figures worker_pool::stats() const {
  std::lock_guard<std::mutex> guard{shared_->mutex};
  return {shared_->live.size(), shared_->written_off.size()};
}

void worker_pool::spawn(const std::shared_ptr<shared>& s) {
  auto number = s->next_thread++;
  s->live.emplace(number, std::thread{work, s, number});
}

void worker_pool::work(std::shared_ptr<shared> s, std::size_t me) {
  pthread_setname_np(pthread_self(), thread_name);
  std::unique_lock<std::mutex> guard{s->mutex};
  for (;;) {
    s->ready.wait(guard, [&] { return !s->open || !s->tasks.empty(); });
    if (!s->open)
      return;
    auto item = std::move(s->tasks.front());
    s->tasks.pop_front();
    s->running.emplace(item.id, me);
    guard.unlock();
    item.fn(lifeline{s->line});
    item.fn = nullptr;  // its captures go before the lock is taken again
    guard.lock();
    s->running.erase(item.id);
    s->held_back.erase(item.id);
    if (s->written_off.count(me) != 0)
      break;
  }
  // Written off, and back: this thread ends. Its place goes to a hung handler that the bound
  // held back, if one is still inside its handler.
  s->written_off.erase(me);
  if (!s->held_back.empty()) {
    auto next = *s->held_back.begin();
    s->held_back.erase(s->held_back.begin());
    write_off_locked(s, next);
  }
}

}  // namespace meshjobs
