#include "cluster_file.hpp"

#include <filesystem>
#include <map>
#include <stdexcept>
#include <optional>
#include <tuple>

#include "core_schema.hpp"
#include "link/node_link_setup.hpp"
#include "reader.hpp"
#include "yaml_document.hpp"

namespace meshjobs::cluster {
namespace {

using namespace config_detail;

constexpr yaml_document_kind cluster_file_kind{"a cluster file"};
constexpr int_range port_range{1, 65535};
constexpr std::size_t max_name_length = 64;
constexpr name_table<node_role, 2> role_names{{
  {node_role::head, "head"},
  {node_role::worker, "worker"},
}};

/// A node's name becomes its run directory and its log prefix: plain characters only.
std::optional<std::string> name_problem(const std::string& name) {
  bool plain = name.size() <= max_name_length;
  for (char c : name)
    plain = plain && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '_' || c == '-');
  if (plain && name != "." && name != "..")
    return std::nullopt;
  return "must be letters, digits, '.', '_' or '-', at most " + std::to_string(max_name_length)
         + " characters (got " + json_quote(name) + ")";
}

/// What one item of `nodes` says, before the checks that compare nodes.
struct node_entry {
  node_plan plan;
  std::string path;  ///< "nodes[1]"
  bool complete = false;  ///< every key of it read without an error
  bool role_known = false;
  bool host_known = false;
  bool has_cluster_port = false;
  bool has_inject_port = false;
};

node_entry read_node(reader& r, const YAML::Node& item, const std::string& path) {
  node_entry out;
  out.path = path;
  auto& plan = out.plan;
  std::optional<std::string> name, host;
  std::optional<node_role> role;
  bool name_given = false, role_given = false, host_given = false;
  const auto before = r.error_count();
  auto port = [&](const entry& e, std::uint16_t& target, bool& given) {
    given = true;
    assign(target, r.integer(e.value, e.path, port_range));
  };
  const bool is_map = r.fields(item, path, {
    {"name", [&](const entry& e) {
       name_given = true;
       name = r.text(e.value, e.path);
       if (name && name_problem(*name))
         r.fail(e.path, *name_problem(*name));
     }},
    {"role", [&](const entry& e) {
       role_given = true;
       role = r.one_of(e.value, e.path, role_names);
     }},
    {"host", [&](const entry& e) {
       host_given = true;
       host = r.text(e.value, e.path);
     }},
    {"cluster_port", [&](const entry& e) { port(e, plan.cluster_port, out.has_cluster_port); }},
    {"inject_port", [&](const entry& e) { port(e, plan.inject_port, out.has_inject_port); }},
    {"keys", [&](const entry& e) { assign(plan.keys, r.text(e.value, e.path)); }},
    {"config", [&](const entry& e) { assign(plan.config, r.text(e.value, e.path)); }},
    {"run_kinds", [&](const entry& e) { assign(plan.run_kinds, r.text(e.value, e.path)); }},
  });
  if (!is_map)
    return out;
  for (auto [given, key, what] : {std::tuple{name_given, "name", "the node's name, e.g. w1"},
                                  std::tuple{role_given, "role", "head or worker"},
                                  std::tuple{host_given, "host", "where it runs, e.g. 127.0.0.1"}}) {
    if (!given)
      r.fail(child_path(path, key), std::string{"required: "} + what);
  }
  assign(plan.name, name);
  assign(plan.role, role);
  assign(plan.host, host);
  out.complete = r.error_count() == before;
  out.role_known = role.has_value();
  out.host_known = host.has_value();
  return out;
}

void check_ports(reader& r, const node_entry& node) {
  const bool head = node.plan.role == node_role::head;
  for (auto [given, key] : {std::pair{node.has_cluster_port, "cluster_port"},
                            std::pair{node.has_inject_port, "inject_port"}}) {
    if (head && !given)
      r.fail(child_path(node.path, key), "required for the head: a port from 1 to 65535");
    if (!head && given)
      r.fail(child_path(node.path, key), "only the head listens; a worker joins the head's cluster_port");
  }
  if (head && node.has_cluster_port && node.has_inject_port &&
      node.plan.cluster_port == node.plan.inject_port)
    r.fail(child_path(node.path, "inject_port"),
           "must differ from cluster_port (both " + std::to_string(node.plan.cluster_port) + ")");
}

void check_names_and_head(reader& r, const std::vector<node_entry>& nodes) {
  std::map<std::string, std::string> path_of_name;
  const node_entry* head = nullptr;
  for (const auto& node : nodes) {
    const auto [first, added] = path_of_name.emplace(node.plan.name, node.path);
    if (!added)
      r.fail(child_path(node.path, "name"),
             json_quote(node.plan.name) + " is taken by " + first->second + "; names are unique");
    if (node.plan.role != node_role::head)
      continue;
    if (head != nullptr)
      r.fail(child_path(node.path, "role"), "a second head (" + head->path + " is the head); a cluster has one");
    else
      head = &node;
  }
  if (head == nullptr) {
    r.fail("nodes", "no head: one node needs role: head");
    return;
  }
  if (!is_local_host(head->plan.host))
    return;
  for (const auto& node : nodes)
    if (!is_local_host(node.plan.host))
      r.fail(child_path(node.path, "host"),
             "a node on " + node.plan.host + " cannot reach the head on loopback (" + head->path + ".host is "
               + head->plan.host + "); give the head an address the other hosts can reach");
}

std::string relative_to(const std::filesystem::path& base, const std::string& path) {
  if (path.empty())
    return path;
  return (base / path).lexically_normal().string();
}

/// The node's config as it will run: its file (or the embedded defaults) with --keys applied.
std::optional<config> node_config(reader& r, const node_entry& node) {
  auto result = node.plan.config.empty() ? config_result{default_config(), {}} : load_config_file(node.plan.config);
  for (const auto& e : result.errors)
    r.fail(child_path(node.path, "config"),
           e.key == node.plan.config ? e.key + ": " + e.reason
                                     : node.plan.config + ": " + e.key + ": " + e.reason);
  if (!result.ok())
    return std::nullopt;
  if (!node.plan.keys.empty())
    result.value.security.keys_dir = node.plan.keys;
  return std::move(result.value);
}

// What this machine can check of a local node: its config loads, and the certificates, key
// and secret it names (or its keys directory holds, once made) load and belong together.
void check_local_files(reader& r, node_entry& node, const std::filesystem::path& base) {
  if (!is_local_host(node.plan.host))
    return;
  node.plan.keys = relative_to(base, node.plan.keys);
  node.plan.config = relative_to(base, node.plan.config);
  const auto keys_key = child_path(node.path, "keys");
  std::error_code ec;
  if (!node.plan.keys.empty() && std::filesystem::exists(node.plan.keys, ec) &&
      !std::filesystem::is_directory(node.plan.keys, ec)) {
    r.fail(keys_key, node.plan.keys + " is not a directory");
    return;
  }
  const auto cfg = node_config(r, node);
  // Without either, the keys directory sits beside a store path that is relative to the
  // node's own run directory, which does not exist yet.
  if (!cfg || (node.plan.keys.empty() && cfg->security.ca.empty()))
    return;
  try {
    link::check_link_credentials(*cfg);
  } catch (const std::invalid_argument& e) {
    r.fail(node.plan.keys.empty() ? child_path(node.path, "config") : keys_key, e.what());
  }
}

void read_nodes(reader& r, const YAML::Node& list, const std::filesystem::path& base,
                cluster_plan& out) {
  if (!list.IsSequence() || list.size() == 0) {
    r.fail("nodes", "expected a list of nodes, one of them the head");
    return;
  }
  std::vector<node_entry> nodes;
  bool all_complete = true;
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto node = read_node(r, list[i], item_path("nodes", i));
    all_complete = all_complete && node.complete;
    if (node.role_known)
      check_ports(r, node);
    if (node.host_known)
      check_local_files(r, node, base);
    nodes.push_back(std::move(node));
  }
  // Comparing nodes when one could not be read would report what follows from that one error.
  if (!all_complete)
    return;
  check_names_and_head(r, nodes);
  for (auto& node : nodes)
    out.nodes.push_back(std::move(node.plan));
}

}  // namespace

cluster_file_result read_cluster_file(const std::string& path) {
  cluster_file_result result;
  const auto root = load_yaml_file(path, cluster_file_kind, result.errors);
  if (!root)
    return result;
  reader r(result.errors, path);
  std::optional<YAML::Node> nodes;
  const bool is_map = r.fields(*root, "", {{"nodes", [&](const entry& e) { nodes = e.value; }}});
  if (is_map && !nodes)
    r.fail("nodes", "required: the list of nodes, one of them the head");
  if (nodes)
    read_nodes(r, *nodes, std::filesystem::absolute(path).parent_path(), result.plan);
  return result;
}

void share_local_credentials(cluster_plan& plan, const std::string& default_keys) {
  const auto* head = plan.head();
  const auto& shared = head != nullptr && is_local_host(head->host) && !head->keys.empty() ? head->keys : default_keys;
  for (auto& node : plan.nodes) {
    if (!is_local_host(node.host) || !node.keys.empty())
      continue;
    const auto cfg = node.config.empty() ? default_config() : load_config_file(node.config).value;
    if (cfg.security.keys_dir.empty() && cfg.security.ca.empty())
      node.keys = shared;
  }
}

std::string describe(const config_error& error) {
  return "cluster file: " + error.key + ": " + error.reason;
}

}  // namespace meshjobs::cluster
