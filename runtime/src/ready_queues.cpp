#include "ready_queues.hpp"

namespace meshjobs {
namespace {

std::vector<int> weights_of(const config& cfg) {
  std::vector<int> weights;
  for (const auto& q : cfg.queues)
    weights.push_back(q.weight);
  return weights;
}

}  // namespace

ready_queues::ready_queues(const config& cfg, std::uint64_t seed)
  : selector_(weights_of(cfg), seed), eligible_(cfg.queues.size()) {
  for (const auto& qc : cfg.queues) {
    queue q;
    q.name = qc.name;
    q.weight = qc.weight;
    if (auto i = cfg.limits.find(qc.name); i != cfg.limits.end())
      q.limit = i->second;
    queues_.push_back(std::move(q));
  }
}

std::optional<std::size_t> ready_queues::find(const std::string& name) const {
  for (std::size_t i = 0; i < queues_.size(); ++i)
    if (queues_[i].name == name)
      return i;
  return std::nullopt;
}

void ready_queues::push(std::size_t queue, std::int32_t priority, job_id id) {
  auto& q = queues_[queue];
  q.by_priority[priority].push_back(id);
  ++q.size;
}

void ready_queues::push_front(std::size_t queue, std::int32_t priority, job_id id) {
  auto& q = queues_[queue];
  q.by_priority[priority].push_front(id);
  ++q.size;
}

bool ready_queues::remove(std::size_t queue, std::int32_t priority, job_id id) {
  auto& q = queues_[queue];
  auto level = q.by_priority.find(priority);
  if (level == q.by_priority.end())
    return false;
  auto& ids = level->second;
  for (auto i = ids.begin(); i != ids.end(); ++i) {
    if (*i == id) {
      ids.erase(i);
      if (ids.empty())
        q.by_priority.erase(level);
      --q.size;
      return true;
    }
  }
  return false;
}

bool ready_queues::can_give(const queue& q) const {
  return !q.paused && q.size > 0 && (q.limit == 0 || q.running < static_cast<std::size_t>(q.limit));
}

std::optional<ready_queues::taken> ready_queues::take(const std::function<bool(std::size_t)>& accept) {
  for (std::size_t i = 0; i < queues_.size(); ++i)
    eligible_[i] = can_give(queues_[i]) && accept(i);
  auto i = selector_.pick(eligible_);
  if (i >= queues_.size())
    return std::nullopt;
  auto& q = queues_[i];
  auto level = q.by_priority.begin();
  taken t{i, level->first, level->second.front()};
  level->second.pop_front();
  if (level->second.empty())
    q.by_priority.erase(level);
  --q.size;
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
