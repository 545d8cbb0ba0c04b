// Uniqueness through the runtime, one test per mode and conflict policy: when a duplicate is
// dropped, refused or accepted, and when the lock is given back.
#include <gtest/gtest.h>

#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

job_type gated_unique(std::shared_ptr<gate> release, unique_mode mode) {
  auto t = make_type("test.unique", [release](job_context& ctx) { release->pass(ctx); });
  t.unique = mode;
  return t;
}

TEST(RuntimeUnique, UntilExecutedDropsDuplicatesWhileQueuedOrRunningAndAllowsOneAfterCompletion) {
  auto release = std::make_shared<gate>();
  harness h;
  auto& rt = h.start({gated_unique(release, unique_mode::until_executed)});

  ASSERT_TRUE(rt.pause("default"));
  auto first = rt.enqueue("test.unique", R"({"mesh":1})");
  ASSERT_EQ(first.status, enqueue_status::enqueued);
  auto queued_dup = rt.enqueue("test.unique", R"({"mesh":1})");
  EXPECT_EQ(queued_dup.status, enqueue_status::duplicate);
  EXPECT_EQ(queued_dup.id, first.id) << "a duplicate names the job it duplicates";
  auto other_args = rt.enqueue("test.unique", R"({"mesh":2})");
  EXPECT_EQ(other_args.status, enqueue_status::enqueued) << "the key is kind + args";

  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(h.events->wait_started(first.id));
  auto running_dup = rt.enqueue("test.unique", R"({"mesh":1})");
  EXPECT_EQ(running_dup.status, enqueue_status::duplicate);
  EXPECT_EQ(running_dup.id, first.id);

  release->open();
  h.wait_state(first.id, job_state::succeeded);
  auto after = rt.enqueue("test.unique", R"({"mesh":1})");
  EXPECT_EQ(after.status, enqueue_status::enqueued);
  EXPECT_NE(after.id, first.id);
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(h.events->count(event::type::started), 3u);
}

TEST(RuntimeUnique, UntilExecutedLockIsGivenBackWhenTheJobDies) {
  harness h;
  auto t = make_type("test.unique", [](job_context&) { throw job_failure("service_error", "down"); });
  t.unique = unique_mode::until_executed;
  t.retry.otherwise(wait_strategy::fixed(30s), 2);
  auto& rt = h.start({std::move(t)});

  auto first = rt.enqueue("test.unique", R"({"mesh":1})").id;
  h.wait_state(first, job_state::retrying);
  EXPECT_EQ(rt.enqueue("test.unique", R"({"mesh":1})").status, enqueue_status::duplicate)
    << "a job waiting for its retry still holds the lock";
  h.clock->advance(30s);
  rt.tick();
  h.wait_state(first, job_state::dead);
  EXPECT_EQ(rt.enqueue("test.unique", R"({"mesh":1})").status, enqueue_status::enqueued);
}

TEST(RuntimeUnique, RejectOnConflictRefusesTheDuplicateNamingTheHolderAndTheKey) {
  harness h;
  auto& rt = h.start({make_type("test.unique", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  enqueue_request opts;
  opts.kind = "test.unique";
  opts.has_unique = true;
  opts.unique = unique_mode::until_executed;
  opts.on_conflict = unique_conflict::reject;
  opts.unique_key = "mesh-42";
  opts.args = R"({"mesh":42,"try":1})";
  auto first = rt.enqueue(opts);
  ASSERT_EQ(first.status, enqueue_status::enqueued);
  opts.args = R"({"mesh":42,"try":2})";
  auto second = rt.enqueue(opts);
  EXPECT_EQ(second.status, enqueue_status::refused);
  EXPECT_EQ(second.id, 0u);
  EXPECT_EQ(second.error, "unique: job " + std::to_string(first.id) +
                            " holds unique key \"mesh-42\" (until_executed)");
  EXPECT_EQ(rt.stats().enqueued, 1u);
}

TEST(RuntimeUnique, UntilExecutingDropsDuplicatesWhileQueuedAndAllowsOneOnceStarted) {
  auto release = std::make_shared<gate>();
  harness h;
  auto& rt = h.start({gated_unique(release, unique_mode::until_executing)});

  ASSERT_TRUE(rt.pause("default"));
  auto first = rt.enqueue("test.unique", R"({"mesh":1})");
  ASSERT_EQ(first.status, enqueue_status::enqueued);
  EXPECT_EQ(rt.enqueue("test.unique", R"({"mesh":1})").status, enqueue_status::duplicate);

  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(h.events->wait_started(first.id));
  ASSERT_TRUE(rt.pause("default"));  // keeps the second queued
  auto second = rt.enqueue("test.unique", R"({"mesh":1})");
  EXPECT_EQ(second.status, enqueue_status::enqueued) << "the lock is given back when the job starts";
  EXPECT_EQ(rt.enqueue("test.unique", R"({"mesh":1})").status, enqueue_status::duplicate)
    << "the queued second now holds it";

  release->open();
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(h.state_of(first.id), job_state::succeeded);
  EXPECT_EQ(h.state_of(second.id), job_state::succeeded);
}

TEST(RuntimeUnique, UntilExecutingLockIsGivenBackWhenTheJobEndsWithoutStarting) {
  harness h;
  auto t = make_type("test.unique", [](job_context&) {});
  t.unique = unique_mode::until_executing;
  auto& rt = h.start({std::move(t)});

  ASSERT_TRUE(rt.pause("default"));
  auto cancelled = rt.enqueue("test.unique", R"({"mesh":1})").id;
  EXPECT_EQ(rt.cancel(cancelled), cancel_status::cancelled);
  auto after_cancel = rt.enqueue("test.unique", R"({"mesh":1})");
  EXPECT_EQ(after_cancel.status, enqueue_status::enqueued) << "a cancelled job holds no lock";

  enqueue_request expiring;

  expiring.kind = "test.unique";

  expiring.args = R"({"mesh":2})";
  expiring.expires_at = test_start() + seconds_us(10);
  auto expired = rt.enqueue(expiring).id;
  h.clock->advance(11s);
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(rt.drain(patience));
  ASSERT_EQ(h.state_of(expired), job_state::expired);
  EXPECT_EQ(rt.enqueue("test.unique", R"({"mesh":2})").status, enqueue_status::enqueued)
    << "an expired job holds no lock";
}

TEST(RuntimeUnique, WhileExecutingAcceptsDuplicatesButNeverRunsThemAtTheSameTime) {
  auto release = std::make_shared<gate>();
  auto same_key = std::make_shared<concurrency_meter>();
  harness h;
  auto t = make_type("test.unique", [release, same_key](job_context& ctx) {
    bool counted = ctx.args() == R"({"mesh":1})";
    if (counted)
      same_key->enter();
    release->pass(ctx);
    if (counted)
      same_key->leave();
  });
  t.unique = unique_mode::while_executing;
  auto& rt = h.start({std::move(t)});

  auto first = rt.enqueue("test.unique", R"({"mesh":1})");
  ASSERT_EQ(first.status, enqueue_status::enqueued);
  ASSERT_TRUE(h.events->wait_started(first.id));
  auto second = rt.enqueue("test.unique", R"({"mesh":1})");
  auto third = rt.enqueue("test.unique", R"({"mesh":1})");
  ASSERT_EQ(second.status, enqueue_status::enqueued) << "duplicates are accepted";
  ASSERT_EQ(third.status, enqueue_status::enqueued);
  EXPECT_NE(second.id, first.id);
  auto other = rt.enqueue("test.unique", R"({"mesh":2})");
  ASSERT_TRUE(h.events->wait_started(other.id)) << "free slots run other keys";
  EXPECT_EQ(h.state_of(second.id), job_state::enqueued) << "it waits for the first to end";
  EXPECT_EQ(h.state_of(third.id), job_state::enqueued);

  release->open();
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(same_key->max(), 1);
  EXPECT_GT(h.events->position(event::type::started, second.id),
            h.events->position(event::type::finished, first.id));
  EXPECT_GT(h.events->position(event::type::started, third.id),
            h.events->position(event::type::finished, second.id))
    << "waiters run one at a time, in the order they came";
  for (auto id : {first.id, second.id, third.id})
    EXPECT_EQ(h.state_of(id), job_state::succeeded);
}

TEST(RuntimeUnique, WhileExecutingWaitersKeepTheirOrderWhenOneOfThemIsCancelled) {
  auto release = std::make_shared<gate>();
  harness h;
  auto t = make_type("test.unique", [release](job_context& ctx) { release->pass(ctx); });
  t.unique = unique_mode::while_executing;
  auto& rt = h.start({std::move(t)});

  auto running = rt.enqueue("test.unique", R"({"mesh":1})").id;
  ASSERT_TRUE(h.events->wait_started(running));
  std::vector<job_id> waiters;
  for (int i = 0; i < 3; ++i)
    waiters.push_back(rt.enqueue("test.unique", R"({"mesh":1})").id);
  EXPECT_EQ(rt.cancel(waiters[0]), cancel_status::cancelled);

  release->open();
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(h.events->start_order(), (std::vector<job_id>{running, waiters[1], waiters[2]}));
  EXPECT_EQ(h.state_of(waiters[0]), job_state::cancelled);
}

}  // namespace
}  // namespace meshjobs
