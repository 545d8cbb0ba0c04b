// Finished jobs through the runtime: `find` answers with the final state and outcome after a
// restart on a real SQLite file, within the count and age bounds, with long args cut; and
// paged queries through the facade.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "runtime_fixture.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

job_type work_type() { return make_type("test.work", [](job_context&) {}); }

job_type refusing_type() {
  auto t = make_type("test.refuse", [](job_context&) { throw job_failure("bad_args", "no mesh id"); });
  t.retry.discard_on("bad_args");
  return t;
}

TEST(RuntimeFinishedJobs, FindAnswersWithTheOutcomeAfterARestart) {
  temp_db db;
  harness first{sqlite_test_config(db.path())};
  auto& rt = first.start({work_type(), refusing_type()});
  const auto succeeded = rt.enqueue("test.work", R"({"n":1})").id;
  const auto discarded = rt.enqueue("test.refuse", "{}").id;
  enqueue_request later;
  later.kind = "test.work";
  later.wait_us = seconds_us(3600);
  const auto cancelled = rt.enqueue(later).id;
  ASSERT_EQ(rt.cancel(cancelled), cancel_status::cancelled);
  ASSERT_TRUE(rt.drain(patience));
  first.stop();

  harness second{sqlite_test_config(db.path())};
  auto& again = second.start({work_type(), refusing_type()});
  auto ok = again.find(succeeded);
  ASSERT_TRUE(ok.has_value()) << "a succeeded job answers after a restart";
  EXPECT_EQ(ok->state, job_state::succeeded);
  EXPECT_EQ(ok->args, R"({"n":1})");
  EXPECT_NE(ok->finished_at, 0);
  auto refused = again.find(discarded);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->state, job_state::discarded);
  EXPECT_EQ(refused->last_error.kind, "bad_args");
  EXPECT_EQ(refused->last_error.message, "no mesh id");
  auto gone = again.find(cancelled);
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(gone->state, job_state::cancelled);
  EXPECT_EQ(again.cancel(succeeded), cancel_status::finished);
  EXPECT_EQ(second.events->count(event::type::started), 0u) << "nothing finished runs again";
}

TEST(RuntimeFinishedJobs, OnlyTheNewestFinishedJobsAreKeptPastTheCount) {
  auto cfg = test_config();
  cfg.store.finished_max_jobs = 3;
  harness h{cfg};
  auto& rt = h.start({work_type()});
  std::vector<job_id> ids;
  for (int i = 0; i < 5; ++i) {
    ids.push_back(rt.enqueue("test.work", "{}").id);
    ASSERT_TRUE(rt.drain(patience));  // one at a time: they finish in id order
  }
  EXPECT_FALSE(rt.find(ids[0]).has_value());
  EXPECT_FALSE(rt.find(ids[1]).has_value());
  for (std::size_t i = 2; i < ids.size(); ++i)
    EXPECT_TRUE(rt.find(ids[i]).has_value()) << ids[i];
  EXPECT_EQ(rt.jobs(job_state::succeeded).size(), 3u);
}

TEST(RuntimeFinishedJobs, AFinishedJobOlderThanTheAgeIsGone) {
  auto cfg = test_config();
  cfg.store.finished_max_age_s = 600;
  harness h{cfg};
  auto& rt = h.start({work_type()});
  const auto old_job = rt.enqueue("test.work", "{}").id;
  ASSERT_TRUE(rt.drain(patience));
  h.clock->advance(300s);
  const auto young_job = rt.enqueue("test.work", "{}").id;
  ASSERT_TRUE(rt.drain(patience));
  h.clock->advance(301s);
  EXPECT_FALSE(rt.find(old_job).has_value()) << "finished 601 s ago, kept for 600 s";
  EXPECT_TRUE(rt.find(young_job).has_value());
  EXPECT_EQ(rt.jobs(job_state::succeeded).size(), 1u);
}

TEST(RuntimeFinishedJobs, LongArgsReachTheHandlerWholeAndAreCutOnceFinished) {
  auto seen = std::make_shared<std::atomic<std::size_t>>(0);
  harness h;
  auto& rt = h.start({make_type("test.big", [seen](job_context& ctx) { *seen = ctx.args().size(); })});
  const std::string args = "{\"blob\": \"" + std::string(20000, 'z') + "\"}";
  const auto id = rt.enqueue("test.big", args).id;
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(seen->load(), args.size());
  auto j = rt.find(id);
  ASSERT_TRUE(j.has_value());
  EXPECT_EQ(j->args.rfind("{\"truncated_args\": {\"bytes\": 20012,", 0), 0u) << j->args.substr(0, 80);
  EXPECT_LT(j->args.size(), 4200u);
}

TEST(RuntimeFinishedJobs, QueryPagesNewestFirstByQueueAndKindWithACursor) {
  harness h;
  auto gate_open = std::make_shared<gate>();
  auto& rt = h.start({make_type("test.wait", [gate_open](job_context& ctx) { gate_open->pass(ctx); }),
                      make_type("test.urgent", [](job_context&) {}, "critical")});
  rt.pause("default");
  std::vector<job_id> waiting;
  for (int i = 0; i < 25; ++i)
    waiting.push_back(rt.enqueue("test.wait", "{}").id);
  const auto urgent = rt.enqueue("test.urgent", "{}").id;
  ASSERT_TRUE(h.events->wait_finished(urgent));

  job_query q;
  q.by_state = true;
  q.state = job_state::enqueued;
  q.queue = "default";
  q.limit = 10;
  std::vector<job_id> seen;
  for (;;) {
    auto page = rt.query(q);
    for (const auto& j : page.jobs) {
      EXPECT_EQ(j.kind, "test.wait");
      seen.push_back(j.id);
    }
    rt.enqueue("test.wait", "{}");  // newer jobs do not shift the pages still to come
    if (page.next_cursor == 0)
      break;
    q.before_id = page.next_cursor;
  }
  EXPECT_EQ(seen, std::vector<job_id>(waiting.rbegin(), waiting.rend()));

  job_query by_kind;
  by_kind.kind = "test.urgent";
  auto page = rt.query(by_kind);
  ASSERT_EQ(page.jobs.size(), 1u);
  EXPECT_EQ(page.jobs[0].id, urgent);
  EXPECT_EQ(page.jobs[0].state, job_state::succeeded);
  gate_open->open();
  rt.resume("default");
  ASSERT_TRUE(rt.drain(patience));
}

}  // namespace
}  // namespace meshjobs
