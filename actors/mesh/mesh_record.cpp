#include "mesh/mesh_record.hpp"

#include "meshjobs/messages/json.hpp"

namespace meshjobs::mesh {
namespace {

using v = record_value;

constexpr const char* columns =
  "id, job_id, project, user_name, image_url, parameters, status, progress, message, result_url, "
  "thumbnail_url, vertex_count, triangle_count, error_message, created_at, updated_at, started_at, "
  "completed_at, failed_at, cleaned_up, generation_job, duration_ms, attempt";

const std::string& text(const record_row& row, std::size_t i) { return row.at(i).text; }
std::int64_t integer(const record_row& row, std::size_t i) { return row.at(i).integer; }

mesh_record from_row(const record_row& r) {
  mesh_record m;
  m.id = integer(r, 0);
  m.job_id = text(r, 1);
  m.project = text(r, 2);
  m.user = text(r, 3);
  m.image_url = text(r, 4);
  m.parameters = text(r, 5);
  m.status = text(r, 6);
  m.progress = static_cast<std::int32_t>(integer(r, 7));
  m.message = text(r, 8);
  m.result_url = text(r, 9);
  m.thumbnail_url = text(r, 10);
  m.vertex_count = integer(r, 11);
  m.triangle_count = integer(r, 12);
  m.error_message = text(r, 13);
  m.created_at = integer(r, 14);
  m.updated_at = integer(r, 15);
  m.started_at = integer(r, 16);
  m.completed_at = integer(r, 17);
  m.failed_at = integer(r, 18);
  m.cleaned_up = integer(r, 19) != 0;
  m.generation_job = static_cast<meshjobs::job_id>(integer(r, 20));
  m.duration_ms = integer(r, 21);
  m.attempt = static_cast<std::int32_t>(integer(r, 22));
  return m;
}

}  // namespace

record_schema mesh_schema() {
  return {"mesh", {
    "CREATE TABLE meshes ("
    " id INTEGER PRIMARY KEY, job_id TEXT NOT NULL UNIQUE, project TEXT NOT NULL DEFAULT '',"
    " user_name TEXT NOT NULL DEFAULT '', image_url TEXT NOT NULL, parameters TEXT NOT NULL DEFAULT '{}',"
    " status TEXT NOT NULL, progress INTEGER NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '',"
    " result_url TEXT NOT NULL DEFAULT '', thumbnail_url TEXT NOT NULL DEFAULT '',"
    " vertex_count INTEGER NOT NULL DEFAULT 0, triangle_count INTEGER NOT NULL DEFAULT 0,"
    " error_message TEXT NOT NULL DEFAULT '', created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " started_at INTEGER NOT NULL DEFAULT 0, completed_at INTEGER NOT NULL DEFAULT 0,"
    " failed_at INTEGER NOT NULL DEFAULT 0, cleaned_up INTEGER NOT NULL DEFAULT 0,"
    " generation_job INTEGER NOT NULL DEFAULT 0, duration_ms INTEGER NOT NULL DEFAULT 0,"
    " attempt INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX meshes_by_status ON meshes (status, created_at);"
    "CREATE INDEX meshes_by_created ON meshes (created_at);"
    "CREATE INDEX meshes_by_image ON meshes (image_url);"
    "CREATE INDEX meshes_by_generation_job ON meshes (generation_job);",
  }};
}

std::int64_t mesh_records::next_id() {
  std::call_once(loaded_, [this] {
    auto rows = rt_.query_records("SELECT COALESCE(MAX(id), 0) FROM meshes");
    next_id_ = (rows.empty() ? 0 : rows.front().at(0).integer) + 1;
  });
  return next_id_.fetch_add(1);
}

mesh_record mesh_records::make(const new_mesh& n) {
  mesh_record m;
  m.id = next_id();
  m.job_id = "mesh-" + std::to_string(m.id);
  m.project = n.project;
  m.user = n.user;
  m.image_url = n.image_url;
  m.parameters = n.parameters;
  m.created_at = m.updated_at = rt_.clock().now();
  return m;
}

mesh_record mesh_records::create(const new_mesh& n) {
  auto m = make(n);
  rt_.write_records({writes::insert(m)});
  return m;
}

std::vector<mesh_record> mesh_records::select(const std::string& where,
                                              const std::vector<record_value>& params) const {
  std::vector<mesh_record> out;
  for (const auto& row : rt_.query_records(std::string{"SELECT "} + columns + " FROM meshes " + where, params))
    out.push_back(from_row(row));
  return out;
}

std::optional<mesh_record> mesh_records::find(std::int64_t id) const {
  auto found = select("WHERE id = ?", {v::of(id)});
  return found.empty() ? std::nullopt : std::optional<mesh_record>(std::move(found.front()));
}

std::optional<mesh_record> mesh_records::find_by_job_id(const std::string& job_id) const {
  auto found = select("WHERE job_id = ?", {v::of(job_id)});
  return found.empty() ? std::nullopt : std::optional<mesh_record>(std::move(found.front()));
}

std::optional<mesh_record> mesh_records::find_by_image(const std::string& image_url) const {
  auto found = select("WHERE image_url = ? ORDER BY id DESC LIMIT 1", {v::of(image_url)});
  return found.empty() ? std::nullopt : std::optional<mesh_record>(std::move(found.front()));
}

std::vector<mesh_record> mesh_records::list(const std::string& status, std::size_t limit) const {
  const auto n = v::of(static_cast<std::int64_t>(limit));
  if (status.empty())
    return select("ORDER BY id DESC LIMIT ?", {n});
  return select("WHERE status = ? ORDER BY id DESC LIMIT ?", {v::of(status), n});
}

std::vector<mesh_record> mesh_records::failed_before(timestamp cutoff) const {
  return select("WHERE status = 'failed' AND cleaned_up = 0 AND created_at < ? ORDER BY id", {v::of(cutoff)});
}

std::vector<mesh_record> mesh_records::created_between(timestamp from, timestamp to) const {
  return select("WHERE created_at >= ? AND created_at < ? ORDER BY id", {v::of(from), v::of(to)});
}

std::vector<std::string> mesh_records::all_ids() const {
  std::vector<std::string> out;
  for (const auto& row : rt_.query_records("SELECT id FROM meshes ORDER BY id"))
    out.push_back(std::to_string(row.at(0).integer));
  return out;
}

std::optional<std::int64_t> mesh_records::mesh_of_job(job_id job) const {
  auto rows = rt_.query_records("SELECT id FROM meshes WHERE generation_job = ?",
                                {v::of(static_cast<std::int64_t>(job))});
  if (rows.empty())
    return std::nullopt;
  return rows.front().at(0).integer;
}

namespace writes {

record_write insert(const mesh_record& m) {
  return {"INSERT INTO meshes (id, job_id, project, user_name, image_url, parameters, status, created_at, updated_at)"
          " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          {v::of(m.id), v::of(m.job_id), v::of(m.project), v::of(m.user), v::of(m.image_url), v::of(m.parameters),
           v::of(m.status), v::of(m.created_at), v::of(m.updated_at)}};
}

record_write set_generation_job(std::int64_t mesh, job_id job, timestamp now) {
  return {"UPDATE meshes SET generation_job = ?, updated_at = ? WHERE id = ?",
          {v::of(static_cast<std::int64_t>(job)), v::of(now), v::of(mesh)}};
}

record_write started(std::int64_t mesh, timestamp started_at) {
  return {"UPDATE meshes SET started_at = ? WHERE id = ? AND started_at = 0", {v::of(started_at), v::of(mesh)}};
}

record_write progress(std::int64_t mesh, std::int32_t attempt, std::int32_t percent, const std::string& message,
                      timestamp now) {
  // A report of an attempt that has ended already (it reached the tracker after its outcome)
  // must not undo `retrying`, `completed` or `failed`.
  return {"UPDATE meshes SET status = 'processing', attempt = ?, progress = ?, message = ?, updated_at = ?,"
          " started_at = CASE started_at WHEN 0 THEN ? ELSE started_at END WHERE id = ? AND"
          " (status IN ('pending', 'processing') OR (status = 'retrying' AND attempt < ?))",
          {v::of(attempt), v::of(percent), v::of(message), v::of(now), v::of(now), v::of(mesh), v::of(attempt)}};
}

record_write completed(std::int64_t mesh, const std::string& result_url, std::int64_t vertices,
                       std::int64_t triangles, std::int64_t duration_ms, timestamp now) {
  return {"UPDATE meshes SET status = 'completed', progress = 100, message = 'Mesh generation completed',"
          " result_url = ?, vertex_count = ?, triangle_count = ?, duration_ms = ?, error_message = '',"
          " completed_at = ?, updated_at = ? WHERE id = ?",
          {v::of(result_url), v::of(vertices), v::of(triangles), v::of(duration_ms), v::of(now), v::of(now),
           v::of(mesh)}};
}

record_write retrying(std::int64_t mesh, std::int32_t attempt, const std::string& error, timestamp now) {
  return {"UPDATE meshes SET status = 'retrying', attempt = ?, message = 'Retrying', error_message = ?, updated_at = ?"
          " WHERE id = ?",
          {v::of(attempt), v::of(error), v::of(now), v::of(mesh)}};
}

record_write failed(std::int64_t mesh, const std::string& error, timestamp now) {
  return {"UPDATE meshes SET status = 'failed', message = 'Mesh generation failed', error_message = ?,"
          " failed_at = ?, updated_at = ? WHERE id = ?",
          {v::of(error), v::of(now), v::of(now), v::of(mesh)}};
}

record_write thumbnail(std::int64_t mesh, const std::string& url, timestamp now) {
  return {"UPDATE meshes SET thumbnail_url = ?, updated_at = ? WHERE id = ?", {v::of(url), v::of(now), v::of(mesh)}};
}

record_write cleaned_up(std::int64_t mesh, timestamp now) {
  return {"UPDATE meshes SET cleaned_up = 1, result_url = '', thumbnail_url = '', updated_at = ? WHERE id = ?",
          {v::of(now), v::of(mesh)}};
}

record_write reset(std::int64_t mesh, timestamp now) {
  return {"UPDATE meshes SET status = 'pending', progress = 0, message = '', error_message = '', failed_at = 0,"
          " cleaned_up = 0, updated_at = ? WHERE id = ?",
          {v::of(now), v::of(mesh)}};
}

}  // namespace writes

std::string to_json(const mesh_record& m) {
  json::writer w;
  w.begin_object()
    .key("id").value(m.id).key("job_id").value(m.job_id).key("project").value(m.project)
    .key("user").value(m.user).key("image_url").value(m.image_url).key("parameters").raw(m.parameters)
    .key("status").value(m.status).key("progress").value(m.progress).key("message").value(m.message)
    .key("result_url").value(m.result_url).key("thumbnail_url").value(m.thumbnail_url)
    .key("vertex_count").value(m.vertex_count).key("triangle_count").value(m.triangle_count)
    .key("error_message").value(m.error_message).key("created_at").value(m.created_at)
    .key("updated_at").value(m.updated_at).key("started_at").value(m.started_at)
    .key("completed_at").value(m.completed_at).key("failed_at").value(m.failed_at)
    .key("cleaned_up").value(m.cleaned_up).key("generation_job").value(static_cast<std::uint64_t>(m.generation_job))
    .key("duration_ms").value(m.duration_ms).key("attempt").value(m.attempt)
    .end_object();
  return w.take();
}

}  // namespace meshjobs::mesh
