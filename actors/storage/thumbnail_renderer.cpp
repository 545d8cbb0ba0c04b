#include "storage/thumbnail_renderer.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "storage/png_encoder.hpp"

namespace meshjobs::storage {
namespace {

using vec3 = std::array<double, 3>;

vec3 sub(const vec3& a, const vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
vec3 cross(const vec3& a, const vec3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const vec3& a, const vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
vec3 normalized(const vec3& v) {
  double len = std::sqrt(dot(v, v));
  return len > 0 ? vec3{v[0] / len, v[1] / len, v[2] / len} : vec3{0, 0, 1};
}

/// The camera: looking down at the mesh from the south-east at 45 degrees (a three-quarter
/// view shows relief that a top view flattens), orthographic.
struct view {
  vec3 right;
  vec3 up;
  vec3 toward_viewer;
};

view three_quarter_view() {
  vec3 toward_viewer = normalized({0.6, -0.6, 0.85});
  vec3 right = normalized(cross({0, 0, 1}, toward_viewer));
  vec3 up = cross(toward_viewer, right);
  return {right, up, toward_viewer};
}

struct screen_point {
  double x;
  double y;
  double depth;  ///< larger is nearer the viewer
};

struct canvas {
  std::uint32_t size = 0;
  std::vector<std::uint8_t> rgb;
  std::vector<double> depth;

  /// Background only, `s` pixels square (the buffers are kept from the last rendering).
  void clear(std::uint32_t s) {
    size = s;
    rgb.resize(std::size_t(s) * s * 3);
    depth.assign(std::size_t(s) * s, -std::numeric_limits<double>::infinity());
    for (std::size_t y = 0; y < s; ++y) {
      // A vertical grey gradient behind the mesh, so that a blank render is told apart.
      auto shade = static_cast<std::uint8_t>(40 + 30 * y / s);
      for (std::size_t i = y * s; i < (y + 1) * s; ++i) {
        rgb[i * 3] = rgb[i * 3 + 1] = shade;
        rgb[i * 3 + 2] = static_cast<std::uint8_t>(shade + 12);
      }
    }
  }

  void fill(const screen_point& a, const screen_point& b, const screen_point& c, const vec3& colour) {
    double area = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    if (std::abs(area) < 1e-12)
      return;
    auto lo = [&](double v) { return std::max(0, static_cast<int>(std::floor(v))); };
    auto hi = [&](double v) { return std::min(static_cast<int>(size) - 1, static_cast<int>(std::ceil(v))); };
    int x0 = lo(std::min({a.x, b.x, c.x})), x1 = hi(std::max({a.x, b.x, c.x}));
    int y0 = lo(std::min({a.y, b.y, c.y})), y1 = hi(std::max({a.y, b.y, c.y}));
    std::uint8_t pixel[3];
    for (int k = 0; k < 3; ++k)
      pixel[k] = static_cast<std::uint8_t>(std::clamp(colour[k], 0.0, 255.0));
    // The barycentric weights are linear in x: computed at each row's first pixel, then stepped
    // (no division per pixel: the thumbnails' rendering took half of their time that way).
    const double inverse_area = 1 / area;
    const double step0 = (b.y - c.y) * inverse_area, step1 = (c.y - a.y) * inverse_area;
    for (int y = y0; y <= y1; ++y) {
      const double px = x0 + 0.5, py = y + 0.5;
      double w0 = ((b.x - px) * (c.y - py) - (b.y - py) * (c.x - px)) * inverse_area;
      double w1 = ((c.x - px) * (a.y - py) - (c.y - py) * (a.x - px)) * inverse_area;
      for (int x = x0; x <= x1; ++x, w0 += step0, w1 += step1) {
        const double w2 = 1 - w0 - w1;
        if (w0 < 0 || w1 < 0 || w2 < 0)
          continue;
        const double d = w0 * a.depth + w1 * b.depth + w2 * c.depth;
        const std::size_t at = std::size_t(y) * size + std::size_t(x);
        if (d <= depth[at])
          continue;
        depth[at] = d;
        std::copy(pixel, pixel + 3, &rgb[at * 3]);
      }
    }
  }
};

/// What a rendering needs besides the mesh, kept between renderings: fresh buffers of a
/// thumbnail's size cost each one about 0.5 ms of page faults (a third of its time).
struct scratch {
  canvas picture;
  png_encoder png;
};

/// The scratch of past renderings, one per rendering at once (thumbnails run a few at once).
class scratch_shelf {
 public:
  std::unique_ptr<scratch> take() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (free_.empty())
      return std::make_unique<scratch>();
    auto s = std::move(free_.back());
    free_.pop_back();
    return s;
  }
  void give_back(std::unique_ptr<scratch> s) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(s));
  }

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<scratch>> free_;
};

scratch_shelf& shelf() {
  static scratch_shelf kept;
  return kept;
}

}  // namespace

std::string render_thumbnail_png(const mesher::triangle_mesh& mesh, const thumbnail_options& options) {
  if (mesh.triangle_count() == 0)
    throw std::invalid_argument("thumbnail: the mesh has no triangles");
  if (options.size < 16 || options.size > 4096)
    throw std::invalid_argument("thumbnail: size must be within 16..4096 (got " +
                                std::to_string(options.size) + ")");
  const view cam = three_quarter_view();
  std::vector<screen_point> projected(mesh.vertex_count());
  double min_x = std::numeric_limits<double>::infinity(), max_x = -min_x;
  double min_y = min_x, max_y = -min_x;
  for (std::size_t i = 0; i < projected.size(); ++i) {
    vec3 p{mesh.positions[i * 3], mesh.positions[i * 3 + 1], mesh.positions[i * 3 + 2]};
    projected[i] = {dot(p, cam.right), dot(p, cam.up), dot(p, cam.toward_viewer)};
    min_x = std::min(min_x, projected[i].x);
    max_x = std::max(max_x, projected[i].x);
    min_y = std::min(min_y, projected[i].y);
    max_y = std::max(max_y, projected[i].y);
  }
  // Fit the mesh into the frame with a margin, keeping its proportions; y grows downwards.
  const double margin = 0.06 * options.size;
  const double extent = std::max({max_x - min_x, max_y - min_y, 1e-9});
  const double scale = (options.size - 2 * margin) / extent;
  const double off_x = (options.size - (max_x - min_x) * scale) / 2;
  const double off_y = (options.size - (max_y - min_y) * scale) / 2;
  for (auto& p : projected) {
    p.x = off_x + (p.x - min_x) * scale;
    p.y = options.size - (off_y + (p.y - min_y) * scale);
  }

  auto borrowed = shelf().take();
  canvas& out = borrowed->picture;
  out.clear(options.size);
  const vec3 light = normalized({-0.4, -0.3, 1.0});
  for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
    std::uint32_t ia = mesh.indices[t * 3], ib = mesh.indices[t * 3 + 1], ic = mesh.indices[t * 3 + 2];
    if (ia >= projected.size() || ib >= projected.size() || ic >= projected.size())
      throw std::invalid_argument("thumbnail: triangle " + std::to_string(t) + " names a vertex past the end");
    auto vertex = [&](std::uint32_t i) {
      return vec3{mesh.positions[i * 3], mesh.positions[i * 3 + 1], mesh.positions[i * 3 + 2]};
    };
    vec3 normal = normalized(cross(sub(vertex(ib), vertex(ia)), sub(vertex(ic), vertex(ia))));
    double lambert = std::abs(dot(normal, light));
    double height = (vertex(ia)[2] + vertex(ib)[2] + vertex(ic)[2]) / 3;
    // A warm tint that brightens with height, under a Lambert term and a little ambient light.
    double base = 0.25 + 0.75 * lambert;
    vec3 colour{base * (170 + 60 * std::min(1.0, height * 4)), base * 160, base * (140 - 40 * std::min(1.0, height * 4))};
    out.fill(projected[ia], projected[ib], projected[ic], colour);
  }

  auto png = borrowed->png.encode_rgb(out.rgb.data(), options.size, options.size);
  shelf().give_back(std::move(borrowed));
  return png;
}

}  // namespace meshjobs::storage
