// The runtime behind a synchronous handler's job_context: progress goes to its supervisor as
// a message; enqueue and next_signal block the calling thread, so they are refused on an
// actor thread (a non-blocking handler), where blocking would stall the scheduler. One link
// per execution slot, told which run it serves before each job (a slot runs one at a time).
#pragma once

#include <caf/fwd.hpp>

#include <memory>

#include "supervision/supervisor_interface.hpp"
#include "meshjobs/job_type.hpp"

namespace meshjobs {

class signal_inbox;

class blocking_link final : public job_link {
 public:
  blocking_link(caf::actor_system& sys, supervisor_actor parent, client_interface coordinator,
                std::shared_ptr<signal_inbox> signals, bool on_actor_thread);

  void serve(std::uint64_t run) { run_ = run; }

  void progress(std::int32_t percent, std::string message) override;
  enqueue_reply enqueue(enqueue_request req) override;
  std::vector<enqueue_reply> enqueue_many(std::vector<enqueue_request> reqs) override;
  std::optional<std::string> next_signal(std::chrono::milliseconds timeout,
                                         const job_context& ctx) override;

 private:
  void refuse_on_actor_thread(const char* what) const;
  template <class Result, class Request>
  Result ask(Request req, Result on_failure);

  caf::actor_system& sys_;
  supervisor_actor parent_;
  client_interface coordinator_;
  std::uint64_t run_ = 0;
  std::shared_ptr<signal_inbox> signals_;
  bool on_actor_thread_;
};

}  // namespace meshjobs
