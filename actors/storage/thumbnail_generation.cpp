// storage.thumbnail_generation (the seed's Storage::ThumbnailGenerationJob): a shaded PNG
// preview of a completed mesh, `storage.thumbnail_size` pixels square, beside its mesh.glb.
#include <algorithm>
#include <thread>

#include "pipeline_types.hpp"
#include "storage/thumbnail_renderer.hpp"

namespace meshjobs {

job_type thumbnail_generation_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "storage.thumbnail_generation";
  t.queue = "default";
  // CPU-bound: one fewer than the cores (at least one), so that thumbnails never crowd out the jobs on the
  // critical path (a burst of 1,000 took the node's CPU from the generations waiting on them).
  t.concurrency = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()) - 1);
  t.retry.discard_on(deserialization_error).discard_on("not_found").otherwise(wait_strategy::exponential(), 3);
  t.perform = [p](job_context& ctx) {
    const auto mesh_id = required_id(parse_job_args(ctx.args()), "mesh_id");
    const auto id = std::to_string(mesh_id);
    if (!p->files().exists(id, "mesh.glb"))
      throw job_failure("not_found", "mesh " + id + " has no mesh.glb in storage");
    ctx.progress(10, "Reading mesh.glb");
    mesher::triangle_mesh mesh;
    try {
      mesh = mesher::decode_glb(p->files().read(id, "mesh.glb"), "mesh " + id + "/mesh.glb");
    } catch (const mesher::mesher_error& e) {
      throw job_failure("not_found", e.what());
    }
    ctx.progress(40, "Rendering");
    storage::thumbnail_options options;
    options.size = static_cast<std::uint32_t>(p->cfg().storage.thumbnail_size);
    p->files().write(id, "thumb.png", storage::render_thumbnail_png(mesh, options));
    p->records().write({mesh::writes::thumbnail(mesh_id, p->file_url(id, "thumb.png"), p->rt().clock().now())});
  };
  return t;
}

}  // namespace meshjobs
