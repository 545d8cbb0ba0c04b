// Domain records: the rows that modules outside the runtime (meshes, batches) keep in the
// node's store, written as SQL statements with bound values so that a job's outcome and the
// change of its record commit in one transaction, and so that they can cross nodes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace meshjobs {

/// One SQL value: NULL, an integer, a real or a text (a blob is a text of any bytes).
struct record_value {
  enum class type : std::uint8_t { null, integer, real, text };
  type kind = type::null;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;

  static record_value of(std::int64_t v) { return {type::integer, v, 0, {}}; }
  static record_value of(int v) { return of(static_cast<std::int64_t>(v)); }
  static record_value of(double v) { return {type::real, 0, v, {}}; }
  static record_value of(std::string v) { return {type::text, 0, 0, std::move(v)}; }
  static record_value of(const char* v) { return of(std::string(v)); }
  bool operator==(const record_value& o) const {
    return kind == o.kind && integer == o.integer && real == o.real && text == o.text;
  }
};

/// A statement that changes records (INSERT, UPDATE, DELETE), its `?` parameters bound in order.
struct record_write {
  std::string sql;
  std::vector<record_value> params;
};

/// One row a query returned, its columns in the order the query selects them.
using record_row = std::vector<record_value>;

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_value& x) {
  return f(x.kind, x.integer, x.real, x.text);
}

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, record_write& x) {
  return f(x.sql, x.params);
}

}  // namespace meshjobs
