// `signal ID JSON`: sends a JSON object to the execution running job ID (the job reads it
// with on_signal / next_signal), e.g. a mesh service's callback ending a poll early.
#pragma once

#include "meshjobs/messages/protocol.hpp"

namespace meshjobs::inject {

struct signal_command {
  job_id id = 0;
  std::string payload;
};

/// Prints the node's answer; returns the exit code.
int report_signal(const signal_command& cmd, signal_status status);

}  // namespace meshjobs::inject
