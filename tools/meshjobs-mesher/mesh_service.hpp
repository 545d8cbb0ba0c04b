// The mesh service protocol of DESIGN.md, served by the embedded mesher:
//   GET  /health                  {"status":"ok", "running":N, "threads":N}
//   POST /generate                {image_url, job_id, parameters?, callback_url?}
//                                 -> 202 {"status":"processing","job_id"}; with parameters.wait
//                                 true, the answer waits for the end: {"status":"completed",...}
//   GET  /status/{job_id}         {job_id, status, progress, message, result_url?}
//   GET  /result/{job_id}         {job_id, status, vertex_count, triangle_count, mesh_url, bytes}
//   GET  /meshes/{job_id}/mesh.glb  the binary glTF
// and, when callback_url is given, POST callback_url {job_id, progress, message, status} at
// each step and at the end. Generations run on a bounded pool; past its queue, 503 busy.
// The same job_id twice is one generation (the second call answers its state).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "callback_sender.hpp"
#include "delayed_calls.hpp"
#include "fault_plan.hpp"
#include "job_table.hpp"
#include "mesher_threads.hpp"
#include "mesh/image_source.hpp"
#include "mesh/mesher/mesher.hpp"
#include "meshjobs/http/http_client.hpp"
#include "meshjobs/http/http_server.hpp"

namespace meshjobs::mesher_service {

struct service_options {
  std::string public_url;  ///< how clients reach this service, e.g. "http://127.0.0.1:8089"
  fault_plan faults;       ///< for every request, unless a job's parameters.faults says otherwise
  mesher::image_limits image_limits;
  std::chrono::milliseconds image_fetch_timeout{30000};
  std::size_t threads = 2;
  std::size_t queue_limit = 256;  ///< generations queued or running, past it 503 busy
  std::size_t keep_finished = 10000;
  std::uint64_t seed = 1;         ///< of failure_rate's draws
  std::string callback_secret;    ///< signs callbacks (X-Meshjobs-Signature); empty: unsigned
};

class mesh_service {
 public:
  explicit mesh_service(service_options options);
  ~mesh_service();
  /// Adds the protocol's routes to `srv` (before it starts).
  void install(http::server& srv);
  /// Once the port is known, when the options gave no public URL.
  void set_public_url(std::string url);

 private:
  void health(http::request req, http::responder respond);
  void generate(http::request req, http::responder respond);
  void status(http::request req, http::responder respond);
  void result(http::request req, http::responder respond);
  void mesh(http::request req, http::responder respond);

  /// Answers through the faults of `plan` for `endpoint`: hang, 500, malformed JSON, latency.
  void answer(const fault_plan& plan, std::string_view endpoint, http::responder respond,
              http::response r);

  // generation.cpp: the work, on the pool.
  void run(const std::string& job_id);
  mesh::image_result load(const std::string& source);
  void step(const std::string& job_id, int progress, const std::string& message,
            const std::string& status = "processing");
  void finish(const std::string& job_id, const mesher::triangle_mesh& mesh, std::string glb);
  void fail(const std::string& job_id, const std::string& message);
  /// The job's last change: counted out of the pool, its callback sent, its waiters answered.
  void end(const std::string& job_id, const std::function<void(job_entry&)>& change);
  void notify(const job_entry& job, bool last);
  bool draw_failure(double rate);

  std::string public_url() const;
  http::response status_body(const job_entry& job) const;
  http::response result_body(const job_entry& job) const;

  service_options options_;
  mutable std::mutex public_url_mutex_;
  job_table jobs_;
  http::client client_;  ///< callbacks and http:// images
  callback_sender callbacks_{client_};
  delayed_calls delayed_;
  std::mutex hung_mutex_;
  std::vector<http::responder> hung_;  ///< answers never given (fault "hang")
  std::atomic<std::size_t> in_flight_{0};
  std::mutex random_mutex_;
  std::mt19937_64 random_;
  mesher_threads threads_;  ///< last: its threads are joined first, before what they use
};

}  // namespace meshjobs::mesher_service
