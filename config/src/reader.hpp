// Reads typed values out of YAML nodes. Each value is named by its full key path
// ("store.backend", "queues[2]"), and every problem is collected rather than the first one
// stopping the load, so a user fixes a config in one pass.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "enum_names.hpp"
#include "meshjobs/config/loader.hpp"

namespace meshjobs::config_detail {

/// One entry of a YAML map, its key without the leading ':' of a Ruby symbol.
struct entry {
  std::string key;
  std::string path;  ///< the full key path, e.g. "store.backend"
  YAML::Node value;
};

/// A key a section knows, and what to do with its value.
struct field {
  std::string_view name;
  std::function<void(const entry&)> read;
};

struct int_range {
  std::int64_t min;
  std::int64_t max;
};

inline constexpr std::int64_t int_max = std::numeric_limits<int>::max();
inline constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

std::string child_path(const std::string& parent, std::string_view key);
std::string item_path(const std::string& parent, std::size_t index);

/// The candidate within edit distance 2 of `word` (ignoring case), closest first.
std::optional<std::string_view> closest(std::string_view word,
                                        const std::vector<std::string_view>& candidates);

/// `reason` followed by ` (did you mean "x"?)` when a candidate is close to `word`.
std::string with_suggestion(std::string reason, std::string_view word,
                            const std::vector<std::string_view>& candidates);

class reader {
 public:
  reader(std::vector<config_error>& errors, std::string_view source)
      : errors_(errors), source_(source) {}

  void fail(const std::string& key, std::string reason);
  void wrong_type(const std::string& key, std::string_view expected, const YAML::Node& found);
  std::size_t error_count() const { return errors_.size(); }

  /// A map's entries in file order (null reads as an empty map); nullopt when `node` is no map.
  std::optional<std::vector<entry>> entries(const YAML::Node& node, const std::string& path);

  /// Hands each entry of a map to the field of that name; other keys are errors.
  /// False when `node` is no map.
  bool fields(const YAML::Node& node, const std::string& path, const std::vector<field>& known);

  /// `subject` names the value inside its key, as in `queues[2]: weight must be > 0`.
  std::optional<std::int64_t> integer(const YAML::Node& node, const std::string& key,
                                      int_range range, std::string_view subject = {});
  std::optional<bool> boolean(const YAML::Node& node, const std::string& key);
  /// Any non-empty scalar: unquoted `2024` is a fine name.
  std::optional<std::string> text(const YAML::Node& node, const std::string& key,
                                  std::string_view subject = {});
  /// Seconds as an integer, or a count with a unit: 30s, 15m, 6h, 180d.
  std::optional<std::int64_t> duration(const YAML::Node& node, const std::string& key);

  template <class Enum, std::size_t N>
  std::optional<Enum> one_of(const YAML::Node& node, const std::string& key,
                             const name_table<Enum, N>& table) {
    std::vector<std::string_view> names;
    for (const auto& [value, name] : table)
      names.push_back(name);
    const auto index = choice(node, key, names);
    if (!index)
      return std::nullopt;
    return table[*index].first;
  }

 private:
  std::optional<std::size_t> choice(const YAML::Node& node, const std::string& key,
                                    const std::vector<std::string_view>& names);

  std::vector<config_error>& errors_;
  std::string source_;
};

/// Stores a value that was read successfully; a failed read leaves the default in place.
template <class T, class U>
void assign(T& target, const std::optional<U>& value) {
  if (value)
    target = static_cast<T>(*value);
}

}  // namespace meshjobs::config_detail
