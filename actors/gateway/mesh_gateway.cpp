#include "gateway/mesh_gateway.hpp"

#include "gateway/gateway_routes.hpp"

#include <spdlog/spdlog.h>

#include "mesh_pipeline.hpp"
#include "meshjobs/http/http_server.hpp"
#include "meshjobs/messages/json.hpp"
#include "signature.hpp"
#include "task_pool.hpp"

namespace meshjobs {
namespace {

using http::response;

constexpr std::size_t pool_threads = 32;
constexpr std::size_t pool_queue = 4096;


std::variant<mesh::new_mesh, response> new_mesh_of(const json::object& body) {
  mesh::new_mesh m;
  auto url = body.get_string("image_url");
  if (!url || url->empty())
    return bad_request("body.image_url: required, a path, file:// or http:// URL");
  m.image_url = *url;
  for (auto [key, out] : {std::pair{"project", &m.project}, std::pair{"user", &m.user}}) {
    if (!body.has(key))
      continue;
    auto text = body.get_string(key);
    if (!text)
      return bad_request(std::string{"body."} + key + ": must be a string");
    *out = *text;
  }
  if (body.has("parameters")) {
    auto raw = body.get_raw("parameters").value_or("");
    if (json::check_object(raw, "body.parameters"))
      return bad_request("body.parameters: must be a JSON object");
    m.parameters = raw;
  }
  return m;
}

}  // namespace

struct mesh_gateway::impl {
  explicit impl(std::shared_ptr<mesh_pipeline> pipeline)
    : p(std::move(pipeline)), server(options_of(p->cfg().http)), pool(pool_threads, pool_queue) {}

  static http::server_options options_of(const http_config& cfg) {
    http::server_options o;
    o.host = cfg.host;
    o.port = static_cast<std::uint16_t>(cfg.port);
    o.body_limit = static_cast<std::size_t>(cfg.max_body_bytes);
    o.io_threads = 2;
    return o;
  }

  /// Runs `work` on the pool and answers with what it returns; 503 when the pool is full.
  void off_thread(http::responder respond, std::function<response()> work) {
    auto accepted = pool.post([respond, work = std::move(work)] {
      try {
        respond(work());
      } catch (const std::exception& e) {
        respond(response::error(500, "internal", e.what()));
      }
    });
    if (!accepted)
      respond(response::error(503, "busy", "the gateway's queue is full; retry shortly"));
  }

  void routes() {
    http::route_options guarded;
    if (!p->cfg().http.token.empty())
      guarded.bearer_token = p->cfg().http.token;

    server.route("GET", "/healthz", [this](http::request, http::responder respond) {
      respond(response::json(200, R"({"status":"ok","node":)" + json::quote(p->cfg().node.name) + "}"));
    });

    server.route("POST", "/api/meshes", [this](http::request req, http::responder respond) {
      auto body = json_body(req);
      if (auto* r = std::get_if<response>(&body))
        return respond(std::move(*r));
      auto m = new_mesh_of(std::get<json::object>(body));
      if (auto* r = std::get_if<response>(&m))
        return respond(std::move(*r));
      off_thread(respond, [this, m = std::get<mesh::new_mesh>(std::move(m))] {
        return response::json(201, mesh::to_json(p->create_mesh(m)));
      });
    }, guarded);

    server.route("GET", "/api/meshes/{id}", [this](http::request req, http::responder respond) {
      auto id = gateway_id(req.params["id"]);
      if (auto* r = std::get_if<response>(&id))
        return respond(std::move(*r));
      off_thread(respond, [this, id = std::get<std::int64_t>(id)] {
        auto m = p->records().find(id);
        if (!m)
          return response::error(404, "not_found", "no mesh " + std::to_string(id));
        return response::json(200, mesh::to_json(*m));
      });
    }, guarded);

    add_batch_routes(server, p, guarded, [this](http::responder respond, std::function<response()> work) {
      off_thread(std::move(respond), std::move(work));
    });

    server.route("POST", "/api/meshes/callback", [this](http::request req, http::responder respond) {
      const auto& secret = p->cfg().mesh_service.callback_secret;
      if (secret.empty())
        return respond(response::error(403, "callbacks_off", "set mesh_service.callback_secret to take callbacks"));
      if (!signature_matches(secret, req.body, req.header(signature_header).value_or("")))
        return respond(response::error(401, "bad_signature",
                                       std::string{signature_header} + ": missing or not the body's HMAC-SHA256"));
      auto body = json_body(req);
      if (auto* r = std::get_if<response>(&body))
        return respond(std::move(*r));
      if (!std::get<json::object>(body).get_string("job_id"))
        return respond(bad_request("body.job_id: required, a string"));
      off_thread(respond, [this, args = req.body] {
        auto reply = p->rt().enqueue("mesh.progress_callback", args);
        if (reply.status == enqueue_status::refused)
          return response::error(503, "refused", reply.error);
        return response::json(202, R"({"job":)" + std::to_string(reply.id) + "}");
      });
    });
  }

  std::shared_ptr<mesh_pipeline> p;
  http::server server;
  task_pool pool;
};

mesh_gateway::mesh_gateway(std::shared_ptr<mesh_pipeline> p) : impl_(std::make_unique<impl>(std::move(p))) {
  impl_->routes();
}

mesh_gateway::~mesh_gateway() { stop(); }

std::uint16_t mesh_gateway::start() {
  auto port = impl_->server.start();
  spdlog::info("gateway: listening on http://{}:{}", impl_->p->cfg().http.host, port);
  return port;
}

void mesh_gateway::stop() { impl_->server.stop(); }

}  // namespace meshjobs
