// The installed package: `cmake --install` of this build tree gives a prefix that a host project
// builds against with find_package(meshjobs), out of tree, seeing nothing of the source tree.
// Each test installs into its own temporary prefix (kept and named when the test fails).
#include <gtest/gtest.h>

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {

struct command_result {
  int exit_code = -1;
  std::string output;  ///< stdout and stderr, interleaved
};

std::string quoted(const std::string& arg) {
  std::string out = "'";
  for (char c : arg)
    out += c == '\'' ? std::string{"'\\''"} : std::string{c};
  return out + "'";
}

command_result run(const std::string& command) {
  command_result result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr)
    return result;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe))
    result.output.append(buffer, n);
  int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::string describe(const std::string& command, const command_result& r) {
  return "$ " + command + "\nexit " + std::to_string(r.exit_code) + "\n" + r.output;
}

#define ASSERT_COMMAND_OK(command)                            \
  do {                                                        \
    auto command_ = (command);                                \
    auto result_ = run(command_);                             \
    ASSERT_EQ(result_.exit_code, 0) << describe(command_, result_); \
  } while (false)

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (fs::temp_directory_path() / "meshjobs-package-XXXXXX").string();
    if (::mkdtemp(pattern.data()) != nullptr)
      path_ = pattern;
  }
  ~temp_dir() {
    if (path_.empty())
      return;
    if (::testing::Test::HasFailure()) {
      std::printf("kept for inspection: %s\n", path_.c_str());
      return;
    }
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string cmake() { return quoted(MESHJOBS_CMAKE_COMMAND); }

std::string install_command(const fs::path& prefix) {
  return cmake() + " --install " + quoted(MESHJOBS_BINARY_DIR) + " --prefix " + quoted(prefix);
}

/// Configures `source` against the package in `prefix` with this build's compiler; `flags`
/// adds -D options.
std::string configure_command(const fs::path& source, const fs::path& build, const fs::path& prefix,
                              const std::string& flags) {
  return cmake() + " -S " + quoted(source) + " -B " + quoted(build) +
         " -DCMAKE_PREFIX_PATH=" + quoted(prefix) + " -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF" +
         " -DCMAKE_CXX_COMPILER=" + quoted(MESHJOBS_CXX_COMPILER) + flags;
}

std::string build_command(const fs::path& build) { return cmake() + " --build " + quoted(build) + " -j2"; }

/// The directory find_package(meshjobs) took the package from, as the project's cache says.
std::string found_package_dir(const fs::path& build) {
  std::ifstream cache{build / "CMakeCache.txt"};
  const std::string key = "meshjobs_DIR:PATH=";
  for (std::string line; std::getline(cache, line);)
    if (line.rfind(key, 0) == 0)
      return line.substr(key.size());
  return {};
}

/// Every public header of the three installed rooms, relative to its include directory.
std::set<std::string> public_headers_in_source() {
  std::set<std::string> out;
  for (const char* room : {"messages", "config", "runtime"}) {
    fs::path include = fs::path{MESHJOBS_SOURCE_DIR} / room / "include";
    for (const auto& entry : fs::recursive_directory_iterator(include))
      if (entry.is_regular_file() && entry.path().extension() == ".hpp")
        out.insert(fs::relative(entry.path(), include).string());
  }
  return out;
}

// Compiles one translation unit per installed header, each including only that header, with
// the package's include directories only and warnings as errors.
constexpr const char* header_check_project = R"cmake(
cmake_minimum_required(VERSION 3.16)
project(meshjobs_header_check LANGUAGES CXX)
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
find_package(meshjobs REQUIRED)
get_target_property(include_dirs meshjobs::meshjobs INTERFACE_INCLUDE_DIRECTORIES)
list(GET include_dirs 0 include_dir)
file(GLOB_RECURSE headers RELATIVE "${include_dir}" "${include_dir}/meshjobs/*.hpp")
if(NOT headers)
  message(FATAL_ERROR "no headers under ${include_dir}/meshjobs")
endif()
foreach(header ${headers})
  string(MAKE_C_IDENTIFIER "${header}" name)
  file(WRITE "${CMAKE_BINARY_DIR}/${name}.cpp" "#include <${header}>\n")
  list(APPEND sources "${CMAKE_BINARY_DIR}/${name}.cpp")
endforeach()
add_library(header_check OBJECT ${sources})
target_link_libraries(header_check PRIVATE meshjobs::meshjobs)
set_target_properties(header_check PROPERTIES NO_SYSTEM_FROM_IMPORTED ON)
target_compile_options(header_check PRIVATE -Wall -Wextra -Werror)
)cmake";

TEST(PackageTest, InstallsEveryPublicHeaderAndEachCompilesAlone) {
  temp_dir tmp;
  ASSERT_FALSE(tmp.path().empty()) << "cannot create a temporary directory";
  auto prefix = tmp.path() / "prefix";
  ASSERT_COMMAND_OK(install_command(prefix));

  for (const auto& header : public_headers_in_source())
    EXPECT_TRUE(fs::exists(prefix / "include" / header)) << header << " is not installed";
  EXPECT_TRUE(fs::exists(prefix / "include/meshjobs/runtime.hpp"));
  EXPECT_FALSE(fs::exists(prefix / "include/meshjobs/coordinator.hpp")) << "an internal header is installed";

  auto source = tmp.path() / "header_check";
  fs::create_directories(source);
  std::ofstream{source / "CMakeLists.txt"} << header_check_project;
  auto build = tmp.path() / "header_check_build";
  ASSERT_COMMAND_OK(configure_command(source, build, prefix, ""));
  ASSERT_COMMAND_OK(build_command(build));
}

TEST(PackageTest, HostExampleBuildsOutOfTreeAgainstTheInstalledPackageAndRuns) {
  temp_dir tmp;
  ASSERT_FALSE(tmp.path().empty()) << "cannot create a temporary directory";
  auto prefix = tmp.path() / "prefix";
  ASSERT_COMMAND_OK(install_command(prefix));
  const fs::path libdir = prefix / MESHJOBS_INSTALL_LIBDIR;
  for (const auto& file : {libdir / "cmake/meshjobs/meshjobsConfig.cmake", libdir / "cmake/meshjobs/FindCAF.cmake",
                           libdir / "libmeshjobs_runtime.a", prefix / "share/meshjobs/meshjobs.yml"})
    EXPECT_TRUE(fs::exists(file)) << file << " is not installed";

  // The same build type and flags as this build, so a sanitized package links.
  auto build = tmp.path() / "host_build";
  ASSERT_COMMAND_OK(configure_command(fs::path{MESHJOBS_SOURCE_DIR} / "tools/examples/host", build, prefix,
                                      " -DCMAKE_BUILD_TYPE=" + quoted(MESHJOBS_BUILD_TYPE) +
                                        " -DCMAKE_CXX_FLAGS=" + quoted(MESHJOBS_HOST_CXX_FLAGS) +
                                        " -DCMAKE_EXE_LINKER_FLAGS=" + quoted(MESHJOBS_HOST_LINK_FLAGS)));
  EXPECT_EQ(fs::path{found_package_dir(build)}, libdir / "cmake/meshjobs");
  ASSERT_COMMAND_OK(build_command(build));

  auto host = quoted((build / "host").string());
  auto in_code = run(host);
  EXPECT_EQ(in_code.exit_code, 0) << describe(host, in_code);
  EXPECT_NE(in_code.output.find("host example: ok\n"), std::string::npos) << in_code.output;

  // The shipped YAML keeps jobs in meshjobs.db under the working directory.
  auto with_yaml = "cd " + quoted(tmp.path()) + " && " + host + " " +
                   quoted(prefix / "share/meshjobs/meshjobs.yml");
  auto from_yaml = run(with_yaml);
  EXPECT_EQ(from_yaml.exit_code, 0) << describe(with_yaml, from_yaml);
  EXPECT_NE(from_yaml.output.find("host example: ok\n"), std::string::npos) << from_yaml.output;
  EXPECT_TRUE(fs::exists(tmp.path() / "meshjobs.db"));
}

}  // namespace
