#include "store/id_bitmap.hpp"

#include <iterator>

namespace meshjobs {
namespace {

std::uint64_t chunk_of(job_id id) { return id / id_bitmap::ids_per_chunk; }
std::size_t word_of(job_id id) { return (id % id_bitmap::ids_per_chunk) / 64; }
std::uint64_t bit_of(job_id id) { return std::uint64_t{1} << (id % 64); }

}  // namespace

id_bitmap::chunk* id_bitmap::find(std::uint64_t c) const {
  if (last_ != nullptr && last_number_ == c)
    return last_;
  auto found = chunks_.find(c);
  if (found == chunks_.end())
    return nullptr;
  last_number_ = c;
  last_ = found->second.get();
  return last_;
}

void id_bitmap::insert(job_id id) {
  chunk* c = find(chunk_of(id));
  if (c == nullptr) {
    auto& slot = chunks_[chunk_of(id)];
    slot = std::make_unique<chunk>();
    c = slot.get();
    last_number_ = chunk_of(id);
    last_ = c;
  }
  std::uint64_t& w = c->words[word_of(id)];
  if ((w & bit_of(id)) != 0)
    return;
  w |= bit_of(id);
  ++c->count;
  ++size_;
}

void id_bitmap::erase(job_id id) {
  chunk* c = find(chunk_of(id));
  if (c == nullptr)
    return;
  std::uint64_t& w = c->words[word_of(id)];
  if ((w & bit_of(id)) == 0)
    return;
  w &= ~bit_of(id);
  --size_;
  if (--c->count == 0) {
    if (last_ == c)
      last_ = nullptr;
    chunks_.erase(chunk_of(id));
  }
}

bool id_bitmap::contains(job_id id) const {
  const chunk* c = find(chunk_of(id));
  return c != nullptr && (c->words[word_of(id)] & bit_of(id)) != 0;
}

std::uint64_t id_bitmap::word(std::uint64_t c, std::size_t w) const {
  const chunk* found = find(c);
  return found == nullptr ? 0 : found->words[w];
}

std::optional<std::uint64_t> id_bitmap::chunk_at_or_below(std::uint64_t c) const {
  auto above = chunks_.upper_bound(c);
  if (above == chunks_.begin())
    return std::nullopt;
  return std::prev(above)->first;
}

}  // namespace meshjobs
