#include "coordinator/job_history.hpp"

namespace meshjobs {

void job_history::add(job&& j) {
  auto& slot = ring_[next_];
  if (count_ == ring_.size())
    index_.erase(slot.id);
  else
    ++count_;
  index_[j.id] = next_;
  slot = std::move(j);
  next_ = (next_ + 1) % ring_.size();
}

const job* job_history::find(job_id id) const {
  auto i = index_.find(id);
  return i == index_.end() ? nullptr : &ring_[i->second];
}

void job_history::for_each_newest(const std::function<bool(const job&)>& visit) const {
  for (std::size_t n = 0; n < count_; ++n) {
    auto i = (next_ + ring_.size() - 1 - n) % ring_.size();
    if (!visit(ring_[i]))
      return;
  }
}

}  // namespace meshjobs
