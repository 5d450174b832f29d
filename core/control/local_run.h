// Driving one side's Run and turning its RunResult into a SideResult.
// Private to core/control.
#ifndef NETPERF_CONTROL_LOCAL_RUN_H
#define NETPERF_CONTROL_LOCAL_RUN_H

#include <functional>
#include <vector>

#include <netperf/session.h>

namespace netperf {

struct LocalRunOutput {
    RunResult run;
    CpuUtil cpu;
    std::vector<IntervalSample> intervals;
    bool interrupted = false;
};

// Starts `run` now and waits for it, sampling the counters every interval_s
// (0 = never) into `sink` and the returned list.  A SIGINT (g_interrupt)
// asks the flows to finish; a second one stops them.  `abort` is polled
// between samples: returning true stops the run (e.g. the peer vanished).
// start_at (CLOCK_MONOTONIC ns) is when traffic begins; 0 = now.  Interval
// boundaries are start_at + k * interval, so runs started at one instant
// have aligned intervals.
LocalRunOutput drive_run(Run &run, double interval_s, bool measure_cpu, const IntervalSink &sink,
                         const std::function<bool()> &abort = {}, uint64_t start_at = 0);

// This side's results from its run.
SideResult side_from_run(const RunResult &r, const SidePlan &p, const CpuUtil &cpu, const TestSpec &s,
                         Role role);

}  // namespace netperf

#endif
