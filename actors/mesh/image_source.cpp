#include "mesh/image_source.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <system_error>

#include "meshjobs/http/http_client.hpp"

namespace meshjobs::mesh {
namespace {

constexpr std::string_view file_scheme = "file://";

image_error error(std::string kind, std::string_view source, const std::string& why) {
  return {std::move(kind), "image '" + std::string{source} + "': " + why};
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i])
      return false;
  return true;
}

/// The path a local source names, or why it names none.
std::variant<std::string, image_error> local_path(std::string_view source) {
  if (source.empty())
    return error("bad_image_source", source, "empty source");
  if (starts_with_ci(source, file_scheme)) {
    auto rest = source.substr(file_scheme.size());
    // file:///abs/path, or file://localhost/abs/path
    if (starts_with_ci(rest, "localhost/"))
      rest.remove_prefix(std::string_view{"localhost"}.size());
    if (rest.empty() || rest.front() != '/')
      return error("bad_image_source", source, "a file:// URL names an absolute path (file:///dir/image.png)");
    if (rest.find('%') != std::string_view::npos)
      return error("bad_image_source", source, "percent-encoded file:// URLs are not supported");
    return std::string{rest};
  }
  if (source.find("://") != std::string_view::npos)
    return error("bad_image_source", source, "unsupported scheme (use a path, file:// or http://)");
  return std::string{source};
}

}  // namespace

bool is_http_source(std::string_view source) { return starts_with_ci(source, "http://"); }

image_result read_local_image(std::string_view source, const image_source_limits& limits) {
  if (is_http_source(source))
    return error("bad_image_source", source, "an http:// source is fetched, not read (load_image)");
  auto path = local_path(source);
  if (auto* e = std::get_if<image_error>(&path))
    return *e;
  const auto& file = std::get<std::string>(path);
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  if (ec)
    return error("image_not_found", source, ec.message());
  if (size > limits.max_bytes)
    return error("image_too_large", source,
                 std::to_string(size) + " bytes, over the limit of " + std::to_string(limits.max_bytes));
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return error("image_not_found", source, std::string{"cannot open: "} + std::strerror(errno));
  std::string bytes(static_cast<std::size_t>(size), '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size)))
    return error("image_not_found", source, "read failed");
  return bytes;
}

void load_image(std::string_view source, const image_source_limits& limits, http::client& client,
                std::function<void(image_result)> done) {
  if (!is_http_source(source))
    return done(read_local_image(source, limits));
  http::call_options options;
  options.timeout = limits.http_timeout;
  options.response_limit = limits.max_bytes;
  client.get(source, [source = std::string{source}, max = limits.max_bytes,
                      done = std::move(done)](http::client_result r) {
    if (auto* e = std::get_if<http::client_error>(&r)) {
      if (e->over_limit)
        return done(error("image_too_large", source, "over the limit of " + std::to_string(max) + " bytes"));
      auto kind = e->kind == http::error_kind::bad_url ? "bad_image_source"
                                                       : std::string{http::to_string(e->kind)};
      return done(error(kind, source, e->message));
    }
    auto& answer = std::get<http::client_response>(r);
    if (answer.status >= 300)
      return done(error("image_not_found", source, "the server answered " + std::to_string(answer.status)));
    done(std::move(answer.body));
  }, options);
}

namespace {

bool is_image_file(const std::filesystem::path& p) {
  static const std::set<std::string> known{".png", ".jpg", ".jpeg", ".bmp", ".pgm", ".ppm"};
  auto ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return known.count(ext) > 0;
}

}  // namespace

std::vector<std::string> image_files_in(const std::string& folder, std::error_code& ec) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && is_image_file(it->path()))
      out.push_back(fs::absolute(it->path()).lexically_normal().string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace meshjobs::mesh
