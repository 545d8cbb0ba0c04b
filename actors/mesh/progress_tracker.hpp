// The seed's ProgressTracker, as an observer of the event stream: each progress report of a
// mesh.generation job is kept on its mesh (progress, message, status processing) and
// published on the channel `mesh:<id>`; so is its end (completed, retrying, failed). It runs on
// its own thread, after the coordinator recorded the step, so a slow disk slows no job.
#pragma once

#include <memory>

#include "meshjobs/observer.hpp"

namespace meshjobs {

class mesh_pipeline;

std::shared_ptr<observer> make_progress_tracker(std::shared_ptr<mesh_pipeline> p);

}  // namespace meshjobs
