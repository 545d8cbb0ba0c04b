// meshjobs-inject events: the node's event stream as JSON lines on stdout, one per event, until
// Ctrl-C (SIGINT) or SIGTERM (exit 0), or until the link to the node is lost (exit 3).
#pragma once

#include "front_connection.hpp"

namespace meshjobs::inject {

int run_events(front_connection& node);

}  // namespace meshjobs::inject
