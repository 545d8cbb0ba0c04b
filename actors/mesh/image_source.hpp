// Where a mesh's image comes from: a plain path, a file:// URL or an http:// URL, read into
// memory under a byte limit. Errors name the source and the reason, with a kind the mesh jobs
// map to their retry rules:
//   bad_image_source  the source is neither a path nor a file:// / http:// URL (not retried)
//   image_not_found   no such file, not readable, or an HTTP 4xx (not retried)
//   image_too_large   over max_bytes (not retried)
//   service_error, read_timeout, bad_response   fetching over HTTP (as http::error_kind)
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace meshjobs::http {
class client;
}

namespace meshjobs::mesh {

struct image_source_limits {
  std::size_t max_bytes = 64u << 20;
  std::chrono::milliseconds http_timeout{30000};  ///< for an http:// source, the whole fetch
};

struct image_error {
  std::string kind;
  std::string message;
};

/// The image's bytes, or why there are none.
using image_result = std::variant<std::string, image_error>;

bool is_http_source(std::string_view source);

/// Reads a plain path or a file:// URL. Blocking file I/O: for pool threads, never a CAF thread.
/// An http:// source is refused here (kind bad_image_source): fetch it with load_image.
image_result read_local_image(std::string_view source, const image_source_limits& limits);

/// Any source. A local one is read on the calling thread (blocking), and `done` runs there; an
/// http:// one is fetched through `client`, and `done` runs on the client's io thread.
void load_image(std::string_view source, const image_source_limits& limits, http::client& client,
                std::function<void(image_result)> done);

/// The image files (PNG, JPEG, BMP, PGM, PPM by extension) directly in `folder`, as absolute
/// paths, sorted; `ec` says why the folder could not be read.
std::vector<std::string> image_files_in(const std::string& folder, std::error_code& ec);

}  // namespace meshjobs::mesh
