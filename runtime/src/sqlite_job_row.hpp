// How a job maps to a row of the `jobs` table: one place for the column list, the writer's
// binding and the loader's reading, so the three cannot drift apart.
#pragma once

#include <sqlite3.h>

#include <string>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

/// The columns, in the order bind_job_row binds (?1..) and read_job_row reads (0..) them.
extern const char* const job_row_columns;
inline constexpr int job_row_column_count = 19;

/// Binds every field of `j`. Text is bound without copying: `j` must outlive the step.
void bind_job_row(sqlite3_stmt* statement, const job& j);

/// Reads the current row. Throws std::runtime_error naming `path` and the job for a state or
/// unique mode this meshjobs does not know.
job read_job_row(sqlite3_stmt* statement, const std::string& path);

}  // namespace meshjobs
