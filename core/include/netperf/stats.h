// Statistics over repeated benchmark results: descriptive statistics,
// confidence intervals of the mean and outlier detection.
//
// Every function takes the samples as a span of doubles in any order and
// leaves it untouched. Variances are sample variances (divisor n-1);
// percentiles use the linear interpolation of numpy.percentile's default
// method 'linear' (Hyndman & Fan type 7), so results can be checked against
// numpy/SciPy (tests/unit/stats_reference.py does exactly that).
//
//   std::vector<double> tput = {9410.2, 9388.7, 9502.1, 9450.0};
//   auto s  = netperf::stats::describe(tput);            // mean, sd, cv, quartiles
//   auto ci = netperf::stats::mean_ci(tput, 0.95);       // Student t interval
//   auto o  = netperf::stats::find_outliers(tput, netperf::stats::OutlierMethod::mad, true);
//   o.describe();                                        // "0/4 removed"
//
// Significance tests live in significance.h, terminal plots in stats_plot.h.
#ifndef NETPERF_STATS_H
#define NETPERF_STATS_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace netperf::stats {

// Arithmetic mean; NaN for an empty sample.
double mean(std::span<const double> x);
// Sample variance (divisor n-1, two-pass); NaN when n < 2.
double variance(std::span<const double> x);
// Sample standard deviation, sqrt(variance); NaN when n < 2.
double stddev(std::span<const double> x);
// Coefficient of variation: sample standard deviation / |mean| (a fraction,
// not a percentage); NaN when n < 2 or the mean is 0.
double coefficient_of_variation(std::span<const double> x);
// The p-th percentile (0 <= p <= 100) of data already sorted ascending, with
// numpy's 'linear' method: h = (n-1)p/100, x[floor h] + frac(h) * (next - x[floor h]).
double percentile_sorted(std::span<const double> sorted, double p);
// The p-th percentile of unsorted data (sorts a copy).
double percentile(std::span<const double> x, double p);
// The median: percentile 50.
double median(std::span<const double> x);

// Descriptive statistics of one sample, as describe() computes them.
struct Summary {
    size_t n = 0;
    double mean = 0;
    double variance = 0;  // n-1; NaN when n < 2
    double stddev = 0;    // NaN when n < 2
    double cv = 0;        // stddev / |mean|; NaN when n < 2 or mean == 0
    double min = 0;
    double max = 0;
    double q1 = 0;      // percentile 25
    double median = 0;  // percentile 50
    double q3 = 0;      // percentile 75
};

// Everything in Summary in one pass over a sorted copy; throws Error when x
// is empty.
Summary describe(std::span<const double> x);

// A two-sided confidence interval of an estimate.
struct Interval {
    double estimate = 0;  // the point estimate (the sample mean)
    double lower = 0;
    double upper = 0;
    double level = 0;  // confidence level as a fraction, e.g. 0.95
    // Half the width: the "±" of "mean ± half_width" (for a bootstrap
    // interval, which need not be symmetric, half of upper - lower).
    double half_width() const { return (upper - lower) / 2; }
};

// Student-t interval of the mean: mean ± t(1-(1-level)/2, n-1) * s/sqrt(n)
// (SciPy: t.interval(level, n-1, loc=mean, scale=sem)). Needs n >= 2 and
// 0 < level < 1, else throws Error. A sample with zero spread gives a
// zero-width interval.
Interval mean_ci(std::span<const double> x, double level);

// Percentile bootstrap interval of the mean, for small or non-normal
// samples: `resamples` resamples of n values drawn with replacement, the
// interval is the (1-level)/2 and 1-(1-level)/2 percentiles (linear) of the
// resample means. Reproducible for a seed on every platform: indices come
// from std::mt19937 seeded with `seed` by masked rejection sampling (not
// std::uniform_int_distribution, whose algorithm is library-defined), which
// is also what numpy.random.RandomState(seed).randint does, so
// scipy.stats.bootstrap(method='percentile', random_state=RandomState(seed))
// gives the same interval. Needs n >= 1, resamples >= 1.
Interval bootstrap_mean_ci(std::span<const double> x, double level, int resamples, uint32_t seed);

// How outliers are told apart from the rest.
enum class OutlierMethod {
    none,    // nothing is an outlier
    iqr,     // outside [Q1 - 1.5 IQR, Q3 + 1.5 IQR] (Tukey's fences, linear quartiles)
    zscore,  // |x - mean| / sd > 3, sd with divisor n (scipy.stats.zscore's default)
    mad,     // modified z-score 0.6745 |x - median| / MAD > 3.5 (Iglewicz & Hoaglin)
};

// Parses "none", "iqr", "zscore" or "mad"; nullopt for anything else.
std::optional<OutlierMethod> parse_outlier_method(std::string_view name);
// The name parse_outlier_method accepts for m.
const char *outlier_method_name(OutlierMethod m);

// The outliers of one sample and what is left after optional removal.
struct OutlierReport {
    OutlierMethod method = OutlierMethod::none;
    size_t total = 0;              // samples looked at
    std::vector<size_t> outliers;  // their indices in the input, ascending
    bool removed = false;          // true when kept excludes them
    std::vector<double> kept;      // the input in order, minus outliers if removed
    double lower_fence = 0;        // values below are outliers (iqr, zscore, mad)
    double upper_fence = 0;        // values above are outliers

    // "2/100 removed" or "2/100 kept": always says how many were flagged.
    std::string describe() const;
};

// Flags outliers by `method`; with `remove` the report's kept sample leaves
// them out. MAD == 0 (more than half the values equal) falls back to
// 1.253314 * mean absolute deviation from the median, as Iglewicz & Hoaglin
// and IBM SPSS do; a sample with no spread at all has no outliers.
OutlierReport find_outliers(std::span<const double> x, OutlierMethod method, bool remove);

}  // namespace netperf::stats

#endif
