// A mesh: one image turned (or being turned) into a 3D mesh, kept as a domain record in the
// node's store (table `meshes`, schema `mesh`). Its status follows its generation job:
//   pending -> processing -> completed
//                         -> retrying -> processing ...   (attempts remain)
//                         -> failed                       (retries exhausted, discarded, cancelled)
// Each change that an outcome makes commits with that outcome (see mesh_generation.cpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/runtime.hpp"

namespace meshjobs::mesh {

namespace status {
inline constexpr const char* pending = "pending";
inline constexpr const char* processing = "processing";
inline constexpr const char* retrying = "retrying";
inline constexpr const char* completed = "completed";
inline constexpr const char* failed = "failed";
}  // namespace status

struct mesh_record {
  std::int64_t id = 0;
  std::string job_id;  ///< the id the mesh service knows it by ("mesh-<id>")
  std::string project;
  std::string user;
  std::string image_url;
  std::string parameters = "{}";  ///< JSON object
  std::string status = status::pending;
  std::int32_t progress = 0;
  std::string message;
  std::string result_url;
  std::string thumbnail_url;
  std::int64_t vertex_count = 0;
  std::int64_t triangle_count = 0;
  std::string error_message;
  timestamp created_at = 0;
  timestamp updated_at = 0;
  timestamp started_at = 0;
  timestamp completed_at = 0;
  timestamp failed_at = 0;
  bool cleaned_up = false;
  meshjobs::job_id generation_job = 0;  ///< the latest mesh.generation job of this mesh
  std::int64_t duration_ms = 0;
  std::int32_t attempt = 0;  ///< the generation attempt its status speaks of
};

/// The `mesh` schema's migrations (append a step to change it; never edit a released one).
record_schema mesh_schema();

/// What a new mesh needs.
struct new_mesh {
  std::string project;
  std::string user;
  std::string image_url;
  std::string parameters = "{}";
};

/// Reads and writes mesh records through the runtime. Blocking (SQLite): call it from a
/// blocking handler, an observer or a host thread, never from an actor.
class mesh_records {
 public:
  explicit mesh_records(runtime& rt) : rt_(rt) {}

  /// Inserts a pending mesh and returns it with its id; durable when it returns.
  mesh_record create(const new_mesh& m);
  /// A pending mesh with a fresh id, not written yet: commit writes::insert(it) yourself
  /// (a batch inserts all of its meshes in one transaction).
  mesh_record make(const new_mesh& m);
  std::optional<mesh_record> find(std::int64_t id) const;
  std::optional<mesh_record> find_by_job_id(const std::string& job_id) const;
  /// The newest mesh made from `image_url`, if any.
  std::optional<mesh_record> find_by_image(const std::string& image_url) const;
  /// Newest first; `status` empty: any.
  std::vector<mesh_record> list(const std::string& status, std::size_t limit) const;
  /// Failed meshes created before `cutoff` whose files were not cleaned up yet.
  std::vector<mesh_record> failed_before(timestamp cutoff) const;
  /// Meshes created within [from, to).
  std::vector<mesh_record> created_between(timestamp from, timestamp to) const;
  std::vector<std::string> all_ids() const;
  /// The mesh that generation job `job` works on, if any.
  std::optional<std::int64_t> mesh_of_job(job_id job) const;

  void write(std::vector<record_write> writes) { rt_.write_records(std::move(writes)); }
  runtime& rt() { return rt_; }

 private:
  std::vector<mesh_record> select(const std::string& where, const std::vector<record_value>& params) const;
  std::int64_t next_id();

  runtime& rt_;
  std::once_flag loaded_;
  std::atomic<std::int64_t> next_id_{1};
};

/// The statements that move a mesh along; the caller commits them (alone or with an outcome).
namespace writes {
record_write insert(const mesh_record& m);
record_write set_generation_job(std::int64_t mesh, job_id job, timestamp now);
/// When its first attempt started, unless it already has that time.
record_write started(std::int64_t mesh, timestamp started_at);
/// A progress report of attempt `attempt`; ignored once that attempt has ended.
record_write progress(std::int64_t mesh, std::int32_t attempt, std::int32_t percent, const std::string& message,
                      timestamp now);
record_write completed(std::int64_t mesh, const std::string& result_url, std::int64_t vertices,
                       std::int64_t triangles, std::int64_t duration_ms, timestamp now);
record_write retrying(std::int64_t mesh, std::int32_t attempt, const std::string& error, timestamp now);
record_write failed(std::int64_t mesh, const std::string& error, timestamp now);
record_write thumbnail(std::int64_t mesh, const std::string& url, timestamp now);
record_write cleaned_up(std::int64_t mesh, timestamp now);
/// Back to pending for a new generation (mesh.retry).
record_write reset(std::int64_t mesh, timestamp now);
}  // namespace writes

/// The mesh as the API and the channels show it.
std::string to_json(const mesh_record& m);

}  // namespace meshjobs::mesh
