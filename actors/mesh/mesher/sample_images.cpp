#include "mesh/mesher/sample_images.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include <stb_image_write.h>

namespace meshjobs::mesher {
namespace {

/// A well-mixed 64-bit hash (splitmix64's finaliser): lattice values that look random and are
/// the same on every machine.
std::uint64_t mix(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ull;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

double lattice(std::int64_t x, std::int64_t y, std::uint64_t salt) {
  std::uint64_t h = mix(salt ^ mix(std::uint64_t(x) * 0x632BE59BD9B4E019ull ^ std::uint64_t(y)));
  return double(h >> 11) / double(1ull << 53);
}

double smooth(double t) { return t * t * (3 - 2 * t); }

/// Value noise in [0, 1]: lattice values blended smoothly between the lattice points.
double value_noise(double x, double y, std::uint64_t salt) {
  double fx = std::floor(x), fy = std::floor(y);
  auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
  double tx = smooth(x - fx), ty = smooth(y - fy);
  double top = lattice(ix, iy, salt) + (lattice(ix + 1, iy, salt) - lattice(ix, iy, salt)) * tx;
  double bottom = lattice(ix, iy + 1, salt) + (lattice(ix + 1, iy + 1, salt) - lattice(ix, iy + 1, salt)) * tx;
  return top + (bottom - top) * ty;
}

/// The shape of one terrain, drawn from the seed.
struct terrain {
  std::uint64_t salt;
  double base_frequency;  ///< features across the longer side
  double ridge_weight;    ///< how much of the relief is sharp ridges rather than round hills
  int octaves;
  struct bump {
    double x, y, radius, height;
  };
  std::vector<bump> bumps;  ///< peaks (height > 0) and basins (height < 0)

  explicit terrain(std::uint32_t seed) : salt(mix(seed)) {
    auto draw = [n = std::uint64_t(0), this]() mutable { return lattice(std::int64_t(n++), -1, salt); };
    base_frequency = 1.5 + 2.5 * draw();
    ridge_weight = 0.15 + 0.7 * draw();
    octaves = 4 + static_cast<int>(2 * draw());
    int count = 2 + static_cast<int>(5 * draw());
    for (int i = 0; i < count; ++i)
      bumps.push_back({draw(), draw(), 0.05 + 0.2 * draw(), (draw() < 0.7 ? 1 : -1) * (0.3 + 0.7 * draw())});
  }

  double at(double x, double y) const {
    double hills = 0, ridges = 0, amplitude = 1, total = 0, frequency = base_frequency;
    for (int octave = 0; octave < octaves; ++octave) {
      hills += amplitude * value_noise(x * frequency, y * frequency, salt + octave);
      ridges += amplitude * (1 - std::abs(2 * value_noise(x * frequency, y * frequency, ~salt + octave) - 1));
      total += amplitude;
      amplitude *= 0.5;
      frequency *= 2;
    }
    double relief = ((1 - ridge_weight) * hills + ridge_weight * ridges * ridges) / total;
    for (const bump& b : bumps) {
      double d2 = ((x - b.x) * (x - b.x) + (y - b.y) * (y - b.y)) / (b.radius * b.radius);
      relief += 0.5 * b.height * std::exp(-d2);
    }
    return relief;
  }
};

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

}  // namespace

std::string make_sample_png(std::uint32_t width, std::uint32_t height, std::uint32_t seed) {
  if (width == 0 || height == 0 || std::uint64_t(width) * height > (1ull << 28))
    throw std::invalid_argument("make_sample_png: size " + std::to_string(width) + "x" + std::to_string(height) +
                                " is empty or too large");
  const terrain land(seed);
  const double longer = std::max(width, height);
  std::vector<double> relief(std::size_t(width) * height);
  for (std::uint32_t row = 0; row < height; ++row)
    for (std::uint32_t column = 0; column < width; ++column)
      relief[std::size_t(row) * width + column] = land.at(column / longer, row / longer);
  auto [lowest, highest] = std::minmax_element(relief.begin(), relief.end());
  const double low = *lowest, span = std::max(*highest - *lowest, 1e-12);
  std::vector<std::uint8_t> grey(relief.size());
  for (std::size_t i = 0; i < relief.size(); ++i)
    grey[i] = static_cast<std::uint8_t>(std::lround(255 * (relief[i] - low) / span));
  std::string png;
  if (!stbi_write_png_to_func(append_bytes, &png, static_cast<int>(width), static_cast<int>(height), 1, grey.data(),
                              static_cast<int>(width)))
    throw std::runtime_error("make_sample_png: the PNG encoder failed");
  return png;
}

}  // namespace meshjobs::mesher
