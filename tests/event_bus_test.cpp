// The event bus without an actor system: each subscriber's buffer is bounded and counts what it
// dropped, gets only the kinds it asked for, and wakes its consumer once per empty buffer.
#include <gtest/gtest.h>

#include "events/event_bus.hpp"

namespace meshjobs {
namespace {

std::vector<job_event> events_of(std::initializer_list<event_kind> kinds) {
  std::vector<job_event> out;
  for (auto k : kinds) {
    job_event e;
    e.seq = out.size() + 1;
    e.what = k;
    out.push_back(e);
  }
  return out;
}

TEST(EventBus, AFullBufferDropsTheNewEventsAndCountsThem) {
  event_bus bus;
  auto sub = bus.subscribe("slow", all_events, 2);
  bus.publish(events_of({event_kind::enqueued, event_kind::started, event_kind::succeeded}));
  bus.publish(events_of({event_kind::enqueued}));

  auto stats = bus.stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].name, "slow");
  EXPECT_EQ(stats[0].queued, 2u);
  EXPECT_EQ(stats[0].dropped, 2u);
  std::vector<job_event> got;
  ASSERT_TRUE(sub->take(got, 10));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].what, event_kind::enqueued);
  EXPECT_EQ(got[1].what, event_kind::started);
}

TEST(EventBus, ASubscriberGetsOnlyTheKindsItAskedForAndPublishersSeeWhatIsWanted) {
  event_bus bus;
  EXPECT_FALSE(bus.wants(event_kind::dead)) << "nobody listens";
  auto sub = bus.subscribe("failures", mask_of(event_kind::dead) | mask_of(event_kind::retrying), 10);
  EXPECT_TRUE(bus.wants(event_kind::dead));
  EXPECT_FALSE(bus.wants(event_kind::started));
  bus.publish(events_of({event_kind::started, event_kind::retrying, event_kind::succeeded, event_kind::dead}));
  std::vector<job_event> got;
  ASSERT_TRUE(sub->take(got, 10));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].what, event_kind::retrying);
  EXPECT_EQ(got[1].what, event_kind::dead);
  bus.unsubscribe(sub);
  EXPECT_FALSE(bus.wants(event_kind::dead));
  EXPECT_TRUE(bus.stats().empty());
}

TEST(EventBus, TheConsumerIsWokenWhenItsBufferStopsBeingEmptyOnly) {
  event_bus bus;
  int wakes = 0;
  auto sub = bus.subscribe("relay", all_events, 10, [&] { ++wakes; });
  bus.publish(events_of({event_kind::enqueued}));
  bus.publish(events_of({event_kind::started}));
  EXPECT_EQ(wakes, 1) << "it had not taken the first event yet";
  std::vector<job_event> got;
  ASSERT_TRUE(sub->take(got, 10));
  bus.publish(events_of({event_kind::succeeded}));
  EXPECT_EQ(wakes, 2);
}

TEST(EventBus, AClosedSubscriptionHandsOutWhatItHoldsThenEnds) {
  event_bus bus;
  auto sub = bus.subscribe("listener", all_events, 10);
  bus.publish(events_of({event_kind::enqueued, event_kind::started}));
  bus.unsubscribe(sub);
  bus.publish(events_of({event_kind::succeeded}));
  std::vector<job_event> got;
  ASSERT_TRUE(sub->wait_take(got));
  EXPECT_EQ(got.size(), 2u);
  got.clear();
  EXPECT_FALSE(sub->wait_take(got)) << "closed and empty: the listener ends";
}

}  // namespace
}  // namespace meshjobs
