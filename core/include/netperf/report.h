// A whole netperf run as the machine-readable writers see it: one or more
// directions (a plain test, tx then rx, or tx and rx at once), each with
// its iterations and confidence, plus metadata.  Writers: JSON (schema in
// docs/schema/netperf-result.schema.json), CSV (RFC 4180), key=value.
#ifndef NETPERF_REPORT_H
#define NETPERF_REPORT_H

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <netperf/result.h>

namespace netperf {

// Mean and Student-t interval of one quantity over the iterations.
struct Estimate {
    int n = 0;
    double mean = 0, stddev = 0;  // sample standard deviation (n - 1)
    double half_width = 0;        // t(level, n-1) * stddev / sqrt(n)
    double low = 0, high = 0;
    double width_percent = 0;     // full width as % of the mean (netperf's measure)
};

// Computes an Estimate of values at a confidence level (95, 99).
Estimate estimate(const std::vector<double> &values, int level);

struct ConfidenceReport {
    bool requested = false;     // -i / -I given
    int level = 99;
    double width_percent = 5;   // requested full width
    int iterations = 1;
    bool achieved = true;
    Estimate throughput, local_cpu, remote_cpu, p50_latency, p90_latency, p99_latency;
};

struct DirectionReport {
    std::string name;                 // "" (plain test), "tx", "rx", "total"
    std::vector<TestResult> iterations;
    TestResult result;                // the last iteration
    Metrics metrics;                  // of the last iteration; throughput/CPU are the
                                      // means over iterations when -i was used (as 2.7)
    ConfidenceReport confidence;
};

struct Report {
    std::string mode = "single";      // "single", "sequential" (bx), "simultaneous"
    std::vector<DirectionReport> directions;
    char fmt = 'm';
    bool partial = false;             // interrupted: what was measured so far
    // Metadata.
    std::string netperf_version, command_line, uuid, local_host, remote_host, kernel, transport,
        protocol, remote_version;
    uint64_t timestamp_ns = 0;        // wall clock at the start
};

// Builds one direction from its iterations (fills metrics and confidence).
DirectionReport make_direction(const std::string &name, std::vector<TestResult> iterations, char fmt,
                               const ConfidenceReport &requested);

// Adds the "total" direction of a simultaneous run (tx + rx).
DirectionReport total_of(const DirectionReport &tx, const DirectionReport &rx, char fmt);

// The human line of a simultaneous run's total ("Simultaneous total: ...
// (tx ... + rx ...)"), or with `keyval` TOTAL_THROUGHPUT= and
// TOTAL_THROUGHPUT_UNITS= lines.
std::string simultaneous_total(const DirectionReport &tx, const DirectionReport &rx, const DirectionReport &total,
                               bool keyval);

nlohmann::json report_to_json(const Report &r);
// CSV: a header row and one row per direction (and per interval with
// `intervals`); fields quoted per RFC 4180 where needed.  A direction
// without iterations (a part that failed) is a row "failed" with its name
// and no measurements; key=value writes <NAME>_FAILED=1 for it.
std::string report_to_csv(const Report &r, bool intervals);
// key=value lines, one per quantity; directions prefix their keys ("TX_").
std::string report_to_keyval(const Report &r);

// RFC 4180 field quoting.
std::string csv_field(const std::string &s);

// Throws Error naming the path when write_file_atomically could not
// write it (its directory is missing or not writable): checked before a
// test, so that a mistyped --output does not cost the run.
void check_output_path(const std::string &path);

// Writes content to path atomically: a temporary file in the same
// directory, fsync, rename.  Throws Error naming the path.
void write_file_atomically(const std::string &path, const std::string &content);

}  // namespace netperf

#endif
