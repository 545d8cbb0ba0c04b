#include "args_input.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace meshjobs::inject {
namespace {

struct file_closer {
  void operator()(std::FILE* f) const {
    if (f != stdin)
      std::fclose(f);
  }
};

}  // namespace

std::variant<std::string, input_error> read_args(const std::string& path, std::string_view option) {
  const bool from_stdin = path == "-";
  const std::string source = from_stdin ? "stdin" : "\"" + path + "\"";
  std::unique_ptr<std::FILE, file_closer> file(from_stdin ? stdin : std::fopen(path.c_str(), "rb"));
  if (!file)
    return input_error{std::string{option} + ": cannot read " + source + ": " + std::strerror(errno)};
  std::string out;
  char buffer[65536];
  std::size_t n = 0;
  // Reads one byte past the bound to tell "exactly the bound" from "more".
  while (out.size() <= max_args_bytes && (n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0)
    out.append(buffer, n);
  if (std::ferror(file.get()))
    return input_error{std::string{option} + ": cannot read " + source + ": " + std::strerror(errno)};
  if (out.size() > max_args_bytes)
    return input_error{std::string{option} + ": " + source + " holds more than " +
                       std::to_string(max_args_bytes / (1024 * 1024)) + " MiB; a job's arguments must be smaller"};
  return out;
}

}  // namespace meshjobs::inject
