// Admission: validate a request, persist the job, place it in its queue or the scheduled set;
// and what follows when its write does not become durable.
#include <spdlog/spdlog.h>

#include <ctime>
#include <optional>

#include "coordinator/job_ledger.hpp"
#include "meshjobs/config/loader.hpp"
#include "meshjobs/messages/json.hpp"
#include "meshjobs/messages/time_limits.hpp"

namespace meshjobs {
namespace {

std::string known_kinds(const runtime_env& env) {
  std::string out;
  for (const auto& spec : env.specs) {
    if (!out.empty())
      out += ", ";
    out += spec.kind;
  }
  return out.empty() ? "none" : out;
}

bool holds_lock_from_enqueue(unique_mode m) {
  return m == unique_mode::until_executed || m == unique_mode::until_executing;
}

/// A UTC time to the second, ISO 8601, for error messages.
std::string iso_utc(timestamp t) {
  const auto seconds = static_cast<std::time_t>(t / 1000000);
  std::tm fields{};
  char text[40];
  if (gmtime_r(&seconds, &fields) == nullptr ||
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &fields) == 0)
    return std::to_string(t) + " us since the epoch";
  return text;
}

/// Every time in a request lies within max_time_ahead of `now`: past it, `now + wait` and the
/// timer that waits for it would overflow.
std::optional<std::string> check_times(const enqueue_request& req, timestamp now) {
  const std::string too_far = std::string{" is more than "} + max_time_ahead_text + " ahead";
  if (req.wait_us < 0)
    return "enqueue: wait must be >= 0 (got " + std::to_string(req.wait_us) + " us)";
  if (req.wait_us > max_time_ahead_us)
    return "enqueue: wait of " + std::to_string(req.wait_us / 1000000) + " s" + too_far;
  if (req.run_at > now + max_time_ahead_us)
    return "enqueue: run_at " + iso_utc(req.run_at) + too_far;
  if (req.expires_at > now + max_time_ahead_us)
    return "enqueue: expires_at " + iso_utc(req.expires_at) + too_far;
  return std::nullopt;
}

}  // namespace

enqueue_reply job_ledger::refuse(std::string error) const {
  enqueue_reply r;
  r.status = enqueue_status::refused;
  r.error = std::move(error);
  return r;
}

enqueue_reply job_ledger::admit(const enqueue_request& req, bool hold_until_durable) {
  if (req.idempotency_key.empty())
    return admit_new(req, hold_until_durable);
  if (req.idempotency_key.size() > max_idempotency_key)
    return refuse("idempotency_key: " + std::to_string(req.idempotency_key.size()) + " bytes; at most " +
                  std::to_string(max_idempotency_key));
  auto now = env_->now();
  if (auto first = idempotency_.find(req.idempotency_key, now)) {
    enqueue_reply r;
    r.id = *first;
    r.status = enqueue_status::replayed;
    return r;
  }
  auto reply = admit_new(req, hold_until_durable);
  if (reply.status == enqueue_status::enqueued || reply.status == enqueue_status::scheduled)
    idempotency_.remember(req.idempotency_key, reply.id, now);
  return reply;
}

enqueue_reply job_ledger::admit_new(const enqueue_request& req, bool hold_until_durable) {
  if (stopping_)
    return refuse("node is shutting down: enqueue to another node or retry after restart");
  auto found = env_->spec_index.find(req.kind);
  // A job also answers to the seed's class name: "Mesh::GenerationJob" is mesh.generation.
  if (found == env_->spec_index.end() && req.kind.find("::") != std::string::npos)
    found = env_->spec_index.find(kind_from_class_name(req.kind));
  if (found == env_->spec_index.end())
    return refuse("kind: unknown job kind \"" + req.kind + "\" (known: " + known_kinds(*env_) + ")");
  const std::size_t lane = found->second;
  const job_spec* type = &env_->specs[lane];
  if (auto err = json::check_object(req.args, "args"))
    return refuse(err->message);
  if (auto err = check_times(req, env_->now()))
    return refuse(std::move(*err));
  const auto& queue_name = req.queue.empty() ? type->queue : req.queue;
  auto queue = queues_.find(queue_name);
  if (!queue)
    return refuse("queue: no queue named \"" + queue_name + "\" in this node's config");
  auto max_pending = static_cast<std::size_t>(env_->cfg.node.max_pending);
  // Neither the dead set nor the finished jobs kept are pending.
  if (db_->size() - db_->count(job_state::dead) - db_->finished() >= max_pending)
    return refuse("node: " + std::to_string(max_pending) +
                  " jobs pending (node.max_pending): refused until the backlog shrinks");

  job j;
  j.kind = type->kind;
  j.args = req.args;
  j.queue = queue_name;
  j.priority = req.has_priority ? req.priority : type->priority;
  j.max_attempts = req.max_attempts;
  j.unique = req.has_unique ? req.unique : type->unique;
  auto on_conflict = req.has_unique ? req.on_conflict : type->on_conflict;
  if (j.unique != unique_mode::none) {
    j.unique_key = unique_key_for(j.kind, j.args, req.unique_key);
    if (holds_lock_from_enqueue(j.unique)) {
      if (auto other = locks_.holder(j.unique_key)) {
        if (on_conflict == unique_conflict::reject)
          return refuse("unique: job " + std::to_string(*other) + " holds unique key \"" +
                        j.unique_key + "\" (" + std::string{to_string(j.unique)} + ")");
        spdlog::info("duplicate of job {} dropped (unique key \"{}\", {})", *other, j.unique_key,
                     to_string(j.unique));
        enqueue_reply r;
        r.id = *other;
        r.status = enqueue_status::duplicate;
        return r;
      }
    }
  }

  auto now = env_->now();
  j.id = db_->next_id();
  j.enqueued_at = now;
  j.expires_at = req.expires_at;
  j.run_at = req.run_at != 0 ? req.run_at : (req.wait_us > 0 ? now + req.wait_us : 0);
  j.state = j.run_at > now ? job_state::scheduled : job_state::enqueued;
  if (j.state == job_state::enqueued)
    j.run_at = 0;
  if (holds_lock_from_enqueue(j.unique))
    locks_.try_acquire(j.unique_key, j.id);
  db_->put(j);
  if (j.state == job_state::scheduled)
    scheduled_.add(j.run_at, j.id);
  else if (store_healthy_ && !hold_until_durable)
    queues_.push(*queue, lane, j.priority, j.id);
  else
    held_.push_back(held_job{0, *queue, lane, j.priority, j.id});
  announce(j, j.state == job_state::scheduled ? event_kind::scheduled : event_kind::enqueued);

  enqueue_reply r;
  r.id = j.id;
  r.status = j.state == job_state::scheduled ? enqueue_status::scheduled : enqueue_status::enqueued;
  return r;
}

void job_ledger::withdraw_not_durable(enqueue_reply& reply, const std::string& key,
                                      const std::string& error) {
  if (reply.status == enqueue_status::replayed) {
    // The first request's job stays answerable if it lasted (an earlier commit, or it ran).
    if (!db_->contains(reply.id)) {
      reply.status = enqueue_status::refused;
      reply.error = "store: not durable: " + error;
    }
    return;
  }
  if (reply.status != enqueue_status::enqueued && reply.status != enqueue_status::scheduled)
    return;
  auto j = db_->get(reply.id);
  if (!j || (j->state != job_state::enqueued && j->state != job_state::scheduled))
    return;  // it started (or ended) before its commit failed: it ran, the reply says so
  stop_waiting(*j);
  release_locks(*j, true);
  db_->erase(j->id);
  if (!key.empty())
    idempotency_.forget(key, reply.id);  // a retry must enqueue again
  reply.status = enqueue_status::refused;
  reply.error = "store: not durable: " + error;
}

void job_ledger::commit_started(std::uint64_t seq) {
  for (auto& h : held_)
    if (h.seq == 0)
      h.seq = seq;
}

void job_ledger::commit_done(std::uint64_t seq, bool durable) {
  store_healthy_ = durable;
  if (!durable)
    return;  // the held jobs of the failed commit are withdrawn as their acks are settled
  while (!held_.empty() && held_.front().seq != 0 && held_.front().seq <= seq) {
    const auto& h = held_.front();
    queues_.push(h.queue, h.lane, h.priority, h.id);
    held_.pop_front();
  }
}

}  // namespace meshjobs
