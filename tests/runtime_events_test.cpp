// The event stream through the runtime: each change the coordinator records, in its order, with
// its timings and error; and a slow subscriber that neither slows the runtime nor grows.
#include <gtest/gtest.h>

#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

/// What a subscriber was given, in order; the test waits on it.
class event_record {
 public:
  std::function<void(const job_event&)> subscriber() {
    return [this](const job_event& e) {
      {
        std::lock_guard<std::mutex> guard{mutex_};
        events_.push_back(e);
      }
      changed_.notify_all();
    };
  }
  bool wait_for(event_kind what, job_id id) {
    std::unique_lock<std::mutex> guard{mutex_};
    return changed_.wait_for(guard, patience, [&] {
      return std::any_of(events_.begin(), events_.end(),
                         [&](const job_event& e) { return e.what == what && e.id == id; });
    });
  }
  std::vector<job_event> of(job_id id) const {
    std::lock_guard<std::mutex> guard{mutex_};
    std::vector<job_event> out;
    for (const auto& e : events_)
      if (e.id == id)
        out.push_back(e);
    return out;
  }
  std::vector<job_event> all() const {
    std::lock_guard<std::mutex> guard{mutex_};
    return events_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<job_event> events_;
};

std::vector<event_kind> kinds(const std::vector<job_event>& es) {
  std::vector<event_kind> out;
  for (const auto& e : es)
    out.push_back(e.what);
  return out;
}

TEST(RuntimeEvents, AJobsLifeComesInTheCoordinatorsOrderWithItsTimingsAndError) {
  harness h;
  auto t = make_type("test.flaky", [](job_context& ctx) {
    if (ctx.current().attempt == 1)
      throw job_failure("service_error", "first try fails");
  });
  t.retry.retry_on("service_error", wait_strategy::fixed(30s), 3);
  auto& rt = h.start({std::move(t)});
  event_record record;
  auto subscription = rt.subscribe_events(record.subscriber());

  auto id = rt.enqueue("test.flaky", R"({"n":1})").id;
  ASSERT_TRUE(record.wait_for(event_kind::retrying, id));
  h.clock->advance(30s);
  rt.tick();
  ASSERT_TRUE(record.wait_for(event_kind::succeeded, id));

  auto es = record.of(id);
  ASSERT_EQ(kinds(es), (std::vector<event_kind>{event_kind::enqueued, event_kind::started,
                                                event_kind::retrying, event_kind::started,
                                                event_kind::succeeded}));
  for (std::size_t i = 1; i < es.size(); ++i)
    EXPECT_GT(es[i].seq, es[i - 1].seq) << "out of the coordinator's order";
  for (const auto& e : es) {
    EXPECT_EQ(e.kind, "test.flaky");
    EXPECT_EQ(e.queue, "default");
    EXPECT_EQ(e.enqueued_at, test_start());
  }
  EXPECT_EQ(es[1].attempt, 1);
  EXPECT_EQ(es[2].attempt, 1);
  EXPECT_EQ(es[2].error.kind, "service_error");
  EXPECT_EQ(es[2].error.message, "first try fails");
  EXPECT_EQ(es[2].next_at, test_start() + seconds_us(30)) << "the time of the next try";
  EXPECT_EQ(es[4].attempt, 2);
  EXPECT_EQ(es[4].started_at, test_start() + seconds_us(30));
  EXPECT_EQ(es[4].finished_at, test_start() + seconds_us(30));
  EXPECT_TRUE(es[4].error.empty());
  rt.unsubscribe_events(subscription);
}

TEST(RuntimeEvents, JobsThatEndWithoutRunningAreEventsToo) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  event_record record;
  rt.subscribe_events(record.subscriber());

  enqueue_request later;
  later.kind = "test.noop";
  later.wait_us = std::chrono::microseconds(1h).count();
  auto scheduled = rt.enqueue(later).id;
  ASSERT_EQ(rt.cancel(scheduled), cancel_status::cancelled);
  ASSERT_TRUE(rt.pause("default"));
  enqueue_request within_10s;
  within_10s.kind = "test.noop";
  within_10s.expires_at = test_start() + seconds_us(10);
  auto expiring = rt.enqueue(within_10s).id;
  h.clock->advance(11s);
  ASSERT_TRUE(rt.resume("default"));
  ASSERT_TRUE(record.wait_for(event_kind::expired, expiring));
  ASSERT_TRUE(record.wait_for(event_kind::cancelled, scheduled));

  auto s = record.of(scheduled);
  ASSERT_EQ(kinds(s), (std::vector<event_kind>{event_kind::scheduled, event_kind::cancelled}));
  EXPECT_EQ(s[0].next_at, test_start() + seconds_us(3600));
  EXPECT_EQ(s[1].duration_us, 0);
  auto e = record.of(expiring);
  ASSERT_EQ(kinds(e), (std::vector<event_kind>{event_kind::enqueued, event_kind::expired}));
  EXPECT_EQ(e[1].error.kind, "expired");
}

TEST(RuntimeEvents, ASlowSubscriberNeitherSlowsTheRuntimeNorGrowsAndCountsWhatItDropped) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  auto stuck = std::make_shared<gate>();
  std::atomic<std::size_t> delivered{0};
  rt.subscribe_events(
    [stuck, &delivered](const job_event&) {
      stuck->wait_open();
      ++delivered;
    },
    8);

  std::vector<enqueue_request> many(200);
  for (auto& r : many)
    r.kind = "test.noop";
  rt.enqueue_many(many);
  // Not drain(), which waits for every subscriber: the other one (the harness's) hears all.
  ASSERT_TRUE(h.events->wait_count(event::type::finished, 200)) << "the runtime waited for its subscriber";

  auto stats = rt.stats();
  auto slow = std::find_if(stats.subscribers.begin(), stats.subscribers.end(),
                           [](const subscriber_stats& s) { return s.name.rfind("events#", 0) == 0; });
  ASSERT_NE(slow, stats.subscribers.end());
  // 600 events (enqueued, started, succeeded for each job): at most 8 wait in its buffer and
  // at most 8 more were taken by its thread, which is stuck on the first.
  EXPECT_LE(slow->queued, 8u);
  EXPECT_GE(slow->dropped, 600u - 16u);
  stuck->open();
  h.stop();  // delivers what was buffered
  EXPECT_EQ(delivered.load() + slow->dropped, 600u) << "an event neither delivered nor counted";
}

}  // namespace
}  // namespace meshjobs
