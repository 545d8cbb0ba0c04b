// The memory backend's journal: nothing survives the process, so it keeps no job rows, and a
// commit is durable as soon as it is asked for (its callback runs at once, on the caller's
// thread). Domain records live in an in-memory SQLite database, for the same SQL as the file.
#include <mutex>
#include <string>

#include "store/record_tables.hpp"
#include "store/store.hpp"

namespace meshjobs {
namespace {

class memory_journal final : public store_journal {
 public:
  bool keeps_jobs() const override { return false; }
  journal_contents load(const std::function<void(job&&)>&) override { return {}; }

  void commit(store_changes& changes, std::function<void(std::string error)> on_durable) override {
    if (!changes.records.empty()) {
      std::lock_guard<std::mutex> lock(records_mutex_);
      records_.exec("BEGIN");
      apply_record_writes(records_, changes.records);
      records_.exec("COMMIT");
    }
    if (on_durable)
      on_durable("");
  }
  bool retrying() const override { return false; }
  void flush() override {}

  void migrate_records(const std::vector<record_schema>& schemas) override {
    std::lock_guard<std::mutex> lock(records_mutex_);
    meshjobs::migrate_records(records_, schemas);
  }
  std::vector<record_row> query_records(const std::string& sql,
                                        const std::vector<record_value>& params) const override {
    std::lock_guard<std::mutex> lock(records_mutex_);
    return meshjobs::query_records(records_, sql, params);
  }

 private:
  mutable std::mutex records_mutex_;
  mutable sqlite_db records_{":memory:"};
};

}  // namespace

std::unique_ptr<store> make_memory_store(const store_config& cfg) {
  return std::make_unique<store>(std::make_unique<memory_journal>(), cfg);
}

}  // namespace meshjobs
