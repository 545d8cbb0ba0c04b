#include "http/idle_connections.hpp"

namespace meshjobs::http {
namespace {

void close(pooled_connection& c) {
  boost::system::error_code ignored;
  c.socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  c.socket.close(ignored);
}

}  // namespace

std::shared_ptr<pooled_connection> idle_connections::take(const std::string& host_port) {
  const auto now = std::chrono::steady_clock::now();
  std::vector<std::shared_ptr<pooled_connection>> stale;
  std::shared_ptr<pooled_connection> found;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = idle_.find(host_port);
    if (it == idle_.end())
      return nullptr;
    auto& kept = it->second;
    while (!kept.empty() && !found) {
      auto c = std::move(kept.back());  // the most recently used: the least likely closed
      kept.pop_back();
      if (now - c->idle_since < max_idle)
        found = std::move(c);
      else
        stale.push_back(std::move(c));
    }
  }
  for (auto& c : stale)
    close(*c);
  return found;
}

void idle_connections::put(const std::string& host_port, std::shared_ptr<pooled_connection> c) {
  c->idle_since = std::chrono::steady_clock::now();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& kept = idle_[host_port];
    if (!closed_ && kept.size() < max_per_host) {
      kept.push_back(std::move(c));
      return;
    }
  }
  close(*c);
}

void idle_connections::close_all() {
  std::unordered_map<std::string, std::vector<std::shared_ptr<pooled_connection>>> all;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    closed_ = true;
    all.swap(idle_);
  }
  for (auto& [host_port, kept] : all)
    for (auto& c : kept)
      close(*c);
}

}  // namespace meshjobs::http
