// Where mesh files live: `meshes/<id>/<file>` (mesh.glb, thumb.png, ...) under one root, behind
// an interface so that another backend (an object store) can take the local directory's place.
// Every id and file name is checked before it becomes a path: one that would leave the root
// (`..`, a separator, an absolute path, a symbolic link pointing out) is refused with an error
// naming it. Calls do file I/O: they belong on the worker pool (blocking handlers), never on a
// CAF thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace meshjobs::storage {

/// A refused id or file name, or an I/O failure; what() names the input and the reason.
class storage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class mesh_storage {
 public:
  virtual ~mesh_storage() = default;

  /// Writes `bytes` as `file` of mesh `id`, replacing it whole: a reader never sees half a file.
  virtual void write(const std::string& id, const std::string& file, const std::string& bytes) = 0;
  virtual std::string read(const std::string& id, const std::string& file) const = 0;
  virtual bool exists(const std::string& id, const std::string& file) const = 0;
  /// The local path of a file (for a tool that opens it, and for a URL); checked like the rest.
  virtual std::filesystem::path path_of(const std::string& id, const std::string& file) const = 0;
  /// Removes a mesh's files; false when it had none.
  virtual bool remove(const std::string& id) = 0;
  /// The ids that have files, sorted.
  virtual std::vector<std::string> ids() const = 0;
  /// The ids that have files but that `known` does not know (no mesh record): what
  /// `storage.cleanup` removes.
  std::vector<std::string> orphans(const std::function<bool(const std::string& id)>& known) const;
};

/// The local directory backend, rooted at `root` (created if missing).
std::unique_ptr<mesh_storage> make_directory_storage(const std::filesystem::path& root);

/// Throws storage_error unless `id` is 1 to 64 of [A-Za-z0-9_-].
void check_id(const std::string& id);
/// Throws storage_error unless `file` is a plain file name: 1 to 128 of [A-Za-z0-9_.-], not
/// starting with a dot.
void check_file_name(const std::string& file);

}  // namespace meshjobs::storage
