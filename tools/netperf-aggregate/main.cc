// netperf-aggregate: combines netperf result files and says what they show:
// the mean with its confidence interval, spread, percentiles, outliers,
// normality, and whether a run differs from a stored baseline.
//
//   for i in $(seq 10); do netperf -H host -t TCP_RR -l 10 -P 0; done > new.txt
//   netperf-aggregate new.txt
//   netperf-aggregate --baseline old.txt --current new.txt --remove-outliers --plot
//   netperf-aggregate --format json --field THROUGHPUT omni-k.txt
//
// Exit status: 0, 1 for bad input or options (one line on stderr), 2 with
// --fail-on-regression when the current set is a significant regression.
#include <cstdio>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <netperf/error.h>

#include "report.h"
#include "result_files.h"

namespace {

using namespace netperf;
using namespace netperf::aggregate;

// Metrics where a smaller number is the better one; anything else (rates,
// throughput) is better higher. Matched on the field name without case or
// punctuation.
stats::Better guess_better(const std::string &field) {
    std::string f;
    for (char c : field)
        if (std::isalnum(static_cast<unsigned char>(c))) f += char(std::tolower(static_cast<unsigned char>(c)));
    for (const char *word : {"latency", "cpu", "util", "demand", "retrans", "time"})
        if (f.find(word) != std::string::npos) return stats::Better::lower;
    if (f == "localsd" || f == "remotesd") return stats::Better::lower;
    return stats::Better::higher;
}

ResultSet read_set(const std::string &name, const std::vector<std::string> &files, const ReadOptions &ro,
                   const std::string &units) {
    ResultSet rs;
    rs.name = name;
    rs.files = files;
    for (const std::string &f : files) {
        FileSamples fs = read_result_file(f, ro);
        rs.values.insert(rs.values.end(), fs.values.begin(), fs.values.end());
        if (rs.units.empty()) rs.units = fs.units;
    }
    if (!units.empty()) rs.units = units;
    return rs;
}

int run(int argc, char **argv) {
    CLI::App app{"netperf-aggregate: statistics over netperf result files, and a verdict against a baseline",
                 "netperf-aggregate"};
    std::vector<std::string> positional, current, baseline;
    std::vector<std::vector<std::string>> groups;
    std::string field, test, input = "auto", outliers = "iqr", format = "human", better = "auto", units;
    int column = 0, confidence = 95, bootstrap = 0, bins = 0;
    uint32_t seed = 1;
    double min_change = 0;
    bool remove = false, plot = false, fail_on_regression = false;

    app.add_option("files", positional, "Result files of the current run (same as --current)");
    app.add_option("--current", current, "Result files of the run under test")->expected(1, -1);
    app.add_option("--baseline", baseline, "Result files of the stored baseline to compare with")->expected(1, -1);
    app.add_option("--group", groups, "Another set of result files (repeatable); 3+ sets get a one-way ANOVA")
        ->expected(1, -1);
    app.add_option("--field", field,
                   "CSV column, -k key or JSON field holding the result (default: throughput; JSON: a.b for nested)");
    app.add_option("--column", column, "1-based column of the result in -P 0 lines or header-less CSV")
        ->check(CLI::PositiveNumber);
    app.add_option("--test", test, "netperf test (-t) that wrote the -P 0 lines; picks netperf 2.7's result column");
    app.add_option("--input", input, "Input format (auto detects per file)")
        ->check(CLI::IsMember({"auto", "terse", "csv", "keyval", "json"}));
    app.add_option("--outliers", outliers, "Outlier detection: iqr (1.5 IQR), zscore (|z|>3), mad (modified z>3.5), none")
        ->check(CLI::IsMember({"iqr", "zscore", "mad", "none"}));
    app.add_flag("--remove-outliers", remove, "Leave detected outliers out of every statistic");
    app.add_option("--confidence", confidence, "Confidence level in percent for intervals and tests")
        ->check(CLI::IsMember({95, 99}));
    app.add_option("--bootstrap", bootstrap, "Also give a bootstrap percentile interval from N resamples (0 = off)")
        ->check(CLI::Range(0, 10000000));
    app.add_option("--seed", seed, "Seed of the bootstrap resampling (same seed, same interval)");
    app.add_option("--better", better, "Which direction is an improvement (auto: lower for latency, CPU, time)")
        ->check(CLI::IsMember({"auto", "higher", "lower"}));
    app.add_option("--min-change", min_change, "Smallest change in percent that counts as a regression")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--format", format, "Output: human, json or csv")->check(CLI::IsMember({"human", "json", "csv"}));
    app.add_flag("--plot", plot, "Add an ASCII histogram and box plot per set (human output)");
    app.add_option("--bins", bins, "Histogram bins (default: Sturges' rule)")->check(CLI::Range(1, 1000));
    app.add_option("--units", units, "Unit label for the values (default: what the files say, if anything)");
    app.add_flag("--fail-on-regression", fail_on_regression, "Exit 2 when the current set is a significant regression");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError &e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        std::fprintf(stderr, "netperf-aggregate: %s (see --help)\n", e.what());
        return 1;
    }

    current.insert(current.begin(), positional.begin(), positional.end());
    if (current.empty())
        throw Error(baseline.empty() && groups.empty() ? "no result files given: netperf-aggregate FILE... (see --help)"
                                                       : "no current result files: give FILE... or --current FILE...");

    ReadOptions ro;
    ro.format = *parse_input_format(input);
    ro.field = field;
    ro.column = column;
    ro.test = test;

    std::vector<ResultSet> sets;
    if (!baseline.empty()) sets.push_back(read_set("baseline", baseline, ro, units));
    sets.push_back(read_set("current", current, ro, units));
    for (size_t i = 0; i < groups.size(); i++) sets.push_back(read_set("group" + std::to_string(i + 1), groups[i], ro, units));

    AnalysisOptions ao;
    ao.outliers = *stats::parse_outlier_method(outliers);
    ao.remove_outliers = remove;
    ao.confidence = confidence / 100.0;
    ao.bootstrap = bootstrap;
    ao.seed = seed;
    ao.bins = bins;
    ao.metric = field.empty() ? "throughput" : field;
    ao.better = better == "auto" ? guess_better(ao.metric) : better == "lower" ? stats::Better::lower : stats::Better::higher;
    ao.min_change_percent = min_change;

    Analysis a = analyze(sets, !baseline.empty(), ao);
    if (format == "json")
        std::printf("%s\n", to_json(a, ao).dump(2).c_str());
    else if (format == "csv")
        print_csv(stdout, a, ao);
    else
        print_human(stdout, a, ao, plot);
    if (std::fflush(stdout) != 0) throw Error("cannot write the output");
    if (fail_on_regression && a.comparison && a.comparison->verdict == stats::Verdict::regression) return 2;
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception &e) {
        std::fprintf(stderr, "netperf-aggregate: %s\n", e.what());
        return 1;
    }
}
