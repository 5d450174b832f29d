// netperf-aggregate's analysis of result sets and its three output formats
// (human summary, JSON, CSV).
#ifndef NETPERF_AGGREGATE_REPORT_H
#define NETPERF_AGGREGATE_REPORT_H

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <netperf/significance.h>
#include <netperf/stats.h>
#include <netperf/stats_plot.h>

namespace netperf::aggregate {

// One named set of results: every value of its files, in file order.
struct ResultSet {
    std::string name;  // "baseline", "current", "group1", ...
    std::vector<std::string> files;
    std::vector<double> values;
    std::string units;  // from the files, or --units
};

// How the sets are analysed (the tool's options).
struct AnalysisOptions {
    stats::OutlierMethod outliers = stats::OutlierMethod::iqr;
    bool remove_outliers = false;
    double confidence = 0.95;  // a fraction
    int bootstrap = 0;         // resamples; 0 = no bootstrap interval
    uint32_t seed = 1;
    int bins = 0;              // histogram bins; 0 = Sturges
    std::string metric = "throughput";  // the field's name, for the verdict
    stats::Better better = stats::Better::higher;
    double min_change_percent = 0;
};

// The percentiles every summary reports.
inline constexpr int kPercentiles[] = {1, 5, 10, 25, 50, 75, 90, 95, 99};

// Everything computed about one set. Statistics are of `used`: the values
// left after outlier removal (all values when nothing is removed).
struct SetAnalysis {
    ResultSet set;
    stats::OutlierReport outliers;
    std::vector<double> used;    // in file order: what the bootstrap resamples
    std::vector<double> sorted;  // used, sorted once for every other statistic
    stats::Summary summary;
    std::vector<double> percentiles;  // at kPercentiles
    std::optional<stats::Interval> ci;         // Student t; needs 2 values
    std::optional<stats::Interval> bootstrap;  // with --bootstrap N
    std::optional<stats::ShapiroWilkResult> normality;
    std::string normality_note;  // why normality is missing
    stats::HistogramBins histogram;
};

// The whole analysis: every set, the comparison of current with baseline,
// and ANOVA when there are three or more sets.
struct Analysis {
    std::vector<SetAnalysis> sets;
    std::optional<stats::Comparison> comparison;
    std::string comparison_note;  // why there is no comparison, when a baseline was given
    std::optional<stats::AnovaResult> anova;
};

// Analyses the sets (baseline first, current second when both exist).
Analysis analyze(const std::vector<ResultSet> &sets, bool has_baseline, const AnalysisOptions &o);

// The human summary ("Mean with 95% CI: 9500.2 ± 124.5 10^6bits/s" ...);
// with plot, a histogram and a box plot per set.
void print_human(std::FILE *out, const Analysis &a, const AnalysisOptions &o, bool plot);
// The analysis as one JSON document (documented in docs/statistics.md).
nlohmann::json to_json(const Analysis &a, const AnalysisOptions &o);
// One CSV header and one line per set; the comparison columns are filled on
// the current set's line.
void print_csv(std::FILE *out, const Analysis &a, const AnalysisOptions &o);

}  // namespace netperf::aggregate

#endif
