#include "storage/mesh_storage.hpp"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>

namespace meshjobs::storage {
namespace {

namespace fs = std::filesystem;

bool id_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/// `inner` lies under `base` (canonical) once made absolute with links resolved as far as
/// they exist.
bool within(const fs::path& base, const fs::path& inner) {
  std::error_code ec;
  const auto target = fs::weakly_canonical(inner, ec);
  if (ec)
    return false;
  return std::mismatch(base.begin(), base.end(), target.begin(), target.end()).first == base.end();
}

class directory_storage final : public mesh_storage {
 public:
  /// The root is made on the first write: a node that never stores a mesh leaves no folder.
  explicit directory_storage(fs::path root) : root_(std::move(root)) {}

  void write(const std::string& id, const std::string& file, const std::string& bytes) override {
    const auto target = path_of(id, file);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      throw storage_error("storage: mesh " + id + ": cannot create its directory: " + ec.message());
    // Written beside it, then renamed over it: a rename within a directory is atomic.
    const auto partial = target.parent_path() / ("." + file + ".partial");
    {
      std::ofstream out(partial, std::ios::binary | std::ios::trunc);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
      out.flush();
      if (!out)
        throw storage_error("storage: mesh " + id + ": cannot write " + file + " (" +
                            std::to_string(bytes.size()) + " bytes): the disk may be full or read-only");
    }
    fs::rename(partial, target, ec);
    if (ec) {
      fs::remove(partial, ec);
      throw storage_error("storage: mesh " + id + ": cannot move " + file + " into place: " + ec.message());
    }
  }

  std::string read(const std::string& id, const std::string& file) const override {
    const auto target = path_of(id, file);
    std::ifstream in(target, std::ios::binary);
    if (!in)
      throw storage_error("storage: mesh " + id + ": no file " + file);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }

  bool exists(const std::string& id, const std::string& file) const override {
    std::error_code ec;
    return fs::is_regular_file(path_of(id, file), ec);
  }

  fs::path path_of(const std::string& id, const std::string& file) const override {
    check_id(id);
    check_file_name(file);
    auto p = meshes() / id / file;
    if (!within(canonical_root(), p))
      throw storage_error("storage: mesh " + id + ", file " + file + ": the path leaves the storage root " +
                          root_.string() + " (a symbolic link?)");
    return p;
  }

  bool remove(const std::string& id) override {
    check_id(id);
    const auto dir = meshes() / id;
    if (!within(canonical_root(), dir))
      throw storage_error("storage: mesh " + id + ": its directory leaves the storage root " + root_.string());
    std::error_code ec;
    // A symbolic link is removed as a link: remove_all does not follow it out of the root.
    const auto removed = fs::remove_all(dir, ec);
    if (ec)
      throw storage_error("storage: mesh " + id + ": cannot remove its files: " + ec.message());
    return removed > 0;
  }

  std::vector<std::string> ids() const override {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(meshes(), ec)) {
      auto name = entry.path().filename().string();
      if (entry.is_directory(ec) && !name.empty() && std::all_of(name.begin(), name.end(), id_char))
        out.push_back(std::move(name));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path meshes() const { return root_ / "meshes"; }

  /// The root with its links resolved, kept once the root exists: resolving it again for each
  /// path cost a readlink per component of it (a generation checks four paths).
  fs::path canonical_root() const {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!canonical_root_.empty())
      return canonical_root_;
    std::error_code ec;
    auto resolved = fs::weakly_canonical(root_, ec);
    if (ec)
      throw storage_error("storage: the root " + root_.string() + " cannot be resolved: " + ec.message());
    if (fs::exists(root_, ec))
      canonical_root_ = resolved;  // before the root exists, its links may still change
    return resolved;
  }

  fs::path root_;
  mutable std::mutex mutex_;
  mutable fs::path canonical_root_;
};

}  // namespace

std::vector<std::string> mesh_storage::orphans(const std::function<bool(const std::string&)>& known) const {
  std::vector<std::string> out;
  for (auto& id : ids())
    if (!known(id))
      out.push_back(std::move(id));
  return out;
}

std::unique_ptr<mesh_storage> make_directory_storage(const std::filesystem::path& root) {
  return std::make_unique<directory_storage>(root);
}

void check_id(const std::string& id) {
  if (id.empty() || id.size() > 64 || !std::all_of(id.begin(), id.end(), id_char))
    throw storage_error("storage: mesh id \"" + id + "\": must be 1 to 64 of A-Z a-z 0-9 _ -");
}

void check_file_name(const std::string& file) {
  auto ok = [](char c) { return id_char(c) || c == '.'; };
  if (file.empty() || file.size() > 128 || file.front() == '.' || !std::all_of(file.begin(), file.end(), ok))
    throw storage_error("storage: file name \"" + file +
                        "\": must be 1 to 128 of A-Z a-z 0-9 _ - . and not start with a dot");
}

}  // namespace meshjobs::storage
