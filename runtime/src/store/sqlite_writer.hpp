// The SQLite store's group commit: one thread that writes every commit queued while it was
// busy in one transaction, then calls their callbacks in order. An idle commit is written at
// once; under load, commits pile up during a transaction and share the next one. A job written
// by several commits of one transaction (enqueued, started, finished) is written once, as the
// last of them left it: nothing in between is ever visible, the transaction being atomic.
//
// A failed transaction rolls back and reports its error to each of its callbacks; its writes
// are kept and retried first in the next transaction, so a later success still means every
// write before it is durable, and the file catches up once the cause (a full disk, a lock) is
// gone. Callbacks run on the writer thread and must not throw.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/record.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_job_row.hpp"

namespace meshjobs {

/// What one commit makes durable, and whom to tell. A job id appears at most once.
struct write_batch {
  std::vector<job_row> upserts;   ///< jobs as they are now
  std::vector<job_id> deletes;    ///< jobs erased since the last commit
  std::map<std::string, timestamp> cron;
  job_id next_id = 0;  ///< the id high-water mark to persist; 0: unchanged
  std::vector<record_write> records;  ///< domain record writes, after the jobs' changes
  std::function<void(std::string error)> on_durable;

  bool empty() const {
    return upserts.empty() && deletes.empty() && cron.empty() && next_id == 0 && records.empty();
  }
};

class sqlite_writer {
 public:
  /// Prepares its statements on `db`, which must outlive the writer, and starts the thread.
  explicit sqlite_writer(sqlite_db& db);
  /// Writes every batch submitted so far, then joins the thread.
  ~sqlite_writer();
  sqlite_writer(const sqlite_writer&) = delete;
  sqlite_writer& operator=(const sqlite_writer&) = delete;

  /// An empty batch, with the buffers of one already written when there is one to reuse.
  write_batch blank_batch();
  void submit(write_batch batch);
  /// Blocks until every batch submitted so far is written and its callback has returned.
  void wait_idle();
  /// Transactions committed so far.
  std::uint64_t transactions() const { return transactions_.load(); }
  /// True from a failed transaction until the next one succeeds: writes wait for a commit.
  bool retrying() const { return retrying_.load(); }

 private:
  void run();
  std::vector<write_batch> next_group();
  std::string write_group(std::vector<write_batch>& group);
  /// One row per job: the last write to it in `carried_` then `group`.
  void fold_jobs(const std::vector<write_batch>& group);
  void apply_jobs();
  void apply_rest(const write_batch& batch);
  void upsert(const std::vector<const job_row*>& rows);
  void remove(const std::vector<job_id>& ids);
  void carry_over(std::vector<write_batch>& group);
  void finish_group(std::vector<write_batch>& group);

  sqlite_db& db_;
  sqlite_statement upsert_one_;
  sqlite_statement upsert_many_;
  sqlite_statement delete_one_;
  sqlite_statement delete_many_;
  sqlite_statement upsert_cron_;
  sqlite_statement upsert_next_id_;
  write_batch carried_;  // the writer thread's own: writes of failed transactions

  // The writer thread's own, kept between transactions for their buffers.
  struct job_write {
    job_id id;
    std::uint64_t order;  // later writes have higher numbers
    const job_row* row;   // null: a delete
  };
  std::vector<job_write> writes_;
  std::vector<const job_row*> folded_upserts_;
  std::vector<job_id> folded_deletes_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::vector<write_batch> queued_;
  std::vector<write_batch> spare_;  // written batches, emptied, their buffers kept
  std::uint64_t submitted_ = 0;
  std::uint64_t finished_ = 0;
  bool stopping_ = false;

  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<bool> retrying_{false};
  std::thread thread_;
};

}  // namespace meshjobs
