// storage.cleanup (the seed's Storage::CleanupJob): orphaned files, weekly from the schedule.
#include <spdlog/spdlog.h>

#include <set>

#include "pipeline_types.hpp"
#include "storage/orphan_cleanup.hpp"

namespace meshjobs {

std::size_t remove_orphaned_files(mesh_pipeline& p) {
  const auto known = p.records().all_ids();
  const std::set<std::string> referenced(known.begin(), known.end());
  const auto orphans = p.files().orphans([&](const std::string& id) { return referenced.count(id) > 0; });
  spdlog::info("Found {} orphaned files", orphans.size());
  for (const auto& id : orphans)
    p.files().remove(id);
  return orphans.size();
}

job_type storage_cleanup_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "storage.cleanup";
  t.queue = "low_priority";
  t.perform = [p](job_context&) { remove_orphaned_files(*p); };
  return t;
}

}  // namespace meshjobs
