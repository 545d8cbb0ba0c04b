#include "store/job_index.hpp"

#include <utility>

namespace meshjobs {
namespace {

constexpr std::size_t initial_capacity = 64;
constexpr std::size_t not_found = SIZE_MAX;
constexpr std::uint64_t golden_ratio = 0x9E3779B97F4A7C15ull;

}  // namespace

std::size_t job_index::home_of(job_id id) const {
  return static_cast<std::size_t>((id * golden_ratio) >> (64 - bits_));
}

// How far the entry at `position` sits from its home.
std::size_t job_index::displacement(std::size_t position) const {
  return (position - home_of(entries_[position].id)) & mask();
}

// Robin Hood order: once the probe has come farther than the entry it meets, `id` would
// have taken that entry's place, so it is absent.
std::size_t job_index::position_of(job_id id) const {
  if (entries_.empty())
    return not_found;
  std::size_t i = home_of(id);
  for (std::size_t distance = 0;; ++distance, i = next(i)) {
    if (entries_[i].empty() || displacement(i) < distance)
      return not_found;
    if (entries_[i].id == id)
      return i;
  }
}

job_index::slot job_index::find(job_id id) const {
  std::size_t i = position_of(id);
  return i == not_found ? npos : entries_[i].where;
}

void job_index::insert(job_id id, slot where) {
  if ((size_ + 1) * 5 > entries_.size() * 4)
    grow();
  place(entry{id, where});
  ++size_;
}

// Robin Hood insertion: the entry travelling the farther from its home takes the slot.
void job_index::place(entry e) {
  std::size_t i = home_of(e.id);
  for (std::size_t distance = 0;; ++distance, i = next(i)) {
    if (entries_[i].empty()) {
      entries_[i] = e;
      return;
    }
    std::size_t resident = displacement(i);
    if (resident < distance) {
      std::swap(e, entries_[i]);
      distance = resident;
    }
  }
}

void job_index::grow() {
  std::size_t capacity = entries_.empty() ? initial_capacity : entries_.size() * 2;
  std::vector<entry> old(capacity);
  old.swap(entries_);
  bits_ = __builtin_ctzll(capacity);
  for (const entry& e : old)
    if (!e.empty())
      place(e);
}

// Backward-shift deletion: the entries after the hole that are away from their home move
// one step back; the first entry at its home (or an empty slot) ends the run.
job_index::slot job_index::erase(job_id id) {
  std::size_t hole = position_of(id);
  if (hole == not_found)
    return npos;
  const slot where = entries_[hole].where;
  for (std::size_t i = next(hole); !entries_[i].empty() && displacement(i) > 0; i = next(i)) {
    entries_[hole] = entries_[i];
    hole = i;
  }
  entries_[hole] = entry{};
  --size_;
  return where;
}

}  // namespace meshjobs
