#include "store/sqlite_schema.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "store/sqlite_job_row.hpp"

namespace meshjobs {
namespace {

// migrations[v] upgrades a file from version v to v + 1. A released step never changes; a
// new version appends one.
constexpr std::array<const char*, sqlite_schema_version> migrations{{
  "CREATE TABLE jobs ("
  "  id INTEGER PRIMARY KEY,"
  "  kind TEXT NOT NULL, queue TEXT NOT NULL, args TEXT NOT NULL,"
  "  priority INTEGER NOT NULL, attempt INTEGER NOT NULL, max_attempts INTEGER NOT NULL,"
  "  recoveries INTEGER NOT NULL, state TEXT NOT NULL, unique_mode TEXT NOT NULL,"
  "  unique_key TEXT NOT NULL,"
  "  enqueued_at INTEGER NOT NULL, run_at INTEGER NOT NULL, started_at INTEGER NOT NULL,"
  "  finished_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,"
  "  error_kind TEXT NOT NULL, error_message TEXT NOT NULL, error_where TEXT NOT NULL);"
  "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);"
  "CREATE TABLE cron (entry TEXT PRIMARY KEY NOT NULL, last_slot INTEGER NOT NULL);",
  // 2: finished jobs are kept, with their last progress report.
  "ALTER TABLE jobs ADD COLUMN progress INTEGER NOT NULL DEFAULT 0;"
  "ALTER TABLE jobs ADD COLUMN progress_message TEXT NOT NULL DEFAULT '';",
}};

void expect_known_version(const sqlite_db& db, std::int64_t version) {
  if (version > sqlite_schema_version)
    throw std::runtime_error(db.error("schema version " + std::to_string(version)
                                      + " is newer than this meshjobs supports ("
                                      + std::to_string(sqlite_schema_version) + ")"));
  if (version < 0)
    throw std::runtime_error(db.error("schema version " + std::to_string(version)
                                      + " was not written by meshjobs"));
}

void load_jobs(sqlite_db& db, const std::function<void(job&&)>& add) {
  std::string sql = std::string("SELECT ") + job_row_columns + " FROM jobs ORDER BY id";
  sqlite_statement rows = db.prepare(sql.c_str());
  int rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW)
    add(read_job_row(rows.get(), db.path()));
  if (rc != SQLITE_DONE)
    db.fail();
}

std::map<std::string, timestamp> load_cron(sqlite_db& db) {
  std::map<std::string, timestamp> cron;
  sqlite_statement rows = db.prepare("SELECT entry, last_slot FROM cron");
  int rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW)
    cron[reinterpret_cast<const char*>(sqlite3_column_text(rows.get(), 0))] =
      sqlite3_column_int64(rows.get(), 1);
  if (rc != SQLITE_DONE)
    db.fail();
  return cron;
}

// The high-water mark alone is not enough for a file whose meta row was lost or edited, and
// the highest row alone forgets ids of deleted jobs: take the larger.
job_id load_next_id(sqlite_db& db) {
  auto high_water = db.query_int("SELECT value FROM meta WHERE key = 'next_id'").value_or(1);
  auto highest_row = db.query_int("SELECT coalesce(max(id), 0) FROM jobs").value_or(0);
  return static_cast<job_id>(std::max<std::int64_t>({high_water, highest_row + 1, 1}));
}

}  // namespace

void configure_sqlite(sqlite_db& db, store_sync sync) {
  auto mode = db.query_text("PRAGMA journal_mode = WAL");
  if (mode != "wal")
    throw std::runtime_error(db.error("cannot use the WAL journal (journal_mode is "
                                      + mode.value_or("unknown") + ")"));
  db.exec(sync == store_sync::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

void migrate_sqlite_schema(sqlite_db& db) {
  // IMMEDIATE: two processes opening one fresh file must not both create the tables.
  db.exec("BEGIN IMMEDIATE");
  std::int64_t version = db.query_int("PRAGMA user_version").value_or(0);
  expect_known_version(db, version);
  for (auto v = static_cast<std::size_t>(version); v < migrations.size(); ++v)
    db.exec(migrations[v]);
  if (version < sqlite_schema_version)
    db.exec(("PRAGMA user_version = " + std::to_string(sqlite_schema_version)).c_str());
  db.exec("COMMIT");
}

void probe_sqlite_write(sqlite_db& db, job_id next_id) {
  try {
    db.exec("BEGIN IMMEDIATE");
    db.exec(("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', "
             + std::to_string(next_id) + ")").c_str());
    db.exec("COMMIT");
  } catch (const std::runtime_error&) {
    const std::string reason = sqlite3_errmsg(db.handle());
    if (!sqlite3_get_autocommit(db.handle()))
      sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw std::runtime_error(db.error("cannot write (" + reason + "): a node on it would keep "
                                      "nothing it is given, so it does not start"));
  }
}

journal_contents load_sqlite_contents(sqlite_db& db, const std::function<void(job&&)>& add) {
  load_jobs(db, add);
  return journal_contents{load_cron(db), load_next_id(db)};
}

}  // namespace meshjobs
