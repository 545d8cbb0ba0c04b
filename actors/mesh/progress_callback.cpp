// mesh.progress_callback (the seed's Mesh::ProgressCallbackJob): a mesh service's callback,
// taken from the gateway as a job of its own on `critical` at priority 10. It keeps the
// progress on the record, publishes it on `mesh:<id>`, and hands the callback to the
// generation job that waits for it (a signal ends its poll early). A callback for a job id no
// mesh has is bad input: discarded with a log line, never retried (the seed raises forever).
#include <spdlog/spdlog.h>

#include <algorithm>

#include "pipeline_types.hpp"

namespace meshjobs {

job_type mesh_progress_callback_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "mesh.progress_callback";
  t.queue = "critical";
  t.priority = 10;
  t.retry.discard_on(deserialization_error)
    .discard_on("unknown_mesh", [](const job& j, const job_error& e) {
      spdlog::warn("mesh.progress_callback: job {} discarded: {}", j.id, e.message);
    })
    .otherwise(wait_strategy::exponential(), 3);
  t.perform = [p](job_context& ctx) {
    auto args = parse_job_args(ctx.args());
    auto job_id = args.get_string("job_id");
    if (!job_id)
      throw job_failure(deserialization_error, "args.job_id: missing or not a string");
    // A generation running on this node is known without a query; another's is on its record.
    auto target = p->running_service_job(*job_id);
    if (!target) {
      auto mesh = p->records().find_by_job_id(*job_id);
      if (!mesh)
        throw job_failure("unknown_mesh", "no mesh has job_id \"" + *job_id + "\"");
      target = running_generation{mesh->id, mesh->generation_job, mesh->attempt + 1};
    }
    const auto percent = static_cast<std::int32_t>(std::clamp<std::int64_t>(args.get_int("progress").value_or(0), 0, 100));
    const auto message = args.get_string("message").value_or("");
    const auto now = p->rt().clock().now();
    p->records().write({mesh::writes::progress(target->mesh, target->attempt, percent, message, now)});
    json::writer w;
    w.begin_object().key("mesh_id").value(target->mesh).key("progress").value(percent).key("message").value(message)
      .key("status").value(args.get_string("status").value_or(mesh::status::processing)).end_object();
    p->rt().publish("mesh:" + std::to_string(target->mesh), w.str());
    if (target->job != 0)
      p->rt().signal(target->job, ctx.args());
  };
  return t;
}

}  // namespace meshjobs
