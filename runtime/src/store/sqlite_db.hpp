// One SQLite connection with errors that name the database file: every failure becomes
// std::runtime_error("store: <path>: <SQLite's message>").
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace meshjobs {

struct sqlite_statement_finalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using sqlite_statement = std::unique_ptr<sqlite3_stmt, sqlite_statement_finalizer>;

class sqlite_db {
 public:
  /// Opens (creating when missing) `path` for reading and writing. The connection has no
  /// mutex of its own (SQLITE_OPEN_NOMUTEX): its user hands it between threads, never shares
  /// it at once, and saves a lock per bind and step.
  explicit sqlite_db(std::string path);

  sqlite3* handle() const { return db_.get(); }
  const std::string& path() const { return path_; }

  void exec(const char* sql);
  sqlite_statement prepare(const char* sql);
  /// Steps a statement that returns no rows, then resets it for the next use.
  void run(sqlite3_stmt* statement);
  /// The first column of the first row `sql` returns; nullopt when it returns no row.
  std::optional<std::int64_t> query_int(const char* sql);
  std::optional<std::string> query_text(const char* sql);

  /// `store: <path>: <message>`, for SQLite's last error or for `message`.
  std::string error() const;
  std::string error(const std::string& message) const;
  [[noreturn]] void fail() const;

 private:
  bool first_row(sqlite3_stmt* statement);

  struct closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };

  std::string path_;
  std::unique_ptr<sqlite3, closer> db_;
};

}  // namespace meshjobs
