// Descriptive statistics, confidence intervals of the mean and outliers
// (netperf/stats.h).
#include <netperf/stats.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include <boost/math/distributions/students_t.hpp>

#include <netperf/error.h>

namespace netperf::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// A sorted copy; O(n) when x is sorted already, so callers that sort once
// (netperf-aggregate does) pay for one sort, not one per statistic.
std::vector<double> sorted_copy(std::span<const double> x) {
    std::vector<double> s(x.begin(), x.end());
    if (!std::is_sorted(s.begin(), s.end())) std::sort(s.begin(), s.end());
    return s;
}

// The p-th percentile by selection, O(n) on average: the two order
// statistics around h = (n-1)p/100 via nth_element, interpolated as
// percentile_sorted does. Reorders v.
double percentile_select(std::vector<double> &v, double p) {
    if (v.empty()) throw Error("percentile of an empty sample");
    if (!(p >= 0 && p <= 100)) throw Error("percentile must be within 0..100, got " + std::to_string(p));
    double h = double(v.size() - 1) * (p / 100.0);
    size_t lo = size_t(std::floor(h));
    if (lo + 1 >= v.size()) return *std::max_element(v.begin(), v.end());
    std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(lo), v.end());
    double a = v[lo];
    double b = *std::min_element(v.begin() + std::ptrdiff_t(lo) + 1, v.end());
    double frac = h - double(lo);
    return frac >= 0.5 ? b - (b - a) * (1 - frac) : a + (b - a) * frac;
}

// Sum of squared deviations from m.
double sum_sq_dev(std::span<const double> x, double m) {
    double ss = 0;
    for (double v : x) ss += (v - m) * (v - m);
    return ss;
}

void check_level(double level) {
    if (!(level > 0 && level < 1))
        throw Error("confidence level must be between 0 and 1 (exclusive), got " + std::to_string(level));
}

// A uniform index in [0, n) from a 32-bit Mersenne Twister by masked
// rejection: take the low bits that cover n-1 and draw again when the value
// is too large. numpy's legacy RandomState.randint does the same, so the
// draws can be reproduced in Python (see bootstrap_mean_ci).
uint32_t masked_index(std::mt19937 &rng, uint32_t n) {
    uint32_t max = n - 1;
    if (max == 0) return 0;
    uint32_t mask = max;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    do {
        v = uint32_t(rng()) & mask;
    } while (v > max);
    return v;
}

}  // namespace

double mean(std::span<const double> x) {
    if (x.empty()) return kNaN;
    double s = 0;
    for (double v : x) s += v;
    return s / double(x.size());
}

double variance(std::span<const double> x) {
    if (x.size() < 2) return kNaN;
    return sum_sq_dev(x, mean(x)) / double(x.size() - 1);
}

double stddev(std::span<const double> x) { return std::sqrt(variance(x)); }

double coefficient_of_variation(std::span<const double> x) {
    double m = mean(x);
    if (x.size() < 2 || m == 0) return kNaN;
    return stddev(x) / std::fabs(m);
}

double percentile_sorted(std::span<const double> s, double p) {
    if (s.empty()) throw Error("percentile of an empty sample");
    if (!(p >= 0 && p <= 100)) throw Error("percentile must be within 0..100, got " + std::to_string(p));
    // (n-1) * (p/100) in that order, as numpy rounds it.
    double h = double(s.size() - 1) * (p / 100.0);
    size_t lo = size_t(std::floor(h));
    if (lo + 1 >= s.size()) return s.back();
    double frac = h - double(lo);
    // numpy's lerp: from the nearer end, so the result is exact at both ends.
    double a = s[lo], b = s[lo + 1];
    return frac >= 0.5 ? b - (b - a) * (1 - frac) : a + (b - a) * frac;
}

double percentile(std::span<const double> x, double p) {
    if (std::is_sorted(x.begin(), x.end())) return percentile_sorted(x, p);
    std::vector<double> v(x.begin(), x.end());
    return percentile_select(v, p);
}

double median(std::span<const double> x) { return percentile(x, 50); }

Summary describe(std::span<const double> x) {
    if (x.empty()) throw Error("no values to describe");
    std::vector<double> s = sorted_copy(x);
    Summary r;
    r.n = s.size();
    r.mean = mean(s);
    r.variance = variance(s);
    r.stddev = std::sqrt(r.variance);
    r.cv = (r.n < 2 || r.mean == 0) ? kNaN : r.stddev / std::fabs(r.mean);
    r.min = s.front();
    r.max = s.back();
    r.q1 = percentile_sorted(s, 25);
    r.median = percentile_sorted(s, 50);
    r.q3 = percentile_sorted(s, 75);
    return r;
}

Interval mean_ci(std::span<const double> x, double level) {
    check_level(level);
    if (x.size() < 2) throw Error("a confidence interval needs at least 2 values, got " + std::to_string(x.size()));
    double m = mean(x);
    double sem = std::sqrt(variance(x) / double(x.size()));
    boost::math::students_t t(double(x.size() - 1));
    double half = boost::math::quantile(t, 0.5 + level / 2) * sem;
    return Interval{m, m - half, m + half, level};
}

Interval bootstrap_mean_ci(std::span<const double> x, double level, int resamples, uint32_t seed) {
    check_level(level);
    if (x.empty()) throw Error("a bootstrap interval needs at least 1 value");
    if (resamples < 1) throw Error("bootstrap needs at least 1 resample, got " + std::to_string(resamples));
    if (x.size() > UINT32_MAX) throw Error("bootstrap sample too large");
    std::mt19937 rng(seed);
    const uint32_t n = uint32_t(x.size());
    std::vector<double> means(static_cast<size_t>(resamples));
    // Resample b draws its n indices consecutively, as numpy's
    // randint(0, n, (resamples, n)) fills its rows.
    for (double &bm : means) {
        double sum = 0;
        for (uint32_t i = 0; i < n; i++) sum += x[masked_index(rng, n)];
        bm = sum / double(n);
    }
    std::sort(means.begin(), means.end());
    double alpha = (1 - level) / 2;
    return Interval{mean(x), percentile_sorted(means, alpha * 100), percentile_sorted(means, (1 - alpha) * 100), level};
}

std::optional<OutlierMethod> parse_outlier_method(std::string_view name) {
    if (name == "none") return OutlierMethod::none;
    if (name == "iqr") return OutlierMethod::iqr;
    if (name == "zscore") return OutlierMethod::zscore;
    if (name == "mad") return OutlierMethod::mad;
    return std::nullopt;
}

const char *outlier_method_name(OutlierMethod m) {
    switch (m) {
    case OutlierMethod::none: return "none";
    case OutlierMethod::iqr: return "iqr";
    case OutlierMethod::zscore: return "zscore";
    case OutlierMethod::mad: return "mad";
    }
    return "?";
}

std::string OutlierReport::describe() const {
    return std::to_string(outliers.size()) + "/" + std::to_string(total) + (removed ? " removed" : " kept");
}

OutlierReport find_outliers(std::span<const double> x, OutlierMethod method, bool remove) {
    OutlierReport r;
    r.method = method;
    r.total = x.size();
    r.removed = remove;
    r.lower_fence = -std::numeric_limits<double>::infinity();
    r.upper_fence = std::numeric_limits<double>::infinity();
    // is_outlier(v) decides with the same arithmetic the fences describe.
    auto flag = [&](auto is_outlier) {
        for (size_t i = 0; i < x.size(); i++)
            if (is_outlier(x[i])) r.outliers.push_back(i);
    };
    if (!x.empty()) {
        switch (method) {
        case OutlierMethod::none: break;
        case OutlierMethod::iqr: {
            std::vector<double> v(x.begin(), x.end());
            double q1 = percentile_select(v, 25), q3 = percentile_select(v, 75);
            r.lower_fence = q1 - 1.5 * (q3 - q1);
            r.upper_fence = q3 + 1.5 * (q3 - q1);
            flag([&](double v) { return v < r.lower_fence || v > r.upper_fence; });
            break;
        }
        case OutlierMethod::zscore: {
            double m = mean(x);
            double sd = std::sqrt(sum_sq_dev(x, m) / double(x.size()));
            if (sd > 0) {
                r.lower_fence = m - 3 * sd;
                r.upper_fence = m + 3 * sd;
                flag([&](double v) { return std::fabs(v - m) / sd > 3; });
            }
            break;
        }
        case OutlierMethod::mad: {
            double med = median(x);
            std::vector<double> dev(x.size());
            double mean_ad = 0;
            for (size_t i = 0; i < x.size(); i++) {
                dev[i] = std::fabs(x[i] - med);
                mean_ad += dev[i];
            }
            mean_ad /= double(x.size());
            // The modified z-score is 0.6745 (x - median) / MAD; 0.6745 is
            // the third quartile of N(0,1), which makes MAD/0.6745 estimate
            // sigma. With MAD == 0 the denominator becomes 1.253314 * the
            // mean absolute deviation (sqrt(pi/2) makes it estimate sigma too).
            double scale = percentile_select(dev, 50) / 0.6745;
            if (scale == 0) scale = 1.253314 * mean_ad;
            if (scale > 0) {
                r.lower_fence = med - 3.5 * scale;
                r.upper_fence = med + 3.5 * scale;
                flag([&](double v) { return std::fabs(v - med) / scale > 3.5; });
            }
            break;
        }
        }
    }
    if (remove && !r.outliers.empty()) {
        r.kept.reserve(x.size() - r.outliers.size());
        size_t next = 0;
        for (size_t i = 0; i < x.size(); i++) {
            if (next < r.outliers.size() && r.outliers[next] == i) {
                next++;
                continue;
            }
            r.kept.push_back(x[i]);
        }
    } else {
        r.kept.assign(x.begin(), x.end());
    }
    return r;
}

}  // namespace netperf::stats
