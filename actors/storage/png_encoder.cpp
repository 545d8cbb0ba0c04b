#include "storage/png_encoder.hpp"

#include <zlib.h>

#include <cstring>
#include <stdexcept>

namespace meshjobs::storage {
namespace {

void put_u32(std::string& out, std::uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                         static_cast<char>(v)};
  out.append(bytes, 4);
}

/// A chunk: length, type, data, and the CRC of type and data.
void put_chunk(std::string& out, const char (&type)[5], const std::uint8_t* data, std::size_t size) {
  put_u32(out, static_cast<std::uint32_t>(size));
  out.append(type, 4);
  out.append(reinterpret_cast<const char*>(data), size);
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(type), 4);
  if (size > 0)  // crc32 of a null buffer is not the CRC so far but zlib's initial value
    crc = crc32(crc, data, static_cast<uInt>(size));
  put_u32(out, static_cast<std::uint32_t>(crc));
}

}  // namespace

struct png_encoder::zlib_stream {
  z_stream z{};
  zlib_stream() {
    if (deflateInit(&z, Z_BEST_SPEED) != Z_OK)
      throw std::runtime_error("png: zlib could not start: " + std::string{z.msg ? z.msg : "no memory"});
  }
  ~zlib_stream() { deflateEnd(&z); }
};

png_encoder::png_encoder() : zlib_(std::make_unique<zlib_stream>()) {}

png_encoder::~png_encoder() = default;

std::string png_encoder::encode_rgb(const std::uint8_t* rgb, std::uint32_t width, std::uint32_t height) {
  if (width == 0 || height == 0)
    throw std::invalid_argument("png: the image is empty (" + std::to_string(width) + "x" +
                                std::to_string(height) + ")");
  const std::size_t row = std::size_t(width) * 3;
  rows_.resize((row + 1) * height);
  for (std::size_t y = 0; y < height; ++y) {
    rows_[y * (row + 1)] = 0;  // filter type: none
    std::memcpy(&rows_[y * (row + 1) + 1], rgb + y * row, row);
  }
  auto& z = zlib_->z;
  if (deflateReset(&z) != Z_OK)
    throw std::runtime_error("png: zlib could not restart");
  compressed_.resize(deflateBound(&z, static_cast<uLong>(rows_.size())));
  z.next_in = rows_.data();
  z.avail_in = static_cast<uInt>(rows_.size());
  z.next_out = compressed_.data();
  z.avail_out = static_cast<uInt>(compressed_.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END)
    throw std::runtime_error("png: zlib could not compress " + std::to_string(rows_.size()) + " bytes");
  const std::size_t compressed_size = compressed_.size() - z.avail_out;

  std::uint8_t header[13] = {};
  for (int i = 0; i < 4; ++i) {
    header[i] = static_cast<std::uint8_t>(width >> (24 - 8 * i));
    header[4 + i] = static_cast<std::uint8_t>(height >> (24 - 8 * i));
  }
  header[8] = 8;  // bits per sample; then colour type 2 (RGB), deflate, adaptive filters, no interlace
  header[9] = 2;
  std::string png{"\x89PNG\r\n\x1a\n", 8};
  png.reserve(8 + 25 + 12 + compressed_size + 12);
  put_chunk(png, "IHDR", header, sizeof header);
  put_chunk(png, "IDAT", compressed_.data(), compressed_size);
  put_chunk(png, "IEND", nullptr, 0);
  return png;
}

}  // namespace meshjobs::storage
