#include "mesh/mesh_service_client.hpp"

#include <cctype>
#include <stdexcept>

#include "meshjobs/http/http_client.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs::mesh {
namespace {

service_error make(std::string kind, std::string message) { return {std::move(kind), std::move(message)}; }

/// A transport failure or an unwanted status as a service_error; nothing for a 2xx answer.
std::optional<service_error> failure_of(const http::client_result& r, const std::string& call) {
  if (auto* e = std::get_if<http::client_error>(&r)) {
    auto kind = e->kind == http::error_kind::bad_url ? "bad_request" : std::string{http::to_string(e->kind)};
    return make(kind, call + ": " + e->message);
  }
  const auto& answer = std::get<http::client_response>(r);
  if (answer.status >= 200 && answer.status < 300)
    return std::nullopt;
  std::string detail = call + ": the service answered " + std::to_string(answer.status);
  if (auto body = json::object::parse(answer.body, "error"); std::holds_alternative<json::object>(body))
    detail += " (" + std::get<json::object>(body).get_string("detail").value_or(answer.body) + ")";
  if (answer.status == 404)
    return make("service_error", detail + ": the service does not know it (restarted?)");
  return make(answer.status >= 400 ? "bad_request" : "bad_response", detail);
}

/// The answer's body as a JSON object, or a bad_response naming the call.
std::variant<json::object, service_error> json_of(const http::client_result& r, const std::string& call) {
  if (auto failed = failure_of(r, call))
    return *failed;
  auto parsed = json::object::parse(std::get<http::client_response>(r).body, call);
  if (auto* e = std::get_if<json::parse_error>(&parsed))
    return make("bad_response", e->message);
  return std::get<json::object>(std::move(parsed));
}

service_outcome<generation_status> read_status(const json::object& o, const std::string& call) {
  generation_status s;
  s.status = o.get_string("status").value_or("");
  if (s.status != "processing" && s.status != "completed" && s.status != "failed")
    return make("bad_response", call + ": \"status\" is '" + s.status +
                                    "', not processing, completed or failed");
  auto progress = o.get_int("progress").value_or(s.status == "completed" ? 100 : 0);
  if (progress < 0 || progress > 100)
    return make("bad_response", call + ": \"progress\" " + std::to_string(progress) + " is not in 0-100");
  s.progress = static_cast<int>(progress);
  s.message = o.get_string("message").value_or("");
  s.result_url = o.get_string("result_url").value_or("");
  return s;
}

/// Calls `done` with the error, or with what `read` makes of the JSON answer.
template <class T, class Read>
http::client_callback json_callback(std::string call, std::function<void(service_outcome<T>)> done, Read read) {
  return [call = std::move(call), done = std::move(done), read](http::client_result r) {
    auto body = json_of(r, call);
    if (auto* e = std::get_if<service_error>(&body))
      return done(std::move(*e));
    done(read(std::get<json::object>(body), call));
  };
}

/// `url_or_path` against the service's base, as an absolute URL; empty with `error` set when
/// it is neither.
std::string absolute(const http::url& base, const std::string& url_or_path, std::string& error) {
  auto resolved = http::resolve_url(base, url_or_path);
  if (auto* why = std::get_if<std::string>(&resolved)) {
    error = *why;
    return {};
  }
  return std::get<http::url>(resolved).text();
}

/// Job ids go into a path: anything but unreserved characters is percent-encoded.
std::string path_segment(const std::string& raw) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : raw) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

mesh_service_client::mesh_service_client(http::client& client, mesh_service_options options)
  : client_(client), options_(std::move(options)) {
  auto parsed = http::parse_url(options_.base_url);
  if (auto* why = std::get_if<std::string>(&parsed))
    throw std::invalid_argument("mesh service base_url: " + *why);
  base_ = std::get<http::url>(parsed);
  while (!base_.target.empty() && base_.target.back() == '/')
    base_.target.pop_back();
}

http::call_options mesh_service_client::call_options(std::size_t limit) const {
  http::call_options o;
  o.timeout = options_.timeout;
  o.response_limit = limit;
  return o;
}

void mesh_service_client::health(std::function<void(service_outcome<std::string>)> done) {
  const auto url = base_.text() + "/health";
  client_.get(url, json_callback<std::string>("health " + url, std::move(done),
      [](const json::object& body, const std::string& call) -> service_outcome<std::string> {
        auto status = body.get_string("status");
        if (!status)
          return make("bad_response", call + ": no \"status\" in the answer");
        if (*status != "ok")
          return make("service_error", call + ": the service says it is '" + *status + "'");
        return *status;
      }), call_options(options_.json_limit));
}

void mesh_service_client::generate(const generate_request& request,
                                   std::function<void(service_outcome<generation_status>)> done) {
  json::writer w;
  w.begin_object()
      .key("image_url").value(request.image_url)
      .key("job_id").value(request.job_id)
      .key("parameters").raw(request.parameters_json.empty() ? "{}" : request.parameters_json);
  if (!request.callback_url.empty())
    w.key("callback_url").value(request.callback_url);
  w.end_object();
  const auto url = base_.text() + "/generate";
  client_.post_json(url, w.take(), json_callback<generation_status>("generate " + url, std::move(done), read_status),
                    call_options(options_.json_limit));
}

void mesh_service_client::status(const std::string& job_id,
                                 std::function<void(service_outcome<generation_status>)> done) {
  const auto url = base_.text() + "/status/" + path_segment(job_id);
  client_.get(url, json_callback<generation_status>("status " + url, std::move(done), read_status),
                    call_options(options_.json_limit));
}

void mesh_service_client::fetch_result(const std::string& result_url,
                                       std::function<void(service_outcome<generation_result>)> done) {
  std::string error;
  auto url = absolute(base_, result_url, error);
  if (url.empty())
    return done(make("bad_response", "fetch_result: result_url " + error));
  client_.get(url, json_callback<generation_result>("fetch_result " + url, std::move(done),
      [base = base_](const json::object& body, const std::string& call) -> service_outcome<generation_result> {
        auto vertices = body.get_int("vertex_count");
        auto triangles = body.get_int("triangle_count");
        auto mesh_url = body.get_string("mesh_url");
        if (!vertices || !triangles || *vertices < 0 || *triangles < 0 || !mesh_url)
          return make("bad_response", call + ": the result needs vertex_count, triangle_count and mesh_url");
        std::string error;
        auto absolute_mesh = absolute(base, *mesh_url, error);
        if (absolute_mesh.empty())
          return make("bad_response", call + ": mesh_url " + error);
        return generation_result{static_cast<std::uint64_t>(*vertices),
                                 static_cast<std::uint64_t>(*triangles), absolute_mesh};
      }), call_options(options_.json_limit));
}

void mesh_service_client::fetch_mesh(const std::string& mesh_url,
                                     std::function<void(service_outcome<std::string>)> done) {
  std::string error;
  auto url = absolute(base_, mesh_url, error);
  if (url.empty())
    return done(make("bad_response", "fetch_mesh: mesh_url " + error));
  client_.get(url, [call = "fetch_mesh " + url, done = std::move(done)](http::client_result r) {
    if (auto failed = failure_of(r, call))
      return done(std::move(*failed));
    done(std::move(std::get<http::client_response>(r).body));
  }, call_options(options_.mesh_limit));
}

}  // namespace meshjobs::mesh
