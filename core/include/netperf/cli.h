// netperf's command line: netperf 2.7's global options, `--`, then the test's
// own options (../shared/legacy/CLI.md), plus netperf 3's long options.
//
//   netperf -H host -l 10 -t TCP_RR -- -r 64,64 -D
//   netperf -H host --flows 8 --threads 2 -t TCP_STREAM
//   netperf --list-transports
#ifndef NETPERF_CLI_H
#define NETPERF_CLI_H

#include <string>
#include <vector>

#include <netperf/error.h>
#include <netperf/session.h>
#include <netperf/spec.h>

namespace netperf {

// A command-line mistake: the tools print the message, then the usage hint,
// and exit 1 (netperf 2.7 exits 1 on a bad option too).
class UsageError : public Error {
  public:
    using Error::Error;
};

// OMNI output modes (test options -k, -o, -O).
enum class OmniMode { None, KeyVal, Csv, Human };

struct NetperfCommand {
    ClientOptions client;
    TestSpec spec;

    // Output.
    char fmt = 0;              // -f (0 = the test's default)
    bool print_headers = true; // -P
    int verbosity = 1;         // -v
    std::string brand;         // -B
    OmniMode omni_mode = OmniMode::None;
    std::string omni_selection;  // -k/-o/-O list or file ("" = default list)
    bool keep_histogram = false; // -j
    std::string uuid;            // test -u
    double interval_s = 0;       // -D (<0: 2.7's timestamp-every-op mode; we use |value|)
    bool interval_given = false; // without -D: sampled every 1 s, printed on a terminal
    std::string format = "human";  // --format human|csv|json|keyval
    std::string output_path;       // --output FILE ("" = standard output)
    bool csv_intervals = false;    // --csv-intervals: a CSV row per interval too
    std::string direction;         // --direction / -T tx|rx|bx|simul ("" = the test's own)

    // Confidence intervals (-i, -I, -r).
    int iter_max = 1, iter_min = 1;
    int conf_level = 99;
    double conf_width = 5;       // % of the mean (full width)
    bool conf_throughput_only = false;

    // Special actions.
    bool show_version = false;
    bool list_transports = false;
    std::string transport_help;  // --transport-help NAME
    double sleep_before_s = 0;   // global -s
    bool debug = false;
    bool cpu_rate_given_local = false, cpu_rate_given_remote = false;

    std::string command_line;    // as typed, for COMMAND_LINE and JSON
    bool migrated = false;       // one of the six classic names 2.7 runs through OMNI
};

// Parses argv.  Throws UsageError for a bad option or value; the message
// names the option ("-l: 'abc' is not a number").
NetperfCommand parse_netperf_command(int argc, char **argv);

// netperf 2.7's size suffixes: K/M/G = 2^10.., k/m/g = 10^3.. (convert()).
int64_t parse_size(const std::string &s, const char *what);

// "x,y" pairs, as 2.7's break_args: "x" sets both, "x," the first only,
// ",y" the second only.  `explicit_pair` (break_args_explicit): a single
// value sets only the first.
void split_pair(const std::string &s, std::string &a, std::string &b, bool explicit_pair = false);

// The test of one direction of a --direction run: "tx" (netperf sends,
// the test's STREAM form) or "rx" (netserver sends, its MAERTS form).
TestSpec direction_spec(const TestSpec &s, const std::string &dir);

// The usage text of `netperf -h`.
std::string netperf_usage();

}  // namespace netperf

#endif
