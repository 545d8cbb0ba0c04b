// Domain records on a SQLite connection: their schemas' versions and migrations, the writes
// that ride along with a commit, and queries. Shared by both stores (the memory store keeps
// its records in an in-memory database).
#pragma once

#include <string>
#include <vector>

#include "meshjobs/records.hpp"
#include "store/sqlite_db.hpp"

namespace meshjobs {

/// Brings every schema to its latest version, each in a transaction of its own. Throws
/// std::runtime_error naming the schema, the step and SQLite's reason, or a version newer than
/// `migrations` knows.
void migrate_records(sqlite_db& db, const std::vector<record_schema>& schemas);

/// Runs each write in a savepoint inside the caller's transaction. A write that fails (bad
/// SQL, a constraint) is rolled back alone, logged with its statement and dropped, so one bad
/// write never blocks the jobs' durability. Returns how many were dropped.
std::size_t apply_record_writes(sqlite_db& db, const std::vector<record_write>& writes);

/// Runs a query and returns its rows. Throws std::runtime_error naming the query and the reason.
std::vector<record_row> query_records(sqlite_db& db, const std::string& sql,
                                      const std::vector<record_value>& params);

}  // namespace meshjobs
