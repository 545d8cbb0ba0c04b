#include "sqlite_job_row.hpp"

#include <stdexcept>
#include <string_view>

namespace meshjobs {

const char* const job_row_columns =
  "id, kind, queue, args, priority, attempt, max_attempts, recoveries, state, unique_mode, "
  "unique_key, enqueued_at, run_at, started_at, finished_at, expires_at, "
  "error_kind, error_message, error_where";

namespace {

void bind_text(sqlite3_stmt* s, int column, std::string_view text) {
  sqlite3_bind_text(s, column, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* s, int column) {
  auto text = reinterpret_cast<const char*>(sqlite3_column_text(s, column));
  return {text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(s, column))};
}

[[noreturn]] void unknown_value(const std::string& path, job_id id, const char* column,
                                const std::string& value) {
  throw std::runtime_error("store: " + path + ": job " + std::to_string(id) + ": unknown "
                           + column + " '" + value
                           + "' (written by a newer meshjobs? upgrade, or delete the row)");
}

}  // namespace

void bind_job_row(sqlite3_stmt* s, const job& j) {
  sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(j.id));
  bind_text(s, 2, j.kind);
  bind_text(s, 3, j.queue);
  bind_text(s, 4, j.args);
  sqlite3_bind_int(s, 5, j.priority);
  sqlite3_bind_int(s, 6, j.attempt);
  sqlite3_bind_int(s, 7, j.max_attempts);
  sqlite3_bind_int(s, 8, j.recoveries);
  bind_text(s, 9, to_string(j.state));
  bind_text(s, 10, to_string(j.unique));
  bind_text(s, 11, j.unique_key);
  sqlite3_bind_int64(s, 12, j.enqueued_at);
  sqlite3_bind_int64(s, 13, j.run_at);
  sqlite3_bind_int64(s, 14, j.started_at);
  sqlite3_bind_int64(s, 15, j.finished_at);
  sqlite3_bind_int64(s, 16, j.expires_at);
  bind_text(s, 17, j.last_error.kind);
  bind_text(s, 18, j.last_error.message);
  bind_text(s, 19, j.last_error.where);
}

job read_job_row(sqlite3_stmt* s, const std::string& path) {
  job j;
  j.id = static_cast<job_id>(sqlite3_column_int64(s, 0));
  j.kind = column_text(s, 1);
  j.queue = column_text(s, 2);
  j.args = column_text(s, 3);
  j.priority = sqlite3_column_int(s, 4);
  j.attempt = sqlite3_column_int(s, 5);
  j.max_attempts = sqlite3_column_int(s, 6);
  j.recoveries = sqlite3_column_int(s, 7);
  std::string state = column_text(s, 8);
  if (auto known = job_state_from_string(state))
    j.state = *known;
  else
    unknown_value(path, j.id, "state", state);
  std::string unique = column_text(s, 9);
  if (auto known = unique_mode_from_string(unique))
    j.unique = *known;
  else
    unknown_value(path, j.id, "unique_mode", unique);
  j.unique_key = column_text(s, 10);
  j.enqueued_at = sqlite3_column_int64(s, 11);
  j.run_at = sqlite3_column_int64(s, 12);
  j.started_at = sqlite3_column_int64(s, 13);
  j.finished_at = sqlite3_column_int64(s, 14);
  j.expires_at = sqlite3_column_int64(s, 15);
  j.last_error.kind = column_text(s, 16);
  j.last_error.message = column_text(s, 17);
  j.last_error.where = column_text(s, 18);
  return j;
}

}  // namespace meshjobs
