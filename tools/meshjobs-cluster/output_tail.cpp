#include "output_tail.hpp"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "console.hpp"

namespace meshjobs::cluster {
namespace {

/// A node that writes a line longer than this (no newline) has it printed in pieces, so one
/// runaway line cannot grow the launcher without bound.
constexpr std::size_t max_line_bytes = 64 * 1024;

}  // namespace

output_tail::output_tail(std::string node_name, int fd)
    : prefix_("[" + std::move(node_name) + "] "), fd_(fd) {}

output_tail::~output_tail() {
  close_fd();
}

output_tail::output_tail(output_tail&& other) noexcept
    : prefix_(std::move(other.prefix_)), fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}

output_tail& output_tail::operator=(output_tail&& other) noexcept {
  if (this != &other) {
    close_fd();
    prefix_ = std::move(other.prefix_);
    fd_ = std::exchange(other.fd_, -1);
    pending_ = std::move(other.pending_);
  }
  return *this;
}

void output_tail::close_fd() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

bool output_tail::pump() {
  char buffer[16 * 1024];
  const auto n = ::read(fd_, buffer, sizeof buffer);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return true;
  if (n <= 0) {  // closed, or broken: either way nothing more comes
    if (!pending_.empty())
      print_line(prefix_ + pending_);
    pending_.clear();
    close_fd();
    return false;
  }
  pending_.append(buffer, static_cast<std::size_t>(n));
  print_complete_lines();
  return true;
}

void output_tail::print_complete_lines() {
  std::size_t start = 0;
  for (auto end = pending_.find('\n'); end != std::string::npos; end = pending_.find('\n', start)) {
    print_line(prefix_ + pending_.substr(start, end - start));
    start = end + 1;
  }
  pending_.erase(0, start);
  while (pending_.size() >= max_line_bytes) {
    print_line(prefix_ + pending_.substr(0, max_line_bytes));
    pending_.erase(0, max_line_bytes);
  }
}

}  // namespace meshjobs::cluster
