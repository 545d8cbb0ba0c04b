// The actor of an asynchronous job type: every running job of the type lives here as an
// async_job (its context, timers and callbacks), and each callback runs as a message to this
// actor. Sharing one actor per type instead of one per job costs no spawn per job and about a
// job's context of memory while it waits (bench/async: 100,000 jobs at once).
//
// The supervisor stays in charge of the job's life: it hands jobs over (run), takes them back
// on timeout, cancel or stop (drop: the job's timers and callbacks are void from then on), and
// hears how each ended (done) exactly as from an execution slot.
#pragma once

#include <caf/typed_event_based_actor.hpp>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "supervision/async_job.hpp"
#include "supervision/supervisor_interface.hpp"
#include "meshjobs/job_type.hpp"

namespace meshjobs {

/// A task posted to a job from another thread (async_context::poster). Local only.
struct async_task {
  std::function<void()> fn;
};

}  // namespace meshjobs

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(meshjobs::async_task)

namespace meshjobs {

using async_host_actor = caf::typed_actor<
  caf::reacts_to<run_atom, std::uint64_t, job>,
  caf::reacts_to<drop_atom, std::uint64_t>,
  caf::reacts_to<signal_atom, std::uint64_t, std::string>,
  caf::reacts_to<timer_atom, std::uint64_t, timer_id>,
  caf::reacts_to<post_atom, std::uint64_t, async_task>,
  caf::reacts_to<watched_atom, std::uint64_t, job_end>>;

class async_host_state {
 public:
  using self_pointer = async_host_actor::stateful_pointer<async_host_state>;

  void init(self_pointer self, supervisor_actor parent, client_interface coordinator,
            std::shared_ptr<const job_type> type, std::string where);

  void run(std::uint64_t run, job& j);
  void drop(std::uint64_t run);
  /// Runs `fn` against the job of `run` if it is still running; a throw fails the job, and a
  /// job that ended is forgotten.
  void invoke(std::uint64_t run, const std::function<void(async_job&)>& fn);
  /// A token for one watch request of `run`'s job, and the job it belongs to.
  std::uint64_t new_watch_token(std::uint64_t run);
  void watched(std::uint64_t token, const job_end& end);

  self_pointer self() const { return self_; }
  const supervisor_actor& parent() const { return parent_; }
  const client_interface& coordinator() const { return coordinator_; }
  const std::string& where() const { return where_; }

 private:
  self_pointer self_ = nullptr;
  supervisor_actor parent_;
  client_interface coordinator_;
  std::shared_ptr<const job_type> type_;
  std::string where_;
  std::unordered_map<std::uint64_t, std::unique_ptr<async_job>> jobs_;  // by run
  std::unordered_map<std::uint64_t, std::uint64_t> watch_runs_;          // token -> run
  std::uint64_t next_token_ = 1;
};

async_host_actor::behavior_type async_host(async_host_state::self_pointer self, supervisor_actor parent,
                                           client_interface coordinator,
                                           std::shared_ptr<const job_type> type, std::string where);

}  // namespace meshjobs
