// The seed's JobMonitoring: StatsD datagrams, read by a real UDP listener on loopback, and the
// error reporter for failures of critical jobs.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>

#include "monitoring/job_monitoring.hpp"

namespace meshjobs {
namespace {

class udp_listener {
 public:
  udp_listener() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    timeval patience{10, 0};  // a datagram that never comes fails the test instead of hanging it
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &patience, sizeof patience);
  }
  ~udp_listener() { ::close(fd_); }

  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }

  /// The next `n` datagrams (fewer if they stop coming).
  std::vector<std::string> receive(std::size_t n) {
    std::vector<std::string> out;
    char buffer[1024];
    while (out.size() < n) {
      auto got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got <= 0)
        break;
      out.emplace_back(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
};

job job_of(const std::string& kind, const std::string& queue) {
  job j;
  j.id = 7;
  j.kind = kind;
  j.queue = queue;
  return j;
}

TEST(JobMonitoring, SendsTheSeedsNamesForAGenerationThatSucceeded) {
  udp_listener statsd;
  auto monitoring = make_job_monitoring(statsd.address(), "");
  auto j = job_of("mesh.generation", "mesh_generation");
  monitoring->on_started(j);
  job_outcome ok;
  monitoring->on_finished(j, ok, 1500);
  auto got = statsd.receive(5);
  EXPECT_EQ(got, (std::vector<std::string>{"jobs.mesh.generation.started:1|c", "jobs.mesh.generation.duration:1.500|ms",
                                           "jobs.mesh.generation.success:1|c", "mesh.generation.duration:1.500|ms",
                                           "mesh.generation.success:1|c"}));
}

TEST(JobMonitoring, AFailureCountsItsErrorKindAndOnlyACriticalOneIsReported) {
  udp_listener statsd;
  std::vector<std::string> reported;
  auto monitoring = make_job_monitoring(statsd.address(), "app", [&](const job& j, const job_error& e) {
    reported.push_back(j.kind + " " + e.kind);
  });
  job_outcome failed;
  failed.kind = outcome_kind::retry;
  failed.error = {"service_error", "down", "node"};
  monitoring->on_finished(job_of("mesh.generation", "mesh_generation"), failed, 0);
  failed.kind = outcome_kind::discarded;
  failed.error = {"unknown mesh", "no mesh", "node"};
  monitoring->on_finished(job_of("mesh.progress_callback", "critical"), failed, 0);
  auto got = statsd.receive(5);
  EXPECT_EQ(got, (std::vector<std::string>{"app.jobs.mesh.generation.failure:1|c",
                                           "app.jobs.mesh.generation.error.service_error:1|c",
                                           "app.mesh.generation.failure:1|c",
                                           "app.jobs.mesh.progress_callback.failure:1|c",
                                           "app.jobs.mesh.progress_callback.error.unknown_mesh:1|c"}));
  EXPECT_EQ(reported, std::vector<std::string>{"mesh.progress_callback unknown mesh"});
}

TEST(JobMonitoring, AnAddressThatIsNotHostColonPortIsRefusedByName) {
  EXPECT_THROW(make_job_monitoring("localhost", ""), std::invalid_argument);
  try {
    make_job_monitoring("no-such-host.invalid:8125", "");
    ADD_FAILURE() << "an unresolvable host was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string{e.what()}.find("no-such-host.invalid:8125"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace meshjobs
