#include "store/sqlite_journal.hpp"

#include <utility>

#include "store/record_tables.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_store.hpp"

namespace meshjobs {

sqlite_journal::sqlite_journal(const store_config& cfg) : db_(cfg.path), reader_(cfg.path) {
  configure_sqlite(db_, cfg.sync);
  migrate_sqlite_schema(db_);
}

sqlite_journal::~sqlite_journal() { writer_.reset(); }

journal_contents sqlite_journal::load(const std::function<void(job&&)>& add) {
  journal_contents contents = load_sqlite_contents(db_, add);
  probe_sqlite_write(db_, contents.next_id);
  writer_ = std::make_unique<sqlite_writer>(db_);
  return contents;
}

void sqlite_journal::migrate_records(const std::vector<record_schema>& schemas) {
  std::lock_guard<std::mutex> lock(reader_mutex_);
  meshjobs::migrate_records(reader_, schemas);
}

std::vector<record_row> sqlite_journal::query_records(const std::string& sql,
                                                     const std::vector<record_value>& params) const {
  std::lock_guard<std::mutex> lock(reader_mutex_);
  return meshjobs::query_records(reader_, sql, params);
}

void sqlite_journal::commit(store_changes& changes,
                            std::function<void(std::string error)> on_durable) {
  write_batch batch = writer_->blank_batch();
  batch.upserts.reserve(changes.jobs.size());
  for (job_id id : changes.jobs) {
    if (auto j = changes.job_now(id))
      batch.upserts.emplace_back(*j);
    else
      batch.deletes.push_back(id);
  }
  batch.cron = std::move(changes.cron);
  batch.next_id = changes.next_id;
  batch.records.swap(changes.records);
  batch.on_durable = std::move(on_durable);
  writer_->submit(std::move(batch));
}

std::optional<std::string> sqlite_journal::pragma(const std::string& name) {
  writer_->wait_idle();
  return db_.query_text(("PRAGMA " + name).c_str());
}

std::unique_ptr<store> make_sqlite_store(const store_config& cfg) {
  return std::make_unique<sqlite_store>(cfg);
}

}  // namespace meshjobs
