// mesh.cleanup (the seed's Mesh::CleanupJob), in its three modes:
//   {"mesh_id": N}        one failed mesh: its files go, it is marked cleaned
//   {"older_than": SECS}  every failed mesh older than that gets a cleanup job of its own
//   {}                    orphaned files, as storage.cleanup
#include <spdlog/spdlog.h>


#include "pipeline_types.hpp"
#include "storage/orphan_cleanup.hpp"

namespace meshjobs {
namespace {

void cleanup_single_mesh(mesh_pipeline& p, std::int64_t mesh_id) {
  auto mesh = p.records().find(mesh_id);
  if (!mesh || mesh->status != mesh::status::failed) {
    spdlog::info("mesh.cleanup: mesh {} is {}; nothing to clean", mesh_id, mesh ? mesh->status : "unknown");
    return;
  }
  p.files().remove(std::to_string(mesh_id));
  p.records().write({mesh::writes::cleaned_up(mesh_id, p.rt().clock().now())});
  spdlog::info("Cleaned up failed mesh: {}", mesh_id);
}

void cleanup_old_meshes(mesh_pipeline& p, job_context& ctx, std::int64_t older_than_s) {
  const auto cutoff = p.rt().clock().now() - older_than_s * 1000000;
  std::vector<enqueue_request> jobs;
  for (const auto& m : p.records().failed_before(cutoff)) {
    enqueue_request r;
    r.kind = "mesh.cleanup";
    r.args = R"({"mesh_id":)" + std::to_string(m.id) + "}";
    jobs.push_back(std::move(r));
  }
  spdlog::info("mesh.cleanup: {} failed meshes older than {} s to clean", jobs.size(), older_than_s);
  if (!jobs.empty())
    for (const auto& reply : ctx.enqueue_many(std::move(jobs)))
      if (reply.status == enqueue_status::refused)
        throw job_failure("service_error", "mesh.cleanup: enqueue refused: " + reply.error);
}

}  // namespace

job_type mesh_cleanup_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "mesh.cleanup";
  t.queue = "low_priority";
  t.retry.discard_on(deserialization_error).otherwise(wait_strategy::exponential(), 3);
  t.perform = [p](job_context& ctx) {
    auto args = parse_job_args(ctx.args());
    if (args.has("mesh_id"))
      cleanup_single_mesh(*p, required_id(args, "mesh_id"));
    else if (args.has("older_than"))
      cleanup_old_meshes(*p, ctx, required_id(args, "older_than"));
    else
      remove_orphaned_files(*p);
  };
  return t;
}

}  // namespace meshjobs
