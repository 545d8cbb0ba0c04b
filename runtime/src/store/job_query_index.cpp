#include "store/job_query_index.hpp"

#include <limits>

namespace meshjobs {
namespace {

std::size_t slot_of(job_state s) { return static_cast<std::size_t>(s); }

// The bits of a word at or below `bit`.
std::uint64_t bits_up_to(unsigned bit) {
  return bit == 63 ? ~std::uint64_t{0} : (std::uint64_t{1} << (bit + 1)) - 1;
}

}  // namespace

id_bitmap& job_query_index::named(named_bitmaps& maps, name_id name) {
  if (name >= maps.size())
    maps.resize(std::size_t{name} + 1);
  return maps[name];
}

void job_query_index::add(job_id id, job_state state, name_id queue, name_id kind) {
  all_.insert(id);
  by_state_[slot_of(state)].insert(id);
  named(by_queue_, queue).insert(id);
  named(by_kind_, kind).insert(id);
}

void job_query_index::move(job_id id, job_state from, job_state to) {
  by_state_[slot_of(from)].erase(id);
  by_state_[slot_of(to)].insert(id);
}

void job_query_index::remove(job_id id, job_state state, name_id queue, name_id kind) {
  all_.erase(id);
  by_state_[slot_of(state)].erase(id);
  named(by_queue_, queue).erase(id);
  named(by_kind_, kind).erase(id);
}

job_query_index::id_page job_query_index::page(const job_query& q, std::optional<name_id> queue,
                                               std::optional<name_id> kind) const {
  id_page out;
  if (q.limit == 0 || q.before_id == 1)
    return out;
  std::vector<const id_bitmap*> filters;
  if (q.by_state)
    filters.push_back(&by_state_[slot_of(q.state)]);
  for (auto [maps, name] : {std::pair{&by_queue_, queue}, std::pair{&by_kind_, kind}}) {
    if (!name)
      continue;
    if (*name >= maps->size())
      return out;  // no job has that queue or kind
    filters.push_back(&(*maps)[*name]);
  }
  if (filters.empty())
    filters.push_back(&all_);

  const job_id start = q.before_id == 0 ? std::numeric_limits<job_id>::max() : q.before_id - 1;
  const std::uint64_t start_chunk = start / id_bitmap::ids_per_chunk;
  std::uint64_t c = start_chunk;
  for (;;) {
    // The highest chunk at or below c that every filter has: only there can an id match.
    bool agreed = false;
    while (!agreed) {
      agreed = true;
      for (const id_bitmap* f : filters) {
        auto present = f->chunk_at_or_below(c);
        if (!present)
          return out;
        if (*present < c) {
          c = *present;
          agreed = false;
        }
      }
    }
    const bool first = c == start_chunk;
    std::size_t w = first ? (start % id_bitmap::ids_per_chunk) / 64 : id_bitmap::words_per_chunk - 1;
    for (std::size_t left = w + 1; left > 0; --left, --w) {
      std::uint64_t bits = first && w == (start % id_bitmap::ids_per_chunk) / 64
                             ? bits_up_to(static_cast<unsigned>(start % 64))
                             : ~std::uint64_t{0};
      for (const id_bitmap* f : filters)
        bits &= f->word(c, w);
      while (bits != 0) {
        const unsigned top = 63 - static_cast<unsigned>(__builtin_clzll(bits));
        bits &= ~(std::uint64_t{1} << top);
        if (out.ids.size() == q.limit) {
          out.more = true;
          return out;
        }
        out.ids.push_back(c * id_bitmap::ids_per_chunk + w * 64 + top);
      }
    }
    if (c == 0)
      return out;
    --c;
  }
}

}  // namespace meshjobs
