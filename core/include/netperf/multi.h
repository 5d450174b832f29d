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

#include <netperf/cli.h>
#include <netperf/report.h>
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
    NetperfCommand cmd;     // the instance's netperf command line (output options: -P, -v, -k/-o/-O)
};

struct MultiPlan {
    std::vector<InstancePlan> instances;
    double start_delay_s = 0.5;  // agreed start = now + at least this (setup must finish
                                 // before; grows to 4x the slowest connection setup)
    int retries = 0;             // attempts after a failure, per instance
    bool affinity = false;       // pin each instance to its own core (hwloc, NUMA-aware)
    double interval_s = 0;       // interim results (0 = off)

    // n copies of one netperf command (one server).
    static MultiPlan uniform(const NetperfCommand &cmd, int n);
    // Reads a JSON or YAML configuration (see docs/multi-instance.md); the
    // control connection's passphrase and timeout come from `base`.  Throws
    // Error naming the file and the field.
    static MultiPlan from_config(const std::string &path, const NetperfCommand &base);
};

struct InstanceResult {
    std::string name;
    std::string adapter;
    std::string host;    // its netserver (control connection's -H)
    bool ok = false;
    int attempts = 0;
    std::string error;   // why it failed (after retries)
    TestResult result;
    Metrics metrics;     // service demand split (see cpu_share)
    // Machine-wide CPU cannot tell concurrent instances apart: each is
    // charged the share of a machine's CPU that its throughput is of the
    // throughput through that machine (this host for the local side, its
    // netserver's host for the remote side), and its service demands use
    // those shares (0..1; -1 when that side's CPU was not measured).
    double local_cpu_share = -1, remote_cpu_share = -1;
    double local_cpu_charged = -1, remote_cpu_charged = -1;  // % of the machine
};

// The instance's result with the CPU charged to it in place of the
// machine-wide utilisation (what every writer prints for an instance).
TestResult charged_result(const InstanceResult &i);

// The aggregate over the instances that ran.
struct MultiAggregate {
    int instances = 0, failed = 0;
    double throughput = 0;          // sum, in the common units
    std::string units;
    double transaction_rate = 0;    // sum
    double mean_latency_us = 0;     // transaction-weighted
    Histogram latency;              // merged (percentiles come from here, not averaged);
                                    // with both kinds of test, request/response ones only
    bool latency_rr_only = false;   // that case
    double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0;
    std::string min_instance, max_instance;
    double min_throughput = 0, max_throughput = 0;
    double local_cpu = -1;          // this host's utilisation, %
    double remote_cpu = -1;         // the servers' utilisation, % (mean over servers)
    int remote_hosts = 0;           // servers whose CPU was measured
    double local_sd = -1, remote_sd = -1;    // CPU time of all instances / total work
    const char *sd_units = "usec/KB";
    bool synchronized = false;      // every instance started at the agreed instant
    double start_skew_us = -1;      // spread of first data operations
    bool skew_both_ends = false;    // from both ends (false: a server could not say, this host's only)
    std::vector<std::string> failed_names;
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

// Computes the aggregate and splits machine-wide CPU between the instances
// (their cpu_share and service demands); exposed for tests.
MultiAggregate aggregate_instances(std::vector<InstanceResult> &inst, char fmt);

// The core's writers (report.h) see a multi run as Reports: one instance
// (mode "single", the netperf result document), the aggregate as one test
// of mode "single" whose counters, CPU and latency histogram are the
// instances' combined, and the whole run with one direction per instance
// (named by the instance; a failed one has no iterations) and one named
// "aggregate", for CSV and key=value.
Report instance_report(const InstanceResult &i, char fmt, const std::string &command_line);
Report aggregate_report(const MultiResult &r, const std::string &command_line);
Report multi_report(const MultiResult &r, const std::string &command_line);

}  // namespace netperf

#endif
