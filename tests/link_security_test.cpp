// The inject port against peers that are not meshjobs clients, with real node processes on
// loopback: nothing a peer sends before it is authenticated reaches CAF's BASP (which trusts
// the payload length in a header: before, a 32-byte header claiming 4 GiB took a node from
// 2.0 to 3.8 GB and then down), a wrong secret or certificate is refused and logged with the
// peer's address, and a plaintext port off loopback needs --insecure.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <memory>

#include "hostile_peer.hpp"
#include "link/keys_dir.hpp"
#include "meshjobs/front.hpp"
#include "meshjobs/messages/caf_types.hpp"
#include "node_harness.hpp"

namespace meshjobs::testing {
namespace {

constexpr std::uint32_t four_gib_less_one = 0xffffffffu;
/// 64 MiB and a bit, the same in either byte order.
constexpr std::uint32_t about_64_mib = 0x04040404u;
/// What the node may grow by while the hostile peers are connected: far below one claim.
constexpr std::size_t growth_allowed = 48u << 20;

class LinkSecurity : public ::testing::Test {
 protected:
  void SetUp() override {
    node_settings s;
    s.inject_port = free_loopback_port();
    node_ = std::make_unique<node_process>(dir_, s);
    ASSERT_TRUE(node_->wait_ready()) << node_->log();
  }

  bool logged(const std::string& text) const {
    return eventually([&] { return node_->log().find(text) != std::string::npos; }, 10s);
  }

  temp_dir dir_;
  std::unique_ptr<node_process> node_;
};

TEST_F(LinkSecurity, a_basp_header_claiming_4_gib_before_any_handshake_is_refused_and_costs_nothing) {
  const auto before = resident_bytes(node_->process().pid());
  raw_connection peer{node_->port()};
  ASSERT_TRUE(peer.send_bytes(basp_header_claiming(four_gib_less_one)));
  EXPECT_TRUE(peer.closed_by_peer_within(10000)) << "the node kept talking to an unauthenticated peer";
  EXPECT_TRUE(logged("inject port: refused 127.0.0.1:")) << node_->log();
  EXPECT_LT(resident_bytes(node_->process().pid()), before + growth_allowed);
  auto r = node_->inject({"--timeout", "5s", "enqueue", "demo.noop"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node_->log();
  EXPECT_TRUE(node_->process().running());
}

TEST_F(LinkSecurity, forty_connections_claiming_64_mib_each_leave_the_node_up_and_small) {
  const auto before = resident_bytes(node_->process().pid());
  std::vector<std::unique_ptr<raw_connection>> peers;
  for (int i = 0; i < 40; ++i) {
    peers.push_back(std::make_unique<raw_connection>(node_->port()));
    peers.back()->send_bytes(basp_header_claiming(about_64_mib));
  }
  // While they are all connected, the node answers and has not grown.
  auto r = node_->inject({"--timeout", "5s", "stats"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node_->log();
  EXPECT_LT(resident_bytes(node_->process().pid()), before + growth_allowed);
  for (auto& p : peers)
    EXPECT_TRUE(p->closed_by_peer_within(10000));
  EXPECT_TRUE(node_->process().running()) << node_->log();
}

TEST_F(LinkSecurity, garbage_bytes_are_refused_with_the_peer_s_address_and_the_node_serves_on) {
  std::string garbage;
  for (int i = 0; i < 4096; ++i)
    garbage += static_cast<char>((i * 7919 + 13) & 0xff);
  raw_connection peer{node_->port()};
  peer.send_bytes(garbage);
  EXPECT_TRUE(peer.closed_by_peer_within(10000));
  EXPECT_TRUE(logged("inject port: refused 127.0.0.1:")) << node_->log();
  EXPECT_TRUE(logged("TLS handshake failed")) << node_->log();
  EXPECT_EQ(node_->stats().get_int("enqueued").value_or(-1), 0);
}

TEST_F(LinkSecurity, an_authenticated_peer_s_malformed_basp_message_ends_its_connection_not_the_node) {
  raw_connection peer{node_->port(), node_->keys_dir()};
  std::string header = basp_header_claiming(16);
  header[0] = 0x7f;  // no BASP operation has this number
  ASSERT_TRUE(peer.send_bytes(header + std::string(16, '\x5a')));
  EXPECT_TRUE(peer.closed_by_peer_within(10000)) << "BASP went on reading a malformed message";
  EXPECT_TRUE(logged("link: peer 127.0.0.1:")) << node_->log();
  EXPECT_TRUE(logged("sent a malformed BASP message (unknown operation 127)")) << node_->log();
  auto r = node_->inject({"--timeout", "5s", "enqueue", "demo.noop"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node_->log();
  EXPECT_TRUE(node_->process().running());
}

TEST_F(LinkSecurity, an_authenticated_peer_claiming_a_4_gib_message_is_cut_off_before_anything_is_allocated) {
  const auto before = resident_bytes(node_->process().pid());
  raw_connection peer{node_->port(), node_->keys_dir()};
  ASSERT_TRUE(peer.send_bytes(basp_header_claiming(four_gib_less_one)));
  EXPECT_TRUE(peer.closed_by_peer_within(10000)) << "BASP waited for the 4 GiB";
  EXPECT_TRUE(logged("a payload of 4294967295 bytes, past the bound of 268435456")) << node_->log();
  EXPECT_LT(resident_bytes(node_->process().pid()), before + growth_allowed);
  auto r = node_->inject({"--timeout", "5s", "stats"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node_->log();
}

TEST_F(LinkSecurity, a_silent_peer_is_cut_off_at_the_handshake_deadline) {
  raw_connection peer{node_->port()};
  EXPECT_TRUE(peer.closed_by_peer_within(15000)) << "the node waits on a silent peer for ever";
  EXPECT_TRUE(logged("before the handshake's deadline")) << node_->log();
}

TEST_F(LinkSecurity, a_plaintext_caf_client_gets_nothing_from_the_tls_port) {
  caf::actor_system_config cfg;
  register_message_types(cfg);
  cfg.load<caf::io::middleman>();
  caf::actor_system sys{cfg};
  auto published = sys.middleman().remote_actor<front_actor>("127.0.0.1", node_->port());
  EXPECT_FALSE(published) << "CAF's plaintext BASP reached the front";
  EXPECT_TRUE(logged("TLS handshake failed")) << node_->log();

  auto r = node_->inject({"--plaintext", "--timeout", "5s", "stats"});
  EXPECT_TRUE(r.status.exited_with(3)) << r.status.to_string() << "\n" << r.err;
  EXPECT_TRUE(node_->process().running());
}

TEST_F(LinkSecurity, a_wrong_secret_is_refused_and_logged_with_the_peer_s_address) {
  const auto wrong = dir_.file("wrong.secret");
  write_file(wrong, "not-the-node-s-secret-0123456789\n");
  chmod(wrong.c_str(), 0600);
  auto r = node_->inject({"--secret-file", wrong, "--timeout", "5s", "stats"});
  EXPECT_TRUE(r.status.exited_with(3)) << r.status.to_string() << "\n" << r.err;
  auto error = json_line(r.err).get_string("error").value_or("");
  EXPECT_NE(error.find("refused our cluster secret"), std::string::npos) << error;
  EXPECT_TRUE(logged("wrong cluster secret")) << node_->log();
  EXPECT_NE(node_->log().find("inject port: refused 127.0.0.1:"), std::string::npos) << node_->log();

  // The same secret by the environment: refused the same way.
  auto by_env = run_inject(dir_, {"--node", node_->address(), "--keys", node_->keys_dir(), "stats"}, 20s,
                           {"MESHJOBS_CLUSTER_SECRET=another-wrong-secret-0123456789"});
  EXPECT_TRUE(by_env.status.exited_with(3)) << by_env.status.to_string() << "\n" << by_env.err;
}

TEST_F(LinkSecurity, a_certificate_of_another_ca_is_refused_even_with_the_right_secret) {
  temp_dir other;
  const auto other_keys = test_keys_dir(other);
  const auto node_secret = node_->keys_dir() + "/cluster.secret";
  auto r = node_->inject({"--ca", other_keys + "/ca.pem", "--cert", other_keys + "/node.pem", "--key",
                          other_keys + "/node.key", "--secret-file", node_secret, "--timeout", "5s", "stats"});
  EXPECT_TRUE(r.status.exited_with(3)) << r.status.to_string() << "\n" << r.err;
  EXPECT_TRUE(logged("TLS handshake failed")) << node_->log();
}

TEST_F(LinkSecurity, the_generated_credentials_are_kept_private_and_found_through_the_node_s_config) {
  struct stat st {};
  ASSERT_EQ(stat(node_->keys_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  for (const char* name : {"node.key", "cluster.secret"}) {
    ASSERT_EQ(stat((node_->keys_dir() + "/" + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  auto r = run_inject(dir_, {"--node", node_->address(), "--config", node_->config_path(), "stats"});
  EXPECT_TRUE(r.status.exited_with(0)) << r.status.to_string() << "\n" << r.err;
}

/// The README's block after `<!-- openssl-test-ca -->`, as it stands.
std::string readme_openssl_commands() {
  const auto readme = read_file(std::string{MESHJOBS_SOURCE_DIR} + "/README.md");
  const auto marker = readme.find("<!-- openssl-test-ca -->");
  const auto start = readme.find("```sh\n", marker);
  const auto end = readme.find("```\n", start + 6);
  if (marker == std::string::npos || start == std::string::npos || end == std::string::npos)
    throw std::runtime_error("README.md: no ```sh block after <!-- openssl-test-ca -->");
  return readme.substr(start + 6, end - start - 6);
}

TEST(LinkSecurityOpensslCli, the_readme_s_openssl_commands_make_a_ca_and_certificates_a_node_and_client_use) {
  temp_dir dir;
  const auto script = dir.file("make-ca.sh");
  write_file(script, "cd '" + dir.path().string() + "'\n" + readme_openssl_commands());
  auto made = run_to_end("/bin/bash", {"-euo", "pipefail", script}, dir.path(), 60s);
  ASSERT_TRUE(made.status.exited_with(0)) << made.status.to_string() << "\n" << made.err;

  auto secret = read_file(dir.file("cluster.secret"));
  secret.erase(secret.find_last_not_of('\n') + 1);
  node_settings s;
  s.inject_port = free_loopback_port();
  s.security_yaml = "  ca: " + dir.file("ca.pem") + "\n  certificate: " + dir.file("node.pem") + "\n  key: " +
                    dir.file("node.key") + "\n  secret: " + secret + "\n";
  node_process node{dir, s};
  const std::vector<std::string> client{"--ca", dir.file("ca.pem"), "--cert", dir.file("client.pem"), "--key",
                                        dir.file("client.key"), "--secret-file", dir.file("cluster.secret")};
  ASSERT_TRUE(eventually([&] {
    auto args = client;
    args.insert(args.end(), {"--timeout", "2s", "stats"});
    return node.inject(args, 5s).status.exited_with(0) || !node.process().running();
  }, 20s)) << node.log();
  ASSERT_TRUE(node.process().running()) << node.log();
  auto args = client;
  args.insert(args.end(), {"enqueue", "demo.noop"});
  auto r = node.inject(args);
  EXPECT_TRUE(r.status.exited_with(0)) << r.err << "\n" << node.log();
  EXPECT_FALSE(std::filesystem::exists(node.keys_dir())) << "made credentials it was given";

  // Generated credentials are of another CA: refused, even with the right secret.
  temp_dir elsewhere;
  const auto keys = test_keys_dir(elsewhere);
  auto other = node.inject({"--ca", keys + "/ca.pem", "--cert", keys + "/node.pem", "--key", keys + "/node.key",
                            "--secret-file", dir.file("cluster.secret"), "stats"});
  EXPECT_TRUE(other.status.exited_with(3)) << other.status.to_string() << "\n" << other.err;
}

/// `meshjobs --check` on a config whose `node` and `security` sections are given.
class LinkSecurityConfig : public ::testing::Test {
 protected:
  run_result check(const std::string& node_yaml, const std::string& security_yaml,
                   const std::vector<std::string>& extra = {}, const std::vector<std::string>& env = {}) {
    const auto path = dir_.file("check.yml");
    write_file(path, "store:\n  backend: memory\nnode:\n  inject_port: 4999\n" + node_yaml +
                       "security:\n  keys_dir: " + dir_.file("keys") + "\n" + security_yaml);
    std::vector<std::string> args{"--config", path, "--check"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_to_end(MESHJOBS_NODE_BIN, args, dir_.path(), 30s, env);
  }

  temp_dir dir_;
};

TEST_F(LinkSecurityConfig, a_plaintext_port_off_loopback_needs_insecure) {
  const std::string everywhere = "  inject_host: 0.0.0.0\n";
  auto refused = check(everywhere, "  transport: plaintext\n");
  EXPECT_TRUE(refused.status.exited_with(2)) << refused.status.to_string() << "\n" << refused.err;
  EXPECT_NE(refused.err.find("node.inject_host: \"0.0.0.0\" is not a loopback address"), std::string::npos)
    << refused.err;
  EXPECT_NE(refused.err.find("--insecure"), std::string::npos) << refused.err;

  auto allowed = check(everywhere, "  transport: plaintext\n", {"--insecure"});
  EXPECT_TRUE(allowed.status.exited_with(0)) << allowed.status.to_string() << "\n" << allowed.err;
  auto tls = check(everywhere, "  transport: tls\n");
  EXPECT_TRUE(tls.status.exited_with(0)) << tls.status.to_string() << "\n" << tls.err;
  auto loopback = check("  inject_host: 127.0.0.1\n", "  transport: plaintext\n");
  EXPECT_TRUE(loopback.status.exited_with(0)) << loopback.status.to_string() << "\n" << loopback.err;
}

TEST_F(LinkSecurityConfig, bad_security_values_are_named_by_check) {
  auto r = check("", "  secret: short\n  transport: carrier-pigeon\n  handshake_timeout_ms: 0\n");
  EXPECT_TRUE(r.status.exited_with(2)) << r.status.to_string();
  EXPECT_NE(r.err.find("security.secret: must be at least 16 characters (got 5)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("security.transport"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("security.handshake_timeout_ms"), std::string::npos) << r.err;

  auto lone = check("", "  certificate: /nowhere/node.pem\n");
  EXPECT_TRUE(lone.status.exited_with(2)) << lone.status.to_string();
  EXPECT_NE(lone.err.find("ca, certificate and key go together"), std::string::npos) << lone.err;

  auto missing = check("", "  ca: /nowhere/ca.pem\n  certificate: /nowhere/node.pem\n  key: /nowhere/node.key\n");
  EXPECT_TRUE(missing.status.exited_with(2)) << missing.status.to_string();
  EXPECT_NE(missing.err.find("security.ca: /nowhere/ca.pem: does not exist"), std::string::npos) << missing.err;

  auto env = check("", "", {}, {"MESHJOBS_CLUSTER_SECRET=tiny"});
  EXPECT_TRUE(env.status.exited_with(2)) << env.status.to_string();
  EXPECT_NE(env.err.find("MESHJOBS_CLUSTER_SECRET: must be at least 16 characters"), std::string::npos) << env.err;
}

}  // namespace
}  // namespace meshjobs::testing
