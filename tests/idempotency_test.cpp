// Idempotency keys: a retried enqueue (its reply lost) returns the first job for a bounded
// window, by count and by age, and costs nothing when no key is given.
#include <gtest/gtest.h>

#include "coordinator/idempotency_keys.hpp"
#include "runtime_fixture.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

constexpr std::int64_t hour_us = 3600LL * 1000000;

TEST(IdempotencyKeys, RemembersTheFirstJobOfAKeyWithinTheWindow) {
  idempotency_keys keys;
  keys.remember("order-1", 7, 1000);
  EXPECT_EQ(keys.find("order-1", 1000 + 23 * hour_us), 7u);
  EXPECT_FALSE(keys.find("order-2", 1000).has_value());
}

TEST(IdempotencyKeys, AKeyOlderThanMaxAgeIsForgotten) {
  idempotency_keys keys{idempotency_limits{10, hour_us}};
  keys.remember("old", 1, 0);
  keys.remember("new", 2, hour_us / 2);
  EXPECT_FALSE(keys.find("old", hour_us + 1).has_value());
  EXPECT_EQ(keys.find("new", hour_us + 1), 2u);
  EXPECT_EQ(keys.size(), 1u);
}

TEST(IdempotencyKeys, PastMaxKeysTheOldestKeyLeavesFirst) {
  idempotency_keys keys{idempotency_limits{3, 24 * hour_us}};
  for (job_id id = 1; id <= 4; ++id)
    keys.remember("k" + std::to_string(id), id, static_cast<timestamp>(id));
  EXPECT_EQ(keys.size(), 3u);
  EXPECT_FALSE(keys.find("k1", 10).has_value());
  for (job_id id = 2; id <= 4; ++id)
    EXPECT_EQ(keys.find("k" + std::to_string(id), 10), id);
}

TEST(IdempotencyKeys, AForgottenKeyEnqueuesAgainAndItsOldArrivalDoesNotEvictTheNewOne) {
  idempotency_keys keys{idempotency_limits{2, 24 * hour_us}};
  keys.remember("k", 1, 0);
  keys.forget("k", 1);
  EXPECT_FALSE(keys.find("k", 1).has_value());
  keys.remember("k", 2, 1);
  keys.remember("other", 3, 2);
  EXPECT_EQ(keys.find("k", 3), 2u) << "the stale arrival of the forgotten entry evicted the live one";
}

TEST(RuntimeIdempotency, ARetryWithTheSameKeyReturnsTheFirstJobAsReplayed) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  ASSERT_TRUE(rt.pause("default"));
  enqueue_request order;
  order.kind = "test.noop";
  order.args = R"({"order":42})";
  order.idempotency_key = "order-42";
  auto first = rt.enqueue(order);
  ASSERT_EQ(first.status, enqueue_status::enqueued);
  auto retried = rt.enqueue(order);
  EXPECT_EQ(retried.status, enqueue_status::replayed);
  EXPECT_EQ(retried.id, first.id);
  EXPECT_EQ(rt.stats().enqueued, 1u) << "a replay enqueues nothing";

  order.idempotency_key = "order-43";
  EXPECT_EQ(rt.enqueue(order).status, enqueue_status::enqueued);
  EXPECT_EQ(rt.enqueue("test.noop", R"({"order":42})").status, enqueue_status::enqueued)
    << "no key: no replay";
}

TEST(RuntimeIdempotency, AfterADayTheSameKeyEnqueuesANewJob) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  enqueue_request order;
  order.kind = "test.noop";
  order.idempotency_key = "daily";
  auto first = rt.enqueue(order);
  h.clock->advance(23h);
  EXPECT_EQ(rt.enqueue(order).id, first.id);
  h.clock->advance(1h + 1s);
  auto next_day = rt.enqueue(order);
  EXPECT_EQ(next_day.status, enqueue_status::enqueued);
  EXPECT_NE(next_day.id, first.id);
}

TEST(RuntimeIdempotency, AnOverlongKeyIsRefusedNamingTheField) {
  harness h;
  auto& rt = h.start({make_type("test.noop", [](job_context&) {})});
  enqueue_request order;
  order.kind = "test.noop";
  order.idempotency_key = std::string(201, 'k');
  auto reply = rt.enqueue(order);
  EXPECT_EQ(reply.status, enqueue_status::refused);
  EXPECT_NE(reply.error.find("idempotency_key: 201 bytes"), std::string::npos) << reply.error;
}

}  // namespace
}  // namespace meshjobs
