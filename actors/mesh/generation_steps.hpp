// What both backends of mesh.generation share: its arguments, the resource check, and, for the
// `http` backend, the asynchronous conversation with the mesh service (generation_http.cpp).
#pragma once

#include <memory>
#include <string>

#include "mesh/mesher/mesher.hpp"
#include "mesh_pipeline.hpp"

namespace meshjobs {

struct generation_args {
  std::int64_t mesh_id = 0;
  std::string image_url;
  std::string parameters = "{}";  ///< as given, for the mesh service
  mesher::mesh_options options;
  bool obj = false;
  bool ply = false;
};

/// Throws job_failure(deserialization_error) naming the argument that is wrong.
generation_args read_generation_args(const std::string& args_json);

/// The seed's check_resource_availability: the storage root usable, storage.min_free_mb free.
/// Throws job_failure(service_error) naming the root and the figure. Blocking (file system).
void measure_resource_availability(const storage_config& storage);
/// The same through the pipeline's resource_check: a pass less than a second old is taken
/// as it is.
void check_resource_availability(mesh_pipeline& p);

/// The `http` backend: health check, generate with a callback URL, then poll (timers) until
/// the service says completed or failed, or a callback ends the wait early; the result and its
/// mesh fetched and stored. Ends the job with done() or fail(kind, message).
void start_http_generation(std::shared_ptr<mesh_pipeline> p, async_context& ctx);

}  // namespace meshjobs
