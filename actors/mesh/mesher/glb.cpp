// Binary glTF 2.0: a 12-byte header, a JSON chunk describing one mesh, a BIN chunk holding its
// positions (float VEC3) and then its indices (uint32). The mesh is z-up and glTF is y-up, so
// the node turns it a quarter about x instead of the positions changing: decode_glb reads back
// exactly what encode_glb was given.
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "mesh/mesher/mesher.hpp"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "glTF is little-endian; this writes memory as it is");

namespace meshjobs::mesher {
namespace {

constexpr std::uint32_t glb_magic = 0x46546C67;  // "glTF"
constexpr std::uint32_t json_chunk = 0x4E4F534A;  // "JSON"
constexpr std::uint32_t bin_chunk = 0x004E4942;   // "BIN\0"
constexpr int float_component = 5126, uint_component = 5125, ushort_component = 5123, ubyte_component = 5121;
constexpr int array_buffer = 34962, element_array_buffer = 34963, triangles = 4;

void append_u32(std::string& out, std::uint32_t value) { out.append(reinterpret_cast<const char*>(&value), 4); }

std::uint32_t read_u32(std::string_view bytes, std::size_t at) {
  std::uint32_t value;
  std::memcpy(&value, bytes.data() + at, 4);
  return value;
}

nlohmann::json describe(const triangle_mesh& mesh) {
  float low[3], high[3];
  for (int k = 0; k < 3; ++k) {
    low[k] = std::numeric_limits<float>::infinity();
    high[k] = -low[k];
  }
  for (std::size_t v = 0; v < mesh.vertex_count(); ++v)
    for (int k = 0; k < 3; ++k) {
      low[k] = std::min(low[k], mesh.positions[v * 3 + k]);
      high[k] = std::max(high[k], mesh.positions[v * 3 + k]);
    }
  const std::size_t position_bytes = mesh.positions.size() * sizeof(float);
  const std::size_t index_bytes = mesh.indices.size() * sizeof(std::uint32_t);
  const double half_sqrt2 = 0.7071067811865476;
  return {
      {"asset", {{"version", "2.0"}, {"generator", "meshjobs embedded mesher"}}},
      {"scene", 0},
      {"scenes", {{{"nodes", {0}}}}},
      {"nodes", {{{"mesh", 0}, {"rotation", {-half_sqrt2, 0.0, 0.0, half_sqrt2}}}}},
      {"meshes", {{{"primitives", {{{"attributes", {{"POSITION", 0}}}, {"indices", 1}, {"mode", triangles}}}}}}},
      {"accessors",
       {{{"bufferView", 0}, {"componentType", float_component}, {"count", mesh.vertex_count()}, {"type", "VEC3"},
         {"min", {low[0], low[1], low[2]}}, {"max", {high[0], high[1], high[2]}}},
        {{"bufferView", 1}, {"componentType", uint_component}, {"count", mesh.indices.size()}, {"type", "SCALAR"}}}},
      {"bufferViews",
       {{{"buffer", 0}, {"byteOffset", 0}, {"byteLength", position_bytes}, {"target", array_buffer}},
        {{"buffer", 0}, {"byteOffset", position_bytes}, {"byteLength", index_bytes}, {"target", element_array_buffer}}}},
      {"buffers", {{{"byteLength", position_bytes + index_bytes}}}},
  };
}

[[noreturn]] void refuse(const std::string& name, const std::string& reason) {
  throw mesher_error("bad_mesh", name + ": " + reason);
}

/// One accessor's elements inside the BIN chunk, bounds checked.
struct accessor_data {
  const char* first;
  std::size_t count;
  std::size_t stride;
  int component;
};

accessor_data locate(const nlohmann::json& gltf, std::string_view bin, std::size_t accessor_index,
                     const char* expected_type, const std::string& name) {
  const auto& accessor = gltf.at("accessors").at(accessor_index);
  const std::string what = "accessor " + std::to_string(accessor_index);
  if (accessor.at("type").get<std::string>() != expected_type)
    refuse(name, what + " is not of type " + expected_type);
  const int component = accessor.at("componentType").get<int>();
  std::size_t component_size = component == float_component || component == uint_component ? 4
                               : component == ushort_component                              ? 2
                               : component == ubyte_component                               ? 1
                                                                                            : 0;
  if (component_size == 0 || (std::string_view(expected_type) == "VEC3") != (component == float_component))
    refuse(name, what + " has component type " + std::to_string(component) + ", not one this mesher writes");
  const std::size_t components = std::string_view(expected_type) == "VEC3" ? 3 : 1;
  const auto& view = gltf.at("bufferViews").at(accessor.at("bufferView").get<std::size_t>());
  if (view.at("buffer").get<std::size_t>() != 0)
    refuse(name, what + " is not in the binary chunk");
  const std::size_t view_offset = view.value("byteOffset", std::size_t(0));
  const std::size_t view_length = view.at("byteLength").get<std::size_t>();
  const std::size_t offset = accessor.value("byteOffset", std::size_t(0));
  const std::size_t count = accessor.at("count").get<std::size_t>();
  const std::size_t element = component_size * components;
  const std::size_t stride = view.value("byteStride", element);
  constexpr std::size_t largest_stride = 252;  // glTF's own bound
  if (view_offset > bin.size() || view_length > bin.size() - view_offset)
    refuse(name, "buffer view of " + what + " reaches past the binary chunk");
  if (stride < element || stride > largest_stride)
    refuse(name, what + " has a byte stride of " + std::to_string(stride));
  if (count > 0 && (count > view_length || offset > view_length ||
                    offset + (count - 1) * stride + element > view_length))
    refuse(name, what + " reaches past its buffer view");
  if ((view_offset + offset) % component_size != 0)
    refuse(name, what + " is not aligned to its component size");
  return {bin.data() + view_offset + offset, count, stride, component};
}

triangle_mesh read_mesh(const nlohmann::json& gltf, std::string_view bin, const std::string& name) {
  const auto& primitive = gltf.at("meshes").at(0).at("primitives").at(0);
  if (primitive.value("mode", triangles) != triangles)
    refuse(name, "the primitive is not a triangle list");
  if (!primitive.contains("indices"))
    refuse(name, "the primitive has no indices");
  accessor_data positions =
      locate(gltf, bin, primitive.at("attributes").at("POSITION").get<std::size_t>(), "VEC3", name);
  accessor_data indices = locate(gltf, bin, primitive.at("indices").get<std::size_t>(), "SCALAR", name);
  if (indices.count % 3 != 0)
    refuse(name, std::to_string(indices.count) + " indices do not make whole triangles");
  triangle_mesh mesh;
  mesh.positions.resize(positions.count * 3);
  for (std::size_t v = 0; v < positions.count; ++v)
    std::memcpy(&mesh.positions[v * 3], positions.first + v * positions.stride, 3 * sizeof(float));
  mesh.indices.resize(indices.count);
  for (std::size_t i = 0; i < indices.count; ++i) {
    const char* at = indices.first + i * indices.stride;
    std::uint32_t index = 0;
    if (indices.component == uint_component)
      std::memcpy(&index, at, 4);
    else if (indices.component == ushort_component)
      index = std::uint32_t(static_cast<unsigned char>(at[0])) | std::uint32_t(static_cast<unsigned char>(at[1])) << 8;
    else
      index = static_cast<unsigned char>(at[0]);
    if (index >= positions.count)
      refuse(name, "index " + std::to_string(i) + " names vertex " + std::to_string(index) + " of " +
                       std::to_string(positions.count));
    mesh.indices[i] = index;
  }
  return mesh;
}

}  // namespace

std::string encode_glb(const triangle_mesh& mesh) {
  if (mesh.triangle_count() == 0)
    throw std::invalid_argument("encode_glb: the mesh has no triangles");
  std::string json = describe(mesh).dump();
  json.append((4 - json.size() % 4) % 4, ' ');
  const std::size_t bin_length = (mesh.positions.size() + mesh.indices.size()) * 4;
  std::string out;
  out.reserve(12 + 8 + json.size() + 8 + bin_length);
  append_u32(out, glb_magic);
  append_u32(out, 2);
  append_u32(out, static_cast<std::uint32_t>(12 + 8 + json.size() + 8 + bin_length));
  append_u32(out, static_cast<std::uint32_t>(json.size()));
  append_u32(out, json_chunk);
  out += json;
  append_u32(out, static_cast<std::uint32_t>(bin_length));
  append_u32(out, bin_chunk);
  out.append(reinterpret_cast<const char*>(mesh.positions.data()), mesh.positions.size() * 4);
  out.append(reinterpret_cast<const char*>(mesh.indices.data()), mesh.indices.size() * 4);
  return out;
}

triangle_mesh decode_glb(std::string_view bytes, const std::string& name) {
  if (bytes.size() < 20 || read_u32(bytes, 0) != glb_magic)
    refuse(name, "not a binary glTF (no glTF header)");
  if (read_u32(bytes, 4) != 2)
    refuse(name, "glTF version " + std::to_string(read_u32(bytes, 4)) + ", not 2");
  if (read_u32(bytes, 8) != bytes.size())
    refuse(name, "truncated glTF (" + std::to_string(bytes.size()) + " bytes of the " +
                     std::to_string(read_u32(bytes, 8)) + " its header announces)");
  const std::size_t json_length = read_u32(bytes, 12);
  if (read_u32(bytes, 16) != json_chunk || json_length > bytes.size() - 20)
    refuse(name, "the first chunk is not a whole JSON chunk");
  const std::size_t bin_header = 20 + json_length;
  if (bytes.size() < bin_header + 8 || read_u32(bytes, bin_header + 4) != bin_chunk ||
      read_u32(bytes, bin_header) > bytes.size() - bin_header - 8)
    refuse(name, "no whole binary chunk after the JSON");
  std::string_view bin = bytes.substr(bin_header + 8, read_u32(bytes, bin_header));
  auto gltf = nlohmann::json::parse(bytes.substr(20, json_length), nullptr, false);
  if (gltf.is_discarded() || !gltf.is_object())
    refuse(name, "the JSON chunk is not a JSON object");
  try {
    return read_mesh(gltf, bin, name);
  } catch (const nlohmann::json::exception& e) {
    refuse(name, std::string("the JSON chunk does not describe a mesh (") + e.what() + ")");
  }
}

}  // namespace meshjobs::mesher
