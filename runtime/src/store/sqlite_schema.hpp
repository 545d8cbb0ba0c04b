// What a meshjobs SQLite file holds and how it is opened: connection settings, the versioned
// schema (PRAGMA user_version) and reading everything back at start.
#pragma once

#include <map>
#include <string>

#include "store/job_table.hpp"
#include "meshjobs/config/config.hpp"
#include "store/sqlite_db.hpp"

namespace meshjobs {

inline constexpr int sqlite_schema_version = 1;

/// WAL journal and the synchronous level `sync` asks for. Throws when the file is not a
/// database or WAL cannot be enabled.
void configure_sqlite(sqlite_db& db, store_sync sync);

/// Creates the tables in a fresh file or upgrades an older one. Throws for a file written by
/// a newer meshjobs.
void migrate_sqlite_schema(sqlite_db& db);

struct sqlite_contents {
  std::map<std::string, timestamp> cron;
  job_id next_id = 1;  ///< above every stored id and the persisted high-water mark
};

/// Writes the id high-water mark `next_id` back in a transaction of its own. A file SQLite can
/// read but not write (read-only, on a full or read-only disk, of a newer file format) passes
/// every read at start and fails every commit after: this makes it fail the start instead.
/// Throws std::runtime_error naming the path and the reason.
void probe_sqlite_write(sqlite_db& db, job_id next_id);

/// Loads every job row, as stored, into `table`; returns the rest.
sqlite_contents load_sqlite_contents(sqlite_db& db, job_table& table);

}  // namespace meshjobs
