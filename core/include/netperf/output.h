// Writers of netperf's human output: the banner, interim lines and result
// tables of netperf 2.7 (../shared/legacy/CLI.md §5), the histogram report
// of -v 2, the confidence warning, and the per-flow report of multi-flow
// runs.  The OMNI output selectors (-k/-o/-O) are in omni.h.
//
//   OutputContext ctx{cmd, fmt, {}, uuid};
//   fputs(human_banner(r, ctx).c_str(), stdout);   // before the test
//   fputs(interim_line(sample, r, ctx).c_str(), stdout);  // with -D
//   fputs(human_result(r, ctx).c_str(), stdout);   // after it
#ifndef NETPERF_OUTPUT_H
#define NETPERF_OUTPUT_H

#include <string>
#include <vector>

#include <netperf/cli.h>
#include <netperf/result.h>

namespace netperf {

// Confidence-interval state to print (-i/-I), and the means over the
// iterations that 2.7 prints in place of one iteration's values.
struct ConfidenceInfo {
    bool requested = false;    // -i or -I given (iter_max > 1)
    int level = 99;            // 95 or 99
    double width = 5;          // requested full width, % of the mean
    bool throughput_only = false;  // -r: the banner says " on result only"
    int iterations = 1;        // iterations run
    bool achieved = true;
    double throughput_width = 0;  // achieved full width, % of the mean
    double local_cpu_width = 0, remote_cpu_width = 0;
    // Means over the iterations (valid when `averaged`): 2.7 reports these.
    bool averaged = false;
    double elapsed_s = 0, throughput = 0;
    double local_cpu = -1, remote_cpu = -1;  // -1: not measured
    double local_sd = -1, remote_sd = -1;
    // The latency percentiles over the iterations (valid when `latency`):
    // mean, Student-t half width at `level`, full width in % of the mean.
    struct Interval {
        double mean = 0, half_width = 0, width_percent = 0;
    };
    bool latency = false;
    Interval p50, p90, p99;
};

// What the writers need besides the result: the command line, the -f
// units in force, the confidence state and the test's UUID.
struct OutputContext {
    const NetperfCommand &cmd;
    char fmt;  // resolved -f letter
    ConfidenceInfo conf;
    std::string uuid;  // the test's UUID (test -u, else generated once per run)
};

// The test banner with its newline ("MIGRATED TCP STREAM TEST from ... to
// ... : first burst 0"); for the Unix-domain tests, whose 2.7 code prints
// the column titles before the test, the titles too.  "" with -P 0.
std::string human_banner(const TestResult &r, const OutputContext &ctx);

// The title of the test as the banner starts it ("MIGRATED TCP STREAM
// TEST", "OMNI Send|Recv TEST", "STREAM REQUEST/RESPONSE TEST").
std::string test_title(const TestSpec &s);

// One interim line of demo mode (-D) in the output mode of the command:
// "Interim result: ..." (human), a CSV line (-o), or the four
// NETPERF_*[index]= lines (-k).  The index is s.index.
std::string interim_line(const IntervalSample &s, const TestResult &r, const OutputContext &ctx);

// The result block after the test: the confidence warning and classic
// table (with -v 2 detail), or the OMNI output (-k/-o/-O, or the OMNI
// test's default columns); then the per-flow report of a multi-flow run.
std::string human_result(const TestResult &r, const OutputContext &ctx);

// The metrics the writers print: compute_metrics in the context's units,
// with the iteration means of a confidence run in place of the last one's.
Metrics output_metrics(const TestResult &r, const OutputContext &ctx);
// The elapsed time the writers print (the iterations' mean in a confidence run).
double output_elapsed(const TestResult &r, const OutputContext &ctx);

// Averages a confidence run's iterations into conf (2.7's
// retrieve_confident_values: elapsed time, throughput, CPU, service demand).
void average_iterations(const std::vector<TestResult> &all, char fmt, ConfidenceInfo &conf);

// Fills conf's latency percentile intervals from the iterations that
// timed transactions (none: conf.latency stays false).
void latency_confidence(const std::vector<TestResult> &all, ConfidenceInfo &conf);

// One line after the result of a confidence run (-i/-I) that timed
// transactions: each percentile's mean, +/- half width and width in % of
// the mean.  "" otherwise, with -P 0, -v 0 and -k/-o/-O (which have the
// P50/P90/P99_LATENCY_CONFID selectors).
std::string latency_confidence_note(const TestResult &r, const OutputContext &ctx);

// 2.7's "!!! WARNING ... Desired confidence was not achieved" block; ""
// when confidence was not requested or was achieved.
std::string confidence_warning(const ConfidenceInfo &conf);

// The latency histogram in netperf 2.7's HIST_report layout: rows
// UNIT_USEC .. TEN_SEC of ten decade buckets each, then >100_SECS and
// HIST_TOTAL.  Each of our log-linear buckets is counted in the 2.7
// bucket that holds its midpoint (our buckets are at most 1/64 of their
// value wide, 2.7's are a tenth of a decade).
std::string histogram_report(const Histogram &h);

// The per-flow report of a multi-flow run (one line per flow and an
// aggregate line); "" for a single flow.
std::string flow_report(const TestResult &r, const OutputContext &ctx);

}  // namespace netperf

#endif
