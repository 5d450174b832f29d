// Writers of netperf's human output: the banner, interim lines and result
// tables of netperf 2.7 (../shared/legacy/CLI.md §5), and the OMNI output
// selectors (-k key=value, -o CSV, -O columns).
#ifndef NETPERF_OUTPUT_H
#define NETPERF_OUTPUT_H

#include <string>
#include <vector>

#include <netperf/cli.h>
#include <netperf/result.h>

namespace netperf {

// Confidence-interval state to print (-i/-I).
struct ConfidenceInfo {
    bool requested = false;    // -i or -I given (iter_max > 1)
    int level = 99;            // 95 or 99
    double width = 5;          // requested full width, % of the mean
    int iterations = 1;        // iterations run
    bool achieved = true;
    double throughput_width = 0;  // achieved full width, % of the mean
    double local_cpu_width = 0, remote_cpu_width = 0;
};

struct OutputContext {
    const NetperfCommand &cmd;
    char fmt;  // resolved -f letter
    ConfidenceInfo conf;
};

// The test banner ("MIGRATED TCP STREAM TEST from ... to ... : first burst 0"),
// with its newline; "" when headers are off (-P 0).
std::string human_banner(const TestResult &r, const OutputContext &ctx);

// One interim line ("Interim result: ..." or NETPERF_INTERIM_RESULT[i]=...).
std::string interim_line(const IntervalSample &s, const TestResult &r, const OutputContext &ctx);

// The result block after the test: classic tables, or the OMNI selector
// output with -k/-o/-O.
std::string human_result(const TestResult &r, const OutputContext &ctx);

}  // namespace netperf

#endif
