// Finished jobs in the store: kept (and persisted by SQLite) with the outcome, bounded by count
// and age with the oldest going first, their args cut past 4 KiB with a visible marker.
#include <gtest/gtest.h>

#include <string>

#include "meshjobs/messages/json.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;

constexpr timestamp second = 1000000;

job finished_job(job_id id, job_state state, timestamp at) {
  job j = noop_job(id, state);
  j.finished_at = at;
  return j;
}

class store_finished : public testing::TestWithParam<store_backend> {
 protected:
  std::unique_ptr<store> open(std::int64_t max_jobs = 10000, std::int64_t max_age_s = 3600) {
    store_config cfg = backend_config(GetParam(), file_.path());
    cfg.finished_max_jobs = max_jobs;
    cfg.finished_max_age_s = max_age_s;
    return open_store(cfg);
  }

  temp_db file_;
};

TEST_P(store_finished, every_final_state_but_dead_is_kept_with_its_outcome) {
  auto s = open();
  job discarded = finished_job(1, job_state::discarded, 10 * second);
  discarded.last_error = {"bad_args", "no mesh id", "node-1"};
  s->put(discarded);
  s->put(finished_job(2, job_state::succeeded, 11 * second));
  s->put(finished_job(3, job_state::cancelled, 12 * second));
  s->put(finished_job(4, job_state::expired, 13 * second));
  s->put(finished_job(5, job_state::dead, 14 * second));
  EXPECT_EQ(s->finished(), 4u) << "dead has bounds of its own";
  auto kept = s->get(1);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->state, job_state::discarded);
  EXPECT_EQ(kept->last_error.kind, "bad_args");
}

TEST_P(store_finished, the_oldest_finished_go_first_past_the_count) {
  auto s = open(3);
  for (job_id id = 1; id <= 5; ++id)
    s->put(finished_job(id, job_state::succeeded, static_cast<timestamp>(id) * second));
  EXPECT_FALSE(s->contains(1));
  EXPECT_FALSE(s->contains(2));
  for (job_id id = 3; id <= 5; ++id)
    EXPECT_TRUE(s->contains(id)) << id;
  EXPECT_EQ(s->finished(), 3u);
}

TEST_P(store_finished, a_count_of_zero_keeps_none) {
  auto s = open(0);
  s->put(finished_job(1, job_state::succeeded, second));
  EXPECT_FALSE(s->contains(1));
}

TEST_P(store_finished, jobs_older_than_the_age_go_when_pruned_or_when_another_finishes) {
  auto s = open(10000, 60);
  s->put(finished_job(1, job_state::succeeded, 100 * second));
  s->put(finished_job(2, job_state::succeeded, 130 * second));
  s->prune_finished(160 * second);
  EXPECT_TRUE(s->contains(1)) << "exactly 60 s old is not older than the age";
  s->prune_finished(161 * second);
  EXPECT_FALSE(s->contains(1));
  EXPECT_TRUE(s->contains(2));
  s->put(finished_job(3, job_state::cancelled, 191 * second));
  EXPECT_FALSE(s->contains(2)) << "a job finishing prunes by its own finish time";
  EXPECT_TRUE(s->contains(3));
}

TEST_P(store_finished, live_and_dead_jobs_are_never_pruned_as_finished) {
  auto s = open(0, 1);
  s->put(noop_job(1, job_state::enqueued));
  s->put(finished_job(2, job_state::dead, second));
  s->put(finished_job(3, job_state::succeeded, second));
  s->prune_finished(1000 * second);
  EXPECT_TRUE(s->contains(1));
  EXPECT_TRUE(s->contains(2));
  EXPECT_FALSE(s->contains(3));
}

TEST_P(store_finished, args_past_four_kib_are_cut_with_a_marker_and_stay_json) {
  auto s = open();
  const std::string text(10000, 'x');
  job j = noop_job(1, job_state::running);
  j.args = "{\"text\": \"" + text + "\"}";
  s->put(j);
  EXPECT_EQ(s->get(1)->args, j.args) << "a live job keeps its args whole";

  j.state = job_state::succeeded;
  j.finished_at = second;
  s->put(j);
  const std::string kept = s->get(1)->args;
  EXPECT_FALSE(json::check_object(kept).has_value()) << kept.substr(0, 200);
  EXPECT_EQ(kept.rfind("{\"truncated_args\": {\"bytes\": " + std::to_string(j.args.size()), 0), 0u)
    << kept.substr(0, 200);
  EXPECT_LT(kept.size(), 4096u + 100u);

  job small = noop_job(2, job_state::succeeded);
  small.args = R"({"n":1})";
  s->put(small);
  EXPECT_EQ(s->get(2)->args, small.args) << "short args are kept as they are";
}

TEST_P(store_finished, a_cut_never_splits_a_utf8_character) {
  auto s = open();
  job j = noop_job(1, job_state::succeeded);
  // "é" is two bytes; the 4096th byte of the args is the first half of one.
  j.args = "{\"t\":\"" + std::string(4089, 'a');
  while (j.args.size() < 5000)
    j.args += "\xc3\xa9";
  j.args += "\"}";
  s->put(j);
  const std::string kept = s->get(1)->args;
  // The cut at 4096 bytes falls after the lead byte of an "é": the head stops before it.
  EXPECT_EQ(kept.find('\xc3'), std::string::npos) << "half a character kept";
  EXPECT_FALSE(json::check_object(kept).has_value()) << kept.substr(0, 60);
}

INSTANTIATE_TEST_SUITE_P(backends, store_finished,
                         every_backend(), backend_name);

// What SQLite kept: the finished jobs with their outcome, in finish order for the bounds.
TEST(store_finished_sqlite, finished_jobs_and_their_order_survive_a_reopen) {
  temp_db file;
  store_config cfg = sqlite_store_config(file.path());
  {
    auto s = open_store(cfg);
    job failed = finished_job(1, job_state::discarded, 300 * second);
    failed.last_error = {"bad_args", "no mesh id", "node-1"};
    s->put(failed);
    s->put(finished_job(2, job_state::succeeded, 100 * second));
    s->put(finished_job(3, job_state::succeeded, 200 * second));
  }
  cfg.finished_max_jobs = 2;
  auto reopened = open_store(cfg);
  EXPECT_FALSE(reopened->contains(2)) << "the one finished first goes first, whatever its id";
  auto kept = reopened->get(1);
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->state, job_state::discarded);
  EXPECT_EQ(kept->last_error.message, "no mesh id");
  EXPECT_TRUE(reopened->contains(3));
}

}  // namespace
}  // namespace meshjobs
