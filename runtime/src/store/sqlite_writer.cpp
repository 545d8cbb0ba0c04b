#include "store/sqlite_writer.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <utility>

#include "store/record_tables.hpp"

namespace meshjobs {
namespace {

// The writer thread's nice (see run): background work, below the threads that start jobs.
constexpr int writer_nice = 5;

// Rows (ids) per multi-row statement: one statement for 16 rows costs about 20 % less
// SQLite time than 16 single-row ones (the per-statement setup is shared).
constexpr std::size_t rows_per_statement = 16;

// Spare batches kept for reuse, and the largest buffer worth keeping after a burst.
constexpr std::size_t max_spare_batches = 4;
constexpr std::size_t max_spare_rows = 4096;

std::string placeholders(std::size_t count) {
  std::string list = "(";
  for (std::size_t i = 0; i < count; ++i)
    list += i == 0 ? "?" : ", ?";
  return list + ")";
}

std::string upsert_sql(std::size_t rows) {
  std::string sql = std::string("INSERT OR REPLACE INTO jobs (") + job_row_columns + ") VALUES ";
  std::string row = placeholders(job_row_column_count);
  for (std::size_t i = 0; i < rows; ++i)
    sql += (i == 0 ? "" : ", ") + row;
  return sql;
}

std::string delete_sql(std::size_t ids) {
  return "DELETE FROM jobs WHERE id IN " + placeholders(ids);
}

void empty_for_reuse(write_batch& batch) {
  batch.upserts.clear();
  batch.deletes.clear();
  batch.cron.clear();
  batch.next_id = 0;
  batch.records.clear();
  batch.on_durable = nullptr;
}

bool all_empty(const std::vector<write_batch>& group) {
  return std::all_of(group.begin(), group.end(), [](const write_batch& b) { return b.empty(); });
}

}  // namespace

sqlite_writer::sqlite_writer(sqlite_db& db)
  : db_(db),
    upsert_one_(db.prepare(upsert_sql(1).c_str())),
    upsert_many_(db.prepare(upsert_sql(rows_per_statement).c_str())),
    delete_one_(db.prepare(delete_sql(1).c_str())),
    delete_many_(db.prepare(delete_sql(rows_per_statement).c_str())),
    upsert_cron_(db.prepare("INSERT OR REPLACE INTO cron (entry, last_slot) VALUES (?1, ?2)")),
    upsert_next_id_(db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', ?1)")) {
  thread_ = std::thread([this] { run(); });
}

sqlite_writer::~sqlite_writer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

write_batch sqlite_writer::blank_batch() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (spare_.empty())
    return {};
  write_batch batch = std::move(spare_.back());
  spare_.pop_back();
  return batch;
}

void sqlite_writer::submit(write_batch batch) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queued_.push_back(std::move(batch));
    ++submitted_;
  }
  wake_.notify_one();
}

void sqlite_writer::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  std::uint64_t target = submitted_;
  idle_.wait(lock, [&] { return finished_ >= target; });
}

void sqlite_writer::run() {
  // Commits are grouped, so a writer that gets the CPU a little later writes a larger group
  // and the store loses nothing; a job that waits behind it for a core is late to start. On 2
  // cores, same binary, runs alternating (bench/latency and bench/throughput, SQLite store),
  // nice 5 took the enqueue-to-start p99 from 0.315 to 0.282 ms (medians of 5) at the same
  // throughput (428k / 430k jobs/s). Linux's nice is per thread; failing to set it is harmless.
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), writer_nice);
  for (;;) {
    std::vector<write_batch> group = next_group();
    if (group.empty())
      return;
    std::string error = write_group(group);
    // Outside the lock: a callback may take its time, and commits keep queueing meanwhile.
    for (write_batch& batch : group)
      if (batch.on_durable)
        batch.on_durable(error);
    finish_group(group);
  }
}

// Everything queued, or nothing once stopping with the queue drained.
std::vector<write_batch> sqlite_writer::next_group() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, [&] { return !queued_.empty() || stopping_; });
  std::vector<write_batch> group;
  group.swap(queued_);
  return group;
}

void sqlite_writer::finish_group(std::vector<write_batch>& group) {
  for (write_batch& batch : group)
    empty_for_reuse(batch);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ += group.size();
    for (write_batch& batch : group)
      if (spare_.size() < max_spare_batches && batch.upserts.capacity() <= max_spare_rows)
        spare_.push_back(std::move(batch));
  }
  idle_.notify_all();
}

std::string sqlite_writer::write_group(std::vector<write_batch>& group) {
  if (carried_.empty() && all_empty(group))
    return "";
  try {
    fold_jobs(group);
    db_.exec("BEGIN IMMEDIATE");
    apply_jobs();
    apply_rest(carried_);
    for (const write_batch& batch : group)
      apply_rest(batch);
    db_.exec("COMMIT");
  } catch (const std::exception& e) {
    if (!sqlite3_get_autocommit(db_.handle()))
      sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    carry_over(group);
    retrying_ = true;
    return e.what();
  }
  carried_ = write_batch{};
  retrying_ = false;
  ++transactions_;
  return "";
}

void sqlite_writer::fold_jobs(const std::vector<write_batch>& group) {
  folded_upserts_.clear();
  folded_deletes_.clear();
  if (carried_.empty() && group.size() == 1) {
    // One batch writes each job once already: nothing to fold (the common case).
    for (const job_row& row : group.front().upserts)
      folded_upserts_.push_back(&row);
    folded_deletes_ = group.front().deletes;
    return;
  }
  writes_.clear();
  std::uint64_t order = 0;
  auto add = [&](const write_batch& batch) {
    for (const job_row& row : batch.upserts)
      writes_.push_back({row.id(), order++, &row});
    for (job_id id : batch.deletes)
      writes_.push_back({id, order++, nullptr});
  };
  add(carried_);
  for (const write_batch& batch : group)
    add(batch);
  std::sort(writes_.begin(), writes_.end(), [](const job_write& a, const job_write& b) {
    return a.id != b.id ? a.id < b.id : a.order < b.order;
  });
  for (std::size_t i = 0; i < writes_.size(); ++i) {
    if (i + 1 < writes_.size() && writes_[i + 1].id == writes_[i].id)
      continue;  // a later write to the same job follows
    if (writes_[i].row != nullptr)
      folded_upserts_.push_back(writes_[i].row);
    else
      folded_deletes_.push_back(writes_[i].id);
  }
}

void sqlite_writer::apply_jobs() {
  upsert(folded_upserts_);
  remove(folded_deletes_);
}

// Cron, the id mark and domain records, batch after batch: the last write to a row stays.
void sqlite_writer::apply_rest(const write_batch& batch) {
  for (const auto& [entry, slot] : batch.cron) {
    sqlite3_bind_text(upsert_cron_.get(), 1, entry.data(), static_cast<int>(entry.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(upsert_cron_.get(), 2, slot);
    db_.run(upsert_cron_.get());
  }
  if (batch.next_id != 0) {
    sqlite3_bind_int64(upsert_next_id_.get(), 1, static_cast<sqlite3_int64>(batch.next_id));
    db_.run(upsert_next_id_.get());
  }
  apply_record_writes(db_, batch.records);
}

void sqlite_writer::upsert(const std::vector<const job_row*>& rows) {
  std::size_t i = 0;
  for (; i + rows_per_statement <= rows.size(); i += rows_per_statement) {
    for (std::size_t r = 0; r < rows_per_statement; ++r)
      rows[i + r]->bind(upsert_many_.get(), static_cast<int>(r) * job_row_column_count);
    db_.run(upsert_many_.get());
  }
  for (; i < rows.size(); ++i) {
    rows[i]->bind(upsert_one_.get());
    db_.run(upsert_one_.get());
  }
}

void sqlite_writer::remove(const std::vector<job_id>& ids) {
  auto bind_id = [](sqlite3_stmt* s, std::size_t parameter, job_id id) {
    sqlite3_bind_int64(s, static_cast<int>(parameter), static_cast<sqlite3_int64>(id));
  };
  std::size_t i = 0;
  for (; i + rows_per_statement <= ids.size(); i += rows_per_statement) {
    for (std::size_t r = 0; r < rows_per_statement; ++r)
      bind_id(delete_many_.get(), r + 1, ids[i + r]);
    db_.run(delete_many_.get());
  }
  for (; i < ids.size(); ++i) {
    bind_id(delete_one_.get(), 1, ids[i]);
    db_.run(delete_one_.get());
  }
}

// Keeps a failed group's writes for the next transaction: one row per job, as fold_jobs left
// them, and every record write, in order.
void sqlite_writer::carry_over(std::vector<write_batch>& group) {
  std::vector<job_row> upserts;
  upserts.reserve(folded_upserts_.size());
  for (const job_row* row : folded_upserts_)
    upserts.push_back(*row);  // copied: the rows belong to the batches, emptied for reuse
  carried_.upserts = std::move(upserts);
  carried_.deletes = folded_deletes_;
  for (write_batch& batch : group) {
    for (const auto& [entry, slot] : batch.cron)
      carried_.cron[entry] = slot;
    carried_.next_id = std::max(carried_.next_id, batch.next_id);
    // Record writes are statements, not rows: all of them are kept, in order.
    for (record_write& w : batch.records)
      carried_.records.push_back(std::move(w));
  }
}

}  // namespace meshjobs
