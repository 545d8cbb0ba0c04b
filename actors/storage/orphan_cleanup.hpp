// Removing the files in mesh storage that no mesh record names: what storage.cleanup and
// mesh.cleanup without arguments (the seed's cleanup_orphaned_files) both do.
#pragma once

#include <cstddef>

namespace meshjobs {

class mesh_pipeline;

/// Removes every orphan and returns how many it removed. Blocking (records and files).
std::size_t remove_orphaned_files(mesh_pipeline& p);

}  // namespace meshjobs
