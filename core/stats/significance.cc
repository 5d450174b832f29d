// Welch's t-test, Mann-Whitney U, one-way ANOVA, effect size and the
// baseline comparison (netperf/significance.h). Shapiro-Wilk is in
// shapiro_wilk.cc.
#include <netperf/significance.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include <netperf/error.h>
#include <netperf/stats.h>

namespace netperf::stats {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Ranks of a followed by b, ties given their average rank (SciPy's rankdata
// 'average'); also returns sum(t^3 - t) over groups of t tied values.
std::vector<double> joint_ranks(std::span<const double> a, std::span<const double> b, double &tie_term) {
    size_t n = a.size() + b.size();
    std::vector<double> v(n);
    std::copy(a.begin(), a.end(), v.begin());
    std::copy(b.begin(), b.end(), v.begin() + std::ptrdiff_t(a.size()));
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), size_t{0});
    auto less = [&](size_t i, size_t j) { return v[i] < v[j]; };
    if (std::is_sorted(a.begin(), a.end()) && std::is_sorted(b.begin(), b.end()))
        std::inplace_merge(order.begin(), order.begin() + std::ptrdiff_t(a.size()), order.end(), less);  // O(n)
    else
        std::stable_sort(order.begin(), order.end(), less);
    std::vector<double> rank(n);
    tie_term = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && v[order[j + 1]] == v[order[i]]) j++;
        double avg = (double(i + 1) + double(j + 1)) / 2;  // ranks are 1-based
        for (size_t k = i; k <= j; k++) rank[order[k]] = avg;
        double t = double(j - i + 1);
        tie_term += t * t * t - t;
        i = j + 1;
    }
    return rank;
}

// P(U >= k) under the null hypothesis for samples of m and n values without
// ties. The number of orderings with U = u is the coefficient of q^u in the
// Gaussian binomial [m+n choose m]_q = prod_{i=1..m} (1 - q^(n+i)) / (1 - q^i),
// built up one factor pair at a time so every intermediate polynomial is
// [n+i choose i]_q again; O(min(m,n) * m * n).
double mann_whitney_exact_sf(long k, long m, long n) {
    if (m > n) std::swap(m, n);  // the distribution is symmetric in m and n
    long mn = m * n;
    if (k <= 0) return 1;
    if (k > mn) return 0;
    std::vector<double> c(size_t(mn + 1), 0.0);
    c[0] = 1;
    for (long i = 1; i <= m; i++) {
        long deg = i * n;  // degree of [n+i choose i]_q
        for (long u = deg; u >= n + i; u--) c[size_t(u)] -= c[size_t(u - n - i)];  // * (1 - q^(n+i))
        for (long u = i; u <= deg; u++) c[size_t(u)] += c[size_t(u - i)];          // / (1 - q^i)
    }
    // P(U >= k) = P(U <= mn - k) by symmetry; summing the small side from
    // the left keeps the tail exact.
    double total = 0, tail = 0;
    for (long u = 0; u <= mn; u++) {
        total += c[size_t(u)];
        if (u <= mn - k) tail += c[size_t(u)];
    }
    return tail / total;
}

}  // namespace

WelchResult welch_t_test(std::span<const double> a, std::span<const double> b) {
    if (a.size() < 2 || b.size() < 2)
        throw Error("Welch's t-test needs at least 2 values in each set, got " + std::to_string(a.size()) + " and " +
                    std::to_string(b.size()));
    double na = double(a.size()), nb = double(b.size());
    double va = variance(a) / na, vb = variance(b) / nb;
    double diff = mean(a) - mean(b);
    WelchResult r;
    if (va + vb == 0) {
        r.t = diff == 0 ? 0 : std::copysign(kInf, diff);
        r.df = na + nb - 2;
        r.p = diff == 0 ? 1 : 0;
        return r;
    }
    r.t = diff / std::sqrt(va + vb);
    r.df = (va + vb) * (va + vb) / (va * va / (na - 1) + vb * vb / (nb - 1));
    boost::math::students_t dist(r.df);
    r.p = std::min(1.0, 2 * boost::math::cdf(boost::math::complement(dist, std::fabs(r.t))));
    return r;
}

MannWhitneyResult mann_whitney_u(std::span<const double> a, std::span<const double> b, MannWhitneyMethod method) {
    if (a.empty() || b.empty()) throw Error("the Mann-Whitney U test needs at least 1 value in each set");
    double n1 = double(a.size()), n2 = double(b.size());
    double tie_term = 0;
    std::vector<double> rank = joint_ranks(a, b, tie_term);
    double r1 = std::accumulate(rank.begin(), rank.begin() + std::ptrdiff_t(a.size()), 0.0);
    MannWhitneyResult r;
    r.u = r1 - n1 * (n1 + 1) / 2;
    double u = std::max(r.u, n1 * n2 - r.u);  // two-sided: the larger U, doubled tail
    if (method == MannWhitneyMethod::automatic)
        method = (a.size() > 8 && b.size() > 8) || tie_term > 0 ? MannWhitneyMethod::asymptotic
                                                               : MannWhitneyMethod::exact;
    if (method == MannWhitneyMethod::exact) {
        r.exact = true;
        r.p = std::min(1.0, 2 * mann_whitney_exact_sf(long(u), long(a.size()), long(b.size())));
        return r;
    }
    double n = n1 + n2;
    double sigma = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    if (!(sigma > 0)) {  // every value tied: no evidence of a difference
        r.p = 1;
        return r;
    }
    double z = (u - n1 * n2 / 2 - 0.5) / sigma;  // with continuity correction
    boost::math::normal norm;
    r.p = std::clamp(2 * boost::math::cdf(boost::math::complement(norm, z)), 0.0, 1.0);
    return r;
}

AnovaResult one_way_anova(std::span<const std::vector<double>> groups) {
    if (groups.size() < 2) throw Error("ANOVA needs at least 2 groups, got " + std::to_string(groups.size()));
    size_t total = 0;
    double grand_sum = 0;
    for (const auto &g : groups) {
        if (g.empty()) throw Error("ANOVA: a group has no values");
        total += g.size();
        for (double v : g) grand_sum += v;
    }
    if (total <= groups.size()) throw Error("ANOVA needs more values than groups");
    double grand = grand_sum / double(total);
    double ss_between = 0, ss_within = 0;
    for (const auto &g : groups) {
        double m = mean(g);
        ss_between += double(g.size()) * (m - grand) * (m - grand);
        for (double v : g) ss_within += (v - m) * (v - m);
    }
    AnovaResult r;
    r.df_between = double(groups.size() - 1);
    r.df_within = double(total - groups.size());
    if (ss_within == 0) {
        r.f = ss_between == 0 ? 0 : kInf;
        r.p = ss_between == 0 ? 1 : 0;
        return r;
    }
    r.f = (ss_between / r.df_between) / (ss_within / r.df_within);
    boost::math::fisher_f dist(r.df_between, r.df_within);
    r.p = boost::math::cdf(boost::math::complement(dist, r.f));
    return r;
}

double cohens_d(std::span<const double> a, std::span<const double> b) {
    double na = double(a.size()), nb = double(b.size());
    if (a.empty() || b.empty() || na + nb <= 2) throw Error("Cohen's d needs more than 2 values in all");
    double ss = (a.size() > 1 ? (na - 1) * variance(a) : 0) + (b.size() > 1 ? (nb - 1) * variance(b) : 0);
    double pooled = std::sqrt(ss / (na + nb - 2));
    double diff = mean(b) - mean(a);
    if (pooled == 0) return diff == 0 ? 0 : std::copysign(kInf, diff);
    return diff / pooled;
}

const char *effect_size_label(double d) {
    double m = std::fabs(d);
    return m < 0.2 ? "negligible" : m < 0.5 ? "small" : m < 0.8 ? "medium" : "large";
}

const char *verdict_name(Verdict v) {
    switch (v) {
    case Verdict::no_change: return "no significant change";
    case Verdict::regression: return "regression";
    case Verdict::improvement: return "improvement";
    }
    return "?";
}

std::string format_p_value(double p) {
    if (std::isnan(p)) return "p=n/a";
    if (p < 0.001) return "p < 0.001";
    char buf[32];
    std::snprintf(buf, sizeof buf, "p=%.3g", p);
    return buf;
}

std::string Comparison::describe(std::string_view metric) const {
    char change[32];
    if (std::isfinite(change_percent))
        std::snprintf(change, sizeof change, "%+.1f%%", change_percent);
    else
        std::snprintf(change, sizeof change, "n/a%%");
    return std::string(verdict_name(verdict)) + ": " + std::string(metric) + " " + change + " (" +
           format_p_value(welch.p) + ")";
}

Comparison compare_to_baseline(std::span<const double> baseline, std::span<const double> current, double confidence,
                               Better better, double min_change_percent) {
    if (!(confidence > 0 && confidence < 1))
        throw Error("confidence level must be between 0 and 1 (exclusive), got " + std::to_string(confidence));
    Comparison c;
    c.n_baseline = baseline.size();
    c.n_current = current.size();
    c.confidence = confidence;
    c.welch = welch_t_test(current, baseline);
    c.mann_whitney = mann_whitney_u(current, baseline);
    c.baseline_mean = mean(baseline);
    c.current_mean = mean(current);
    c.change_percent = c.baseline_mean == 0 ? std::numeric_limits<double>::quiet_NaN()
                                            : (c.current_mean - c.baseline_mean) / std::fabs(c.baseline_mean) * 100;
    c.effect_size = cohens_d(baseline, current);
    bool big_enough = std::isnan(c.change_percent) || std::fabs(c.change_percent) >= min_change_percent;
    c.significant = c.welch.p < 1 - confidence && big_enough && c.current_mean != c.baseline_mean;
    if (c.significant) {
        bool went_up = c.current_mean > c.baseline_mean;
        c.verdict = went_up == (better == Better::higher) ? Verdict::improvement : Verdict::regression;
    }
    return c;
}

}  // namespace netperf::stats
