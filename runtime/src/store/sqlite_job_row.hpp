// How a job maps to a row of the `jobs` table: one place for the column list, the writer's
// binding and the loader's reading, so the three cannot drift apart.
#pragma once

#include <sqlite3.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

/// The columns, in the order a row binds (?1..) and read_job_row reads (0..) them.
extern const char* const job_row_columns;
inline constexpr int job_row_column_count = 21;

/// A job on its way to the writer thread: numbers inline and the eight text fields in one
/// buffer, 136 bytes and no allocation for a typical job, since commits can queue many rows
/// while a transaction runs.
class job_row {
 public:
  explicit job_row(const job& j);

  job_id id() const { return id_; }
  /// Binds every column to parameters first + 1 .. first + job_row_column_count; the text
  /// stays owned by this row, which must outlive the step.
  void bind(sqlite3_stmt* statement, int first = 0) const;

 private:
  enum text_field {
    kind, queue, args, unique_key, error_kind, error_message, error_where, progress_message
  };
  static constexpr int text_field_count = 8;

  std::string_view text(text_field f) const;

  job_id id_;
  std::array<timestamp, 5> times_;       // enqueued, run, started, finished, expires
  std::array<std::int32_t, 5> numbers_;  // priority, attempt, max_attempts, recoveries, progress
  std::array<std::uint32_t, text_field_count> text_ends_;
  job_state state_;
  unique_mode unique_;
  std::string texts_;
};

/// Reads the current row. Throws std::runtime_error naming `path` and the job for a state or
/// unique mode this meshjobs does not know.
job read_job_row(sqlite3_stmt* statement, const std::string& path);

}  // namespace meshjobs
