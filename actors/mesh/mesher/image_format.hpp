// What an image's bytes claim to be, how large they say it is, and whether they are all there.
// stb decodes a truncated JPEG, BMP or PNM without complaint (it reads zeros past the end), so
// truncation of those is found here, from their own structure.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>

namespace meshjobs::mesher {

enum class image_format { png, jpeg, bmp, pnm };

/// By the leading magic bytes; nullopt for anything but the four formats the mesher takes.
std::optional<image_format> sniff_format(std::string_view bytes);

const char* format_name(image_format format);

/// Width and height as the header declares them, read without stb (which refuses to read a
/// header it thinks too large to decode); nullopt if the header is not there or malformed.
std::optional<std::pair<std::uint32_t, std::uint32_t>> declared_size(image_format format, std::string_view bytes);

/// Why the bytes stop short of the whole image, or nullopt when nothing is missing (as far as
/// the format's structure tells; PNG is checked by stb as it decodes).
std::optional<std::string> missing_part(image_format format, std::string_view bytes);

}  // namespace meshjobs::mesher
