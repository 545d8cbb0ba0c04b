// The mesh pipeline's sections: `mesh_service`, `storage`, `notifications`, `metrics`, `http`,
// `batch`.
#include "enum_names.hpp"
#include "sections.hpp"

namespace meshjobs::config_detail {
namespace {

constexpr int_range poll_interval_range{10, 3600 * 1000};    // ms
constexpr int_range poll_timeout_range{1, 86400};            // s
constexpr int_range request_timeout_range{10, 3600 * 1000};  // ms
constexpr int_range image_bytes_range{1024, 1ll << 32};
constexpr int_range image_pixels_range{1, 1ll << 32};
constexpr int_range free_mb_range{0, 1ll << 30};
constexpr int_range thumbnail_range{16, 4096};
constexpr int_range port_range{0, 65535};
constexpr int_range body_range{1024, 1ll << 30};
constexpr int_range batch_concurrency_range{1, 1000};

/// A host:port pair such as 127.0.0.1:8125.
std::optional<std::string> host_port(reader& r, const entry& e) {
  auto value = r.text(e.value, e.path);
  if (!value)
    return std::nullopt;
  const auto colon = value->rfind(':');
  const bool digits = colon != std::string::npos && colon + 1 < value->size() &&
                      value->find_first_not_of("0123456789", colon + 1) == std::string::npos;
  if (colon == 0 || !digits || value->size() - colon > 6 || std::stol(value->substr(colon + 1)) > 65535) {
    r.fail(e.path, "must be host:port, e.g. 127.0.0.1:8125 (got \"" + *value + "\")");
    return std::nullopt;
  }
  return value;
}

/// An http:// URL (the service speaks plain HTTP; put TLS in front of it with a proxy).
std::optional<std::string> http_url(reader& r, const entry& e) {
  auto value = r.text(e.value, e.path);
  if (value && value->rfind("http://", 0) != 0) {
    r.fail(e.path, "must be an http:// URL, e.g. http://127.0.0.1:8090 (got \"" + *value + "\")");
    return std::nullopt;
  }
  return value;
}

}  // namespace

void read_mesh_service(reader& r, const YAML::Node& node, mesh_service_config& out) {
  r.fields(node, "mesh_service", {
    {"backend", [&](const entry& e) { assign(out.backend, r.one_of(e.value, e.path, mesh_backend_names)); }},
    {"url", [&](const entry& e) { assign(out.url, http_url(r, e)); }},
    {"poll_interval_ms", [&](const entry& e) {
       assign(out.poll_interval_ms, r.integer(e.value, e.path, poll_interval_range)); }},
    {"poll_timeout", [&](const entry& e) {
       auto s = r.duration(e.value, e.path);
       if (s && (*s < poll_timeout_range.min || *s > poll_timeout_range.max))
         r.fail(e.path, "must be within 1 s and 1 day (got " + std::to_string(*s) + " s)");
       else
         assign(out.poll_timeout_s, s); }},
    {"request_timeout_ms", [&](const entry& e) {
       assign(out.request_timeout_ms, r.integer(e.value, e.path, request_timeout_range)); }},
    {"max_image_bytes", [&](const entry& e) {
       assign(out.max_image_bytes, r.integer(e.value, e.path, image_bytes_range)); }},
    {"max_image_pixels", [&](const entry& e) {
       assign(out.max_image_pixels, r.integer(e.value, e.path, image_pixels_range)); }},
    {"callback_secret", [&](const entry& e) { assign(out.callback_secret, r.text(e.value, e.path)); }},
  });
}

void read_storage(reader& r, const YAML::Node& node, storage_config& out) {
  r.fields(node, "storage", {
    {"root", [&](const entry& e) { assign(out.root, r.text(e.value, e.path)); }},
    {"min_free_mb", [&](const entry& e) { assign(out.min_free_mb, r.integer(e.value, e.path, free_mb_range)); }},
    {"thumbnail_size", [&](const entry& e) {
       assign(out.thumbnail_size, r.integer(e.value, e.path, thumbnail_range)); }},
  });
}

void read_notifications(reader& r, const YAML::Node& node, notifications_config& out) {
  r.fields(node, "notifications", {
    {"log", [&](const entry& e) { assign(out.log, r.boolean(e.value, e.path)); }},
    {"webhook_url", [&](const entry& e) { assign(out.webhook_url, http_url(r, e)); }},
    {"webhook_secret", [&](const entry& e) { assign(out.webhook_secret, r.text(e.value, e.path)); }},
  });
}

void read_metrics(reader& r, const YAML::Node& node, metrics_config& out) {
  r.fields(node, "metrics", {
    {"statsd", [&](const entry& e) { assign(out.statsd, host_port(r, e)); }},
    {"prefix", [&](const entry& e) { assign(out.prefix, r.text(e.value, e.path)); }},
  });
}

void read_http(reader& r, const YAML::Node& node, http_config& out) {
  r.fields(node, "http", {
    {"host", [&](const entry& e) { assign(out.host, r.text(e.value, e.path)); }},
    {"port", [&](const entry& e) { assign(out.port, r.integer(e.value, e.path, port_range)); }},
    {"token", [&](const entry& e) { assign(out.token, r.text(e.value, e.path)); }},
    {"max_body_bytes", [&](const entry& e) { assign(out.max_body_bytes, r.integer(e.value, e.path, body_range)); }},
    {"app_host", [&](const entry& e) { assign(out.app_host, r.text(e.value, e.path)); }},
  });
}

void read_batch(reader& r, const YAML::Node& node, batch_config& out) {
  r.fields(node, "batch", {
    {"concurrency", [&](const entry& e) {
       assign(out.concurrency, r.integer(e.value, e.path, batch_concurrency_range)); }},
  });
}

std::optional<std::string> batch_concurrency_from_env(const char* text, std::int64_t& out) {
  const std::string value = text;
  const bool digits = !value.empty() && value.size() <= 9 && value.find_first_not_of("0123456789") == std::string::npos;
  const auto n = digits ? std::stoll(value) : 0;
  if (!digits || n < batch_concurrency_range.min || n > batch_concurrency_range.max)
    return "must be an integer within 1 and 1000 (got \"" + value + "\")";
  out = n;
  return std::nullopt;
}

}  // namespace meshjobs::config_detail
