// meshjobs' own sections: `store` and `node`.
#include "meshjobs/messages/time_limits.hpp"
#include "sections.hpp"

namespace meshjobs::config_detail {
namespace {

constexpr int_range dead_max_jobs_range{0, int64_max};  // 0 keeps no dead job at all
constexpr int_range finished_max_jobs_range{0, int64_max};  // 0 keeps no finished job
constexpr int_range port_range{0, 65535};               // 0: not published
constexpr int_range max_pending_range{1, int64_max};
constexpr int_range scheduler_threads_range{0, 256};    // 0: one per core
constexpr int_range written_off_range{0, 4096};         // 0: a hung handler keeps its thread
constexpr int_range heartbeat_range{0, 60000};
constexpr int_range link_timeout_range{0, 600000};
constexpr int_range rejoin_range{1, 600000};

// Past max_time_ahead, now - dead_max_age (finished_max_age) would overflow.
std::optional<std::int64_t> read_max_age(reader& r, const entry& e) {
  const auto seconds = r.duration(e.value, e.path);
  if (seconds && *seconds > max_time_ahead_s) {
    r.fail(e.path, std::string{"must be at most "} + max_time_ahead_text + " ("
                     + std::to_string(max_time_ahead_days) + "d) (got " + std::to_string(*seconds)
                     + " s)");
    return std::nullopt;
  }
  return seconds;
}

}  // namespace

void read_store(reader& r, const YAML::Node& node, store_config& out) {
  r.fields(node, "store", {
    {"backend", [&](const entry& e) {
       assign(out.backend, r.one_of(e.value, e.path, store_backend_names)); }},
    {"path", [&](const entry& e) { assign(out.path, r.text(e.value, e.path)); }},
    {"sync", [&](const entry& e) {
       assign(out.sync, r.one_of(e.value, e.path, store_sync_names)); }},
    {"dead_max_jobs", [&](const entry& e) {
       assign(out.dead_max_jobs, r.integer(e.value, e.path, dead_max_jobs_range)); }},
    {"dead_max_age", [&](const entry& e) {
       assign(out.dead_max_age_s, read_max_age(r, e)); }},
    {"finished_max_jobs", [&](const entry& e) {
       assign(out.finished_max_jobs, r.integer(e.value, e.path, finished_max_jobs_range)); }},
    {"finished_max_age", [&](const entry& e) {
       assign(out.finished_max_age_s, read_max_age(r, e)); }},
  });
}

void read_node(reader& r, const YAML::Node& node, node_config& out) {
  r.fields(node, "node", {
    {"name", [&](const entry& e) { assign(out.name, r.text(e.value, e.path)); }},
    {"role", [&](const entry& e) {
       assign(out.role, r.one_of(e.value, e.path, node_role_names)); }},
    {"inject_host", [&](const entry& e) { assign(out.inject_host, r.text(e.value, e.path)); }},
    {"inject_port", [&](const entry& e) {
       assign(out.inject_port, r.integer(e.value, e.path, port_range)); }},
    {"max_pending", [&](const entry& e) {
       assign(out.max_pending, r.integer(e.value, e.path, max_pending_range)); }},
    {"scheduler", [&](const entry& e) {
       assign(out.scheduler, r.one_of(e.value, e.path, scheduler_policy_names)); }},
    {"scheduler_threads", [&](const entry& e) {
       assign(out.scheduler_threads, r.integer(e.value, e.path, scheduler_threads_range)); }},
    {"max_written_off_threads", [&](const entry& e) {
       assign(out.max_written_off_threads, r.integer(e.value, e.path, written_off_range)); }},
    {"cluster_host", [&](const entry& e) { assign(out.cluster_host, r.text(e.value, e.path)); }},
    {"cluster_port", [&](const entry& e) {
       assign(out.cluster_port, r.integer(e.value, e.path, port_range)); }},
    {"join", [&](const entry& e) {
       auto text = r.text(e.value, e.path);
       if (text && !text->empty() && !join_address(*text)) {
         r.fail(e.path, "must be HOST:PORT with a port from 1 to 65535 (got \"" + *text + "\")");
         return;
       }
       assign(out.join, text); }},
    {"run_kinds", [&](const entry& e) { assign(out.run_kinds, r.text(e.value, e.path)); }},
    {"heartbeat_interval_ms", [&](const entry& e) {
       assign(out.heartbeat_interval_ms, r.integer(e.value, e.path, heartbeat_range)); }},
    {"connection_timeout_ms", [&](const entry& e) {
       assign(out.connection_timeout_ms, r.integer(e.value, e.path, link_timeout_range)); }},
    {"rejoin_min_ms", [&](const entry& e) {
       assign(out.rejoin_min_ms, r.integer(e.value, e.path, rejoin_range)); }},
    {"rejoin_max_ms", [&](const entry& e) {
       assign(out.rejoin_max_ms, r.integer(e.value, e.path, rejoin_range)); }},
  });

}

}  // namespace meshjobs::config_detail
