// The thumbnails' PNG encoder: what it writes decodes (with stb) to the very pixels it was
// given, its chunks carry the CRCs a strict reader checks, and an encoder used again for
// another image carries nothing over from the one before.
#include <gtest/gtest.h>
#include <zlib.h>

#include <stb_image.h>

#include <cstring>
#include <memory>
#include <vector>

#include "storage/png_encoder.hpp"

namespace meshjobs::storage {
namespace {

std::vector<std::uint8_t> pattern(std::uint32_t width, std::uint32_t height, std::uint8_t seed) {
  std::vector<std::uint8_t> rgb(std::size_t(width) * height * 3);
  for (std::size_t i = 0; i < rgb.size(); ++i)
    rgb[i] = static_cast<std::uint8_t>((i * 7 + seed) ^ (i / 97));
  return rgb;
}

std::vector<std::uint8_t> decode(const std::string& png, int& width, int& height) {
  int channels = 0;
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels{
      stbi_load_from_memory(reinterpret_cast<const stbi_uc*>(png.data()), static_cast<int>(png.size()), &width,
                            &height, &channels, 3),
      stbi_image_free};
  if (!pixels)
    return {};
  return {pixels.get(), pixels.get() + std::size_t(width) * height * 3};
}

std::uint32_t big_endian(const std::string& s, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v = (v << 8) | static_cast<std::uint8_t>(s[at + i]);
  return v;
}

TEST(PngEncoder, DecodesToThePixelsItWasGiven) {
  png_encoder encoder;
  for (auto [w, h] : {std::pair{256u, 256u}, std::pair{17u, 5u}, std::pair{1u, 1u}}) {
    const auto rgb = pattern(w, h, 3);
    int width = 0, height = 0;
    auto decoded = decode(encoder.encode_rgb(rgb.data(), w, h), width, height);
    ASSERT_FALSE(decoded.empty()) << w << "x" << h << ": " << stbi_failure_reason();
    EXPECT_EQ(width, int(w));
    EXPECT_EQ(height, int(h));
    EXPECT_EQ(decoded, rgb) << w << "x" << h;
  }
}

TEST(PngEncoder, EveryChunkCarriesTheCrcOfItsTypeAndData) {
  png_encoder encoder;
  const auto rgb = pattern(40, 30, 9);
  const auto png = encoder.encode_rgb(rgb.data(), 40, 30);
  ASSERT_EQ(png.compare(0, 8, std::string{"\x89PNG\r\n\x1a\n", 8}), 0);
  std::vector<std::string> types;
  for (std::size_t at = 8; at < png.size();) {
    ASSERT_LE(at + 12, png.size());
    const auto length = big_endian(png, at);
    ASSERT_LE(at + 12 + length, png.size());
    const auto* typed = reinterpret_cast<const Bytef*>(png.data() + at + 4);
    const auto crc = crc32(crc32(0, nullptr, 0), typed, 4 + length);
    types.push_back(png.substr(at + 4, 4));
    EXPECT_EQ(big_endian(png, at + 8 + length), crc) << "chunk " << types.back();
    at += 12 + length;
  }
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
}

TEST(PngEncoder, AnEncoderUsedAgainCarriesNothingOverFromTheImageBefore) {
  png_encoder used, fresh;
  const auto big = pattern(300, 200, 1);
  const auto small = pattern(20, 10, 2);
  used.encode_rgb(big.data(), 300, 200);
  EXPECT_EQ(used.encode_rgb(small.data(), 20, 10), fresh.encode_rgb(small.data(), 20, 10));
}

TEST(PngEncoder, AnEmptyImageIsRefused) {
  png_encoder encoder;
  const std::uint8_t pixel[3] = {1, 2, 3};
  EXPECT_THROW(encoder.encode_rgb(pixel, 0, 1), std::invalid_argument);
  EXPECT_THROW(encoder.encode_rgb(pixel, 1, 0), std::invalid_argument);
}

}  // namespace
}  // namespace meshjobs::storage
