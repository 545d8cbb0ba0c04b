// What only the SQLite backend promises: state survives a reopen, the file is checked on
// open, commits are grouped, and a failed write is reported, not fatal.
#include <gtest/gtest.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite_db.hpp"
#include "store/sqlite_store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using testing_support::expect_same;
using testing_support::full_job;
using testing_support::noop_job;
using testing_support::sqlite_reader;
using testing_support::temp_db;

class sqlite_store_test : public testing::Test {
 protected:
  std::unique_ptr<sqlite_store> open(store_sync sync = store_sync::normal) {
    store_config cfg;
    cfg.backend = store_backend::sqlite;
    cfg.path = file_.path();
    cfg.sync = sync;
    return std::make_unique<sqlite_store>(cfg);
  }

  static std::string commit_and_wait(store& s) {
    std::string error = "callback not called";
    s.commit([&](std::string e) { error = std::move(e); });
    s.flush();
    return error;
  }

  // The message open() throws, or "" when it does not.
  std::string open_error() {
    try {
      open();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  temp_db file_;
};

TEST_F(sqlite_store_test, reopen_keeps_every_live_job_and_field) {
  std::vector<job> jobs;
  for (job_id id = 1; id <= 20; ++id) {
    job j = id % 2 ? full_job(id) : noop_job(id, job_state::scheduled);
    jobs.push_back(j);
  }
  {
    auto s = open();
    for (const job& j : jobs)
      s->put(j);
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  auto reopened = open();
  ASSERT_EQ(reopened->size(), jobs.size());
  EXPECT_EQ(reopened->count(job_state::retrying), 10u);
  EXPECT_EQ(reopened->count(job_state::scheduled), 10u);
  for (const job& j : jobs)
    expect_same(j, reopened->get(j.id).value());
}

TEST_F(sqlite_store_test, reopen_returns_running_jobs_as_stored) {
  {
    auto s = open();
    s->put(noop_job(1, job_state::running));
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  EXPECT_EQ(open()->get(1).value().state, job_state::running);
}

TEST_F(sqlite_store_test, deleted_jobs_stay_deleted_after_reopen) {
  {
    auto s = open();
    for (job_id id = 1; id <= 10; ++id)
      s->put(noop_job(id));
    ASSERT_EQ(commit_and_wait(*s), "");
    s->erase(3);
    s->erase(7);
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  auto reopened = open();
  EXPECT_EQ(reopened->size(), 8u);
  EXPECT_FALSE(reopened->contains(3));
  EXPECT_FALSE(reopened->contains(7));
  EXPECT_TRUE(reopened->contains(10));
}

TEST_F(sqlite_store_test, next_id_after_reopen_skips_ids_of_deleted_jobs) {
  job_id highest = 0;
  {
    auto s = open();
    for (int i = 0; i < 10; ++i) {
      highest = s->next_id();
      s->put(noop_job(highest));
    }
    ASSERT_EQ(commit_and_wait(*s), "");
    for (job_id id = highest - 4; id <= highest; ++id)
      s->erase(id);
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  EXPECT_GT(open()->next_id(), highest);
}

TEST_F(sqlite_store_test, next_id_handed_out_without_a_job_is_not_reused_after_reopen) {
  job_id last = 0;
  {
    auto s = open();
    for (int i = 0; i < 5; ++i)
      last = s->next_id();
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  EXPECT_GT(open()->next_id(), last);
}

TEST_F(sqlite_store_test, cron_last_run_survives_reopen) {
  {
    auto s = open();
    s->set_cron_last_run("cleanup_old_meshes", 1'700'000'040'000'000);
    s->set_cron_last_run("usage_report", 1'700'000'100'000'000);
    ASSERT_EQ(commit_and_wait(*s), "");
    s->set_cron_last_run("usage_report", 1'700'000'160'000'000);
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  auto reopened = open();
  EXPECT_EQ(reopened->cron_last_run("cleanup_old_meshes"), 1'700'000'040'000'000);
  EXPECT_EQ(reopened->cron_last_run("usage_report"), 1'700'000'160'000'000);
  EXPECT_EQ(reopened->cron_last_run("never_ran"), 0);
}

TEST_F(sqlite_store_test, closing_commits_writes_not_committed_yet) {
  {
    auto s = open();
    s->put(full_job(4));
    s->set_cron_last_run("hourly", 3'600'000'000);
  }
  auto reopened = open();
  expect_same(full_job(4), reopened->get(4).value());
  EXPECT_EQ(reopened->cron_last_run("hourly"), 3'600'000'000);
}

TEST_F(sqlite_store_test, journal_mode_is_wal) {
  auto s = open();
  EXPECT_EQ(s->pragma("journal_mode"), "wal");
  EXPECT_EQ(sqlite_reader(file_.path()).query("PRAGMA journal_mode"), "wal");
}

TEST_F(sqlite_store_test, sync_normal_sets_synchronous_normal) {
  EXPECT_EQ(open(store_sync::normal)->pragma("synchronous"), "1");
}

TEST_F(sqlite_store_test, sync_full_sets_synchronous_full) {
  EXPECT_EQ(open(store_sync::full)->pragma("synchronous"), "2");
}

TEST_F(sqlite_store_test, a_fresh_file_gets_the_current_schema_version) {
  open();
  EXPECT_EQ(sqlite_reader(file_.path()).query("PRAGMA user_version"), "2");
}

// A file of version 1 (no progress columns) opens, keeps its jobs, and takes a finished job's
// last progress report from then on.
TEST_F(sqlite_store_test, a_version_1_file_is_upgraded_and_keeps_its_jobs) {
  {
    sqlite_db old(file_.path());  // creates the file, as meshjobs 1 did
    for (const char* sql : {
           "CREATE TABLE jobs (id INTEGER PRIMARY KEY, kind TEXT NOT NULL, queue TEXT NOT NULL,"
           " args TEXT NOT NULL, priority INTEGER NOT NULL, attempt INTEGER NOT NULL,"
           " max_attempts INTEGER NOT NULL, recoveries INTEGER NOT NULL, state TEXT NOT NULL,"
           " unique_mode TEXT NOT NULL, unique_key TEXT NOT NULL, enqueued_at INTEGER NOT NULL,"
           " run_at INTEGER NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER NOT NULL,"
           " expires_at INTEGER NOT NULL, error_kind TEXT NOT NULL, error_message TEXT NOT NULL,"
           " error_where TEXT NOT NULL)",
           "CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)",
           "CREATE TABLE cron (entry TEXT PRIMARY KEY NOT NULL, last_slot INTEGER NOT NULL)",
           "INSERT INTO jobs VALUES (7, 'noop', 'default', '{}', 0, 0, 0, 0, 'enqueued', 'none', '',"
           " 1, 0, 0, 0, 0, '', '', '')",
           "PRAGMA user_version = 1"})
      old.exec(sql);
  }
  auto s = open();
  ASSERT_TRUE(s->contains(7));
  job done = *s->get(7);
  done.state = job_state::succeeded;
  done.finished_at = 5;
  done.progress = 100;
  done.progress_message = "meshed";
  s->put(done);
  s.reset();
  auto reopened = open();
  EXPECT_EQ(reopened->get(7)->progress, 100);
  EXPECT_EQ(reopened->get(7)->progress_message, "meshed");
}

TEST_F(sqlite_store_test, a_newer_schema_version_is_refused_with_the_named_error) {
  open();
  sqlite_reader(file_.path(), false).query("PRAGMA user_version = 3");
  EXPECT_EQ(open_error(), "store: " + file_.path()
                            + ": schema version 3 is newer than this meshjobs supports (2)");
}

TEST_F(sqlite_store_test, a_negative_schema_version_is_refused) {
  open();
  sqlite_reader(file_.path(), false).query("PRAGMA user_version = -1");
  EXPECT_EQ(open_error(), "store: " + file_.path() + ": schema version -1 was not written by meshjobs");
}

TEST_F(sqlite_store_test, a_file_sqlite_can_read_but_not_write_is_refused_on_open) {
  {
    auto s = open();
    s->put(noop_job(1));
  }
  testing_support::make_unwritable_by_sqlite(file_.path());  // its jobs still load: reads work
  EXPECT_EQ(open_error(), "store: " + file_.path() + ": cannot write (attempt to write a readonly "
                          "database): a node on it would keep nothing it is given, so it does "
                          "not start");
}

TEST_F(sqlite_store_test, a_file_that_is_not_a_database_is_refused_naming_the_path) {
  std::ofstream(file_.path()) << std::string(4096, 'x') << "not a database at all\n";
  EXPECT_EQ(open_error(), "store: " + file_.path() + ": file is not a database");
}

TEST_F(sqlite_store_test, a_path_in_a_missing_directory_is_refused_naming_the_path) {
  store_config cfg;
  cfg.backend = store_backend::sqlite;
  cfg.path = file_.path() + ".missing/meshjobs.db";
  try {
    make_sqlite_store(cfg);
    ADD_FAILURE() << "opened " << cfg.path;
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "store: " + cfg.path + ": unable to open database file");
  }
}

TEST_F(sqlite_store_test, a_row_with_an_unknown_state_is_refused_naming_the_job) {
  {
    auto s = open();
    s->put(noop_job(12));
    ASSERT_EQ(commit_and_wait(*s), "");
  }
  sqlite_reader(file_.path(), false).query("UPDATE jobs SET state = 'hovering' WHERE id = 12");
  std::string error = open_error();
  EXPECT_NE(error.find("store: " + file_.path() + ": job 12: unknown state 'hovering'"),
            std::string::npos)
    << error;
}

// The first commit's callback holds the writer thread (callbacks run there), so every later
// commit queues behind it, as under load; they must then share a single transaction.
TEST_F(sqlite_store_test, commits_queued_while_the_writer_is_busy_share_one_transaction) {
  auto s = open();
  std::mutex mutex;
  std::condition_variable changed;
  bool writer_held = false;
  bool release = false;
  std::vector<int> completed;

  s->put(noop_job(1));
  s->commit([&](std::string) {
    std::unique_lock<std::mutex> lock(mutex);
    writer_held = true;
    changed.notify_all();
    changed.wait(lock, [&] { return release; });
  });
  {
    std::unique_lock<std::mutex> lock(mutex);
    changed.wait(lock, [&] { return writer_held; });
  }
  constexpr int queued = 100;
  for (int i = 0; i < queued; ++i) {
    s->put(noop_job(static_cast<job_id>(i + 2)));
    s->commit([&, i](std::string error) {
      EXPECT_EQ(error, "");
      std::lock_guard<std::mutex> lock(mutex);
      completed.push_back(i);
    });
  }
  {
    std::lock_guard<std::mutex> lock(mutex);
    release = true;
  }
  changed.notify_all();
  s->flush();

  EXPECT_EQ(s->transactions(), 2u);
  ASSERT_EQ(completed.size(), static_cast<std::size_t>(queued));
  for (int i = 0; i < queued; ++i)
    EXPECT_EQ(completed[i], i);
  EXPECT_EQ(sqlite_reader(file_.path()).job_rows(), queued + 1);
}

TEST_F(sqlite_store_test, an_idle_commit_gets_a_transaction_of_its_own) {
  auto s = open();
  s->put(noop_job(1));
  ASSERT_EQ(commit_and_wait(*s), "");
  s->put(noop_job(2));
  ASSERT_EQ(commit_and_wait(*s), "");
  EXPECT_EQ(s->transactions(), 2u);
}

// Tests run as root here, so a read-only file or a removed directory would not stop SQLite;
// a trigger added by another connection makes the file itself refuse the write instead.
TEST_F(sqlite_store_test, a_failed_commit_reports_the_error_and_is_retried_by_the_next) {
  auto s = open();
  s->put(noop_job(100));
  ASSERT_EQ(commit_and_wait(*s), "");
  sqlite_reader saboteur(file_.path(), false);
  ASSERT_EQ(saboteur.query("CREATE TRIGGER refuse BEFORE INSERT ON jobs "
                           "BEGIN SELECT RAISE(ABORT, 'injected write failure'); END"),
            "");
  for (job_id id = 1; id <= 40; ++id)
    s->put(noop_job(id));
  s->erase(100);
  EXPECT_EQ(commit_and_wait(*s), "store: " + file_.path() + ": injected write failure");
  EXPECT_EQ(s->size(), 40u);
  EXPECT_EQ(saboteur.job_rows(), 1);
  EXPECT_TRUE(s->dirty());

  ASSERT_EQ(saboteur.query("DROP TRIGGER refuse"), "");
  EXPECT_EQ(commit_and_wait(*s), "");
  EXPECT_FALSE(s->dirty());
  EXPECT_EQ(saboteur.job_rows(), 40);
  EXPECT_FALSE(saboteur.has_job(100));
}

}  // namespace
}  // namespace meshjobs
