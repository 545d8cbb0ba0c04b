// The memory backend: the job table, and the domain records in an in-memory SQLite database.
// Nothing survives the process; a commit is durable as soon as it is asked for, so its
// callback runs at once on the caller's thread.
#include <limits>
#include <map>
#include <mutex>
#include <string>

#include "store/job_table.hpp"
#include "store/record_tables.hpp"
#include "store/store.hpp"

namespace meshjobs {
namespace {

class memory_store final : public store {
 public:
  void put(const job& j) override {
    table_.put(j);
    // next_id() must never hand out an id a job put by hand already has.
    if (j.id >= next_ && j.id < std::numeric_limits<job_id>::max())
      next_ = j.id + 1;
    dirty_ = true;
  }
  void erase(job_id id) override { dirty_ = table_.erase(id) || dirty_; }
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

  job_id next_id() override {
    dirty_ = true;
    return next_++;
  }

  timestamp cron_last_run(const std::string& entry) const override {
    auto found = cron_.find(entry);
    return found == cron_.end() ? 0 : found->second;
  }
  void set_cron_last_run(const std::string& entry, timestamp slot) override {
    cron_[entry] = slot;
    dirty_ = true;
  }

  void migrate_records(const std::vector<record_schema>& schemas) override {
    std::lock_guard<std::mutex> lock(records_mutex_);
    meshjobs::migrate_records(records_, schemas);
  }
  void stage_records(std::vector<record_write> writes) override {
    for (auto& w : writes)
      staged_records_.push_back(std::move(w));
    dirty_ = dirty_ || !staged_records_.empty();
  }
  std::vector<record_row> query_records(const std::string& sql,
                                        const std::vector<record_value>& params) const override {
    std::lock_guard<std::mutex> lock(records_mutex_);
    return meshjobs::query_records(records_, sql, params);
  }

  void commit(std::function<void(std::string error)> on_durable) override {
    if (!staged_records_.empty()) {
      std::lock_guard<std::mutex> lock(records_mutex_);
      records_.exec("BEGIN");
      apply_record_writes(records_, staged_records_);
      records_.exec("COMMIT");
      staged_records_.clear();
    }
    dirty_ = false;
    if (on_durable)
      on_durable("");
  }
  bool dirty() const override { return dirty_; }
  void flush() override {}

 private:
  job_table table_;
  job_id next_ = 1;
  std::map<std::string, timestamp> cron_;
  bool dirty_ = false;
  std::vector<record_write> staged_records_;
  mutable std::mutex records_mutex_;
  mutable sqlite_db records_{":memory:"};
};

}  // namespace

std::unique_ptr<store> make_memory_store() { return std::make_unique<memory_store>(); }

}  // namespace meshjobs
