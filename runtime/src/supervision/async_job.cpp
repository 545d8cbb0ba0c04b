#include "supervision/async_job.hpp"

#include <caf/all.hpp>

#include <algorithm>

#include "supervision/async_host.hpp"

namespace meshjobs {
namespace {

constexpr auto enqueue_timeout = std::chrono::seconds(60);

enqueue_reply refusal(const caf::error& e) {
  enqueue_reply refused;
  refused.error = "enqueue: the coordinator did not answer (" + caf::to_string(e) + ")";
  return refused;
}

/// Asks the coordinator to enqueue; the reply, or `if_silent`'s answer when none comes in
/// time, goes to `on_reply` on the job, if it still runs by then.
template <class Reply, class Request, class Silent>
void ask_coordinator(async_host_state& host, std::uint64_t run, Request req,
                     std::function<void(const Reply&)> on_reply, Silent if_silent) {
  auto* h = &host;
  auto callback = std::make_shared<std::function<void(const Reply&)>>(std::move(on_reply));
  auto deliver = [h, run, callback](const Reply& reply) {
    h->invoke(run, [&](async_job&) {
      if (*callback)
        (*callback)(reply);
    });
  };
  host.self()
    ->request(host.coordinator(), enqueue_timeout, enqueue_atom::value, std::move(req))
    .then([deliver](Reply& reply) { deliver(reply); },
          [deliver, if_silent](caf::error& e) { deliver(if_silent(e)); });
}

}  // namespace

async_job::async_job(async_host_state& host, std::uint64_t run, job j)
    : host_(host), run_(run), job_(std::move(j)) {}

void async_job::end(job_error error) {
  if (ended_)
    return;
  ended_ = true;
  timers_.clear();
  awaits_.clear();
  on_signal_ = nullptr;
  host_.self()->send(host_.parent(), done_atom::value, run_, std::move(error));
}

void async_job::done() { end({}); }

void async_job::fail(std::string kind, std::string message) {
  if (kind.empty())
    kind = "failed";
  end({std::move(kind), std::move(message), host_.where()});
}

timer_id async_job::after(std::chrono::milliseconds delay, task fn) {
  if (ended_)
    return 0;
  auto id = next_timer_++;
  timers_.emplace_back(id, std::move(fn));
  host_.self()->delayed_send(host_.self(), delay, timer_atom::value, run_, id);
  return id;
}

void async_job::cancel_timer(timer_id id) {
  timers_.erase(std::remove_if(timers_.begin(), timers_.end(), [id](const auto& t) { return t.first == id; }),
                timers_.end());
}

void async_job::fire_timer(timer_id id) {
  auto t = std::find_if(timers_.begin(), timers_.end(), [id](const auto& x) { return x.first == id; });
  if (t == timers_.end())
    return;  // cancelled
  auto fn = std::move(t->second);
  timers_.erase(t);
  fn();
}

void async_job::progress(std::int32_t percent, std::string message) {
  if (ended_)
    return;
  host_.self()->send(host_.parent(), progress_atom::value, run_, percent, std::move(message));
}

void async_job::enqueue(enqueue_request req, reply_callback on_reply) {
  if (ended_)
    return;
  ask_coordinator<enqueue_reply>(host_, run_, std::move(req), std::move(on_reply), [](const caf::error& e) {
    return refusal(e);
  });
}

void async_job::enqueue_many(std::vector<enqueue_request> reqs, replies_callback on_replies) {
  if (ended_)
    return;
  auto count = reqs.size();
  ask_coordinator<std::vector<enqueue_reply>>(host_, run_, std::move(reqs), std::move(on_replies),
                                              [count](const caf::error& e) {
                                                return std::vector<enqueue_reply>(count, refusal(e));
                                              });
}

void async_job::await(std::vector<job_id> ids, ends_callback on_ended) {
  if (ended_)
    return;
  auto distinct = ids;
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  auto token = host_.new_watch_token(run_);
  std::vector<job_end> ends(ids.size());
  awaits_.push_back({token, std::move(ids), std::move(ends), distinct.size(), std::move(on_ended)});
  if (distinct.empty()) {
    // Nothing to wait for: answer after this callback returns, as for any other await.
    host_.self()->send(host_.self(), watched_atom::value, token, job_end{});
    return;
  }
  host_.self()->send(host_.coordinator(), watch_atom::value, std::move(distinct),
                     caf::actor_cast<watcher_actor>(host_.self()), token);
}

bool async_job::child_ended(std::uint64_t token, const job_end& end) {
  auto group = std::find_if(awaits_.begin(), awaits_.end(), [token](const auto& g) { return g.token == token; });
  if (group == awaits_.end())
    return false;
  bool matched = false;
  for (std::size_t i = 0; i < group->ids.size(); ++i) {
    if (group->ids[i] == end.id && group->ends[i].id == 0) {
      group->ends[i] = end;
      matched = true;
    }
  }
  if (matched)
    group->remaining -= 1;
  if (group->remaining > 0)
    return false;
  auto finished = std::move(*group);
  awaits_.erase(group);
  if (finished.on_ended)
    finished.on_ended(finished.ends);
  return true;
}

void async_job::on_signal(signal_callback fn) {
  on_signal_ = std::move(fn);
  // Signals that came first are handed over as messages, after this callback returns.
  for (auto& payload : early_signals_)
    host_.self()->send(host_.self(), signal_atom::value, run_, std::move(payload));
  early_signals_.clear();
}

void async_job::deliver_signal(std::string payload) {
  if (on_signal_) {
    auto handler = on_signal_;  // the handler may replace itself
    handler(payload);
  } else
    early_signals_.push_back(std::move(payload));
}

std::function<void(async_context::task)> async_job::poster() {
  caf::weak_actor_ptr host = host_.self()->ctrl();
  auto run = run_;
  return [host, run](task fn) {
    if (auto strong = host.lock())
      caf::anon_send(caf::actor_cast<async_host_actor>(strong), post_atom::value, run, async_task{std::move(fn)});
  };
}

}  // namespace meshjobs
