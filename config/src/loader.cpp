// The loader's entry points: YAML text or a file in, a validated config and every error out.
#include "meshjobs/config/loader.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>

#include <yaml-cpp/depthguard.h>

#include "embedded_defaults.hpp"
#include "nesting.hpp"
#include "sections.hpp"

namespace meshjobs {
namespace {

using namespace config_detail;

constexpr std::string_view embedded_source = "meshjobs.yml (embedded)";
constexpr int_range concurrency_range{1, 10000};
constexpr int_range timeout_range{1, 86400};  // seconds: one day at most
/// A meshjobs config is a few KiB; past this, the file is something else (or an attack), and
/// reading it all would cost whatever it holds.
constexpr std::size_t max_config_bytes = 1024 * 1024;
const std::string too_large_reason = "larger than 1 MiB; a meshjobs config is a few KiB (is this the right file?)";

void read_config(reader& r, const YAML::Node& root, config& out) {
  // limits and schedule name queues, so they are read once every queue is known.
  std::optional<YAML::Node> queues;
  std::optional<YAML::Node> limits;
  std::optional<YAML::Node> schedule;
  r.fields(root, "", {
    {"verbose", [&](const entry& e) { assign(out.verbose, r.boolean(e.value, e.path)); }},
    {"concurrency", [&](const entry& e) {
       assign(out.concurrency, r.integer(e.value, e.path, concurrency_range)); }},
    {"timeout", [&](const entry& e) {
       assign(out.timeout_s, r.integer(e.value, e.path, timeout_range)); }},
    {"queues", [&](const entry& e) { queues = e.value; }},
    {"limits", [&](const entry& e) { limits = e.value; }},
    {"schedule", [&](const entry& e) { schedule = e.value; }},
    {"store", [&](const entry& e) { read_store(r, e.value, out.store); }},
    {"node", [&](const entry& e) { read_node(r, e.value, out.node); }},
    {"mesh_service", [&](const entry& e) { read_mesh_service(r, e.value, out.mesh_service); }},
    {"storage", [&](const entry& e) { read_storage(r, e.value, out.storage); }},
    {"notifications", [&](const entry& e) { read_notifications(r, e.value, out.notifications); }},
    {"metrics", [&](const entry& e) { read_metrics(r, e.value, out.metrics); }},
    {"http", [&](const entry& e) { read_http(r, e.value, out.http); }},
    {"security", [&](const entry& e) { read_security(r, e.value, out.security); }},
    {"batch", [&](const entry& e) { read_batch(r, e.value, out.batch); }},
  });
  const queue_names names = queues ? read_queues(r, *queues, out.queues) : names_of(out.queues);
  if (limits)
    read_limits(r, *limits, names, out.limits);
  if (schedule)
    read_schedule(r, *schedule, names, out.schedule);
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

/// The file's bytes, at most `max_config_bytes` (read with that bound: /dev/zero never ends),
/// or why they could not be read.
std::optional<std::string> read_file(const std::string& path, std::string& out) {
  const std::unique_ptr<std::FILE, file_closer> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return "cannot read: " + std::string(std::strerror(errno));
  char buffer[8192];
  std::size_t n = 0;
  while (out.size() <= max_config_bytes && (n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    out.append(buffer, n);
  if (std::ferror(file.get()))
    return "cannot read: " + std::string(std::strerror(errno));
  if (out.size() > max_config_bytes)
    return too_large_reason;
  return std::nullopt;
}

config parse_embedded_defaults() {
  auto result = load_config_string(embedded_default_yaml, embedded_source);
  if (!result.ok()) {
    std::string message = "the embedded meshjobs.yml does not load:";
    for (const auto& error : result.errors)
      message += "\n  " + error.to_string();
    throw std::logic_error(message);
  }
  return std::move(result.value);
}

}  // namespace

config_result load_config_string(std::string_view yaml, std::string_view source) {
  config_result result;
  if (yaml.size() > max_config_bytes) {
    result.errors.push_back({std::string(source), too_large_reason});
    return result;
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp reports this as "bad file" at line 1, column 1: say what and where instead.
    result.errors.push_back({std::string(source), too_deep_reason(yaml, e.depth())});
    return result;
  } catch (const YAML::Exception& e) {
    result.errors.push_back({std::string(source), syntax_error_reason(e)});
    return result;
  }
  reader r(result.errors, source);
  read_config(r, root, result.value);
  return result;
}

std::vector<config_error> apply_environment(config& c) {
  std::vector<config_error> errors;
  if (const char* text = std::getenv("BATCH_CONCURRENCY")) {
    if (auto reason = config_detail::batch_concurrency_from_env(text, c.batch.concurrency))
      errors.push_back({"BATCH_CONCURRENCY (environment)", *reason});
  }
  return errors;
}

config_result load_config_file(const std::string& path) {
  std::string text;
  if (const auto reason = read_file(path, text)) {
    config_result result;
    result.errors.push_back({path, *reason});
    return result;
  }
  return load_config_string(text, path);
}

config default_config() {
  // Parsed once; a throw leaves the static uninitialised, so every call reports the defect.
  static const config parsed = parse_embedded_defaults();
  return parsed;
}

}  // namespace meshjobs
