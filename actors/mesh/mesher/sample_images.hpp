// Procedural terrain-like images (rolling hills, ridges, a few peaks and basins), for `make run`,
// the tests and the benchmark. The same size and seed give the same bytes.
#pragma once

#include <cstdint>
#include <string>

namespace meshjobs::mesher {

/// An 8-bit grey PNG, brighter meaning higher.
std::string make_sample_png(std::uint32_t width, std::uint32_t height, std::uint32_t seed);

}  // namespace meshjobs::mesher
