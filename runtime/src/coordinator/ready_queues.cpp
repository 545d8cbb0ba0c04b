#include "coordinator/ready_queues.hpp"

namespace meshjobs {
namespace {

std::vector<int> weights_of(const config& cfg) {
  std::vector<int> weights;
  for (const auto& q : cfg.queues)
    weights.push_back(q.weight);
  return weights;
}

}  // namespace

ready_queues::ready_queues(const config& cfg, std::size_t lanes, std::uint64_t seed)
  : lane_open_(lanes, false), selector_(weights_of(cfg), seed), eligible_(cfg.queues.size()) {
  for (const auto& qc : cfg.queues) {
    queue q;
    q.name = qc.name;
    q.weight = qc.weight;
    if (auto i = cfg.limits.find(qc.name); i != cfg.limits.end())
      q.limit = i->second;
    q.lanes.resize(lanes);
    queues_.push_back(std::move(q));
  }
}

std::optional<std::size_t> ready_queues::find(const std::string& name) const {
  for (std::size_t i = 0; i < queues_.size(); ++i)
    if (queues_[i].name == name)
      return i;
  return std::nullopt;
}

void ready_queues::open_lane(std::size_t lane, bool open) {
  if (lane_open_[lane] == open)
    return;
  lane_open_[lane] = open;
  for (auto& q : queues_) {
    if (open)
      q.ready += q.lanes[lane].size;
    else
      q.ready -= q.lanes[lane].size;
  }
}

void ready_queues::added(queue& q, std::size_t lane) {
  ++q.lanes[lane].size;
  ++q.size;
  if (lane_open_[lane])
    ++q.ready;
}

void ready_queues::push(std::size_t queue, std::size_t lane, std::int32_t priority, job_id id) {
  auto& q = queues_[queue];
  q.lanes[lane].by_priority[priority].push_back(id);
  added(q, lane);
}

void ready_queues::push_front(std::size_t queue, std::size_t lane, std::int32_t priority, job_id id) {
  auto& q = queues_[queue];
  q.lanes[lane].by_priority[priority].push_front(id);
  added(q, lane);
}

bool ready_queues::remove(std::size_t queue, std::size_t lane, std::int32_t priority, job_id id) {
  auto& q = queues_[queue];
  auto& l = q.lanes[lane];
  auto level = l.by_priority.find(priority);
  if (level == l.by_priority.end())
    return false;
  auto& ids = level->second;
  for (auto i = ids.begin(); i != ids.end(); ++i) {
    if (*i == id) {
      ids.erase(i);
      if (ids.empty())
        l.by_priority.erase(level);
      --l.size;
      --q.size;
      if (lane_open_[lane])
        --q.ready;
      return true;
    }
  }
  return false;
}

bool ready_queues::can_give(const queue& q) const {
  return !q.paused && q.ready > 0 && (q.limit == 0 || q.running < static_cast<std::size_t>(q.limit));
}

std::size_t ready_queues::next_lane(const queue& q) const {
  std::size_t best = q.lanes.size();
  std::int32_t best_priority = 0;
  job_id best_id = 0;
  for (std::size_t i = 0; i < q.lanes.size(); ++i) {
    const auto& l = q.lanes[i];
    if (l.size == 0 || !lane_open_[i])
      continue;
    const auto& head = *l.by_priority.begin();
    const job_id id = head.second.front();
    if (best == q.lanes.size() || head.first > best_priority ||
        (head.first == best_priority && id < best_id)) {
      best = i;
      best_priority = head.first;
      best_id = id;
    }
  }
  return best;
}

std::optional<ready_queues::taken> ready_queues::take() {
  for (std::size_t i = 0; i < queues_.size(); ++i)
    eligible_[i] = can_give(queues_[i]);
  auto i = selector_.pick(eligible_);
  if (i >= queues_.size())
    return std::nullopt;
  auto& q = queues_[i];
  const auto lane_index = next_lane(q);
  auto& l = q.lanes[lane_index];
  auto level = l.by_priority.begin();
  taken t{i, lane_index, level->first, level->second.front()};
  level->second.pop_front();
  if (level->second.empty())
    l.by_priority.erase(level);
  --l.size;
  --q.size;
  --q.ready;
  return t;
}

bool ready_queues::pause(const std::string& name, bool paused) {
  auto i = find(name);
  if (!i)
    return false;
  queues_[*i].paused = paused;
  return true;
}

std::size_t ready_queues::total() const {
  std::size_t n = 0;
  for (const auto& q : queues_)
    n += q.size;
  return n;
}

std::vector<queue_stats> ready_queues::stats() const {
  std::vector<queue_stats> out;
  for (const auto& q : queues_) {
    queue_stats s;
    s.name = q.name;
    s.weight = q.weight;
    s.limit = q.limit;
    s.paused = q.paused;
    s.size = q.size;
    s.running = q.running;
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace meshjobs
