// mesh.generation's `http` backend against meshjobs-mesher, a real mesh service started as a
// process on loopback: success by polling and by callback, a service that is down, hangs,
// answers malformed JSON or calls back twice, and the seed's retry timings on a manual clock.
#include <gtest/gtest.h>

#include "gateway/mesh_gateway.hpp"
#include "mesh_pipeline_fixture.hpp"
#include "mesh_service_process.hpp"

namespace meshjobs::testing_support {
namespace {

using meshjobs::testing::free_loopback_port;
using meshjobs::testing::mesher_process;

std::size_t count_in(const std::vector<job>& jobs, job_state s) {
  return static_cast<std::size_t>(std::count_if(jobs.begin(), jobs.end(), [&](const job& j) { return j.state == s; }));
}

class MeshHttpBackend : public ::testing::Test {
 protected:
  explicit MeshHttpBackend(std::vector<std::string> mesher_args = {"--callback-secret", "shh"})
    : mesher(dir, mesher_args), node(pipeline_config(dir.path())) {
    node.cfg.mesh_service.backend = mesh_backend::http;
    node.cfg.mesh_service.url = mesher.url();
    node.cfg.mesh_service.poll_interval_ms = 20;
    node.cfg.mesh_service.request_timeout_ms = 2000;
  }

  /// A mesh whose generation asks the service for `faults` (see meshjobs-mesher --help).
  mesh::mesh_record create(const std::string& faults = "{}") {
    // An image of its own: the service may still be reading the one before.
    const auto image = sample_image(dir, "img-" + std::to_string(++images) + ".png");
    return node.pipeline->create_mesh({"p1", "u1", image, R"({"detail_factor":0.02,"faults":)" + faults + "}"});
  }
  int images = 0;

  temp_dir dir;
  mesher_process mesher;
  pipeline_node node;
};

TEST_F(MeshHttpBackend, AMeshIsGeneratedByPollingTheService) {
  node.start();
  auto m = create(R"({"callback":"never"})");
  ASSERT_TRUE(node.rt->drain(patience));
  auto done = node.pipeline->records().find(m.id).value();
  EXPECT_EQ(done.status, mesh::status::completed) << done.error_message;
  EXPECT_GT(done.triangle_count, 0);
  EXPECT_TRUE(node.pipeline->files().exists(std::to_string(m.id), "mesh.glb"));
  EXPECT_EQ(count_in(node.jobs_of("notifications.mesh_completion"), job_state::succeeded), 1u);
}

TEST_F(MeshHttpBackend, CallbacksThroughTheGatewayEndTheWaitsWithoutAPollEvenWithMoreWaitsThanSlots) {
  node.cfg.mesh_service.poll_interval_ms = 600000;  // only the callbacks can end the waits in time
  node.cfg.mesh_service.callback_secret = "shh";
  node.cfg.http.port = free_loopback_port();
  node.cfg.concurrency = 2;  // fewer slots than waiting generations: their callbacks still run
  node.start();
  mesh_gateway gateway(node.pipeline);
  gateway.start();
  std::vector<mesh::mesh_record> meshes;
  for (int i = 0; i < 4; ++i)
    meshes.push_back(create());
  ASSERT_TRUE(node.rt->drain(patience));
  for (const auto& m : meshes) {
    auto done = node.pipeline->records().find(m.id).value();
    EXPECT_EQ(done.status, mesh::status::completed) << done.error_message;
  }
  EXPECT_GE(node.jobs_of("mesh.progress_callback").size(), 4u);
}

TEST_F(MeshHttpBackend, ADuplicateFinalCallbackCompletesTheMeshOnce) {
  node.cfg.mesh_service.callback_secret = "shh";
  node.cfg.http.port = free_loopback_port();
  node.start();
  mesh_gateway gateway(node.pipeline);
  gateway.start();
  auto m = create(R"({"callback":"twice"})");
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(node.pipeline->records().find(m.id)->status, mesh::status::completed);
  EXPECT_EQ(count_in(node.jobs_of("notifications.mesh_completion"), job_state::succeeded), 1u);
  EXPECT_EQ(count_in(node.jobs_of("storage.thumbnail_generation"), job_state::succeeded), 1u);
  EXPECT_EQ(node.rt->find(m.generation_job)->attempt, 1);
}

TEST_F(MeshHttpBackend, MalformedJsonFromTheServiceIsDiscardedNotRetried) {
  node.start();
  auto m = create(R"({"malformed":"status","callback":"never"})");
  ASSERT_TRUE(node.rt->drain(patience));
  auto j = node.rt->find(m.generation_job).value();
  EXPECT_EQ(j.state, job_state::discarded);
  EXPECT_EQ(j.last_error.kind, "bad_response");
  EXPECT_EQ(j.attempt, 1);
  EXPECT_EQ(node.pipeline->records().find(m.id)->status, mesh::status::failed);
}

TEST_F(MeshHttpBackend, AHangingServiceIsAReadTimeoutRetriedAfter30Seconds) {
  node.cfg.mesh_service.request_timeout_ms = 300;
  node.start();
  auto m = create(R"({"hang":"status","callback":"never"})");
  ASSERT_TRUE(node.events->wait_finished(m.generation_job, 1));
  auto o = node.events->outcome(m.generation_job).value();
  EXPECT_EQ(o.kind, outcome_kind::retry);
  EXPECT_EQ(o.error.kind, "read_timeout");
  EXPECT_EQ(o.retry_at - o.finished_at, seconds_us(30)) << "the seed's retry_on Net::ReadTimeout, wait: 30.seconds";
  node.rt->write_records({});
  EXPECT_EQ(node.pipeline->records().find(m.id)->status, mesh::status::retrying);
}

class MeshHttpBackendDown : public MeshHttpBackend {};

TEST_F(MeshHttpBackendDown, AServiceThatIsDownIsRetriedExponentiallyThenFailsOnceWithOneCleanupAndNotification) {
  node.cfg.mesh_service.url = "http://127.0.0.1:" + std::to_string(free_loopback_port());
  node.start();
  auto m = create();
  for (int attempt = 1; attempt <= 2; ++attempt) {
    ASSERT_TRUE(node.events->wait_finished(m.generation_job, static_cast<std::size_t>(attempt)));
    auto o = node.events->outcome(m.generation_job, static_cast<std::size_t>(attempt - 1)).value();
    EXPECT_EQ(o.kind, outcome_kind::retry);
    EXPECT_EQ(o.error.kind, "service_error");
    // ActiveJob's exponentially_longer: executions^4 + 2 s, with up to 15 % jitter.
    const auto base = seconds_us(static_cast<std::int64_t>(attempt) * attempt * attempt * attempt + 2);
    EXPECT_GE(o.retry_at - o.finished_at, base) << "attempt " << attempt;
    EXPECT_LE(o.retry_at - o.finished_at, base + base * 15 / 100) << "attempt " << attempt;
    EXPECT_TRUE(node.jobs_of("notifications.mesh_failure").empty());
    node.clock->advance(std::chrono::minutes(10));
    node.rt->tick();
  }
  ASSERT_TRUE(node.events->wait_finished(m.generation_job, 3));
  ASSERT_TRUE(node.rt->drain(patience));
  EXPECT_EQ(node.rt->find(m.generation_job)->state, job_state::dead);
  EXPECT_EQ(node.pipeline->records().find(m.id)->status, mesh::status::failed);
  EXPECT_EQ(count_in(node.jobs_of("mesh.cleanup"), job_state::succeeded), 1u);
  EXPECT_EQ(count_in(node.jobs_of("notifications.mesh_failure"), job_state::succeeded), 1u);
}

}  // namespace
}  // namespace meshjobs::testing_support
