// The `security` section: how peers of this node's published ports are authenticated.
#include "meshjobs/config/cluster_secret.hpp"
#include "sections.hpp"

namespace meshjobs {

std::optional<std::string> cluster_secret_problem(std::string_view secret) {
  if (secret.size() < min_cluster_secret_length)
    return "must be at least " + std::to_string(min_cluster_secret_length) + " characters (got " +
           std::to_string(secret.size()) + ")";
  if (secret.size() > max_cluster_secret_length)
    return "must be at most " + std::to_string(max_cluster_secret_length) + " characters (got " +
           std::to_string(secret.size()) + ")";
  return std::nullopt;
}

namespace config_detail {
namespace {

constexpr int_range handshake_timeout_range{100, 600000};  // ms: 0.1 s to 10 min

}  // namespace

void read_security(reader& r, const YAML::Node& node, security_config& out) {
  const auto before = r.error_count();
  r.fields(node, "security", {
    {"transport", [&](const entry& e) {
       assign(out.transport, r.one_of(e.value, e.path, link_transport_names)); }},
    {"keys_dir", [&](const entry& e) { assign(out.keys_dir, r.text(e.value, e.path)); }},
    {"ca", [&](const entry& e) { assign(out.ca, r.text(e.value, e.path)); }},
    {"certificate", [&](const entry& e) { assign(out.certificate, r.text(e.value, e.path)); }},
    {"key", [&](const entry& e) { assign(out.key, r.text(e.value, e.path)); }},
    {"secret", [&](const entry& e) {
       auto secret = r.text(e.value, e.path);
       if (!secret)
         return;
       if (auto problem = cluster_secret_problem(*secret))
         r.fail(e.path, *problem);
       else
         out.secret = *secret;
     }},
    {"handshake_timeout_ms", [&](const entry& e) {
       assign(out.handshake_timeout_ms, r.integer(e.value, e.path, handshake_timeout_range)); }},
  });
  if (r.error_count() != before)
    return;
  // One of the three alone would mix a given identity with a generated one.
  const int given = !out.ca.empty() + !out.certificate.empty() + !out.key.empty();
  if (given != 0 && given != 3)
    r.fail("security", "ca, certificate and key go together: give all three, or none to use the "
                       "generated ones in keys_dir");
}

}  // namespace config_detail
}  // namespace meshjobs
