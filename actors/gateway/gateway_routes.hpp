// What the gateway's route groups share, and the batch routes (the mesh routes are in
// mesh_gateway.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>

#include "meshjobs/http/http_server.hpp"
#include "meshjobs/messages/json.hpp"

namespace meshjobs {

class mesh_pipeline;

inline http::response bad_request(const std::string& detail) {
  return http::response::error(400, "bad_request", detail);
}

/// The body as a JSON object, or the 400 that names why it is not one.
std::variant<json::object, http::response> json_body(const http::request& req);

/// A path's {id}: a positive integer, or the 400 naming what was given.
std::variant<std::int64_t, http::response> gateway_id(const std::string& text);

/// Runs blocking work off the server's io threads and answers with what it returns.
using off_thread_fn = std::function<void(http::responder, std::function<http::response()>)>;

void add_batch_routes(http::server& server, std::shared_ptr<mesh_pipeline> p, const http::route_options& guarded,
                      off_thread_fn off_thread);

}  // namespace meshjobs
