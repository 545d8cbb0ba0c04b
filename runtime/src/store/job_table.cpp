#include "store/job_table.hpp"

#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace meshjobs {
namespace {

constexpr std::size_t chunk_records = 4096;
constexpr std::string_view default_args = "{}";

// A job's args text behind one pointer. Null stands for "{}", the envelope's default and the
// args of most jobs without parameters, so those cost no allocation at all.
class args_text {
 public:
  args_text() = default;
  explicit args_text(std::string_view text) {
    if (text == default_args)
      return;
    block_ = std::make_unique<char[]>(sizeof(std::size_t) + text.size());
    std::size_t length = text.size();
    std::memcpy(block_.get(), &length, sizeof length);
    std::memcpy(block_.get() + sizeof length, text.data(), text.size());
  }

  std::string_view view() const {
    if (!block_)
      return default_args;
    std::size_t length;
    std::memcpy(&length, block_.get(), sizeof length);
    return {block_.get() + sizeof length, length};
  }

 private:
  std::unique_ptr<char[]> block_;  // [length][bytes]
};

// What most jobs do not have, kept out of the record. A running job's progress lives in the
// coordinator; a finished job keeps its last report here.
struct job_extras {
  std::string unique_key;
  job_error last_error;
  std::int32_t progress = 0;
  std::string progress_message;
};

std::size_t state_slot(job_state s) { return static_cast<std::size_t>(s); }

}  // namespace

struct job_table::record {
  job_id id = 0;
  timestamp enqueued_at = 0;
  timestamp run_at = 0;
  timestamp started_at = 0;
  timestamp finished_at = 0;
  timestamp expires_at = 0;
  args_text args;
  std::unique_ptr<job_extras> extras;
  std::int32_t priority = 0;
  std::int32_t attempt = 0;
  std::int32_t max_attempts = 0;
  std::int32_t recoveries = 0;
  name_table::name_id kind = 0;
  name_table::name_id queue = 0;
  job_state state = job_state::enqueued;
  unique_mode unique = unique_mode::none;
  bool in_use = false;
};

job_table::job_table() {
  // The memory budget (~180 bytes per queued job with the index) rests on this.
  static_assert(sizeof(record) <= 88, "a job record grew past 88 bytes");
}

job_table::~job_table() = default;

job_table::put_result job_table::put(const job& j) {
  if (state_slot(j.state) >= state_count)
    throw std::invalid_argument("store: job " + std::to_string(j.id) + ": invalid state "
                                + std::to_string(state_slot(j.state)));
  record fresh = make_record(j);
  put_result result;
  job_index::slot s = index_.find(j.id);
  if (s == job_index::npos) {
    s = allocate();
    index_.insert(j.id, s);
  } else {
    result.before = summary{at(s).state, at(s).queue, at(s).kind};
    --counts_[state_slot(at(s).state)];
  }
  result.after = summary{fresh.state, fresh.queue, fresh.kind};
  at(s) = std::move(fresh);
  ++counts_[state_slot(j.state)];
  return result;
}

std::optional<job_table::summary> job_table::erase(job_id id) {
  job_index::slot s = index_.erase(id);
  if (s == job_index::npos)
    return std::nullopt;
  const record& r = at(s);
  summary gone{r.state, r.queue, r.kind};
  --counts_[state_slot(r.state)];
  at(s) = record{};
  free_.push_back(s);
  return gone;
}

std::optional<job> job_table::get(job_id id) const {
  job_index::slot s = index_.find(id);
  if (s == job_index::npos)
    return std::nullopt;
  return to_job(at(s));
}

std::optional<job_table::summary> job_table::summarize(job_id id) const {
  job_index::slot s = index_.find(id);
  if (s == job_index::npos)
    return std::nullopt;
  const record& r = at(s);
  return summary{r.state, r.queue, r.kind};
}

void job_table::for_each(job_state s, const visitor& visit) const {
  if (count(s) > 0)
    walk(s, visit);
}

void job_table::for_each(const visitor& visit) const { walk(std::nullopt, visit); }

std::size_t job_table::count(job_state s) const {
  return state_slot(s) < state_count ? counts_[state_slot(s)] : 0;
}

// Slots are read afresh on every step (never a held reference) so `visit` may write.
void job_table::walk(const std::optional<job_state>& only, const visitor& visit) const {
  for (job_index::slot s = 0; s < slots_taken_; ++s) {
    const record& r = at(s);
    if (!r.in_use || (only && r.state != *only))
      continue;
    if (!visit(to_job(r)))
      return;
  }
}

job_table::record job_table::make_record(const job& j) {
  record r;
  r.id = j.id;
  r.enqueued_at = j.enqueued_at;
  r.run_at = j.run_at;
  r.started_at = j.started_at;
  r.finished_at = j.finished_at;
  r.expires_at = j.expires_at;
  r.args = args_text(j.args);
  if (!j.unique_key.empty() || !(j.last_error == job_error{}) || j.progress != 0
      || !j.progress_message.empty())
    r.extras = std::make_unique<job_extras>(
      job_extras{j.unique_key, j.last_error, j.progress, j.progress_message});
  r.priority = j.priority;
  r.attempt = j.attempt;
  r.max_attempts = j.max_attempts;
  r.recoveries = j.recoveries;
  r.kind = names_.intern(j.kind);
  r.queue = names_.intern(j.queue);
  r.state = j.state;
  r.unique = j.unique;
  r.in_use = true;
  return r;
}

job job_table::to_job(const record& r) const {
  job j;
  j.id = r.id;
  j.kind = names_.name(r.kind);
  j.queue = names_.name(r.queue);
  j.args = std::string(r.args.view());
  j.priority = r.priority;
  j.attempt = r.attempt;
  j.max_attempts = r.max_attempts;
  j.recoveries = r.recoveries;
  j.state = r.state;
  j.unique = r.unique;
  if (r.extras) {
    j.unique_key = r.extras->unique_key;
    j.last_error = r.extras->last_error;
    j.progress = r.extras->progress;
    j.progress_message = r.extras->progress_message;
  }
  j.enqueued_at = r.enqueued_at;
  j.run_at = r.run_at;
  j.started_at = r.started_at;
  j.finished_at = r.finished_at;
  j.expires_at = r.expires_at;
  return j;
}

job_index::slot job_table::allocate() {
  if (!free_.empty()) {
    job_index::slot s = free_.back();
    free_.pop_back();
    return s;
  }
  if (slots_taken_ % chunk_records == 0)
    chunks_.push_back(std::make_unique<record[]>(chunk_records));
  return slots_taken_++;
}

job_table::record& job_table::at(job_index::slot s) {
  return chunks_[s / chunk_records][s % chunk_records];
}

const job_table::record& job_table::at(job_index::slot s) const {
  return chunks_[s / chunk_records][s % chunk_records];
}

}  // namespace meshjobs
