// The generations meshjobs-mesher knows, by job id: their status and progress while they run,
// their result (counts and the .glb bytes) once done. Finished jobs past `keep` are forgotten,
// oldest first, so that a long-running service does not grow without bound.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "fault_plan.hpp"
#include "meshjobs/http/http_server.hpp"

namespace meshjobs::mesher_service {

struct job_entry {
  std::string job_id;
  std::string image_url;
  double detail_factor = 0.02;
  double height_scale = 0.25;
  std::string callback_url;
  fault_plan faults;

  std::string status = "processing";  ///< processing | completed | failed
  int progress = 0;
  std::string message = "Queued";
  std::uint64_t vertex_count = 0;
  std::uint64_t triangle_count = 0;
  std::shared_ptr<const std::string> glb;

  bool finished() const { return status != "processing"; }
};

class job_table {
 public:
  explicit job_table(std::size_t keep) : keep_(keep) {}

  struct updated {
    job_entry entry;  ///< after the change
    /// When the change finished the job: the generate calls that waited for it, to answer.
    std::vector<http::responder> waiters;
  };

  /// Adds `entry` unless its id is known; either way returns a copy of the table's entry and
  /// whether it was added.
  std::pair<job_entry, bool> add(job_entry entry);
  std::optional<job_entry> find(const std::string& id) const;
  /// Changes the entry under the table's lock; nothing if the id is unknown.
  std::optional<updated> update(const std::string& id, const std::function<void(job_entry&)>& change);
  /// Keeps a generate call (parameters.wait) until the job ends; false when it has already
  /// ended (answer at once).
  bool wait(const std::string& id, http::responder waiter);

 private:
  void forget_old_finished();  // with the lock held

  mutable std::mutex mutex_;
  std::unordered_map<std::string, job_entry> jobs_;
  std::unordered_map<std::string, std::vector<http::responder>> waiters_;
  std::deque<std::string> finished_order_;
  std::size_t keep_;
};

}  // namespace meshjobs::mesher_service
