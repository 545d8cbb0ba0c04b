// The dead set's bounds: dead_max_age is applied on a timer, not only when another job dies,
// and a dead job retried by hand is counted once, so pruning drops the oldest dead job.
#include <gtest/gtest.h>

#include <algorithm>

#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

/// A type whose every execution fails for good (one attempt).
job_type always_failing() {
  auto t = make_type("test.fail", [](job_context&) { throw job_failure("service_error", "down"); });
  t.retry.retry_on("service_error", wait_strategy::fixed(1s), 1);
  return t;
}

/// Asks the coordinator until `done(job or nullopt)` holds; false after patience.
bool wait_until(runtime& rt, job_id id, const std::function<bool(const std::optional<job>&)>& done) {
  const auto give_up = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < give_up) {
    if (done(rt.find(id)))
      return true;
    std::this_thread::sleep_for(5ms);
  }
  return false;
}

/// Enqueues a job of the always-failing type and waits until it is dead.
job_id enqueue_to_death(harness& h) {
  auto id = h.rt->enqueue("test.fail", "{}").id;
  h.wait_state(id, job_state::dead);
  return id;
}

std::vector<job_id> dead_ids(runtime& rt) {
  std::vector<job_id> ids;
  for (const auto& j : rt.jobs(job_state::dead))
    ids.push_back(j.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

TEST(RuntimeDeadSet, ADeadJobPastDeadMaxAgeIsPrunedWithoutAnotherJobDying) {
  auto cfg = test_config();
  cfg.store.dead_max_age_s = 60;
  harness h{cfg};
  auto& rt = h.start({always_failing()});
  auto id = enqueue_to_death(h);

  h.clock->advance(61s);  // no tick, no other death: only the runtime's own timer can prune it
  EXPECT_TRUE(wait_until(rt, id, [](const std::optional<job>& j) { return !j.has_value(); }))
    << "still in the dead set a minute past dead_max_age";
  EXPECT_EQ(rt.stats().dead, 0u);
}

TEST(RuntimeDeadSet, ADeadJobRetriedByHandIsCountedOnceSoPruningDropsTheOldestDeadJob) {
  auto cfg = test_config();
  cfg.store.dead_max_jobs = 2;
  harness h{cfg};
  auto& rt = h.start({always_failing()});
  auto first = enqueue_to_death(h);
  h.clock->advance(1s);
  auto second = enqueue_to_death(h);

  h.clock->advance(1s);
  ASSERT_TRUE(rt.retry_dead(first));
  ASSERT_TRUE(h.events->wait_finished(first, 2));
  ASSERT_TRUE(wait_until(rt, first, [](const std::optional<job>& j) {
    return !j || j->state == job_state::dead;
  }));
  EXPECT_EQ(dead_ids(rt), (std::vector<job_id>{first, second}))
    << "two dead jobs fit dead_max_jobs = 2: neither is pruned";

  h.clock->advance(1s);
  auto third = enqueue_to_death(h);
  EXPECT_EQ(dead_ids(rt), (std::vector<job_id>{first, third}))
    << "the oldest death (the second job's) is pruned, not the retried job's first death";
}

}  // namespace
}  // namespace meshjobs
