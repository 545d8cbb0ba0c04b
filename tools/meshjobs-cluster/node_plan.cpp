#include "node_plan.hpp"

namespace meshjobs::cluster {
namespace {

bool shell_safe(const std::string& word) {
  if (word.empty())
    return false;
  for (char c : word) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!plain && std::string_view{"-_./:=@,+%"}.find(c) == std::string_view::npos)
      return false;
  }
  return true;
}

// Single quotes keep everything literal but a single quote, which closes, escapes and reopens.
std::string shell_quote(const std::string& word) {
  if (shell_safe(word))
    return word;
  std::string out = "'";
  for (char c : word)
    out += c == '\'' ? std::string{"'\\''"} : std::string(1, c);
  return out + "'";
}

}  // namespace

const char* to_string(node_role role) {
  return role == node_role::head ? "head" : "worker";
}

const node_plan* cluster_plan::head() const {
  for (const auto& node : nodes)
    if (node.role == node_role::head)
      return &node;
  return nullptr;
}

bool is_local_host(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

std::string address(const std::string& host, std::uint16_t port) {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::vector<std::string> node_arguments(const node_plan& node, const node_plan* head) {
  std::vector<std::string> args{"--role", to_string(node.role), "--name", node.name};
  if (node.role == node_role::head) {
    args.insert(args.end(), {"--cluster-port", std::to_string(node.cluster_port),
                             "--inject-port", std::to_string(node.inject_port)});
  } else if (head != nullptr) {
    // A head on this machine listens on loopback, whichever of its names the file gave.
    const auto& host = is_local_host(head->host) ? std::string{"127.0.0.1"} : head->host;
    args.insert(args.end(), {"--join", address(host, head->cluster_port)});
  }
  if (!node.keys.empty())
    args.insert(args.end(), {"--keys", node.keys});
  if (!node.config.empty())
    args.insert(args.end(), {"--config", node.config});
  if (!node.run_kinds.empty())
    args.insert(args.end(), {"--run-kinds", node.run_kinds});
  return args;
}

std::string shell_command(const std::string& program, const std::vector<std::string>& args) {
  std::string line = shell_quote(program);
  for (const auto& arg : args)
    line += " " + shell_quote(arg);
  return line;
}

}  // namespace meshjobs::cluster
