#include "mesh/batch_record.hpp"


#include "meshjobs/messages/json.hpp"

namespace meshjobs::batch {
namespace {

using v = record_value;

constexpr const char* columns =
  "id, batch_uuid, project, user_name, parameters, total, completed, failed, cancelled, status, error_message,"
  " created_at, updated_at, completed_at, failed_at, cancelled_at";

constexpr const char* not_ended = "status = 'pending'";

batch_record from_row(const record_row& r) {
  batch_record b;
  b.id = r.at(0).integer;
  b.batch_uuid = r.at(1).text;
  b.project = r.at(2).text;
  b.user = r.at(3).text;
  b.parameters = r.at(4).text;
  b.total = r.at(5).integer;
  b.completed = r.at(6).integer;
  b.failed = r.at(7).integer;
  b.cancelled = r.at(8).integer;
  b.status = r.at(9).text;
  b.error_message = r.at(10).text;
  b.created_at = r.at(11).integer;
  b.updated_at = r.at(12).integer;
  b.completed_at = r.at(13).integer;
  b.failed_at = r.at(14).integer;
  b.cancelled_at = r.at(15).integer;
  return b;
}

batch_image image_from_row(const record_row& r) {
  batch_image i;
  i.index = r.at(0).integer;
  i.image_url = r.at(1).text;
  i.mesh_id = r.at(2).integer;
  i.job_id = r.at(3).integer;
  i.status = r.at(4).text;
  i.error_message = r.at(5).text;
  if (r.size() > 6)
    i.mesh_status = r.at(6).text;
  return i;
}

const char* count_column(const std::string& status) {
  if (status == status::completed)
    return "completed";
  if (status == status::cancelled)
    return "cancelled";
  return "failed";
}

}  // namespace

std::int32_t batch_record::progress() const {
  if (total <= 0)
    return 100;
  // Rounded down: 100 only once every image has ended.
  return static_cast<std::int32_t>(ended() * 100 / total);
}

record_schema batch_schema() {
  return {"batch", {
    "CREATE TABLE batches ("
    " id INTEGER PRIMARY KEY, batch_uuid TEXT NOT NULL, project TEXT NOT NULL DEFAULT '',"
    " user_name TEXT NOT NULL DEFAULT '', parameters TEXT NOT NULL DEFAULT '{}', total INTEGER NOT NULL DEFAULT 0,"
    " completed INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0, cancelled INTEGER NOT NULL DEFAULT 0,"
    " status TEXT NOT NULL, error_message TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL,"
    " updated_at INTEGER NOT NULL, completed_at INTEGER NOT NULL DEFAULT 0, failed_at INTEGER NOT NULL DEFAULT 0,"
    " cancelled_at INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX batches_by_project ON batches (project, status);"
    "CREATE INDEX batches_by_status ON batches (status, created_at);"
    "CREATE TABLE batch_images ("
    " batch_id INTEGER NOT NULL, idx INTEGER NOT NULL, image_url TEXT NOT NULL, mesh_id INTEGER NOT NULL,"
    " job_id INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'pending',"
    " error_message TEXT NOT NULL DEFAULT '', updated_at INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (batch_id, idx)) WITHOUT ROWID;",
  }};
}

std::optional<batch_record> batch_records::find(std::int64_t id) const {
  auto rows = rt_.query_records(std::string{"SELECT "} + columns + " FROM batches WHERE id = ?", {v::of(id)});
  if (rows.empty())
    return std::nullopt;
  return from_row(rows.front());
}

std::vector<batch_image> batch_records::images(std::int64_t id, std::int64_t offset, std::int64_t limit) const {
  std::vector<batch_image> out;
  for (const auto& row : rt_.query_records(
         "SELECT i.idx, i.image_url, i.mesh_id, i.job_id, i.status, i.error_message, COALESCE(m.status, '')"
         " FROM batch_images i LEFT JOIN meshes m ON m.id = i.mesh_id"
         " WHERE i.batch_id = ? AND i.idx >= ? ORDER BY i.idx LIMIT ?",
         {v::of(id), v::of(offset), v::of(limit)}))
    out.push_back(image_from_row(row));
  return out;
}

std::vector<batch_image> batch_records::unfinished(std::int64_t id, std::int64_t after, std::int64_t limit) const {
  std::vector<batch_image> out;
  for (const auto& row : rt_.query_records(
         std::string{"SELECT idx, image_url, mesh_id, job_id, status, error_message FROM batch_images"
                     " WHERE batch_id = ? AND idx > ? AND "} + not_ended + " ORDER BY idx LIMIT ?",
         {v::of(id), v::of(after), v::of(limit)}))
    out.push_back(image_from_row(row));
  return out;
}

std::optional<batch_record> batch_records::processing_of(const std::string& project) const {
  auto rows = rt_.query_records(std::string{"SELECT "} + columns +
                                  " FROM batches WHERE project = ? AND status = 'processing' ORDER BY id DESC LIMIT 1",
                                {v::of(project)});
  if (rows.empty())
    return std::nullopt;
  return from_row(rows.front());
}

namespace writes {

record_write insert(const batch_record& b) {
  return {"INSERT OR REPLACE INTO batches (id, batch_uuid, project, user_name, parameters, total, status, created_at,"
          " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {v::of(b.id), v::of(b.batch_uuid), v::of(b.project), v::of(b.user), v::of(b.parameters), v::of(b.total),
           v::of(b.status), v::of(b.created_at), v::of(b.updated_at)}};
}

record_write insert_image(std::int64_t batch, const batch_image& image) {
  return {"INSERT INTO batch_images (batch_id, idx, image_url, mesh_id) VALUES (?, ?, ?, ?)",
          {v::of(batch), v::of(image.index), v::of(image.image_url), v::of(image.mesh_id)}};
}

std::vector<record_write> image_ended(std::int64_t batch, std::int64_t index, const std::string& status,
                                      const std::string& error, timestamp now) {
  // The count first, while the image still says pending: together they move exactly once.
  return {
    {std::string{"UPDATE batches SET "} + count_column(status) + " = " + count_column(status) +
       " + 1, updated_at = ? WHERE id = ? AND EXISTS (SELECT 1 FROM batch_images WHERE batch_id = ? AND idx = ? AND " +
       not_ended + ")",
     {v::of(now), v::of(batch), v::of(batch), v::of(index)}},
    {std::string{"UPDATE batch_images SET status = ?, error_message = ?, updated_at = ? WHERE batch_id = ? AND"
                 " idx = ? AND "} + not_ended,
     {v::of(status), v::of(error), v::of(now), v::of(batch), v::of(index)}},
  };
}

std::vector<record_write> cancel_unstarted(std::int64_t batch, std::int64_t after_index, timestamp now) {
  return {
    {std::string{"UPDATE batches SET cancelled = cancelled + (SELECT COUNT(*) FROM batch_images WHERE batch_id = ?"
                 " AND idx > ? AND job_id = 0 AND "} + not_ended + "), updated_at = ? WHERE id = ?",
     {v::of(batch), v::of(after_index), v::of(now), v::of(batch)}},
    {std::string{"UPDATE batch_images SET status = 'cancelled', updated_at = ? WHERE batch_id = ? AND idx > ? AND"
                 " job_id = 0 AND "} + not_ended,
     {v::of(now), v::of(batch), v::of(after_index)}},
  };
}

record_write image_started(std::int64_t batch, std::int64_t index, std::int64_t job, timestamp now) {
  return {"UPDATE batch_images SET job_id = ?, updated_at = ? WHERE batch_id = ? AND idx = ? AND job_id = 0",
          {v::of(job), v::of(now), v::of(batch), v::of(index)}};
}

record_write resumed(std::int64_t batch, timestamp now) {
  return {"UPDATE batches SET status = 'processing', error_message = '', failed_at = 0, updated_at = ? WHERE id = ?",
          {v::of(now), v::of(batch)}};
}

record_write finished(std::int64_t batch, timestamp now) {
  return {"UPDATE batches SET status = CASE status WHEN 'cancelled' THEN 'cancelled' ELSE 'completed' END,"
          " completed_at = ?, updated_at = ? WHERE id = ?",
          {v::of(now), v::of(now), v::of(batch)}};
}

record_write cancelled(std::int64_t batch, timestamp now) {
  return {"UPDATE batches SET status = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ? AND"
          " status IN ('pending', 'processing')",
          {v::of(now), v::of(now), v::of(batch)}};
}

record_write ended_early(const batch_record& b, timestamp now) {
  const bool failed = b.status == status::failed;
  return {"INSERT INTO batches (id, batch_uuid, project, user_name, parameters, total, status, error_message,"
          " created_at, updated_at, failed_at, cancelled_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)"
          " ON CONFLICT (id) DO UPDATE SET status = CASE status WHEN 'cancelled' THEN 'cancelled' ELSE excluded.status"
          " END, error_message = excluded.error_message, updated_at = excluded.updated_at,"
          " failed_at = excluded.failed_at, cancelled_at = CASE cancelled_at WHEN 0 THEN excluded.cancelled_at"
          " ELSE cancelled_at END",
          {v::of(b.id), v::of(b.batch_uuid), v::of(b.project), v::of(b.user), v::of(b.parameters), v::of(b.status),
           v::of(b.error_message), v::of(now), v::of(now), v::of(failed ? now : 0), v::of(failed ? 0 : now)}};
}

}  // namespace writes

std::string to_json(const batch_record& b, const std::vector<batch_image>* images) {
  json::writer w;
  w.begin_object()
    .key("id").value(b.id).key("batch_uuid").value(b.batch_uuid).key("project").value(b.project)
    .key("user").value(b.user).key("parameters").raw(b.parameters).key("status").value(b.status)
    .key("total").value(b.total).key("completed").value(b.completed).key("failed").value(b.failed)
    .key("cancelled").value(b.cancelled).key("progress").value(b.progress())
    .key("complete").value(b.total == b.ended()).key("success").value(b.total == b.completed)
    .key("error_message").value(b.error_message).key("created_at").value(b.created_at)
    .key("updated_at").value(b.updated_at).key("completed_at").value(b.completed_at)
    .key("failed_at").value(b.failed_at).key("cancelled_at").value(b.cancelled_at);
  if (images) {
    w.key("images").begin_array();
    for (const auto& i : *images)
      w.begin_object().key("index").value(i.index).key("image_url").value(i.image_url).key("mesh_id").value(i.mesh_id)
        .key("job_id").value(i.job_id).key("status").value(i.status).key("mesh_status").value(i.mesh_status)
        .key("error_message").value(i.error_message).end_object();
    w.end_array();
  }
  w.end_object();
  return w.take();
}

std::string progress_json(const batch_record& b) {
  json::writer w;
  w.begin_object()
    .key("batch_id").value(b.id).key("batch_uuid").value(b.batch_uuid).key("progress").value(b.progress())
    .key("completed").value(b.completed).key("failed").value(b.failed).key("cancelled").value(b.cancelled)
    .key("total").value(b.total).key("status").value(b.status)
    .end_object();
  return w.take();
}

}  // namespace meshjobs::batch
