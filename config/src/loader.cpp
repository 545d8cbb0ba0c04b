// The loader's entry points: YAML text or a file in, a validated config and every error out.
#include "meshjobs/config/loader.hpp"

#include <cstdlib>
#include <optional>
#include <stdexcept>

#include "embedded_defaults.hpp"
#include "sections.hpp"
#include "yaml_document.hpp"

namespace meshjobs {
namespace {

using namespace config_detail;

constexpr std::string_view embedded_source = "meshjobs.yml (embedded)";
constexpr int_range concurrency_range{1, 10000};
constexpr int_range timeout_range{1, 86400};  // seconds: one day at most
constexpr yaml_document_kind config_kind{"a meshjobs config"};

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
  const auto root = parse_yaml(yaml, source, config_kind, result.errors);
  if (!root)
    return result;
  reader r(result.errors, source);
  read_config(r, *root, result.value);
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
  config_result result;
  if (const auto root = load_yaml_file(path, config_kind, result.errors)) {
    reader r(result.errors, path);
    read_config(r, *root, result.value);
  }
  return result;
}

config default_config() {
  // Parsed once; a throw leaves the static uninitialised, so every call reports the defect.
  static const config parsed = parse_embedded_defaults();
  return parsed;
}

}  // namespace meshjobs
