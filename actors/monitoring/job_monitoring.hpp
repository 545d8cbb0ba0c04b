// The seed's JobMonitoring concern, as an observer of the event stream (one hook point, no job
// type touched): StatsD over UDP with the seed's names
//   jobs.<kind>.started | success | failure | duration | error.<error kind>
//   mesh.generation.duration | success | failure      (the generation's own, as the seed's)
// and failures of `critical` jobs handed to an error reporter. <kind> is the meshjobs kind
// (jobs.mesh.generation.started): its dots fit StatsD's hierarchy, where a Ruby class name's
// "::" would not.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "meshjobs/observer.hpp"

namespace meshjobs {

/// Where failures of critical jobs go (the seed's ErrorReporter.report): job kind, job id and
/// the error. The default logs them at error level.
using error_reporter = std::function<void(const job& j, const job_error& e)>;

/// Sends to `statsd` (host:port) over UDP, each name prefixed by `prefix.` when not empty.
/// Throws std::invalid_argument naming a host that does not resolve.
std::shared_ptr<observer> make_job_monitoring(const std::string& statsd, const std::string& prefix,
                                              error_reporter report = {});

}  // namespace meshjobs
