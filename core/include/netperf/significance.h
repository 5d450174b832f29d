// Significance tests between result sets, a normality test, and the
// regression verdict of a run against a stored baseline.
//
// Distributions (t, normal, F) come from Boost.Math. The Shapiro-Wilk test is
// Royston's algorithm AS R94 written out from the paper, because no Debian
// C++ library provides it. Each test is checked against SciPy 1.10 in
// tests/unit/stats_test.cc.
//
//   using namespace netperf::stats;
//   auto t = welch_t_test(current, baseline);                 // t, df, two-sided p
//   auto c = compare_to_baseline(baseline, current, 0.95, Better::higher);
//   c.describe("throughput");  // "regression: throughput -4.2% (p=0.003)"
#ifndef NETPERF_SIGNIFICANCE_H
#define NETPERF_SIGNIFICANCE_H

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netperf::stats {

// Welch's unequal-variance t-test (SciPy: ttest_ind(a, b, equal_var=False)).
struct WelchResult {
    double t = 0;   // (mean a - mean b) / sqrt(var a/na + var b/nb)
    double df = 0;  // Welch-Satterthwaite degrees of freedom
    double p = 1;   // two-sided
};
// Needs at least 2 values in each sample (throws Error otherwise). When both
// samples have zero variance t is +-inf and p is 0 if the means differ, and
// t is 0 and p is 1 if they are equal.
WelchResult welch_t_test(std::span<const double> a, std::span<const double> b);

// How mann_whitney_u computes its p-value.
enum class MannWhitneyMethod {
    automatic,   // SciPy's choice: exact when a sample has <= 8 values and there are no ties
    exact,       // the exact null distribution of U (no tie correction)
    asymptotic,  // normal approximation, tie-corrected variance, continuity correction
};

// The Mann-Whitney U test, two-sided (SciPy: mannwhitneyu(a, b)).
struct MannWhitneyResult {
    double u = 0;       // U of the first sample: rank sum of a - na(na+1)/2
    double p = 1;       // two-sided
    bool exact = false; // true when the exact distribution was used
};
// Needs at least 1 value in each sample.
MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b,
                                 MannWhitneyMethod method = MannWhitneyMethod::automatic);

// One-way analysis of variance across groups (SciPy: f_oneway).
struct AnovaResult {
    double f = 0;           // between-group mean square / within-group mean square
    double df_between = 0;  // groups - 1
    double df_within = 0;   // values - groups
    double p = 1;           // upper tail of F(df_between, df_within)
};
// Needs >= 2 groups, each non-empty, and more values than groups. With no
// spread inside any group F is +inf and p 0 if the group means differ, and
// F is 0 and p is 1 if everything is equal.
AnovaResult one_way_anova(std::span<const std::vector<double>> groups);

// The Shapiro-Wilk normality test (SciPy: shapiro).
struct ShapiroWilkResult {
    double w = 1;  // the W statistic, in (0, 1]; 1 = perfectly normal order statistics
    double p = 1;  // probability of a W this small from a normal sample
    bool p_accurate = true;  // false above 5000 values, where AS R94 is not validated
};
// Royston (1995), Algorithm AS R94, Applied Statistics 44(4):547-551, with
// the polynomial approximations of Royston (1992) for the coefficients and
// the p-value; complete samples only. Needs 3 or more values that are not
// all equal (throws Error otherwise).
ShapiroWilkResult shapiro_wilk(std::span<const double> x);
// The p-value of a given W for a sample of n >= 3 values: AS R94's second
// entry point (W passed as negative in the Fortran), for W values computed
// elsewhere, e.g. by another program.
double shapiro_wilk_p_value(double w, size_t n);

// Effect size: Cohen's d of b relative to a, (mean b - mean a) / pooled sd
// with the pooled sd sqrt(((na-1)var a + (nb-1)var b) / (na+nb-2)). 0 when
// the pooled sd is 0 and the means are equal; +-inf when only the means
// differ. Needs na + nb > 2.
double cohens_d(std::span<const double> a, std::span<const double> b);
// "negligible" (|d| < 0.2), "small" (< 0.5), "medium" (< 0.8) or "large".
const char *effect_size_label(double d);

// Whether a larger value of the metric is better (throughput) or worse
// (latency, CPU).
enum class Better { higher, lower };

// What a comparison concluded.
enum class Verdict { no_change, regression, improvement };
// "no significant change", "regression" or "improvement".
const char *verdict_name(Verdict v);

// "p < 0.001" below 0.001, else "p=0.0123" (3 significant digits).
std::string format_p_value(double p);

// A run compared with a stored baseline.
struct Comparison {
    size_t n_baseline = 0;
    size_t n_current = 0;
    double baseline_mean = 0;
    double current_mean = 0;
    double change_percent = 0;  // (current - baseline) / |baseline| * 100
    double confidence = 0.95;   // the level the verdict was decided at
    WelchResult welch;          // current vs baseline: decides significance
    MannWhitneyResult mann_whitney;  // current vs baseline: reported beside it
    double effect_size = 0;     // Cohen's d of current relative to baseline
    bool significant = false;   // welch.p < 1 - confidence and |change| >= the minimum
    Verdict verdict = Verdict::no_change;

    // "regression: throughput -4.2% (p=0.003)",
    // "improvement: throughput +3.1% (p < 0.001)" or
    // "no significant change: throughput +0.4% (p=0.61)".
    std::string describe(std::string_view metric) const;
};

// Decides whether `current` is a regression or an improvement over
// `baseline` at `confidence` (e.g. 0.95): significant when Welch's p is below
// 1 - confidence and the mean moved by at least min_change_percent; the
// direction of the move and `better` decide which. Needs >= 2 values in each
// set.
Comparison compare_to_baseline(std::span<const double> baseline, std::span<const double> current,
                               double confidence, Better better, double min_change_percent = 0);

}  // namespace netperf::stats

#endif
