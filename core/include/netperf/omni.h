// netperf 2.7's OMNI output selectors: the test options -k (NAME=value
// lines), -o (CSV) and -O (columns) with a list of selectors
// (../shared/legacy/CLI.md §3-4).
//
//   netperf -t TCP_RR -- -k THROUGHPUT,P99_LATENCY
//   netperf -t OMNI -- -o "THROUGHPUT,THROUGHPUT_UNITS;PROTOCOL"
//   netperf -t OMNI -- -O my_selection_file
//
// A list holds up to four blocks separated by ';'; selectors within a
// block are separated by commas or spaces and matched case-insensitively.
// The word "all" selects every selector (in 2.7's four blocks); "default",
// "verbose", "minimal" and "classic" are netperf 3's presets.  A single
// word that is not a selector names a file: one block per line, selectors
// separated by commas, each either a selector name or its column heading
// ("Throughput Units").
#ifndef NETPERF_OMNI_H
#define NETPERF_OMNI_H

#include <optional>
#include <string>
#include <vector>

#include <netperf/output.h>

namespace netperf {

// One selector: its name and the four heading lines -O prints (2.7's text;
// -o joins the non-empty ones with spaces).
struct OmniSelector {
    const char *name;
    const char *heading[4];
};

// Every selector, in 2.7's order.  Index 0 is OUTPUT_NONE; the last one is
// OUTPUT_END (ends a block).  P999_LATENCY and P50/P90/P99_LATENCY_CONFID,
// after COMMAND_LINE, are netperf 3's additions (the 99.9th percentile, the
// percentiles' confidence widths); "all" does not include them.
const std::vector<OmniSelector> &omni_selectors();

// Index of the selector called `name` (any case), -1 when there is none.
int omni_find(const std::string &name);

// A parsed selection: up to four blocks of selector indexes.
using OmniBlocks = std::vector<std::vector<int>>;

// The presets: "default" (netperf 3's default list: throughput, latency
// mean and percentiles, CPU, call counts, elapsed time, protocol,
// direction, socket type), "minimal" (THROUGHPUT,THROUGHPUT_UNITS),
// "verbose" (four blocks: sizes, latency, CPU and confidence, counts and
// endpoints) and "all" (2.7's).  nullopt when `name` is none of them.
// ("classic", 2.7's per-direction default, depends on the test: see
// omni_selection_of.)
std::optional<OmniBlocks> omni_preset(const std::string &name);

// Parses a -k/-o/-O argument (see above); a preset name wins over a file
// of that name.  Names that match no selector
// are dropped and appended to *unknown (2.7 drops them silently).  Throws
// Error when a selection file cannot be read.
OmniBlocks parse_omni_selection(const std::string &spec, std::vector<std::string> *unknown = nullptr);

// The list 2.7 prints when -k/-o/-O come without one (our preset
// "classic"): sizes, elapsed time and throughput for the test's direction,
// plus the CPU block with -c/-C.
OmniBlocks omni_default_selection(const TestSpec &s, bool cpu);

// The selection of a command: its list or preset, else the "default"
// preset.
OmniBlocks omni_selection_of(const NetperfCommand &cmd, std::vector<std::string> *unknown = nullptr);

// One selector's value as 2.7 prints it (its printf format); nullopt when
// 2.7 prints no value (RESULT_BRAND without -B, OUTPUT_END).
std::optional<std::string> omni_value(int selector, const TestResult &r, const OutputContext &ctx,
                                      const Metrics &m);

// The three writers; `m` is output_metrics(r, ctx).
// -k: one NAME=value line per selector that has a value.
std::string omni_keyval(const OmniBlocks &b, const TestResult &r, const OutputContext &ctx, const Metrics &m);
// -o: one CSV line of headings (with -P 1) and one of values, all blocks.
std::string omni_csv(const OmniBlocks &b, const TestResult &r, const OutputContext &ctx, const Metrics &m);
// -O: per block, four heading lines (with -P 1) and a value line in
// columns as wide as 2.7 makes them; a blank line between blocks.
std::string omni_columns(const OmniBlocks &b, const TestResult &r, const OutputContext &ctx, const Metrics &m);

// The OMNI output of a command (its mode, its selection or the default).
std::string omni_output(const TestResult &r, const OutputContext &ctx);

// The selector names as `-k ?` (comma separated, csv) or `-O ?` (one per
// line) list them.
std::string omni_selector_list(bool csv);

// A UUID for the UUID selector: test -u when given, else a fresh random one
// (/proc/sys/kernel/random/uuid).
std::string omni_test_uuid(const NetperfCommand &cmd);

}  // namespace netperf

#endif
