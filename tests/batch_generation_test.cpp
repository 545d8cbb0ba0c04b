// mesh.batch_generation on a real node (SQLite store): the window of children, exact counts,
// uniqueness, coalesced progress, one completion notification, cancel at each stage, an empty
// batch, bad images inside a batch, and a setup that fails. The crash and resume with a real
// process and kill -9 is ImageRun.AfterAKill9... (make run runs its images as one batch).
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <random>
#include <set>

#include "mesh/batch_generation.hpp"
#include "mesh/batch_record.hpp"
#include "mesh_pipeline_fixture.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::testing_support {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

/// What a channel carried, with when it came.
class channel_record {
 public:
  channel_record(runtime& rt, const std::string& channel) : rt_(rt) {
    id_ = rt.subscribe(channel, [this](const std::string&, const std::string& payload) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        messages_.push_back({std::chrono::steady_clock::now(), payload});
      }
      changed_.notify_all();
    });
  }
  ~channel_record() { rt_.unsubscribe(id_); }

  /// Waits until `count` messages holding `fragment` came.
  bool wait_for(const std::string& fragment, std::size_t count = 1) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, patience, [&] {
      return static_cast<std::size_t>(std::count_if(messages_.begin(), messages_.end(), [&](const auto& m) {
               return m.second.find(fragment) != std::string::npos;
             })) >= count;
    });
  }
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> messages() {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }

 private:
  runtime& rt_;
  std::uint64_t id_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> messages_;
};

json::object parse(const std::string& text) {
  auto parsed = json::object::parse(text, "test");
  EXPECT_TRUE(std::holds_alternative<json::object>(parsed)) << text;
  return std::get<json::object>(std::move(parsed));
}

/// A child kind for tests: `perform` runs for each image; its outcome ends the image.
job_type child_type(const std::string& kind, job_handler perform) {
  job_type t;
  t.kind = kind;
  t.queue = "default";
  t.perform = std::move(perform);
  t.retry.discard_on("bad_image").otherwise(wait_strategy::fixed(0ms), 3);
  t.outcome_records = batch_child_records;
  return t;
}

std::int64_t index_of(const job_context& ctx) {
  return parse(ctx.args()).get_int("batch_index").value_or(-1);
}

batch_args images_batch(std::size_t n, const std::string& child_kind, const std::string& project = "p1") {
  batch_args a;
  a.project = project;
  a.user = "u1";
  a.child_kind = child_kind;
  for (std::size_t i = 0; i < n; ++i)
    a.images.push_back("image-" + std::to_string(i) + ".png");
  return a;
}

class BatchGeneration : public ::testing::Test {
 protected:
  void SetUp() override { node.cfg.batch.concurrency = 3; }

  std::int64_t create(const batch_args& a) {
    auto reply = create_batch(*node.pipeline, a);
    EXPECT_EQ(reply.status, enqueue_status::enqueued) << reply.error;
    return static_cast<std::int64_t>(reply.id);
  }
  std::optional<batch::batch_record> record(std::int64_t id) { return batch::batch_records(*node.rt).find(id); }
  /// Waits until the batch's job has ended and every follow-up ran.
  batch::batch_record finished(std::int64_t id) {
    EXPECT_TRUE(node.events->wait_finished(static_cast<job_id>(id))) << "batch " << id << " did not end";
    EXPECT_TRUE(node.rt->drain(patience));
    auto b = record(id);
    EXPECT_TRUE(b.has_value());
    return b.value_or(batch::batch_record{});
  }
  std::vector<batch::batch_image> images(std::int64_t id) { return batch::batch_records(*node.rt).images(id, 0, 100000); }

  temp_dir dir;
  pipeline_node node{pipeline_config(dir.path())};
};

TEST_F(BatchGeneration, ChildrenRunAtMostConcurrencyAtOnceAndEveryImageEndsOnce) {
  concurrency_meter meter;
  std::mutex mutex;
  std::condition_variable released_cv;
  int released = 0;
  node.extra_types.push_back(child_type("test.latch", [&](job_context& ctx) {
    meter.enter();
    std::unique_lock<std::mutex> lock(mutex);
    const bool go = released_cv.wait_for(lock, patience, [&] { return released > 0 || ctx.cancelled(); });
    if (go && released > 0)
      released -= 1;
    lock.unlock();
    meter.leave();
  }));
  node.start();
  const auto id = create(images_batch(12, "test.latch"));
  // Release one child at a time: before each release the window is full (3), never more.
  for (int left = 12; left > 0; --left) {
    ASSERT_TRUE(meter.wait_current(std::min(left, 3))) << "with " << left << " images left, "
                                                       << meter.current() << " children running";
    {
      std::lock_guard<std::mutex> lock(mutex);
      released += 1;
    }
    released_cv.notify_all();
  }
  auto b = finished(id);
  EXPECT_EQ(meter.max(), 3) << "BATCH_CONCURRENCY 3 was exceeded";
  EXPECT_EQ(b.status, "completed");
  EXPECT_EQ(b.total, 12);
  EXPECT_EQ(b.completed, 12);
  EXPECT_EQ(b.failed, 0);
  EXPECT_EQ(node.jobs_of("test.latch").size(), 12u) << "one child per image, none twice";
  for (const auto& image : images(id))
    EXPECT_EQ(image.status, "completed") << image.index;
}

TEST_F(BatchGeneration, CountsAreExactWhenChildrenFailAtRandomAndRetry) {
  node.cfg.batch.concurrency = 16;
  std::mt19937 random{20261130};
  std::set<std::int64_t> failing, flaky;
  for (std::int64_t i = 0; i < 300; ++i) {
    const auto roll = random() % 10;
    if (roll < 3)
      failing.insert(i);
    else if (roll < 5)
      flaky.insert(i);  // fails its first attempt, then succeeds
  }
  node.extra_types.push_back(child_type("test.coin", [&](job_context& ctx) {
    const auto i = index_of(ctx);
    if (failing.count(i))
      throw job_failure("bad_image", "image " + std::to_string(i) + " is bad");
    if (flaky.count(i) && ctx.current().attempt <= 1)
      throw job_failure("service_error", "flaky");
  }));
  node.start();
  const auto id = create(images_batch(300, "test.coin"));
  auto b = finished(id);
  EXPECT_EQ(b.total, 300);
  EXPECT_EQ(b.failed, static_cast<std::int64_t>(failing.size()));
  EXPECT_EQ(b.completed, 300 - static_cast<std::int64_t>(failing.size()));
  EXPECT_EQ(b.status, "completed");
  for (const auto& image : images(id)) {
    EXPECT_EQ(image.status, failing.count(image.index) ? "failed" : "completed") << image.index;
    if (failing.count(image.index))
      EXPECT_NE(image.error_message.find("bad_image"), std::string::npos) << image.error_message;
  }
}

TEST_F(BatchGeneration, TheSameProjectAndImagesWhileTheFirstIsPendingRunOnce) {
  node.extra_types.push_back(child_type("test.noop", [](job_context&) {}));
  node.start();
  ASSERT_TRUE(node.rt->pause("batch_processing"));
  auto a = images_batch(4, "test.noop");
  const auto first = create(a);
  auto again = a;
  again.parameters = R"({"detail_factor":0.1})";  // other parameters: still the same batch
  std::reverse(again.images.begin(), again.images.end());  // the same set, in another order
  auto second = create_batch(*node.pipeline, again);
  EXPECT_EQ(second.status, enqueue_status::duplicate);
  EXPECT_EQ(static_cast<std::int64_t>(second.id), first) << "the duplicate names the first batch";
  auto other = a;
  other.images.pop_back();
  const auto third = create(other);
  EXPECT_NE(third, first);
  ASSERT_TRUE(node.rt->resume("batch_processing"));
  EXPECT_EQ(finished(first).completed, 4);
  EXPECT_EQ(finished(third).completed, 3);
  EXPECT_EQ(node.jobs_of("mesh.batch_generation").size(), 2u);
}

TEST_F(BatchGeneration, ProgressIsCoalescedAndTheLastEventSays100) {
  node.cfg.batch.concurrency = 32;
  node.extra_types.push_back(child_type("test.noop", [](job_context&) {}));
  node.start();
  ASSERT_TRUE(node.rt->pause("batch_processing"));
  const auto id = create(images_batch(3000, "test.noop"));
  channel_record progress(*node.rt, "batch_progress_" + std::to_string(id));
  ASSERT_TRUE(node.rt->resume("batch_processing"));
  auto b = finished(id);
  ASSERT_TRUE(progress.wait_for(R"("progress":100)"));
  auto events = progress.messages();
  ASSERT_GE(events.size(), 2u);
  const auto last = parse(events.back().second);
  EXPECT_EQ(last.get_int("progress"), 100);
  EXPECT_EQ(last.get_int("completed"), 3000);
  EXPECT_EQ(last.get_int("total"), 3000);
  EXPECT_EQ(last.get_int("batch_id"), id);
  EXPECT_EQ(last.get_string("status"), "completed");
  EXPECT_EQ(std::count_if(events.begin(), events.end(),
                          [](const auto& e) { return e.second.find(R"("progress":100)") != std::string::npos; }),
            1)
    << "one final event";
  // Every event but the final one comes at least 200 ms after the one before (a timer's
  // slack aside); the percentages never go back.
  std::int64_t before = -1;
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto percent = parse(events[i].second).get_int("progress").value_or(-1);
    EXPECT_GE(percent, before) << events[i].second;
    before = percent;
    if (i > 0 && i + 1 < events.size())
      EXPECT_GE(events[i].first - events[i - 1].first, 190ms) << "event " << i << " of " << events.size();
  }
  EXPECT_EQ(b.completed, 3000);
}

TEST_F(BatchGeneration, OneCompletionNotificationTellsCompleteFromSuccess) {
  node.extra_types.push_back(child_type("test.coin", [](job_context& ctx) {
    if (index_of(ctx) == 1)
      throw job_failure("bad_image", "image 1 is bad");
  }));
  node.start();
  channel_record user(*node.rt, "user:u1");
  const auto mixed = create(images_batch(3, "test.coin", "mixed"));
  finished(mixed);
  const auto clean = create(images_batch(1, "test.coin", "clean"));  // image 0 only: no failure
  finished(clean);
  // Each notification is a follow-up job of its batch's end: it may still be running.
  ASSERT_TRUE(user.wait_for("batch.completed", 2));
  ASSERT_TRUE(node.rt->drain(patience));
  std::vector<json::object> notes;
  for (const auto& [at, payload] : user.messages())
    if (payload.find("batch.completed") != std::string::npos)
      notes.push_back(parse(payload));
  ASSERT_EQ(notes.size(), 2u) << "exactly one notification per batch";
  EXPECT_EQ(notes[0].get_bool("complete"), true);
  EXPECT_EQ(notes[0].get_bool("success"), false) << "image 1 failed";
  EXPECT_EQ(notes[1].get_bool("complete"), true);
  EXPECT_EQ(notes[1].get_bool("success"), true);
  EXPECT_EQ(node.jobs_of("notifications.batch_completion").size(), 2u);
}

TEST_F(BatchGeneration, CancelBeforeItStartsWhileItRunsAndAfterItEnded) {
  gate never;  // the children wait until cancelled
  node.cfg.batch.concurrency = 2;
  node.extra_types.push_back(child_type("test.wait", [&](job_context& ctx) { never.pass(ctx); }));
  node.start();

  // Pending: the batch never starts.
  ASSERT_TRUE(node.rt->pause("batch_processing"));
  const auto pending = create(images_batch(5, "test.wait", "pending"));
  EXPECT_EQ(cancel_batch(*node.pipeline, pending), cancel_result::cancelled);
  ASSERT_TRUE(node.rt->resume("batch_processing"));
  EXPECT_EQ(finished(pending).status, "cancelled");
  EXPECT_TRUE(node.jobs_of("test.wait").empty()) << "no child of a batch cancelled before it started";

  // Running: two children run, eight wait; the running ones are stopped, the others never start.
  const auto running = create(images_batch(10, "test.wait", "running"));
  ASSERT_TRUE(node.events->wait_for([&](const std::vector<event>&) { return node.jobs_of("test.wait").size() == 2; }));
  ASSERT_TRUE(node.events->wait_for([&](const std::vector<event>&) {
    auto jobs = node.jobs_of("test.wait");
    return std::all_of(jobs.begin(), jobs.end(), [](const job& j) { return j.state == job_state::running; });
  }));
  EXPECT_EQ(cancel_batch(*node.pipeline, running), cancel_result::cancelling);
  auto b = finished(running);
  EXPECT_EQ(b.status, "cancelled");
  EXPECT_EQ(b.cancelled, 10);
  EXPECT_EQ(b.completed + b.failed, 0);
  EXPECT_EQ(node.jobs_of("test.wait").size(), 2u) << "pending children were started";
  for (const auto& j : node.jobs_of("test.wait"))
    EXPECT_EQ(j.state, job_state::cancelled);

  // Ended: nothing to cancel, nothing changes.
  never.open();
  const auto done = create(images_batch(2, "test.wait", "done"));
  EXPECT_EQ(finished(done).status, "completed");
  EXPECT_EQ(cancel_batch(*node.pipeline, done), cancel_result::finished);
  EXPECT_EQ(record(done)->status, "completed");
  EXPECT_EQ(cancel_batch(*node.pipeline, 999999), cancel_result::not_found);
  const auto notifications = node.jobs_of("notifications.batch_completion").size();
  EXPECT_EQ(notifications, 3u) << "one per batch, cancelled ones included";
}

TEST_F(BatchGeneration, AnEmptyBatchCompletesAt100Percent) {
  node.start();
  ASSERT_TRUE(node.rt->pause("batch_processing"));
  const auto id = create(images_batch(0, "mesh.generation"));
  channel_record progress(*node.rt, "batch_progress_" + std::to_string(id));
  ASSERT_TRUE(node.rt->resume("batch_processing"));
  auto b = finished(id);
  EXPECT_EQ(b.status, "completed");
  EXPECT_EQ(b.total, 0);
  EXPECT_EQ(b.progress(), 100);
  EXPECT_TRUE(progress.wait_for(R"("progress":100)"));
  EXPECT_EQ(node.jobs_of("notifications.batch_completion").size(), 1u);
}

TEST_F(BatchGeneration, MissingAndCorruptImagesFailAsImagesNotAsTheBatch) {
  node.start();
  batch_args a;
  a.project = "p";
  a.user = "u";
  a.images = {sample_image(dir, "good-1.png"), dir.file("missing.png"), sample_image(dir, "good-2.png")};
  write_file(dir.file("corrupt.png"), std::string("\x89PNG\r\n\x1a\n-not-a-png", 18));
  a.images.push_back(dir.file("corrupt.png"));
  const auto id = create(a);
  auto b = finished(id);
  EXPECT_EQ(b.status, "completed");
  EXPECT_EQ(b.total, 4);
  EXPECT_EQ(b.completed, 2);
  EXPECT_EQ(b.failed, 2);
  for (const auto& image : images(id)) {
    const bool bad = image.index == 1 || image.index == 3;
    EXPECT_EQ(image.status, bad ? "failed" : "completed") << image.image_url;
    EXPECT_EQ(image.mesh_status, bad ? "failed" : "completed") << image.image_url;
    if (bad)
      EXPECT_FALSE(image.error_message.empty());
  }
}

TEST_F(BatchGeneration, ASetupThatFailsIsAFailedJobRetriedByItsStrategy) {
  node.extra_types.push_back(child_type("test.noop", [](job_context&) {}));
  node.start();
  batch_args a;
  a.project = "p";
  a.folder = dir.file("not-yet");
  a.child_kind = "test.noop";
  const auto id = create(a);
  ASSERT_TRUE(node.events->wait_for([&](const std::vector<event>&) {
    auto j = node.rt->find(static_cast<job_id>(id));
    return j && j->state == job_state::retrying;
  }));
  auto j = node.rt->find(static_cast<job_id>(id));
  EXPECT_EQ(j->last_error.kind, "batch_setup");
  EXPECT_NE(j->last_error.message.find("not-yet"), std::string::npos) << j->last_error.message;
  // The folder appears; the retry finds it.
  fs::create_directories(dir.file("not-yet"));
  sample_image(dir, "not-yet/a.png");
  sample_image(dir, "not-yet/b.png");
  node.clock->advance(std::chrono::hours(1));
  node.rt->tick();
  auto b = finished(id);
  EXPECT_EQ(b.status, "completed");
  EXPECT_EQ(b.completed, 2);
}

TEST_F(BatchGeneration, ASetupCutShortBeforeTheBatchRowIsDiscardedAndMadeAgain) {
  node.extra_types.push_back(child_type("test.noop", [](job_context&) {}));
  node.start();
  ASSERT_TRUE(node.rt->pause("batch_processing"));
  const auto id = create(images_batch(3, "test.noop"));
  // What a crash between two setup chunks leaves: images and meshes, no batch row.
  using v = record_value;
  node.rt->write_records({
    {"INSERT INTO meshes (id, job_id, image_url, status, created_at, updated_at) VALUES (900, 'mesh-900', 'x', 'pending', 0, 0)", {}},
    {"INSERT INTO batch_images (batch_id, idx, image_url, mesh_id) VALUES (?, 0, 'image-0.png', 900)", {v::of(id)}},
  });
  ASSERT_TRUE(node.rt->resume("batch_processing"));
  auto b = finished(id);
  EXPECT_EQ(b.total, 3);
  EXPECT_EQ(b.completed, 3);
  auto rows = images(id);
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows)
    EXPECT_NE(row.mesh_id, 900) << "the cut-short setup's mesh was kept";
  EXPECT_TRUE(node.rt->query_records("SELECT id FROM meshes WHERE id = 900").empty());
}

TEST_F(BatchGeneration, BadArgumentsAreDiscardedAndTheRecordSaysWhy) {
  node.start();
  auto reply = node.rt->enqueue("mesh.batch_generation", R"({"project":"p","images":[1,2]})");
  ASSERT_EQ(reply.status, enqueue_status::enqueued) << reply.error;
  const auto id = static_cast<std::int64_t>(reply.id);
  auto b = finished(id);
  EXPECT_EQ(node.rt->find(reply.id)->state, job_state::discarded);
  EXPECT_EQ(b.status, "failed");
  EXPECT_NE(b.error_message.find("args.images: must be an array of strings"), std::string::npos) << b.error_message;
  EXPECT_EQ(node.jobs_of("notifications.batch_completion").size(), 1u);
}

}  // namespace
}  // namespace meshjobs::testing_support
