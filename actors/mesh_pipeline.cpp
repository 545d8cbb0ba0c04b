#include "mesh_pipeline.hpp"

#include <algorithm>
#include <filesystem>

#include "mesh/batch_generation.hpp"
#include "mesh/batch_record.hpp"
#include "mesh/progress_tracker.hpp"
#include "meshjobs/http/http_client.hpp"
#include "monitoring/job_monitoring.hpp"
#include "pipeline_types.hpp"
#include "task_pool.hpp"

namespace meshjobs {

json::object parse_job_args(const std::string& args) {
  auto parsed = json::object::parse(args, "args");
  if (auto* err = std::get_if<json::parse_error>(&parsed))
    throw job_failure(deserialization_error, err->message);
  return std::get<json::object>(std::move(parsed));
}

std::int64_t required_id(const json::object& args, const char* key) {
  auto value = args.get_int(key);
  if (!value || *value <= 0)
    throw job_failure(deserialization_error, std::string{"args."} + key + ": missing or not a positive integer");
  return *value;
}

mesh_pipeline::mesh_pipeline(runtime& rt, std::shared_ptr<storage::mesh_storage> files)
  : rt_(rt), files_(std::move(files)), records_(rt) {}

mesh_pipeline::~mesh_pipeline() = default;

std::string mesh_pipeline::file_url(const std::string& id, const std::string& file) const {
  return "file://" + std::filesystem::absolute(files_->path_of(id, file)).lexically_normal().string();
}

http::client& mesh_pipeline::http() {
  std::call_once(http_made_, [this] { http_ = std::make_unique<http::client>(); });
  return *http_;
}

task_pool& mesh_pipeline::io() {
  std::call_once(io_made_, [this] { io_ = std::make_unique<task_pool>(2, 4096); });
  return *io_;
}

mesh::mesh_record mesh_pipeline::create_mesh(const mesh::new_mesh& m) {
  auto record = records_.create(m);
  auto reply = enqueue_generation(record);
  if (reply.status == enqueue_status::refused)
    throw std::runtime_error("mesh " + std::to_string(record.id) + ": its generation was refused: " + reply.error);
  record.generation_job = reply.id;
  return record;
}

enqueue_reply mesh_pipeline::enqueue_generation(const mesh::mesh_record& m, std::int64_t round) {
  enqueue_request req;
  req.kind = "mesh.generation";
  json::writer w;
  w.begin_object().key("mesh_id").value(m.id).key("image_url").value(m.image_url).key("parameters")
    .raw(m.parameters).end_object();
  req.args = w.take();
  req.idempotency_key = "mesh.generation:" + std::to_string(m.id) + ":" + std::to_string(round);
  auto reply = rt_.enqueue(req);
  if (reply.status != enqueue_status::refused)
    records_.write({mesh::writes::set_generation_job(m.id, reply.id, rt_.clock().now())});
  return reply;
}

void mesh_pipeline::put_result(job_id job, generation_result r) {
  std::lock_guard<std::mutex> lock(mutex_);
  results_[job] = std::move(r);
}

std::optional<generation_result> mesh_pipeline::take_result(job_id job) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = results_.find(job);
  if (found == results_.end())
    return std::nullopt;
  auto r = std::move(found->second);
  results_.erase(found);
  return r;
}

void mesh_pipeline::remember_job(job_id job, std::int64_t mesh) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_[job] = mesh;
}

std::optional<std::int64_t> mesh_pipeline::mesh_of_job(job_id job) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto found = running_.find(job);
  if (found == running_.end())
    return std::nullopt;
  return found->second;
}

void mesh_pipeline::forget_job(job_id job) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(job);
}

namespace {

/// The seed's queue when the config has it; else `default`, else the config's first queue (a
/// config of one queue still runs every job).
std::string queue_for(const config& cfg, const std::string& seed_queue) {
  auto has = [&](const std::string& name) {
    return std::any_of(cfg.queues.begin(), cfg.queues.end(), [&](const queue_config& q) { return q.name == name; });
  };
  if (has(seed_queue))
    return seed_queue;
  return has("default") || cfg.queues.empty() ? "default" : cfg.queues.front().name;
}

}  // namespace

std::shared_ptr<mesh_pipeline> register_mesh_pipeline(runtime& rt) {
  auto p = std::make_shared<mesh_pipeline>(rt, storage::make_directory_storage(rt.cfg().storage.root));
  rt.register_records(mesh::mesh_schema());
  rt.register_records(batch::batch_schema());
  for (auto make : {mesh_generation_type, mesh_progress_callback_type, mesh_cleanup_type, mesh_retry_type,
                    storage_cleanup_type, thumbnail_generation_type, mesh_completion_type, mesh_failure_type,
                    webhook_delivery_type, usage_report_type, batch_generation_type, batch_completion_type}) {
    auto type = make(p);
    type.queue = queue_for(rt.cfg(), type.queue);
    rt.register_type(std::move(type));
  }
  // meshjobs-inject's `batch ID`; the pipeline outlives the runtime's stop, as documented.
  rt.register_view("batch", [weak = std::weak_ptr<mesh_pipeline>(p)](const std::string& key) -> std::optional<std::string> {
    auto pipeline = weak.lock();
    if (!pipeline || key.empty() || key.size() > 18 || key.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    return batch_view(*pipeline, std::stoll(key), 0, max_batch_images);
  });
  rt.add_observer(make_progress_tracker(p));
  if (!rt.cfg().metrics.statsd.empty())
    rt.add_observer(make_job_monitoring(rt.cfg().metrics.statsd, rt.cfg().metrics.prefix));
  return p;
}

}  // namespace meshjobs
