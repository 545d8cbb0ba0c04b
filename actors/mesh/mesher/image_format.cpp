#include "mesh/mesher/image_format.hpp"

#include <cstdint>
#include <cstdlib>

#include "mesh/mesher/pnm.hpp"

namespace meshjobs::mesher {
namespace {

std::uint32_t byte_at(std::string_view bytes, std::size_t at) { return static_cast<unsigned char>(bytes[at]); }

std::uint32_t little_endian(std::string_view bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = size - 1; i >= 0; --i)
    value = value << 8 | byte_at(bytes, at + i);
  return value;
}

/// Walks the marker segments up to the end-of-image marker; entropy-coded data after a
/// start-of-scan runs to the next marker that is neither a stuffed 0xFF nor a restart.
std::optional<std::string> jpeg_missing_part(std::string_view bytes) {
  std::size_t at = 2;  // past the start-of-image marker
  while (true) {
    while (at < bytes.size() && byte_at(bytes, at) != 0xFF)
      ++at;  // stray bytes between segments: decoders skip them too
    while (at < bytes.size() && byte_at(bytes, at) == 0xFF)
      ++at;  // fill bytes
    if (at >= bytes.size())
      return "truncated JPEG (no end-of-image marker)";
    std::uint32_t marker = byte_at(bytes, at++);
    if (marker == 0xD9)
      return std::nullopt;
    if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
      continue;  // restart markers and TEM carry no length
    if (at + 2 > bytes.size())
      return "truncated JPEG (a segment header is cut off)";
    std::size_t length = byte_at(bytes, at) << 8 | byte_at(bytes, at + 1);
    if (at + length > bytes.size())
      return "truncated JPEG (a segment is cut off)";
    at += length;
    if (marker != 0xDA)
      continue;
    for (; at + 1 < bytes.size(); ++at) {
      if (byte_at(bytes, at) != 0xFF)
        continue;
      std::uint32_t next = byte_at(bytes, at + 1);
      if (next != 0x00 && !(next >= 0xD0 && next <= 0xD7) && next != 0xFF)
        break;
    }
  }
}

/// The pixel array's end from the headers, for uncompressed bitmaps (RLE ones stb refuses).
std::optional<std::string> bmp_missing_part(std::string_view bytes) {
  constexpr std::size_t file_header = 14;
  if (bytes.size() < file_header + 12)
    return "truncated BMP (the headers are cut off)";
  std::uint32_t pixels_at = little_endian(bytes, 10, 4);
  std::uint32_t info_size = little_endian(bytes, 14, 4);
  std::int64_t width, height, bits, compression = 0;
  if (info_size == 12) {
    width = little_endian(bytes, 18, 2);
    height = little_endian(bytes, 20, 2);
    bits = little_endian(bytes, 24, 2);
  } else {
    if (bytes.size() < file_header + 20)
      return "truncated BMP (the headers are cut off)";
    width = static_cast<std::int32_t>(little_endian(bytes, 18, 4));
    height = std::abs(static_cast<std::int64_t>(static_cast<std::int32_t>(little_endian(bytes, 22, 4))));
    bits = little_endian(bytes, 28, 2);
    compression = little_endian(bytes, 30, 4);
  }
  constexpr std::int64_t uncompressed = 0, bit_fields = 3;
  if ((compression != uncompressed && compression != bit_fields) || width <= 0 || bits <= 0)
    return std::nullopt;
  std::int64_t row_bytes = (width * bits + 31) / 32 * 4;
  std::int64_t end = std::int64_t(pixels_at) + row_bytes * height;
  if (std::int64_t(bytes.size()) < end)
    return "truncated BMP (" + std::to_string(bytes.size()) + " bytes of the " + std::to_string(end) +
           " its headers announce)";
  return std::nullopt;
}

std::uint32_t big_endian(std::string_view bytes, std::size_t at, int size) {
  std::uint32_t value = 0;
  for (int i = 0; i < size; ++i)
    value = value << 8 | byte_at(bytes, at + i);
  return value;
}

/// The frame header's size, from the segments before the first scan.
std::optional<std::pair<std::uint32_t, std::uint32_t>> jpeg_declared_size(std::string_view bytes) {
  std::size_t at = 2;
  while (at + 4 <= bytes.size()) {
    if (byte_at(bytes, at) != 0xFF) {
      ++at;
      continue;
    }
    std::uint32_t marker = byte_at(bytes, at + 1);
    if (marker == 0xFF) {
      ++at;
      continue;
    }
    bool start_of_frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (start_of_frame && at + 9 <= bytes.size())
      return std::pair{big_endian(bytes, at + 7, 2), big_endian(bytes, at + 5, 2)};
    if (marker == 0xDA || marker == 0xD9)
      return std::nullopt;
    at += 2 + big_endian(bytes, at + 2, 2);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::pair<std::uint32_t, std::uint32_t>> declared_size(image_format format, std::string_view bytes) {
  switch (format) {
    case image_format::png:
      if (bytes.size() < 24)
        return std::nullopt;
      return std::pair{big_endian(bytes, 16, 4), big_endian(bytes, 20, 4)};
    case image_format::jpeg:
      return jpeg_declared_size(bytes);
    case image_format::bmp: {
      if (bytes.size() < 26)
        return std::nullopt;
      bool core = little_endian(bytes, 14, 4) == 12;
      std::int32_t width = core ? std::int32_t(little_endian(bytes, 18, 2)) : std::int32_t(little_endian(bytes, 18, 4));
      std::int32_t height = core ? std::int32_t(little_endian(bytes, 20, 2)) : std::int32_t(little_endian(bytes, 22, 4));
      return std::pair{std::uint32_t(std::abs(std::int64_t(width))), std::uint32_t(std::abs(std::int64_t(height)))};
    }
    case image_format::pnm:
      if (auto header = read_pnm_header(bytes))
        return std::pair{header->width, header->height};
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<image_format> sniff_format(std::string_view bytes) {
  auto starts = [&](std::string_view magic) { return bytes.substr(0, magic.size()) == magic; };
  if (starts("\x89PNG\r\n\x1a\n"))
    return image_format::png;
  if (starts("\xFF\xD8\xFF"))
    return image_format::jpeg;
  if (starts("BM"))
    return image_format::bmp;
  if (starts("P5") || starts("P6"))
    return image_format::pnm;
  return std::nullopt;
}

const char* format_name(image_format format) {
  switch (format) {
    case image_format::png: return "PNG";
    case image_format::jpeg: return "JPEG";
    case image_format::bmp: return "BMP";
    case image_format::pnm: return "PGM/PPM";
  }
  return "image";
}

std::optional<std::string> missing_part(image_format format, std::string_view bytes) {
  switch (format) {
    case image_format::jpeg: return jpeg_missing_part(bytes);
    case image_format::bmp: return bmp_missing_part(bytes);
    case image_format::pnm: {
      auto header = read_pnm_header(bytes);
      if (header && header->pixels_at + header->data_bytes() > bytes.size())
        return "truncated PGM/PPM (" + std::to_string(bytes.size() - header->pixels_at) + " bytes of samples of the " +
               std::to_string(header->data_bytes()) + " its header announces)";
      return std::nullopt;
    }
    case image_format::png: break;
  }
  return std::nullopt;
}

}  // namespace meshjobs::mesher
