#include "store/store.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

namespace meshjobs {

store::store(std::unique_ptr<store_journal> journal, const store_config& cfg)
  : journal_(std::move(journal)),
    tracks_jobs_(journal_->keeps_jobs()),
    finished_(cfg.finished_max_jobs, cfg.finished_max_age_s) {
  journal_contents contents = journal_->load([this](job&& j) { load(std::move(j)); });
  cron_ = std::move(contents.cron);
  next_ = contents.next_id;
  finished_.sort();
  // A lower bound than the last process had drops the surplus now; the age waits for a clock.
  prune_finished_to(0);
}

store::~store() {
  if (dirty())
    commit(nullptr);
  journal_.reset();
}

void store::load(job&& j) {
  put_as_is(j);
  if (finished_jobs::kept(j.state))
    finished_.add(j.finished_at, j.id);
}

void store::put(const job& j) {
  std::optional<job_table::summary> before;
  if (finished_jobs::kept(j.state) && j.args.size() > finished_jobs::max_args_bytes) {
    job cut = j;
    cut.args = finished_jobs::truncated_args(j.args);
    before = put_as_is(cut);
  } else {
    before = put_as_is(j);
  }
  const bool newly_finished =
    finished_jobs::kept(j.state) && (!before || !finished_jobs::kept(before->state));
  changed(j.id);
  // next_id() must never hand out an id a job put by hand already has.
  if (j.id >= next_ && j.id < std::numeric_limits<job_id>::max()) {
    next_ = j.id + 1;
    next_id_changed_ = true;
  }
  if (newly_finished) {
    finished_.add(j.finished_at, j.id);
    prune_finished_to(j.finished_at);
  }
}

std::optional<job_table::summary> store::put_as_is(const job& j) {
  const auto [before, after] = table_.put(j);
  if (!before) {
    index_.add(j.id, after.state, after.queue, after.kind);
  } else if (before->queue != after.queue || before->kind != after.kind) {
    // Not something the coordinator does, but the store takes any put.
    index_.remove(j.id, before->state, before->queue, before->kind);
    index_.add(j.id, after.state, after.queue, after.kind);
  } else if (before->state != after.state) {
    index_.move(j.id, before->state, after.state);
  }
  return before;
}

void store::erase(job_id id) {
  auto gone = table_.erase(id);
  if (!gone)
    return;
  index_.remove(id, gone->state, gone->queue, gone->kind);
  changed(id);
}

void store::changed(job_id id) {
  changed_ = true;
  if (tracks_jobs_)
    pending_.jobs.push_back(id);
}

std::size_t store::finished() const {
  return count(job_state::succeeded) + count(job_state::discarded)
         + count(job_state::cancelled) + count(job_state::expired);
}

void store::prune_finished(timestamp now) { prune_finished_to(now); }

void store::prune_finished_to(timestamp now) {
  while (auto id = finished_.pop_due(finished(), now)) {
    auto j = table_.summarize(*id);  // the erase finds it again in the cache
    if (j && finished_jobs::kept(j->state))
      erase(*id);
  }
}

job_page store::query(const job_query& q) const {
  job_page page;
  std::optional<name_table::name_id> queue, kind;
  if (!q.queue.empty() && !(queue = table_.name_id_of(q.queue)))
    return page;  // no job ever had that queue
  if (!q.kind.empty() && !(kind = table_.name_id_of(q.kind)))
    return page;
  job_query_index::id_page ids = index_.page(q, queue, kind);
  page.jobs.reserve(ids.ids.size());
  for (job_id id : ids.ids)
    if (auto j = table_.get(id))
      page.jobs.push_back(std::move(*j));
  if (ids.more && !ids.ids.empty())
    page.next_cursor = ids.ids.back();
  return page;
}

job_id store::next_id() {
  changed_ = true;
  next_id_changed_ = true;
  return next_++;
}

timestamp store::cron_last_run(const std::string& entry) const {
  auto found = cron_.find(entry);
  return found == cron_.end() ? 0 : found->second;
}

void store::set_cron_last_run(const std::string& entry, timestamp slot) {
  cron_[entry] = slot;
  changed_cron_.insert(entry);
  changed_ = true;
}

void store::stage_records(std::vector<record_write> writes) {
  if (writes.empty())
    return;
  if (pending_.records.empty())
    pending_.records = std::move(writes);
  else
    for (auto& w : writes)
      pending_.records.push_back(std::move(w));
  changed_ = true;
}

void store::commit(std::function<void(std::string error)> on_durable) {
  auto& jobs = pending_.jobs;
  std::sort(jobs.begin(), jobs.end());
  jobs.erase(std::unique(jobs.begin(), jobs.end()), jobs.end());
  if (!pending_.job_now)
    pending_.job_now = [this](job_id id) { return table_.get(id); };
  for (const std::string& entry : changed_cron_)
    pending_.cron.emplace(entry, cron_.at(entry));
  changed_cron_.clear();
  pending_.next_id = next_id_changed_ ? next_ : 0;
  next_id_changed_ = false;
  changed_ = false;
  journal_->commit(pending_, std::move(on_durable));
  pending_.jobs.clear();
  pending_.cron.clear();
  pending_.records.clear();
}

std::unique_ptr<store> open_store(const store_config& cfg) {
  switch (cfg.backend) {
    case store_backend::memory:
      return make_memory_store(cfg);
    case store_backend::sqlite:
      return make_sqlite_store(cfg);
  }
  throw std::invalid_argument("store: unknown backend "
                              + std::to_string(static_cast<int>(cfg.backend)));
}

}  // namespace meshjobs
