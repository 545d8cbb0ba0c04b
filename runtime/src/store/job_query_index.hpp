// The store's ordered view of its jobs for paged queries: which ids are in each state, queue and
// kind, as bitmaps (id_bitmap). A page walks the ids below its cursor newest first, 64 at a
// word, ANDing the filters' bitmaps: its cost follows the page and the ids it skips in words,
// never the jobs it does not return one by one.
//
// Ids are the order: they are handed out in enqueue order, so newest first is highest id first,
// and an id is a cursor that stays valid while jobs come and go.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "meshjobs/messages/protocol.hpp"
#include "store/id_bitmap.hpp"

namespace meshjobs {

class job_query_index {
 public:
  /// A job new to the store.
  void add(job_id id, job_state state, std::string_view queue, std::string_view kind);
  /// A job that changed state.
  void move(job_id id, job_state from, job_state to);
  /// A job leaving the store.
  void remove(job_id id, job_state state, std::string_view queue, std::string_view kind);

  /// Up to `q.limit` ids matching `q`, below `q.before_id` (0: from the newest), newest first;
  /// `more` says whether others match below the last one.
  struct id_page {
    std::vector<job_id> ids;
    bool more = false;
  };
  id_page page(const job_query& q) const;

 private:
  using named_bitmaps = std::map<std::string, id_bitmap, std::less<>>;
  static constexpr std::size_t state_count = static_cast<std::size_t>(job_state::expired) + 1;

  static void erase_named(named_bitmaps& maps, std::string_view name, job_id id);

  id_bitmap all_;
  std::array<id_bitmap, state_count> by_state_;
  named_bitmaps by_queue_;
  named_bitmaps by_kind_;
};

}  // namespace meshjobs
