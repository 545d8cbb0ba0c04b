#include "args_json.hpp"

#include <charconv>

#include "core_schema.hpp"

namespace meshjobs::config_detail {
namespace {

// yaml-cpp resolves an alias inside its own anchor into a cycle; this bound ends the walk.
constexpr int max_depth = 64;
// An alias repeats its anchor's content wherever it is used, so a few hundred bytes of aliases
// to aliases expand to billions of values: the JSON written is bounded, which bounds the walk.
constexpr std::size_t max_json_bytes = 1024 * 1024;

// JSON has no `+1.5`, `.5` or `1.`: reprint the value in the shortest form that round-trips,
// and keep a float looking like one.
std::optional<std::string> json_float(std::string_view text) {
  if (!text.empty() && text.front() == '+')
    text.remove_prefix(1);
  double value = 0;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), value);
  if (parsed.ec != std::errc{} || parsed.ptr != text.data() + text.size())
    return std::nullopt;
  char buffer[32];
  const auto printed = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string out(buffer, printed.ptr);
  if (out.find_first_of(".e") == std::string::npos)
    out += ".0";
  return out;
}

class json_builder {
 public:
  explicit json_builder(reader& r) : reader_(r) {}

  void value(const YAML::Node& node, const std::string& path, int depth) {
    if (too_large(path))
      return;
    if ((node.IsMap() || node.IsSequence()) && depth > max_depth) {
      reader_.fail(path, "nested deeper than " + std::to_string(max_depth)
                           + " levels (does an alias refer to itself?)");
      return;
    }
    if (node.IsMap())
      object(node, path, depth);
    else if (node.IsSequence())
      array(node, path, depth);
    else
      scalar(node, path);
  }

  void object(const YAML::Node& node, const std::string& path, int depth) {
    const auto members = reader_.entries(node, path);
    out_ += '{';
    for (std::size_t i = 0; members && i < members->size() && !reported_too_large_; ++i) {
      const entry& member = (*members)[i];
      if (i > 0)
        out_ += ',';
      out_ += json_quote(member.key);
      out_ += ':';
      value(member.value, member.path, depth + 1);
    }
    out_ += '}';
  }

  std::string take() { return std::move(out_); }

 private:
  /// True once the JSON passed its bound; the first time, the error names where.
  bool too_large(const std::string& path) {
    if (out_.size() <= max_json_bytes)
      return false;
    if (!reported_too_large_)
      reader_.fail(path, "the arguments expand to more than 1 MiB of JSON (YAML aliases repeat "
                         "their anchor's content each time they are used)");
    reported_too_large_ = true;
    return true;
  }

  void array(const YAML::Node& node, const std::string& path, int depth) {
    out_ += '[';
    for (std::size_t i = 0; i < node.size() && !reported_too_large_; ++i) {
      if (i > 0)
        out_ += ',';
      value(node[i], item_path(path, i), depth + 1);
    }
    out_ += ']';
  }

  void scalar(const YAML::Node& node, const std::string& path) {
    switch (resolve(node)) {
      case scalar_type::null:
        out_ += "null";
        break;
      case scalar_type::boolean:
        out_ += boolean_value(node.Scalar()) ? "true" : "false";
        break;
      case scalar_type::integer:
        integer(node.Scalar(), path);
        break;
      case scalar_type::floating:
        floating(node.Scalar(), path);
        break;
      case scalar_type::string:
        out_ += json_quote(node.Scalar());
        break;
    }
  }

  void integer(const std::string& text, const std::string& path) {
    if (const auto value = integer_value(text))
      out_ += std::to_string(*value);
    else
      reader_.fail(path, "integer does not fit in 64 bits (got " + text
                           + "); quote it to pass it as a string");
  }

  void floating(const std::string& text, const std::string& path) {
    if (const auto number = json_float(text))
      out_ += *number;
    else
      reader_.fail(path, "JSON has no infinity or NaN (got " + text + ")");
  }

  reader& reader_;
  std::string out_;
  bool reported_too_large_ = false;
};

}  // namespace

std::optional<std::string> args_to_json(reader& r, const YAML::Node& map,
                                        const std::string& path) {
  const std::size_t errors_before = r.error_count();
  json_builder builder(r);
  builder.object(map, path, 0);
  if (r.error_count() != errors_before)
    return std::nullopt;
  return builder.take();
}

}  // namespace meshjobs::config_detail
