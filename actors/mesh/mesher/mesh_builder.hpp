// Builds a triangle_mesh from triangles whose corners are samples of the field (integer column
// and row): each sample becomes one vertex however many triangles share it, so the mesh is
// watertight, and every triangle comes out counter-clockwise seen from +z.
#pragma once

#include <cstdint>
#include <vector>

#include "mesh/mesher/grid_frame.hpp"
#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {

class mesh_builder {
 public:
  mesh_builder(const height_field& field, double height_scale);

  /// The vertex at a sample; `height` (field units) counts only the first time the sample is
  /// named: a triangle cut at the field's edge gives its cut corners the triangle's own heights.
  std::uint32_t vertex(std::uint32_t column, std::uint32_t row, double height);
  std::uint32_t sample_vertex(std::uint32_t column, std::uint32_t row) {
    return vertex(column, row, field_.at(column, row));
  }
  /// Adds the triangle unless its corners are in a line; orders it counter-clockwise.
  void triangle(std::uint32_t a, std::uint32_t b, std::uint32_t c);

  triangle_mesh take() { return std::move(mesh_); }

 private:
  static constexpr std::uint32_t no_vertex = ~std::uint32_t(0);
  const height_field& field_;
  grid_frame frame_;
  double height_scale_;
  std::vector<std::uint32_t> vertex_at_sample_;
  std::vector<std::int64_t> column_of_vertex_, row_of_vertex_;
  triangle_mesh mesh_;
};

/// Every sample a vertex, two triangles per grid cell.
triangle_mesh full_grid_mesh(const height_field& field, double height_scale);

}  // namespace meshjobs::mesher
