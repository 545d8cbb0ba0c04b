// triangulate: checks the options, keeps a flat or planar field to two triangles, and hands the
// rest to the RTIN.
#include <cmath>
#include <stdexcept>
#include <string>

#include "mesh/mesher/grid_frame.hpp"
#include "mesh/mesher/mesh_builder.hpp"
#include "mesh/mesher/mesher.hpp"
#include "mesh/mesher/rtin.hpp"
#include "mesh/mesher/triangle_scan.hpp"

namespace meshjobs::mesher {
namespace {

void check(const height_field& field, const mesh_options& options) {
  if (field.width < 2 || field.height < 2 || field.z.size() != std::size_t(field.width) * field.height)
    throw std::invalid_argument("triangulate: the field must be at least 2x2 samples with width x height of them (got " +
                                std::to_string(field.width) + "x" + std::to_string(field.height) + ", " +
                                std::to_string(field.z.size()) + " samples)");
  if (!(options.detail_factor >= 0 && options.detail_factor <= 1))
    throw std::invalid_argument("triangulate: detail_factor must be within [0, 1] (got " +
                                std::to_string(options.detail_factor) + ")");
  if (!(options.height_scale > 0 && std::isfinite(options.height_scale)))
    throw std::invalid_argument("triangulate: height_scale must be positive (got " +
                                std::to_string(options.height_scale) + ")");
}

/// The whole image as two triangles, if they are within the tolerance everywhere.
bool two_triangles_suffice(const height_field& field, double tolerance, triangle_mesh& mesh, double height_scale) {
  const double right = field.width - 1.0, bottom = field.height - 1.0;
  const grid_point upper[3] = {{0, 0}, {right, bottom}, {right, 0}};
  const grid_point lower[3] = {{0, 0}, {right, bottom}, {0, bottom}};
  const auto w = field.width - 1, h = field.height - 1;
  const double upper_height[3] = {field.at(0, 0), field.at(w, h), field.at(w, 0)};
  const double lower_height[3] = {field.at(0, 0), field.at(w, h), field.at(0, h)};
  if (!plane_within(field, upper, upper_height, tolerance) || !plane_within(field, lower, lower_height, tolerance))
    return false;
  mesh_builder builder(field, height_scale);
  auto top_left = builder.sample_vertex(0, 0), bottom_right = builder.sample_vertex(w, h);
  builder.triangle(top_left, bottom_right, builder.sample_vertex(w, 0));
  builder.triangle(top_left, bottom_right, builder.sample_vertex(0, h));
  mesh = builder.take();
  return true;
}

}  // namespace

triangle_mesh triangulate(const height_field& field, const mesh_options& options) {
  check(field, options);
  // Positions are stored as floats: keep a hair inside the bound so that measuring the stored
  // mesh never reads a rounding error as a breach.
  constexpr double float_margin = 1e-6;
  const double tolerance = std::max(0.0, options.detail_factor - float_margin) * range_of(field).error_scale();
  triangle_mesh mesh;
  if (two_triangles_suffice(field, tolerance, mesh, options.height_scale))
    return mesh;
  return rtin_triangulate(field, tolerance, options.height_scale);
}

}  // namespace meshjobs::mesher
