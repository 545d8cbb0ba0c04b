// The samples of a grid that a triangle covers, row by row: the scan conversion that both the
// simplifier (is this triangle within the bound?) and the error measurement walk.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {

struct grid_point {
  double column;
  double row;
};

/// Calls visit(row, first_column, last_column) for every row of samples inside the triangle,
/// edges included, widened by `slack` grid units so that float positions do not drop the
/// samples on their edges; only samples within columns [0, width) and rows [0, height).
/// The scan stops early when visit returns false.
template <class Visit>
void scan_triangle(const grid_point (&corner)[3], std::uint32_t width, std::uint32_t height,
                   double slack, Visit&& visit) {
  double signed_area = (corner[1].column - corner[0].column) * (corner[2].row - corner[0].row) -
                       (corner[1].row - corner[0].row) * (corner[2].column - corner[0].column);
  if (signed_area == 0)
    return;
  // Each edge as a*column + b*row + c >= 0 on the triangle's side.
  double a[3], b[3], c[3];
  for (int i = 0; i < 3; ++i) {
    const grid_point& p = corner[i];
    const grid_point& q = corner[(i + 1) % 3];
    double orientation = signed_area > 0 ? 1.0 : -1.0;
    a[i] = -(q.row - p.row) * orientation;
    b[i] = (q.column - p.column) * orientation;
    c[i] = -(a[i] * p.column + b[i] * p.row);
  }
  double top = std::min({corner[0].row, corner[1].row, corner[2].row}) - slack;
  double bottom = std::max({corner[0].row, corner[1].row, corner[2].row}) + slack;
  long first_row = std::max(0L, static_cast<long>(std::ceil(top)));
  long last_row = std::min(static_cast<long>(height) - 1, static_cast<long>(std::floor(bottom)));
  for (long row = first_row; row <= last_row; ++row) {
    double lo = 0, hi = width - 1.0;
    bool empty = false;
    for (int i = 0; i < 3 && !empty; ++i) {
      double rest = b[i] * row + c[i] + slack * (std::abs(a[i]) + std::abs(b[i]));
      if (a[i] > 0)
        lo = std::max(lo, -rest / a[i]);
      else if (a[i] < 0)
        hi = std::min(hi, -rest / a[i]);
      else
        empty = rest < 0;
    }
    if (empty)
      continue;
    long first = static_cast<long>(std::ceil(lo)), last = static_cast<long>(std::floor(hi));
    if (first <= last &&
        !visit(static_cast<std::uint32_t>(row), static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(last)))
      return;
  }
}

/// The plane through three points with heights, evaluated anywhere.
struct plane {
  double origin_column, origin_row, origin_height;
  double per_column, per_row;

  plane(const grid_point (&corner)[3], const double (&height)[3]) {
    double c1 = corner[1].column - corner[0].column, r1 = corner[1].row - corner[0].row;
    double c2 = corner[2].column - corner[0].column, r2 = corner[2].row - corner[0].row;
    double h1 = height[1] - height[0], h2 = height[2] - height[0];
    double det = c1 * r2 - r1 * c2;
    origin_column = corner[0].column;
    origin_row = corner[0].row;
    origin_height = height[0];
    per_column = det != 0 ? (h1 * r2 - h2 * r1) / det : 0;
    per_row = det != 0 ? (h2 * c1 - h1 * c2) / det : 0;
  }
  double at(double column, double row) const {
    return origin_height + per_column * (column - origin_column) + per_row * (row - origin_row);
  }
};

/// Whether every sample the triangle covers lies within `tolerance` (field units) of the plane
/// through its corners at the given heights: the test that decides whether a triangle may stay.
inline bool plane_within(const height_field& field, const grid_point (&corner)[3], const double (&height)[3],
                         double tolerance) {
  // Samples exactly on an edge count: corners sit on samples, so the scan needs no slack.
  constexpr double on_edge = 1e-7;
  const plane surface(corner, height);
  bool within = true;
  scan_triangle(corner, field.width, field.height, on_edge,
                [&](std::uint32_t row, std::uint32_t first, std::uint32_t last) {
                  const float* samples = field.z.data() + std::size_t(row) * field.width;
                  double at_first = surface.at(first, row);
                  for (std::uint32_t column = first; column <= last; ++column) {
                    double expected = at_first + surface.per_column * (column - first);
                    if (std::abs(samples[column] - expected) > tolerance)
                      return within = false;
                  }
                  return true;
                });
  return within;
}

}  // namespace meshjobs::mesher
