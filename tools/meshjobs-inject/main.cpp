// meshjobs-inject: talks to a running node's front actor over CAF's middleman.
//   meshjobs-inject --node HOST:PORT enqueue KIND --args JSON [--queue Q] [--priority N]
//                   [--in 30s | --at 2026-11-29T10:00:00Z] [--unique] [--expires-in 1h]
//   meshjobs-inject --node HOST:PORT stats | jobs --state S [--limit N] | get ID | cancel ID
//   meshjobs-inject --node HOST:PORT signal ID '{"status":"completed"}'
// Answers are JSON lines on stdout, errors one JSON line on stderr. Exit codes: 0 ok,
// 1 the node said no, 2 usage error, 3 no answer (unreachable, link lost, timeout).
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "command_line.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "front_connection.hpp"
#include "output.hpp"

using namespace meshjobs::inject;

int main(int argc, char** argv) {
  auto parsed = parse_command_line(argc, argv);
  if (const auto* help = std::get_if<help_request>(&parsed)) {
    std::fputs(help->text.c_str(), stdout);
    return exit_ok;
  }
  if (const auto* err = std::get_if<usage_error>(&parsed)) {
    print_error(err->message);
    return exit_usage;
  }
  const auto& inv = std::get<invocation>(parsed);
  try {
    front_connection node{inv.timeout};
    if (auto failure = node.connect(inv.node)) {
      print_error(failure->message);
      if (failure->connect_pending) {
        // CAF's middleman may be stuck inside a blocking connect() that the actor system's
        // shutdown would wait for: the answer is printed, so leave without that wait.
        std::fflush(nullptr);
        std::_Exit(exit_unreachable);
      }
      return exit_unreachable;
    }
    return run_command(inv.what, node);
  } catch (const std::exception& e) {
    print_error(inv.node.to_string() + ": " + e.what());
    return exit_unreachable;
  }
}
