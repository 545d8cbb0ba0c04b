// Domain records: versioned tables kept in the node's store beside its jobs. Their migrations
// run once per version, their writes commit in the same transaction as the jobs' changes (a
// failed commit loses both, the next brings both), a bad write is dropped alone, and a job
// type's outcome_records follow its outcomes. Both stores, through the store and the runtime.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "runtime_fixture.hpp"
#include "store/sqlite_store.hpp"
#include "store/store.hpp"
#include "store_test_support.hpp"

namespace meshjobs {
namespace {

using namespace testing_support;
using namespace std::chrono_literals;

record_value of(std::int64_t v) { return record_value::of(v); }
record_value of(const char* v) { return record_value::of(v); }

record_schema meshes_v1() {
  return {"mesh", {"CREATE TABLE mesh_rows (id INTEGER PRIMARY KEY, status TEXT NOT NULL, "
                   "score REAL, note TEXT)"}};
}

/// Version 2 adds a row, so a migration that ran twice would fail on the primary key.
record_schema meshes_v2() {
  auto s = meshes_v1();
  s.migrations.push_back("INSERT INTO mesh_rows (id, status) VALUES (1000, 'seeded by v2')");
  return s;
}

std::string status_of(const store& s, std::int64_t id) {
  auto rows = s.query_records("SELECT status FROM mesh_rows WHERE id = ?", {of(id)});
  return rows.empty() ? "" : rows[0][0].text;
}

std::string commit_and_wait(store& s) {
  std::string error = "callback not called";
  s.commit([&](std::string e) { error = std::move(e); });
  s.flush();
  return error;
}

class records_store_test : public testing::TestWithParam<store_backend> {
 protected:
  std::unique_ptr<store> open() {
    store_config cfg;
    cfg.backend = GetParam();
    cfg.path = file_.path();
    return open_store(cfg);
  }
  temp_db file_;
};

TEST_P(records_store_test, staged_writes_commit_with_the_next_commit_and_every_value_type_comes_back) {
  auto s = open();
  s->migrate_records({meshes_v1()});
  const std::string with_nul("a\0b", 3);
  s->stage_records({{"INSERT INTO mesh_rows VALUES (?, ?, ?, ?)",
                     {of(1), of("pending"), record_value::of(0.25), record_value::of(with_nul)}},
                    {"INSERT INTO mesh_rows VALUES (?, ?, ?, ?)", {of(2), of("failed"), {}, {}}}});
  EXPECT_TRUE(s->dirty());
  ASSERT_EQ(commit_and_wait(*s), "");
  auto rows = s->query_records("SELECT id, status, score, note FROM mesh_rows ORDER BY id", {});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0], (record_row{of(1), of("pending"), record_value::of(0.25), record_value::of(with_nul)}));
  EXPECT_EQ(rows[1], (record_row{of(2), of("failed"), {}, {}}));
}

TEST_P(records_store_test, a_bad_write_is_dropped_alone_and_the_rest_of_its_commit_stays) {
  auto s = open();
  s->migrate_records({meshes_v1()});
  s->put(noop_job(7));
  s->stage_records({{"INSERT INTO mesh_rows (id, status) VALUES (?, ?)", {of(1), of("pending")}},
                    {"INSERT INTO mesh_rows (id, status) VALUES (?, ?)", {of(1), of("duplicate key")}},
                    {"INSERT INTO no_such_table VALUES (1)", {}},
                    {"UPDATE mesh_rows SET status = ? WHERE id = ?", {of("one parameter short")}},
                    {"INSERT INTO mesh_rows (id, status) VALUES (?, ?)", {of(2), of("pending")}}});
  ASSERT_EQ(commit_and_wait(*s), "");
  EXPECT_EQ(status_of(*s, 1), "pending");
  EXPECT_EQ(status_of(*s, 2), "pending");
  EXPECT_TRUE(s->contains(7));
}

TEST_P(records_store_test, a_query_error_names_the_query_and_the_reason) {
  auto s = open();
  s->migrate_records({meshes_v1()});
  try {
    s->query_records("SELECT nope FROM mesh_rows", {});
    FAIL() << "a query of a missing column must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no such column: nope"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("SELECT nope FROM mesh_rows"), std::string::npos) << e.what();
  }
}

TEST_P(records_store_test, a_failing_migration_names_the_schema_and_version_and_leaves_nothing) {
  auto s = open();
  record_schema broken{"broken", {"CREATE TABLE broken_rows (id INTEGER)", "CREATE TABLE oops ("}};
  try {
    s->migrate_records({broken});
    FAIL() << "a migration with bad SQL must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("records \"broken\": migration to version 2 failed"),
              std::string::npos) << e.what();
  }
  auto tables = s->query_records("SELECT count(*) FROM sqlite_master WHERE name = 'broken_rows'", {});
  EXPECT_EQ(tables[0][0].integer, 0) << "the schema's steps commit together or not at all";
}

INSTANTIATE_TEST_SUITE_P(both_backends, records_store_test,
                         testing::Values(store_backend::memory, store_backend::sqlite),
                         [](const auto& info) {
                           return info.param == store_backend::memory ? "memory" : "sqlite";
                         });

class records_sqlite_test : public testing::Test {
 protected:
  std::unique_ptr<sqlite_store> open() {
    store_config cfg;
    cfg.backend = store_backend::sqlite;
    cfg.path = file_.path();
    return std::make_unique<sqlite_store>(cfg);
  }
  temp_db file_;
};

TEST_F(records_sqlite_test, each_migration_runs_once_and_a_reopen_runs_only_the_new_ones) {
  {
    auto s = open();
    s->migrate_records({meshes_v1()});
    s->migrate_records({meshes_v1()});
  }
  auto s = open();
  s->migrate_records({meshes_v2()});
  s->migrate_records({meshes_v2()});
  EXPECT_EQ(status_of(*s, 1000), "seeded by v2");
  auto version = s->query_records("SELECT version FROM record_schemas WHERE name = 'mesh'", {});
  ASSERT_EQ(version.size(), 1u);
  EXPECT_EQ(version[0][0].integer, 2);
}

TEST_F(records_sqlite_test, a_file_from_a_newer_build_is_refused_naming_the_schema) {
  open()->migrate_records({meshes_v2()});
  try {
    open()->migrate_records({meshes_v1()});
    FAIL() << "version 2 on disk, 1 known: must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("records \"mesh\" are at version 2, newer than this build knows (1)"),
              std::string::npos) << e.what();
  }
}

TEST_F(records_sqlite_test, records_survive_a_reopen) {
  {
    auto s = open();
    s->migrate_records({meshes_v1()});
    s->stage_records({{"INSERT INTO mesh_rows (id, status) VALUES (?, ?)", {of(5), of("completed")}}});
  }
  auto s = open();
  s->migrate_records({meshes_v1()});
  EXPECT_EQ(status_of(*s, 5), "completed");
}

// A trigger added by another connection makes the file refuse job writes (tests run as root,
// so file modes would not): the record written in the same commit must not land either.
TEST_F(records_sqlite_test, a_job_change_and_its_record_commit_together_or_not_at_all) {
  auto s = open();
  s->migrate_records({meshes_v1()});
  sqlite_reader saboteur(file_.path(), false);
  ASSERT_EQ(saboteur.query("CREATE TRIGGER refuse BEFORE INSERT ON jobs "
                           "BEGIN SELECT RAISE(ABORT, 'injected write failure'); END"), "");
  s->put(noop_job(1, job_state::succeeded));
  s->stage_records({{"INSERT INTO mesh_rows (id, status) VALUES (?, ?)", {of(1), of("completed")}}});
  EXPECT_NE(commit_and_wait(*s), "");
  EXPECT_EQ(saboteur.query("SELECT count(*) FROM mesh_rows"), "0");
  EXPECT_EQ(saboteur.job_rows(), 0);

  ASSERT_EQ(saboteur.query("DROP TRIGGER refuse"), "");
  EXPECT_EQ(commit_and_wait(*s), "");
  EXPECT_EQ(saboteur.query("SELECT status FROM mesh_rows WHERE id = 1"), "completed");
  EXPECT_EQ(saboteur.job_rows(), 1);
}

// Through the runtime: a job type's outcome_records follow each outcome of its job.
job_type flaky_mesh_type(std::atomic<int>& executions) {
  auto t = make_type("test.mesh", [&executions](job_context&) {
    if (++executions == 1)
      throw job_failure("service_error", "first try fails");
  });
  t.retry.retry_on("service_error", wait_strategy::fixed(10s), 3);
  t.outcome_records = [](const job& j, const job_outcome& o) {
    std::string status = o.kind == outcome_kind::succeeded ? "completed"
                         : o.kind == outcome_kind::retry   ? "retrying"
                                                           : "failed";
    return std::vector<record_write>{
      {"INSERT OR REPLACE INTO mesh_rows (id, status) VALUES (?, ?)",
       {record_value::of(static_cast<std::int64_t>(j.id)), record_value::of(status)}}};
  };
  return t;
}

class records_runtime_test : public testing::TestWithParam<store_backend> {
 protected:
  config cfg() {
    auto c = GetParam() == store_backend::sqlite ? sqlite_test_config(file_.path()) : test_config();
    return c;
  }
  temp_db file_;
};

TEST_P(records_runtime_test, outcome_records_commit_with_each_outcome_of_the_job) {
  harness h{cfg()};
  std::atomic<int> executions{0};
  auto& rt = h.start({flaky_mesh_type(executions)}, {meshes_v1()});
  auto id = static_cast<std::int64_t>(rt.enqueue("test.mesh", "{}").id);
  // The job's state is read from memory and may be ahead of the last commit; an empty
  // write_records returns once everything recorded before it is durable.
  auto status = [&] {
    rt.write_records({});
    auto rows = rt.query_records("SELECT status FROM mesh_rows WHERE id = ?", {record_value::of(id)});
    return rows.empty() ? std::string() : rows[0][0].text;
  };
  h.wait_state(static_cast<job_id>(id), job_state::retrying);
  EXPECT_EQ(status(), "retrying") << "the record and the job's state are durable together";

  h.clock->advance(10s);
  rt.tick();
  ASSERT_TRUE(rt.drain(patience));
  EXPECT_EQ(h.state_of(static_cast<job_id>(id)), job_state::succeeded);
  EXPECT_EQ(status(), "completed");
}

TEST_P(records_runtime_test, write_records_is_durable_when_it_returns_and_bad_input_is_named) {
  harness h{cfg()};
  auto& rt = h.start({}, {meshes_v1()});
  rt.write_records({{"INSERT INTO mesh_rows (id, status) VALUES (?, ?)", {of(9), of("pending")}}});
  auto rows = rt.query_records("SELECT status FROM mesh_rows WHERE id = ?", {of(9)});
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0][0].text, "pending");
  EXPECT_THROW(rt.query_records("SELECT * FROM missing_table"), std::runtime_error);
}

TEST(RecordsRuntime, RegisteringTheSameSchemaTwiceOrAfterStartIsRefused) {
  harness h;
  h.rt = std::make_unique<runtime>(h.cfg, h.clock);
  h.rt->register_records(meshes_v1());
  EXPECT_THROW(h.rt->register_records(meshes_v1()), std::invalid_argument);
  EXPECT_THROW(h.rt->register_records(record_schema{}), std::invalid_argument);
  h.rt->start();
  EXPECT_THROW(h.rt->register_records(meshes_v2()), std::logic_error);
}

INSTANTIATE_TEST_SUITE_P(both_backends, records_runtime_test,
                         testing::Values(store_backend::memory, store_backend::sqlite),
                         [](const auto& info) {
                           return info.param == store_backend::memory ? "memory" : "sqlite";
                         });

}  // namespace
}  // namespace meshjobs
