#include "mesh/mesher/pnm.hpp"

#include <algorithm>
#include <cctype>
#include <climits>

#include "mesh/mesher/luminance.hpp"

namespace meshjobs::mesher {
namespace {

/// The header's next whole number, past whitespace and '#' comments; nullopt if there is none.
std::optional<std::uint64_t> next_number(std::string_view bytes, std::size_t& at) {
  while (at < bytes.size()) {
    if (bytes[at] == '#') {
      while (at < bytes.size() && bytes[at] != '\n')
        ++at;
    } else if (std::isspace(static_cast<unsigned char>(bytes[at]))) {
      ++at;
    } else {
      break;
    }
  }
  std::uint64_t value = 0;
  std::size_t digits = 0;
  for (; at < bytes.size() && std::isdigit(static_cast<unsigned char>(bytes[at])) && digits < 10; ++at, ++digits)
    value = value * 10 + std::uint64_t(bytes[at] - '0');
  if (digits == 0)
    return std::nullopt;
  return value;
}

}  // namespace

std::optional<pnm_header> read_pnm_header(std::string_view bytes) {
  if (bytes.size() < 2 || bytes[0] != 'P' || (bytes[1] != '5' && bytes[1] != '6'))
    return std::nullopt;
  std::size_t at = 2;
  auto width = next_number(bytes, at);
  auto height = next_number(bytes, at);
  auto max_value = next_number(bytes, at);
  // Exactly one whitespace byte separates the header from the samples.
  if (!width || !height || !max_value || *width > UINT32_MAX || *height > UINT32_MAX || *max_value == 0 ||
      *max_value > 65535 || at >= bytes.size() || !std::isspace(static_cast<unsigned char>(bytes[at])))
    return std::nullopt;
  return pnm_header{static_cast<std::uint32_t>(*width), static_cast<std::uint32_t>(*height), bytes[1] == '5' ? 1 : 3,
                    static_cast<std::uint32_t>(*max_value), at + 1};
}

void read_pnm_luminance(std::string_view bytes, const pnm_header& header, height_field& field) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data() + header.pixels_at);
  const std::size_t step = header.sample_bytes();
  auto sample = [&](std::size_t index) {
    const unsigned char* at = data + index * step;
    return step == 2 ? double(at[0] << 8 | at[1]) : double(at[0]);
  };
  const double full_scale = header.max_value;
  for (std::size_t i = 0; i < field.z.size(); ++i) {
    double value = header.channels == 3 ? luma(sample(i * 3), sample(i * 3 + 1), sample(i * 3 + 2)) : sample(i);
    field.z[i] = static_cast<float>(std::min(value / full_scale, 1.0));
  }
}

}  // namespace meshjobs::mesher
