// The atoms that name meshjobs' messages (CAF 0.17: at most 10 characters each).
#pragma once

#include <caf/atom.hpp>

namespace meshjobs {

using enqueue_atom = caf::atom_constant<caf::atom("enqueue")>;
using lookup_atom = caf::atom_constant<caf::atom("lookup")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using stats_atom = caf::atom_constant<caf::atom("stats")>;
using pause_atom = caf::atom_constant<caf::atom("pause")>;
using resume_atom = caf::atom_constant<caf::atom("resume")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using drain_atom = caf::atom_constant<caf::atom("drain")>;
using stop_atom = caf::atom_constant<caf::atom("stop")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using durable_atom = caf::atom_constant<caf::atom("durable")>;
using demand_atom = caf::atom_constant<caf::atom("demand")>;
using outcome_atom = caf::atom_constant<caf::atom("outcome")>;
using dispatch_atom = caf::atom_constant<caf::atom("dispatch")>;
using run_atom = caf::atom_constant<caf::atom("run")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using deadline_atom = caf::atom_constant<caf::atom("deadline")>;
using backoff_atom = caf::atom_constant<caf::atom("backoff")>;
using publish_atom = caf::atom_constant<caf::atom("publish")>;
using subscribe_atom = caf::atom_constant<caf::atom("subscribe")>;
using unsub_atom = caf::atom_constant<caf::atom("unsub")>;
using cron_atom = caf::atom_constant<caf::atom("cron")>;
using events_atom = caf::atom_constant<caf::atom("events")>;
using records_atom = caf::atom_constant<caf::atom("records")>;
using signal_atom = caf::atom_constant<caf::atom("signal")>;
using progress_atom = caf::atom_constant<caf::atom("progress")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using watched_atom = caf::atom_constant<caf::atom("watched")>;
using timer_atom = caf::atom_constant<caf::atom("timer")>;
using post_atom = caf::atom_constant<caf::atom("post")>;
using drop_atom = caf::atom_constant<caf::atom("drop")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using started_atom = caf::atom_constant<caf::atom("started")>;
using join_atom = caf::atom_constant<caf::atom("join")>;

}  // namespace meshjobs
