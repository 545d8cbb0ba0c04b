// A batch: many images meshed as one mesh.batch_generation job (the seed's MeshBatch), kept as
// domain records in the node's store (schema `batch`): a row in `batches`, one per image in
// `batch_images`. A batch's id is its job's id.
//   processing -> completed   every image finished (completed, failed or cancelled)
//              -> cancelled   cancelled: pending images never start, running ones are stopped
//              -> failed      its own setup failed for good (bad arguments, an unreadable folder)
// An image ends exactly once: the statement that ends it (writes::image_ended) commits with its
// child job's outcome and moves the batch's counts in the same transaction, so the counts are
// exact under any concurrency and through a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/runtime.hpp"

namespace meshjobs::batch {

namespace status {
inline constexpr const char* pending = "pending";
inline constexpr const char* processing = "processing";
inline constexpr const char* completed = "completed";
inline constexpr const char* failed = "failed";
inline constexpr const char* cancelled = "cancelled";
}  // namespace status

/// One image of a batch. `status`: pending (not started, or its child still runs), completed,
/// failed or cancelled; `mesh_status` is its mesh's, which shows a running child.
struct batch_image {
  std::int64_t index = 0;
  std::string image_url;
  std::int64_t mesh_id = 0;
  std::int64_t job_id = 0;  ///< its child job, once started (0: not yet)
  std::string status = status::pending;
  std::string error_message;
  std::string mesh_status;
};

struct batch_record {
  std::int64_t id = 0;
  std::string batch_uuid;
  std::string project;
  std::string user;
  std::string parameters = "{}";
  std::int64_t total = 0;
  std::int64_t completed = 0;
  std::int64_t failed = 0;
  std::int64_t cancelled = 0;
  std::string status = status::processing;
  std::string error_message;
  timestamp created_at = 0;
  timestamp updated_at = 0;
  timestamp completed_at = 0;
  timestamp failed_at = 0;
  timestamp cancelled_at = 0;

  bool finished() const { return status != status::processing && status != status::pending; }
  std::int64_t ended() const { return completed + failed + cancelled; }
  /// The seed's progress: ended images over all, in percent rounded down; 100 for an empty batch.
  std::int32_t progress() const;
};

record_schema batch_schema();

/// Reads batch records. Blocking (SQLite): never from an actor.
class batch_records {
 public:
  explicit batch_records(runtime& rt) : rt_(rt) {}

  std::optional<batch_record> find(std::int64_t id) const;
  /// Images [offset, offset + limit) in order, each with its mesh's status.
  std::vector<batch_image> images(std::int64_t id, std::int64_t offset, std::int64_t limit) const;
  /// Up to `limit` images after index `after` that have not ended, in order.
  std::vector<batch_image> unfinished(std::int64_t id, std::int64_t after, std::int64_t limit) const;
  /// The newest batch of `project` still processing, if any.
  std::optional<batch_record> processing_of(const std::string& project) const;

 private:
  runtime& rt_;
};

/// The statements that move a batch along; the caller commits them (alone or with an outcome).
namespace writes {
record_write insert(const batch_record& b);
record_write insert_image(std::int64_t batch, const batch_image& image);
/// The image ended as `status` (completed, failed or cancelled), unless it had ended already;
/// the batch's count of that status moves with it. Two statements, in this order.
std::vector<record_write> image_ended(std::int64_t batch, std::int64_t index, const std::string& status,
                                      const std::string& error, timestamp now);
/// Images after `index` that never started end as cancelled (and are counted).
std::vector<record_write> cancel_unstarted(std::int64_t batch, std::int64_t after_index, timestamp now);
record_write image_started(std::int64_t batch, std::int64_t index, std::int64_t job, timestamp now);
/// A batch that had failed runs again (its job retried by hand): processing once more.
record_write resumed(std::int64_t batch, timestamp now);
/// The batch's job succeeded: completed, unless it was cancelled meanwhile.
record_write finished(std::int64_t batch, timestamp now);
/// A cancel asked for: the batch says cancelled from now on (unless it had finished).
record_write cancelled(std::int64_t batch, timestamp now);
/// The batch's job failed for good (or was cancelled before it ran): the row is made if its
/// setup never made it, from the job's arguments.
record_write ended_early(const batch_record& b, timestamp now);
}  // namespace writes

/// The batch as the API shows it; with its images when `images` is not null.
std::string to_json(const batch_record& b, const std::vector<batch_image>* images = nullptr);
/// The seed's progress event: batch_id, progress, completed, failed, total (plus cancelled,
/// status and the uuid).
std::string progress_json(const batch_record& b);

}  // namespace meshjobs::batch
