// A node's stats as JSON: what meshjobs-inject prints and the HTTP API will serve.
#pragma once

#include <string>

#include "meshjobs/messages/protocol.hpp"

namespace meshjobs::json {

/// Counts, queues and job types as one object.
std::string to_json(const runtime_stats& s);

}  // namespace meshjobs::json
