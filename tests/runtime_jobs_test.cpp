// A job's basic path through the runtime: it runs and succeeds, bad input is refused with an
// error naming it, the observer sees each step, hooks run in their order, and publish/subscribe
// reaches the subscribers of a channel only.
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

/// Appends to a list from any thread.
class journal {
 public:
  void add(std::string line) {
    std::lock_guard<std::mutex> guard{mutex_};
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST(RuntimeJobs, AJobRunsOnceAndSucceedsWithItsArguments) {
  auto seen_args = std::make_shared<journal>();
  harness h;
  auto& rt = h.start({make_type("test.echo", [seen_args](job_context& ctx) { seen_args->add(ctx.args()); })});

  auto reply = rt.enqueue("test.echo", R"({"mesh_id":7})");
  ASSERT_EQ(reply.status, enqueue_status::enqueued) << reply.error;
  ASSERT_TRUE(rt.drain(patience));

  auto j = h.find(reply.id);
  EXPECT_EQ(j.state, job_state::succeeded);
  EXPECT_EQ(j.attempt, 1);
  EXPECT_EQ(j.queue, "default");
  EXPECT_EQ(j.started_at, test_start());
  EXPECT_EQ(j.finished_at, test_start());
  EXPECT_TRUE(j.last_error.empty());
  EXPECT_EQ(seen_args->lines(), std::vector<std::string>{R"({"mesh_id":7})"});
  EXPECT_EQ(h.events->count(event::type::started, reply.id), 1u);
}

TEST(RuntimeJobs, UnknownKindIsRefusedNamingTheKind) {
  harness h;
  auto& rt = h.start({make_type("test.known", [](job_context&) {})});

  auto reply = rt.enqueue("test.unknown", "{}");
  EXPECT_EQ(reply.status, enqueue_status::refused);
  EXPECT_EQ(reply.id, 0u);
  EXPECT_NE(reply.error.find("test.unknown"), std::string::npos) << reply.error;
  EXPECT_NE(reply.error.find("test.known"), std::string::npos) << "lists the known kinds: " << reply.error;
  EXPECT_EQ(rt.stats().enqueued, 0u);
}

TEST(RuntimeJobs, ArgumentsThatAreNotAJsonObjectAreRefusedNamingArgs) {
  harness h;
  auto& rt = h.start({make_type("test.known", [](job_context&) {})});

  auto broken = rt.enqueue("test.known", R"({"mesh_id": )");
  EXPECT_EQ(broken.status, enqueue_status::refused);
  EXPECT_EQ(broken.error.rfind("args: not valid JSON", 0), 0u) << broken.error;

  auto array = rt.enqueue("test.known", "[1,2]");
  EXPECT_EQ(array.status, enqueue_status::refused);
  EXPECT_EQ(array.error, "args: must be a JSON object (got array)");
  EXPECT_EQ(rt.stats().enqueued, 0u);
}

TEST(RuntimeJobs, UnknownQueueIsRefusedNamingTheQueue) {
  harness h;
  auto& rt = h.start({make_type("test.known", [](job_context&) {})});

  enqueue_request opts;

  opts.kind = "test.known";
  opts.queue = "nowhere";
  auto reply = rt.enqueue(opts);
  EXPECT_EQ(reply.status, enqueue_status::refused);
  EXPECT_NE(reply.error.find("\"nowhere\""), std::string::npos) << reply.error;
  EXPECT_EQ(rt.stats().enqueued, 0u);
}

TEST(RuntimeJobs, ObserverSeesEnqueuedStartedAndFinishedInThatOrder) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  auto reply = rt.enqueue("test.noop", "{}");
  ASSERT_TRUE(h.events->wait_finished(reply.id));

  auto events = h.events->events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].what, event::type::enqueued);
  EXPECT_EQ(events[0].value.state, job_state::enqueued);
  EXPECT_EQ(events[1].what, event::type::started);
  EXPECT_EQ(events[1].value.attempt, 1);
  EXPECT_EQ(events[2].what, event::type::finished);
  EXPECT_EQ(events[2].outcome.kind, outcome_kind::succeeded);
  for (const auto& e : events)
    EXPECT_EQ(e.value.id, reply.id);
}

TEST(RuntimeJobs, ObserverHearsOfJobsThatEndWithoutRunning) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});

  ASSERT_TRUE(rt.pause("default"));
  auto cancelled = rt.enqueue("test.noop", "{}").id;
  enqueue_request within_10s;
  within_10s.kind = "test.noop";
  within_10s.expires_at = test_start() + seconds_us(10);
  auto expired = rt.enqueue(within_10s).id;
  ASSERT_EQ(rt.cancel(cancelled), cancel_status::cancelled);
  h.clock->advance(11s);
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(h.events->wait_finished(expired));

  auto c = h.events->finished(cancelled);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->outcome.kind, outcome_kind::cancelled);
  EXPECT_EQ(c->duration_us, 0) << "it never ran";
  EXPECT_EQ(c->value.state, job_state::cancelled);
  auto e = h.events->finished(expired);
  EXPECT_EQ(e->outcome.kind, outcome_kind::discarded);
  EXPECT_EQ(e->outcome.error.kind, "expired");
  EXPECT_EQ(e->duration_us, 0);
  EXPECT_EQ(h.events->count(event::type::started), 0u);
}

job_type hooked_type(std::shared_ptr<journal> log) {
  auto step = [log](std::string name) { return [log, name](job_context&) { log->add(name); }; };
  auto around = [log](std::string name) {
    return [log, name](job_context&, const std::function<void()>& perform) {
      log->add(name + " in");
      perform();
      log->add(name + " out");
    };
  };
  auto t = make_type("test.hooked", step("perform"));
  t.before_perform = {step("before 1"), step("before 2")};
  t.around_perform = {around("around 1"), around("around 2")};
  t.after_perform = {step("after 1"), step("after 2")};
  t.retry.otherwise(wait_strategy::fixed(30s), 1);
  return t;
}

TEST(RuntimeJobs, HooksRunBeforeThenAroundOutermostFirstThenAfter) {
  auto log = std::make_shared<journal>();
  harness h;
  auto& rt = h.start({hooked_type(log)});

  auto reply = rt.enqueue("test.hooked", "{}");
  ASSERT_TRUE(h.events->wait_finished(reply.id));

  EXPECT_EQ(log->lines(), (std::vector<std::string>{"before 1", "before 2", "around 1 in",
                                                    "around 2 in", "perform", "around 2 out",
                                                    "around 1 out", "after 1", "after 2"}));
  h.wait_state(reply.id, job_state::succeeded);
}

TEST(RuntimeJobs, ThrowingBeforeHookFailsTheJobWithoutRunningItsHandlerOrAfterHooks) {
  auto log = std::make_shared<journal>();
  harness h;
  auto t = hooked_type(log);
  t.before_perform.push_back([](job_context&) { throw job_failure("precondition", "no mesh service"); });
  auto& rt = h.start({std::move(t)});

  auto reply = rt.enqueue("test.hooked", "{}");
  ASSERT_TRUE(h.events->wait_finished(reply.id));

  EXPECT_EQ(log->lines(), (std::vector<std::string>{"before 1", "before 2"}));
  auto j = h.wait_state(reply.id, job_state::dead);
  EXPECT_EQ(j.last_error.kind, "precondition");
  EXPECT_EQ(j.last_error.message, "no mesh service");
}

TEST(RuntimeJobs, AfterHooksRunOnlyAfterSuccess) {
  auto log = std::make_shared<journal>();
  harness h;
  auto t = hooked_type(log);
  t.perform = [log](job_context&) {
    log->add("perform");
    throw std::runtime_error("mesh service exploded");
  };
  auto& rt = h.start({std::move(t)});

  auto reply = rt.enqueue("test.hooked", "{}");
  ASSERT_TRUE(h.events->wait_finished(reply.id));

  EXPECT_EQ(log->lines(), (std::vector<std::string>{"before 1", "before 2", "around 1 in",
                                                    "around 2 in", "perform"}));
  auto j = h.wait_state(reply.id, job_state::dead);
  EXPECT_EQ(j.last_error.kind, error_kinds::crashed) << "an unknown exception is a crash";
  EXPECT_EQ(j.last_error.message, "mesh service exploded");
}

TEST(RuntimeJobs, PublishReachesTheSubscribersOfItsChannelOnly) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  struct inbox {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<std::string, std::string>> got;
    void add(const std::string& ch, const std::string& payload) {
      {
        std::lock_guard<std::mutex> guard{mutex};
        got.emplace_back(ch, payload);
      }
      changed.notify_all();
    }
    bool wait_for_payload(const std::string& payload) {
      std::unique_lock<std::mutex> guard{mutex};
      return changed.wait_for(guard, patience, [&] {
        return std::any_of(got.begin(), got.end(), [&](const auto& m) { return m.second == payload; });
      });
    }
  };
  auto mesh_inbox = std::make_shared<inbox>();
  auto batch_inbox = std::make_shared<inbox>();
  auto mesh_sub = rt.subscribe("mesh:1", [mesh_inbox](const std::string& ch, const std::string& p) {
    mesh_inbox->add(ch, p);
  });
  rt.subscribe("batch_progress_1", [batch_inbox](const std::string& ch, const std::string& p) {
    batch_inbox->add(ch, p);
  });

  rt.publish("mesh:1", R"({"progress":10})");
  rt.publish("batch_progress_1", R"({"completed":1})");
  rt.publish("mesh:2", R"({"progress":99})");
  // The hub forwards in order: once each inbox has its marker, anything sent to it before has
  // arrived too.
  rt.publish("mesh:1", "end");
  rt.publish("batch_progress_1", "end");
  ASSERT_TRUE(mesh_inbox->wait_for_payload("end"));
  ASSERT_TRUE(batch_inbox->wait_for_payload("end"));

  using message = std::pair<std::string, std::string>;
  EXPECT_EQ(mesh_inbox->got, (std::vector<message>{{"mesh:1", R"({"progress":10})"}, {"mesh:1", "end"}}));
  EXPECT_EQ(batch_inbox->got,
            (std::vector<message>{{"batch_progress_1", R"({"completed":1})"}, {"batch_progress_1", "end"}}));

  rt.unsubscribe(mesh_sub);
  rt.publish("mesh:1", "after unsubscribe");
  rt.publish("batch_progress_1", "last");
  ASSERT_TRUE(batch_inbox->wait_for_payload("last"));
  std::lock_guard<std::mutex> guard{mesh_inbox->mutex};
  EXPECT_EQ(mesh_inbox->got.size(), 2u) << "an unsubscribed callback gets nothing more";
}

}  // namespace
}  // namespace meshjobs
