// The readers of the config's sections. The Sidekiq ones (queues, limits, schedule) live in
// queues.cpp and schedule.cpp, meshjobs' own (store, node) in meshjobs_sections.cpp, the mesh pipeline's in mesh_sections.cpp.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "meshjobs/config/config.hpp"
#include "reader.hpp"

namespace meshjobs::config_detail {

/// The queue names that limits and schedule entries may refer to; nullopt when `queues`
/// itself could not be read, so its one error does not cascade into one per reference.
/// A set: a config may list many queues, and each reference is one lookup.
using queue_names = std::optional<std::set<std::string>>;

queue_names names_of(const std::vector<queue_config>& queues);

queue_names read_queues(reader& r, const YAML::Node& node, std::vector<queue_config>& out);

void read_limits(reader& r, const YAML::Node& node, const queue_names& queues,
                 std::map<std::string, int>& out);

void read_schedule(reader& r, const YAML::Node& node, const queue_names& queues,
                   std::vector<cron_entry_config>& out);

/// An error at `key` unless `name` is one of `queues`.
void check_known_queue(reader& r, const std::string& name, const std::string& key,
                       const queue_names& queues);

void read_store(reader& r, const YAML::Node& node, store_config& out);

void read_node(reader& r, const YAML::Node& node, node_config& out);

void read_mesh_service(reader& r, const YAML::Node& node, mesh_service_config& out);
void read_storage(reader& r, const YAML::Node& node, storage_config& out);
void read_notifications(reader& r, const YAML::Node& node, notifications_config& out);
void read_metrics(reader& r, const YAML::Node& node, metrics_config& out);
void read_http(reader& r, const YAML::Node& node, http_config& out);
void read_security(reader& r, const YAML::Node& node, security_config& out);
void read_batch(reader& r, const YAML::Node& node, batch_config& out);
/// BATCH_CONCURRENCY's text into `out`, or why it is not a valid concurrency.
std::optional<std::string> batch_concurrency_from_env(const char* text, std::int64_t& out);

}  // namespace meshjobs::config_detail
