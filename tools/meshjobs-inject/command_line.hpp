// The command line: what the user asked for, checked before anything is sent.
//
// A command is a struct in `command` below, its options in command_line.cpp (`define_*` and
// `make_*`), its run in commands.cpp and, when it needs a new message, a method on
// front_connection. Adding one touches those four places and nothing else.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

#include "meshjobs/messages/protocol.hpp"
#include "link_options.hpp"
#include "signal_command.hpp"

namespace meshjobs::inject {

struct node_address {
  std::string host;
  std::uint16_t port = 0;
  std::string to_string() const { return host + ":" + std::to_string(port); }
};

struct enqueue_command {
  enqueue_request request;
};
struct stats_command {};
struct jobs_command {
  job_query query;
};
struct get_command {
  job_id id = 0;
};
struct cancel_command {
  job_id id = 0;
};
/// Moves a dead job back to its queue with fresh attempts.
struct retry_command {
  job_id id = 0;
};
/// Stops (paused = true) or restarts dispatch from one queue.
struct pause_command {
  std::string queue;
  bool paused = true;
};
/// Streams the node's events as JSON lines until Ctrl-C.
struct events_command {};
/// A batch (mesh.batch_generation) with each image's status, from the node's records.
struct batch_command {
  job_id id = 0;
};

/// The nodes the answering node knows: itself (standalone or head) and its workers' nodes.
struct nodes_command {};

using command = std::variant<enqueue_command, stats_command, jobs_command, get_command, cancel_command,
                             retry_command, pause_command, events_command, signal_command, batch_command,
                             nodes_command>;

struct invocation {
  node_address node;
  link_options link;
  std::chrono::milliseconds timeout{0};
  command what;
};

/// The command line was not a valid invocation; `message` names the input and the reason.
struct usage_error {
  std::string message;
};

/// `--help`: the text to print on stdout.
struct help_request {
  std::string text;
};

using parse_result = std::variant<invocation, usage_error, help_request>;

parse_result parse_command_line(int argc, char** argv);

}  // namespace meshjobs::inject
