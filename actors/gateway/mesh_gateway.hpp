// The HTTP gateway: meshes, batches and the mesh service's callback.
//   GET  /healthz                 no token: {"status":"ok"} and the node's queue sizes
//   POST /api/meshes              {image_url, project?, user?, parameters?} -> 201, the mesh
//   GET  /api/meshes/{id}         the mesh, 404 when there is none
//   POST /api/meshes/callback     the service's callback, signed (X-Meshjobs-Signature) with
//                                 mesh_service.callback_secret instead of the bearer token;
//                                 taken as a mesh.progress_callback job -> 202
//   POST   /api/batches           {project?, user?, images | folder, parameters?} -> 202
//                                 {batch_id, status: enqueued | duplicate}
//   GET    /api/batches/{id}      the batch and its images (?offset=&limit=, at most 10,000)
//   DELETE /api/batches/{id}      cancels it: 202 cancelling, 200 cancelled, 409 finished
// `http.token` protects the rest. Bodies are bounded (http.max_body_bytes), reads time out,
// and every error is JSON {"error","detail"} naming the problem. Handlers never block an io
// thread: the record and enqueue work goes to a bounded pool (full: 503).
#pragma once

#include <cstdint>
#include <memory>

namespace meshjobs {

class mesh_pipeline;

class mesh_gateway {
 public:
  explicit mesh_gateway(std::shared_ptr<mesh_pipeline> p);
  ~mesh_gateway();
  mesh_gateway(const mesh_gateway&) = delete;
  mesh_gateway& operator=(const mesh_gateway&) = delete;

  /// Listens on http.host:http.port (0: a free port); returns the port. Throws
  /// std::runtime_error naming the address and the reason.
  std::uint16_t start();
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace meshjobs
