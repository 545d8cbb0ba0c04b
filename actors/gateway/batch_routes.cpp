// The batch routes of the gateway: create, show, cancel.
#include <spdlog/spdlog.h>

#include "gateway/gateway_routes.hpp"
#include "mesh/batch_generation.hpp"
#include "mesh_pipeline.hpp"

namespace meshjobs {
namespace {

using http::response;


/// ?offset=N&limit=M, each a non-negative integer; the 400 naming the bad one.
std::variant<std::pair<std::int64_t, std::int64_t>, response> image_page(const std::string& query) {
  std::int64_t offset = 0, limit = default_batch_images;
  std::size_t at = 0;
  while (at < query.size()) {
    auto end = query.find('&', at);
    if (end == std::string::npos)
      end = query.size();
    const auto pair = query.substr(at, end - at);
    at = end + 1;
    const auto eq = pair.find('=');
    const auto name = pair.substr(0, eq);
    const auto value = eq == std::string::npos ? std::string{} : pair.substr(eq + 1);
    if (name != "offset" && name != "limit")
      return bad_request("query." + name + ": unknown (offset and limit are)");
    if (value.empty() || value.size() > 12 || value.find_first_not_of("0123456789") != std::string::npos)
      return bad_request("query." + name + ": must be a non-negative integer (got \"" + value + "\")");
    (name == "offset" ? offset : limit) = std::stoll(value);
  }
  if (limit > max_batch_images)
    return bad_request("query.limit: at most " + std::to_string(max_batch_images) + " (got " + std::to_string(limit) + ")");
  return std::pair{offset, limit};
}

}  // namespace

std::variant<json::object, response> json_body(const http::request& req) {
  auto parsed = json::object::parse(req.body, "body");
  if (auto* err = std::get_if<json::parse_error>(&parsed))
    return bad_request(err->message);
  return std::get<json::object>(std::move(parsed));
}

std::variant<std::int64_t, response> gateway_id(const std::string& text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos ||
      std::stoll(text) <= 0)
    return bad_request("id: must be a positive integer (got \"" + text + "\")");
  return std::stoll(text);
}

void add_batch_routes(http::server& server, std::shared_ptr<mesh_pipeline> p, const http::route_options& guarded,
                      off_thread_fn off_thread) {
  server.route("POST", "/api/batches", [p, off_thread](http::request req, http::responder respond) {
    auto body = json_body(req);
    if (auto* r = std::get_if<response>(&body))
      return respond(std::move(*r));
    if (std::get<json::object>(body).has("child_kind"))
      return respond(bad_request("body.child_kind: not accepted over HTTP (a batch's images are mesh generations)"));
    batch_args args;
    try {
      args = read_batch_args(req.body);
    } catch (const std::exception& e) {
      std::string detail = e.what();
      if (detail.rfind("args", 0) == 0)
        detail.replace(0, 4, "body");
      return respond(bad_request(detail));
    }
    off_thread(respond, [p, args = std::move(args)] {
      auto reply = create_batch(*p, args);
      if (reply.status == enqueue_status::refused)
        return response::error(503, "refused", reply.error);
      json::writer w;
      w.begin_object().key("batch_id").value(static_cast<std::uint64_t>(reply.id))
        .key("status").value(to_string(reply.status)).key("url").value("/api/batches/" + std::to_string(reply.id))
        .end_object();
      return response::json(202, w.take());
    });
  }, guarded);

  server.route("GET", "/api/batches/{id}", [p, off_thread](http::request req, http::responder respond) {
    auto id = gateway_id(req.params["id"]);
    if (auto* r = std::get_if<response>(&id))
      return respond(std::move(*r));
    auto page = image_page(req.query);
    if (auto* r = std::get_if<response>(&page))
      return respond(std::move(*r));
    off_thread(respond, [p, id = std::get<std::int64_t>(id), page = std::get<0>(page)] {
      if (auto json = batch_view(*p, id, page.first, page.second))
        return response::json(200, *json);
      return response::error(404, "not_found", "no batch " + std::to_string(id));
    });
  }, guarded);

  server.route("DELETE", "/api/batches/{id}", [p, off_thread](http::request req, http::responder respond) {
    auto id = gateway_id(req.params["id"]);
    if (auto* r = std::get_if<response>(&id))
      return respond(std::move(*r));
    off_thread(respond, [p, id = std::get<std::int64_t>(id)] {
      const auto result = cancel_batch(*p, id);
      const std::string body = R"({"batch_id":)" + std::to_string(id) + R"(,"status":")" + std::string{to_string(result)} + "\"}";
      switch (result) {
        case cancel_result::cancelling: return response::json(202, body);
        case cancel_result::cancelled: return response::json(200, body);
        case cancel_result::finished:
          return response::error(409, "finished", "batch " + std::to_string(id) + " has ended; nothing to cancel");
        case cancel_result::not_found: break;
      }
      return response::error(404, "not_found", "no batch " + std::to_string(id));
    });
  }, guarded);
}

}  // namespace meshjobs
