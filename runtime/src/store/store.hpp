// The store: the table of live jobs, the dead set and cron state, with durability behind it.
//
// Reads are served from memory by every backend. Writes change memory at once and become
// durable at the next commit: commits are grouped (everything written since the last commit
// goes in one transaction), so durability costs one transaction per batch, not per job.
// A store is used from one actor only; it is not thread-safe. A backend may commit on a
// thread of its own, and calls `on_durable` from that thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/config/config.hpp"
#include "meshjobs/messages/job.hpp"
#include "meshjobs/records.hpp"

namespace meshjobs {

class store {
 public:
  virtual ~store() = default;

  /// Inserts or replaces the job with `j.id`.
  virtual void put(const job& j) = 0;
  /// Removes a job; a no-op for an unknown id.
  virtual void erase(job_id id) = 0;
  virtual std::optional<job> get(job_id id) const = 0;
  virtual bool contains(job_id id) const = 0;
  /// Visits the jobs in state `s` (any order) until `visit` returns false.
  virtual void for_each(job_state s, const std::function<bool(const job&)>& visit) const = 0;
  /// Visits every job (any order) until `visit` returns false.
  virtual void for_each(const std::function<bool(const job&)>& visit) const = 0;
  virtual std::size_t count(job_state s) const = 0;
  virtual std::size_t size() const = 0;

  /// The next unused job id; ids are never reused, across restarts too.
  virtual job_id next_id() = 0;

  /// The last slot a cron entry fired for (0: never), and its update.
  virtual timestamp cron_last_run(const std::string& entry) const = 0;
  virtual void set_cron_last_run(const std::string& entry, timestamp slot) = 0;

  /// Domain records: brings their tables to the versions `schemas` name. At start, before any
  /// commit. Throws std::runtime_error naming the schema and the reason.
  virtual void migrate_records(const std::vector<record_schema>& schemas) = 0;
  /// Record writes that go with the next commit, in the same transaction as the jobs' changes
  /// made before it. A write that fails alone (bad SQL, a constraint) is logged and dropped.
  virtual void stage_records(std::vector<record_write> writes) = 0;
  /// A query on the committed records. Thread-safe: it has a connection of its own. Throws
  /// std::runtime_error naming the query and the reason.
  virtual std::vector<record_row> query_records(const std::string& sql,
                                                const std::vector<record_value>& params) const = 0;

  /// Makes every write so far durable, then calls `on_durable(error)` with an empty error on
  /// success or the reason on failure. Commits happen in call order.
  virtual void commit(std::function<void(std::string error)> on_durable) = 0;
  /// True when writes are waiting for a commit.
  virtual bool dirty() const = 0;
  /// Blocks until every commit asked for so far is done (shutdown, tests).
  virtual void flush() = 0;
};

/// Opens the backend the config names: memory, or sqlite at `cfg.path` (created if missing,
/// its schema checked or migrated). Throws std::runtime_error naming the path and the reason.
std::unique_ptr<store> open_store(const store_config& cfg);

std::unique_ptr<store> make_memory_store();
std::unique_ptr<store> make_sqlite_store(const store_config& cfg);

}  // namespace meshjobs
