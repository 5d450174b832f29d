// The result model: everything a test measured, on both sides, before any
// formatting.  Every writer (netperf's human tables, OMNI selectors, CSV,
// JSON, key=value) reads this and the derived Metrics; none measures.
#ifndef NETPERF_RESULT_H
#define NETPERF_RESULT_H

#include <cstdint>
#include <string>
#include <vector>

#include <netperf/counters.h>
#include <netperf/cpu.h>
#include <netperf/histogram.h>
#include <netperf/spec.h>

namespace netperf {

// One side (netperf = local, netserver = remote) of a test.
struct SideResult {
    bool present = false;     // false when the peer reported nothing (no-control tests)
    CounterSnapshot counters;
    double elapsed_s = 0;
    CpuUtil cpu;              // measured only with -c (local) / -C (remote)
    int32_t sndbuf_req = -1, rcvbuf_req = -1;  // as requested (-s/-S)
    int32_t sndbuf = -1, rcvbuf = -1;          // right after socket creation
    int32_t sndbuf_end = -1, rcvbuf_end = -1;  // at the end (Linux autotuning)
    int64_t send_size = -1, recv_size = -1;    // bytes per send()/recv() buffer
    int32_t send_width = -1, recv_width = -1;
    int32_t mss = -1;
    int32_t retransmits = -1;
    std::string cong_control;
    Histogram latency;        // merged over flows
    int cpu_bind = -1;        // -T
    std::string error;
    uint64_t syscalls = 0;    // transport data-path syscalls, when known
};

// One flow of a multi-flow test.
struct FlowReport {
    int index = 0;
    int worker = 0;
    int cpu = -1;
    CounterSnapshot local;
    CounterSnapshot remote;
    bool remote_present = false;
    double elapsed_s = 0;
    Histogram latency;
    std::string error;
};

// Counters over one reporting interval (2.7 "demo mode").
struct IntervalSample {
    int index = 0;
    double start_s = 0;     // since the start of traffic
    double duration_s = 0;
    uint64_t end_wall_ns = 0;
    CounterSnapshot delta;  // local counters moved in this interval
    std::vector<CounterSnapshot> flows;  // per flow (multi-flow only)
};

struct TestResult {
    TestSpec spec;
    SideResult local;
    SideResult remote;
    std::vector<FlowReport> flows;
    std::vector<IntervalSample> intervals;
    double elapsed_s = 0;     // local elapsed: connect to close, as netperf measures
    uint64_t start_wall_ns = 0;
    bool partial = false;     // interrupted: what was measured so far
    bool legacy_peer = false; // the netserver spoke netperf 2.x's protocol
    bool synchronized = false;       // both sides started at an agreed instant
    int64_t clock_offset_ns = 0;     // server clock - client clock (modern only)
    int64_t clock_rtt_ns = -1;       // round trip of the offset estimate
    uint64_t local_start_ns = 0;     // first flow start, this host's monotonic clock
    uint64_t remote_start_ns = 0;    // the server's, converted to this host's clock (0 = unknown)
    std::string transport;    // "sockets", ...
    std::string remote_version;
    // Data-connection addresses as the banner prints them.
    std::string local_addr = "0.0.0.0", remote_addr;
    // The names as given (-H, test -H/-L; "" = the address): the banner
    // prints "name (address)" and SOURCE_ADDR/DEST_ADDR print the name.
    std::string local_name, remote_name;
    int local_family = AF_INET, remote_family = AF_INET;
    int local_port_req = 0, remote_port_req = 0;
};

// Derived quantities, computed once and shared by every writer.
struct Metrics {
    double throughput = 0;       // in the -f units
    std::string units;           // "10^6bits/s", "Trans/s", "KBytes/s", ...
    double transaction_rate = 0; // transactions/s (RR, CRR, CC)
    double rt_latency_us = 0;    // 1e6 / rate * (1 + burst)
    double local_send_throughput = 0, local_recv_throughput = 0;
    double remote_send_throughput = 0, remote_recv_throughput = 0;
    double local_sd = -1, remote_sd = -1;  // us/KB or us/Tran
    const char *sd_units = "usec/KB";
    // Latency in microseconds (from the merged histogram).
    double lat_min = 0, lat_max = 0, lat_mean = 0, lat_stddev = 0;
    double lat_p50 = 0, lat_p90 = 0, lat_p99 = 0, lat_p999 = 0;
};

// Unit letter handling (netperf -f): k/m/g bits, K/M/G bytes, x transactions.
// Returns "10^3bits", "10^6bits", "10^9bits", "KBytes", "MBytes", "GBytes",
// "Trans" (per second implied).
const char *units_name(char fmt);
// Converts bytes per second into fmt units.
double convert_rate(double bytes_per_s, char fmt);
// The -f letter a test uses when none was given: 'm' stream, 'x' RR.
char default_format(const TestSpec &s);

Metrics compute_metrics(const TestResult &r, char fmt);

// The rate over one interval in fmt units: transactions for 'x', else what
// this side sent (stream), received (maerts) or both (request/response).
double interval_rate(const IntervalSample &s, const TestSpec &spec, char fmt);

}  // namespace netperf

#endif
