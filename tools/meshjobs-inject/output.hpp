// What meshjobs-inject prints: one JSON object per line, answers on stdout, errors on stderr.
#pragma once

#include <string>
#include <string_view>

#include "meshjobs/messages/protocol.hpp"

namespace meshjobs::inject {

/// `{"id":7,"status":"enqueued"}`
std::string status_json(job_id id, std::string_view status);

/// Writes `json` and a newline to stdout.
void print_line(const std::string& json);

/// Writes `{"error":"<message>"}` and a newline to stderr.
void print_error(std::string_view message);
/// A list's cursor on stderr, off the one-job-a-line stdout: {"next_page": {"before": ID}}.
void print_next_page(job_id before);

}  // namespace meshjobs::inject
