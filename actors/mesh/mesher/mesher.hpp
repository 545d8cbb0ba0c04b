// The embedded mesher: an image becomes a simplified height-field mesh. Pure CPU work with no
// actor or runtime in it: callers run it on the bounded worker pool, never on a CAF thread.
//
//   auto field = meshjobs::mesher::decode_height_field(bytes, limits, "cat.png");
//   auto mesh  = meshjobs::mesher::triangulate(field, {0.005, 0.25});
//   std::string glb = meshjobs::mesher::encode_glb(mesh);
//
// `detail_factor` (the seed's parameter) is the largest vertical error the simplified mesh may
// have, as a fraction of the height range: 0.02 (the seed's example) allows 2 %.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace meshjobs::mesher {

/// A refused or broken input; kind() is `bad_image` (corrupt, truncated, unknown format, under
/// 2×2 pixels), `image_too_large` (over a limit) or `bad_mesh` (a .glb that decode_glb cannot
/// read); what() names the input and the reason.
class mesher_error : public std::runtime_error {
 public:
  mesher_error(std::string kind, const std::string& message)
    : std::runtime_error(message), kind_(std::move(kind)) {}
  const std::string& kind() const { return kind_; }

 private:
  std::string kind_;
};

struct image_limits {
  std::size_t max_bytes = 64u << 20;
  std::uint64_t max_pixels = 4096ull * 4096ull;
};

/// Luminance in [0, 1], row-major, `width` × `height`.
struct height_field {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<float> z;
  float at(std::uint32_t x, std::uint32_t y) const { return z[std::size_t(y) * width + x]; }
};

/// x and y span [0, 1] along the longer side (the image's aspect kept), z = height × height_scale.
struct triangle_mesh {
  std::vector<float> positions;       ///< x, y, z per vertex
  std::vector<std::uint32_t> indices; ///< three per triangle, counter-clockwise seen from +z
  std::size_t vertex_count() const { return positions.size() / 3; }
  std::size_t triangle_count() const { return indices.size() / 3; }
};

struct mesh_options {
  double detail_factor = 0.02;  ///< largest vertical error, a fraction of the height range
  double height_scale = 0.25;   ///< z of the brightest pixel, in units of the longer side
};

/// Decodes PNG, JPEG, BMP or PGM/PPM from memory (8 or 16 bits, grey or colour; colour becomes
/// Rec. 709 luma). `name` only serves the error messages.
height_field decode_height_field(std::string_view bytes, const image_limits& limits,
                                 const std::string& name);

/// A right-triangulated irregular network (mesh/mesher/rtin.hpp) whose every triangle is within
/// the bound at every sample it covers. A field whose samples all lie within the bound of two
/// triangles (a flat or planar image) gives those two. Throws std::invalid_argument for a field
/// under 2×2 samples, a detail_factor outside [0, 1] or a height_scale that is not positive.
triangle_mesh triangulate(const height_field& field, const mesh_options& options);

/// The largest vertical distance between the mesh and the field's samples, as a fraction of
/// the field's height range (what detail_factor bounds); of 1 when the field is flat. Every
/// sample is measured on the triangle that covers it; a sample no triangle covers makes the
/// error infinite. Vertices within 1/1000 of a sample's position count as on it (positions
/// are floats).
double max_vertical_error(const height_field& field, const triangle_mesh& mesh,
                          const mesh_options& options);

std::string encode_glb(const triangle_mesh& mesh);
std::string encode_obj(const triangle_mesh& mesh);
std::string encode_ply(const triangle_mesh& mesh);
/// Reads back a binary glTF this mesher wrote (positions and indices); mesher_error of kind
/// `bad_mesh` otherwise. encode_glb throws std::invalid_argument for a mesh without triangles.
triangle_mesh decode_glb(std::string_view bytes, const std::string& name);

}  // namespace meshjobs::mesher
