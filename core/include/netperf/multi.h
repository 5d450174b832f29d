// Several netperf tests at once, started together (netperf-multi).
//
// Every instance opens its own control session, sets up its data
// connection, and all of them start at one agreed instant: the modern
// protocol carries that instant to each server in the server's own clock
// (offset estimated over the control connection), so instances on different
// hosts start within the error of the offset estimate.  Interval boundaries
// are start + k * interval for every instance, so interval series add up.
//
//   netperf::MultiPlan plan = netperf::MultiPlan::uniform(spec, opts, 4);
//   netperf::MultiResult r = netperf::run_multi(plan, progress);
#ifndef NETPERF_MULTI_H
#define NETPERF_MULTI_H

#include <functional>
#include <string>
#include <vector>

#include <netperf/result.h>
#include <netperf/session.h>
#include <netperf/spec.h>

namespace netperf {

// One instance: a name for reports, where its control connection goes, the
// test it runs, and (optionally) the adapter its traffic uses.
struct InstancePlan {
    std::string name;       // "i0", or the config's name
    ClientOptions client;
    TestSpec spec;
    std::string adapter;    // network interface, for placement and per-adapter figures
};

struct MultiPlan {
    std::vector<InstancePlan> instances;
    double start_delay_s = 0.5;  // agreed start = now + this (setup must finish before)
    int retries = 0;             // attempts after a failure, per instance
    bool affinity = false;       // pin each instance to its own core (hwloc, NUMA-aware)
    double interval_s = 0;       // interim results (0 = off)

    // n copies of one test against one server.
    static MultiPlan uniform(const TestSpec &spec, const ClientOptions &client, int n);
    // Reads a JSON or YAML configuration (see docs/multi-instance.md); test
    // options missing from an instance come from `base`.  Throws Error
    // naming the file and the field.
    static MultiPlan from_config(const std::string &path, const TestSpec &base, const ClientOptions &client);
};

struct InstanceResult {
    std::string name;
    std::string adapter;
    bool ok = false;
    int attempts = 0;
    std::string error;   // why it failed (after retries)
    TestResult result;
    Metrics metrics;
};

// The aggregate over the instances that ran.
struct MultiAggregate {
    int instances = 0, failed = 0;
    double throughput = 0;          // sum, in the common units
    std::string units;
    double transaction_rate = 0;    // sum
    double mean_latency_us = 0;     // transaction-weighted
    Histogram latency;              // merged (percentiles come from here, not averaged)
    double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0;
    std::string min_instance, max_instance;
    double min_throughput = 0, max_throughput = 0;
    double local_cpu = -1, remote_cpu = -1;  // machine-wide utilisation, %
    double local_sd = -1, remote_sd = -1;    // service demand of the total work
    const char *sd_units = "usec/KB";
    bool synchronized = false;      // every instance started at the agreed instant
    double start_skew_us = -1;      // spread of first data operations, both ends
    std::vector<IntervalSample> intervals;  // counters summed per aligned interval
    std::vector<double> interval_rates;     // sum of the instances' rates per interval (units above)
    std::vector<std::pair<std::string, double>> per_adapter;  // adapter -> throughput
};

struct MultiResult {
    std::vector<InstanceResult> instances;
    MultiAggregate aggregate;
    char fmt = 'm';
};

// Live progress: instance index and its interval sample.
using MultiProgress = std::function<void(size_t instance, const IntervalSample &)>;

// Runs every instance, retrying failures; never throws for a failed
// instance (it is reported in the result), throws Error for a bad plan.
MultiResult run_multi(const MultiPlan &plan, char fmt, const MultiProgress &progress = {});

// Recomputes the aggregate (exposed for tests).
MultiAggregate aggregate_instances(const std::vector<InstanceResult> &inst, char fmt);

}  // namespace netperf

#endif
