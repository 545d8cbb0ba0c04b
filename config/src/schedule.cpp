// `schedule`: Sidekiq cron entries, each naming its job by Ruby class or by meshjobs kind.
#include <cctype>

#include "args_json.hpp"
#include "meshjobs/config/cron_expression.hpp"
#include "core_schema.hpp"
#include "sections.hpp"

namespace meshjobs::config_detail {
namespace {

constexpr std::size_t cron_field_count = 5;
constexpr std::string_view ruby_scope = "::";
constexpr std::string_view job_suffix = "_job";

bool is_upper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }
bool is_lower(char c) { return std::islower(static_cast<unsigned char>(c)) != 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }
bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::vector<std::string_view> split(std::string_view text, std::string_view separator) {
  std::vector<std::string_view> parts;
  for (std::size_t at = text.find(separator); at != std::string_view::npos;
       at = text.find(separator)) {
    parts.push_back(text.substr(0, at));
    text.remove_prefix(at + separator.size());
  }
  parts.push_back(text);
  return parts;
}

// "ThumbnailGeneration" -> "thumbnail_generation", "HTTPClient" -> "http_client".
std::string snake_case(std::string_view camel) {
  std::string out;
  for (std::size_t i = 0; i < camel.size(); ++i) {
    const char c = camel[i];
    if (!is_upper(c)) {
      out += c;
      continue;
    }
    const bool after_word = i > 0 && (is_lower(camel[i - 1]) || is_digit(camel[i - 1]));
    const bool ends_acronym = i > 0 && is_upper(camel[i - 1]) && i + 1 < camel.size()
                              && is_lower(camel[i + 1]);
    if (after_word || ends_acronym)
      out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

std::size_t count_fields(std::string_view text) {
  std::size_t fields = 0;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (!is_space(text[i]) && (i == 0 || is_space(text[i - 1])))
      ++fields;
  return fields;
}

// A Ruby constant path: `Mesh::CleanupJob`, optionally rooted as `::Mesh::CleanupJob`.
bool is_class_name(std::string_view name) {
  if (name.substr(0, ruby_scope.size()) == ruby_scope)
    name.remove_prefix(ruby_scope.size());
  for (const auto part : split(name, ruby_scope)) {
    if (part.empty() || !is_upper(part.front()))
      return false;
    for (const char c : part)
      if (!is_upper(c) && !is_lower(c) && !is_digit(c) && c != '_')
        return false;
  }
  return true;
}

// A meshjobs kind: dot-separated lower-case words, `mesh.cleanup`.
bool is_kind(std::string_view kind) {
  for (const auto part : split(kind, ".")) {
    if (part.empty())
      return false;
    for (const char c : part)
      if (!is_lower(c) && !is_digit(c) && c != '_')
        return false;
  }
  return true;
}

std::optional<std::string> read_cron(reader& r, const entry& e) {
  const auto cron = r.text(e.value, e.path);
  if (!cron)
    return std::nullopt;
  const std::size_t fields = count_fields(*cron);
  if (fields != cron_field_count) {
    r.fail(e.path, "needs " + std::to_string(cron_field_count) + " fields (got "
                     + std::to_string(fields) + ")");
    return std::nullopt;
  }
  // Parsed here, not only by the runtime's cron actor, so a host that embeds meshjobs learns of
  // a bad expression from load_config_file as the daemon does.
  const auto parsed = cron_expression::parse(*cron);
  if (const auto* error = std::get_if<std::string>(&parsed)) {
    r.fail(e.path, *error);
    return std::nullopt;
  }
  return cron;
}

std::optional<std::string> read_class(reader& r, const entry& e) {
  const auto name = r.text(e.value, e.path);
  if (!name)
    return std::nullopt;
  if (!is_class_name(*name)) {
    r.fail(e.path, "must be a Ruby class name such as \"Mesh::CleanupJob\" (got "
                     + json_quote(*name) + ")");
    return std::nullopt;
  }
  return kind_from_class_name(*name);
}

std::optional<std::string> read_kind(reader& r, const entry& e) {
  const auto kind = r.text(e.value, e.path);
  if (!kind)
    return std::nullopt;
  if (!is_kind(*kind)) {
    r.fail(e.path, "must be a job kind such as \"mesh.cleanup\" (got " + json_quote(*kind) + ")");
    return std::nullopt;
  }
  return kind;
}

std::optional<std::string> read_args(reader& r, const entry& e) {
  if (e.value.IsNull())
    return std::string("{}");
  if (!e.value.IsMap()) {
    r.wrong_type(e.path, "a map of named arguments", e.value);
    return std::nullopt;
  }
  return args_to_json(r, e.value, e.path);
}

std::optional<std::string> read_queue_name(reader& r, const entry& e, const queue_names& queues) {
  const auto queue = r.text(e.value, e.path);
  if (queue)
    check_known_queue(r, *queue, e.path, queues);
  return queue;
}

cron_entry_config read_entry(reader& r, const entry& e, const queue_names& queues) {
  cron_entry_config job;
  job.name = e.key;
  bool has_cron = false;
  bool has_class = false;
  bool has_kind = false;
  const bool is_map = r.fields(e.value, e.path, {
    {"cron", [&](const entry& f) { has_cron = true; assign(job.cron, read_cron(r, f)); }},
    {"class", [&](const entry& f) { has_class = true; assign(job.kind, read_class(r, f)); }},
    {"kind", [&](const entry& f) { has_kind = true; assign(job.kind, read_kind(r, f)); }},
    {"args", [&](const entry& f) { assign(job.args, read_args(r, f)); }},
    {"queue", [&](const entry& f) { assign(job.queue, read_queue_name(r, f, queues)); }},
    {"description", [](const entry&) {}},
  });
  if (!is_map)
    return job;
  if (!has_cron)
    r.fail(child_path(e.path, "cron"),
           "required: a 5-field cron expression in UTC, e.g. \"0 2 * * *\"");
  if (has_class && has_kind)
    r.fail(e.path, "give class or kind, not both");
  if (!has_class && !has_kind)
    r.fail(e.path,
           "needs a job: class (e.g. \"Mesh::CleanupJob\") or kind (e.g. \"mesh.cleanup\")");
  return job;
}

}  // namespace

void read_schedule(reader& r, const YAML::Node& node, const queue_names& queues,
                   std::vector<cron_entry_config>& out) {
  const auto entries = r.entries(node, "schedule");
  if (!entries)
    return;
  for (const auto& e : *entries)
    out.push_back(read_entry(r, e, queues));
}

}  // namespace meshjobs::config_detail

namespace meshjobs {

std::string kind_from_class_name(std::string_view class_name) {
  using namespace config_detail;
  const auto parts = split(class_name, ruby_scope);
  std::string kind;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty())
      continue;  // a leading "::" roots the name; it adds no part
    std::string part = snake_case(parts[i]);
    const bool last = i + 1 == parts.size();
    if (last && part.size() > job_suffix.size()
        && part.compare(part.size() - job_suffix.size(), job_suffix.size(), job_suffix) == 0)
      part.resize(part.size() - job_suffix.size());
    if (!kind.empty())
      kind += '.';
    kind += part;
  }
  return kind;
}

}  // namespace meshjobs
