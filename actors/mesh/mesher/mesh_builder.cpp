#include "mesh/mesher/mesh_builder.hpp"

namespace meshjobs::mesher {

mesh_builder::mesh_builder(const height_field& field, double height_scale)
  : field_(field), frame_(field), height_scale_(height_scale),
    vertex_at_sample_(std::size_t(field.width) * field.height, no_vertex) {}

std::uint32_t mesh_builder::vertex(std::uint32_t column, std::uint32_t row, double height) {
  std::uint32_t& index = vertex_at_sample_[std::size_t(row) * field_.width + column];
  if (index == no_vertex) {
    index = static_cast<std::uint32_t>(mesh_.vertex_count());
    mesh_.positions.push_back(static_cast<float>(frame_.x_of(column)));
    mesh_.positions.push_back(static_cast<float>(frame_.y_of(row)));
    mesh_.positions.push_back(static_cast<float>(height * height_scale_));
    column_of_vertex_.push_back(column);
    row_of_vertex_.push_back(row);
  }
  return index;
}

void mesh_builder::triangle(std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  // Rows grow downwards, so counter-clockwise from +z is clockwise in (column, row).
  std::int64_t cross = (column_of_vertex_[b] - column_of_vertex_[a]) * (row_of_vertex_[c] - row_of_vertex_[a]) -
                       (row_of_vertex_[b] - row_of_vertex_[a]) * (column_of_vertex_[c] - column_of_vertex_[a]);
  if (cross == 0)
    return;
  if (cross > 0)
    std::swap(b, c);
  mesh_.indices.insert(mesh_.indices.end(), {a, b, c});
}

triangle_mesh full_grid_mesh(const height_field& field, double height_scale) {
  mesh_builder builder(field, height_scale);
  for (std::uint32_t row = 0; row + 1 < field.height; ++row)
    for (std::uint32_t column = 0; column + 1 < field.width; ++column) {
      std::uint32_t top_left = builder.sample_vertex(column, row);
      std::uint32_t top_right = builder.sample_vertex(column + 1, row);
      std::uint32_t bottom_left = builder.sample_vertex(column, row + 1);
      std::uint32_t bottom_right = builder.sample_vertex(column + 1, row + 1);
      builder.triangle(top_left, bottom_left, bottom_right);
      builder.triangle(top_left, bottom_right, top_right);
    }
  return builder.take();
}

}  // namespace meshjobs::mesher
