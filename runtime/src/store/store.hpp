// The store: the table of jobs (live, dead, and finished ones kept for a while), cron state and
// the id high-water mark, with durability behind it.
//
// Every read is served from memory, the same for every backend; the backends differ only in
// their journal (store_journal), which is how they persist. Writes change memory at once and
// become durable at the next commit: commits are grouped (everything written since the last
// commit goes in one transaction), so durability costs one transaction per batch, not per job.
// A store is used from one actor only; it is not thread-safe. A journal may commit on a thread
// of its own, and calls `on_durable` from that thread.
//
// Finished jobs (succeeded, discarded, cancelled, expired) stay in the table, bounded by
// `finished_max_jobs` and `finished_max_age` (finished_jobs), so a lookup answers after a
// restart. Paged queries (job_query_index) read only their page.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "meshjobs/config/config.hpp"
#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"
#include "meshjobs/records.hpp"
#include "store/finished_jobs.hpp"
#include "store/job_query_index.hpp"
#include "store/job_table.hpp"
#include "store/store_journal.hpp"

namespace meshjobs {

class store {
 public:
  /// Loads what `journal` kept. Throws what the journal throws.
  store(std::unique_ptr<store_journal> journal, const store_config& cfg);
  /// Commits what is still dirty, waits, and closes the journal.
  virtual ~store();
  store(const store&) = delete;
  store& operator=(const store&) = delete;

  /// Inserts or replaces the job with `j.id`. A finished job's args are cut past
  /// finished_jobs::max_args_bytes, and the oldest finished jobs go past the bounds.
  void put(const job& j);
  /// Removes a job; a no-op for an unknown id.
  void erase(job_id id);
  std::optional<job> get(job_id id) const { return table_.get(id); }
  bool contains(job_id id) const { return table_.contains(id); }
  /// Visits the jobs in state `s` (any order) until `visit` returns false.
  void for_each(job_state s, const std::function<bool(const job&)>& visit) const {
    table_.for_each(s, visit);
  }
  /// Visits every job, finished ones too (any order), until `visit` returns false.
  void for_each(const std::function<bool(const job&)>& visit) const { table_.for_each(visit); }
  std::size_t count(job_state s) const { return table_.count(s); }
  /// Every job, finished ones too.
  std::size_t size() const { return table_.size(); }
  /// The finished jobs kept (succeeded, discarded, cancelled, expired).
  std::size_t finished() const;

  /// A page of jobs matching `q`, newest (highest id) first. Costs the page, not the table.
  job_page query(const job_query& q) const;
  /// Drops the finished jobs older than `now - finished_max_age`: O(1) a job dropped.
  void prune_finished(timestamp now);

  /// The next unused job id; ids are never reused, across restarts too.
  job_id next_id();

  /// The last slot a cron entry fired for (0: never), and its update.
  timestamp cron_last_run(const std::string& entry) const;
  void set_cron_last_run(const std::string& entry, timestamp slot);

  /// Domain records: brings their tables to the versions `schemas` name. At start, before any
  /// commit. Throws std::runtime_error naming the schema and the reason.
  void migrate_records(const std::vector<record_schema>& schemas) {
    journal_->migrate_records(schemas);
  }
  /// Record writes that go with the next commit, in the same transaction as the jobs' changes
  /// made before it. A write that fails alone (bad SQL, a constraint) is logged and dropped.
  void stage_records(std::vector<record_write> writes);
  /// A query on the committed records. Thread-safe: it has a connection of its own. Throws
  /// std::runtime_error naming the query and the reason.
  std::vector<record_row> query_records(const std::string& sql,
                                        const std::vector<record_value>& params) const {
    return journal_->query_records(sql, params);
  }

  /// Makes every write so far durable, then calls `on_durable(error)` with an empty error on
  /// success or the reason on failure. Commits happen in call order.
  void commit(std::function<void(std::string error)> on_durable);
  /// True when writes are waiting for a commit.
  bool dirty() const { return changed_ || journal_->retrying(); }
  /// Blocks until every commit asked for so far is done (shutdown, tests).
  void flush() { journal_->flush(); }

 protected:
  store_journal& journal() { return *journal_; }

 private:
  void load(job&& j);
  std::optional<job_table::summary> put_as_is(const job& j);
  void changed(job_id id);
  void prune_finished_to(timestamp now);

  std::unique_ptr<store_journal> journal_;
  const bool tracks_jobs_;  // the journal keeps job rows: remember which changed
  job_table table_;
  job_query_index index_;
  finished_jobs finished_;
  std::map<std::string, timestamp> cron_;
  job_id next_ = 1;
  bool changed_ = false;
  store_changes pending_;  // jobs may repeat an id, made unique at commit
  std::set<std::string> changed_cron_;
  bool next_id_changed_ = false;
};

/// Opens the backend the config names: memory, or sqlite at `cfg.path` (created if missing,
/// its schema checked or migrated). Throws std::runtime_error naming the path and the reason.
std::unique_ptr<store> open_store(const store_config& cfg);

std::unique_ptr<store> make_memory_store(const store_config& cfg = {});
std::unique_ptr<store> make_sqlite_store(const store_config& cfg);

}  // namespace meshjobs
