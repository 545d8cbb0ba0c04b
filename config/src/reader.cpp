#include "reader.hpp"

#include <algorithm>
#include <cctype>
#include <numeric>
#include <unordered_map>

#include "core_schema.hpp"

namespace meshjobs::config_detail {
namespace {

constexpr int max_suggestion_distance = 2;

// Sidekiq writes keys as Ruby symbols; yaml-cpp keeps the colon, so `:queues:` is ":queues".
std::string_view without_symbol_colon(std::string_view key) {
  if (!key.empty() && key.front() == ':')
    key.remove_prefix(1);
  return key;
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t substitution = diagonal + (lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1);
      row[j] = std::min({above + 1, row[j - 1] + 1, substitution});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string joined(const std::vector<std::string_view>& words) {
  std::string out;
  for (const auto word : words) {
    if (!out.empty())
      out += ", ";
    out += word;
  }
  return out;
}

std::string unknown_key_reason(std::string_view key, const std::vector<std::string_view>& known) {
  if (const auto suggestion = closest(key, known))
    return "unknown key (did you mean " + json_quote(*suggestion) + "?)";
  return "unknown key (expected one of " + joined(known) + ")";
}

std::string range_rule(int_range range, bool too_small) {
  if (range.max < int_max)
    return "must be from " + std::to_string(range.min) + " to " + std::to_string(range.max);
  if (!too_small)
    return "must be at most " + std::to_string(range.max);
  return range.min == 1 ? "must be > 0" : "must be >= " + std::to_string(range.min);
}

std::optional<std::int64_t> seconds_per(char unit) {
  switch (unit) {
    case 's': return 1;
    case 'm': return 60;
    case 'h': return 3600;
    case 'd': return 86400;
    default: return std::nullopt;
  }
}

std::optional<std::int64_t> parse_duration(std::string_view text) {
  if (text.size() < 2)
    return std::nullopt;
  const auto unit = seconds_per(text.back());
  const auto count = integer_value(text.substr(0, text.size() - 1));
  const bool plain_digits = std::isdigit(static_cast<unsigned char>(text.front())) != 0;
  if (!unit || !count || !plain_digits || *count > int64_max / *unit)
    return std::nullopt;
  return *count * *unit;
}

}  // namespace

std::string child_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string item_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::optional<std::string_view> closest(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = max_suggestion_distance + 1;
  for (const auto candidate : candidates) {
    const std::size_t distance = edit_distance(word, candidate);
    if (distance < best_distance) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

std::string with_suggestion(std::string reason, std::string_view word,
                            const std::vector<std::string_view>& candidates) {
  if (const auto suggestion = closest(word, candidates))
    reason += " (did you mean " + json_quote(*suggestion) + "?)";
  return reason;
}

void reader::fail(const std::string& key, std::string reason) {
  errors_.push_back({key.empty() ? source_ : key, std::move(reason)});
}

void reader::wrong_type(const std::string& key, std::string_view expected,
                        const YAML::Node& found) {
  fail(key, "expected " + std::string(expected) + ", found " + describe(found));
}

std::optional<std::vector<entry>> reader::entries(const YAML::Node& node,
                                                  const std::string& path) {
  if (node.IsNull())
    return std::vector<entry>{};
  if (!node.IsMap()) {
    wrong_type(path, "a map", node);
    return std::nullopt;
  }
  std::vector<entry> out;
  std::vector<std::string> spellings;
  std::unordered_map<std::string, std::size_t> index_of;  // a map may hold many keys
  for (const auto& pair : node) {
    const std::string& spelling = pair.first.Scalar();
    const std::string key(without_symbol_colon(spelling));
    if (!pair.first.IsScalar() || key.empty()) {
      fail(path, "keys must be names, found " + describe(pair.first));
      continue;
    }
    const auto [seen, added] = index_of.emplace(key, out.size());
    if (!added) {
      const auto& same = out[seen->second];
      const std::string& first = spellings[seen->second];
      fail(same.path, first == spelling
                         ? "given twice; keep one"
                         : "given twice, as " + json_quote(first) + " and " + json_quote(spelling)
                             + " (a leading ':' names the same key); keep one");
      continue;
    }
    out.push_back({key, child_path(path, key), pair.second});
    spellings.push_back(spelling);
  }
  return out;
}

bool reader::fields(const YAML::Node& node, const std::string& path,
                    const std::vector<field>& known) {
  const auto list = entries(node, path);
  if (!list)
    return false;
  std::vector<std::string_view> names;
  for (const auto& f : known)
    names.push_back(f.name);
  for (const auto& e : *list) {
    const auto f = std::find_if(known.begin(), known.end(),
                                [&](const field& candidate) { return candidate.name == e.key; });
    if (f != known.end())
      f->read(e);
    else
      fail(e.path, unknown_key_reason(e.key, names));
  }
  return true;
}

std::optional<std::int64_t> reader::integer(const YAML::Node& node, const std::string& key,
                                            int_range range, std::string_view subject) {
  const std::string prefix = subject.empty() ? "" : std::string(subject) + " ";
  if (!node.IsScalar() || resolve(node) != scalar_type::integer) {
    wrong_type(key, "an integer" + (subject.empty() ? "" : " " + std::string(subject)), node);
    return std::nullopt;
  }
  const auto value = integer_value(node.Scalar());
  // Past 64 bits the text's sign says which bound it crossed.
  const bool too_small = value ? *value < range.min : node.Scalar().front() == '-';
  const bool too_large = value ? *value > range.max : !too_small;
  if (too_small || too_large) {
    fail(key, prefix + range_rule(range, too_small) + " (got " + node.Scalar() + ")");
    return std::nullopt;
  }
  return value;
}

std::optional<bool> reader::boolean(const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar() || resolve(node) != scalar_type::boolean) {
    wrong_type(key, "true or false", node);
    return std::nullopt;
  }
  return boolean_value(node.Scalar());
}

std::optional<std::string> reader::text(const YAML::Node& node, const std::string& key,
                                        std::string_view subject) {
  if (!node.IsScalar()) {
    wrong_type(key, subject.empty() ? "a string" : "a " + std::string(subject), node);
    return std::nullopt;
  }
  if (node.Scalar().empty()) {
    fail(key, (subject.empty() ? "" : std::string(subject) + " ") + "must not be empty");
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<std::int64_t> reader::duration(const YAML::Node& node, const std::string& key) {
  if (node.IsScalar() && resolve(node) == scalar_type::integer)
    return integer(node, key, {0, int64_max});
  if (node.IsScalar() && resolve(node) == scalar_type::string)
    if (const auto seconds = parse_duration(node.Scalar()))
      return seconds;
  wrong_type(key, "seconds or a duration such as 30s, 15m, 6h or 180d", node);
  return std::nullopt;
}

std::optional<std::size_t> reader::choice(const YAML::Node& node, const std::string& key,
                                          const std::vector<std::string_view>& names) {
  if (!node.IsScalar()) {
    wrong_type(key, "one of " + joined(names), node);
    return std::nullopt;
  }
  const std::string& word = node.Scalar();
  const auto found = std::find(names.begin(), names.end(), word);
  if (found != names.end())
    return static_cast<std::size_t>(found - names.begin());
  std::string reason = "must be one of " + joined(names) + " (got " + json_quote(word);
  if (const auto suggestion = closest(word, names))
    reason += "; did you mean " + json_quote(*suggestion) + "?";
  fail(key, reason + ")");
  return std::nullopt;
}

}  // namespace meshjobs::config_detail
