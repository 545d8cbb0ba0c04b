// A job's life around its execution: cancel (queued, scheduled, running) and the graceful stop
// (running jobs finish within the grace; those that outlive it are left to recovery as after a
// crash, their attempt not counted, as the reopened SQLite store shows).
#include <gtest/gtest.h>

#include <thread>

#include "runtime_fixture.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

TEST(RuntimeLifecycle, CancelledQueuedJobNeverRuns) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  auto id = rt.enqueue("test.noop", "{}").id;
  EXPECT_EQ(rt.cancel(id), cancel_status::cancelled);
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));

  EXPECT_EQ(h.state_of(id), job_state::cancelled);
  EXPECT_EQ(h.events->count(event::type::started, id), 0u);
  EXPECT_EQ(rt.cancel(id), cancel_status::finished);
  EXPECT_EQ(rt.cancel(id + 1000), cancel_status::not_found);
}

TEST(RuntimeLifecycle, CancelledScheduledJobNeverRunsWhenItsTimeComes) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  enqueue_request later;

  later.kind = "test.noop";
  later.wait_us = seconds_us(60);
  auto id = rt.enqueue(later).id;
  EXPECT_EQ(rt.cancel(id), cancel_status::cancelled);
  h.clock->advance(61s);
  rt.tick();
  ASSERT_TRUE(rt.drain(patience));

  EXPECT_EQ(h.state_of(id), job_state::cancelled);
  EXPECT_EQ(h.events->count(event::type::started, id), 0u);
  EXPECT_EQ(rt.stats().scheduled, 0u);
}

TEST(RuntimeLifecycle, CancelledRunningJobIsAskedToStopAndEndsCancelled) {
  auto never = std::make_shared<gate>();
  auto entered = std::make_shared<gate>();
  auto saw_cancel = std::make_shared<gate>();
  harness h;
  auto t = make_type("test.long", [never, entered, saw_cancel](job_context& ctx) {
    entered->open();
    if (!never->pass(ctx) && ctx.cancelled())
      saw_cancel->open();  // and returns early, as a cooperative handler does
  });
  t.retry.otherwise(wait_strategy::fixed(1s), 5);
  auto& rt = h.start({std::move(t)});

  auto id = rt.enqueue("test.long", "{}").id;
  // In the handler, not just dispatched: a blocking job cancelled before a pool thread takes
  // it never starts (and ends cancelled all the same), which is not what this test is about.
  ASSERT_TRUE(entered->wait_open());
  EXPECT_EQ(rt.cancel(id), cancel_status::stopping);
  EXPECT_TRUE(saw_cancel->wait_open());
  ASSERT_TRUE(h.events->wait_finished(id));

  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::cancelled);
  h.wait_state(id, job_state::cancelled);
  ASSERT_TRUE(rt.drain(patience)) << "a cancelled job is not retried";
  EXPECT_EQ(h.events->count(event::type::started, id), 1u);
}

TEST(RuntimeLifecycle, StopLetsARunningJobFinishWithinTheGrace) {
  temp_db db;
  auto release = std::make_shared<gate>();
  auto completed = std::make_shared<std::atomic<bool>>(false);
  harness h{sqlite_test_config(db.path())};
  auto& rt = h.start({make_type("test.slow", [release, completed](job_context& ctx) {
    if (release->pass(ctx))
      *completed = true;
  })});

  auto id = rt.enqueue("test.slow", "{}").id;
  ASSERT_TRUE(h.events->wait_started(id));
  std::thread stopper([&rt] { rt.stop(); });
  // The node refuses work once the stop has begun (an unknown kind is refused for that first).
  while (rt.enqueue("test.none", "{}").error.rfind("node is shutting down", 0) != 0)
    std::this_thread::yield();
  release->open();
  stopper.join();

  EXPECT_TRUE(completed->load());
  ASSERT_TRUE(h.events->outcome(id).has_value());
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::succeeded);
  h.stop();
  auto reopened = open_store(h.cfg.store);
  auto kept = reopened->get(id);
  ASSERT_TRUE(kept.has_value()) << "a succeeded job is kept, finished, in the file";
  EXPECT_EQ(kept->state, job_state::succeeded);
  EXPECT_EQ(reopened->size(), reopened->finished()) << "nothing is left to run";
}

TEST(RuntimeLifecycle, JobOutlivingTheGraceIsLeftToRecoveryWithItsAttemptNotCounted) {
  temp_db db;
  auto release = std::make_shared<gate>();
  auto cfg = sqlite_test_config(db.path());
  cfg.timeout_s = 1;  // the shutdown grace
  auto slow = [release] {
    auto t = make_type("test.slow", [release](job_context& ctx) { release->pass(ctx); });
    t.timeout = 60s;  // its own execution bound: longer than the grace
    return t;
  };
  job_id id = 0;
  {
    harness h{cfg};
    auto& rt = h.start({slow()});
    id = rt.enqueue("test.slow", "{}").id;
    ASSERT_TRUE(h.events->wait_started(id));
    rt.stop();
    auto o = h.events->outcome(id);
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->kind, outcome_kind::abandoned);
    EXPECT_EQ(o->error.kind, error_kinds::shutdown);
  }
  {
    // Its handler may still run on a thread the stop left behind: as after a crash.
    auto reopened = open_store(cfg.store);
    auto j = reopened->get(id);
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ(j->state, job_state::running);
    EXPECT_EQ(j->attempt, 1);
  }
  release->open();
  harness h{cfg};
  h.start({slow()});
  auto j = h.wait_state(id, job_state::succeeded);
  EXPECT_EQ(j.attempt, 1) << "the interrupted execution is not counted";
  EXPECT_EQ(j.recoveries, 1);
}

}  // namespace
}  // namespace meshjobs
