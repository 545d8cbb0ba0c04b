// mesh.generation (the seed's Mesh::GenerationJob): one image to a mesh in storage.
//   before: the resource check (storage writable, disk not full)
//   around: timing and the completion log line (StatsD comes from the monitoring observer)
// It stages nothing on disk: the image is read into memory and each output is written beside
// its place in storage and renamed over it, so there are no temporary files to clean up.
// Its record follows its outcome in the same commit: completed with its counts, retrying while
// attempts remain, failed only when they ran out or it was discarded; the thumbnail and the
// notification (or the cleanup and the failure notification) are enqueued in that commit too,
// so each happens exactly once.
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "mesh/batch_generation.hpp"
#include "mesh/generation_steps.hpp"
#include "mesh/image_source.hpp"
#include "mesh/mesher/mesher.hpp"
#include "pipeline_types.hpp"

namespace meshjobs {
namespace {

using clock_type = std::chrono::steady_clock;

/// The image's bytes from a path, a file:// or an http:// URL, at most max_image_bytes. A
/// blocking handler (on the worker pool) may wait for the fetch.
std::string load_image_bytes(mesh_pipeline& p, const std::string& url) {
  mesh::image_source_limits limits;
  limits.max_bytes = static_cast<std::size_t>(p.cfg().mesh_service.max_image_bytes);
  limits.http_timeout = std::chrono::milliseconds(p.cfg().mesh_service.request_timeout_ms);
  std::promise<mesh::image_result> fetched;
  auto answer = fetched.get_future();
  mesh::load_image(url, limits, p.http(), [&fetched](mesh::image_result r) { fetched.set_value(std::move(r)); });
  auto result = answer.get();
  if (auto* e = std::get_if<mesh::image_error>(&result))
    throw job_failure(e->kind, e->message);
  return std::get<std::string>(std::move(result));
}

void generate(mesh_pipeline& p, job_context& ctx) {
  const auto started = clock_type::now();
  const auto args = read_generation_args(ctx.args());
  const auto& j = ctx.current();
  p.remember_job(j.id, args.mesh_id);
  ctx.progress(0, "Starting mesh generation...");
  const auto image = load_image_bytes(p, args.image_url);
  mesher::image_limits limits;
  limits.max_bytes = static_cast<std::size_t>(p.cfg().mesh_service.max_image_bytes);
  limits.max_pixels = static_cast<std::uint64_t>(p.cfg().mesh_service.max_image_pixels);
  mesher::height_field field;
  try {
    field = mesher::decode_height_field(image, limits, args.image_url);
  } catch (const mesher::mesher_error& e) {
    throw job_failure(e.kind(), e.what());
  }
  ctx.progress(25, "Decoded " + std::to_string(field.width) + "x" + std::to_string(field.height));
  if (ctx.cancelled())
    return;
  auto mesh = mesher::triangulate(field, args.options);
  ctx.progress(70, "Simplified to " + std::to_string(mesh.triangle_count()) + " triangles");
  if (ctx.cancelled())
    return;
  const auto id = std::to_string(args.mesh_id);
  p.files().write(id, "mesh.glb", mesher::encode_glb(mesh));
  if (args.obj)
    p.files().write(id, "mesh.obj", mesher::encode_obj(mesh));
  if (args.ply)
    p.files().write(id, "mesh.ply", mesher::encode_ply(mesh));
  ctx.progress(95, "Stored mesh.glb");
  generation_result r;
  r.result_url = p.file_url(id, "mesh.glb");
  r.vertices = static_cast<std::int64_t>(mesh.vertex_count());
  r.triangles = static_cast<std::int64_t>(mesh.triangle_count());
  r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - started).count();
  p.put_result(j.id, std::move(r));
}

std::int64_t mesh_id_of(const job& j) {
  return read_generation_args(j.args).mesh_id;
}

std::vector<record_write> outcome_records(mesh_pipeline& p, const job& j, const job_outcome& o) {
  p.forget_job(j.id);
  std::int64_t mesh = 0;
  try {
    mesh = mesh_id_of(j);
  } catch (const job_failure&) {
    return {};  // arguments that name no mesh: no record to change
  }
  const auto now = o.finished_at;
  const auto error = o.error.kind + ": " + o.error.message;
  // Progress reports may reach the tracker after the end: the start is kept with the outcome.
  std::vector<record_write> out{mesh::writes::started(mesh, j.started_at != 0 ? j.started_at : now)};
  switch (o.kind) {
    case outcome_kind::succeeded: {
      auto r = p.take_result(j.id).value_or(generation_result{});
      out.push_back(mesh::writes::completed(mesh, r.result_url, r.vertices, r.triangles, r.duration_ms, now));
      break;
    }
    case outcome_kind::retry:
      out.push_back(mesh::writes::retrying(mesh, j.attempt, error, now));
      break;
    case outcome_kind::dead:
    case outcome_kind::discarded:
      out.push_back(mesh::writes::failed(mesh, error, now));
      break;
    case outcome_kind::cancelled:
      out.push_back(mesh::writes::failed(mesh, "cancelled", now));
      break;
    default:
      return {};
  }
  for (auto& w : batch_child_records(j, o))  // a batch's child: its image ends with it
    out.push_back(std::move(w));
  return out;
}

std::vector<enqueue_request> outcome_jobs(const job& j, const job_outcome& o) {
  std::int64_t mesh = 0;
  try {
    mesh = mesh_id_of(j);
  } catch (const job_failure&) {
    return {};
  }
  const std::string args = R"({"mesh_id":)" + std::to_string(mesh) + "}";
  auto request = [&](const char* kind) {
    enqueue_request r;
    r.kind = kind;
    r.args = args;
    return r;
  };
  switch (o.kind) {
    case outcome_kind::succeeded:
      return {request("storage.thumbnail_generation"), request("notifications.mesh_completion")};
    case outcome_kind::dead:
    case outcome_kind::discarded:
    case outcome_kind::cancelled:
      return {request("mesh.cleanup"), request("notifications.mesh_failure")};
    default:
      return {};
  }
}

}  // namespace

job_type mesh_generation_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "mesh.generation";
  t.queue = "mesh_generation";
  t.retry.retry_on("service_error", wait_strategy::exponential(), 3)
    .retry_on("read_timeout", wait_strategy::fixed(std::chrono::seconds(30)), 5)
    .discard_on(deserialization_error)
    .discard_on("bad_response")
    .discard_on("bad_request")
    .discard_on("bad_image")
    .discard_on("image_too_large")
    .discard_on("image_not_found")
    .discard_on("bad_image_source")
    .otherwise(wait_strategy::exponential(), 3);
  t.outcome_records = [p](const job& j, const job_outcome& o) { return outcome_records(*p, j, o); };
  t.outcome_jobs = outcome_jobs;
  if (p->cfg().mesh_service.backend == mesh_backend::http) {
    // It waits for a service: an actor with timers, not a thread. Waiting generations must not
    // take the node's slots, or the callbacks that would end their waits could not run.
    t.start = [p](async_context& ctx) { start_http_generation(p, ctx); };
    t.counts_against_concurrency = false;
    return t;
  }
  t.before_perform.push_back([p](job_context&) { check_resource_availability(*p); });
  t.around_perform.push_back([p](job_context& ctx, const std::function<void()>& perform) {
    const auto started = clock_type::now();
    perform();
    const auto seconds = std::chrono::duration<double>(clock_type::now() - started).count();
    spdlog::info("Mesh generation completed: job {} in {:.3f} s", ctx.current().id, seconds);
  });
  t.perform = [p](job_context& ctx) { generate(*p, ctx); };
  return t;
}

}  // namespace meshjobs
