// A shaded preview of a mesh, rendered in software (no GPU, no window): a fixed three-quarter
// view, flat Lambert shading, z-buffered, written as PNG. Pure CPU work: run it on the worker
// pool.
#pragma once

#include <cstdint>
#include <string>

#include "mesh/mesher/mesher.hpp"

namespace meshjobs::storage {

struct thumbnail_options {
  std::uint32_t size = 256;  ///< width and height in pixels
};

/// PNG bytes; throws std::invalid_argument for an empty mesh or a size outside 16..4096.
std::string render_thumbnail_png(const mesher::triangle_mesh& mesh, const thumbnail_options& options);

}  // namespace meshjobs::storage
