// Queues through the runtime: limits and node concurrency hold under load, priority and queue
// order decide what runs next, pause holds a queue, node.max_pending bounds admission, and
// time (scheduled jobs, expiry) follows the manual clock.
#include <gtest/gtest.h>

#include <vector>

#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

const queue_stats& queue_named(const runtime_stats& s, const std::string& name) {
  for (const auto& q : s.queues)
    if (q.name == name)
      return q;
  throw std::out_of_range("no queue " + name);
}

TEST(RuntimeQueues, QueueLimitAndNodeConcurrencyAreReachedAndNeverExceeded) {
  auto all = std::make_shared<concurrency_meter>();
  auto critical = std::make_shared<concurrency_meter>();
  auto release = std::make_shared<gate>();
  auto blocking = [&](std::string kind, std::string queue, bool is_critical) {
    return make_type(std::move(kind),
                     [=](job_context& ctx) {
                       all->enter();
                       if (is_critical)
                         critical->enter();
                       release->pass(ctx);
                       if (is_critical)
                         critical->leave();
                       all->leave();
                     },
                     std::move(queue));
  };
  harness h{test_config(4)};
  h.cfg.limits["critical"] = 2;
  auto& rt = h.start({blocking("test.critical", "critical", true), blocking("test.default", "default", false)});

  auto batch_of = [](const std::string& kind) {
    std::vector<enqueue_request> batch(6);
    for (std::size_t i = 0; i < batch.size(); ++i) {
      batch[i].kind = kind;
      batch[i].args = R"({"n":)" + std::to_string(i) + "}";
    }
    return batch;
  };
  // Critical jobs alone stop at the queue's limit, though the node has room for more.
  auto criticals = rt.enqueue_many(batch_of("test.critical"));
  for (const auto& reply : criticals)
    ASSERT_EQ(reply.status, enqueue_status::enqueued) << reply.error;
  ASSERT_TRUE(critical->wait_current(2));
  EXPECT_EQ(h.state_of(criticals[2].id), job_state::enqueued);
  // Other queues take the rest of the node, and no more.
  for (const auto& reply : rt.enqueue_many(batch_of("test.default")))
    ASSERT_EQ(reply.status, enqueue_status::enqueued) << reply.error;
  ASSERT_TRUE(all->wait_current(4));
  auto stats = rt.stats();
  EXPECT_EQ(stats.running, 4u);
  EXPECT_EQ(queue_named(stats, "critical").running, 2u);
  EXPECT_EQ(queue_named(stats, "critical").limit, 2);
  EXPECT_EQ(queue_named(stats, "default").running, 2u);
  EXPECT_EQ(stats.enqueued + stats.running, 12u);

  release->open();
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(h.events->count(event::type::finished), 12u);
  EXPECT_EQ(all->max(), 4) << "node concurrency";
  EXPECT_EQ(critical->max(), 2) << "queue limit";
  for (const auto& e : h.events->events()) {
    if (e.what == event::type::finished) {
      EXPECT_EQ(e.outcome.kind, outcome_kind::succeeded);
    }
  }
}

TEST(RuntimeQueues, WithinAQueueHigherPriorityRunsFirstAndEqualPrioritiesRunInFifoOrder) {
  harness h{test_config(1)};
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  std::vector<job_id> ids;
  for (std::int32_t priority : {0, 5, 0, 10, 5, 0}) {
    enqueue_options opts;
    opts.priority = priority;
    ids.push_back(rt.enqueue("test.noop", "{}", opts).id);
  }
  auto stats = rt.stats();
  EXPECT_TRUE(queue_named(stats, "default").paused);
  EXPECT_EQ(queue_named(stats, "default").size, 6u);
  EXPECT_EQ(h.events->count(event::type::started), 0u);

  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(h.events->start_order(), (std::vector<job_id>{ids[3], ids[1], ids[4], ids[0], ids[2], ids[5]}));
}

TEST(RuntimeQueues, QueuesOfEqualWeightAreServedInStrictConfigOrder) {
  harness h{test_config(1)};
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("critical"));
  ASSERT_TRUE(rt.pause("default"));
  std::vector<job_id> defaults, criticals;
  enqueue_options to_critical;
  to_critical.queue = "critical";
  for (int i = 0; i < 4; ++i)
    defaults.push_back(rt.enqueue("test.noop", "{}").id);
  for (int i = 0; i < 4; ++i)
    criticals.push_back(rt.enqueue("test.noop", "{}", to_critical).id);
  ASSERT_TRUE(rt.resume("critical"));
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));

  auto expected = criticals;
  expected.insert(expected.end(), defaults.begin(), defaults.end());
  EXPECT_EQ(h.events->start_order(), expected);
}

TEST(RuntimeQueues, PausedQueueHoldsItsJobsWhileOtherQueuesRun) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  EXPECT_FALSE(rt.pause("no-such-queue"));
  auto held = rt.enqueue("test.noop", "{}").id;
  enqueue_options to_critical;
  to_critical.queue = "critical";
  auto other = rt.enqueue("test.noop", "{}", to_critical).id;
  ASSERT_TRUE(h.events->wait_finished(other));
  EXPECT_EQ(h.state_of(held), job_state::enqueued);
  EXPECT_EQ(h.events->count(event::type::started, held), 0u);

  ASSERT_TRUE(rt.resume("default"));
  h.wait_state(held, job_state::succeeded);
  EXPECT_FALSE(queue_named(rt.stats(), "default").paused);
}

TEST(RuntimeQueues, ATypeOutOfCreditDoesNotHoldBackTheOtherTypesOfItsQueue) {
  gate g;
  harness h;
  auto slow = make_type("test.slow", [&g](job_context& ctx) { g.pass(ctx); });
  slow.concurrency = 1;
  auto& rt = h.start({std::move(slow), make_type("test.noop", [](job_context&) {})});

  auto first = rt.enqueue("test.slow", "{}").id;
  ASSERT_TRUE(h.events->wait_started(first));
  auto second = rt.enqueue("test.slow", "{}").id;  // waits at the head of `default` for credit
  auto other = rt.enqueue("test.noop", "{}").id;
  EXPECT_TRUE(h.events->wait_for(
    [&](const auto& es) { return recording_observer::count(es, event::type::finished, other) == 1; },
    patience / 2))
    << "a job of another type waited behind a type that had no credit";
  EXPECT_EQ(h.events->count(event::type::started, second), 0u);

  g.open();
  ASSERT_TRUE(h.events->wait_finished(second));
  EXPECT_EQ(h.events->start_order(), (std::vector<job_id>{first, other, second}));
}

TEST(RuntimeQueues, APausedTypeDoesNotHoldBackTheOtherTypesOfItsQueue) {
  harness h;
  auto dependency = make_type("test.dependency", [](job_context& ctx) {
    if (ctx.args() == R"({"fail":true})")
      throw job_failure("service_error", "dependency down");
  });
  dependency.intensity.max_failures = 0;  // the first failure pauses the type
  dependency.intensity.window = 60s;
  dependency.intensity.backoff = 2s;
  dependency.retry.otherwise(wait_strategy::fixed(1s), 1);
  auto& rt = h.start({std::move(dependency), make_type("test.noop", [](job_context&) {})});

  rt.enqueue("test.dependency", R"({"fail":true})");
  ASSERT_TRUE(h.events->wait_count(event::type::paused, 1));
  auto waiting = rt.enqueue("test.dependency", "{}").id;  // at the head of `default`, paused
  auto other = rt.enqueue("test.noop", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(other));
  ASSERT_TRUE(h.events->wait_finished(waiting));
  EXPECT_LT(h.events->position(event::type::finished, other),
            h.events->position(event::type::resumed, 0))
    << "a job of another type waited for the paused type to resume";
  EXPECT_GT(h.events->position(event::type::started, waiting),
            h.events->position(event::type::resumed, 0));
}

TEST(RuntimeQueues, MaxPendingRefusesPastItsBoundWithAnErrorNamingTheSetting) {
  harness h;
  h.cfg.node.max_pending = 2;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  EXPECT_EQ(rt.enqueue("test.noop", "{}").status, enqueue_status::enqueued);
  EXPECT_EQ(rt.enqueue("test.noop", "{}").status, enqueue_status::enqueued);
  auto refused = rt.enqueue("test.noop", "{}");
  EXPECT_EQ(refused.status, enqueue_status::refused);
  EXPECT_EQ(refused.error, "node: 2 jobs pending (node.max_pending): refused until the backlog shrinks");
  EXPECT_EQ(rt.stats().enqueued, 2u);

  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(rt.enqueue("test.noop", "{}").status, enqueue_status::enqueued)
    << "finished jobs no longer count";
}

TEST(RuntimeQueues, MaxPendingCountsLiveJobsNotTheDeadSet) {
  harness h;
  h.cfg.node.max_pending = 2;
  auto t = make_type("test.fail", [](job_context&) { throw job_failure("service_error", "down"); });
  t.retry.otherwise(wait_strategy::fixed(1s), 1);
  auto& rt = h.start({std::move(t)});

  for (int i = 0; i < 2; ++i) {
    h.wait_state(rt.enqueue("test.fail", "{}").id, job_state::dead);
  }
  ASSERT_EQ(rt.stats().dead, 2u);
  auto reply = rt.enqueue("test.fail", "{}");
  EXPECT_EQ(reply.status, enqueue_status::enqueued) << reply.error;
}

TEST(RuntimeQueues, ScheduledJobWaitsForItsTimeOnTheClock) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  enqueue_options in_a_minute;
  in_a_minute.wait = 60s;
  auto later = rt.enqueue("test.noop", "{}", in_a_minute);
  ASSERT_EQ(later.status, enqueue_status::scheduled);
  enqueue_options at_two;
  at_two.at = utc(2024, 5, 1, 14, 0);
  auto at = rt.enqueue("test.noop", "{}", at_two);
  ASSERT_EQ(at.status, enqueue_status::scheduled);
  auto j = rt.find(later.id);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, job_state::scheduled);
  EXPECT_EQ(j->run_at, test_start() + seconds_us(60));
  EXPECT_EQ(rt.find(at.id)->run_at, utc(2024, 5, 1, 14, 0));
  EXPECT_EQ(rt.stats().scheduled, 2u);

  h.clock->advance(59s);
  rt.tick();
  EXPECT_EQ(h.state_of(later.id), job_state::scheduled);

  h.clock->advance(1s);
  rt.tick();
  EXPECT_EQ(h.wait_state(later.id, job_state::succeeded).started_at, test_start() + seconds_us(60));
  EXPECT_EQ(h.state_of(at.id), job_state::scheduled);

  h.clock->set(utc(2024, 5, 1, 14, 0));
  rt.tick();
  EXPECT_EQ(h.wait_state(at.id, job_state::succeeded).started_at, utc(2024, 5, 1, 14, 0));
}

TEST(RuntimeQueues, JobNotStartedBeforeItsDeadlineExpiresAndNeverRuns) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  enqueue_options within_10s;
  within_10s.expires_at = test_start() + seconds_us(10);
  auto queued = rt.enqueue("test.noop", "{}", within_10s).id;
  enqueue_options due_after_its_deadline;
  due_after_its_deadline.wait = 60s;
  due_after_its_deadline.expires_at = test_start() + seconds_us(30);
  auto scheduled = rt.enqueue("test.noop", "{}", due_after_its_deadline).id;
  enqueue_options within_2m;
  within_2m.expires_at = test_start() + seconds_us(120);
  auto in_time = rt.enqueue("test.noop", "{}", within_2m).id;

  h.clock->advance(61s);
  rt.tick();
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));

  for (auto id : {queued, scheduled}) {
    auto j = rt.find(id);
    ASSERT_TRUE(j.has_value());
    EXPECT_EQ(j->state, job_state::expired) << "job " << id;
    EXPECT_EQ(j->last_error.kind, "expired");
    EXPECT_EQ(h.events->count(event::type::started, id), 0u) << "job " << id;
  }
  EXPECT_EQ(h.state_of(in_time), job_state::succeeded);
}

}  // namespace
}  // namespace meshjobs
