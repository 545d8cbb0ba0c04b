// How a store persists: the one thing its backends differ in. The store keeps the job table and
// serves every read from it; a journal loads what an earlier process kept and makes each
// commit's changes durable (memory: nothing to keep; SQLite: a file, by the writer thread).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/records.hpp"

namespace meshjobs {

/// What a journal read back at start, besides the jobs.
struct journal_contents {
  std::map<std::string, timestamp> cron;
  job_id next_id = 1;  ///< above every stored id and the persisted high-water mark
};

/// One commit's changes, valid during the journal's commit() only.
struct store_changes {
  /// Jobs written since the last commit, each once, in id order (empty for a journal that
  /// keeps no rows).
  std::vector<job_id> jobs;
  /// A changed job as it is now; empty when it was erased.
  std::function<std::optional<job>(job_id)> job_now;
  std::map<std::string, timestamp> cron;
  job_id next_id = 0;  ///< the id high-water mark; 0: unchanged
  std::vector<record_write> records;
};

class store_journal {
 public:
  virtual ~store_journal() = default;

  /// False when the journal keeps no job rows: the store then does not track which changed.
  virtual bool keeps_jobs() const = 0;
  /// Reads back what an earlier process kept: each job goes to `add`.
  virtual journal_contents load(const std::function<void(job&&)>& add) = 0;
  /// Makes `changes` durable, then calls `on_durable(error)` (empty on success), possibly on
  /// a thread of the journal's own. Commits are made durable in call order. The journal may
  /// move out of `changes`; the store empties it afterwards, keeping its buffers.
  virtual void commit(store_changes& changes, std::function<void(std::string error)> on_durable) = 0;
  /// True while a failed commit's changes wait to be written again.
  virtual bool retrying() const = 0;
  /// Blocks until every commit so far is done.
  virtual void flush() = 0;

  virtual void migrate_records(const std::vector<record_schema>& schemas) = 0;
  virtual std::vector<record_row> query_records(const std::string& sql,
                                                const std::vector<record_value>& params) const = 0;
};

}  // namespace meshjobs
