// One running asynchronous job: its context as the job's code sees it, and what it waits for
// (timers, enqueue replies, awaited jobs, signals). It lives inside its type's async_host and
// is only touched on that actor.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "meshjobs/async_context.hpp"

namespace meshjobs {

class async_host_state;

class async_job final : public async_context {
 public:
  async_job(async_host_state& host, std::uint64_t run, job j);

  const job& current() const override { return job_; }
  void done() override;
  void fail(std::string kind, std::string message) override;
  bool ended() const override { return ended_; }
  timer_id after(std::chrono::milliseconds delay, task fn) override;
  void cancel_timer(timer_id id) override;
  void progress(std::int32_t percent, std::string message) override;
  void enqueue(enqueue_request req, reply_callback on_reply) override;
  void enqueue_many(std::vector<enqueue_request> reqs, replies_callback on_replies) override;
  void await(std::vector<job_id> ids, ends_callback on_ended) override;
  void on_signal(signal_callback fn) override;
  std::function<void(task)> poster() override;

  /// Ends the job without telling anyone: the supervisor took it back (timeout, cancel, stop).
  void abandon() { ended_ = true; }
  // Messages of the host, for this job:
  void fire_timer(timer_id id);
  void deliver_signal(std::string payload);
  /// True when it completed the await of `token`.
  bool child_ended(std::uint64_t token, const job_end& end);

 private:
  struct await_group {
    std::uint64_t token;
    std::vector<job_id> ids;
    std::vector<job_end> ends;
    std::size_t remaining;  // distinct ids not yet ended
    ends_callback on_ended;
  };

  void end(job_error error);

  async_host_state& host_;
  std::uint64_t run_;
  job job_;
  bool ended_ = false;
  timer_id next_timer_ = 1;
  std::vector<std::pair<timer_id, task>> timers_;  // few per job: a vector beats a map
  std::vector<await_group> awaits_;
  signal_callback on_signal_;
  std::vector<std::string> early_signals_;  // arrived before on_signal
};

}  // namespace meshjobs
