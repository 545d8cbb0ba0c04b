// What a meshjobs SQLite file holds and how it is opened: connection settings, the versioned
// schema (PRAGMA user_version) and reading everything back at start.
#pragma once

#include <functional>
#include <string>

#include "meshjobs/config/config.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_journal.hpp"

namespace meshjobs {

inline constexpr int sqlite_schema_version = 2;

/// WAL journal and the synchronous level `sync` asks for. Throws when the file is not a
/// database or WAL cannot be enabled.
void configure_sqlite(sqlite_db& db, store_sync sync);

/// Creates the tables in a fresh file or upgrades an older one. Throws for a file written by
/// a newer meshjobs.
void migrate_sqlite_schema(sqlite_db& db);

/// Writes the id high-water mark `next_id` back in a transaction of its own. A file SQLite can
/// read but not write (read-only, on a full or read-only disk, of a newer file format) passes
/// every read at start and fails every commit after: this makes it fail the start instead.
/// Throws std::runtime_error naming the path and the reason.
void probe_sqlite_write(sqlite_db& db, job_id next_id);

/// Hands every job row, as stored, to `add`, in id order; returns the rest.
journal_contents load_sqlite_contents(sqlite_db& db, const std::function<void(job&&)>& add);

}  // namespace meshjobs
