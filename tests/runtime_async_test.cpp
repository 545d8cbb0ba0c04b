// Asynchronous jobs (job_type::start) and what every running job may ask of the runtime:
// timers, progress, enqueue, awaiting other jobs, signals. Tests wait on observer events and
// conditions; timers are real but short, and no test sleeps.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime_fixture.hpp"

namespace meshjobs::testing_support {
namespace {

using namespace std::chrono_literals;
using event_type = event::type;

job_type async_type(std::string kind, std::function<void(async_context&)> start) {
  job_type t;
  t.kind = std::move(kind);
  t.start = std::move(start);
  return t;
}

/// Counts calls and lets the test wait for a count, across threads.
class counter {
 public:
  void bump() {
    {
      std::lock_guard<std::mutex> guard{mutex_};
      ++n_;
    }
    changed_.notify_all();
  }
  int value() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return n_;
  }
  bool wait_at_least(int n) {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, patience, [&] { return n_ >= n; });
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  int n_ = 0;
};

TEST(AsyncJobs, a_timer_ends_the_job_later_and_it_succeeds) {
  harness h;
  auto& rt = h.start({async_type("test.later", [](async_context& ctx) {
    ctx.after(10ms, [&ctx] { ctx.done(); });
  })});
  auto id = rt.enqueue("test.later", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  EXPECT_EQ(h.wait_state(id, job_state::succeeded).attempt, 1);
}

TEST(AsyncJobs, waiting_holds_no_pool_thread) {
  // Both pool threads (node concurrency 2) are held by blocking jobs until the async job has
  // finished: it can only finish if its waits need no thread of the pool.
  harness h{test_config(2)};
  gate release;
  auto waiter = async_type("test.wait", [](async_context& ctx) {
    ctx.after(20ms, [&ctx] { ctx.after(20ms, [&ctx] { ctx.done(); }); });
  });
  waiter.counts_against_concurrency = false;
  auto& rt = h.start({make_type("test.block", [&release](job_context& ctx) { release.pass(ctx); }), waiter});
  auto first = rt.enqueue("test.block", "{}").id;
  auto second = rt.enqueue("test.block", "{}").id;
  ASSERT_TRUE(h.events->wait_started(first));
  ASSERT_TRUE(h.events->wait_started(second));
  auto id = rt.enqueue("test.wait", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  EXPECT_EQ(h.events->count(event_type::finished, first), 0u);
  release.open();
  ASSERT_TRUE(h.events->wait_finished(first));
  ASSERT_TRUE(h.events->wait_finished(second));
}

TEST(AsyncJobs, fail_ends_the_job_with_its_kind_for_the_retry_strategy) {
  harness h;
  auto t = async_type("test.fails", [](async_context& ctx) {
    ctx.after(1ms, [&ctx] { ctx.fail("service_error", "the service said no"); });
  });
  t.retry.retry_on("service_error", wait_strategy::fixed(1h), 3);
  auto& rt = h.start({t});
  auto id = rt.enqueue("test.fails", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  auto o = *h.events->outcome(id);
  EXPECT_EQ(o.kind, outcome_kind::retry);
  EXPECT_EQ(o.error.kind, "service_error");
  EXPECT_EQ(o.error.message, "the service said no");
  EXPECT_EQ(h.wait_state(id, job_state::retrying).last_error.kind, "service_error");
}

TEST(AsyncJobs, a_throw_in_a_callback_fails_the_job_and_only_the_first_end_counts) {
  harness h;
  auto& rt = h.start({async_type("test.throws", [](async_context& ctx) {
    ctx.after(1ms, [&ctx] {
      ctx.after(1ms, [&ctx] { ctx.done(); });  // void: the job has ended by then
      throw job_failure("bad_args", "mesh_id missing");
    });
  })});
  auto id = rt.enqueue([] {
    enqueue_request r;
    r.kind = "test.throws";
    r.max_attempts = 1;
    return r;
  }()).id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::dead);
  EXPECT_EQ(h.wait_state(id, job_state::dead).last_error.kind, "bad_args");
  EXPECT_EQ(h.events->count(event_type::finished, id), 1u);
}

TEST(AsyncJobs, a_cancelled_timer_never_fires) {
  harness h;
  auto& rt = h.start({async_type("test.timers", [](async_context& ctx) {
    auto never = ctx.after(5ms, [&ctx] { ctx.fail("wrong", "a cancelled timer fired"); });
    ctx.cancel_timer(never);
    ctx.after(30ms, [&ctx] { ctx.done(); });
  })});
  auto id = rt.enqueue("test.timers", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
}

TEST(AsyncJobs, a_poll_on_a_timer_is_ended_early_by_a_signal) {
  harness h;
  auto polls = std::make_shared<std::atomic<int>>(0);
  auto& rt = h.start({async_type("test.poll", [polls](async_context& ctx) {
    // Poll every 10 ms (a mesh generation polls its service every 2 s) for up to a minute.
    auto poll = std::make_shared<std::function<void()>>();
    *poll = [&ctx, polls, poll] {
      auto n = ++*polls;
      ctx.progress(n, "poll " + std::to_string(n));
      if (n >= 6000)
        return ctx.fail("timeout", "the service never finished");
      ctx.after(10ms, *poll);
    };
    ctx.after(10ms, *poll);
    ctx.on_signal([&ctx, poll](const std::string& payload) {
      *poll = nullptr;  // breaks the cycle of the poll holding itself
      if (payload == R"({"status":"completed"})")
        ctx.done();
      else
        ctx.fail("bad_signal", payload);
    });
  })});
  auto id = rt.enqueue("test.poll", "{}").id;
  ASSERT_TRUE(h.events->wait_for([&](const auto& es) {
    return recording_observer::count(es, event_type::progress, id) >= 2;
  }));
  EXPECT_EQ(rt.signal(id, R"({"status":"completed"})"), signal_status::delivered);
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  EXPECT_LT(polls->load(), 6000);
  EXPECT_GE(polls->load(), 2);
}

TEST(AsyncJobs, a_signal_before_the_handler_is_set_is_kept_for_it) {
  harness h;
  auto& rt = h.start({async_type("test.late_handler", [](async_context& ctx) {
    ctx.progress(1, "started");
    // The handler comes a second later: the signal, sent once the progress was seen (after
    // 100 ms of coalescing), waits for it.
    ctx.after(1s, [&ctx] { ctx.on_signal([&ctx](const std::string&) { ctx.done(); }); });
  })});
  auto id = rt.enqueue("test.late_handler", "{}").id;
  ASSERT_TRUE(h.events->wait_for([&](const auto& es) {
    return recording_observer::count(es, event_type::progress, id) >= 1;
  }));
  EXPECT_EQ(rt.signal(id, "{}"), signal_status::delivered);
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
}

TEST(AsyncJobs, a_signal_to_a_job_not_running_says_so) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  enqueue_request later;
  later.kind = "test.noop";
  later.wait_us = std::chrono::microseconds(1h).count();
  auto waiting = rt.enqueue(later).id;
  EXPECT_EQ(rt.signal(waiting, "{}"), signal_status::not_running);
  auto ran = rt.enqueue("test.noop", "{}").id;
  h.wait_state(ran, job_state::succeeded);
  EXPECT_EQ(rt.signal(ran, "{}"), signal_status::not_running);
  EXPECT_EQ(rt.signal(987654, "{}"), signal_status::not_found);
  EXPECT_THROW(rt.signal(waiting, "[1,2]"), std::invalid_argument);
  EXPECT_THROW(rt.signal(waiting, "{\"a\":"), std::invalid_argument);
}

TEST(AsyncJobs, a_parent_enqueues_children_and_ends_when_all_have_ended) {
  // Node concurrency 1 and a parent that does not count against it: the children run one at
  // a time while the parent waits. Were the parent counted, no child could ever start.
  harness h{test_config(1)};
  constexpr int children = 5;
  auto ends = std::make_shared<std::vector<job_end>>();
  auto ends_mutex = std::make_shared<std::mutex>();
  auto child = make_type("test.child", [](job_context& ctx) {
    if (ctx.args() == R"({"fail":true})")
      throw job_failure("service_error", "this child fails");
  });
  auto parent = async_type("test.parent", [ends, ends_mutex](async_context& ctx) {
    std::vector<enqueue_request> reqs;
    for (int i = 0; i < children; ++i) {
      enqueue_request r;
      r.kind = "test.child";
      r.args = i == 2 ? R"({"fail":true})" : "{\"n\":" + std::to_string(i) + "}";
      r.max_attempts = 1;
      reqs.push_back(std::move(r));
    }
    ctx.enqueue_many(std::move(reqs), [&ctx, ends, ends_mutex](const std::vector<enqueue_reply>& replies) {
      std::vector<job_id> ids;
      for (const auto& r : replies) {
        if (r.status != enqueue_status::enqueued)
          return ctx.fail("enqueue", r.error);
        ids.push_back(r.id);
      }
      ctx.progress(50, "children enqueued");
      ctx.await(ids, [&ctx, ends, ends_mutex](const std::vector<job_end>& all) {
        {
          std::lock_guard<std::mutex> guard{*ends_mutex};
          *ends = all;
        }
        ctx.done();
      });
    });
  });
  parent.counts_against_concurrency = false;
  auto& rt = h.start({child, parent});
  auto id = rt.enqueue("test.parent", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);

  std::lock_guard<std::mutex> guard{*ends_mutex};
  ASSERT_EQ(ends->size(), static_cast<std::size_t>(children));
  const auto parent_end = h.events->position(event_type::finished, id);
  for (int i = 0; i < children; ++i) {
    const auto& e = (*ends)[static_cast<std::size_t>(i)];
    EXPECT_TRUE(e.found);
    EXPECT_EQ(e.state, i == 2 ? job_state::dead : job_state::succeeded) << "child " << i;
    EXPECT_LT(h.events->position(event_type::finished, e.id), parent_end) << "child " << i;
  }
  EXPECT_EQ((*ends)[2].error.kind, "service_error");
}

TEST(AsyncJobs, awaiting_jobs_that_ended_or_never_existed_answers_at_once) {
  harness h;
  auto ends = std::make_shared<std::vector<job_end>>();
  auto done_id = std::make_shared<std::atomic<job_id>>(0);
  auto& rt = h.start({make_type("test.noop", [](job_context&) {}),
                      async_type("test.await", [ends, done_id](async_context& ctx) {
                        ctx.await({done_id->load(), 424242}, [&ctx, ends](const std::vector<job_end>& all) {
                          *ends = all;
                          ctx.done();
                        });
                      })});
  done_id->store(rt.enqueue("test.noop", "{}").id);
  h.wait_state(done_id->load(), job_state::succeeded);
  auto id = rt.enqueue("test.await", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  h.wait_state(id, job_state::succeeded);
  ASSERT_EQ(ends->size(), 2u);
  EXPECT_TRUE((*ends)[0].found);
  EXPECT_EQ((*ends)[0].state, job_state::succeeded);
  EXPECT_FALSE((*ends)[1].found);
  EXPECT_EQ((*ends)[1].id, 424242u);
}

TEST(AsyncJobs, enqueue_replies_come_back_on_the_job) {
  harness h;
  auto reply = std::make_shared<enqueue_reply>();
  auto& rt = h.start({make_type("test.noop", [](job_context&) {}),
                      async_type("test.spawner", [reply](async_context& ctx) {
                        ctx.enqueue("test.noop", R"({"from":"spawner"})", [&ctx, reply](const enqueue_reply& r) {
                          *reply = r;
                          ctx.enqueue("test.unknown", "{}", [&ctx](const enqueue_reply& refused) {
                            if (refused.status == enqueue_status::refused)
                              ctx.done();
                            else
                              ctx.fail("wrong", "an unknown kind was accepted");
                          });
                        });
                      })});
  auto id = rt.enqueue("test.spawner", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  EXPECT_EQ(reply->status, enqueue_status::enqueued);
  EXPECT_EQ(h.wait_state(reply->id, job_state::succeeded).args, R"({"from":"spawner"})");
}

TEST(AsyncJobs, progress_is_coalesced_and_find_returns_the_latest) {
  harness h;
  auto& rt = h.start({async_type("test.chatty", [](async_context& ctx) {
    for (int i = 1; i <= 10000; ++i)
      ctx.progress(i / 100, "step " + std::to_string(i));
    ctx.on_signal([&ctx](const std::string&) { ctx.done(); });
  })});
  auto id = rt.enqueue("test.chatty", "{}").id;
  ASSERT_TRUE(h.events->wait_for([&](const auto& es) {
    for (const auto& e : es)
      if (e.what == event_type::progress && e.value.id == id && e.value.progress_message == "step 10000")
        return true;
    return false;
  }));
  EXPECT_LE(h.events->count(event_type::progress, id), 3u) << "10,000 reports were not coalesced";
  auto running = h.find(id);
  EXPECT_EQ(running.state, job_state::running);
  EXPECT_EQ(running.progress, 100);
  EXPECT_EQ(running.progress_message, "step 10000");
  EXPECT_EQ(rt.signal(id, "{}"), signal_status::delivered);
  auto ended = h.wait_state(id, job_state::succeeded);
  EXPECT_EQ(ended.progress, 100);
  EXPECT_EQ(ended.progress_message, "step 10000");
}

TEST(AsyncJobs, the_last_progress_reaches_the_job_before_its_outcome) {
  harness h;
  auto& rt = h.start({async_type("test.report_and_end", [](async_context& ctx) {
    ctx.progress(42, "almost");
    ctx.done();
  })});
  auto id = rt.enqueue("test.report_and_end", "{}").id;
  // Progress that came after the outcome would find the job ended and be dropped.
  auto ended = h.wait_state(id, job_state::succeeded);
  EXPECT_EQ(ended.progress, 42);
  EXPECT_EQ(ended.progress_message, "almost");
}

TEST(AsyncJobs, a_timeout_stops_the_job_and_voids_its_timers) {
  harness h;
  using steady = std::chrono::steady_clock;
  auto late_calls = std::make_shared<std::atomic<int>>(0);
  auto slow_started = std::make_shared<std::atomic<steady::rep>>(0);
  auto t = async_type("test.slow", [late_calls, slow_started](async_context& ctx) {
    if (ctx.args() == R"({"fast":true})")
      return void(ctx.after(10ms, [&ctx] { ctx.done(); }));
    slow_started->store(steady::now().time_since_epoch().count());
    ctx.after(300ms, [&ctx, late_calls] {
      ++*late_calls;
      ctx.done();
    });
  });
  t.timeout = 100ms;
  t.retry.retry_on(std::string{error_kinds::timeout}, wait_strategy::fixed(1h), 1);
  auto& rt = h.start({t});
  auto slow = rt.enqueue("test.slow", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(slow));
  EXPECT_EQ(h.events->outcome(slow)->error.kind, "timeout");
  // Timers of one actor fire in deadline order: once a fast job enqueued after the slow job's
  // 300 ms timer was due has finished, that timer has fired too, and must have been void.
  const auto slow_timer_due = steady::time_point{steady::duration{slow_started->load()}} + 300ms;
  for (;;) {
    const auto enqueued_at = steady::now();
    auto fast = rt.enqueue("test.slow", R"({"fast":true})").id;
    ASSERT_TRUE(h.events->wait_finished(fast));
    ASSERT_EQ(h.events->outcome(fast)->kind, outcome_kind::succeeded);
    if (enqueued_at > slow_timer_due)
      break;
  }
  EXPECT_EQ(late_calls->load(), 0);
  EXPECT_EQ(h.events->count(event_type::finished, slow), 1u);
  EXPECT_EQ(h.wait_state(slow, job_state::dead).last_error.kind, "timeout");
}

TEST(AsyncJobs, cancel_stops_the_job_at_once_and_its_later_done_is_ignored) {
  harness h;
  auto late_calls = std::make_shared<std::atomic<int>>(0);
  auto& rt = h.start({async_type("test.cancel_me", [late_calls](async_context& ctx) {
    ctx.progress(1, "waiting");
    ctx.after(150ms, [&ctx, late_calls] {
      ++*late_calls;
      ctx.done();
    });
  })});
  auto id = rt.enqueue("test.cancel_me", "{}").id;
  ASSERT_TRUE(h.events->wait_started(id));
  EXPECT_EQ(rt.cancel(id), cancel_status::stopping);
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::cancelled);
  EXPECT_EQ(h.wait_state(id, job_state::cancelled).state, job_state::cancelled);
  // A job started after the cancel has a later 150 ms timer: once it ran, the cancelled one's
  // was due, and was void.
  auto next = rt.enqueue("test.cancel_me", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(next));
  EXPECT_EQ(late_calls->load(), 1);  // the second job's only
  EXPECT_EQ(h.events->count(event_type::finished, id), 1u);
}

TEST(AsyncJobs, a_task_posted_from_another_thread_runs_on_the_job) {
  harness h;
  auto worker = std::make_shared<std::thread>();
  auto& rt = h.start({async_type("test.io", [worker](async_context& ctx) {
    auto post = ctx.poster();
    *worker = std::thread([post, &ctx] { post([&ctx] { ctx.done(); }); });
  })});
  auto id = rt.enqueue("test.io", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  worker->join();
}

TEST(AsyncJobs, a_type_is_either_synchronous_or_asynchronous) {
  runtime rt{test_config()};
  auto both = async_type("test.both", [](async_context& ctx) { ctx.done(); });
  both.perform = [](job_context&) {};
  EXPECT_THROW(rt.register_type(both), std::invalid_argument);
  auto hooked = async_type("test.hooked", [](async_context& ctx) { ctx.done(); });
  hooked.before_perform.push_back([](job_context&) {});
  EXPECT_THROW(rt.register_type(hooked), std::invalid_argument);
}

TEST(BlockingJobs, report_progress_enqueue_and_read_signals) {
  harness h;
  auto child = std::make_shared<std::atomic<job_id>>(0);
  auto& rt = h.start({make_type("test.noop", [](job_context&) {}),
                      make_type("test.worker", [child](job_context& ctx) {
                        auto r = ctx.enqueue("test.noop", R"({"from":"worker"})");
                        if (r.status != enqueue_status::enqueued)
                          throw job_failure("enqueue", r.error);
                        child->store(r.id);
                        ctx.progress(30, "waiting for the go");
                        auto go = ctx.next_signal(patience);
                        if (!go || *go != R"({"go":1})")
                          throw job_failure("no_signal", go.value_or("none"));
                      })});
  auto id = rt.enqueue("test.worker", "{}").id;
  ASSERT_TRUE(h.events->wait_for([&](const auto& es) {
    return recording_observer::count(es, event_type::progress, id) >= 1;
  }));
  EXPECT_EQ(h.find(id).progress_message, "waiting for the go");
  EXPECT_EQ(rt.signal(id, R"({"go":1})"), signal_status::delivered);
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  EXPECT_EQ(h.wait_state(child->load(), job_state::succeeded).args, R"({"from":"worker"})");
}

TEST(BlockingJobs, next_signal_returns_nothing_once_cancelled) {
  harness h;
  auto saw = std::make_shared<std::atomic<int>>(-1);
  auto& rt = h.start({make_type("test.listen", [saw](job_context& ctx) {
    ctx.progress(1, "listening");
    saw->store(ctx.next_signal(patience * 2).has_value() ? 1 : 0);
  })});
  auto id = rt.enqueue("test.listen", "{}").id;
  ASSERT_TRUE(h.events->wait_for([&](const auto& es) {
    return recording_observer::count(es, event_type::progress, id) >= 1;
  }));
  EXPECT_EQ(rt.cancel(id), cancel_status::stopping);
  ASSERT_TRUE(h.events->wait_finished(id));
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::cancelled);
  EXPECT_EQ(saw->load(), 0);
}

TEST(BlockingJobs, a_non_blocking_handler_cannot_block_its_actor_thread) {
  harness h;
  auto t = make_type("test.on_actor", [](job_context& ctx) { ctx.enqueue("test.on_actor", "{}"); });
  t.blocking = false;
  auto& rt = h.start({t});
  auto id = rt.enqueue([] {
    enqueue_request r;
    r.kind = "test.on_actor";
    r.max_attempts = 1;
    return r;
  }()).id;
  ASSERT_TRUE(h.events->wait_finished(id));
  auto error = h.events->outcome(id)->error;
  EXPECT_EQ(error.kind, error_kinds::crashed);
  EXPECT_NE(error.message.find("actor thread"), std::string::npos) << error.message;
}

}  // namespace
}  // namespace meshjobs::testing_support
