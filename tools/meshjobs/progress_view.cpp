#include "progress_view.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

namespace meshjobs::tools {
namespace {

constexpr int bar_width = 30;

std::size_t terminal_rows() {
  winsize w{};
  if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_row > 4)
    return w.ws_row;
  return 24;
}

}  // namespace

progress_view::progress_view(std::vector<std::string> names, bool tty, std::FILE* out) : tty_(tty), out_(out) {
  for (auto& n : names) {
    name_width_ = std::max(name_width_, std::min<std::size_t>(n.size(), 32));
    rows_.push_back(row{std::move(n)});
  }
}

void progress_view::update(std::size_t i, std::int32_t percent, const std::string& message, const std::string& status) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& r = rows_.at(i);
  if (r.done)
    return;
  const bool changed = r.percent != percent || r.message != message || r.status != status;
  r.percent = std::clamp(percent, 0, 100);
  r.message = message;
  r.status = status;
  r.shown = true;
  if (!tty_ && changed) {
    std::fprintf(out_, "%-*s %3d%% %s\n", static_cast<int>(name_width_), r.name.c_str(), r.percent, message.c_str());
    std::fflush(out_);
  }
}

void progress_view::finish(std::size_t i, const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& r = rows_.at(i);
  if (r.done)
    return;
  r.done = true;
  if (tty_)
    erase_bars();
  std::fprintf(out_, "%s\n", line.c_str());
  std::fflush(out_);
}

std::string progress_view::bar(const row& r) const {
  const int filled = r.percent * bar_width / 100;
  std::string out = "[";
  out.append(static_cast<std::size_t>(filled), '#');
  out.append(static_cast<std::size_t>(bar_width - filled), '.');
  out += "]";
  char head[128];
  std::snprintf(head, sizeof head, "%-*.*s %s %3d%% ", static_cast<int>(name_width_), static_cast<int>(name_width_),
                r.name.c_str(), out.c_str(), r.percent);
  return head + r.message.substr(0, 40);
}

void progress_view::erase_bars() {
  for (; drawn_ > 0; --drawn_)
    std::fputs("\x1b[1A\x1b[2K", out_);
}

void progress_view::draw() {
  if (!tty_)
    return;
  std::lock_guard<std::mutex> lock(mutex_);
  erase_bars();
  // Running jobs first, then the ones still waiting; as many as the terminal has room for.
  const std::size_t room = terminal_rows() - 2;
  std::size_t waiting = 0;
  std::vector<const row*> shown;
  for (const auto& r : rows_)
    if (!r.done && r.shown && shown.size() < room)
      shown.push_back(&r);
  for (const auto& r : rows_)
    if (!r.done && !r.shown)
      waiting += 1;
  for (const auto* r : shown)
    std::fprintf(out_, "%s\n", bar(*r).c_str());
  std::fprintf(out_, "\x1b[2m%zu waiting\x1b[0m\n", waiting);
  drawn_ = shown.size() + 1;
  std::fflush(out_);
}

void progress_view::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (tty_)
    erase_bars();
  std::fflush(out_);
}

}  // namespace meshjobs::tools
