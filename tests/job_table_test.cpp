// The in-memory table under the store: its compact record must give back exactly what was put,
// and its open-addressing index must find every live id through heavy churn.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>
#include <string>

#include "store/job_table.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using testing_support::expect_same;
using testing_support::full_job;
using testing_support::noop_job;

void expect_matches(const job_table& table, const std::map<job_id, job>& model) {
  ASSERT_EQ(table.size(), model.size());
  for (const auto& [id, expected] : model) {
    auto actual = table.get(id);
    ASSERT_TRUE(actual.has_value()) << "job " << id << " lost";
    expect_same(expected, *actual);
  }
}

TEST(job_table, args_of_every_shape_round_trip) {
  job_table table;
  std::string with_nul("{\"a\":\"\0\"}", 9);
  std::vector<std::string> shapes{"{}", "", "[]", std::string(10000, 'x'), with_nul};
  for (std::size_t i = 0; i < shapes.size(); ++i) {
    job j = noop_job(i + 1);
    j.args = shapes[i];
    table.put(j);
  }
  for (std::size_t i = 0; i < shapes.size(); ++i)
    EXPECT_EQ(table.get(i + 1)->args, shapes[i]);
}

TEST(job_table, an_error_with_only_a_where_round_trips) {
  job_table table;
  job j = noop_job(1);
  j.last_error.where = "node-b";
  table.put(j);
  expect_same(j, table.get(1).value());
}

TEST(job_table, extreme_ids_are_ordinary_keys) {
  job_table table;
  constexpr job_id max = std::numeric_limits<job_id>::max();
  table.put(noop_job(0));
  table.put(full_job(max));
  EXPECT_TRUE(table.contains(0));
  expect_same(full_job(max), table.get(max).value());
  EXPECT_TRUE(table.erase(0).has_value());
  EXPECT_FALSE(table.contains(0));
  EXPECT_TRUE(table.contains(max));
}

TEST(job_table, an_invalid_state_is_refused_and_changes_nothing) {
  job_table table;
  table.put(noop_job(1));
  job bad = noop_job(1);
  bad.state = static_cast<job_state>(200);
  EXPECT_THROW(table.put(bad), std::invalid_argument);
  EXPECT_EQ(table.get(1)->state, job_state::enqueued);
  EXPECT_EQ(table.count(job_state::enqueued), 1u);
}

TEST(job_table, random_puts_and_erases_match_a_reference_map) {
  job_table table;
  std::map<job_id, job> model;
  std::mt19937_64 rng(7);
  for (int step = 0; step < 60000; ++step) {
    // A narrow range keeps ids colliding in the index; a few wide ids land anywhere.
    job_id id = step % 10 == 0 ? rng() : rng() % 2000;
    if (rng() % 3 == 0) {
      EXPECT_EQ(table.erase(id).has_value(), model.erase(id) == 1);
    } else {
      job j = rng() % 2 ? full_job(id) : noop_job(id, job_state::running);
      table.put(j);
      model[id] = j;
    }
    if (step % 5000 == 0)
      expect_matches(table, model);
  }
  expect_matches(table, model);
}

// Jobs end in roughly FIFO order while a few stay for long (the dead set): a window sliding
// over 300k ids, leaving every 997th id behind, must keep every live id findable while the
// index shifts entries back over the holes.
TEST(job_table, a_sliding_window_with_long_lived_ids_stays_findable) {
  job_table table;
  constexpr job_id window = 5000;
  constexpr job_id last = 300000;
  auto long_lived = [](job_id id) { return id % 997 == 0; };
  for (job_id id = 1; id <= last; ++id) {
    table.put(noop_job(id));
    if (id > window && !long_lived(id - window)) {
      ASSERT_TRUE(table.erase(id - window).has_value());
    }
  }
  for (job_id id = 1; id <= last; ++id) {
    bool live = id > last - window || long_lived(id);
    ASSERT_EQ(table.contains(id), live) << id;
  }
  EXPECT_EQ(table.size(), window + (last - window) / 997);
}

}  // namespace
}  // namespace meshjobs
