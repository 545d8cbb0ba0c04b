// mesh.generation's `http` backend: the seed's call_python_service and poll_for_completion, as
// an asynchronous job over mesh_service_client. Nothing here blocks: each call answers on the
// HTTP client's io thread and comes back to the job's actor through its poster; the polls are
// timers; the file write goes to the pipeline's io pool.
//
//   resource check (io pool, unless a pass is fresh) -> health -> generate {image_url, parameters, job_id, callback_url}
//     completed  -> result
//     processing -> poll every poll_interval_ms until completed, failed or poll_timeout;
//                   a callback (a signal from mesh.progress_callback) ends the wait early
//   result: fetch_result -> {vertex_count, triangle_count, mesh_url}; fetch_mesh -> .glb stored
#include <spdlog/spdlog.h>

#include <chrono>

#include "mesh/generation_steps.hpp"
#include "mesh/mesh_service_client.hpp"
#include "pipeline_types.hpp"
#include "task_pool.hpp"

namespace meshjobs {
namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

mesh::mesh_service_options service_options(const mesh_service_config& cfg) {
  mesh::mesh_service_options o;
  o.base_url = cfg.url;
  o.timeout = milliseconds(cfg.request_timeout_ms);
  o.mesh_limit = static_cast<std::size_t>(cfg.max_image_bytes) * 4;
  return o;
}

/// One generation's conversation with the service. Each step runs on the job's actor.
struct conversation : std::enable_shared_from_this<conversation> {
  conversation(std::shared_ptr<mesh_pipeline> pipeline, async_context& context, generation_args a)
    : p(std::move(pipeline)), ctx(context), args(std::move(a)), post(context.poster()),
      service(p->http(), service_options(p->cfg().mesh_service)),
      service_job(mesh::service_job_id(args.mesh_id)), started(clock_type::now()),
      deadline(started + std::chrono::seconds(p->cfg().mesh_service.poll_timeout_s)) {}

  std::shared_ptr<mesh_pipeline> p;
  async_context& ctx;
  generation_args args;
  std::function<void(async_context::task)> post;
  mesh::mesh_service_client service;
  std::string service_job;
  clock_type::time_point started;
  clock_type::time_point deadline;
  timer_id poll_timer = 0;
  bool fetching = false;  ///< the result is on its way: later polls and callbacks change nothing

  /// A callback for a service call: its answer comes back on the job's actor, or its failure
  /// ends the job with the failure's kind.
  template <class T>
  std::function<void(mesh::service_outcome<T>)> then(std::function<void(const T&)> next) {
    auto self = shared_from_this();
    return [self, next = std::move(next)](mesh::service_outcome<T> outcome) {
      self->post([self, next, outcome = std::move(outcome)] {
        if (auto* e = std::get_if<mesh::service_error>(&outcome))
          return self->ctx.fail(e->kind, e->message);
        next(std::get<T>(outcome));
      });
    };
  }

  std::string callback_url() const {
    const auto& h = p->cfg().http;
    if (!h.app_host.empty())
      return "http://" + h.app_host + "/api/meshes/callback";
    if (h.port != 0)
      return "http://" + h.host + ":" + std::to_string(h.port) + "/api/meshes/callback";
    return "";
  }

  void begin() {
    ctx.progress(0, "Starting mesh generation...");
    ctx.on_signal([self = shared_from_this()](const std::string& payload) { self->callback(payload); });
    if (p->resources().fresh())
      return health();  // a pass less than a second old: no trip to the io pool
    auto self = shared_from_this();
    auto accepted = p->io().post([self] {
      std::string error;
      try {
        check_resource_availability(*self->p);
      } catch (const job_failure& e) {
        error = e.message();
      }
      self->post([self, error] {
        if (!error.empty())
          return self->ctx.fail("service_error", error);
        self->health();
      });
    });
    if (!accepted)
      ctx.fail("service_error", "the pipeline's io pool is full");
  }

  void health() {
    service.health(then<std::string>([self = shared_from_this()](const std::string&) { self->generate(); }));
  }

  void generate() {
    mesh::generate_request req;
    req.image_url = args.image_url;
    req.job_id = service_job;
    req.callback_url = callback_url();
    req.parameters_json = args.parameters;
    auto self = shared_from_this();
    service.generate(req, then<mesh::generation_status>([self](const mesh::generation_status& s) { self->on_status(s); }));
  }

  /// A status from generate, a poll or a callback.
  void on_status(const mesh::generation_status& s) {
    if (fetching || ctx.ended())
      return;
    if (s.status == "completed") {
      if (s.result_url.empty())
        return poll_now();  // a callback says completed without the URL: ask for it
      return fetch_result(s.result_url);
    }
    if (s.status == "failed")
      return ctx.fail("generation_failed", "mesh service: " + (s.message.empty() ? "failed" : s.message));
    ctx.progress(s.progress, s.message.empty() ? "Processing" : s.message);
    schedule_poll();
  }

  void schedule_poll() {
    if (poll_timer != 0)
      return;  // one poll at a time
    if (clock_type::now() >= deadline)
      return ctx.fail("generation_timeout", "Mesh generation timed out after " +
                                                std::to_string(p->cfg().mesh_service.poll_timeout_s) + " s");
    auto self = shared_from_this();
    poll_timer = ctx.after(milliseconds(p->cfg().mesh_service.poll_interval_ms), [self] {
      self->poll_timer = 0;
      self->poll_now();
    });
  }

  void poll_now() {
    if (poll_timer != 0) {
      ctx.cancel_timer(poll_timer);
      poll_timer = 0;
    }
    auto self = shared_from_this();
    service.status(service_job, then<mesh::generation_status>([self](const mesh::generation_status& s) { self->on_status(s); }));
  }

  /// A callback through the gateway, handed over by mesh.progress_callback.
  void callback(const std::string& payload) {
    auto parsed = json::object::parse(payload, "callback");
    auto* body = std::get_if<json::object>(&parsed);
    if (body == nullptr || !body->get_string("status"))
      return;
    mesh::generation_status s;
    s.status = *body->get_string("status");
    s.progress = static_cast<int>(body->get_int("progress").value_or(0));
    s.message = body->get_string("message").value_or("");
    // A callback carries no result URL: a completed one is confirmed by a status call.
    on_status(s);
  }

  void fetch_result(const std::string& result_url) {
    fetching = true;
    ctx.progress(80, "Fetching the result");
    auto self = shared_from_this();
    service.fetch_result(result_url, then<mesh::generation_result>([self](const mesh::generation_result& r) {
      self->service.fetch_mesh(r.mesh_url, self->then<std::string>([self, r](const std::string& glb) {
        self->store(glb, static_cast<std::int64_t>(r.vertex_count), static_cast<std::int64_t>(r.triangle_count));
      }));
    }));
  }

  /// The .glb into storage on the io pool (a file write), then the job ends on its actor.
  void store(std::string glb, std::int64_t vertices, std::int64_t triangles) {
    auto self = shared_from_this();
    const auto job = ctx.current().id;
    auto accepted = p->io().post([self, job, glb = std::move(glb), vertices, triangles] {
      std::string error;
      try {
        const auto id = std::to_string(self->args.mesh_id);
        self->p->files().write(id, "mesh.glb", glb);
        generation_result r;
        r.result_url = self->p->file_url(id, "mesh.glb");
        r.vertices = vertices;
        r.triangles = triangles;
        r.duration_ms = std::chrono::duration_cast<milliseconds>(clock_type::now() - self->started).count();
        self->p->put_result(job, std::move(r));
      } catch (const std::exception& e) {
        error = e.what();
      }
      self->post([self, error] {
        if (!error.empty())
          return self->ctx.fail("io_error", error);
        self->ctx.progress(95, "Stored mesh.glb");
        self->ctx.done();
      });
    });
    if (!accepted)
      ctx.fail("service_error", "the pipeline's io pool is full");
  }
};

}  // namespace

void start_http_generation(std::shared_ptr<mesh_pipeline> p, async_context& ctx) {
  auto args = read_generation_args(ctx.args());
  p->remember_job(ctx.current().id, args.mesh_id);
  p->remember_service_job(mesh::service_job_id(args.mesh_id), {args.mesh_id, ctx.current().id, ctx.current().attempt});
  std::make_shared<conversation>(std::move(p), ctx, std::move(args))->begin();
}

}  // namespace meshjobs
