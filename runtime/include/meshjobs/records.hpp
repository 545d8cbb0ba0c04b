// Domain records: versioned tables that modules outside the runtime (meshes, batches) keep in
// the node's store, beside its jobs.
//
//   meshjobs::record_schema meshes{"mesh", {
//     "CREATE TABLE meshes (id INTEGER PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL)",
//     "CREATE INDEX meshes_by_status ON meshes (status, created_at)",   // version 2
//   }};
//   rt.register_records(meshes);                  // before start(): the tables reach version 2
//   rt.write_records({{"INSERT INTO meshes VALUES (?, ?, ?)", {of(1), of("pending"), of(now)}}});
//   auto rows = rt.query_records("SELECT id FROM meshes WHERE status = ?", {of("pending")});
//
// A job type's `outcome_records` hook returns the writes that go with an outcome: they commit
// in the same transaction as the job's new state, so a mesh never says `completed` while its
// job says `running`. Both stores keep records in SQLite: a file beside the jobs for `sqlite`,
// an in-memory database for `memory`.
#pragma once

#include <string>
#include <vector>

#include "meshjobs/messages/record.hpp"

namespace meshjobs {

struct record_schema {
  /// The schema's name; its version is kept under it. Tables should be prefixed with it.
  std::string name;
  /// migrations[v] takes the tables from version v to v + 1: SQL, one or more statements. A
  /// released step never changes; a new version appends one.
  std::vector<std::string> migrations;
};

}  // namespace meshjobs
