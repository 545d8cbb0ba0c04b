// Binary PGM (P5) and PPM (P6), read here rather than by stb: stb 2.27 ignores the header's
// maximum value (a 10-bit PGM would read four times too dark) and reads 16-bit samples in the
// wrong byte order (PNM is big-endian).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "mesh/mesher/mesher.hpp"

namespace meshjobs::mesher {

struct pnm_header {
  std::uint32_t width;
  std::uint32_t height;
  int channels;              ///< 1 for PGM, 3 for PPM
  std::uint32_t max_value;   ///< 1..65535; over 255 means two bytes per sample
  std::size_t pixels_at;     ///< where the samples start
  std::size_t sample_bytes() const { return max_value > 255 ? 2 : 1; }
  std::uint64_t data_bytes() const { return std::uint64_t(width) * height * channels * sample_bytes(); }
};

/// nullopt when the header is not a well-formed P5 or P6 header.
std::optional<pnm_header> read_pnm_header(std::string_view bytes);

/// Fills field.z (already sized width × height) with luminance in [0, 1]; the caller has checked
/// that all the samples are there.
void read_pnm_luminance(std::string_view bytes, const pnm_header& header, height_field& field);

}  // namespace meshjobs::mesher
