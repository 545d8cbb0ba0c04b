#include "mesh_service.hpp"

#include <cctype>

#include "meshjobs/http/url.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::mesher_service {
namespace {

constexpr std::string_view broken_json = R"({"status":"processing","progress":)";

/// Job ids go into URL paths: letters, digits, '-', '_' and '.', at most 128.
bool valid_job_id(const std::string& id) {
  if (id.empty() || id.size() > 128)
    return false;
  for (char c : id)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return false;
  return true;
}

http::response bad_request(const std::string& detail) {
  return http::response::error(400, "bad_request", detail);
}

http::response unknown_job(const std::string& id) {
  return http::response::error(404, "unknown_job", "no generation with job_id '" + id + "'");
}

/// The generate request, checked; or the 400 naming the member at fault.
std::variant<job_entry, http::response> read_generate(const std::string& body, const fault_plan& base,
                                                      bool& wait) {
  auto parsed = json::object::parse(body, "generate request");
  if (auto* e = std::get_if<json::parse_error>(&parsed))
    return bad_request(e->message);
  const auto& o = std::get<json::object>(parsed);
  job_entry job;
  job.faults = base;
  auto image_url = o.get_string("image_url");
  if (!image_url || image_url->empty())
    return bad_request("image_url: required, a path, file:// or http:// URL");
  job.image_url = *image_url;
  auto job_id = o.get_string("job_id");
  if (!job_id || !valid_job_id(*job_id))
    return bad_request("job_id: required, 1-128 letters, digits, '-', '_' or '.'");
  job.job_id = *job_id;
  if (o.has("callback_url")) {
    auto callback = o.get_string("callback_url");
    if (!callback)
      return bad_request("callback_url: a string");
    if (auto u = http::parse_url(*callback); std::holds_alternative<std::string>(u))
      return bad_request("callback_url: " + std::get<std::string>(u));
    job.callback_url = *callback;
  }
  if (!o.has("parameters"))
    return job;
  auto parameters_text = o.get_raw("parameters").value_or("");
  auto parameters = json::object::parse(parameters_text, "parameters");
  if (std::holds_alternative<json::parse_error>(parameters))
    return bad_request("parameters: a JSON object");
  const auto& p = std::get<json::object>(parameters);
  if (p.has("detail_factor")) {
    auto v = p.get_double("detail_factor");
    if (!v || *v < 0 || *v > 1)
      return bad_request("parameters.detail_factor: a number in [0, 1]");
    job.detail_factor = *v;
  }
  if (p.has("height_scale")) {
    auto v = p.get_double("height_scale");
    if (!v || *v <= 0)
      return bad_request("parameters.height_scale: a number > 0");
    job.height_scale = *v;
  }
  if (p.has("wait")) {
    auto v = p.get_bool("wait");
    if (!v)
      return bad_request("parameters.wait: true or false");
    wait = *v;
  }
  if (p.has("faults")) {
    auto faults = apply_faults(base, p.get_raw("faults").value_or(""));
    if (auto* why = std::get_if<std::string>(&faults))
      return bad_request(*why);
    job.faults = std::get<fault_plan>(faults);
  }
  return job;
}

}  // namespace

mesh_service::mesh_service(service_options options)
  : options_(std::move(options)), jobs_(options_.keep_finished), random_(options_.seed),
    threads_(options_.threads) {
  callbacks_.set_secret(options_.callback_secret);
}

mesh_service::~mesh_service() {
  // A generation waiting for an http:// image gets "client stopped" at once, so the threads join.
  client_.stop();
}

void mesh_service::install(http::server& srv) {
  auto bind = [this](void (mesh_service::*fn)(http::request, http::responder)) {
    return [this, fn](http::request req, http::responder respond) {
      (this->*fn)(std::move(req), std::move(respond));
    };
  };
  srv.route("GET", "/health", bind(&mesh_service::health));
  srv.route("POST", "/generate", bind(&mesh_service::generate));
  srv.route("GET", "/status/{job_id}", bind(&mesh_service::status));
  srv.route("GET", "/result/{job_id}", bind(&mesh_service::result));
  srv.route("GET", "/meshes/{job_id}/mesh.glb", bind(&mesh_service::mesh));
}

void mesh_service::set_public_url(std::string url) {
  std::lock_guard<std::mutex> guard{public_url_mutex_};
  options_.public_url = std::move(url);
}

std::string mesh_service::public_url() const {
  std::lock_guard<std::mutex> guard{public_url_mutex_};
  return options_.public_url;
}

void mesh_service::health(http::request, http::responder respond) {
  json::writer w;
  w.begin_object()
      .key("status").value("ok")
      .key("running").value(static_cast<std::uint64_t>(in_flight_.load()))
      .key("threads").value(static_cast<std::uint64_t>(threads_.size()))
      .end_object();
  answer(options_.faults, "health", std::move(respond), http::response::json(200, w.take()));
}

void mesh_service::generate(http::request req, http::responder respond) {
  bool wait = false;
  auto read = read_generate(req.body, options_.faults, wait);
  if (auto* refused = std::get_if<http::response>(&read))
    return respond(std::move(*refused));
  auto& job = std::get<job_entry>(read);
  const auto plan = job.faults;
  if (in_flight_.load() >= options_.queue_limit && !jobs_.find(job.job_id))
    return answer(plan, "generate", std::move(respond),
                  http::response::error(503, "busy", std::to_string(options_.queue_limit) +
                                                         " generations queued or running; retry later"));
  auto [entry, added] = jobs_.add(std::move(job));
  if (added) {
    ++in_flight_;
    threads_.post([this, id = entry.job_id] { run(id); });
  }
  if (wait && !plan.hangs("generate") && jobs_.wait(entry.job_id, respond))
    return;
  if (wait || entry.finished())
    if (auto now = jobs_.find(entry.job_id))
      return answer(plan, "generate", std::move(respond), result_body(*now));
  json::writer w;
  w.begin_object().key("status").value(entry.status).key("job_id").value(entry.job_id).end_object();
  answer(plan, "generate", std::move(respond), http::response::json(added ? 202 : 200, w.take()));
}

void mesh_service::status(http::request req, http::responder respond) {
  const auto& id = req.params["job_id"];
  auto job = jobs_.find(id);
  if (!job)
    return answer(options_.faults, "status", std::move(respond), unknown_job(id));
  answer(job->faults, "status", std::move(respond), status_body(*job));
}

void mesh_service::result(http::request req, http::responder respond) {
  const auto& id = req.params["job_id"];
  auto job = jobs_.find(id);
  if (!job)
    return answer(options_.faults, "result", std::move(respond), unknown_job(id));
  if (job->status != "completed")
    return answer(job->faults, "result", std::move(respond),
                  http::response::error(409, "not_completed", "job '" + id + "' is " + job->status));
  answer(job->faults, "result", std::move(respond), result_body(*job));
}

void mesh_service::mesh(http::request req, http::responder respond) {
  const auto& id = req.params["job_id"];
  auto job = jobs_.find(id);
  if (!job || !job->glb)
    return answer(job ? job->faults : options_.faults, "mesh", std::move(respond), unknown_job(id));
  http::response r;
  r.content_type = "model/gltf-binary";
  r.body = *job->glb;
  answer(job->faults, "mesh", std::move(respond), std::move(r));
}

http::response mesh_service::status_body(const job_entry& job) const {
  json::writer w;
  w.begin_object()
      .key("job_id").value(job.job_id)
      .key("status").value(job.status)
      .key("progress").value(static_cast<std::int64_t>(job.progress))
      .key("message").value(job.message);
  if (job.status == "completed")
    w.key("result_url").value(public_url() + "/result/" + job.job_id);
  w.end_object();
  return http::response::json(200, w.take());
}

http::response mesh_service::result_body(const job_entry& job) const {
  if (job.status != "completed")
    return status_body(job);
  json::writer w;
  w.begin_object()
      .key("job_id").value(job.job_id)
      .key("status").value(job.status)
      .key("vertex_count").value(job.vertex_count)
      .key("triangle_count").value(job.triangle_count)
      .key("result_url").value(public_url() + "/result/" + job.job_id)
      .key("mesh_url").value(public_url() + "/meshes/" + job.job_id + "/mesh.glb")
      .key("format").value("glb")
      .key("bytes").value(static_cast<std::uint64_t>(job.glb ? job.glb->size() : 0))
      .end_object();
  return http::response::json(200, w.take());
}

void mesh_service::answer(const fault_plan& plan, std::string_view endpoint, http::responder respond,
                          http::response r) {
  if (plan.hangs(endpoint)) {
    std::lock_guard<std::mutex> guard{hung_mutex_};
    hung_.push_back(std::move(respond));
    return;
  }
  if (plan.fails_with_500(endpoint))
    r = http::response::error(500, "injected", "an injected 500 on " + std::string{endpoint});
  else if (plan.malforms(endpoint))
    r = http::response::json(200, std::string{broken_json});
  if (plan.latency_ms == 0)
    return respond(std::move(r));
  delayed_.after(std::chrono::milliseconds{plan.latency_ms},
                 [respond = std::move(respond), r = std::move(r)]() mutable { respond(std::move(r)); });
}

}  // namespace meshjobs::mesher_service
