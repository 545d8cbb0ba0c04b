// The queues of ready jobs: named, weighted, each with priorities (higher first, FIFO among
// equals), an optional limit on running jobs, and a paused flag. Holds job ids only; the
// store holds the jobs.
//
// Inside a queue, each job kind has a lane of its own. A lane is open while its kind can take
// work (one of its workers has credit and is not paused); only open lanes give jobs. So a kind that
// is paused or out of credit holds back its own jobs, never the other types of its queue (no
// head-of-line blocking), and opening or closing a lane costs one step per queue, not per job.
// Within a lane the order is priority, then FIFO; between lanes of a queue, the higher
// priority head goes first, then the older job (the smaller id).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "meshjobs/config/config.hpp"
#include "meshjobs/messages/job.hpp"
#include "meshjobs/messages/protocol.hpp"
#include "coordinator/queue_selector.hpp"

namespace meshjobs {

class ready_queues {
 public:
  /// `lanes`: one per job kind (its spec's index), every lane closed until opened.
  ready_queues(const config& cfg, std::size_t lanes, std::uint64_t seed = std::random_device{}());

  /// The index of a queue by name.
  std::optional<std::size_t> find(const std::string& name) const;

  /// Opens (the type can take work) or closes a lane, in every queue.
  void open_lane(std::size_t lane, bool open);
  bool lane_open(std::size_t lane) const { return lane_open_[lane]; }

  void push(std::size_t queue, std::size_t lane, std::int32_t priority, job_id id);
  /// Puts a job back at the head of its priority (it was taken and could not run).
  void push_front(std::size_t queue, std::size_t lane, std::int32_t priority, job_id id);
  /// Removes a job that was pushed and not taken (cancel); linear in the priority's length,
  /// which is fine for a rare operation. False when it is not there.
  bool remove(std::size_t queue, std::size_t lane, std::int32_t priority, job_id id);

  /// Takes the next job id by weight, from queues that are not paused, under their limit and
  /// with a job in an open lane. The caller must call `started` or push it back. Returns
  /// nullopt when no queue can give one.
  struct taken {
    std::size_t queue;
    std::size_t lane;
    std::int32_t priority;
    job_id id;
  };
  std::optional<taken> take();

  void started(std::size_t queue) { ++queues_[queue].running; }
  void finished(std::size_t queue) { --queues_[queue].running; }

  bool pause(const std::string& name, bool paused);
  std::size_t size(std::size_t queue) const { return queues_[queue].size; }
  std::size_t total() const;
  std::size_t count() const { return queues_.size(); }
  const std::string& name(std::size_t queue) const { return queues_[queue].name; }
  std::vector<queue_stats> stats() const;

 private:
  struct lane {
    std::map<std::int32_t, std::deque<job_id>, std::greater<>> by_priority;
    std::size_t size = 0;
  };
  struct queue {
    std::string name;
    int weight = 1;
    int limit = 0;  // 0: none
    bool paused = false;
    std::size_t size = 0;   // in every lane
    std::size_t ready = 0;  // in open lanes
    std::size_t running = 0;
    std::vector<lane> lanes;
  };

  bool can_give(const queue& q) const;
  /// The open lane of `q` whose head goes next; q must have a job in an open lane.
  std::size_t next_lane(const queue& q) const;
  void added(queue& q, std::size_t lane);

  std::vector<queue> queues_;
  std::vector<bool> lane_open_;
  queue_selector selector_;
  std::vector<bool> eligible_;  // scratch, one per queue
};

}  // namespace meshjobs
