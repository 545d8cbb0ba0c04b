// `meshjobs --images DIR` (what `make run` runs): the images in DIR run as one batch
// (mesh.batch_generation) on this node, each becoming a mesh and a thumbnail, with live
// progress (the batch's bar over its images') and a table at the end. It resumes: a batch an
// earlier run left processing (cut short by a crash or kill -9) goes on by itself and is
// watched; otherwise the images without an ended mesh make a new batch.
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
