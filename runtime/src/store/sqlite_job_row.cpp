#include "store/sqlite_job_row.hpp"

#include <stdexcept>
#include <string_view>

namespace meshjobs {

const char* const job_row_columns =
  "id, kind, queue, args, priority, attempt, max_attempts, recoveries, state, unique_mode, "
  "unique_key, enqueued_at, run_at, started_at, finished_at, expires_at, "
  "error_kind, error_message, error_where, progress, progress_message";

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

job_row::job_row(const job& j)
  : id_(j.id),
    times_{j.enqueued_at, j.run_at, j.started_at, j.finished_at, j.expires_at},
    numbers_{j.priority, j.attempt, j.max_attempts, j.recoveries, j.progress},
    text_ends_{},
    state_(j.state),
    unique_(j.unique) {
  const std::array<const std::string*, text_field_count> texts{
    &j.kind, &j.queue, &j.args, &j.unique_key,
    &j.last_error.kind, &j.last_error.message, &j.last_error.where, &j.progress_message,
  };
  std::size_t total = 0;
  for (const std::string* t : texts)
    total += t->size();
  texts_.reserve(total);
  for (int f = 0; f < text_field_count; ++f) {
    texts_ += *texts[f];
    text_ends_[f] = static_cast<std::uint32_t>(texts_.size());
  }
}

std::string_view job_row::text(text_field f) const {
  std::uint32_t begin = f == 0 ? 0 : text_ends_[f - 1];
  return std::string_view(texts_).substr(begin, text_ends_[f] - begin);
}

void job_row::bind(sqlite3_stmt* s, int first) const {
  sqlite3_bind_int64(s, first + 1, static_cast<sqlite3_int64>(id_));
  bind_text(s, first + 2, text(kind));
  bind_text(s, first + 3, text(queue));
  bind_text(s, first + 4, text(args));
  for (int n = 0; n < 4; ++n)
    sqlite3_bind_int(s, first + 5 + n, numbers_[n]);
  bind_text(s, first + 9, to_string(state_));
  bind_text(s, first + 10, to_string(unique_));
  bind_text(s, first + 11, text(unique_key));
  for (int t = 0; t < 5; ++t)
    sqlite3_bind_int64(s, first + 12 + t, times_[t]);
  bind_text(s, first + 17, text(error_kind));
  bind_text(s, first + 18, text(error_message));
  bind_text(s, first + 19, text(error_where));
  sqlite3_bind_int(s, first + 20, numbers_[4]);
  bind_text(s, first + 21, text(progress_message));
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
  j.progress = sqlite3_column_int(s, 19);
  j.progress_message = column_text(s, 20);
  return j;
}

}  // namespace meshjobs
