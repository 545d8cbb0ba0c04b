#include "mesh_service_process.hpp"

#include <stdexcept>

#include "mesh/mesher/sample_images.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

std::vector<std::string> with_port_zero(std::vector<std::string> args) {
  args.insert(args.begin(), {"--port", "0"});
  return args;
}

}  // namespace

mesher_process::mesher_process(const temp_dir& dir, const std::vector<std::string>& args,
                               const std::string& name)
  : out_path_(dir.file(name + ".out")), log_path_(dir.file(name + ".log")),
    child_(MESHJOBS_MESHER_BIN,
           spawn_options{with_port_zero(args), {asan_options_without_leak_check()}, out_path_, log_path_, ""}) {
  std::string first_line;
  bool up = eventually([&] {
    auto out = read_file(out_path_);
    auto end = out.find('\n');
    if (end == std::string::npos)
      return !child_.running();
    first_line = out.substr(0, end);
    return true;
  }, std::chrono::seconds{20}, std::chrono::milliseconds{10});
  if (!up || first_line.empty())
    throw std::runtime_error("meshjobs-mesher did not print its port; its log:\n" + log());
  port_ = static_cast<std::uint16_t>(std::stoul(first_line));
}

std::string write_sample_png(const temp_dir& dir, const std::string& name, std::uint32_t width,
                             std::uint32_t height, std::uint32_t seed) {
  auto path = dir.file(name);
  write_file(path, mesher::make_sample_png(width, height, seed));
  return path;
}

}  // namespace meshjobs::testing
