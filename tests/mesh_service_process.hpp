// meshjobs-mesher run as a real process on loopback for the mesh-service tests: started with
// --port 0 and the test's flags, its port read from its first stdout line, its log kept.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "process.hpp"

namespace meshjobs::testing {

class mesher_process {
 public:
  /// Starts meshjobs-mesher with `args` (after --port 0) and waits for its port; throws
  /// std::runtime_error with its log when it does not come up.
  mesher_process(const temp_dir& dir, const std::vector<std::string>& args = {},
                 const std::string& name = "mesher");

  std::uint16_t port() const { return port_; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string log() const { return read_file(log_path_); }
  child_process& process() { return child_; }

 private:
  std::string out_path_;
  std::string log_path_;
  child_process child_;
  std::uint16_t port_ = 0;
};

/// A small grey PNG of `width` × `height` written in `dir`; its path.
std::string write_sample_png(const temp_dir& dir, const std::string& name, std::uint32_t width,
                             std::uint32_t height, std::uint32_t seed = 1);

}  // namespace meshjobs::testing
