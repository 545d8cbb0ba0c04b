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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "meshjobs/messages/protocol.hpp"
#include "store/id_bitmap.hpp"
#include "store/name_table.hpp"

namespace meshjobs {

class job_query_index {
 public:
  /// Queues and kinds by the job table's name ids (name_table): an index, not a string compare.
  using name_id = name_table::name_id;

  /// A job new to the store.
  void add(job_id id, job_state state, name_id queue, name_id kind);
  /// A job that changed state.
  void move(job_id id, job_state from, job_state to);
  /// A job leaving the store.
  void remove(job_id id, job_state state, name_id queue, name_id kind);

  /// Up to `q.limit` ids matching `q`, below `q.before_id` (0: from the newest), newest first;
  /// `more` says whether others match below the last one. `queue` and `kind`: the ids of the
  /// query's names, or nothing for no filter.
  struct id_page {
    std::vector<job_id> ids;
    bool more = false;
  };
  id_page page(const job_query& q, std::optional<name_id> queue, std::optional<name_id> kind) const;

 private:
  using named_bitmaps = std::vector<id_bitmap>;  // by name id
  static constexpr std::size_t state_count = static_cast<std::size_t>(job_state::expired) + 1;

  static id_bitmap& named(named_bitmaps& maps, name_id name);

  id_bitmap all_;
  std::array<id_bitmap, state_count> by_state_;
  named_bitmaps by_queue_;
  named_bitmaps by_kind_;
};

}  // namespace meshjobs
