// mesh.generation's `http` backend: the seed's call_python_service and poll_for_completion, as
// an asynchronous job. Nothing here blocks: the HTTP calls answer on the client's io thread and
// come back to the job's actor through its poster; the polls are timers; the one file write
// goes to the pipeline's io pool.
//
//   health -> generate {image_url, parameters, job_id, callback_url}
//     completed -> result                          (the service was quick)
//     processing -> poll every poll_interval_ms until completed / failed / poll_timeout
//                   a callback (a signal from mesh.progress_callback) ends the wait early
//   result: GET result_url -> {vertex_count, triangle_count, mesh_url}; GET mesh_url -> .glb
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>

#include "mesh/generation_steps.hpp"
#include "meshjobs/http/http_client.hpp"
#include "meshjobs/http/url.hpp"
#include "pipeline_types.hpp"
#include "task_pool.hpp"

namespace meshjobs {
namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

/// One generation's conversation with the service. Lives as long as a callback holds it; every
/// step runs on the job's actor.
struct conversation : std::enable_shared_from_this<conversation> {
  conversation(std::shared_ptr<mesh_pipeline> pipeline, async_context& context, generation_args a)
    : p(std::move(pipeline)), ctx(context), args(std::move(a)), post(context.poster()),
      base(p->cfg().mesh_service.url), service_job("mesh-" + std::to_string(args.mesh_id)),
      started(clock_type::now()),
      deadline(started + std::chrono::seconds(p->cfg().mesh_service.poll_timeout_s)) {}

  std::shared_ptr<mesh_pipeline> p;
  async_context& ctx;
  generation_args args;
  std::function<void(async_context::task)> post;
  std::string base;
  std::string service_job;
  clock_type::time_point started;
  clock_type::time_point deadline;
  timer_id poll_timer = 0;
  bool fetching = false;  ///< the result is on its way: later polls and callbacks change nothing

  http::call_options options(std::size_t limit = 1u << 20) const {
    http::call_options o;
    o.timeout = milliseconds(p->cfg().mesh_service.request_timeout_ms);
    o.response_limit = limit;
    return o;
  }

  /// Calls `then(response)` on the job's actor, or fails the job with the error's kind.
  using answer = std::function<void(const http::client_response&)>;
  http::client_callback on_actor(const std::string& what, answer then) {
    auto self = shared_from_this();
    return [self, what, then = std::move(then)](http::client_result r) {
      self->post([self, what, then, r = std::move(r)] {
        if (auto* e = std::get_if<http::client_error>(&r)) {
          auto kind = e->kind == http::error_kind::bad_url ? std::string{"service_error"} : std::string{http::to_string(e->kind)};
          return self->ctx.fail(kind, "mesh service, " + what + ": " + e->message);
        }
        const auto& response = std::get<http::client_response>(r);
        if (response.status >= 400)
          return self->ctx.fail("service_error", "mesh service, " + what + ": HTTP " + std::to_string(response.status) +
                                                     " " + response.body.substr(0, 200));
        then(response);
      });
    };
  }

  /// The body as a JSON object; a bad_response failure (discarded: a retry gets the same) otherwise.
  std::optional<json::object> body_of(const std::string& what, const http::client_response& r) {
    auto parsed = json::object::parse(r.body, what);
    if (auto* e = std::get_if<json::parse_error>(&parsed)) {
      ctx.fail("bad_response", "mesh service, " + e->message);
      return std::nullopt;
    }
    return std::get<json::object>(std::move(parsed));
  }

  std::string url(const std::string& path) const { return base + path; }

  std::string callback_url() const {
    const auto& h = p->cfg().http;
    if (!h.app_host.empty())
      return "http://" + h.app_host + "/api/meshes/callback";
    if (h.port != 0)
      return "http://" + h.host + ":" + std::to_string(h.port) + "/api/meshes/callback";
    return "";
  }

  /// The resource check (a file-system call: on the io pool), then the service's health.
  void begin() {
    ctx.progress(0, "Starting mesh generation...");
    ctx.on_signal([self = shared_from_this()](const std::string& payload) { self->callback(payload); });
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
        self->p->http().get(self->url("/health"), self->on_actor("health check", [self](const http::client_response&) {
          self->generate();
        }), self->options());
      });
    });
    if (!accepted)
      ctx.fail("service_error", "the pipeline's io pool is full");
  }

  void generate() {
    json::writer w;
    w.begin_object().key("image_url").value(args.image_url).key("parameters").raw(args.parameters)
      .key("job_id").value(service_job).key("callback_url").value(callback_url()).end_object();
    auto self = shared_from_this();
    p->http().post_json(url("/generate"), w.take(), on_actor("generate", [self](const http::client_response& r) {
      auto body = self->body_of("generate", r);
      if (body)
        self->on_status(*body);
    }), options());
  }

  /// A status from generate, a poll or a callback.
  void on_status(const json::object& status) {
    if (fetching || ctx.ended())
      return;
    const auto state = status.get_string("status").value_or("");
    if (state == "completed") {
      if (auto result = status.get_string("result_url"))
        return fetch_result(*result);
      return poll_now();  // a callback says completed without the URL: ask for it
    }
    if (state == "failed")
      return ctx.fail("generation_failed", "mesh service: " + status.get_string("message").value_or("failed"));
    if (state != "processing")
      return ctx.fail("bad_response", "mesh service: unknown status \"" + state + "\"");
    if (auto progress = status.get_int("progress"))
      ctx.progress(static_cast<std::int32_t>(*progress), status.get_string("message").value_or("Processing"));
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
    p->http().get(url("/status/" + service_job), on_actor("status", [self](const http::client_response& r) {
      if (auto body = self->body_of("status", r))
        self->on_status(*body);
    }), options());
  }

  /// A callback through the gateway, handed over by mesh.progress_callback.
  void callback(const std::string& payload) {
    auto parsed = json::object::parse(payload, "callback");
    if (auto* status = std::get_if<json::object>(&parsed); status && status->get_string("status"))
      on_status(*status);
  }

  void fetch_result(const std::string& result_url) {
    fetching = true;
    ctx.progress(80, "Fetching the result");
    auto absolute = resolve(result_url);
    if (absolute.empty())
      return;
    auto self = shared_from_this();
    p->http().get(absolute, on_actor("result", [self](const http::client_response& r) {
      auto body = self->body_of("result", r);
      if (!body)
        return;
      auto mesh_url = body->get_string("mesh_url");
      auto vertices = body->get_int("vertex_count");
      auto triangles = body->get_int("triangle_count");
      if (!mesh_url || !vertices || !triangles)
        return self->ctx.fail("bad_response", "mesh service, result: needs mesh_url, vertex_count and triangle_count");
      self->fetch_mesh(*mesh_url, *vertices, *triangles);
    }), options());
  }

  std::string resolve(const std::string& target) {
    auto base_url = http::parse_url(base);
    auto resolved = std::holds_alternative<http::url>(base_url)
                      ? http::resolve_url(std::get<http::url>(base_url), target)
                      : std::variant<http::url, std::string>{std::get<std::string>(base_url)};
    if (auto* error = std::get_if<std::string>(&resolved)) {
      ctx.fail("bad_response", "mesh service: " + *error);
      return "";
    }
    return std::get<http::url>(resolved).text();
  }

  void fetch_mesh(const std::string& mesh_url, std::int64_t vertices, std::int64_t triangles) {
    auto absolute = resolve(mesh_url);
    if (absolute.empty())
      return;
    auto self = shared_from_this();
    const auto limit = static_cast<std::size_t>(p->cfg().mesh_service.max_image_bytes) * 4;
    p->http().get(absolute, on_actor("mesh file", [self, vertices, triangles](const http::client_response& r) {
      self->store(r.body, vertices, triangles);
    }), options(limit));
  }

  /// The .glb into storage on the io pool (a file write), then the job ends on its actor.
  void store(std::string glb, std::int64_t vertices, std::int64_t triangles) {
    auto self = shared_from_this();
    const auto job = ctx.current().id;
    auto accepted = p->io().post([self, job, glb = std::move(glb), vertices, triangles] {
      generation_result r;
      std::string error;
      try {
        const auto id = std::to_string(self->args.mesh_id);
        self->p->files().write(id, "mesh.glb", glb);
        r.result_url = "file://" + std::filesystem::absolute(self->p->files().path_of(id, "mesh.glb")).string();
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
  auto talk = std::make_shared<conversation>(std::move(p), ctx, std::move(args));
  talk->begin();
}

}  // namespace meshjobs
