// The SQLite backend's journal: a file for durability.
//
// commit() snapshots the changed jobs as they are now (present: the full row, to
// INSERT OR REPLACE; gone: a DELETE, so a job put then erased between two commits costs one
// DELETE) and hands them to the writer thread, which groups every commit queued while it was
// busy into one transaction. A snapshot row costs 136 bytes until it is written: a producer
// that outruns the disk piles them up, which waiting for commit acks (as enqueue does) bounds.
//
// The connection is the constructor's until the writer starts (at the end of load), then the
// writer's; pragma() borrows it only while the writer is idle.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "meshjobs/config/config.hpp"
#include "store/sqlite_db.hpp"
#include "store/sqlite_writer.hpp"
#include "store/store_journal.hpp"

namespace meshjobs {

class sqlite_journal final : public store_journal {
 public:
  /// Opens or creates `cfg.path` and brings its schema up to date. Throws std::runtime_error
  /// naming the path and the reason.
  explicit sqlite_journal(const store_config& cfg);
  /// Waits for the commits asked for, and stops the writer.
  ~sqlite_journal() override;

  bool keeps_jobs() const override { return true; }
  /// Every job as stored; then proves the file writable and starts the writer.
  journal_contents load(const std::function<void(job&&)>& add) override;
  void commit(store_changes& changes, std::function<void(std::string error)> on_durable) override;
  bool retrying() const override { return writer_ && writer_->retrying(); }
  void flush() override { writer_->wait_idle(); }

  void migrate_records(const std::vector<record_schema>& schemas) override;
  std::vector<record_row> query_records(const std::string& sql,
                                        const std::vector<record_value>& params) const override;

  /// Transactions committed so far: tests prove with it that commits are grouped.
  std::uint64_t transactions() const { return writer_->transactions(); }
  /// A pragma's value on the journal's own connection (synchronous is per connection). Waits
  /// for the writer to go idle first: the connection is used by one thread at a time.
  std::optional<std::string> pragma(const std::string& name);

 private:
  sqlite_db db_;
  // Record queries come from any thread: they get a connection of their own (WAL lets it read
  // the last commit while the writer writes).
  mutable std::mutex reader_mutex_;
  mutable sqlite_db reader_;
  std::unique_ptr<sqlite_writer> writer_;  // after db_: stops before the connection closes
};

}  // namespace meshjobs
