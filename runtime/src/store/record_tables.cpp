#include "store/record_tables.hpp"

#include <spdlog/spdlog.h>

#include <stdexcept>

namespace meshjobs {
namespace {

sqlite_statement prepare_one(sqlite_db& db, const std::string& sql) {
  sqlite3_stmt* raw = nullptr;
  const char* tail = nullptr;
  if (sqlite3_prepare_v2(db.handle(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail)
      != SQLITE_OK)
    throw std::runtime_error(db.error() + " (in \"" + sql + "\")");
  sqlite_statement statement(raw);
  if (statement == nullptr)
    throw std::runtime_error(db.error("\"" + sql + "\" holds no statement"));
  if (tail != nullptr && *tail != '\0' && std::string(tail).find_first_not_of(" \t\r\n;") != std::string::npos)
    throw std::runtime_error(db.error("\"" + sql + "\" holds more than one statement"));
  return statement;
}

void bind(sqlite_db& db, sqlite3_stmt* statement, const std::string& sql,
          const std::vector<record_value>& params) {
  if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(statement))
    throw std::runtime_error(db.error("\"" + sql + "\" takes "
                                      + std::to_string(sqlite3_bind_parameter_count(statement))
                                      + " parameters, got " + std::to_string(params.size())));
  for (std::size_t i = 0; i < params.size(); ++i) {
    const auto& v = params[i];
    int at = static_cast<int>(i) + 1;
    switch (v.kind) {
      case record_value::type::null:
        sqlite3_bind_null(statement, at);
        break;
      case record_value::type::integer:
        sqlite3_bind_int64(statement, at, v.integer);
        break;
      case record_value::type::real:
        sqlite3_bind_double(statement, at, v.real);
        break;
      case record_value::type::text:
        sqlite3_bind_text(statement, at, v.text.data(), static_cast<int>(v.text.size()), SQLITE_TRANSIENT);
        break;
    }
  }
}

record_value column(sqlite3_stmt* statement, int i) {
  switch (sqlite3_column_type(statement, i)) {
    case SQLITE_INTEGER:
      return record_value::of(static_cast<std::int64_t>(sqlite3_column_int64(statement, i)));
    case SQLITE_FLOAT:
      return record_value::of(sqlite3_column_double(statement, i));
    case SQLITE_NULL:
      return {};
    default: {
      auto text = reinterpret_cast<const char*>(sqlite3_column_blob(statement, i));
      return record_value::of(std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(statement, i))));
    }
  }
}

void migrate_one(sqlite_db& db, const record_schema& schema) {
  db.exec("BEGIN IMMEDIATE");
  try {
    auto read = prepare_one(db, "SELECT version FROM record_schemas WHERE name = ?");
    bind(db, read.get(), "", {record_value::of(schema.name)});
    std::int64_t version = sqlite3_step(read.get()) == SQLITE_ROW ? sqlite3_column_int64(read.get(), 0) : 0;
    read.reset();
    if (version > static_cast<std::int64_t>(schema.migrations.size()))
      throw std::runtime_error(db.error("records \"" + schema.name + "\" are at version "
                                        + std::to_string(version) + ", newer than this build knows ("
                                        + std::to_string(schema.migrations.size()) + ")"));
    for (auto v = static_cast<std::size_t>(version); v < schema.migrations.size(); ++v) {
      if (sqlite3_exec(db.handle(), schema.migrations[v].c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
        throw std::runtime_error(db.error("records \"" + schema.name + "\": migration to version "
                                          + std::to_string(v + 1) + " failed: "
                                          + sqlite3_errmsg(db.handle())));
    }
    auto write = prepare_one(db, "INSERT OR REPLACE INTO record_schemas (name, version) VALUES (?, ?)");
    bind(db, write.get(), "", {record_value::of(schema.name),
                               record_value::of(static_cast<std::int64_t>(schema.migrations.size()))});
    db.run(write.get());
    db.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace

void migrate_records(sqlite_db& db, const std::vector<record_schema>& schemas) {
  db.exec("CREATE TABLE IF NOT EXISTS record_schemas "
          "(name TEXT PRIMARY KEY NOT NULL, version INTEGER NOT NULL)");
  for (const auto& schema : schemas) {
    if (schema.name.empty())
      throw std::invalid_argument("records: a schema has no name");
    migrate_one(db, schema);
  }
}

std::size_t apply_record_writes(sqlite_db& db, const std::vector<record_write>& writes) {
  std::size_t dropped = 0;
  for (const auto& w : writes) {
    db.exec("SAVEPOINT record_write");
    try {
      auto statement = prepare_one(db, w.sql);
      bind(db, statement.get(), w.sql, w.params);
      int rc = sqlite3_step(statement.get());
      if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        throw std::runtime_error(db.error() + " (in \"" + w.sql + "\")");
      statement.reset();
      db.exec("RELEASE record_write");
    } catch (const std::exception& e) {
      // An I/O error fails the whole transaction at COMMIT anyway; a bad write fails alone.
      sqlite3_exec(db.handle(), "ROLLBACK TO record_write; RELEASE record_write", nullptr, nullptr, nullptr);
      spdlog::error("records: a write was dropped: {}", e.what());
      ++dropped;
    }
  }
  return dropped;
}

std::vector<record_row> query_records(sqlite_db& db, const std::string& sql,
                                      const std::vector<record_value>& params) {
  auto statement = prepare_one(db, sql);
  bind(db, statement.get(), sql, params);
  std::vector<record_row> rows;
  const int columns = sqlite3_column_count(statement.get());
  int rc;
  while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
    record_row row;
    row.reserve(static_cast<std::size_t>(columns));
    for (int i = 0; i < columns; ++i)
      row.push_back(column(statement.get(), i));
    rows.push_back(std::move(row));
  }
  if (rc != SQLITE_DONE)
    throw std::runtime_error(db.error() + " (in \"" + sql + "\")");
  return rows;
}

}  // namespace meshjobs
