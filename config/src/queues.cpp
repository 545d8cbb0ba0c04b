// `queues` and `limits`, as Sidekiq writes them.
#include <unordered_map>

#include "core_schema.hpp"
#include "sections.hpp"

namespace meshjobs::config_detail {
namespace {

constexpr std::string_view queues_key = "queues";
constexpr std::string_view queue_forms =
  "a queue: name, [name, weight] or {name: ..., weight: ...}";
constexpr int_range weight_range{1, int_max};
constexpr int_range limit_range{1, int_max};
/// Suggesting the closest name compares with each one: past this many queues, no suggestion.
constexpr std::size_t max_suggestion_candidates = 1000;

queue_config with_weight(std::string name, const std::optional<std::int64_t>& weight) {
  return {std::move(name), weight ? static_cast<int>(*weight) : 1};
}

// `[critical, 10]`: errors stay on the item's key, naming the part, as Sidekiq users think of
// the pair as one value.
std::optional<queue_config> read_pair(reader& r, const YAML::Node& item, const std::string& path) {
  if (item.size() != 2) {
    r.fail(path, "expected [name, weight], found a list of " + std::to_string(item.size())
                   + " items");
    return std::nullopt;
  }
  const auto name = r.text(item[0], path, "name");
  const auto weight = r.integer(item[1], path, weight_range, "weight");
  if (!name)
    return std::nullopt;
  return with_weight(*name, weight);
}

std::optional<queue_config> read_map_form(reader& r, const YAML::Node& item,
                                          const std::string& path) {
  bool name_given = false;
  std::optional<std::string> name;
  std::optional<std::int64_t> weight;
  r.fields(item, path, {
    {"name", [&](const entry& e) { name_given = true; name = r.text(e.value, e.path); }},
    {"weight", [&](const entry& e) { weight = r.integer(e.value, e.path, weight_range); }},
  });
  if (!name_given)
    r.fail(child_path(path, "name"), "required: the queue's name");
  if (!name)
    return std::nullopt;
  return with_weight(*name, weight);
}

std::optional<queue_config> read_queue(reader& r, const YAML::Node& item,
                                       const std::string& path) {
  if (item.IsSequence())
    return read_pair(r, item, path);
  if (item.IsMap())
    return read_map_form(r, item, path);
  if (item.IsScalar()) {
    const auto name = r.text(item, path, "name");
    return name ? std::optional<queue_config>(queue_config{*name, 1}) : std::nullopt;
  }
  r.wrong_type(path, queue_forms, item);
  return std::nullopt;
}

}  // namespace

queue_names names_of(const std::vector<queue_config>& queues) {
  std::set<std::string> names;
  for (const auto& q : queues)
    names.insert(q.name);
  return names;
}

queue_names read_queues(reader& r, const YAML::Node& node, std::vector<queue_config>& out) {
  const std::string path(queues_key);
  if (node.IsNull() || (node.IsSequence() && node.size() == 0)) {
    r.fail(path, "must list at least one queue, e.g. - [default, 1]");
    return std::nullopt;
  }
  if (!node.IsSequence()) {
    r.wrong_type(path, "a list of queues", node);
    return std::nullopt;
  }
  out.clear();
  std::unordered_map<std::string, std::size_t> position_of;  // name -> its first item
  std::size_t i = 0;
  for (const auto& item_node : node) {
    const std::string item = item_path(path, i);
    const auto queue = read_queue(r, item_node, item);
    if (queue) {
      const auto [first, added] = position_of.emplace(queue->name, i);
      if (added)
        out.push_back(*queue);
      else
        r.fail(item, "queue " + json_quote(queue->name) + " is listed twice (also "
                       + item_path(path, first->second) + "); keep one");
    }
    ++i;
  }
  return names_of(out);
}

void read_limits(reader& r, const YAML::Node& node, const queue_names& queues,
                 std::map<std::string, int>& out) {
  const auto limits = r.entries(node, "limits");
  if (!limits)
    return;
  for (const auto& e : *limits) {
    check_known_queue(r, e.key, e.path, queues);
    if (const auto limit = r.integer(e.value, e.path, limit_range))
      out[e.key] = static_cast<int>(*limit);
  }
}

void check_known_queue(reader& r, const std::string& name, const std::string& key,
                       const queue_names& queues) {
  if (!queues || queues->count(name) != 0)
    return;
  const std::string reason = "no queue named " + json_quote(name) + " in queues";
  if (queues->size() > max_suggestion_candidates) {
    r.fail(key, reason);
    return;
  }
  const std::vector<std::string_view> known(queues->begin(), queues->end());
  r.fail(key, with_suggestion(reason, name, known));
}

}  // namespace meshjobs::config_detail
