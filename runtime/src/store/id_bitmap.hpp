// A set of job ids as a bitmap in chunks of 4096 ids, each taken when its first id comes and
// given back when its last goes. Ids are handed out in order, so the ids of one state, queue or
// kind cluster: a million queued jobs cost about one bit each, and walking the set newest first
// reads 64 ids a word and skips an absent chunk at once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>

#include "meshjobs/messages/job.hpp"

namespace meshjobs {

class id_bitmap {
 public:
  static constexpr std::size_t ids_per_chunk = 4096;
  static constexpr std::size_t words_per_chunk = ids_per_chunk / 64;

  void insert(job_id id);
  void erase(job_id id);
  bool contains(job_id id) const;
  std::size_t size() const { return size_; }

  /// Word `w` of chunk `c` (ids c * 4096 + w * 64 ..), or 0 when the chunk is absent.
  std::uint64_t word(std::uint64_t c, std::size_t w) const;
  bool has_chunk(std::uint64_t c) const { return chunks_.count(c) != 0; }
  /// The highest chunk number at or below `c` that is present, if any.
  std::optional<std::uint64_t> chunk_at_or_below(std::uint64_t c) const;

 private:
  struct chunk {
    std::array<std::uint64_t, words_per_chunk> words{};
    std::size_t count = 0;
  };

  chunk* find(std::uint64_t c) const;

  std::map<std::uint64_t, std::unique_ptr<chunk>> chunks_;
  std::size_t size_ = 0;
  // Puts come in runs of nearby ids: the last chunk used saves most map lookups.
  mutable std::uint64_t last_number_ = 0;
  mutable chunk* last_ = nullptr;
};

}  // namespace meshjobs
