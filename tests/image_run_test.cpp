// `meshjobs --images DIR` (what `make run` runs) as a real process: a folder of images becomes
// meshes and thumbnails with a table at the end, and a run cut by kill -9 is finished by the
// next one without meshing again what was done.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <csignal>
#include <filesystem>
#include <map>

#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

namespace fs = std::filesystem;

std::string run_config(const temp_dir& dir) {
  auto path = dir.file("run.yml");
  write_file(path, "concurrency: 2\n"
                   "queues:\n  - [critical, 10]\n  - [mesh_generation, 5]\n  - [default, 2]\n  - [low_priority, 1]\n"
                   "store:\n  backend: sqlite\n  path: " + dir.file("meshjobs.db") + "\n"
                   "storage:\n  root: " + dir.path().string() + "\n");
  return path;
}

struct mesh_row {
  std::int64_t id;
  std::string image;
  std::string status;
};

/// The meshes the store holds, read from its SQLite file.
std::vector<mesh_row> meshes_in(const std::string& db_path) {
  std::vector<mesh_row> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT id, image_url, status FROM meshes", -1, &stmt, nullptr), SQLITE_OK)
    << sqlite3_errmsg(db);
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW)
    out.push_back({sqlite3_column_int64(stmt, 0),
                   fs::path(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 1))).filename().string(),
                   reinterpret_cast<const char*>(sqlite3_column_text(stmt, 2))});
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

/// Each row of a query on the store's SQLite file, its columns as text.
std::vector<std::vector<std::string>> rows_of(const std::string& db_path, const char* sql) {
  std::vector<std::vector<std::string>> out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (stmt && sqlite3_step(stmt) == SQLITE_ROW) {
    std::vector<std::string> row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i)
      row.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i)));
    out.push_back(std::move(row));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

std::vector<std::string> done_lines(const std::string& out) {
  std::vector<std::string> lines;
  for (auto& line : split_lines(out))
    if (line.rfind("done ", 0) == 0)
      lines.push_back(line);
  return lines;
}

TEST(ImageRun, EveryImageOfAFolderBecomesAMeshWithAThumbnailAndTheRunEndsWithATable) {
  temp_dir dir;
  auto r = run_to_end(MESHJOBS_NODE_BIN,
                      {"--config", run_config(dir), "--images", dir.file("images"), "--samples", "3",
                       "--sample-size", "64"},
                      dir.path(), 120s, {asan_options_without_leak_check()});
  ASSERT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.out << "\n" << r.err;
  EXPECT_NE(r.out.find("generated 3 sample images of 64x64"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("image                status      vertices triangles"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 of 3 meshes completed"), std::string::npos) << r.out;
  EXPECT_EQ(done_lines(r.out).size(), 3u) << r.out;
  auto meshes = meshes_in(dir.file("meshjobs.db"));
  ASSERT_EQ(meshes.size(), 3u);
  for (const auto& m : meshes)
    EXPECT_EQ(m.status, "completed") << m.image;
  for (int id = 1; id <= 3; ++id) {
    EXPECT_TRUE(fs::exists(dir.path() / "meshes" / std::to_string(id) / "mesh.glb")) << id;
    EXPECT_TRUE(fs::exists(dir.path() / "meshes" / std::to_string(id) / "thumb.png")) << id;
  }
}

TEST(ImageRun, AFolderWithoutImagesIsAClearErrorAndABadParameterTooWithExit2) {
  temp_dir dir;
  fs::create_directories(dir.path() / "empty");
  auto r = run_to_end(MESHJOBS_NODE_BIN, {"--config", run_config(dir), "--images", dir.file("empty")}, dir.path(),
                      60s, {asan_options_without_leak_check()});
  EXPECT_TRUE(r.status.exited_with(1)) << r.status.to_string();
  EXPECT_NE(r.err.find("no PNG, JPEG, BMP or PGM image in it"), std::string::npos) << r.err;
  auto bad = run_to_end(MESHJOBS_NODE_BIN,
                        {"--config", run_config(dir), "--images", dir.file("empty"), "--parameters", "[1]"},
                        dir.path(), 60s, {asan_options_without_leak_check()});
  EXPECT_TRUE(bad.status.exited_with(2)) << bad.status.to_string();
  EXPECT_NE(bad.err.find("--parameters"), std::string::npos) << bad.err;
}

TEST(ImageRun, AfterAKill9TheNextRunFinishesTheRestAndMeshesNothingTwice) {
  temp_dir dir;
  const auto config = run_config(dir);
  const std::vector<std::string> args{"--config", config, "--images", dir.file("images"), "--samples", "16",
                                      "--sample-size", "384"};
  spawn_options first;
  first.args = args;
  first.env = {asan_options_without_leak_check()};
  first.stdout_path = dir.file("first.out");
  first.stderr_path = dir.file("first.log");
  std::map<std::string, fs::file_time_type> done_before;
  {
    child_process node(MESHJOBS_NODE_BIN, first);
    ASSERT_TRUE(eventually([&] { return done_lines(read_file(first.stdout_path)).size() >= 2 || !node.running(); },
                           120s))
      << read_file(first.stderr_path);
    ASSERT_TRUE(node.running()) << "the first run ended before it could be killed:\n" << read_file(first.stdout_path);
    node.kill();
  }
  // What was completed when the kill came must not be meshed again: its file keeps its time.
  for (const auto& m : meshes_in(dir.file("meshjobs.db"))) {
    if (m.status != "completed")
      continue;
    auto glb = dir.path() / "meshes" / std::to_string(m.id) / "mesh.glb";
    ASSERT_TRUE(fs::exists(glb)) << glb;
    done_before[glb.string()] = fs::last_write_time(glb);
  }
  const auto completed_before = done_before.size();
  ASSERT_GE(completed_before, 2u);
  ASSERT_LT(completed_before, 16u) << "the kill came after the end";

  auto second = run_to_end(MESHJOBS_NODE_BIN, args, dir.path(), 240s, {asan_options_without_leak_check()});
  ASSERT_TRUE(second.status.exited_with(0)) << second.status.to_string() << "\n" << second.out << "\n" << second.err;
  EXPECT_NE(second.out.find("0 new, 16 from an earlier run"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("16 of 16 meshes completed"), std::string::npos) << second.out;
  auto meshes = meshes_in(dir.file("meshjobs.db"));
  ASSERT_EQ(meshes.size(), 16u) << "one mesh per image, none twice";
  for (const auto& m : meshes)
    EXPECT_EQ(m.status, "completed") << m.image;
  for (const auto& [glb, written] : done_before)
    EXPECT_EQ(fs::last_write_time(glb), written) << glb << " was written again";
  // One batch ran them all, resumed, with exact counts; each image ended once.
  const auto db = dir.file("meshjobs.db");
  const auto batches = rows_of(db, "SELECT status, total, completed, failed, cancelled FROM batches");
  ASSERT_EQ(batches.size(), 1u) << "the second run resumed the batch rather than making another";
  EXPECT_EQ(batches[0], (std::vector<std::string>{"completed", "16", "16", "0", "0"}));
  EXPECT_EQ(rows_of(db, "SELECT COUNT(*) FROM batch_images WHERE status = 'completed'"),
            (std::vector<std::vector<std::string>>{{"16"}}));
  EXPECT_NE(second.out.find("batch 1 completed: 16 completed, 0 failed of 16"), std::string::npos) << second.out;
}

}  // namespace
}  // namespace meshjobs::testing
