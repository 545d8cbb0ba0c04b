// The mesh pipeline: the seed's jobs (app/jobs/mesh, storage, notifications, reports) as
// job types of one runtime, with what they share: the mesh records, the mesh storage and the
// node's config.
//
//   meshjobs::runtime rt{cfg};
//   auto pipeline = meshjobs::register_mesh_pipeline(rt);   // before start()
//   rt.start();
//   auto mesh = pipeline->create_mesh({"project-1", "user-7", "images/cat.png", R"({"detail_factor":0.01})"});
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "mesh/mesh_record.hpp"
#include "mesh/resource_check.hpp"
#include "meshjobs/runtime.hpp"
#include "storage/mesh_storage.hpp"

namespace meshjobs {

namespace http {
class client;
}
class task_pool;

/// What a generation produced, handed from its handler to its outcome hook (same node).
struct generation_result {
  std::string result_url;
  std::int64_t vertices = 0;
  std::int64_t triangles = 0;
  std::int64_t duration_ms = 0;
};

/// A generation running on this node, found by the id its mesh service knows.
struct running_generation {
  std::int64_t mesh = 0;
  job_id job = 0;
  std::int32_t attempt = 0;
};

class mesh_pipeline {
 public:
  mesh_pipeline(runtime& rt, std::shared_ptr<storage::mesh_storage> files);
  ~mesh_pipeline();

  runtime& rt() { return rt_; }
  const config& cfg() const { return rt_.cfg(); }
  mesh::mesh_records& records() { return records_; }
  storage::mesh_storage& files() { return *files_; }
  /// A stored file as the records name it: file:// and its absolute path.
  std::string file_url(const std::string& id, const std::string& file) const;
  /// The HTTP client of the `http` backend and the webhooks (made on first use).
  http::client& http();
  /// A small pool for the file writes of asynchronous jobs (made on first use).
  task_pool& io();
  /// The resource check before a generation (storage root usable, storage.min_free_mb free).
  resource_check& resources() { return resources_; }

  /// Creates a pending mesh and enqueues its generation (the seed's GenerationService):
  /// durable when it returns. Blocking: not from an actor.
  mesh::mesh_record create_mesh(const mesh::new_mesh& m);
  /// Enqueues a generation of an existing mesh and records the job on it. Its idempotency key
  /// names the mesh and `round`, so that a second call after a crash finds the first job.
  enqueue_reply enqueue_generation(const mesh::mesh_record& m, std::int64_t round = 0);

  void put_result(job_id job, generation_result r);
  std::optional<generation_result> take_result(job_id job);
  /// Which mesh a running generation job works on (set by its handler, for progress).
  void remember_job(job_id job, std::int64_t mesh);
  std::optional<std::int64_t> mesh_of_job(job_id job);
  /// The `http` backend's generation by its service job id, for the callbacks that name it
  /// (found here, a callback needs no record query).
  void remember_service_job(const std::string& service_job, running_generation g);
  std::optional<running_generation> running_service_job(const std::string& service_job);
  /// Forgets the job, and its service job id when that is still this job's.
  void forget_job(job_id job);

 private:
  runtime& rt_;
  std::shared_ptr<storage::mesh_storage> files_;
  mesh::mesh_records records_;
  resource_check resources_;
  std::mutex mutex_;
  std::unordered_map<job_id, generation_result> results_;
  std::unordered_map<job_id, std::int64_t> running_;
  std::unordered_map<std::string, running_generation> by_service_job_;
  std::once_flag http_made_;
  std::unique_ptr<http::client> http_;
  std::once_flag io_made_;
  std::unique_ptr<task_pool> io_;
};

/// Registers the mesh schema, every job type of the pipeline and its observers (progress
/// tracker, monitoring). Before rt.start(). The pipeline must outlive rt.stop().
std::shared_ptr<mesh_pipeline> register_mesh_pipeline(runtime& rt);

}  // namespace meshjobs
