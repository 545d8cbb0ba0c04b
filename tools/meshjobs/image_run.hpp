// `meshjobs --images DIR` (what `make run` runs): every image in DIR becomes a mesh and a
// thumbnail on this node, with live progress, and a table at the end. It resumes: an image
// that already has a mesh in the store is not meshed again; one whose job was cut short by a
// crash or kill -9 finishes (its job comes back from the store), the rest start.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "mesh_pipeline.hpp"

namespace meshjobs::tools {

struct image_run_options {
  std::string dir;
  int samples = 0;                 ///< DIR has no image: generate this many first
  std::uint32_t sample_size = 512; ///< their width and height
  std::string parameters = "{}";   ///< the generation's parameters (detail_factor, ...)
  std::chrono::seconds timeout{600};
};

/// Returns the exit code: 0 when every image has a completed mesh, 1 otherwise.
int run_images(runtime& rt, mesh_pipeline& p, const image_run_options& o);

}  // namespace meshjobs::tools
