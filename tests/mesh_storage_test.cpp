// The local directory store of mesh files, on a real directory: files round-trip and replace
// whole, orphans are the ids without a record, and no id, file name or symbolic link reaches
// outside the root.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "storage/mesh_storage.hpp"

namespace meshjobs::storage {
namespace {

namespace fs = std::filesystem;

class MeshStorage : public ::testing::Test {
 protected:
  MeshStorage() {
    base = fs::temp_directory_path() / ("meshjobs-storage-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(base);
    fs::create_directories(base);
    root = base / "root";
    store = make_directory_storage(root);
  }
  ~MeshStorage() override { fs::remove_all(base); }

  fs::path base;
  fs::path root;
  std::unique_ptr<mesh_storage> store;
};

TEST_F(MeshStorage, FilesRoundTripUnderMeshesIdAndAWriteReplacesThemWhole) {
  store->write("42", "mesh.glb", std::string("glTF\0\x02", 6));
  EXPECT_TRUE(fs::is_regular_file(root / "meshes" / "42" / "mesh.glb"));
  EXPECT_EQ(store->read("42", "mesh.glb"), std::string("glTF\0\x02", 6));
  store->write("42", "mesh.glb", "shorter");
  EXPECT_EQ(store->read("42", "mesh.glb"), "shorter");
  EXPECT_EQ(store->path_of("42", "thumb.png"), root / "meshes" / "42" / "thumb.png");
  EXPECT_FALSE(store->exists("42", "thumb.png"));
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(root / "meshes" / "42"))
    left.insert(e.path().filename().string());
  EXPECT_EQ(left, std::set<std::string>{"mesh.glb"}) << "no partial file is left behind";
}

TEST_F(MeshStorage, OrphansAreTheIdsWithFilesButNoRecordAndRemoveTakesThemAway) {
  for (const char* id : {"1", "2", "3"})
    store->write(id, "mesh.glb", "x");
  EXPECT_EQ(store->ids(), (std::vector<std::string>{"1", "2", "3"}));
  auto orphans = store->orphans([](const std::string& id) { return id == "2"; });
  EXPECT_EQ(orphans, (std::vector<std::string>{"1", "3"}));
  EXPECT_TRUE(store->remove("1"));
  EXPECT_FALSE(store->remove("1"));
  EXPECT_EQ(store->ids(), (std::vector<std::string>{"2", "3"}));
}

TEST_F(MeshStorage, AnIdOrFileNameThatWouldLeaveTheRootIsRefusedByName) {
  for (const char* id : {"..", "../x", "/etc", "a/b", "", "a b"}) {
    try {
      store->write(id, "mesh.glb", "x");
      ADD_FAILURE() << "id \"" << id << "\" was accepted";
    } catch (const storage_error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("mesh id \"") + id + "\""), std::string::npos) << e.what();
    }
  }
  for (const char* file : {"../../escape", "..", ".hidden", "a/b", "/etc/passwd", ""}) {
    try {
      store->write("7", file, "x");
      ADD_FAILURE() << "file \"" << file << "\" was accepted";
    } catch (const storage_error& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("file name \"") + file + "\""), std::string::npos) << e.what();
    }
  }
  EXPECT_FALSE(fs::exists(base / "escape"));
}

TEST_F(MeshStorage, ASymbolicLinkPointingOutOfTheRootIsRefused) {
  const auto outside = base / "outside";
  fs::create_directories(outside);
  fs::create_directories(root / "meshes");
  fs::create_directory_symlink(outside, root / "meshes" / "evil");
  EXPECT_THROW(store->write("evil", "mesh.glb", "x"), storage_error);
  EXPECT_FALSE(fs::exists(outside / "mesh.glb"));
  EXPECT_THROW(store->read("evil", "mesh.glb"), storage_error);
  EXPECT_THROW(store->remove("evil"), storage_error);
  EXPECT_TRUE(fs::exists(outside)) << "nothing outside the root is removed";
}

TEST_F(MeshStorage, AReadOfAMissingFileNamesTheMeshAndTheFile) {
  try {
    store->read("9", "mesh.glb");
    FAIL() << "a missing file was read";
  } catch (const storage_error& e) {
    EXPECT_EQ(std::string(e.what()), "storage: mesh 9: no file mesh.glb");
  }
}

}  // namespace
}  // namespace meshjobs::storage
