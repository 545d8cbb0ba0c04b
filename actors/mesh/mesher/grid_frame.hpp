// Where a sample of a height field sits in its mesh. The sample at (column, row) of a W×H field
// maps to x = column / (L - 1), y = (H - 1 - row) / (L - 1) with L the longer side: rows run
// down the image and y up the mesh, so the image reads the right way round seen from +z.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {

struct grid_frame {
  std::uint32_t width;
  std::uint32_t height;
  double cells_along_longer_side;

  explicit grid_frame(const height_field& field)
    : width(field.width), height(field.height),
      cells_along_longer_side(std::max(field.width, field.height) - 1.0) {}

  double x_of(double column) const { return column / cells_along_longer_side; }
  double y_of(double row) const { return (height - 1.0 - row) / cells_along_longer_side; }
  double column_of(double x) const { return x * cells_along_longer_side; }
  double row_of(double y) const { return (height - 1.0) - y * cells_along_longer_side; }
};

/// The lowest and highest sample, and the span errors are measured against: the range, or 1
/// (the whole luminance scale) for a flat field, whose range is 0.
struct height_range {
  float lowest;
  float highest;
  double error_scale() const { return highest > lowest ? double(highest) - lowest : 1.0; }
};

inline height_range range_of(const height_field& field) {
  auto [lo, hi] = std::minmax_element(field.z.begin(), field.z.end());
  return {*lo, *hi};
}

}  // namespace meshjobs::mesher
