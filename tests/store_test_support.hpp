// Shared by the store tests: the backends, a job with every field set, a field-by-field comparison, a
// temporary database file, and a second, read-only connection to see what is on disk.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "meshjobs/config/config.hpp"
#include "meshjobs/messages/job.hpp"

namespace meshjobs::testing_support {

/// Every backend, for the suites that hold for each (INSTANTIATE_TEST_SUITE_P), named.
inline auto every_backend() { return ::testing::Values(store_backend::memory, store_backend::sqlite); }
inline std::string backend_name(const ::testing::TestParamInfo<store_backend>& info) {
  return info.param == store_backend::memory ? "memory" : "sqlite";
}

/// A store of `backend` (SQLite on `path`, a test's temp_db).
inline store_config backend_config(store_backend backend, const std::string& path) {
  store_config cfg;
  cfg.backend = backend;
  cfg.path = path;
  return cfg;
}
inline store_config sqlite_store_config(const std::string& path) {
  return backend_config(store_backend::sqlite, path);
}

inline job full_job(job_id id) {
  job j;
  j.id = id;
  j.kind = "mesh.generation";
  j.queue = "critical";
  j.args = R"({"mesh_id":)" + std::to_string(id) + R"(,"detail_factor":0.25,"name":"pyramid"})";
  j.priority = 10;
  j.attempt = 3;
  j.max_attempts = 5;
  j.recoveries = 2;
  j.state = job_state::retrying;
  j.unique = unique_mode::until_executed;
  j.unique_key = "mesh.generation:" + std::to_string(id);
  j.enqueued_at = 1'700'000'000'000'001;
  j.run_at = 1'700'000'000'000'002;
  j.started_at = 1'700'000'000'000'003;
  j.finished_at = 1'700'000'000'000'004;
  j.expires_at = 1'700'000'000'000'005;
  j.last_error = {"service_error", "mesh service answered 503", "node-a/execution-7"};
  return j;
}

inline job noop_job(job_id id, job_state state = job_state::enqueued) {
  job j;
  j.id = id;
  j.kind = "noop";
  j.queue = "default";
  j.state = state;
  return j;
}

inline void expect_same(const job& expected, const job& actual) {
  EXPECT_EQ(expected.id, actual.id);
  EXPECT_EQ(expected.kind, actual.kind);
  EXPECT_EQ(expected.queue, actual.queue);
  EXPECT_EQ(expected.args, actual.args);
  EXPECT_EQ(expected.priority, actual.priority);
  EXPECT_EQ(expected.attempt, actual.attempt);
  EXPECT_EQ(expected.max_attempts, actual.max_attempts);
  EXPECT_EQ(expected.recoveries, actual.recoveries);
  EXPECT_EQ(expected.state, actual.state);
  EXPECT_EQ(expected.unique, actual.unique);
  EXPECT_EQ(expected.unique_key, actual.unique_key);
  EXPECT_EQ(expected.enqueued_at, actual.enqueued_at);
  EXPECT_EQ(expected.run_at, actual.run_at);
  EXPECT_EQ(expected.started_at, actual.started_at);
  EXPECT_EQ(expected.finished_at, actual.finished_at);
  EXPECT_EQ(expected.expires_at, actual.expires_at);
  EXPECT_EQ(expected.last_error, actual.last_error);
}

/// A fresh path under the test temp dir; the database and its WAL files go with it.
class temp_db {
 public:
  temp_db() {
    static std::atomic<int> counter{0};
    path_ = ::testing::TempDir() + "meshjobs-store-" + std::to_string(::getpid()) + "-"
            + std::to_string(counter++) + ".db";
    remove_files();
  }
  ~temp_db() { remove_files(); }
  temp_db(const temp_db&) = delete;
  temp_db& operator=(const temp_db&) = delete;

  const std::string& path() const { return path_; }

 private:
  void remove_files() {
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::remove((path_ + suffix).c_str());
  }

  std::string path_;
};

/// Makes a closed database file one SQLite reads but will not write, for every user, root
/// included: its header claims a newer file format for writing (write version 3, at offset 18),
/// so every write fails with "attempt to write a readonly database" while reads succeed.
inline void make_unwritable_by_sqlite(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "r+b");
  ASSERT_NE(f, nullptr) << "cannot open " << path;
  ASSERT_EQ(std::fseek(f, 18, SEEK_SET), 0);
  ASSERT_EQ(std::fputc(3, f), 3);
  ASSERT_EQ(std::fclose(f), 0);
}

/// A separate connection to the file: what it sees is what another process would see.
class sqlite_reader {
 public:
  explicit sqlite_reader(const std::string& path, bool read_only = true) {
    int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK)
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
  }
  ~sqlite_reader() { sqlite3_close_v2(db_); }
  sqlite_reader(const sqlite_reader&) = delete;
  sqlite_reader& operator=(const sqlite_reader&) = delete;

  /// The first column of the first row as text ("" for none, "error: ..." on failure).
  std::string query(const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      return std::string("error: ") + sqlite3_errmsg(db_);
    std::string result;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW && sqlite3_column_text(s, 0))
      result = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      result = std::string("error: ") + sqlite3_errmsg(db_);
    sqlite3_finalize(s);
    return result;
  }

  bool has_job(job_id id) { return query("SELECT id FROM jobs WHERE id = " + std::to_string(id)) != ""; }
  long job_rows() { return std::stol(query("SELECT count(*) FROM jobs")); }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace meshjobs::testing_support
