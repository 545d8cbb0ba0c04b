#include "sqlite_writer.hpp"

#include <algorithm>
#include <exception>
#include <utility>

#include "sqlite_job_row.hpp"

namespace meshjobs {
namespace {

std::string upsert_job_sql() {
  std::string sql = std::string("INSERT OR REPLACE INTO jobs (") + job_row_columns + ") VALUES (";
  for (int i = 0; i < job_row_column_count; ++i)
    sql += i == 0 ? "?" : ", ?";
  return sql + ")";
}

bool all_empty(const std::vector<write_batch>& group) {
  return std::all_of(group.begin(), group.end(), [](const write_batch& b) { return b.empty(); });
}

}  // namespace

sqlite_writer::sqlite_writer(sqlite_db& db)
  : db_(db),
    upsert_job_(db.prepare(upsert_job_sql().c_str())),
    delete_job_(db.prepare("DELETE FROM jobs WHERE id = ?1")),
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
  for (;;) {
    std::vector<write_batch> group = next_group();
    if (group.empty())
      return;
    std::string error = write_group(group);
    // Outside the lock: a callback may take its time, and commits keep queueing meanwhile.
    for (write_batch& batch : group)
      if (batch.on_durable)
        batch.on_durable(error);
    finish_group(group.size());
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

void sqlite_writer::finish_group(std::size_t batches) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ += batches;
  }
  idle_.notify_all();
}

std::string sqlite_writer::write_group(std::vector<write_batch>& group) {
  if (carried_.empty() && all_empty(group))
    return "";
  try {
    db_.exec("BEGIN IMMEDIATE");
    apply(carried_);
    for (const write_batch& batch : group)
      apply(batch);
    db_.exec("COMMIT");
  } catch (const std::exception& e) {
    if (!sqlite3_get_autocommit(db_.handle()))
      sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    carry_over(group);
    return e.what();
  }
  carried_ = write_batch{};
  ++transactions_;
  return "";
}

// Later batches win over earlier ones: statements run in order, the last write to a row stays.
void sqlite_writer::apply(const write_batch& batch) {
  for (const job_write& w : batch.jobs) {
    if (w.row) {
      bind_job_row(upsert_job_.get(), *w.row);
      db_.run(upsert_job_.get());
    } else {
      sqlite3_bind_int64(delete_job_.get(), 1, static_cast<sqlite3_int64>(w.id));
      db_.run(delete_job_.get());
    }
  }
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
}

// Folds a failed group into the carried writes, keeping one (the latest) write per row.
void sqlite_writer::carry_over(std::vector<write_batch>& group) {
  std::map<job_id, std::optional<job>> latest;
  for (job_write& w : carried_.jobs)
    latest[w.id] = std::move(w.row);
  for (write_batch& batch : group) {
    for (job_write& w : batch.jobs)
      latest[w.id] = std::move(w.row);
    for (const auto& [entry, slot] : batch.cron)
      carried_.cron[entry] = slot;
    carried_.next_id = std::max(carried_.next_id, batch.next_id);
  }
  carried_.jobs.clear();
  for (auto& [id, row] : latest)
    carried_.jobs.push_back(job_write{id, std::move(row)});
}

}  // namespace meshjobs
