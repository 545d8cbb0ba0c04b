#include "yaml_document.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include <yaml-cpp/depthguard.h>

#include "nesting.hpp"

namespace meshjobs::config_detail {
namespace {

/// Configs and cluster files are a few KiB; past this, the file is something else (or an
/// attack), and reading it all would cost whatever it holds.
constexpr std::size_t max_document_bytes = 1024 * 1024;

std::string too_large_reason(yaml_document_kind kind) {
  return "larger than 1 MiB; " + std::string(kind.described_as)
         + " is a few KiB (is this the right file?)";
}

std::string syntax_error_reason(const YAML::Exception& e) {
  if (e.mark.is_null())
    return "invalid YAML: " + e.msg;
  return "invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column "
         + std::to_string(e.mark.column + 1) + ": " + e.msg;
}

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

/// The file's bytes, at most `max_document_bytes` (read with that bound: /dev/zero never
/// ends), or why they could not be read.
std::optional<std::string> read_bounded(const std::string& path, yaml_document_kind kind,
                                        std::string& out) {
  const std::unique_ptr<std::FILE, file_closer> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return "cannot read: " + std::string(std::strerror(errno));
  char buffer[8192];
  std::size_t n = 0;
  while (out.size() <= max_document_bytes && (n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    out.append(buffer, n);
  if (std::ferror(file.get()))
    return "cannot read: " + std::string(std::strerror(errno));
  if (out.size() > max_document_bytes)
    return too_large_reason(kind);
  return std::nullopt;
}

}  // namespace

std::optional<YAML::Node> parse_yaml(std::string_view text, std::string_view source,
                                     yaml_document_kind kind, std::vector<config_error>& errors) {
  if (text.size() > max_document_bytes) {
    errors.push_back({std::string(source), too_large_reason(kind)});
    return std::nullopt;
  }
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp reports this as "bad file" at line 1, column 1: say what and where instead.
    errors.push_back({std::string(source), too_deep_reason(text, e.depth())});
  } catch (const YAML::Exception& e) {
    errors.push_back({std::string(source), syntax_error_reason(e)});
  }
  return std::nullopt;
}

std::optional<YAML::Node> load_yaml_file(const std::string& path, yaml_document_kind kind,
                                         std::vector<config_error>& errors) {
  std::string text;
  if (const auto reason = read_bounded(path, kind, text)) {
    errors.push_back({path, *reason});
    return std::nullopt;
  }
  return parse_yaml(text, path, kind, errors);
}

}  // namespace meshjobs::config_detail
