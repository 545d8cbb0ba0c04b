// The mesh pipeline on a real node (SQLite store, storage root in a temp dir) with the
// embedded mesher: a mesh's life through its records, files, follow-up jobs and channels.
#include <gtest/gtest.h>

#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "mesh/mesher/mesher.hpp"
#include "mesh_pipeline_fixture.hpp"
#include "meshjobs/config/loader.hpp"
#include "meshjobs/http/http_server.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::testing_support {
namespace {

namespace fs = std::filesystem;

/// Collects what a channel carries; tests wait for a message that matches.
class channel_log {
 public:
  channel_log(runtime& rt, const std::string& channel) : rt_(rt) {
    id_ = rt.subscribe(channel, [this](const std::string&, const std::string& payload) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        messages_.push_back(payload);
      }
      changed_.notify_all();
    });
  }
  ~channel_log() { rt_.unsubscribe(id_); }

  bool wait_for(const std::string& fragment) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, patience, [&] {
      return std::any_of(messages_.begin(), messages_.end(),
                         [&](const std::string& m) { return m.find(fragment) != std::string::npos; });
    });
  }
  std::size_t count(const std::string& fragment) {
    std::lock_guard<std::mutex> lock(mutex_);
    return static_cast<std::size_t>(std::count_if(messages_.begin(), messages_.end(), [&](const std::string& m) {
      return m.find(fragment) != std::string::npos;
    }));
  }

 private:
  runtime& rt_;
  std::uint64_t id_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> messages_;
};

std::string path_of(const std::string& url) { return url.rfind("file://", 0) == 0 ? url.substr(7) : url; }

std::size_t count_in(const std::vector<job>& jobs, job_state s) {
  return static_cast<std::size_t>(std::count_if(jobs.begin(), jobs.end(), [&](const job& j) { return j.state == s; }));
}

class MeshPipeline : public ::testing::Test {
 protected:
  MeshPipeline() : node(pipeline_config(dir.path())) {}
  mesh::mesh_records& records() { return node.pipeline->records(); }

  temp_dir dir;
  pipeline_node node;
};

TEST_F(MeshPipeline, AnImageBecomesACompletedMeshWithItsCountsAThumbnailAndOneCompletionNotification) {
  node.start();
  const auto image = sample_image(dir, "hill.png", 96, 3);
  channel_log progress(*node.rt, "mesh:1");
  channel_log user(*node.rt, "user:u1");
  auto m = node.pipeline->create_mesh({"p1", "u1", image, R"({"detail_factor":0.01})"});
  ASSERT_EQ(m.id, 1);
  ASSERT_TRUE(node.rt->drain(patience));

  auto done = records().find(m.id).value();
  EXPECT_EQ(done.status, mesh::status::completed);
  EXPECT_EQ(done.progress, 100);
  EXPECT_GT(done.triangle_count, 2);
  EXPECT_GT(done.vertex_count, 4);
  EXPECT_GT(done.started_at, 0);
  EXPECT_GT(done.completed_at, 0);
  const auto glb = read_file(path_of(done.result_url));
  auto loaded = mesher::decode_glb(glb, "mesh.glb");
  EXPECT_EQ(static_cast<std::int64_t>(loaded.triangle_count()), done.triangle_count);
  EXPECT_EQ(static_cast<std::int64_t>(loaded.vertex_count()), done.vertex_count);
  ASSERT_FALSE(done.thumbnail_url.empty());
  const auto png = read_file(path_of(done.thumbnail_url));
  EXPECT_EQ(png.substr(1, 3), "PNG");

  EXPECT_EQ(count_in(node.jobs_of("notifications.mesh_completion"), job_state::succeeded), 1u);
  EXPECT_EQ(count_in(node.jobs_of("storage.thumbnail_generation"), job_state::succeeded), 1u);
  EXPECT_TRUE(node.jobs_of("mesh.cleanup").empty());
  EXPECT_TRUE(node.jobs_of("notifications.mesh_failure").empty());
  EXPECT_TRUE(progress.wait_for(R"("status":"processing")"));
  EXPECT_TRUE(progress.wait_for(R"("status":"completed")"));
  EXPECT_TRUE(user.wait_for(R"("event":"mesh.completed")"));
  EXPECT_EQ(user.count("mesh.completed"), 1u);
}

TEST_F(MeshPipeline, AnImageAtAnHttpUrlIsFetchedAndMeshedAndAMissingOneFailsByName) {
  const auto png = read_file(sample_image(dir, "served.png", 48, 5));
  http::server images(http::server_options{});
  images.route("GET", "/images/hill.png", [&png](http::request, http::responder respond) {
    http::response r;
    r.content_type = "image/png";
    r.body = png;
    respond(std::move(r));
  });
  const auto base = "http://127.0.0.1:" + std::to_string(images.start());
  node.start();
  auto served = node.pipeline->create_mesh({"p1", "u1", base + "/images/hill.png", "{}"});
  auto missing = node.pipeline->create_mesh({"p1", "u1", base + "/images/none.png", "{}"});
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(records().find(served.id)->status, mesh::status::completed) << records().find(served.id)->error_message;
  auto failed = records().find(missing.id).value();
  EXPECT_EQ(failed.status, mesh::status::failed);
  EXPECT_NE(failed.error_message.find("image_not_found"), std::string::npos) << failed.error_message;
  EXPECT_NE(failed.error_message.find("none.png"), std::string::npos) << failed.error_message;
  EXPECT_EQ(node.rt->find(missing.generation_job)->attempt, 1) << "a missing image is not retried";
}

TEST_F(MeshPipeline, ACorruptImageFailsItsMeshOnceWithOneCleanupAndOneFailureNotificationAndNoRetry) {
  node.start();
  const auto image = dir.file("broken.png");
  write_file(image, "this is no image at all, whatever its name says");
  auto m = node.pipeline->create_mesh({"p1", "u1", image, "{}"});
  ASSERT_TRUE(node.rt->drain(patience));

  auto failed = records().find(m.id).value();
  EXPECT_EQ(failed.status, mesh::status::failed);
  EXPECT_NE(failed.error_message.find("bad_image"), std::string::npos) << failed.error_message;
  EXPECT_NE(failed.error_message.find("broken.png"), std::string::npos) << failed.error_message;
  EXPECT_TRUE(failed.cleaned_up);
  auto generation = node.rt->find(m.generation_job).value();
  EXPECT_EQ(generation.state, job_state::discarded);
  EXPECT_EQ(generation.attempt, 1);
  EXPECT_EQ(count_in(node.jobs_of("mesh.cleanup"), job_state::succeeded), 1u);
  EXPECT_EQ(count_in(node.jobs_of("notifications.mesh_failure"), job_state::succeeded), 1u);
  EXPECT_TRUE(node.jobs_of("notifications.mesh_completion").empty());
}

TEST_F(MeshPipeline, WhileAttemptsRemainTheMeshIsRetryingAndOnlyTheLastFailureCleansAndNotifies) {
  node.cfg.storage.min_free_mb = std::int64_t{1} << 40;  // no disk is that free: the resource check fails
  node.start();
  auto m = node.pipeline->create_mesh({"p1", "u1", sample_image(dir, "a.png"), "{}"});
  for (int attempt = 1; attempt <= 2; ++attempt) {
    ASSERT_TRUE(node.events->wait_finished(m.generation_job, static_cast<std::size_t>(attempt)));
    node.rt->write_records({});  // a barrier: the outcome's commit, records included, is durable
    auto retrying = records().find(m.id).value();
    EXPECT_EQ(retrying.status, mesh::status::retrying) << "after attempt " << attempt;
    EXPECT_NE(retrying.error_message.find("storage.min_free_mb"), std::string::npos) << retrying.error_message;
    EXPECT_TRUE(node.jobs_of("mesh.cleanup").empty()) << "after attempt " << attempt;
    EXPECT_TRUE(node.jobs_of("notifications.mesh_failure").empty()) << "after attempt " << attempt;
    node.clock->advance(std::chrono::hours(1));
    node.rt->tick();
  }
  ASSERT_TRUE(node.events->wait_finished(m.generation_job, 3));
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(node.rt->find(m.generation_job).value().state, job_state::dead);
  auto failed = records().find(m.id).value();
  EXPECT_EQ(failed.status, mesh::status::failed);
  EXPECT_EQ(count_in(node.jobs_of("mesh.cleanup"), job_state::succeeded), 1u);
  EXPECT_EQ(count_in(node.jobs_of("notifications.mesh_failure"), job_state::succeeded), 1u);
}

TEST_F(MeshPipeline, AProgressReportThatArrivesAfterItsAttemptEndedDoesNotUndoTheEnd) {
  node.start();
  auto m = records().create({"p1", "u1", "a.png", "{}"});
  const auto now = node.clock->now();
  records().write({mesh::writes::progress(m.id, 1, 30, "attempt 1 at work", now)});
  EXPECT_EQ(records().find(m.id)->status, mesh::status::processing);
  records().write({mesh::writes::retrying(m.id, 1, "service_error: down", now),
                   mesh::writes::progress(m.id, 1, 60, "attempt 1, late", now)});
  auto retrying = records().find(m.id).value();
  EXPECT_EQ(retrying.status, mesh::status::retrying);
  EXPECT_EQ(retrying.progress, 30);
  records().write({mesh::writes::progress(m.id, 2, 10, "attempt 2 at work", now)});
  EXPECT_EQ(records().find(m.id)->status, mesh::status::processing);
  records().write({mesh::writes::completed(m.id, "file:///m.glb", 4, 2, 5, now),
                   mesh::writes::progress(m.id, 2, 90, "attempt 2, late", now)});
  auto done = records().find(m.id).value();
  EXPECT_EQ(done.status, mesh::status::completed);
  EXPECT_EQ(done.progress, 100);
}

TEST_F(MeshPipeline, AProgressCallbackForAnUnknownJobIdIsDiscardedNotRetried) {
  node.start();
  // By the seed's class name, as a Sidekiq client would enqueue it.
  auto reply = node.rt->enqueue("Mesh::ProgressCallbackJob",
                                R"({"job_id":"mesh-999","progress":50,"message":"half"})");
  ASSERT_TRUE(node.rt->drain(patience));
  auto j = node.rt->find(reply.id).value();
  EXPECT_EQ(j.kind, "mesh.progress_callback");
  EXPECT_EQ(j.state, job_state::discarded);
  EXPECT_EQ(j.attempt, 1);
  EXPECT_EQ(j.last_error.kind, "unknown_mesh");
  EXPECT_NE(j.last_error.message.find("mesh-999"), std::string::npos);
  EXPECT_EQ(j.queue, "critical");
  EXPECT_EQ(j.priority, 10);
}

TEST_F(MeshPipeline, AProgressCallbackKeepsTheProgressOnTheMeshAndPublishesIt) {
  node.start();
  auto m = records().create({"p1", "u1", "nowhere.png", "{}"});
  channel_log channel(*node.rt, "mesh:" + std::to_string(m.id));
  auto reply = node.rt->enqueue("mesh.progress_callback",
                                R"({"job_id":")" + m.job_id + R"(","progress":40,"message":"Meshing"})");
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(node.rt->find(reply.id).value().state, job_state::succeeded);
  auto now = records().find(m.id).value();
  EXPECT_EQ(now.progress, 40);
  EXPECT_EQ(now.message, "Meshing");
  EXPECT_EQ(now.status, mesh::status::processing);
  EXPECT_TRUE(channel.wait_for(R"("progress":40)"));
}

TEST_F(MeshPipeline, CleanupOfOneMeshRemovesTheFilesOfAFailedMeshOnly) {
  node.start();
  auto failed = records().create({"p1", "u1", "a.png", "{}"});
  auto completed = records().create({"p1", "u1", "b.png", "{}"});
  const auto now = node.clock->now();
  records().write({mesh::writes::failed(failed.id, "bad_image: x", now),
                   mesh::writes::completed(completed.id, "file:///x", 4, 2, 10, now)});
  node.pipeline->files().write(std::to_string(failed.id), "mesh.glb", "x");
  node.pipeline->files().write(std::to_string(completed.id), "mesh.glb", "y");
  node.rt->enqueue("mesh.cleanup", R"({"mesh_id":)" + std::to_string(failed.id) + "}");
  node.rt->enqueue("mesh.cleanup", R"({"mesh_id":)" + std::to_string(completed.id) + "}");
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_FALSE(node.pipeline->files().exists(std::to_string(failed.id), "mesh.glb"));
  EXPECT_TRUE(records().find(failed.id)->cleaned_up);
  EXPECT_TRUE(node.pipeline->files().exists(std::to_string(completed.id), "mesh.glb"));
  EXPECT_FALSE(records().find(completed.id)->cleaned_up);
}

TEST_F(MeshPipeline, CleanupOlderThanGivesEachOldFailedMeshACleanupJobOfItsOwn) {
  node.start();
  auto old1 = records().create({"p1", "u1", "a.png", "{}"});
  auto old2 = records().create({"p1", "u1", "b.png", "{}"});
  node.clock->advance(std::chrono::hours(24 * 8));
  auto recent = records().create({"p1", "u1", "c.png", "{}"});
  const auto now = node.clock->now();
  records().write({mesh::writes::failed(old1.id, "e", now), mesh::writes::failed(old2.id, "e", now),
                   mesh::writes::failed(recent.id, "e", now)});
  node.rt->enqueue("mesh.cleanup", R"({"older_than":604800})");
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(count_in(node.jobs_of("mesh.cleanup"), job_state::succeeded), 3u);  // the sweep and one per old mesh
  EXPECT_TRUE(records().find(old1.id)->cleaned_up);
  EXPECT_TRUE(records().find(old2.id)->cleaned_up);
  EXPECT_FALSE(records().find(recent.id)->cleaned_up);
}

TEST_F(MeshPipeline, StorageCleanupRemovesOrphanedFilesAndKeepsTheFilesOfKnownMeshes) {
  node.start();
  auto known = records().create({"p1", "u1", "a.png", "{}"});
  node.pipeline->files().write(std::to_string(known.id), "mesh.glb", "x");
  node.pipeline->files().write("999", "mesh.glb", "orphan");
  node.rt->enqueue("storage.cleanup", "{}");
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_FALSE(node.pipeline->files().exists("999", "mesh.glb"));
  EXPECT_TRUE(node.pipeline->files().exists(std::to_string(known.id), "mesh.glb"));
}

TEST_F(MeshPipeline, MeshRetryGeneratesAFailedMeshAgain) {
  node.start();
  auto m = records().create({"p1", "u1", sample_image(dir, "a.png"), "{}"});
  records().write({mesh::writes::failed(m.id, "service_error: down", node.clock->now())});
  node.rt->enqueue("mesh.retry", "{}");
  ASSERT_TRUE(node.rt->drain(patience));
  auto again = records().find(m.id).value();
  EXPECT_EQ(again.status, mesh::status::completed);
  EXPECT_NE(again.generation_job, 0u);
  EXPECT_EQ(again.error_message, "");
}

TEST_F(MeshPipeline, TheUsageReportCountsAMonthsMeshesPerProjectAndUserAsCsvAndJson) {
  node.start();  // the manual clock reads 2024-05-01
  auto a = records().create({"p1", "u1", "a.png", "{}"});
  auto b = records().create({"p1", "u1", "b.png", "{}"});
  auto c = records().create({"p2", "u2", "c.png", "{}"});
  const auto now = node.clock->now();
  records().write({mesh::writes::completed(a.id, "file:///a", 4, 2, 100, now),
                   mesh::writes::failed(b.id, "e", now),
                   mesh::writes::completed(c.id, "file:///c", 4, 2, 300, now)});
  auto reply = node.rt->enqueue("reports.usage_report", R"({"month":"2024-05"})");
  ASSERT_TRUE(node.rt->drain(patience));
  ASSERT_EQ(node.rt->find(reply.id).value().state, job_state::succeeded);
  auto csv = read_lines((dir.path() / "reports" / "usage-2024-05.csv").string());
  ASSERT_EQ(csv.size(), 3u);
  EXPECT_EQ(csv[1], "2024-05,p1,u1,2,1,1,0.5000,100");
  EXPECT_EQ(csv[2], "2024-05,p2,u2,1,1,0,1.0000,300");
  auto report = read_file((dir.path() / "reports" / "usage-2024-05.json").string());
  EXPECT_NE(report.find(R"("project":"p2","user":"u2","meshes":1)"), std::string::npos) << report;

  auto bad = node.rt->enqueue("reports.usage_report", R"({"month":"May"})");
  ASSERT_TRUE(node.rt->drain(patience));
  auto refused = node.rt->find(bad.id).value();
  EXPECT_EQ(refused.state, job_state::discarded);
  EXPECT_NE(refused.last_error.message.find("args.month"), std::string::npos);
}

TEST(MeshPipelineSchedule, TheShippedScheduleNamesPipelineJobsAndAnUnknownClassIsAnError) {
  auto cfg = default_config();
  cfg.store.backend = store_backend::memory;
  {
    runtime rt{cfg};
    auto p = register_mesh_pipeline(rt);
    EXPECT_NO_THROW(rt.check());
    ASSERT_EQ(cfg.schedule.size(), 3u);
    EXPECT_EQ(cfg.schedule[0].kind, "mesh.cleanup");
    EXPECT_EQ(cfg.schedule[0].args, R"({"older_than":604800})");
    EXPECT_EQ(cfg.schedule[1].kind, "storage.cleanup");
    EXPECT_EQ(cfg.schedule[2].kind, "reports.usage_report");
  }
  cfg.schedule.push_back({"nightly", "0 4 * * *", "mesh.nope", "{}", ""});
  runtime rt{cfg};
  auto p = register_mesh_pipeline(rt);
  try {
    rt.check();
    ADD_FAILURE() << "check() accepted a schedule naming an unknown job";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string{e.what()}.find("config: schedule.nightly: no job type \"mesh.nope\""), std::string::npos)
      << e.what();
  }
  EXPECT_THROW(rt.start(), std::invalid_argument);
}

}  // namespace
}  // namespace meshjobs::testing_support
