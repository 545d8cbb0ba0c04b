// A worker node's link to its head. The node's supervisors take it for the coordinator: it
// relays their messages and their jobs' client calls to the head's cluster front, with each
// supervisor still the sender, so the head knows each worker by its own address.
//
// When the head goes (a crash, a restart, a cut link), the jobs running here go on. The uplink
// keeps the outcomes they report, joins again with back-off and registers each supervisor
// afresh with the outcomes it kept: the head applies each one whose job has not run again
// meanwhile (job_ledger::adopt_late_outcome) before it hands the worker anything, so none is
// lost or applied twice.
// Client calls while no head is joined fail at once with `head_unreachable`.
#pragma once

#include <caf/fwd.hpp>

#include "meshjobs/config/config.hpp"
#include "link/link_credentials.hpp"
#include "meshjobs/messages/interfaces.hpp"

namespace meshjobs {

using uplink_actor = worker_link_actor::extend<
  // from its joiner: the head's cluster front, or why it could not be reached
  caf::reacts_to<join_atom, caf::actor, std::string>,
  // the back-off is over: join again
  caf::reacts_to<join_atom>,
  // a stop in progress looks again whether the jobs running here have reported
  caf::reacts_to<tick_atom>,
  // the node stops: its supervisors take no more work; answered once the jobs running here
  // have reported their outcomes to the head, or the grace is over (false)
  caf::replies_to<stop_atom>::with<bool>>;

struct uplink_settings {
  host_port head;
  link::link_credentials credentials;
  std::chrono::milliseconds join_timeout{5000};
  std::chrono::milliseconds rejoin_min{100};
  std::chrono::milliseconds rejoin_max{5000};
  std::chrono::milliseconds stop_grace{30000};  ///< how long a stop waits for running jobs
};

uplink_actor spawn_uplink(caf::actor_system& sys, uplink_settings settings);

}  // namespace meshjobs
