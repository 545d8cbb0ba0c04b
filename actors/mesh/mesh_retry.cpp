// mesh.retry (the seed's Mesh::RetryJob): generates failed meshes again, from their image.
//   {"mesh_id": N}  that mesh, if it failed
//   {}              every failed mesh (at most `limit`, default 100, oldest first)
// Each goes back to pending with a new generation job; a mesh whose files were cleaned up is
// generated afresh all the same.
#include <spdlog/spdlog.h>

#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

void retry_mesh(mesh_pipeline& p, const mesh::mesh_record& m) {
  p.records().write({mesh::writes::reset(m.id, p.rt().clock().now())});
  auto reply = p.enqueue_generation(m, m.failed_at);  // one new job per failure, even after a crash
  if (reply.status == enqueue_status::refused)
    throw job_failure("service_error", "mesh.retry: mesh " + std::to_string(m.id) + ": " + reply.error);
  spdlog::info("mesh.retry: mesh {} generates again as job {}", m.id, reply.id);
}

}  // namespace

job_type mesh_retry_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "mesh.retry";
  t.queue = "default";
  t.retry.discard_on(deserialization_error).otherwise(wait_strategy::exponential(), 3);
  t.perform = [p](job_context& ctx) {
    auto args = parse_job_args(ctx.args());
    if (args.has("mesh_id")) {
      auto m = p->records().find(required_id(args, "mesh_id"));
      if (m && m->status == mesh::status::failed)
        retry_mesh(*p, *m);
      return;
    }
    const auto limit = static_cast<std::size_t>(args.get_int("limit").value_or(100));
    auto failed = p->records().list(mesh::status::failed, limit);
    for (auto it = failed.rbegin(); it != failed.rend(); ++it)
      retry_mesh(*p, *it);
  };
  return t;
}

}  // namespace meshjobs
