#include "store/sqlite_store.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "store/record_tables.hpp"
#include "store/sqlite_schema.hpp"

namespace meshjobs {

sqlite_store::sqlite_store(const store_config& cfg) : db_(cfg.path), reader_(cfg.path) {
  configure_sqlite(db_, cfg.sync);
  migrate_sqlite_schema(db_);
  sqlite_contents contents = load_sqlite_contents(db_, table_);
  cron_ = std::move(contents.cron);
  next_ = contents.next_id;
  probe_sqlite_write(db_, next_);
  writer_ = std::make_unique<sqlite_writer>(db_);
}

sqlite_store::~sqlite_store() {
  if (dirty())
    commit(nullptr);
  writer_.reset();
}

void sqlite_store::put(const job& j) {
  table_.put(j);
  dirty_jobs_.push_back(j.id);
  // next_id() must never hand out an id a job put by hand already has.
  if (j.id >= next_ && j.id < std::numeric_limits<job_id>::max()) {
    next_ = j.id + 1;
    next_id_dirty_ = true;
  }
}

void sqlite_store::erase(job_id id) {
  if (table_.erase(id))
    dirty_jobs_.push_back(id);
}

job_id sqlite_store::next_id() {
  next_id_dirty_ = true;
  return next_++;
}

timestamp sqlite_store::cron_last_run(const std::string& entry) const {
  auto found = cron_.find(entry);
  return found == cron_.end() ? 0 : found->second;
}

void sqlite_store::set_cron_last_run(const std::string& entry, timestamp slot) {
  cron_[entry] = slot;
  dirty_cron_.insert(entry);
}

void sqlite_store::migrate_records(const std::vector<record_schema>& schemas) {
  std::lock_guard<std::mutex> lock(reader_mutex_);
  meshjobs::migrate_records(reader_, schemas);
}

void sqlite_store::stage_records(std::vector<record_write> writes) {
  if (staged_records_.empty()) {
    staged_records_ = std::move(writes);
    return;
  }
  for (auto& w : writes)
    staged_records_.push_back(std::move(w));
}

std::vector<record_row> sqlite_store::query_records(const std::string& sql,
                                                    const std::vector<record_value>& params) const {
  std::lock_guard<std::mutex> lock(reader_mutex_);
  return meshjobs::query_records(reader_, sql, params);
}

void sqlite_store::commit(std::function<void(std::string error)> on_durable) {
  write_batch batch = take_dirty();
  batch.on_durable = std::move(on_durable);
  writer_->submit(std::move(batch));
}

bool sqlite_store::dirty() const {
  return !dirty_jobs_.empty() || !dirty_cron_.empty() || next_id_dirty_ || !staged_records_.empty()
         || writer_->retrying();
}

std::optional<std::string> sqlite_store::pragma(const std::string& name) {
  writer_->wait_idle();
  return db_.query_text(("PRAGMA " + name).c_str());
}

write_batch sqlite_store::take_dirty() {
  write_batch batch = writer_->blank_batch();
  std::sort(dirty_jobs_.begin(), dirty_jobs_.end());
  dirty_jobs_.erase(std::unique(dirty_jobs_.begin(), dirty_jobs_.end()), dirty_jobs_.end());
  batch.upserts.reserve(dirty_jobs_.size());
  for (job_id id : dirty_jobs_) {
    if (auto j = table_.get(id))
      batch.upserts.emplace_back(*j);
    else
      batch.deletes.push_back(id);
  }
  dirty_jobs_.clear();
  for (const std::string& entry : dirty_cron_)
    batch.cron.emplace(entry, cron_.at(entry));
  dirty_cron_.clear();
  if (next_id_dirty_)
    batch.next_id = next_;
  next_id_dirty_ = false;
  batch.records.swap(staged_records_);
  staged_records_.clear();
  return batch;
}

std::unique_ptr<store> make_sqlite_store(const store_config& cfg) {
  return std::make_unique<sqlite_store>(cfg);
}

}  // namespace meshjobs
