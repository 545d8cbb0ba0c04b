// Where each job's record lives: an open-addressing hash map from job id to a slot number.
//
// Chosen over std::unordered_map (a ~40-byte node per job plus a bucket pointer) because the
// store must hold a million queued jobs in little memory: an entry here is 16 bytes, kept in
// one array with linear probing and at most 80 % load.
//
// Homes come from Fibonacci hashing, which scatters any pattern of ids. A home that kept
// sequential ids in adjacent slots was measured and rejected: the live window became one long
// run, and long-lived ids scattered through it (the dead set) made an erase cost microseconds.
// Probing is Robin Hood (entries in a run ordered by home), so a lookup for an absent id, as
// every new job does, stops early, and an erase shifts back only displaced entries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class job_index {
 public:
  using slot = std::uint32_t;
  static constexpr slot npos = UINT32_MAX;

  /// The slot of `id`, or npos.
  slot find(job_id id) const;
  /// Maps `id` (not present yet) to `where`.
  void insert(job_id id, slot where);
  /// Forgets `id` and returns its slot; npos (a no-op) when absent.
  slot erase(job_id id);
  std::size_t size() const { return size_; }

 private:
  struct entry {
    job_id id = 0;
    slot where = npos;  // npos: the entry is empty

    bool empty() const { return where == npos; }
  };

  std::size_t home_of(job_id id) const;
  std::size_t displacement(std::size_t position) const;
  std::size_t next(std::size_t position) const { return (position + 1) & mask(); }
  std::size_t mask() const { return entries_.size() - 1; }
  std::size_t position_of(job_id id) const;
  void grow();
  void place(entry e);

  std::vector<entry> entries_;  // size is 0 or a power of two
  std::size_t size_ = 0;
  int bits_ = 0;  // log2(entries_.size())
};

}  // namespace meshjobs
