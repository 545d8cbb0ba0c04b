// Shared by the runtime behaviour tests: a runtime on a manual clock with a recording observer,
// a gate that blocking handlers wait on, a meter of concurrent executions, and config helpers.
// Tests wait on conditions (observer events, the gate, rt.drain), never on sleeps.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <ostream>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "meshjobs/runtime.hpp"

namespace meshjobs {
// So that gtest prints states and statuses by name.
inline std::ostream& operator<<(std::ostream& os, job_state s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, enqueue_status s) { return os << to_string(s); }
inline std::ostream& operator<<(std::ostream& os, cancel_status s) { return os << to_string(s); }
}  // namespace meshjobs

namespace meshjobs::testing_support {

/// How long a test waits for something that should happen at once: long enough for a loaded
/// machine under sanitizers, short enough that a broken test fails instead of hanging.
inline constexpr std::chrono::milliseconds patience{10000};

/// Microseconds since the epoch of a UTC calendar time.
inline timestamp utc(int year, int month, int day, int hour, int minute, int second = 0) {
  std::tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = hour;
  t.tm_min = minute;
  t.tm_sec = second;
  return static_cast<timestamp>(::timegm(&t)) * 1000000;
}

inline constexpr timestamp seconds_us(std::int64_t s) { return s * 1000000; }

/// Where the manual clock of a test starts (not on a minute, so cron slots are unambiguous).
inline timestamp test_start() { return utc(2024, 5, 1, 12, 0, 30); }

/// One thing the runtime told its observers.
struct event {
  enum class type { enqueued, started, finished, paused, resumed, progress };
  type what;
  job value;            ///< the job (enqueued, started, finished)
  job_outcome outcome;  ///< finished
  std::string kind;     ///< paused, resumed
  timestamp until = 0;  ///< paused
  std::int64_t duration_us = 0;  ///< finished
  std::int32_t percent = 0;      ///< progress (its message is value.progress_message)
};

/// Records every observer call in order; tests wait on predicates over the record.
class recording_observer final : public observer {
 public:
  using predicate = std::function<bool(const std::vector<event>&)>;

  void on_enqueued(const job& j) override { record({event::type::enqueued, j, {}, {}, 0, 0}); }
  void on_started(const job& j) override { record({event::type::started, j, {}, {}, 0, 0}); }
  void on_finished(const job& j, const job_outcome& o, std::int64_t duration_us) override {
    record({event::type::finished, j, o, {}, 0, duration_us});
  }
  void on_progress(const job& j, std::int32_t percent, const std::string&) override {
    record({event::type::progress, j, {}, {}, 0, 0, percent});
  }
  void on_type_paused(const std::string& kind, timestamp until) override {
    record({until != 0 ? event::type::paused : event::type::resumed, {}, {}, kind, until, 0});
  }

  /// The `nth` (0-based) finished event of job `id`.
  std::optional<event> finished(job_id id, std::size_t nth = 0) const {
    for (const auto& e : events())
      if (e.what == event::type::finished && e.value.id == id && nth-- == 0)
        return e;
    return std::nullopt;
  }

  /// Waits until `holds(events so far)` is true; false after `timeout`.
  bool wait_for(const predicate& holds, std::chrono::milliseconds timeout = patience) {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, timeout, [&] { return holds(events_); });
  }

  std::vector<event> events() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return events_;
  }

  /// Events of type `what` for job `id` (every job when `id` is 0).
  static std::size_t count(const std::vector<event>& es, event::type what, job_id id = 0) {
    return static_cast<std::size_t>(std::count_if(es.begin(), es.end(), [&](const event& e) {
      return e.what == what && (id == 0 || e.value.id == id);
    }));
  }
  std::size_t count(event::type what, job_id id = 0) const { return count(events(), what, id); }

  bool wait_started(job_id id, std::size_t times = 1) {
    return wait_for([&](const auto& es) { return count(es, event::type::started, id) >= times; });
  }
  bool wait_finished(job_id id, std::size_t times = 1) {
    return wait_for([&](const auto& es) { return count(es, event::type::finished, id) >= times; });
  }
  bool wait_count(event::type what, std::size_t n) {
    return wait_for([&](const auto& es) { return count(es, what) >= n; });
  }

  /// The outcome of the `nth` (0-based) finished execution of job `id`.
  std::optional<job_outcome> outcome(job_id id, std::size_t nth = 0) const {
    for (const auto& e : events())
      if (e.what == event::type::finished && e.value.id == id && nth-- == 0)
        return e.outcome;
    return std::nullopt;
  }

  /// The ids of started jobs, in the order they started.
  std::vector<job_id> start_order() const {
    std::vector<job_id> out;
    for (const auto& e : events())
      if (e.what == event::type::started)
        out.push_back(e.value.id);
    return out;
  }

  /// The position of the `nth` event of type `what` for `id` in the record (npos: none).
  std::size_t position(event::type what, job_id id, std::size_t nth = 0) const {
    auto es = events();
    for (std::size_t i = 0; i < es.size(); ++i)
      if (es[i].what == what && (id == 0 || es[i].value.id == id) && nth-- == 0)
        return i;
    return npos;
  }
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  void record(event e) {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      events_.push_back(std::move(e));
    }
    changed_.notify_all();
  }

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<event> events_;
};

/// Blocking handlers wait on a gate until the test opens it. A cancelled or timed-out job stops
/// waiting too, and so does any wait after `patience`, so a failing test cannot hang the pool.
class gate {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      open_ = true;
    }
    opened_.notify_all();
  }

  /// Waits until the gate opens; false when the job was cancelled (or patience ran out) first.
  bool pass(const job_context& ctx) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    std::unique_lock<std::mutex> guard{mutex_};
    // The cancel flag has no notification: look at it every millisecond.
    while (!open_ && !ctx.cancelled() && std::chrono::steady_clock::now() < give_up)
      opened_.wait_for(guard, std::chrono::milliseconds(1));
    return open_;
  }

  /// For the test's thread: waits until the gate opens; false after `timeout`.
  bool wait_open(std::chrono::milliseconds timeout = patience) {
    std::unique_lock<std::mutex> guard{mutex_};
    return opened_.wait_for(guard, timeout, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

/// Counts executions in progress and the most seen at once (atomics), and lets the test wait
/// until a given number are in progress.
class concurrency_meter {
 public:
  void enter() {
    auto now = current_.fetch_add(1) + 1;
    auto seen = max_.load();
    while (now > seen && !max_.compare_exchange_weak(seen, now)) {
    }
    changed();
  }
  void leave() {
    current_.fetch_sub(1);
    changed();
  }
  int current() const { return current_.load(); }
  int max() const { return max_.load(); }

  bool wait_current(int n, std::chrono::milliseconds timeout = patience) {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, timeout, [&] { return current_.load() == n; });
  }

 private:
  void changed() {
    // Taking the lock orders the change before a waiter's check of the predicate.
    { std::lock_guard<std::mutex> guard{mutex_}; }
    changed_.notify_all();
  }

  std::atomic<int> current_{0};
  std::atomic<int> max_{0};
  std::mutex mutex_;
  std::condition_variable changed_;
};

/// A small node for tests: memory store, short timeout, queues `critical` and `default`.
inline config test_config(int concurrency = 4) {
  config cfg;
  cfg.concurrency = concurrency;
  cfg.timeout_s = 10;
  cfg.queues = {{"critical", 1}, {"default", 1}};
  cfg.node.name = "test-node";
  cfg.node.scheduler_threads = 2;
  return cfg;
}

/// The same node on a SQLite store at `path` (a test's temp_db), for what must survive a restart.
inline config sqlite_test_config(const std::string& path) {
  auto cfg = test_config();
  cfg.store.backend = store_backend::sqlite;
  cfg.store.path = path;
  return cfg;
}

inline job_type make_type(std::string kind, job_handler perform, std::string queue = "default") {
  job_type t;
  t.kind = std::move(kind);
  t.queue = std::move(queue);
  t.perform = std::move(perform);
  return t;
}

/// A runtime on a manual clock with a recording observer: configure `cfg`, then `start`.
class harness {
 public:
  explicit harness(config c = test_config(), timestamp start = test_start())
    : cfg(std::move(c)), clock(std::make_shared<manual_clock>(start)),
      events(std::make_shared<recording_observer>()) {}

  runtime& start(std::vector<job_type> types, std::vector<record_schema> records = {}) {
    rt = std::make_unique<runtime>(cfg, clock);
    for (auto& t : types)
      rt->register_type(std::move(t));
    for (auto& r : records)
      rt->register_records(std::move(r));
    rt->add_observer(events);
    rt->start();
    return *rt;
  }

  /// Stops and destroys the runtime (its store is closed and flushed).
  void stop() { rt.reset(); }

  /// The job as the coordinator has it now; the observer has heard of every step before it.
  job find(job_id id) {
    auto j = rt->find(id);
    EXPECT_TRUE(rt->settle_events(patience)) << "the observer was not handed its events";
    EXPECT_TRUE(j.has_value()) << "job " << id << " not found";
    return j.value_or(job{});
  }
  job_state state_of(job_id id) { return find(id).state; }

  /// Asks until job `id` is in state `s` (each ask is a round trip to the coordinator), and
  /// returns the job as it then is.
  job wait_state(job_id id, job_state s) {
    const auto give_up = std::chrono::steady_clock::now() + patience;
    for (;;) {
      auto j = rt->find(id);
      if ((j && j->state == s) || std::chrono::steady_clock::now() >= give_up) {
        EXPECT_TRUE(rt->settle_events(patience)) << "the observer was not handed its events";
        EXPECT_TRUE(j.has_value()) << "job " << id << " not found";
        EXPECT_EQ(j.value_or(job{}).state, s) << "job " << id << " never reached that state";
        return j.value_or(job{});
      }
      std::this_thread::yield();
    }
  }

  config cfg;
  std::shared_ptr<manual_clock> clock;
  std::shared_ptr<recording_observer> events;
  std::unique_ptr<runtime> rt;
};

}  // namespace meshjobs::testing_support

