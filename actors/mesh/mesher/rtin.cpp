#include "mesh/mesher/rtin.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "mesh/mesher/mesh_builder.hpp"
#include "mesh/mesher/triangle_scan.hpp"

namespace meshjobs::mesher {
namespace {

struct point {
  std::int64_t column;
  std::int64_t row;
};

point middle(point a, point b) { return {(a.column + b.column) / 2, (a.row + b.row) / 2}; }

class rtin {
 public:
  rtin(const height_field& field, double tolerance)
    : field_(field), tolerance_(tolerance), tile_(tile_size(field)),
      columns_(round_up(field.width - 1, tile_)), rows_(round_up(field.height - 1, tile_)),
      splits_(std::size_t(columns_ + 1) * (rows_ + 1), 0) {
    for (std::int64_t size = 2; size <= tile_; size *= 2) {
      decide_edge_midpoints(size);
      decide_square_centres(size);
    }
  }

  triangle_mesh build(double height_scale) const {
    mesh_builder builder(field_, height_scale);
    for (std::int64_t row = 0; row < rows_; row += tile_)
      for (std::int64_t column = 0; column < columns_; column += tile_) {
        auto [from, to, apex_one, apex_two] = square_halves(column, row, tile_);
        emit(from, to, apex_one, builder);
        emit(from, to, apex_two, builder);
      }
    return builder.take();
  }

 private:
  static std::int64_t tile_size(const height_field& field) {
    std::int64_t shorter = std::min(field.width, field.height) - 1, size = 1;
    while (size < shorter)
      size *= 2;
    return size;
  }
  static std::int64_t round_up(std::int64_t cells, std::int64_t tile) { return (cells + tile - 1) / tile * tile; }

  std::uint8_t& split(point p) { return splits_[std::size_t(p.row) * (columns_ + 1) + p.column]; }
  bool splits(point p) const { return splits_[std::size_t(p.row) * (columns_ + 1) + p.column] != 0; }

  /// The height at a grid point; points in the padding repeat the image's nearest edge sample.
  double height_at(point p) const {
    return field_.at(static_cast<std::uint32_t>(std::min<std::int64_t>(p.column, field_.width - 1)),
                     static_cast<std::uint32_t>(std::min<std::int64_t>(p.row, field_.height - 1)));
  }

  bool out_of_tolerance(point a, point b, point c) const {
    const grid_point corner[3] = {{double(a.column), double(a.row)}, {double(b.column), double(b.row)},
                                  {double(c.column), double(c.row)}};
    const double height[3] = {height_at(a), height_at(b), height_at(c)};
    return !plane_within(field_, corner, height, tolerance_);
  }

  /// A square's diagonal and its two corners off it. Diagonals alternate like a chessboard, so
  /// that every quarter square's diagonal meets its parent square's centre.
  std::array<point, 4> square_halves(std::int64_t column, std::int64_t row, std::int64_t size) const {
    bool falling = ((column / size + row / size) & 1) == 0;
    if (falling)
      return {point{column, row}, point{column + size, row + size}, point{column + size, row}, point{column, row + size}};
    return {point{column + size, row}, point{column, row + size}, point{column, row}, point{column + size, row + size}};
  }

  /// Level "edges of `size`": each edge is the long side of a triangle on either side, whose
  /// apex is the centre of the square there and whose halves are the diagonals of that
  /// square's quarters next to the edge.
  void decide_edge_midpoints(std::int64_t size) {
    const std::int64_t half = size / 2, quarter = size / 4;
    auto decide = [&](point from, point to, point across) {
      point mid = middle(from, to);
      bool needed = false;
      for (int side : {-1, 1}) {
        point apex{mid.column + side * across.column * half, mid.row + side * across.row * half};
        if (apex.column < 0 || apex.row < 0 || apex.column > columns_ || apex.row > rows_)
          continue;
        if (quarter > 0) {
          point toward{across.column * side * quarter, across.row * side * quarter};
          point along{(to.column - from.column) / 4, (to.row - from.row) / 4};
          needed = needed || splits({mid.column + toward.column - along.column, mid.row + toward.row - along.row}) ||
                   splits({mid.column + toward.column + along.column, mid.row + toward.row + along.row});
        }
        needed = needed || out_of_tolerance(from, to, apex);
      }
      split(mid) = needed;
    };
    for (std::int64_t row = 0; row <= rows_; row += size)
      for (std::int64_t column = 0; column + size <= columns_; column += size)
        decide({column, row}, {column + size, row}, {0, 1});
    for (std::int64_t row = 0; row + size <= rows_; row += size)
      for (std::int64_t column = 0; column <= columns_; column += size)
        decide({column, row}, {column, row + size}, {1, 0});
  }

  /// Level "squares of `size`": both halves of a square share its diagonal; their own halves'
  /// long sides are the square's four edges.
  void decide_square_centres(std::int64_t size) {
    const std::int64_t half = size / 2;
    for (std::int64_t row = 0; row + size <= rows_; row += size)
      for (std::int64_t column = 0; column + size <= columns_; column += size) {
        bool needed = splits({column + half, row}) || splits({column + size, row + half}) ||
                      splits({column + half, row + size}) || splits({column, row + half});
        if (!needed) {
          auto [from, to, apex_one, apex_two] = square_halves(column, row, size);
          needed = out_of_tolerance(from, to, apex_one) || out_of_tolerance(from, to, apex_two);
        }
        split({column + half, row + half}) = needed;
      }
  }

  void emit(point from, point to, point apex, mesh_builder& builder) const {
    bool halvable = (to.column - from.column) % 2 == 0 && (to.row - from.row) % 2 == 0;
    point mid = middle(from, to);
    if (halvable && splits(mid)) {
      emit(from, apex, mid, builder);
      emit(apex, to, mid, builder);
    } else {
      emit_within_image({from, to, apex}, builder);
    }
  }

  bool inside_image(point p) const { return p.column < field_.width && p.row < field_.height; }

  /// Cuts a triangle at the image's right and bottom edges (Sutherland-Hodgman; every cut lands
  /// on a sample, since edges run along the grid or its diagonals) and fans out what is left.
  void emit_within_image(const std::array<point, 3>& corner, mesh_builder& builder) const {
    if (inside_image(corner[0]) && inside_image(corner[1]) && inside_image(corner[2])) {
      builder.triangle(sample_vertex(corner[0], builder), sample_vertex(corner[1], builder),
                       sample_vertex(corner[2], builder));
      return;
    }
    std::vector<point> polygon(corner.begin(), corner.end());
    polygon = cut(polygon, [](point p) { return p.column; }, field_.width - 1);
    polygon = cut(polygon, [](point p) { return p.row; }, field_.height - 1);
    if (polygon.size() < 3 || twice_area(polygon) == 0)
      return;
    const grid_point grid_corner[3] = {{double(corner[0].column), double(corner[0].row)},
                                       {double(corner[1].column), double(corner[1].row)},
                                       {double(corner[2].column), double(corner[2].row)}};
    const double corner_height[3] = {height_at(corner[0]), height_at(corner[1]), height_at(corner[2])};
    const plane surface(grid_corner, corner_height);
    std::vector<std::uint32_t> vertex;
    for (point p : polygon)
      vertex.push_back(builder.vertex(static_cast<std::uint32_t>(p.column), static_cast<std::uint32_t>(p.row),
                                      surface.at(double(p.column), double(p.row))));
    for (std::size_t i = 1; i + 1 < vertex.size(); ++i)
      builder.triangle(vertex[0], vertex[i], vertex[i + 1]);
  }

  static std::int64_t twice_area(const std::vector<point>& polygon) {
    std::int64_t sum = 0;
    for (std::size_t i = 0; i < polygon.size(); ++i) {
      point p = polygon[i], q = polygon[(i + 1) % polygon.size()];
      sum += p.column * q.row - q.column * p.row;
    }
    return sum;
  }

  std::uint32_t sample_vertex(point p, mesh_builder& builder) const {
    return builder.sample_vertex(static_cast<std::uint32_t>(p.column), static_cast<std::uint32_t>(p.row));
  }

  /// The part of a convex polygon where coordinate(p) <= limit, without repeated points.
  template <class Coordinate>
  static std::vector<point> cut(const std::vector<point>& polygon, Coordinate coordinate, std::int64_t limit) {
    std::vector<point> kept;
    auto keep = [&](point p) {
      if (kept.empty() || kept.back().column != p.column || kept.back().row != p.row)
        kept.push_back(p);
    };
    for (std::size_t i = 0; i < polygon.size(); ++i) {
      point p = polygon[i], q = polygon[(i + 1) % polygon.size()];
      bool p_in = coordinate(p) <= limit, q_in = coordinate(q) <= limit;
      if (p_in)
        keep(p);
      if (p_in != q_in) {
        // Edges run at 0 or 45 degrees, so the crossing is a whole grid point.
        std::int64_t travelled = limit - coordinate(p), span = coordinate(q) - coordinate(p);
        keep({p.column + (q.column - p.column) * travelled / span, p.row + (q.row - p.row) * travelled / span});
      }
    }
    if (kept.size() > 1 && kept.front().column == kept.back().column && kept.front().row == kept.back().row)
      kept.pop_back();
    return kept;
  }

  const height_field& field_;
  double tolerance_;
  std::int64_t tile_;
  std::int64_t columns_;  ///< padded width in cells, a whole number of tiles
  std::int64_t rows_;
  std::vector<std::uint8_t> splits_;  ///< per grid point: does the triangle pair it halves split
};

}  // namespace

triangle_mesh rtin_triangulate(const height_field& field, double tolerance, double height_scale) {
  return rtin(field, tolerance).build(height_scale);
}

}  // namespace meshjobs::mesher
