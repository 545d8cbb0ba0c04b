#include "console.hpp"

#include <unistd.h>

#include <cerrno>

namespace meshjobs::cluster {

void print_line(std::string_view line) {
  std::string whole{line};
  whole += '\n';
  std::string_view rest = whole;
  while (!rest.empty()) {
    const auto n = ::write(STDOUT_FILENO, rest.data(), rest.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void notice(std::string_view text) {
  print_line("meshjobs-cluster: " + std::string{text});
}

}  // namespace meshjobs::cluster
