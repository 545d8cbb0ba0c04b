#include "coordinator/unique_locks.hpp"

#include <algorithm>

namespace meshjobs {

std::optional<job_id> unique_locks::holder(const std::string& key) const {
  if (auto i = held_.find(key); i != held_.end())
    return i->second;
  return std::nullopt;
}

bool unique_locks::try_acquire(const std::string& key, job_id id) {
  auto [i, added] = held_.emplace(key, id);
  return added || i->second == id;
}

void unique_locks::release(const std::string& key, job_id id) {
  if (auto i = held_.find(key); i != held_.end() && i->second == id)
    held_.erase(i);
}

std::optional<job_id> unique_locks::next_waiter(const std::string& key) {
  auto i = waiting_.find(key);
  if (i == waiting_.end())
    return std::nullopt;
  auto id = i->second.front();
  i->second.pop_front();
  if (i->second.empty())
    waiting_.erase(i);
  --waiting_count_;
  return id;
}

bool unique_locks::drop_waiter(const std::string& key, job_id id) {
  auto i = waiting_.find(key);
  if (i == waiting_.end())
    return false;
  auto& ids = i->second;
  auto pos = std::find(ids.begin(), ids.end(), id);
  if (pos == ids.end())
    return false;
  ids.erase(pos);
  if (ids.empty())
    waiting_.erase(i);
  --waiting_count_;
  return true;
}

std::string unique_key_for(const std::string& kind, const std::string& args,
                           const std::string& given) {
  if (!given.empty())
    return given;
  return kind + ":" + args;
}

}  // namespace meshjobs
