// The two text-friendly exchange formats, on request: Wavefront OBJ (text) and PLY
// (binary little-endian: a quarter of the size of its ASCII form, and exact).
#include <charconv>
#include <cstdint>
#include <string>

#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {
namespace {

template <class Number>
void append_number(std::string& out, Number value) {
  char text[32];
  auto result = std::to_chars(text, text + sizeof text, value);
  out.append(text, result.ptr);
}

template <class Number>
void append_binary(std::string& out, Number value) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "PLY here is little-endian; this writes memory as it is");
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

}  // namespace

std::string encode_obj(const triangle_mesh& mesh) {
  std::string out = "# meshjobs embedded mesher: " + std::to_string(mesh.vertex_count()) + " vertices, " +
                    std::to_string(mesh.triangle_count()) + " triangles\n";
  out.reserve(out.size() + mesh.vertex_count() * 40 + mesh.triangle_count() * 24);
  for (std::size_t v = 0; v < mesh.vertex_count(); ++v) {
    out += "v";
    for (int k = 0; k < 3; ++k) {
      out += ' ';
      append_number(out, mesh.positions[v * 3 + k]);
    }
    out += '\n';
  }
  for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
    out += "f";
    for (int k = 0; k < 3; ++k) {
      out += ' ';
      append_number(out, mesh.indices[t * 3 + k] + 1);  // OBJ counts from 1
    }
    out += '\n';
  }
  return out;
}

std::string encode_ply(const triangle_mesh& mesh) {
  std::string out = "ply\nformat binary_little_endian 1.0\ncomment meshjobs embedded mesher\nelement vertex " +
                    std::to_string(mesh.vertex_count()) +
                    "\nproperty float x\nproperty float y\nproperty float z\nelement face " +
                    std::to_string(mesh.triangle_count()) + "\nproperty list uchar uint vertex_indices\nend_header\n";
  out.reserve(out.size() + mesh.positions.size() * 4 + mesh.triangle_count() * 13);
  for (float coordinate : mesh.positions)
    append_binary(out, coordinate);
  for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
    append_binary(out, std::uint8_t(3));
    for (int k = 0; k < 3; ++k)
      append_binary(out, mesh.indices[t * 3 + k]);
  }
  return out;
}

}  // namespace meshjobs::mesher
