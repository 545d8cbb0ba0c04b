// The embedded mesher, stage by stage: read, decode, triangulate, encode, write, on one image
// (or a generated 1024x1024 sample), then the error measured against every sample.
//
//   mesher IMAGE [--max-error F] [--method rtin|martini|quadric] [--out FILE]
//   mesher --sample 1024 --seed 1 --compare      # every method at the same bound, side by side
//
// `rtin` is the mesher's own triangulate. The other two are the comparisons the issue asks for.
//
// `quadric` is meshoptimizer's edge collapse (meshopt_simplify) on the full grid. Its error
// limit is a distance relative to the mesh's extent, not a vertical error, so the bench searches
// it: halving from the vertical bound until the measured error is within the bound, then
// bisecting between the last two limits.
//
// `martini` is the comparison the issue asks for, written here from Mapbox Martini's published
// description (RTIN, "Fast terrain meshing", Evans et al.): on a (2^k+1)-square grid, each
// vertex's error is how far it lies from the middle of the hypotenuse it halves, raised to the
// largest error below it; a triangle splits while its midpoint's error is over the threshold.
// That error looks at one point per triangle, so it does not bound the whole triangle: the
// comparison reports Martini at the threshold itself (and its measured error), and at the
// largest threshold whose measured error is within the bound (found by bisection).
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <meshoptimizer.h>

#include "mesh/mesher/grid_frame.hpp"
#include "mesh/mesher/mesh_builder.hpp"
#include "mesh/mesher/mesher.hpp"
#include "mesh/mesher/sample_images.hpp"

namespace meshjobs::mesher {
namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Martini's RTIN with its midpoint error, over the field padded to 2^k + 1 samples a side.
class martini {
 public:
  explicit martini(const height_field& field) : padded_(pad(field)), size_(padded_.width - 1), error_(padded_.z.size()) {
    auto h = [&](std::int64_t c, std::int64_t r) { return double(padded_.at(std::uint32_t(c), std::uint32_t(r))); };
    for (std::int64_t s = 2; s <= size_; s *= 2) {
      const std::int64_t half = s / 2, quarter = s / 4;
      auto edge = [&](std::int64_t c, std::int64_t r, std::int64_t dc, std::int64_t dr) {
        std::int64_t mc = c + dc * half, mr = r + dr * half;
        double e = std::abs(h(mc, mr) - (h(c, r) + h(c + dc * s, r + dr * s)) / 2);
        if (quarter > 0)
          for (int side : {-1, 1})
            for (int along : {-1, 1}) {
              std::int64_t cc = mc + dr * side * quarter + dc * along * quarter;
              std::int64_t cr = mr + dc * side * quarter + dr * along * quarter;
              if (cc >= 0 && cr >= 0 && cc <= size_ && cr <= size_)
                e = std::max(e, err(cc, cr));
            }
        err(mc, mr) = e;
      };
      for (std::int64_t r = 0; r <= size_; r += s)
        for (std::int64_t c = 0; c + s <= size_; c += s) {
          edge(c, r, 1, 0);
          edge(r, c, 0, 1);
        }
      for (std::int64_t r = 0; r + s <= size_; r += s)
        for (std::int64_t c = 0; c + s <= size_; c += s) {
          bool falling = ((c / s + r / s) & 1) == 0;
          double diagonal = falling ? (h(c, r) + h(c + s, r + s)) / 2 : (h(c + s, r) + h(c, r + s)) / 2;
          double e = std::abs(h(c + half, r + half) - diagonal);
          e = std::max({e, err(c + half, r), err(c + s, r + half), err(c + half, r + s), err(c, r + half)});
          err(c + half, r + half) = e;
        }
    }
  }

  const height_field& padded() const { return padded_; }

  triangle_mesh mesh(double threshold, double height_scale) const {
    mesh_builder builder(padded_, height_scale);
    std::function<void(std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t)> emit =
        [&](std::int64_t ac, std::int64_t ar, std::int64_t bc, std::int64_t br, std::int64_t cc, std::int64_t cr) {
          std::int64_t mc = (ac + bc) / 2, mr = (ar + br) / 2;
          if ((bc - ac) % 2 == 0 && (br - ar) % 2 == 0 && error_[std::size_t(mr) * (size_ + 1) + mc] > threshold) {
            emit(ac, ar, cc, cr, mc, mr);
            emit(cc, cr, bc, br, mc, mr);
            return;
          }
          auto v = [&](std::int64_t c, std::int64_t r) { return builder.sample_vertex(std::uint32_t(c), std::uint32_t(r)); };
          builder.triangle(v(ac, ar), v(bc, br), v(cc, cr));
        };
    emit(0, 0, size_, size_, size_, 0);
    emit(0, 0, size_, size_, 0, size_);
    return builder.take();
  }

 private:
  static height_field pad(const height_field& field) {
    std::uint32_t size = 1;
    while (size + 1 < std::max(field.width, field.height))
      size *= 2;
    height_field padded;
    padded.width = padded.height = size + 1;
    padded.z.resize(std::size_t(size + 1) * (size + 1));
    for (std::uint32_t r = 0; r <= size; ++r)
      for (std::uint32_t c = 0; c <= size; ++c)
        padded.z[std::size_t(r) * (size + 1) + c] = field.at(std::min(c, field.width - 1), std::min(r, field.height - 1));
    return padded;
  }
  double& err(std::int64_t c, std::int64_t r) { return error_[std::size_t(r) * (size_ + 1) + c]; }

  height_field padded_;
  std::int64_t size_;
  std::vector<double> error_;
};

struct result {
  triangle_mesh mesh;
  double max_error;
};

/// Martini at the largest threshold (in fractions of the range) whose measured error is within
/// `bound`, by bisection.
result martini_within(const martini& rtin, double bound, const mesh_options& options, double range) {
  double low = 0, high = bound;
  result best{rtin.mesh(0, options.height_scale), 0};
  for (int step = 0; step < 14; ++step) {
    double middle = (low + high) / 2;
    triangle_mesh mesh = rtin.mesh(middle * range, options.height_scale);
    double error = max_vertical_error(rtin.padded(), mesh, options);
    if (error <= bound) {
      best = {std::move(mesh), error};
      low = middle;
    } else {
      high = middle;
    }
  }
  return best;
}

result simplified_grid(const triangle_mesh& grid, const height_field& field, float limit, const mesh_options& options) {
  triangle_mesh mesh;
  mesh.positions = grid.positions;
  mesh.indices.resize(grid.indices.size());
  mesh.indices.resize(meshopt_simplify(mesh.indices.data(), grid.indices.data(), grid.indices.size(),
                                       grid.positions.data(), grid.vertex_count(), sizeof(float) * 3, 0, limit));
  std::vector<std::uint32_t> remap(grid.vertex_count());
  std::size_t used = meshopt_optimizeVertexFetchRemap(remap.data(), mesh.indices.data(), mesh.indices.size(),
                                                      grid.vertex_count());
  meshopt_remapIndexBuffer(mesh.indices.data(), mesh.indices.data(), mesh.indices.size(), remap.data());
  meshopt_remapVertexBuffer(mesh.positions.data(), grid.positions.data(), grid.vertex_count(), sizeof(float) * 3,
                            remap.data());
  mesh.positions.resize(used * 3);
  double error = mesh.triangle_count() > 0 ? max_vertical_error(field, mesh, options)
                                            : std::numeric_limits<double>::infinity();
  return {std::move(mesh), error};
}

result quadric_within(const height_field& field, const mesh_options& options) {
  const triangle_mesh grid = full_grid_mesh(field, options.height_scale);
  const double bound = options.detail_factor;
  double failing = bound * range_of(field).error_scale() * options.height_scale * 2, passing = 0;
  result best{grid, 0};
  for (int step = 0; step < 12 && passing == 0; ++step) {
    result attempt = simplified_grid(grid, field, static_cast<float>(failing / 2), options);
    std::printf("  quadric limit %.6g: tris=%zu max_error=%.5f\n", failing / 2, attempt.mesh.triangle_count(),
                attempt.max_error);
    if (attempt.max_error <= bound) {
      passing = failing / 2;
      best = std::move(attempt);
    } else {
      failing /= 2;
    }
  }
  for (int step = 0; step < 4 && passing > 0; ++step) {
    double middle = (passing + failing) / 2;
    result attempt = simplified_grid(grid, field, static_cast<float>(middle), options);
    std::printf("  quadric limit %.6g: tris=%zu max_error=%.5f\n", middle, attempt.mesh.triangle_count(),
                attempt.max_error);
    if (attempt.max_error <= bound) {
      passing = middle;
      best = std::move(attempt);
    } else {
      failing = middle;
    }
  }
  return best;
}

int compare(const height_field& field, const mesh_options& options) {
  const double range = range_of(field).error_scale();
  auto report = [&](const char* what, const triangle_mesh& mesh, double error, double seconds) {
    std::printf("%-44s tris=%-8zu verts=%-8zu max_error=%.5f  %.3f s\n", what, mesh.triangle_count(),
                mesh.vertex_count(), error, seconds);
  };
  auto start = std::chrono::steady_clock::now();
  triangle_mesh own = triangulate(field, options);
  report("rtin (this mesher, exact bound)", own, max_vertical_error(field, own, options), seconds_since(start));

  martini rtin(field);
  triangle_mesh at_threshold = rtin.mesh(options.detail_factor * range, options.height_scale);
  double seconds = seconds_since(start);
  report("martini, midpoint error <= bound", at_threshold, max_vertical_error(rtin.padded(), at_threshold, options),
         seconds);
  result within = martini_within(rtin, options.detail_factor, options, range);
  report("martini, threshold bisected to measured <= bound", within.mesh, within.max_error, 0);
  start = std::chrono::steady_clock::now();
  result quadric = quadric_within(field, options);
  report("quadric (meshopt_simplify on the full grid)", quadric.mesh, quadric.max_error, seconds_since(start));
  return 0;
}

}  // namespace
}  // namespace meshjobs::mesher

int main(int argc, char** argv) {
  using namespace meshjobs::mesher;
  CLI::App app{"The embedded mesher, stage by stage"};
  std::string image, out = (std::filesystem::temp_directory_path() / "mesher-bench.glb").string(), method = "rtin";
  std::uint32_t sample = 1024, seed = 1;
  double max_error = 0.005;
  bool side_by_side = false;
  app.add_option("image", image, "the image (PNG, JPEG, BMP, PGM); none: a generated sample");
  app.add_option("--max-error", max_error, "largest vertical error, a fraction of the height range")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--method", method, "rtin, martini or quadric")->check(CLI::IsMember({"rtin", "quadric", "martini"}));
  app.add_option("--sample", sample, "side of the generated sample image")->check(CLI::Range(2, 8192));
  app.add_option("--seed", seed, "seed of the generated sample image");
  app.add_option("--out", out, "where the .glb goes");
  app.add_flag("--compare", side_by_side, "every method at the same bound, and Martini");
  CLI11_PARSE(app, argc, argv);

  std::string bytes;
  std::string name = image;
  if (image.empty()) {
    auto start = std::chrono::steady_clock::now();
    bytes = make_sample_png(sample, sample, seed);
    name = "sample " + std::to_string(sample) + "x" + std::to_string(sample) + " seed " + std::to_string(seed);
    std::printf("generate  %.4f s (not counted)\n", seconds_since(start));
  }
  mesh_options options;
  options.detail_factor = max_error;
  try {
    auto start = std::chrono::steady_clock::now();
    if (!image.empty()) {
      std::ifstream in(image, std::ios::binary);
      if (!in)
        throw std::runtime_error(image + ": cannot open");
      bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    double read_s = seconds_since(start);
    auto stage = std::chrono::steady_clock::now();
    height_field field = decode_height_field(bytes, image_limits{}, name);
    double decode_s = seconds_since(stage);
    if (side_by_side)
      return compare(field, options);

    stage = std::chrono::steady_clock::now();
    triangle_mesh mesh;
    const height_field* measured_on = &field;
    std::unique_ptr<martini> rtin;
    if (method == "martini") {
      rtin = std::make_unique<martini>(field);
      mesh = rtin->mesh(max_error * range_of(field).error_scale(), options.height_scale);
      measured_on = &rtin->padded();
    } else if (method == "quadric") {
      mesh = quadric_within(field, options).mesh;
    } else {
      mesh = triangulate(field, options);
    }
    double triangulate_s = seconds_since(stage);
    stage = std::chrono::steady_clock::now();
    std::string glb = encode_glb(mesh);
    double encode_s = seconds_since(stage);
    stage = std::chrono::steady_clock::now();
    {
      std::ofstream file(out, std::ios::binary | std::ios::trunc);
      file.write(glb.data(), static_cast<std::streamsize>(glb.size()));
      if (!file.flush())
        throw std::runtime_error(out + ": cannot write");
    }
    double write_s = seconds_since(stage);
    double total_s = seconds_since(start);
    stage = std::chrono::steady_clock::now();
    double error = max_vertical_error(*measured_on, mesh, options);
    double measure_s = seconds_since(stage);

    std::printf("method %s, bound %.4f of the height range, %s (%zu bytes)\n", method.c_str(), max_error, name.c_str(),
                bytes.size());
    std::printf("read        %.4f s\ndecode      %.4f s\ntriangulate %.4f s\nencode      %.4f s (%zu bytes)\n"
                "write       %.4f s (%s)\nmeasure     %.4f s (not counted)\n",
                read_s, decode_s, triangulate_s, encode_s, glb.size(), write_s, out.c_str(), measure_s);
    std::printf("mesher size=%ux%u tris=%zu verts=%zu max_error=%.6f total_s=%.4f\n", field.width, field.height,
                mesh.triangle_count(), mesh.vertex_count(), error, total_s);
  } catch (const mesher_error& e) {
    std::fprintf(stderr, "mesher: %s (%s)\n", e.what(), e.kind().c_str());
    return 1;
  }
  return 0;
}
