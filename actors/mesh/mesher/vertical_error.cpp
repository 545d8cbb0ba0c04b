// max_vertical_error: the mesh measured against every sample of the field it was made from.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "mesh/mesher/grid_frame.hpp"
#include "mesh/mesher/mesher.hpp"
#include "mesh/mesher/triangle_scan.hpp"

namespace meshjobs::mesher {
namespace {

/// Float positions land a hair off the samples they were made from; put them back.
double snapped(double coordinate) {
  constexpr double on_sample = 1e-3;
  double nearest = std::round(coordinate);
  return std::abs(coordinate - nearest) < on_sample ? nearest : coordinate;
}

}  // namespace

double max_vertical_error(const height_field& field, const triangle_mesh& mesh, const mesh_options& options) {
  if (!(options.height_scale > 0))
    throw std::invalid_argument("max_vertical_error: height_scale must be positive");
  const grid_frame frame(field);
  const std::size_t vertices = mesh.vertex_count();
  std::vector<std::uint8_t> covered(field.z.size(), 0);
  double largest = 0;
  for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
    grid_point corner[3];
    double height[3];
    for (int k = 0; k < 3; ++k) {
      std::uint32_t v = mesh.indices[t * 3 + k];
      if (v >= vertices)
        throw std::invalid_argument("max_vertical_error: triangle " + std::to_string(t) + " names vertex " +
                                    std::to_string(v) + " of " + std::to_string(vertices));
      corner[k] = {snapped(frame.column_of(mesh.positions[v * 3])), snapped(frame.row_of(mesh.positions[v * 3 + 1]))};
      height[k] = mesh.positions[v * 3 + 2] / options.height_scale;
    }
    const plane surface(corner, height);
    constexpr double edge_slack = 1e-6;
    scan_triangle(corner, field.width, field.height, edge_slack,
                  [&](std::uint32_t row, std::uint32_t first, std::uint32_t last) {
                    std::size_t base = std::size_t(row) * field.width;
                    for (std::uint32_t column = first; column <= last; ++column) {
                      covered[base + column] = 1;
                      largest = std::max(largest, std::abs(field.z[base + column] - surface.at(column, row)));
                    }
                    return true;
                  });
  }
  if (std::find(covered.begin(), covered.end(), 0) != covered.end())
    return std::numeric_limits<double>::infinity();
  return largest / range_of(field).error_scale();
}

}  // namespace meshjobs::mesher
