// One suite, every backend: what the store interface promises, checked against memory and
// SQLite alike (SQLite on a fresh file per test).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using testing_support::backend_config;
using testing_support::backend_name;
using testing_support::every_backend;
using testing_support::expect_same;
using testing_support::full_job;
using testing_support::noop_job;
using testing_support::sqlite_reader;
using testing_support::temp_db;

constexpr std::array<job_state, 9> all_states{
  job_state::scheduled, job_state::enqueued, job_state::running,
  job_state::succeeded, job_state::retrying, job_state::dead,
  job_state::discarded, job_state::cancelled, job_state::expired,
};

class store_conformance : public testing::TestWithParam<store_backend> {
 protected:
  void SetUp() override {
    store_ = open_store(backend_config(GetParam(), file_.path()));
  }

  bool is_durable_backend() const { return GetParam() == store_backend::sqlite; }

  // What survives the process: rows another connection reads from the file for SQLite; the
  // table itself for memory, which promises nothing beyond the process.
  bool durable(job_id id) {
    return is_durable_backend() ? sqlite_reader(file_.path()).has_job(id) : store_->contains(id);
  }
  long durable_rows() {
    return is_durable_backend() ? sqlite_reader(file_.path()).job_rows()
                                : static_cast<long>(store_->size());
  }

  // Commits, waits, and returns the callback's error.
  std::string commit_and_wait() {
    std::string error = "callback not called";
    store_->commit([&](std::string e) { error = std::move(e); });
    store_->flush();
    return error;
  }

  std::vector<job> collect(std::optional<job_state> only) {
    std::vector<job> seen;
    auto keep = [&](const job& j) {
      seen.push_back(j);
      return true;
    };
    if (only)
      store_->for_each(*only, keep);
    else
      store_->for_each(keep);
    return seen;
  }

  temp_db file_;  // declared first: outlives the store
  std::unique_ptr<store> store_;
};

TEST_P(store_conformance, get_round_trips_every_field_including_error_and_unique_key) {
  job full = full_job(7);
  job bare = noop_job(8);
  job empty_args = noop_job(9);
  empty_args.args = "";
  store_->put(full);
  store_->put(bare);
  store_->put(empty_args);
  ASSERT_EQ(commit_and_wait(), "");
  expect_same(full, store_->get(7).value());
  expect_same(bare, store_->get(8).value());
  expect_same(empty_args, store_->get(9).value());
}

TEST_P(store_conformance, get_of_an_unknown_id_is_empty) {
  store_->put(noop_job(1));
  EXPECT_FALSE(store_->get(2).has_value());
}

TEST_P(store_conformance, put_replaces_the_job_with_the_same_id) {
  store_->put(full_job(3));
  job changed = noop_job(3, job_state::running);
  changed.attempt = 1;
  store_->put(changed);
  expect_same(changed, store_->get(3).value());
  EXPECT_EQ(store_->size(), 1u);
}

TEST_P(store_conformance, erase_removes_the_job_and_ignores_unknown_ids) {
  store_->put(noop_job(1));
  store_->put(noop_job(2));
  store_->erase(1);
  store_->erase(99);
  EXPECT_FALSE(store_->get(1).has_value());
  EXPECT_TRUE(store_->get(2).has_value());
  EXPECT_EQ(store_->size(), 1u);
}

TEST_P(store_conformance, contains_follows_put_and_erase) {
  EXPECT_FALSE(store_->contains(5));
  store_->put(noop_job(5));
  EXPECT_TRUE(store_->contains(5));
  store_->erase(5);
  EXPECT_FALSE(store_->contains(5));
}

TEST_P(store_conformance, for_each_of_a_state_visits_exactly_the_jobs_in_it) {
  for (job_id id = 1; id <= 30; ++id)
    store_->put(noop_job(id, id % 3 == 0 ? job_state::running : job_state::enqueued));
  std::set<job_id> running;
  for (const job& j : collect(job_state::running)) {
    EXPECT_EQ(j.state, job_state::running);
    running.insert(j.id);
  }
  EXPECT_EQ(running.size(), 10u);
  for (job_id id : running)
    EXPECT_EQ(id % 3, 0u);
  EXPECT_TRUE(collect(job_state::dead).empty());
}

TEST_P(store_conformance, for_each_without_a_state_visits_every_job_once) {
  for (job_id id = 1; id <= 30; ++id)
    store_->put(noop_job(id, all_states[id % all_states.size()]));
  std::multiset<job_id> ids;
  for (const job& j : collect(std::nullopt))
    ids.insert(j.id);
  ASSERT_EQ(ids.size(), 30u);
  for (job_id id = 1; id <= 30; ++id)
    EXPECT_EQ(ids.count(id), 1u);
}

TEST_P(store_conformance, for_each_stops_when_the_visitor_returns_false) {
  for (job_id id = 1; id <= 10; ++id)
    store_->put(noop_job(id));
  int visits = 0;
  store_->for_each([&](const job&) { return ++visits < 3; });
  EXPECT_EQ(visits, 3);
  visits = 0;
  store_->for_each(job_state::enqueued, [&](const job&) { return ++visits < 4; });
  EXPECT_EQ(visits, 4);
}

// The coordinator requeues running jobs while walking them at recovery.
TEST_P(store_conformance, for_each_visitor_may_put_and_erase) {
  for (job_id id = 1; id <= 100; ++id)
    store_->put(noop_job(id, job_state::running));
  store_->for_each(job_state::running, [&](const job& j) {
    if (j.id % 2 == 0) {
      store_->erase(j.id);
    } else {
      job requeued = j;
      requeued.state = job_state::enqueued;
      store_->put(requeued);
    }
    return true;
  });
  EXPECT_EQ(store_->count(job_state::running), 0u);
  EXPECT_EQ(store_->count(job_state::enqueued), 50u);
  EXPECT_EQ(store_->size(), 50u);
}

TEST_P(store_conformance, counts_per_state_stay_exact_through_changes_and_erases) {
  std::map<job_id, job_state> model;
  std::mt19937 rng(42);
  std::uniform_int_distribution<job_id> pick_id(1, 400);
  std::uniform_int_distribution<std::size_t> pick_state(0, all_states.size() - 1);
  for (int step = 0; step < 20000; ++step) {
    job_id id = pick_id(rng);
    if (rng() % 4 == 0) {
      store_->erase(id);
      model.erase(id);
    } else {
      job_state s = all_states[pick_state(rng)];
      store_->put(noop_job(id, s));
      model[id] = s;
    }
    if (step % 500 != 0)
      continue;
    for (job_state s : all_states) {
      auto expected = std::count_if(model.begin(), model.end(),
                                    [&](const auto& entry) { return entry.second == s; });
      ASSERT_EQ(store_->count(s), static_cast<std::size_t>(expected)) << to_string(s);
    }
    ASSERT_EQ(store_->size(), model.size());
  }
}

TEST_P(store_conformance, next_id_is_strictly_increasing_and_above_every_id_put) {
  job_id previous = store_->next_id();
  EXPECT_GE(previous, 1u);
  for (int i = 0; i < 1000; ++i) {
    job_id id = store_->next_id();
    ASSERT_GT(id, previous);
    previous = id;
  }
  store_->put(noop_job(previous + 500));
  EXPECT_GT(store_->next_id(), previous + 500);
}

TEST_P(store_conformance, cron_last_run_is_zero_until_set_then_the_latest_slot) {
  EXPECT_EQ(store_->cron_last_run("cleanup_old_meshes"), 0);
  store_->set_cron_last_run("cleanup_old_meshes", 1'700'000'040'000'000);
  store_->set_cron_last_run("usage_report", 1'700'000'000'000'000);
  store_->set_cron_last_run("cleanup_old_meshes", 1'700'000'100'000'000);
  EXPECT_EQ(store_->cron_last_run("cleanup_old_meshes"), 1'700'000'100'000'000);
  EXPECT_EQ(store_->cron_last_run("usage_report"), 1'700'000'000'000'000);
  EXPECT_EQ(commit_and_wait(), "");
}

TEST_P(store_conformance, dirty_from_a_write_until_its_commit) {
  EXPECT_FALSE(store_->dirty());
  store_->put(noop_job(1));
  EXPECT_TRUE(store_->dirty());
  store_->commit(nullptr);
  EXPECT_FALSE(store_->dirty());
  store_->set_cron_last_run("hourly", 60'000'000);
  EXPECT_TRUE(store_->dirty());
  store_->commit(nullptr);
  store_->erase(1);
  EXPECT_TRUE(store_->dirty());
  store_->commit(nullptr);
  store_->next_id();
  EXPECT_TRUE(store_->dirty());
  store_->commit(nullptr);
  store_->flush();
  EXPECT_FALSE(store_->dirty());
}

TEST_P(store_conformance, commit_callbacks_fire_in_order_after_their_write) {
  constexpr int commits = 40;
  std::mutex mutex;
  std::vector<int> order;
  std::vector<std::string> errors;
  int not_yet_durable = 0;
  for (int i = 0; i < commits; ++i) {
    job_id id = static_cast<job_id>(i + 1);
    store_->put(noop_job(id));
    store_->commit([&, i, id](std::string error) {
      bool written = durable(id);
      std::lock_guard<std::mutex> lock(mutex);
      order.push_back(i);
      if (!error.empty())
        errors.push_back(error);
      if (!written)
        ++not_yet_durable;
    });
  }
  store_->flush();
  std::lock_guard<std::mutex> lock(mutex);
  ASSERT_EQ(order.size(), static_cast<std::size_t>(commits));
  for (int i = 0; i < commits; ++i)
    EXPECT_EQ(order[i], i);
  EXPECT_TRUE(errors.empty()) << errors.front();
  EXPECT_EQ(not_yet_durable, 0);
}

TEST_P(store_conformance, a_hundred_thousand_jobs_put_then_erase) {
  constexpr job_id jobs = 100'000;
  for (job_id id = 1; id <= jobs; ++id)
    store_->put(noop_job(id));
  ASSERT_EQ(commit_and_wait(), "");
  EXPECT_EQ(store_->size(), jobs);
  EXPECT_EQ(store_->count(job_state::enqueued), jobs);
  EXPECT_EQ(durable_rows(), static_cast<long>(jobs));
  for (job_id id = 1; id <= jobs; ++id)
    store_->erase(id);
  ASSERT_EQ(commit_and_wait(), "");
  EXPECT_EQ(store_->size(), 0u);
  EXPECT_EQ(store_->count(job_state::enqueued), 0u);
  EXPECT_EQ(durable_rows(), 0);
}

TEST_P(store_conformance, a_job_put_and_erased_before_a_commit_is_not_stored) {
  store_->put(noop_job(1));
  store_->put(noop_job(2));
  store_->erase(1);
  ASSERT_EQ(commit_and_wait(), "");
  EXPECT_FALSE(durable(1));
  EXPECT_TRUE(durable(2));
}

INSTANTIATE_TEST_SUITE_P(backends, store_conformance,
                         every_backend(), backend_name);

}  // namespace
}  // namespace meshjobs
