#include "store/sqlite_db.hpp"

#include <stdexcept>
#include <utility>

namespace meshjobs {
namespace {

constexpr int busy_timeout_ms = 5000;

}  // namespace

sqlite_db::sqlite_db(std::string path) : path_(std::move(path)) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  int rc = sqlite3_open_v2(path_.c_str(), &raw, flags, nullptr);
  db_.reset(raw);
  if (rc != SQLITE_OK)
    fail();
  // Another process (an operator's sqlite3 shell) may hold the write lock for a moment.
  sqlite3_busy_timeout(raw, busy_timeout_ms);
}

void sqlite_db::exec(const char* sql) {
  if (sqlite3_exec(handle(), sql, nullptr, nullptr, nullptr) != SQLITE_OK)
    fail();
}

sqlite_statement sqlite_db::prepare(const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v3(handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr)
      != SQLITE_OK)
    fail();
  return sqlite_statement(raw);
}

void sqlite_db::run(sqlite3_stmt* statement) {
  if (sqlite3_step(statement) == SQLITE_DONE) {
    sqlite3_reset(statement);
    return;
  }
  std::string reason = error();
  sqlite3_reset(statement);
  throw std::runtime_error(reason);
}

bool sqlite_db::first_row(sqlite3_stmt* statement) {
  switch (sqlite3_step(statement)) {
    case SQLITE_ROW:
      return true;
    case SQLITE_DONE:
      return false;
    default:
      fail();
  }
}

std::optional<std::int64_t> sqlite_db::query_int(const char* sql) {
  sqlite_statement s = prepare(sql);
  if (!first_row(s.get()))
    return std::nullopt;
  return sqlite3_column_int64(s.get(), 0);
}

std::optional<std::string> sqlite_db::query_text(const char* sql) {
  sqlite_statement s = prepare(sql);
  if (!first_row(s.get()))
    return std::nullopt;
  auto text = reinterpret_cast<const char*>(sqlite3_column_text(s.get(), 0));
  return std::string(text ? text : "");
}

std::string sqlite_db::error() const {
  return error(db_ ? sqlite3_errmsg(db_.get()) : "out of memory opening the database");
}

std::string sqlite_db::error(const std::string& message) const {
  return "store: " + path_ + ": " + message;
}

void sqlite_db::fail() const { throw std::runtime_error(error()); }

}  // namespace meshjobs
