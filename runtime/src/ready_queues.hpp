// The queues of ready jobs: named, weighted, each with priorities (higher first, FIFO among
// equals), an optional limit on running jobs, and a paused flag. Holds job ids only; the
// store holds the jobs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/config/config.hpp"
#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"
#include "queue_selector.hpp"

namespace meshjobs {

class ready_queues {
 public:
  explicit ready_queues(const config& cfg, std::uint64_t seed = std::random_device{}());

  /// The index of a queue by name.
  std::optional<std::size_t> find(const std::string& name) const;

  void push(std::size_t queue, std::int32_t priority, job_id id);
  /// Puts a job back at the head of its priority (it was taken and could not run).
  void push_front(std::size_t queue, std::int32_t priority, job_id id);
  /// Removes a job that was pushed and not taken (cancel); linear in the priority's length,
  /// which is fine for a rare operation. False when it is not there.
  bool remove(std::size_t queue, std::int32_t priority, job_id id);

  /// Takes the next job id by weight, from queues that are not paused, not empty, under their
  /// limit and for which `accept(queue)` is true. The caller must call `started` or push it
  /// back. Returns nullopt when no queue can give one.
  struct taken {
    std::size_t queue;
    std::int32_t priority;
    job_id id;
  };
  std::optional<taken> take(const std::function<bool(std::size_t)>& accept);

  void started(std::size_t queue) { ++queues_[queue].running; }
  void finished(std::size_t queue) { --queues_[queue].running; }

  bool pause(const std::string& name, bool paused);
  std::size_t size(std::size_t queue) const { return queues_[queue].size; }
  std::size_t total() const;
  std::size_t count() const { return queues_.size(); }
  const std::string& name(std::size_t queue) const { return queues_[queue].name; }
  std::vector<queue_stats> stats() const;

 private:
  struct queue {
    std::string name;
    int weight = 1;
    int limit = 0;  // 0: none
    bool paused = false;
    std::size_t size = 0;
    std::size_t running = 0;
    std::map<std::int32_t, std::deque<job_id>, std::greater<>> by_priority;
  };

  bool can_give(const queue& q) const;

  std::vector<queue> queues_;
  queue_selector selector_;
  std::vector<bool> eligible_;  // scratch, one per queue
};

}  // namespace meshjobs
