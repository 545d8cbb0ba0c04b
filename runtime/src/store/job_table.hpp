// The in-memory table of jobs that every store backend serves reads from (the SQLite backend
// is this table plus durability).
//
// Sized for a million queued jobs: a job is an 88-byte record (kind and queue interned to
// 16-bit ids, args out of line and absent when "{}", unique key and last error out of line
// and absent when empty) in fixed chunks that never move, found through an open-addressing
// index (16 bytes an entry). Freed records are reused before new chunks are taken; the table
// keeps its peak capacity.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "store/job_index.hpp"
#include "meshjobs/messages/job.hpp"
#include "store/name_table.hpp"

namespace meshjobs {

class job_table {
 public:
  using visitor = std::function<bool(const job&)>;

  job_table();
  ~job_table();
  job_table(const job_table&) = delete;
  job_table& operator=(const job_table&) = delete;

  /// What the store's query index needs to know of a job.
  /// A job's state and its queue and kind as the table's name ids (see name_of, name_id_of).
  struct summary {
    job_state state;
    name_table::name_id queue;
    name_table::name_id kind;
  };
  struct put_result {
    std::optional<summary> before;  ///< none: a new job
    summary after;
  };

  /// Inserts or replaces the job with `j.id`; says what it replaced and what it put.
  /// Throws std::invalid_argument for a state outside job_state, leaving the table unchanged.
  put_result put(const job& j);
  /// Removes a job and returns what it was; none when `id` is unknown.
  std::optional<summary> erase(job_id id);
  std::optional<job> get(job_id id) const;
  std::optional<summary> summarize(job_id id) const;
  bool contains(job_id id) const { return index_.find(id) != job_index::npos; }
  /// A queue or kind name by its id in summaries, and the id of a name (none: no job ever had it).
  const std::string& name_of(name_table::name_id id) const { return names_.name(id); }
  std::optional<name_table::name_id> name_id_of(const std::string& name) const { return names_.find(name); }

  /// Visits matching jobs in slot order until `visit` returns false. `visit` may put and
  /// erase: a job put during the walk may or may not be visited.
  void for_each(job_state s, const visitor& visit) const;
  void for_each(const visitor& visit) const;

  std::size_t count(job_state s) const;
  std::size_t size() const { return index_.size(); }

 private:
  struct record;
  static constexpr std::size_t state_count = static_cast<std::size_t>(job_state::expired) + 1;

  record make_record(const job& j);
  job to_job(const record& r) const;
  job_index::slot allocate();
  record& at(job_index::slot s);
  const record& at(job_index::slot s) const;
  void walk(const std::optional<job_state>& only, const visitor& visit) const;

  name_table names_;
  job_index index_;
  std::vector<std::unique_ptr<record[]>> chunks_;
  job_index::slot slots_taken_ = 0;  // slots handed out of chunks_ so far
  std::vector<job_index::slot> free_;
  std::array<std::size_t, state_count> counts_{};
};

}  // namespace meshjobs
