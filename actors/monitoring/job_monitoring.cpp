#include "monitoring/job_monitoring.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>

namespace meshjobs {
namespace {

/// A StatsD client: one datagram per metric, sent without waiting. UDP loses what a full
/// socket buffer or an absent listener cannot take, as StatsD intends.
class statsd_client {
 public:
  statsd_client(const std::string& host_port, std::string prefix) : prefix_(std::move(prefix)) {
    const auto colon = host_port.rfind(':');
    if (colon == std::string::npos)
      throw std::invalid_argument("metrics.statsd: must be host:port (got \"" + host_port + "\")");
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* found = nullptr;
    const auto host = host_port.substr(0, colon), port = host_port.substr(colon + 1);
    if (int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
      throw std::invalid_argument("metrics.statsd: " + host_port + ": " + ::gai_strerror(rc));
    fd_ = ::socket(found->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0 || ::connect(fd_, found->ai_addr, found->ai_addrlen) != 0) {
      ::freeaddrinfo(found);
      throw std::invalid_argument("metrics.statsd: " + host_port + ": " + std::strerror(errno));
    }
    ::freeaddrinfo(found);
  }
  ~statsd_client() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  statsd_client(const statsd_client&) = delete;
  statsd_client& operator=(const statsd_client&) = delete;

  void increment(const std::string& name) { send(name + ":1|c"); }
  void timing(const std::string& name, double ms) {
    char value[32];
    std::snprintf(value, sizeof value, ":%.3f|ms", ms);
    send(name + value);
  }

 private:
  void send(const std::string& metric) {
    const auto line = prefix_.empty() ? metric : prefix_ + "." + metric;
    [[maybe_unused]] auto sent = ::send(fd_, line.data(), line.size(), MSG_DONTWAIT);
  }

  std::string prefix_;
  int fd_ = -1;
};

/// StatsD names may not hold ':', '|' or '@'; an error kind is free text.
std::string metric_safe(std::string s) {
  for (auto& c : s)
    if (c == ':' || c == '|' || c == '@' || c == ' ')
      c = '_';
  return s;
}

class job_monitoring final : public observer {
 public:
  job_monitoring(const std::string& statsd, const std::string& prefix, error_reporter report)
    : statsd_(statsd, prefix), report_(std::move(report)) {}

  void on_started(const job& j) override { statsd_.increment("jobs." + j.kind + ".started"); }

  void on_finished(const job& j, const job_outcome& o, std::int64_t duration_us) override {
    const auto ms = static_cast<double>(duration_us) / 1000.0;
    const bool generation = j.kind == "mesh.generation";
    switch (o.kind) {
      case outcome_kind::succeeded:
        statsd_.timing("jobs." + j.kind + ".duration", ms);
        statsd_.increment("jobs." + j.kind + ".success");
        if (generation) {
          statsd_.timing("mesh.generation.duration", ms);
          statsd_.increment("mesh.generation.success");
        }
        break;
      case outcome_kind::retry:
      case outcome_kind::dead:
      case outcome_kind::discarded:
        statsd_.increment("jobs." + j.kind + ".failure");
        statsd_.increment("jobs." + j.kind + ".error." + metric_safe(o.error.kind));
        if (generation)
          statsd_.increment("mesh.generation.failure");
        if (j.queue == "critical" || j.kind.find("critical") != std::string::npos)
          report_(j, o.error);
        break;
      default:
        break;
    }
  }

 private:
  statsd_client statsd_;
  error_reporter report_;
};

void log_error_report(const job& j, const job_error& e) {
  spdlog::error("error report: critical job {} ({}) failed: {}: {}", j.id, j.kind, e.kind, e.message);
}

}  // namespace

std::shared_ptr<observer> make_job_monitoring(const std::string& statsd, const std::string& prefix,
                                              error_reporter report) {
  return std::make_shared<job_monitoring>(statsd, prefix, report ? std::move(report) : log_error_report);
}

}  // namespace meshjobs
