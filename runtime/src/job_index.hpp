// Where each job's record lives: an open-addressing hash map from job id to a slot number.
//
// Chosen over std::unordered_map (a ~40-byte node per job plus a bucket pointer) because the
// store must hold a million queued jobs in little memory: an entry here is 16 bytes, kept in
// one array with linear probing and at most 80 % load. Erasing shifts the following entries
// back instead of leaving tombstones, so a table that churns through millions of ids (jobs
// come and go in roughly FIFO order) never degrades.
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
  /// Forgets `id`; a no-op when absent.
  void erase(job_id id);
  std::size_t size() const { return size_; }

 private:
  struct entry {
    job_id id = 0;
    slot where = npos;  // npos: the entry is empty
  };

  std::size_t home_of(job_id id) const;
  std::size_t mask() const { return entries_.size() - 1; }
  void grow();
  void place(job_id id, slot where);

  std::vector<entry> entries_;  // size is 0 or a power of two
  std::size_t size_ = 0;
  int shift_ = 64;  // 64 - log2(entries_.size())
};

}  // namespace meshjobs
