#include "job_index.hpp"

#include <utility>

namespace meshjobs {
namespace {

constexpr std::size_t initial_capacity = 64;

// Fibonacci hashing: sequential ids land far apart, so runs of live ids never cluster.
constexpr std::uint64_t golden_ratio = 0x9E3779B97F4A7C15ull;

}  // namespace

std::size_t job_index::home_of(job_id id) const {
  return static_cast<std::size_t>((id * golden_ratio) >> shift_);
}

job_index::slot job_index::find(job_id id) const {
  if (entries_.empty())
    return npos;
  for (std::size_t i = home_of(id);; i = (i + 1) & mask()) {
    const entry& e = entries_[i];
    if (e.where == npos)
      return npos;
    if (e.id == id)
      return e.where;
  }
}

void job_index::insert(job_id id, slot where) {
  if ((size_ + 1) * 5 > entries_.size() * 4)
    grow();
  place(id, where);
  ++size_;
}

void job_index::place(job_id id, slot where) {
  std::size_t i = home_of(id);
  while (entries_[i].where != npos)
    i = (i + 1) & mask();
  entries_[i] = entry{id, where};
}

void job_index::grow() {
  std::size_t capacity = entries_.empty() ? initial_capacity : entries_.size() * 2;
  std::vector<entry> old(capacity);
  old.swap(entries_);
  shift_ = 64 - __builtin_ctzll(capacity);
  for (const entry& e : old)
    if (e.where != npos)
      place(e.id, e.where);
}

// Backward-shift deletion: an entry after the hole moves into it unless its home lies
// cyclically in (hole, its position], where a probe for it would still find it.
void job_index::erase(job_id id) {
  if (entries_.empty())
    return;
  std::size_t hole = home_of(id);
  for (;; hole = (hole + 1) & mask()) {
    if (entries_[hole].where == npos)
      return;
    if (entries_[hole].id == id)
      break;
  }
  for (std::size_t next = (hole + 1) & mask(); entries_[next].where != npos;
       next = (next + 1) & mask()) {
    std::size_t home = home_of(entries_[next].id);
    bool reachable_without_hole = ((next - home) & mask()) < ((next - hole) & mask());
    if (reachable_without_hole)
      continue;
    entries_[hole] = entries_[next];
    hole = next;
  }
  entries_[hole] = entry{};
  --size_;
}

}  // namespace meshjobs
