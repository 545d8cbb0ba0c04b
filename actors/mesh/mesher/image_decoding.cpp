// decode_height_field: the limits first (bytes, then the pixel count from the header), then the
// format's completeness, then the pixels (stb; PGM/PPM in pnm.cpp), then luminance.
#include <climits>
#include <memory>
#include <string>

#include <stb_image.h>

#include "mesh/mesher/image_format.hpp"
#include "mesh/mesher/luminance.hpp"
#include "mesh/mesher/pnm.hpp"
#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {
namespace {

[[noreturn]] void refuse(const char* kind, const std::string& name, const std::string& reason) {
  throw mesher_error(kind, name + ": " + reason);
}

std::string leading_bytes_in_hex(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (std::size_t i = 0; i < bytes.size() && i < 8; ++i) {
    auto byte = static_cast<unsigned char>(bytes[i]);
    hex += digits[byte >> 4];
    hex += digits[byte & 15];
    hex += ' ';
  }
  if (!hex.empty())
    hex.pop_back();
  return hex;
}

template <class Channel>
void fill_luminance(const Channel* pixels, int channels, double full_scale, height_field& field) {
  const std::size_t count = field.z.size();
  for (std::size_t i = 0; i < count; ++i) {
    const Channel* pixel = pixels + i * channels;
    double value = channels >= 3 ? luma(pixel[0], pixel[1], pixel[2]) : double(pixel[0]);
    field.z[i] = static_cast<float>(value / full_scale);
  }
}

std::string pixel_count(std::uint64_t width, std::uint64_t height, const image_limits& limits) {
  return std::to_string(width) + "x" + std::to_string(height) + " = " + std::to_string(width * height) +
         " pixels, over the limit of " + std::to_string(limits.max_pixels) + " pixels";
}

struct stb_free {
  void operator()(void* pixels) const { stbi_image_free(pixels); }
};

}  // namespace

height_field decode_height_field(std::string_view bytes, const image_limits& limits, const std::string& name) {
  if (bytes.empty())
    refuse("bad_image", name, "empty image (0 bytes)");
  if (bytes.size() > limits.max_bytes || bytes.size() > std::size_t(INT_MAX))
    refuse("image_too_large", name, std::to_string(bytes.size()) + " bytes, over the limit of " +
                                        std::to_string(limits.max_bytes) + " bytes");
  auto format = sniff_format(bytes);
  if (!format)
    refuse("bad_image", name, "unknown image format (expected PNG, JPEG, BMP or PGM/PPM; it starts with " +
                                  leading_bytes_in_hex(bytes) + ")");
  const std::string kind = format_name(*format);
  const auto* data = reinterpret_cast<const stbi_uc*>(bytes.data());
  const int length = static_cast<int>(bytes.size());
  int width = 0, height = 0, channels = 0;
  if (!stbi_info_from_memory(data, length, &width, &height, &channels)) {
    // stb also refuses headers it thinks too large to decode (over 2^30 bytes of pixels): those
    // are over the limit, not corrupt.
    auto declared = declared_size(*format, bytes);
    if (declared && std::uint64_t(declared->first) * declared->second > limits.max_pixels)
      refuse("image_too_large", name, pixel_count(declared->first, declared->second, limits));
    refuse("bad_image", name, "corrupt " + kind + " header (" + stbi_failure_reason() + ")");
  }
  const std::uint64_t pixels = std::uint64_t(width) * std::uint64_t(height);
  if (pixels > limits.max_pixels)
    refuse("image_too_large", name, pixel_count(width, height, limits));
  if (width < 2 || height < 2)
    refuse("bad_image", name, std::to_string(width) + "x" + std::to_string(height) +
                                  " pixels: a height field needs at least 2x2");
  if (auto missing = missing_part(*format, bytes))
    refuse("bad_image", name, *missing);

  height_field field;
  field.width = static_cast<std::uint32_t>(width);
  field.height = static_cast<std::uint32_t>(height);
  field.z.resize(pixels);
  if (*format == image_format::pnm) {
    auto header = read_pnm_header(bytes);
    if (!header || header->width != field.width || header->height != field.height)
      refuse("bad_image", name, "corrupt " + kind + " header");
    read_pnm_luminance(bytes, *header, field);
    return field;
  }
  const bool sixteen_bits = stbi_is_16_bit_from_memory(data, length);
  std::unique_ptr<void, stb_free> decoded(
      sixteen_bits ? static_cast<void*>(stbi_load_16_from_memory(data, length, &width, &height, &channels, 0))
                   : static_cast<void*>(stbi_load_from_memory(data, length, &width, &height, &channels, 0)));
  if (!decoded)
    refuse("bad_image", name, "corrupt or truncated " + kind + " (" + stbi_failure_reason() + ")");
  if (std::uint32_t(width) != field.width || std::uint32_t(height) != field.height)
    refuse("bad_image", name, "corrupt " + kind + " (its header and its pixels disagree on the size)");
  if (sixteen_bits)
    fill_luminance(static_cast<const stbi_us*>(decoded.get()), channels, 65535.0, field);
  else
    fill_luminance(static_cast<const stbi_uc*>(decoded.get()), channels, 255.0, field);
  return field;
}

}  // namespace meshjobs::mesher
