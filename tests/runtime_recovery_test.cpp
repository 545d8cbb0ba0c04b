// Recovery on start from a SQLite store that a crashed node left behind: jobs that were running
// run again without spending an attempt, a job recovered for the third time is poison, and
// scheduled and retrying jobs keep their times. The jobs are written straight into the file.
#include <gtest/gtest.h>

#include "runtime_fixture.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

job stored_job(job_id id, job_state state) {
  job j;
  j.id = id;
  j.kind = "test.work";
  j.queue = "default";
  j.args = R"({"n":)" + std::to_string(id) + "}";
  j.state = state;
  j.enqueued_at = test_start() - seconds_us(600);
  return j;
}

/// What a node that died leaves in its store.
void write_store(const config& cfg, const std::vector<job>& jobs) {
  auto db = open_store(cfg.store);
  for (const auto& j : jobs)
    db->put(j);
}  // the store commits what is dirty when it closes

job_type work_type() { return make_type("test.work", [](job_context&) {}); }

TEST(RuntimeRecovery, JobsThatWereRunningRunAgainWithoutSpendingAnAttempt) {
  temp_db db;
  auto cfg = sqlite_test_config(db.path());
  auto crashed = stored_job(1, job_state::running);
  crashed.attempt = 2;  // its second execution was cut short
  crashed.started_at = test_start() - seconds_us(5);
  auto waiting = stored_job(2, job_state::enqueued);
  write_store(cfg, {crashed, waiting});

  harness h{cfg};
  auto& rt = h.start({work_type()});
  ASSERT_TRUE(rt.drain(patience));

  auto j = rt.find(1);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, job_state::succeeded);
  EXPECT_EQ(j->attempt, 2) << "the cut-short execution is not counted";
  EXPECT_EQ(j->recoveries, 1);
  EXPECT_EQ(h.events->count(event::type::started, 1), 1u);
  EXPECT_EQ(h.state_of(2), job_state::succeeded);
  EXPECT_GT(rt.enqueue("test.work", "{}").id, 2u) << "ids are never reused";
}

TEST(RuntimeRecovery, JobRecoveredForTheThirdTimeIsPoisonAndDead) {
  temp_db db;
  auto cfg = sqlite_test_config(db.path());
  auto poison = stored_job(7, job_state::running);
  poison.attempt = 1;
  poison.recoveries = 2;
  write_store(cfg, {poison});

  harness h{cfg};
  auto& rt = h.start({work_type()});
  ASSERT_TRUE(rt.drain(patience));

  auto j = rt.find(7);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->state, job_state::dead);
  EXPECT_EQ(j->recoveries, 3);
  EXPECT_EQ(j->last_error.kind, error_kinds::poison);
  EXPECT_EQ(h.events->count(event::type::started, 7), 0u);
  EXPECT_EQ(rt.stats().dead, 1u);
  auto finished = h.events->finished(7);
  ASSERT_TRUE(finished.has_value()) << "observers hear of it";
  EXPECT_EQ(finished->outcome.kind, outcome_kind::dead);
  EXPECT_EQ(finished->outcome.error.kind, error_kinds::poison);
}

TEST(RuntimeRecovery, ScheduledAndRetryingJobsKeepTheirTimes) {
  temp_db db;
  auto cfg = sqlite_test_config(db.path());
  auto scheduled = stored_job(3, job_state::scheduled);
  scheduled.run_at = test_start() + seconds_us(3600);
  auto retrying = stored_job(4, job_state::retrying);
  retrying.attempt = 2;
  retrying.run_at = test_start() + seconds_us(120);
  retrying.last_error = {"service_error", "503", "old-node/test.work"};
  write_store(cfg, {scheduled, retrying});

  harness h{cfg};
  auto& rt = h.start({work_type()});
  auto s = rt.find(3);
  auto r = rt.find(4);
  ASSERT_TRUE(s.has_value() && r.has_value());
  EXPECT_EQ(s->state, job_state::scheduled);
  EXPECT_EQ(s->run_at, scheduled.run_at);
  EXPECT_EQ(r->state, job_state::retrying);
  EXPECT_EQ(r->run_at, retrying.run_at);

  h.clock->set(retrying.run_at);
  rt.tick();
  EXPECT_EQ(h.wait_state(4, job_state::succeeded).attempt, 3);
  EXPECT_EQ(h.state_of(3), job_state::scheduled);
  EXPECT_EQ(h.events->count(event::type::started, 3), 0u);

  h.clock->set(scheduled.run_at);
  rt.tick();
  EXPECT_EQ(h.wait_state(3, job_state::succeeded).started_at, scheduled.run_at);
}

TEST(RuntimeRecovery, UniqueLocksComeBackForLiveJobsOnly) {
  temp_db db;
  auto cfg = sqlite_test_config(db.path());
  auto live = stored_job(1, job_state::scheduled);
  live.run_at = test_start() + seconds_us(3600);
  live.unique = unique_mode::until_executed;
  live.unique_key = "mesh-1";
  auto dead = stored_job(2, job_state::dead);
  dead.unique = unique_mode::until_executed;
  dead.unique_key = "mesh-2";
  dead.finished_at = test_start() - seconds_us(60);
  write_store(cfg, {live, dead});

  harness h{cfg};
  auto& rt = h.start({work_type()});
  enqueue_request opts;
  opts.kind = "test.work";
  opts.has_unique = true;
  opts.unique = unique_mode::until_executed;
  opts.unique_key = "mesh-1";
  auto dup = rt.enqueue(opts);
  EXPECT_EQ(dup.status, enqueue_status::duplicate);
  EXPECT_EQ(dup.id, 1u);
  opts.unique_key = "mesh-2";
  auto after_dead = rt.enqueue(opts);
  EXPECT_EQ(after_dead.status, enqueue_status::enqueued)
    << "a dead job holds no lock after a restart, as before it";
}

}  // namespace
}  // namespace meshjobs
