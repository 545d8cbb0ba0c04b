// Paged queries on the store: newest (highest id) first, filtered by state, queue and kind,
// and a cursor (before_id) that neither skips nor repeats a job while others come and go.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;

job a_job(job_id id, job_state state, std::string queue = "default", std::string kind = "noop") {
  job j = noop_job(id, state);
  j.queue = std::move(queue);
  j.kind = std::move(kind);
  if (is_final(j.state))
    j.finished_at = static_cast<timestamp>(id);
  return j;
}

std::vector<job_id> ids_of(const job_page& page) {
  std::vector<job_id> ids;
  for (const auto& j : page.jobs)
    ids.push_back(j.id);
  return ids;
}

job_query by_state(job_state s, std::uint32_t limit = job_query::max_limit) {
  job_query q;
  q.by_state = true;
  q.state = s;
  q.limit = limit;
  return q;
}

class store_queries : public testing::TestWithParam<store_backend> {
 protected:
  void SetUp() override {
    store_ = open_store(backend_config(GetParam(), file_.path()));
  }

  temp_db file_;
  std::unique_ptr<store> store_;
};

TEST_P(store_queries, a_state_lists_its_jobs_newest_first_and_only_them) {
  for (job_id id = 1; id <= 20; ++id)
    store_->put(a_job(id, id % 2 == 0 ? job_state::enqueued : job_state::scheduled));
  auto page = store_->query(by_state(job_state::enqueued));
  EXPECT_EQ(ids_of(page), (std::vector<job_id>{20, 18, 16, 14, 12, 10, 8, 6, 4, 2}));
  EXPECT_EQ(page.next_cursor, 0u) << "everything fit: no next page";
}

TEST_P(store_queries, a_job_that_changes_state_moves_to_the_other_list) {
  for (job_id id = 1; id <= 3; ++id)
    store_->put(a_job(id, job_state::enqueued));
  store_->put(a_job(2, job_state::running));
  store_->put(a_job(3, job_state::succeeded));
  EXPECT_EQ(ids_of(store_->query(by_state(job_state::enqueued))), std::vector<job_id>{1});
  EXPECT_EQ(ids_of(store_->query(by_state(job_state::running))), std::vector<job_id>{2});
  EXPECT_EQ(ids_of(store_->query(by_state(job_state::succeeded))), std::vector<job_id>{3});
  store_->erase(1);
  EXPECT_TRUE(store_->query(by_state(job_state::enqueued)).jobs.empty());
}

TEST_P(store_queries, queue_and_kind_filter_alone_and_together) {
  store_->put(a_job(1, job_state::enqueued, "default", "mesh.generate"));
  store_->put(a_job(2, job_state::enqueued, "critical", "mesh.generate"));
  store_->put(a_job(3, job_state::enqueued, "critical", "mail.send"));
  store_->put(a_job(4, job_state::dead, "critical", "mesh.generate"));
  job_query q;
  q.queue = "critical";
  EXPECT_EQ(ids_of(store_->query(q)), (std::vector<job_id>{4, 3, 2}));
  q.kind = "mesh.generate";
  EXPECT_EQ(ids_of(store_->query(q)), (std::vector<job_id>{4, 2}));
  q.by_state = true;
  q.state = job_state::enqueued;
  EXPECT_EQ(ids_of(store_->query(q)), std::vector<job_id>{2});
  q.queue = "nowhere";
  EXPECT_TRUE(store_->query(q).jobs.empty()) << "an unknown queue matches nothing";
  job_query every;
  EXPECT_EQ(ids_of(store_->query(every)), (std::vector<job_id>{4, 3, 2, 1}));
}

TEST_P(store_queries, a_job_put_again_with_another_queue_and_kind_is_found_by_the_new_ones) {
  store_->put(a_job(1, job_state::enqueued, "default", "old.kind"));
  store_->put(a_job(1, job_state::enqueued, "critical", "new.kind"));
  job_query q;
  q.queue = "default";
  EXPECT_TRUE(store_->query(q).jobs.empty());
  q.queue = "critical";
  q.kind = "new.kind";
  EXPECT_EQ(ids_of(store_->query(q)), std::vector<job_id>{1});
}

TEST_P(store_queries, a_queue_whose_last_job_left_matches_nothing) {
  store_->put(a_job(1, job_state::enqueued, "once"));
  store_->erase(1);
  store_->put(a_job(2, job_state::enqueued, "default"));
  job_query q;
  q.queue = "once";
  EXPECT_TRUE(store_->query(q).jobs.empty());
}

// Ids far apart (in different bitmap chunks) and at the chunk edges are found, in order.
TEST_P(store_queries, ids_far_apart_and_on_chunk_edges_come_in_order) {
  const std::vector<job_id> ids{1, 4095, 4096, 4097, 1000000, 123456789, (job_id{1} << 62)};
  for (job_id id : ids)
    store_->put(a_job(id, job_state::scheduled));
  auto page = store_->query(by_state(job_state::scheduled));
  EXPECT_EQ(ids_of(page), std::vector<job_id>(ids.rbegin(), ids.rend()));
  auto below = by_state(job_state::scheduled);
  below.before_id = 4097;
  EXPECT_EQ(ids_of(store_->query(below)), (std::vector<job_id>{4096, 4095, 1}));
}

// Pages of 7 through 100 jobs while new jobs come in above and others leave the state: every
// job that stayed is seen exactly once, in order.
TEST_P(store_queries, cursor_pages_have_no_gaps_or_duplicates_while_jobs_come_and_go) {
  job_id next = 1;
  for (; next <= 100; ++next)
    store_->put(a_job(next, job_state::enqueued));
  std::vector<job_id> seen;
  std::set<job_id> left;
  job_query q = by_state(job_state::enqueued, 7);
  for (;;) {
    auto page = store_->query(q);
    for (const auto& j : page.jobs)
      seen.push_back(j.id);
    // Between pages: newer jobs arrive, and one not seen yet starts running.
    for (int i = 0; i < 5; ++i, ++next)
      store_->put(a_job(next, job_state::enqueued));
    if (page.next_cursor == 0)
      break;
    EXPECT_EQ(page.next_cursor, page.jobs.back().id);
    if (page.next_cursor > 3) {
      store_->put(a_job(page.next_cursor - 2, job_state::running));
      left.insert(page.next_cursor - 2);
    }
    q.before_id = page.next_cursor;
  }
  std::vector<job_id> expected;
  for (job_id id = 100; id >= 1; --id)
    if (left.count(id) == 0)
      expected.push_back(id);
  EXPECT_EQ(seen, expected);
}

TEST_P(store_queries, a_limit_of_zero_or_a_cursor_of_one_is_an_empty_page) {
  store_->put(a_job(1, job_state::enqueued));
  auto none = by_state(job_state::enqueued, 0);
  EXPECT_TRUE(store_->query(none).jobs.empty());
  auto below_one = by_state(job_state::enqueued);
  below_one.before_id = 1;
  EXPECT_TRUE(store_->query(below_one).jobs.empty());
}

// The index is rebuilt from what the file kept.
TEST(store_queries_sqlite, jobs_loaded_at_start_are_queryable) {
  temp_db file;
  store_config cfg = sqlite_store_config(file.path());
  {
    auto s = open_store(cfg);
    for (job_id id = 1; id <= 6; ++id)
      s->put(a_job(id, id <= 3 ? job_state::dead : job_state::succeeded, "default", "k"));
  }
  auto reopened = open_store(cfg);
  EXPECT_EQ(ids_of(reopened->query(by_state(job_state::dead))), (std::vector<job_id>{3, 2, 1}));
  job_query q;
  q.kind = "k";
  q.limit = 4;
  auto page = reopened->query(q);
  EXPECT_EQ(ids_of(page), (std::vector<job_id>{6, 5, 4, 3}));
  EXPECT_EQ(page.next_cursor, 3u);
}

INSTANTIATE_TEST_SUITE_P(backends, store_queries,
                         every_backend(), backend_name);

}  // namespace
}  // namespace meshjobs
