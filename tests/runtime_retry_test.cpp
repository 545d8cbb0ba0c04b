// Failures through the runtime: retry waits follow the job type's strategy on the manual clock,
// attempts count executions in total, exhausted jobs go dead and can be retried by hand,
// discard_on discards, timeouts kill the execution, and restart intensity pauses a type.
#include <gtest/gtest.h>

#include <pthread.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

job_type always_failing(std::string kind, std::string error_kind = "service_error") {
  return make_type(std::move(kind), [error_kind](job_context& ctx) {
    throw job_failure(error_kind, "attempt " + std::to_string(ctx.current().attempt) + " failed");
  });
}

TEST(RuntimeRetry, FixedWaitRetriesExactlyThirtySecondsAfterTheFailureAndCountsAttemptsInTotal) {
  harness h;
  auto t = always_failing("test.flaky");
  t.retry.retry_on("service_error", wait_strategy::fixed(30s), 3);
  auto& rt = h.start({std::move(t)});

  auto id = rt.enqueue("test.flaky", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id, 1));
  auto first = *h.events->outcome(id, 0);
  EXPECT_EQ(first.kind, outcome_kind::retry);
  EXPECT_EQ(first.finished_at, test_start());
  EXPECT_EQ(first.retry_at, first.finished_at + seconds_us(30));
  auto j = h.wait_state(id, job_state::retrying);
  EXPECT_EQ(j.run_at, first.finished_at + seconds_us(30));
  EXPECT_EQ(j.attempt, 1);
  EXPECT_EQ(j.last_error.kind, "service_error");
  EXPECT_EQ(j.last_error.message, "attempt 1 failed");
  EXPECT_EQ(j.last_error.where, "test-node/test.flaky");

  // One microsecond early: still waiting.
  h.clock->set(first.retry_at - 1);
  rt.tick();
  EXPECT_EQ(h.state_of(id), job_state::retrying);
  EXPECT_EQ(h.events->count(event::type::started, id), 1u);

  h.clock->set(first.retry_at);
  rt.tick();
  ASSERT_TRUE(h.events->wait_finished(id, 2));
  auto second = *h.events->outcome(id, 1);
  EXPECT_EQ(second.kind, outcome_kind::retry);
  EXPECT_EQ(second.retry_at, first.retry_at + seconds_us(30));
  EXPECT_EQ(h.wait_state(id, job_state::retrying).attempt, 2);

  h.clock->set(second.retry_at);
  rt.tick();
  ASSERT_TRUE(h.events->wait_finished(id, 3));
  EXPECT_EQ(h.events->outcome(id, 2)->kind, outcome_kind::dead) << "3 attempts means 3 executions";
  EXPECT_EQ(h.wait_state(id, job_state::dead).attempt, 3);
  EXPECT_EQ(h.events->count(event::type::started, id), 3u);
  EXPECT_EQ(rt.stats().dead, 1u);
}

TEST(RuntimeRetry, ExponentialWaitIsExecutionsToTheFourthPlusTwoSecondsPlusAtMostFifteenPercent) {
  harness h;
  auto t = always_failing("test.flaky");
  t.retry.retry_on("service_error", wait_strategy::exponential(), 5);
  auto& rt = h.start({std::move(t)});

  auto id = rt.enqueue("test.flaky", "{}").id;
  for (int execution = 1; execution <= 4; ++execution) {
    ASSERT_TRUE(h.events->wait_finished(id, static_cast<std::size_t>(execution)));
    auto o = *h.events->outcome(id, static_cast<std::size_t>(execution - 1));
    ASSERT_EQ(o.kind, outcome_kind::retry) << "execution " << execution;
    const std::int64_t polynomial = seconds_us(execution * execution * execution * execution);
    const std::int64_t wait = o.retry_at - o.finished_at;
    EXPECT_GE(wait, polynomial + seconds_us(2)) << "execution " << execution;
    EXPECT_LE(wait, polynomial + seconds_us(2) + polynomial * 15 / 100) << "execution " << execution;
    auto j = h.wait_state(id, job_state::retrying);
    EXPECT_EQ(j.run_at, o.retry_at);
    EXPECT_EQ(j.attempt, execution);
    h.clock->set(o.retry_at);
    rt.tick();
  }
  ASSERT_TRUE(h.events->wait_finished(id, 5));
  EXPECT_EQ(h.events->outcome(id, 4)->kind, outcome_kind::dead);
  EXPECT_EQ(h.wait_state(id, job_state::dead).attempt, 5);
}

TEST(RuntimeRetry, MaxAttemptsOfAJobCapsItsTypesRule) {
  harness h;
  auto t = always_failing("test.flaky");
  t.retry.retry_on("service_error", wait_strategy::fixed(30s), 5);
  auto& rt = h.start({std::move(t)});

  enqueue_request once;

  once.kind = "test.flaky";
  once.max_attempts = 1;
  auto id = rt.enqueue(once).id;
  EXPECT_EQ(h.wait_state(id, job_state::dead).attempt, 1);
  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::dead);
}

TEST(RuntimeRetry, ExhaustedJobIsDeadAndRetryDeadRunsItAgainWithFreshAttempts) {
  auto executions = std::make_shared<std::atomic<int>>(0);
  harness h;
  auto t = make_type("test.flaky", [executions](job_context&) {
    if (++*executions <= 2)
      throw job_failure("service_error", "down");
  });
  t.retry.retry_on("service_error", wait_strategy::fixed(1s), 2);
  auto& rt = h.start({std::move(t)});

  auto id = rt.enqueue("test.flaky", "{}").id;
  h.wait_state(id, job_state::retrying);
  h.clock->advance(1s);
  rt.tick();
  h.wait_state(id, job_state::dead);
  auto dead = rt.jobs(job_state::dead);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].id, id);

  EXPECT_TRUE(rt.retry_dead(id));
  auto j = h.wait_state(id, job_state::succeeded);
  EXPECT_EQ(j.attempt, 1) << "a dead job retried by hand starts its attempts afresh";
  EXPECT_EQ(h.events->count(event::type::started, id), 3u);
  EXPECT_EQ(rt.stats().dead, 0u);
  EXPECT_FALSE(rt.retry_dead(id)) << "only a dead job can be retried by hand";
}

/// What discard handlers were called with, and on which thread; the test waits for the calls.
struct discard_calls {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::pair<job_id, std::string>> calls;
  std::vector<std::string> thread_names;

  retry_policy::discard_handler handler() {
    return [this](const job& j, const job_error& e) {
      char name[16] = {};
      pthread_getname_np(pthread_self(), name, sizeof name);
      {
        std::lock_guard<std::mutex> guard{mutex};
        calls.emplace_back(j.id, e.kind);
        thread_names.emplace_back(name);
      }
      changed.notify_all();
    };
  }
  bool wait_calls(std::size_t n) {
    std::unique_lock<std::mutex> guard{mutex};
    return changed.wait_for(guard, patience, [&] { return calls.size() >= n; });
  }
};

TEST(RuntimeRetry, DiscardOnDiscardsTheJobOnceAndCallsItsHandler) {
  auto record = std::make_shared<discard_calls>();
  harness h;
  auto t = always_failing("test.parse", "deserialization");
  t.retry.retry_on("service_error", wait_strategy::fixed(1s), 5)
    .discard_on("deserialization", record->handler());
  auto& rt = h.start({std::move(t)});

  auto id = rt.enqueue("test.parse", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  ASSERT_TRUE(rt.drain(patience)) << "nothing is left to retry";

  EXPECT_EQ(h.events->outcome(id)->kind, outcome_kind::discarded);
  auto j = h.find(id);
  EXPECT_EQ(j.state, job_state::discarded);
  EXPECT_EQ(j.last_error.kind, "deserialization");
  EXPECT_EQ(h.events->count(event::type::started, id), 1u);
  ASSERT_TRUE(record->wait_calls(1));
  h.stop();  // so that a second call would have happened by now
  std::lock_guard<std::mutex> guard{record->mutex};
  EXPECT_EQ(record->calls, (std::vector<std::pair<job_id, std::string>>{{id, "deserialization"}}));
}

TEST(RuntimeRetry, DiscardHandlerRunsOnAPoolThreadNotOnTheActorsThreads) {
  auto record = std::make_shared<discard_calls>();
  harness h;
  auto t = always_failing("test.parse", "deserialization");
  t.blocking = false;  // the handler fails on an actor's thread; its discard handler must not
  t.retry.discard_on("deserialization", record->handler());
  auto& rt = h.start({std::move(t)});

  rt.enqueue("test.parse", "{}");
  ASSERT_TRUE(record->wait_calls(1));
  std::lock_guard<std::mutex> guard{record->mutex};
  EXPECT_EQ(record->thread_names, std::vector<std::string>{"meshjobs-pool"});
}

TEST(RuntimeRetry, TimeoutKillsTheExecutionWhichSeesItselfCancelledAndFailsWithKindTimeout) {
  auto never = std::make_shared<gate>();
  auto handler_saw_cancel = std::make_shared<gate>();
  harness h;
  auto t = make_type("test.hang", [never, handler_saw_cancel](job_context& ctx) {
    if (ctx.args() == R"({"quick":true})")
      return;
    if (!never->pass(ctx) && ctx.cancelled())
      handler_saw_cancel->open();
  });
  t.concurrency = 1;  // the next job runs on the slot that replaced the killed one
  t.timeout = 100ms;
  t.retry.otherwise(wait_strategy::fixed(1s), 1);
  auto& rt = h.start({std::move(t)});

  auto id = rt.enqueue("test.hang", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(id));
  auto o = *h.events->outcome(id);
  EXPECT_EQ(o.kind, outcome_kind::dead);
  EXPECT_EQ(o.error.kind, error_kinds::timeout);
  EXPECT_EQ(o.error.message, "execution exceeded its timeout of 100 ms");
  EXPECT_TRUE(handler_saw_cancel->wait_open()) << "the handler saw ctx.cancelled()";

  auto after = rt.enqueue("test.hang", R"({"quick":true})").id;
  h.wait_state(after, job_state::succeeded);
  auto j = h.find(id);
  EXPECT_EQ(j.state, job_state::dead) << "the late return of the killed handler changes nothing";
  EXPECT_EQ(j.last_error.kind, error_kinds::timeout);
}

TEST(RuntimeRetry, RestartIntensityPausesTheTypeForItsBackoffThenResumes) {
  harness h;
  auto t = make_type("test.dependency", [](job_context& ctx) {
    if (ctx.args() == R"({"fail":true})")
      throw job_failure("service_error", "dependency down");
  });
  t.concurrency = 2;
  t.intensity.max_failures = 0;  // the first failure exceeds it
  t.intensity.window = 60s;
  t.intensity.backoff = 2s;  // real time: long enough to look at the paused type on a slow machine
  t.retry.otherwise(wait_strategy::fixed(1s), 1);
  auto& rt = h.start({std::move(t)});

  auto failing = rt.enqueue("test.dependency", R"({"fail":true})").id;
  ASSERT_TRUE(h.events->wait_count(event::type::paused, 1));
  auto paused = h.events->events();
  auto pause = std::find_if(paused.begin(), paused.end(), [](const event& e) { return e.what == event::type::paused; });
  EXPECT_EQ(pause->kind, "test.dependency");
  EXPECT_EQ(pause->until, test_start() + seconds_us(2));
  h.wait_state(failing, job_state::dead);
  auto stats = rt.stats();
  ASSERT_EQ(stats.types.size(), 1u);
  EXPECT_TRUE(stats.types[0].paused);
  EXPECT_EQ(stats.types[0].paused_until, test_start() + seconds_us(2));
  EXPECT_EQ(stats.types[0].failed, 1u);

  // A free slot remains, but the type is paused: the job waits for the back-off to end.
  auto good = rt.enqueue("test.dependency", "{}").id;
  EXPECT_EQ(h.state_of(good), job_state::enqueued);

  ASSERT_TRUE(h.events->wait_count(event::type::resumed, 1));
  ASSERT_TRUE(h.events->wait_finished(good));
  EXPECT_GT(h.events->position(event::type::started, good),
            h.events->position(event::type::resumed, 0))
    << "no job of a paused type starts before it resumes";
  h.wait_state(good, job_state::succeeded);
  EXPECT_FALSE(rt.stats().types[0].paused);
}

}  // namespace
}  // namespace meshjobs
