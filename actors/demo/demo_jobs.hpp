// Demo job types: what `meshjobs --demo` (make run) and the crash test run until the mesh jobs
// exist. Each is small and shows one part of the runtime's behaviour.
//   demo.noop    does nothing
//   demo.sleep   waits args.ms milliseconds on the worker pool (stops early when cancelled)
//   demo.flaky   fails with service_error until its attempt reaches args.succeed_on
//   demo.fail    always fails with service_error (3 attempts, then dead)
//   demo.record  appends args.token and a newline to the file args.path (O_APPEND), after
//                waiting args.ms: lets a test see every execution that happened
//   demo.hang    blocks until the FIFO args.fifo is opened for reading and ignores cancelled():
//                a hung handler; discarded when it times out
//   demo.hang_long  the same with a one-hour timeout of its own: still running when a stop's
//                grace (the config's timeout) ends
//   demo.signal  asynchronous: waits (holding no thread) for a signal, up to args.ms (default
//                60 s, then fails with timeout), keeps its payload as the progress message
//                and succeeds: what a mesh-service callback does to a generation's poll
#pragma once

#include "meshjobs/runtime.hpp"

namespace meshjobs::demo {

/// Registers every demo type on the queue `default`, or on the config's first queue when the
/// config has no `default`.
void register_demo_jobs(runtime& rt);

}  // namespace meshjobs::demo
