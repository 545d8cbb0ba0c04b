#include "node/worker_front.hpp"

#include "node/guarded_front.hpp"

namespace meshjobs {
namespace {

class worker_front_impl : public guarded_front<worker_link_actor> {
 public:
  worker_front_impl(caf::actor_config& cfg, worker_link_actor coordinator, front_keeper_actor keeper)
      : guarded_front<worker_link_actor>(cfg, std::move(keeper)), coordinator_(std::move(coordinator)) {}

  behavior_type make_behavior() override {
    guard(coordinator_);
    auto c = coordinator_;
    return {
      // client_interface: what its jobs ask
      [this, c](enqueue_atom a, enqueue_request& req) { return delegate(c, a, std::move(req)); },
      [this, c](enqueue_atom a, std::vector<enqueue_request>& reqs) { return delegate(c, a, std::move(reqs)); },
      [this, c](lookup_atom a, job_id id) { return delegate(c, a, id); },
      [this, c](list_atom a, job_query& q) { return delegate(c, a, std::move(q)); },
      [this, c](cancel_atom a, job_id id) { return delegate(c, a, id); },
      [this, c](stats_atom a) { return delegate(c, a); },
      [this, c](pause_atom a, std::string& queue) { return delegate(c, a, std::move(queue)); },
      [this, c](resume_atom a, std::string& queue) { return delegate(c, a, std::move(queue)); },
      [this, c](retry_atom a, job_id id) { return delegate(c, a, id); },
      [this, c](signal_atom a, job_id id, std::string& payload) { return delegate(c, a, id, std::move(payload)); },
      [this, c](watch_atom a, std::vector<job_id>& ids, watcher_actor& w, std::uint64_t token) {
        return delegate(c, a, std::move(ids), std::move(w), token);
      },
      [this, c](drain_atom a) { return delegate(c, a); },
      [this, c](records_atom a, std::vector<record_write>& writes) { return delegate(c, a, std::move(writes)); },
      [this, c](events_atom a, caf::actor client) { return delegate(c, a, std::move(client)); },
      // worker_interface: the sender stays the worker
      [this, c](register_atom a, worker_registration& reg, worker_actor& w) {
        return delegate(c, a, std::move(reg), std::move(w));
      },
      [this, c](demand_atom a, std::int32_t credit) { return delegate(c, a, credit); },
      [this, c](started_atom a, std::vector<job_id>& ids) { return delegate(c, a, std::move(ids)); },
      [this, c](progress_atom a, std::vector<job_progress>& reports) { return delegate(c, a, std::move(reports)); },
      [this, c](outcome_atom a, std::vector<job_outcome>& outcomes) { return delegate(c, a, std::move(outcomes)); },
      [this, c](backoff_atom a, timestamp until) { return delegate(c, a, until); },
    };
  }

 private:
  worker_link_actor coordinator_;
};

}  // namespace

worker_link_actor spawn_worker_front(caf::actor_system& sys, worker_link_actor coordinator, front_keeper_actor keeper) {
  return sys.spawn<worker_front_impl>(std::move(coordinator), std::move(keeper));
}

}  // namespace meshjobs
