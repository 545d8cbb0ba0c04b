// The embedded mesher on real image bytes (encoded here with stb_image_write, or by hand for
// PGM): decoding and its refusals, the simplified mesh and its error bound, and every output
// format read back by an independent reader (tinygltf for .glb, parsers here for OBJ and PLY).
#include <gtest/gtest.h>

#define TINYGLTF_IMPLEMENTATION
#define TINYGLTF_NO_STB_IMAGE
#define TINYGLTF_NO_STB_IMAGE_WRITE
#define TINYGLTF_NO_EXTERNAL_IMAGE
#include <tiny_gltf.h>

#include <stb_image_write.h>

#include <cmath>
#include <cstring>
#include <map>
#include <sstream>
#include <utility>

#include "mesh/mesher/mesher.hpp"
#include "mesh/mesher/sample_images.hpp"

namespace meshjobs::mesher {
namespace {

void append_bytes(void* context, void* data, int size) {
  static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
}

std::string png_of(int width, int height, int channels, const std::vector<std::uint8_t>& pixels) {
  std::string out;
  stbi_write_png_to_func(append_bytes, &out, width, height, channels, pixels.data(), width * channels);
  return out;
}
std::string jpeg_of(int width, int height, const std::vector<std::uint8_t>& grey) {
  std::string out;
  stbi_write_jpg_to_func(append_bytes, &out, width, height, 1, grey.data(), 95);
  return out;
}
std::string bmp_of(int width, int height, const std::vector<std::uint8_t>& rgb) {
  std::string out;
  stbi_write_bmp_to_func(append_bytes, &out, width, height, 3, rgb.data());
  return out;
}
std::string pgm16_of(int width, int height, const std::vector<std::uint16_t>& grey, int max_value = 65535) {
  std::string out = "P5\n# a comment\n" + std::to_string(width) + " " + std::to_string(height) + "\n" +
                    std::to_string(max_value) + "\n";
  for (std::uint16_t v : grey) {
    out += static_cast<char>(v >> 8);
    out += static_cast<char>(v & 0xFF);
  }
  return out;
}

/// A grey ramp with some texture, so that every format has something to decode.
std::vector<std::uint8_t> ramp(int width, int height) {
  std::vector<std::uint8_t> grey(std::size_t(width) * height);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      grey[std::size_t(y) * width + x] = static_cast<std::uint8_t>((x * 7 + y * 3) % 256);
  return grey;
}

height_field field_of(std::uint32_t width, std::uint32_t height, float (*at)(std::uint32_t, std::uint32_t)) {
  height_field field{width, height, std::vector<float>(std::size_t(width) * height)};
  for (std::uint32_t y = 0; y < height; ++y)
    for (std::uint32_t x = 0; x < width; ++x)
      field.z[std::size_t(y) * width + x] = at(x, y);
  return field;
}

height_field sample_field(std::uint32_t width, std::uint32_t height, std::uint32_t seed) {
  return decode_height_field(make_sample_png(width, height, seed), image_limits{}, "sample");
}

/// Expects a mesher_error of `kind` whose message names `name`; returns the message.
template <class Call>
std::string refusal(Call call, const std::string& kind, const std::string& name) {
  try {
    call();
  } catch (const mesher_error& e) {
    EXPECT_EQ(e.kind(), kind) << e.what();
    EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no mesher_error of kind " << kind;
  return {};
}

std::string decode_refusal(const std::string& bytes, const std::string& kind, const image_limits& limits = {}) {
  return refusal([&] { decode_height_field(bytes, limits, "input-7.img"); }, kind, "input-7.img");
}

// ---- decoding ----

TEST(MesherDecode, GreyPngBecomesAFieldOfItsSizeWithLuminanceFromZeroToOne) {
  auto field = decode_height_field(png_of(3, 2, 1, {0, 255, 51, 102, 204, 153}), {}, "grey.png");
  ASSERT_EQ(field.width, 3u);
  ASSERT_EQ(field.height, 2u);
  EXPECT_FLOAT_EQ(field.at(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(field.at(1, 0), 1.0f);
  EXPECT_FLOAT_EQ(field.at(2, 0), 0.2f);
  EXPECT_FLOAT_EQ(field.at(0, 1), 0.4f);
  EXPECT_FLOAT_EQ(field.at(2, 1), 0.6f);
}

TEST(MesherDecode, ColourBecomesRec709LumaAndAlphaIsIgnored) {
  auto field = decode_height_field(png_of(2, 2, 4, {255, 0, 0, 0, 0, 255, 0, 10, 0, 0, 255, 255, 255, 255, 255, 0}),
                                   {}, "rgba.png");
  EXPECT_NEAR(field.at(0, 0), 0.2126, 1e-6);
  EXPECT_NEAR(field.at(1, 0), 0.7152, 1e-6);
  EXPECT_NEAR(field.at(0, 1), 0.0722, 1e-6);
  EXPECT_NEAR(field.at(1, 1), 1.0, 1e-6);
}

TEST(MesherDecode, JpegBmpAndSixteenBitPgmDecodeToTheirSizeAndValues) {
  auto grey = ramp(40, 30);
  auto jpeg = decode_height_field(jpeg_of(40, 30, grey), {}, "ramp.jpg");
  EXPECT_EQ(jpeg.width, 40u);
  EXPECT_EQ(jpeg.height, 30u);
  EXPECT_NEAR(jpeg.at(20, 10), grey[10 * 40 + 20] / 255.0, 0.05) << "JPEG is lossy, but close";

  std::vector<std::uint8_t> rgb(std::size_t(5) * 4 * 3, 0);
  rgb[(2 * 5 + 3) * 3 + 1] = 255;  // a green pixel at (3, 2)
  auto bmp = decode_height_field(bmp_of(5, 4, rgb), {}, "dot.bmp");
  EXPECT_EQ(bmp.width, 5u);
  EXPECT_EQ(bmp.height, 4u);
  EXPECT_NEAR(bmp.at(3, 2), 0.7152, 1e-6);
  EXPECT_EQ(bmp.at(2, 2), 0.0f);

  auto pgm = decode_height_field(pgm16_of(2, 2, {0, 1, 65534, 65535}), {}, "fine.pgm");
  EXPECT_EQ(pgm.width, 2u);
  EXPECT_FLOAT_EQ(pgm.at(1, 0), 1.0f / 65535) << "sixteen bits keep their precision";
  EXPECT_FLOAT_EQ(pgm.at(0, 1), 65534.0f / 65535);
  auto ten_bits = decode_height_field(pgm16_of(2, 2, {0, 1023, 512, 1}, 1023), {}, "ten.pgm");
  EXPECT_FLOAT_EQ(ten_bits.at(1, 0), 1.0f) << "samples scale by the header's maximum value";
  EXPECT_FLOAT_EQ(ten_bits.at(0, 1), 512.0f / 1023);
}

TEST(MesherDecode, EmptyUnknownAndTooSmallImagesAreBadImages) {
  EXPECT_NE(decode_refusal("", "bad_image").find("empty"), std::string::npos);
  EXPECT_NE(decode_refusal("GIF89a\x01\x00\x01\x00", "bad_image").find("unknown image format"), std::string::npos);
  EXPECT_NE(decode_refusal("just some text, not an image", "bad_image").find("unknown image format"),
            std::string::npos);
  EXPECT_NE(decode_refusal(png_of(1, 1, 1, {7}), "bad_image").find("at least 2x2"), std::string::npos);
}

TEST(MesherDecode, CorruptImagesAreBadImagesNamingTheFormat) {
  std::string png = png_of(16, 16, 1, ramp(16, 16));
  std::string broken_header = png;
  std::memcpy(&broken_header[12], "JUNK", 4);  // IHDR's chunk type
  EXPECT_NE(decode_refusal(broken_header, "bad_image").find("PNG"), std::string::npos);
  std::string broken_pixels = png;
  for (std::size_t i = 41; i < broken_pixels.size() - 12; ++i)
    broken_pixels[i] = static_cast<char>(0xA5 ^ i);  // the compressed pixels, past IHDR and IDAT's header
  decode_refusal(broken_pixels, "bad_image");
  std::string jpeg = jpeg_of(16, 16, ramp(16, 16));
  decode_refusal(jpeg.substr(0, 3) + std::string(200, '\x11'), "bad_image");
}

TEST(MesherDecode, TruncatedImagesOfEveryFormatAreBadImages) {
  auto grey = ramp(64, 48);
  std::vector<std::uint8_t> rgb;
  for (auto g : grey)
    rgb.insert(rgb.end(), {g, g, g});
  std::vector<std::uint16_t> wide(grey.begin(), grey.end());
  const std::pair<const char*, std::string> images[] = {
      {"PNG", png_of(64, 48, 1, grey)}, {"JPEG", jpeg_of(64, 48, grey)}, {"BMP", bmp_of(64, 48, rgb)},
      {"PGM", pgm16_of(64, 48, wide)}};
  for (const auto& [format, bytes] : images) {
    ASSERT_NO_THROW(decode_height_field(bytes, {}, format)) << format;
    std::string message = decode_refusal(bytes.substr(0, bytes.size() * 2 / 3), "bad_image");
    EXPECT_TRUE(message.find("truncated") != std::string::npos || message.find("corrupt") != std::string::npos)
        << format << ": " << message;
  }
}

TEST(MesherDecode, MoreBytesThanTheLimitIsImageTooLargeBeforeAnyDecoding) {
  image_limits limits;
  limits.max_bytes = 100;
  std::string message = decode_refusal(std::string(101, 'x'), "image_too_large", limits);
  EXPECT_NE(message.find("101 bytes"), std::string::npos) << message;
  EXPECT_NE(message.find("limit of 100 bytes"), std::string::npos) << message;
}

TEST(MesherDecode, MorePixelsThanTheLimitIsImageTooLargeFromTheHeaderAlone) {
  // Claim a huge size in IHDR: the pixels that would follow are never there, so only a check
  // of the header before decoding can say "too large" rather than "corrupt". 20000x20000 is
  // within what stb reads the header of; 100000x100000 is past it.
  for (auto [claim, text] : {std::pair{"\x00\x00\x4e\x20\x00\x00\x4e\x20", "20000x20000"},
                             {"\x00\x01\x86\xa0\x00\x01\x86\xa0", "100000x100000"}}) {
    std::string png = png_of(16, 16, 1, ramp(16, 16));
    std::memcpy(&png[16], claim, 8);
    std::string message = decode_refusal(png, "image_too_large");
    EXPECT_NE(message.find(text), std::string::npos) << message;
  }

  image_limits limits;
  limits.max_pixels = 255;
  decode_refusal(png_of(16, 16, 1, ramp(16, 16)), "image_too_large", limits);
  EXPECT_NO_THROW(decode_height_field(png_of(16, 16, 1, ramp(16, 16)), image_limits{1000, 256}, "exactly.png"));
}

// ---- triangulation and its error ----

float checkerboard(std::uint32_t x, std::uint32_t y) { return (x + y) % 2 ? 1.0f : 0.0f; }

TEST(MesherTriangulate, AFieldWithNoFlatPartGivesTheFullGridOfItsSize) {
  // On a checkerboard every sample is off the line through its neighbours: nothing can go.
  for (auto [width, height] : {std::pair{7u, 5u}, {33u, 17u}, {64u, 64u}, {2u, 9u}}) {
    auto field = field_of(width, height, checkerboard);
    auto mesh = triangulate(field, {0.5, 0.25});
    EXPECT_EQ(mesh.vertex_count(), std::size_t(width) * height) << width << "x" << height;
    EXPECT_EQ(mesh.triangle_count(), 2 * std::size_t(width - 1) * (height - 1)) << width << "x" << height;
    EXPECT_EQ(max_vertical_error(field, mesh, {0.5, 0.25}), 0.0);
  }
}

TEST(MesherTriangulate, FlatAndPlanarImagesGiveTwoTriangles) {
  auto flat = field_of(100, 37, [](std::uint32_t, std::uint32_t) { return 0.5f; });
  auto slope = field_of(64, 80, [](std::uint32_t x, std::uint32_t y) { return 0.001f * x + 0.002f * y; });
  // A bound of 0 keeps the flat field whole; the slope's float samples are planar to 1e-7.
  for (auto [field, bound] : {std::pair{&flat, 0.0}, {&slope, 1e-4}}) {
    auto mesh = triangulate(*field, {bound, 0.25});
    EXPECT_EQ(mesh.triangle_count(), 2u);
    EXPECT_EQ(mesh.vertex_count(), 4u);
    EXPECT_LE(max_vertical_error(*field, mesh, {bound, 0.25}), bound);
  }
}

TEST(MesherTriangulate, TriangleCountFallsAsDetailFactorGrows) {
  auto field = sample_field(128, 96, 3);
  std::size_t previous = SIZE_MAX;
  for (double factor : {0.002, 0.01, 0.05, 0.2}) {
    auto count = triangulate(field, {factor, 0.25}).triangle_count();
    EXPECT_LT(count, previous) << "detail_factor " << factor;
    previous = count;
  }
  EXPECT_LT(previous, 2u * 127 * 95 / 10) << "a 20 % bound leaves a small fraction of the grid";
}

TEST(MesherTriangulate, MeasuredErrorStaysWithinTheBoundForEveryImageAndFactor) {
  const std::pair<std::uint32_t, std::uint32_t> sizes[] = {{65, 65}, {100, 60}, {31, 257}, {256, 256}, {300, 2}};
  std::uint32_t seed = 1;
  for (auto [width, height] : sizes) {
    auto field = sample_field(width, height, seed++);
    for (double factor : {0.0, 0.005, 0.02, 0.1}) {
      auto mesh = triangulate(field, {factor, 0.25});
      double error = max_vertical_error(field, mesh, {factor, 0.25});
      EXPECT_LE(error, factor) << width << "x" << height << " at " << factor;
    }
  }
}

TEST(MesherTriangulate, MeshSpansTheUnitAlongTheLongerSideAndScalesHeights) {
  auto field = sample_field(200, 100, 5);
  auto mesh = triangulate(field, {0.01, 0.5});
  float low[3] = {1e9f, 1e9f, 1e9f}, high[3] = {-1e9f, -1e9f, -1e9f};
  for (std::size_t v = 0; v < mesh.vertex_count(); ++v)
    for (int k = 0; k < 3; ++k) {
      low[k] = std::min(low[k], mesh.positions[v * 3 + k]);
      high[k] = std::max(high[k], mesh.positions[v * 3 + k]);
    }
  EXPECT_FLOAT_EQ(low[0], 0);
  EXPECT_FLOAT_EQ(high[0], 1);
  EXPECT_FLOAT_EQ(low[1], 0);
  EXPECT_FLOAT_EQ(high[1], 99.0f / 199);
  EXPECT_NEAR(low[2], 0, 0.5 * 0.01 + 1e-6) << "the darkest sample (0 in a sample image) at z 0";
  EXPECT_NEAR(high[2], 0.5, 0.5 * 0.01 + 1e-6) << "the brightest at height_scale";
}

TEST(MesherTriangulate, TrianglesFaceUpAndTileTheImageWithoutGapsOrOverlaps) {
  for (auto [width, height] : {std::pair{100u, 60u}, {31u, 257u}, {129u, 129u}}) {
    auto field = sample_field(width, height, width);
    auto mesh = triangulate(field, {0.01, 0.25});
    const float* p = mesh.positions.data();
    double area = 0;
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> directed_edges;
    for (std::size_t t = 0; t < mesh.triangle_count(); ++t) {
      const std::uint32_t* i = &mesh.indices[t * 3];
      double twice = (p[i[1] * 3] - p[i[0] * 3]) * (p[i[2] * 3 + 1] - p[i[0] * 3 + 1]) -
                     (p[i[1] * 3 + 1] - p[i[0] * 3 + 1]) * (p[i[2] * 3] - p[i[0] * 3]);
      ASSERT_GT(twice, 0) << "triangle " << t << " is clockwise seen from +z";
      area += twice / 2;
      for (int k = 0; k < 3; ++k)
        ++directed_edges[{i[k], i[(k + 1) % 3]}];
    }
    double longer = std::max(width, height) - 1.0;
    const float right = static_cast<float>((width - 1) / longer), top = static_cast<float>((height - 1) / longer);
    EXPECT_NEAR(area, (width - 1) * (height - 1) / (longer * longer), 1e-6) << "no overlap, no hole";
    for (const auto& [edge, count] : directed_edges) {
      ASSERT_EQ(count, 1) << "an edge used twice the same way round: overlapping triangles";
      if (!directed_edges.count({edge.second, edge.first})) {
        // An edge with no twin must lie on the image's border, or the mesh has a crack.
        const float* a = &p[edge.first * 3];
        const float* b = &p[edge.second * 3];
        bool on_border = (a[0] == b[0] && (a[0] == 0 || a[0] == right)) || (a[1] == b[1] && (a[1] == 0 || a[1] == top));
        ASSERT_TRUE(on_border) << "crack at (" << a[0] << "," << a[1] << ")-(" << b[0] << "," << b[1] << ")";
      }
    }
  }
}

TEST(MesherTriangulate, BadOptionsAndTooSmallFieldsAreRefused) {
  auto field = sample_field(16, 16, 1);
  EXPECT_THROW(triangulate(field, {-0.1, 0.25}), std::invalid_argument);
  EXPECT_THROW(triangulate(field, {1.5, 0.25}), std::invalid_argument);
  EXPECT_THROW(triangulate(field, {NAN, 0.25}), std::invalid_argument);
  EXPECT_THROW(triangulate(field, {0.1, 0.0}), std::invalid_argument);
  EXPECT_THROW(triangulate(height_field{1, 5, std::vector<float>(5)}, {0.1, 0.25}), std::invalid_argument);
  EXPECT_THROW(triangulate(height_field{4, 4, std::vector<float>(3)}, {0.1, 0.25}), std::invalid_argument);
}

TEST(MesherError, MeasurementSeesAMisplacedVertexAndAHole) {
  auto field = field_of(3, 3, [](std::uint32_t x, std::uint32_t y) { return float(x + y) / 4; });
  auto mesh = triangulate(field, {0.0, 0.25});
  ASSERT_EQ(max_vertical_error(field, mesh, {0.0, 0.25}), 0.0);
  triangle_mesh raised = mesh;
  raised.positions[2] += 0.25f * 0.1f;  // the first vertex, 0.1 higher in field units (range 1)
  EXPECT_NEAR(max_vertical_error(field, raised, {0.0, 0.25}), 0.1, 1e-6);
  triangle_mesh holed = mesh;
  holed.indices.resize(3);
  EXPECT_TRUE(std::isinf(max_vertical_error(field, holed, {0.0, 0.25})));
}

// ---- output formats ----

std::vector<triangle_mesh> meshes_to_write() {
  return {triangulate(field_of(5, 4, [](std::uint32_t, std::uint32_t) { return 0.0f; }), {0.0, 0.25}),
          triangulate(sample_field(90, 70, 2), {0.01, 0.3}),
          triangulate(field_of(6, 6, checkerboard), {0.0, 0.25})};
}

TEST(MesherGlb, EveryGlbLoadsInTinygltfWithItsCountsBoundsAndData) {
  for (const auto& mesh : meshes_to_write()) {
    std::string glb = encode_glb(mesh);
    EXPECT_EQ(glb.size() % 4, 0u);
    tinygltf::TinyGLTF loader;
    tinygltf::Model model;
    std::string error, warning;
    ASSERT_TRUE(loader.LoadBinaryFromMemory(&model, &error, &warning, reinterpret_cast<const unsigned char*>(glb.data()),
                                            static_cast<unsigned>(glb.size())))
        << error;
    EXPECT_TRUE(warning.empty()) << warning;
    ASSERT_EQ(model.meshes.size(), 1u);
    ASSERT_EQ(model.meshes[0].primitives.size(), 1u);
    const auto& primitive = model.meshes[0].primitives[0];
    EXPECT_EQ(primitive.mode, TINYGLTF_MODE_TRIANGLES);
    const auto& positions = model.accessors.at(primitive.attributes.at("POSITION"));
    const auto& indices = model.accessors.at(primitive.indices);
    EXPECT_EQ(positions.count, mesh.vertex_count());
    EXPECT_EQ(positions.componentType, TINYGLTF_COMPONENT_TYPE_FLOAT);
    EXPECT_EQ(positions.type, TINYGLTF_TYPE_VEC3);
    EXPECT_EQ(indices.count, mesh.indices.size());
    EXPECT_EQ(indices.componentType, TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT);
    for (int k = 0; k < 3; ++k) {
      float low = mesh.positions[k], high = mesh.positions[k];
      for (std::size_t v = 0; v < mesh.vertex_count(); ++v) {
        low = std::min(low, mesh.positions[v * 3 + k]);
        high = std::max(high, mesh.positions[v * 3 + k]);
      }
      ASSERT_EQ(positions.minValues.size(), 3u);
      EXPECT_EQ(float(positions.minValues[k]), low);
      EXPECT_EQ(float(positions.maxValues[k]), high);
    }
    auto data_of = [&](const tinygltf::Accessor& accessor) {
      const auto& view = model.bufferViews.at(accessor.bufferView);
      EXPECT_EQ((view.byteOffset + accessor.byteOffset) % 4, 0u) << "aligned";
      return model.buffers.at(view.buffer).data.data() + view.byteOffset + accessor.byteOffset;
    };
    EXPECT_EQ(std::memcmp(data_of(positions), mesh.positions.data(), mesh.positions.size() * 4), 0);
    EXPECT_EQ(std::memcmp(data_of(indices), mesh.indices.data(), mesh.indices.size() * 4), 0);
  }
}

TEST(MesherGlb, DecodeGlbGivesBackWhatEncodeGlbWrote) {
  for (const auto& mesh : meshes_to_write()) {
    auto back = decode_glb(encode_glb(mesh), "mesh.glb");
    EXPECT_EQ(back.positions, mesh.positions);
    EXPECT_EQ(back.indices, mesh.indices);
  }
}

TEST(MesherGlb, DecodeGlbRefusesAnythingElseAsBadMeshNamingTheInput) {
  std::string glb = encode_glb(meshes_to_write()[1]);
  auto refused = [](const std::string& bytes) {
    return refusal([&] { decode_glb(bytes, "m-12.glb"); }, "bad_mesh", "m-12.glb");
  };
  refused("");
  refused("not a glb at all, just text");
  refused(glb.substr(0, glb.size() - 4));
  std::string version_one = glb;
  version_one[4] = 1;
  refused(version_one);
  std::string bad_json = glb;
  bad_json[20] = '!';
  refused(bad_json);
  std::string bad_index = glb;
  const std::uint32_t far = 1u << 30;
  std::memcpy(&bad_index[bad_index.size() - 4], &far, 4);  // the last index
  EXPECT_NE(refused(bad_index).find("names vertex"), std::string::npos);
  EXPECT_THROW(encode_glb(triangle_mesh{}), std::invalid_argument);
}

TEST(MesherObj, ParsesBackToTheSameMesh) {
  for (const auto& mesh : meshes_to_write()) {
    std::istringstream in(encode_obj(mesh));
    std::vector<float> positions;
    std::vector<std::uint32_t> indices;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string tag;
      fields >> tag;
      if (tag == "v") {
        float x, y, z;
        ASSERT_TRUE(fields >> x >> y >> z) << line;
        positions.insert(positions.end(), {x, y, z});
      } else if (tag == "f") {
        std::uint32_t a, b, c;
        ASSERT_TRUE(fields >> a >> b >> c) << line;
        indices.insert(indices.end(), {a - 1, b - 1, c - 1});
      } else {
        ASSERT_EQ(tag, "#") << line;
      }
    }
    EXPECT_EQ(positions, mesh.positions);
    EXPECT_EQ(indices, mesh.indices);
  }
}

TEST(MesherPly, ParsesBackToTheSameMesh) {
  for (const auto& mesh : meshes_to_write()) {
    std::string ply = encode_ply(mesh);
    auto end = ply.find("end_header\n");
    ASSERT_NE(end, std::string::npos);
    std::istringstream header(ply.substr(0, end));
    std::string line;
    std::size_t vertices = 0, faces = 0;
    while (std::getline(header, line)) {
      if (line.rfind("element vertex ", 0) == 0)
        vertices = std::stoul(line.substr(15));
      if (line.rfind("element face ", 0) == 0)
        faces = std::stoul(line.substr(13));
    }
    ASSERT_NE(ply.find("format binary_little_endian 1.0"), std::string::npos);
    ASSERT_EQ(vertices, mesh.vertex_count());
    ASSERT_EQ(faces, mesh.triangle_count());
    const char* at = ply.data() + end + 11;
    ASSERT_EQ(ply.size(), end + 11 + vertices * 12 + faces * 13);
    std::vector<float> positions(vertices * 3);
    std::memcpy(positions.data(), at, vertices * 12);
    at += vertices * 12;
    std::vector<std::uint32_t> indices;
    for (std::size_t f = 0; f < faces; ++f, at += 13) {
      ASSERT_EQ(at[0], 3);
      std::uint32_t corner[3];
      std::memcpy(corner, at + 1, 12);
      indices.insert(indices.end(), corner, corner + 3);
    }
    EXPECT_EQ(positions, mesh.positions);
    EXPECT_EQ(indices, mesh.indices);
  }
}

// ---- sample images ----

TEST(MesherSamples, SameSeedSameImageOtherSeedOtherTerrain) {
  EXPECT_EQ(make_sample_png(64, 48, 9), make_sample_png(64, 48, 9));
  EXPECT_NE(make_sample_png(64, 48, 9), make_sample_png(64, 48, 10));
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    auto field = sample_field(64, 48, seed);
    EXPECT_EQ(field.width, 64u);
    EXPECT_EQ(field.height, 48u);
    auto [low, high] = std::minmax_element(field.z.begin(), field.z.end());
    EXPECT_EQ(*low, 0.0f) << "the relief spans the whole grey scale";
    EXPECT_EQ(*high, 1.0f);
    EXPECT_GT(triangulate(field, {0.02, 0.25}).triangle_count(), 20u) << "not nearly flat";
  }
}

}  // namespace
}  // namespace meshjobs::mesher
