// The SQLite backend: the job table for reads, a file for durability.
//
// Writes change the table at once and mark the job (cron entry, id high-water mark) dirty.
// commit() snapshots the dirty rows as they are now (present: the full row, to
// INSERT OR REPLACE; gone: a DELETE, so a job put then erased between two commits costs one
// DELETE) and hands them to the writer thread, which groups every commit queued while it was
// busy into one transaction. A snapshot row costs 128 bytes until it is written: a producer
// that outruns the disk piles them up, which waiting for commit acks (as enqueue does) bounds.
//
// The connection is the constructor's until the writer starts, then the writer's; pragma()
// borrows it only while the writer is idle.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "store/job_table.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_writer.hpp"
#include "store/store.hpp"

namespace meshjobs {

class sqlite_store final : public store {
 public:
  /// Opens or creates `cfg.path` and loads every job as stored. Throws std::runtime_error
  /// naming the path and the reason.
  explicit sqlite_store(const store_config& cfg);
  /// Commits what is still dirty (or failed to commit), waits, and stops the writer.
  ~sqlite_store() override;

  void put(const job& j) override;
  void erase(job_id id) override;
  std::optional<job> get(job_id id) const override { return table_.get(id); }
  bool contains(job_id id) const override { return table_.contains(id); }
  void for_each(job_state s, const std::function<bool(const job&)>& visit) const override {
    table_.for_each(s, visit);
  }
  void for_each(const std::function<bool(const job&)>& visit) const override {
    table_.for_each(visit);
  }
  std::size_t count(job_state s) const override { return table_.count(s); }
  std::size_t size() const override { return table_.size(); }

  job_id next_id() override;

  timestamp cron_last_run(const std::string& entry) const override;
  void set_cron_last_run(const std::string& entry, timestamp slot) override;

  void migrate_records(const std::vector<record_schema>& schemas) override;
  void stage_records(std::vector<record_write> writes) override;
  std::vector<record_row> query_records(const std::string& sql,
                                        const std::vector<record_value>& params) const override;

  void commit(std::function<void(std::string error)> on_durable) override;
  bool dirty() const override;
  void flush() override { writer_->wait_idle(); }

  /// Transactions committed so far: tests prove with it that commits are grouped.
  std::uint64_t transactions() const { return writer_->transactions(); }
  /// A pragma's value on the store's own connection (synchronous is per connection). Waits
  /// for the writer to go idle first: the connection is used by one thread at a time.
  std::optional<std::string> pragma(const std::string& name);

 private:
  write_batch take_dirty();

  sqlite_db db_;
  job_table table_;
  std::map<std::string, timestamp> cron_;
  job_id next_ = 1;
  std::vector<job_id> dirty_jobs_;  // may repeat an id; made unique at commit
  std::set<std::string> dirty_cron_;
  bool next_id_dirty_ = false;
  std::vector<record_write> staged_records_;
  // Record queries come from any thread: they get a connection of their own (WAL lets it read
  // the last commit while the writer writes).
  mutable std::mutex reader_mutex_;
  mutable sqlite_db reader_;
  std::unique_ptr<sqlite_writer> writer_;  // after db_: stops before the connection closes
};

}  // namespace meshjobs
