// The `http` backend's way to the mesh service (the protocol of DESIGN.md), asynchronous over
// http::client: health, generate, status, fetch_result and fetch_mesh. Answers are read with
// the project's JSON reader (simdjson) and checked; every failure has a kind for the job's
// retry rules:
//   service_error  cannot connect, reset, a 5xx, or a job the service no longer knows (404)
//   read_timeout   no answer within the call's timeout
//   bad_response   not HTTP, not JSON, not the expected shape, or too large (discarded)
//   bad_request    the service refused what was sent (another 4xx): retrying it cannot help
//
// Callbacks run on the http::client's io thread: they must not block (post to the job). A call
// in flight holds nothing of this object: it may go before its calls end, the http::client not.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <variant>

#include "meshjobs/http/url.hpp"

namespace meshjobs::http {
class client;
struct call_options;
}

namespace meshjobs::mesh {

struct service_error {
  std::string kind;     ///< service_error | read_timeout | bad_response | bad_request
  std::string message;  ///< names the call, the URL and the reason
};

template <class T>
using service_outcome = std::variant<T, service_error>;

struct generate_request {
  std::string image_url;
  std::string job_id;
  std::string callback_url;            ///< empty: none
  std::string parameters_json = "{}";  ///< a JSON object, e.g. {"detail_factor":0.02}
};

/// What generate and status answer.
struct generation_status {
  std::string status;  ///< processing | completed | failed
  int progress = 0;    ///< 0-100
  std::string message;
  std::string result_url;  ///< when completed (absolute)
};

struct generation_result {
  std::uint64_t vertex_count = 0;
  std::uint64_t triangle_count = 0;
  std::string mesh_url;  ///< absolute
};

struct mesh_service_options {
  std::string base_url;  ///< e.g. http://127.0.0.1:8089
  std::chrono::milliseconds timeout{10000};  ///< per call
  std::size_t json_limit = 1u << 20;         ///< bytes of a JSON answer
  std::size_t mesh_limit = 256u << 20;       ///< bytes of a .glb
};

class mesh_service_client {
 public:
  /// Throws std::invalid_argument naming base_url when it is not an http:// URL.
  mesh_service_client(http::client& client, mesh_service_options options);

  void health(std::function<void(service_outcome<std::string>)> done);  ///< its "status", e.g. "ok"
  void generate(const generate_request& request, std::function<void(service_outcome<generation_status>)> done);
  void status(const std::string& job_id, std::function<void(service_outcome<generation_status>)> done);
  /// `result_url` as status gave it (absolute, or a path on the service).
  void fetch_result(const std::string& result_url, std::function<void(service_outcome<generation_result>)> done);
  void fetch_mesh(const std::string& mesh_url, std::function<void(service_outcome<std::string>)> done);

 private:
  http::call_options call_options(std::size_t response_limit) const;

  http::client& client_;
  mesh_service_options options_;
  http::url base_;
};

}  // namespace meshjobs::mesh
