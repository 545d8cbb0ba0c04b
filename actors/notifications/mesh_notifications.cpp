// notifications.mesh_completion and notifications.mesh_failure (the seed's
// Notifications::MeshCompletionJob and MeshFailureJob). Each tells the configured sinks:
//   the log                 one line per notification (notifications.log)
//   the channel user:<id>   the user's live channel (WebSocket clients subscribe to it)
//   a webhook               a job of its own (notifications.webhook), so that it is retried
#include <spdlog/spdlog.h>

#include "notifications/sinks.hpp"
#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

std::string notification_json(const char* event, const mesh::mesh_record& m) {
  json::writer w;
  w.begin_object().key("event").value(event).key("mesh").raw(mesh::to_json(m)).end_object();
  return w.take();
}

void notify(mesh_pipeline& p, job_context& ctx, const char* event) {
  const auto mesh_id = required_id(parse_job_args(ctx.args()), "mesh_id");
  auto m = p.records().find(mesh_id);
  if (!m)
    throw job_failure("not_found", "no mesh " + std::to_string(mesh_id));
  const auto body = notification_json(event, *m);
  const auto& sinks = p.cfg().notifications;
  if (sinks.log) {
    if (m->status == mesh::status::completed)
      spdlog::info("notification {}: mesh {} of user {} completed: {} triangles, {}", event, m->id, m->user,
                   m->triangle_count, m->result_url);
    else
      spdlog::warn("notification {}: mesh {} of user {} failed: {}", event, m->id, m->user, m->error_message);
  }
  deliver_notification(p, ctx, event, m->user, body);
}

job_type notification_type(std::shared_ptr<mesh_pipeline> p, const char* kind, const char* event) {
  job_type t;
  t.kind = kind;
  t.queue = "default";
  t.retry.discard_on(deserialization_error).discard_on("not_found").otherwise(wait_strategy::exponential(), 5);
  t.perform = [p, event](job_context& ctx) { notify(*p, ctx, event); };
  return t;
}

}  // namespace

job_type mesh_completion_type(std::shared_ptr<mesh_pipeline> p) {
  return notification_type(std::move(p), "notifications.mesh_completion", "mesh.completed");
}

job_type mesh_failure_type(std::shared_ptr<mesh_pipeline> p) {
  return notification_type(std::move(p), "notifications.mesh_failure", "mesh.failed");
}

}  // namespace meshjobs
