// Reading JSON with simdjson's DOM API: the whole input is validated in one pass, so a
// document that parses is known to be well-formed JSON before any member is read.
#include "meshjobs/messages/json.hpp"

#include <simdjson.h>

#include <iterator>
#include <utility>

namespace meshjobs::json {
namespace {

// simdjson gives a message per error code but not the code's name, which is what people search for.
constexpr std::string_view error_code_names[] = {
  "SUCCESS", "CAPACITY", "MEMALLOC", "TAPE_ERROR", "DEPTH_ERROR", "STRING_ERROR",
  "T_ATOM_ERROR", "F_ATOM_ERROR", "N_ATOM_ERROR", "NUMBER_ERROR", "UTF8_ERROR",
  "UNINITIALIZED", "EMPTY", "UNESCAPED_CHARS", "UNCLOSED_STRING", "UNSUPPORTED_ARCHITECTURE",
  "INCORRECT_TYPE", "NUMBER_OUT_OF_RANGE", "INDEX_OUT_OF_BOUNDS", "NO_SUCH_FIELD", "IO_ERROR",
  "INVALID_JSON_POINTER", "INVALID_URI_FRAGMENT", "UNEXPECTED_ERROR", "PARSER_IN_USE",
  "OUT_OF_ORDER_ITERATION", "INSUFFICIENT_PADDING", "INCOMPLETE_ARRAY_OR_OBJECT",
  "SCALAR_DOCUMENT_AS_VALUE", "OUT_OF_BOUNDS", "TRAILING_CONTENT",
};
static_assert(std::size(error_code_names) == simdjson::NUM_ERROR_CODES,
              "error_code_names must follow simdjson::error_code");

std::string_view type_name(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  switch (type) {
    case element_type::ARRAY: return "array";
    case element_type::OBJECT: return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "number";
    case element_type::STRING: return "string";
    case element_type::BOOL: return "boolean";
    case element_type::NULL_VALUE: return "null";
  }
  return "unknown value";
}

parse_error named_error(std::string_view what, std::string_view reason) {
  std::string message{what};
  message += ": ";
  message += reason;
  return parse_error{std::move(message)};
}

parse_error syntax_error(std::string_view what, simdjson::error_code code) {
  if (code == simdjson::EMPTY)
    return named_error(what, "empty");
  std::string reason = "not valid JSON (";
  reason += error_code_names[code];
  reason += ": ";
  reason += simdjson::error_message(code);
  reason += ")";
  return named_error(what, reason);
}

parse_error not_an_object(std::string_view what, simdjson::dom::element_type type) {
  std::string reason = "must be a JSON object (got ";
  reason += type_name(type);
  reason += ")";
  return named_error(what, reason);
}

// The parser copies `text` into its own padded buffer (simdjson reads past the end in SIMD
// blocks), so the caller's text need not outlive the parse nor carry padding.
std::optional<parse_error> parse_object_into(simdjson::dom::parser& parser, std::string_view text,
                                             std::string_view what, simdjson::dom::object& out) {
  simdjson::dom::element root;
  if (auto code = parser.parse(text.data(), text.size()).get(root))
    return syntax_error(what, code);
  if (root.get(out))
    return not_an_object(what, root.type());
  return std::nullopt;
}

}  // namespace

std::optional<parse_error> check_object(std::string_view text, std::string_view what) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  return parse_object_into(parser, text, what, root);
}

// The root object points into the parser's tape, so both live together behind one pointer.
struct object::impl {
  simdjson::dom::parser parser;
  simdjson::dom::object root;

  template <class T>
  std::optional<T> member_as(std::string_view key) const {
    T value;
    if (root.at_key(key).get(value))
      return std::nullopt;
    return value;
  }
};

std::variant<object, parse_error> object::parse(std::string_view text, std::string_view what) {
  auto state = std::make_unique<impl>();
  if (auto error = parse_object_into(state->parser, text, what, state->root))
    return std::move(*error);
  return object{std::move(state)};
}

object::object(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
object::object(object&&) noexcept = default;
object& object::operator=(object&&) noexcept = default;
object::~object() = default;

bool object::has(std::string_view key) const {
  return impl_->member_as<simdjson::dom::element>(key).has_value();
}

std::optional<std::string> object::get_string(std::string_view key) const {
  if (auto text = impl_->member_as<std::string_view>(key))
    return std::string{*text};
  return std::nullopt;
}

// simdjson refuses a double or an unsigned value above INT64_MAX here, which is the contract.
std::optional<std::int64_t> object::get_int(std::string_view key) const {
  return impl_->member_as<std::int64_t>(key);
}

// simdjson converts integer members to double here, which is the contract.
std::optional<double> object::get_double(std::string_view key) const {
  return impl_->member_as<double>(key);
}

std::optional<bool> object::get_bool(std::string_view key) const {
  return impl_->member_as<bool>(key);
}

std::optional<std::string> object::get_raw(std::string_view key) const {
  if (auto member = impl_->member_as<simdjson::dom::element>(key))
    return simdjson::minify(*member);
  return std::nullopt;
}

std::optional<std::vector<std::string>> object::get_string_array(std::string_view key) const {
  auto array = impl_->member_as<simdjson::dom::array>(key);
  if (!array)
    return std::nullopt;
  std::vector<std::string> out;
  out.reserve(array->size());
  for (auto item : *array) {
    std::string_view text;
    if (item.get(text))
      return std::nullopt;
    out.emplace_back(text);
  }
  return out;
}

std::vector<std::string> object::keys() const {
  std::vector<std::string> names;
  names.reserve(impl_->root.size());
  for (const auto& field : impl_->root)
    names.emplace_back(field.key);
  return names;
}

}  // namespace meshjobs::json
