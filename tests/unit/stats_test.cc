// Tests of the statistics engine (core/stats): every statistic against the
// SciPy/numpy values in tests/data/stats/reference.json (made by
// tests/unit/stats_reference.py), plus the behaviour at the edges.
#include <netperf/significance.h>
#include <netperf/stats.h>
#include <netperf/stats_plot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <netperf/error.h>

using namespace netperf::stats;
using nlohmann::json;

namespace {

// Relative agreement required with SciPy.
constexpr double kRel = 1e-6;

// Shapiro-Wilk is the exception. SciPy runs AS R94 in single precision
// (REAL, float32): its W carries the rounding of float32 sums over n terms,
// up to n * 2^-24 relative, so W is compared within that bound (and never
// more tightly than kRel). The p-value is checked by feeding SciPy's W into
// shapiro_wilk_p_value: what is left is float32's rounding of W itself, about
// 2^-24 / (1 - W) relative in 1 - W, well inside 1e-4.
double shapiro_w_tolerance(size_t n) { return std::max(kRel, double(n) * 0x1p-24); }
constexpr double kShapiroP = 1e-4;

const json &reference() {
    static const json ref = [] {
        const char *dir = std::getenv("NETPERF_TEST_DATA");
        std::string path = std::string(dir ? dir : "tests/data") + "/stats/reference.json";
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open " + path + " (set NETPERF_TEST_DATA)");
        return json::parse(in);
    }();
    return ref;
}

std::vector<double> data_set(const std::string &name) { return reference()["data"][name].get<std::vector<double>>(); }

::testing::AssertionResult Near(double actual, double expected, double rel, const std::string &what) {
    double tol = rel * std::max(std::fabs(expected), 1e-300);
    if (std::fabs(actual - expected) <= tol) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << what << ": got " << std::setprecision(17) << actual << ", SciPy "
                                         << expected << " (relative error " << std::fabs(actual - expected) / std::fabs(expected)
                                         << ", allowed " << rel << ")";
}

}  // namespace

TEST(StatsReference, FileIsThere) {
    ASSERT_NO_THROW(reference());
    EXPECT_GE(reference()["describe"].size(), 10u);
    EXPECT_GE(reference()["compare"].size(), 5u);
}

TEST(StatsReference, DescriptiveStatistics) {
    for (auto &[name, ref] : reference()["describe"].items()) {
        SCOPED_TRACE(name);
        std::vector<double> x = data_set(name);
        Summary s = describe(x);
        EXPECT_EQ(s.n, ref["n"].get<size_t>());
        EXPECT_TRUE(Near(mean(x), ref["mean"], kRel, "mean"));
        EXPECT_TRUE(Near(s.mean, ref["mean"], kRel, "describe().mean"));
        EXPECT_EQ(s.min, ref["min"].get<double>());
        EXPECT_EQ(s.max, ref["max"].get<double>());
        EXPECT_TRUE(Near(median(x), ref["median"], kRel, "median"));
        EXPECT_TRUE(Near(s.median, ref["median"], kRel, "describe().median"));
        EXPECT_TRUE(Near(variance(x), ref["variance"], kRel, "variance"));
        EXPECT_TRUE(Near(s.variance, ref["variance"], kRel, "describe().variance"));
        EXPECT_TRUE(Near(stddev(x), ref["stddev"], kRel, "stddev"));
        EXPECT_TRUE(Near(coefficient_of_variation(x), ref["cv"], kRel, "cv"));
        EXPECT_TRUE(Near(s.cv, ref["cv"], kRel, "describe().cv"));
        for (auto &pv : ref["percentiles"]) {
            double p = pv[0].get<double>();
            EXPECT_TRUE(Near(percentile(x, p), pv[1], kRel, "percentile " + std::to_string(p)));
            if (p == 25) {
                EXPECT_TRUE(Near(s.q1, pv[1], kRel, "q1"));
            }
            if (p == 75) {
                EXPECT_TRUE(Near(s.q3, pv[1], kRel, "q3"));
            }
        }
    }
}

TEST(StatsReference, StudentTInterval) {
    for (auto &[name, ref] : reference()["describe"].items()) {
        SCOPED_TRACE(name);
        std::vector<double> x = data_set(name);
        for (auto &iv : ref["t_interval"]) {
            Interval ci = mean_ci(x, iv[0].get<double>());
            EXPECT_TRUE(Near(ci.lower, iv[1], kRel, "t interval lower"));
            EXPECT_TRUE(Near(ci.upper, iv[2], kRel, "t interval upper"));
            EXPECT_TRUE(Near(ci.estimate, ref["mean"], kRel, "t interval centre"));
        }
    }
}

// Same seed and resample count as scipy.stats.bootstrap with
// RandomState(seed): the same resamples, hence the same interval.
TEST(StatsReference, BootstrapInterval) {
    for (auto &[name, ref] : reference()["describe"].items()) {
        SCOPED_TRACE(name);
        std::vector<double> x = data_set(name);
        int resamples = ref["bootstrap_resamples"].get<int>();
        uint32_t seed = ref["bootstrap_seed"].get<uint32_t>();
        for (auto &iv : ref["bootstrap_interval"]) {
            Interval ci = bootstrap_mean_ci(x, iv[0].get<double>(), resamples, seed);
            EXPECT_TRUE(Near(ci.lower, iv[1], kRel, "bootstrap lower"));
            EXPECT_TRUE(Near(ci.upper, iv[2], kRel, "bootstrap upper"));
        }
    }
}

TEST(StatsReference, Outliers) {
    for (auto &[name, ref] : reference()["describe"].items()) {
        SCOPED_TRACE(name);
        std::vector<double> x = data_set(name);
        for (auto &[method, indices] : ref["outliers"].items()) {
            SCOPED_TRACE(method);
            OutlierReport r = find_outliers(x, *parse_outlier_method(method), false);
            EXPECT_EQ(r.outliers, indices.get<std::vector<size_t>>());
        }
    }
}

TEST(StatsReference, ShapiroWilk) {
    int checked = 0;
    for (auto &[name, ref] : reference()["describe"].items()) {
        if (!ref.contains("shapiro")) continue;
        SCOPED_TRACE(name);
        ShapiroWilkResult r = shapiro_wilk(data_set(name));
        size_t n = data_set(name).size();
        EXPECT_TRUE(Near(r.w, ref["shapiro"]["w"], shapiro_w_tolerance(n), "W"));
        EXPECT_TRUE(Near(shapiro_wilk_p_value(ref["shapiro"]["w"].get<double>(), n), ref["shapiro"]["p"], kShapiroP,
                         "p of SciPy's W"));
        EXPECT_TRUE(r.p_accurate);
        checked++;
    }
    EXPECT_GE(checked, 10);
}

// For n = 3 W and its p-value have closed forms, a check in double
// precision independent of SciPy: the coefficients are (-1/sqrt 2, 0,
// 1/sqrt 2), so W = (x3 - x1)^2 / 2 / sum (x - mean)^2, and
// p = 6/pi (asin(sqrt W) - asin(sqrt 3/4)).
TEST(Stats, ShapiroWilkClosedFormForThree) {
    for (std::vector<double> x : {std::vector<double>{54165.03, 55193.70, 53536.78}, {1, 2, 4}, {10, 10.5, 30}}) {
        std::vector<double> s = x;
        std::sort(s.begin(), s.end());
        double m = (s[0] + s[1] + s[2]) / 3;
        double ss = (s[0] - m) * (s[0] - m) + (s[1] - m) * (s[1] - m) + (s[2] - m) * (s[2] - m);
        double w = (s[2] - s[0]) * (s[2] - s[0]) / 2 / ss;
        double p = 6 / M_PI * (std::asin(std::sqrt(w)) - std::asin(std::sqrt(0.75)));
        ShapiroWilkResult r = shapiro_wilk(x);
        EXPECT_NEAR(r.w, w, 1e-12);
        EXPECT_NEAR(r.p, std::max(p, 0.0), 1e-12);
    }
}

TEST(StatsReference, Histogram) {
    for (auto &[name, ref] : reference()["describe"].items()) {
        SCOPED_TRACE(name);
        std::vector<double> x = data_set(name);
        for (auto key : {"histogram_sturges", "histogram7"}) {
            auto counts = ref[key]["counts"].get<std::vector<size_t>>();
            HistogramBins h = histogram_bins(x, key == std::string("histogram7") ? 7 : sturges_bins(x.size()));
            EXPECT_EQ(h.counts, counts) << key;
            ASSERT_EQ(h.edges.size(), ref[key]["edges"].size());
            for (size_t i = 0; i < h.edges.size(); i++)
                EXPECT_TRUE(Near(h.edges[i], ref[key]["edges"][i], kRel, std::string(key) + " edge"));
        }
    }
}

TEST(StatsReference, TwoSampleTests) {
    for (auto &ref : reference()["compare"]) {
        std::string cur = ref["current"], base = ref["baseline"];
        SCOPED_TRACE(cur + " vs " + base);
        std::vector<double> a = data_set(cur), b = data_set(base);
        WelchResult w = welch_t_test(a, b);
        EXPECT_TRUE(Near(w.t, ref["welch_t"], kRel, "Welch t"));
        EXPECT_TRUE(Near(w.df, ref["welch_df"], kRel, "Welch df"));
        EXPECT_TRUE(Near(w.p, ref["welch_p"], kRel, "Welch p"));
        MannWhitneyResult mw = mann_whitney_u(a, b);
        EXPECT_TRUE(Near(mw.u, ref["mann_whitney_u"], kRel, "Mann-Whitney U"));
        EXPECT_TRUE(Near(mw.p, ref["mann_whitney_p"], kRel, "Mann-Whitney p (auto)"));
        EXPECT_TRUE(Near(mann_whitney_u(a, b, MannWhitneyMethod::asymptotic).p, ref["mann_whitney_asymptotic_p"], kRel,
                         "Mann-Whitney p (asymptotic)"));
        if (ref.contains("mann_whitney_exact_p")) {
            MannWhitneyResult ex = mann_whitney_u(a, b, MannWhitneyMethod::exact);
            EXPECT_TRUE(ex.exact);
            EXPECT_TRUE(Near(ex.p, ref["mann_whitney_exact_p"], kRel, "Mann-Whitney p (exact)"));
        }
        EXPECT_TRUE(Near(cohens_d(b, a), ref["cohens_d"], kRel, "Cohen's d"));
        Comparison c = compare_to_baseline(b, a, 0.95, Better::higher);
        EXPECT_TRUE(Near(c.change_percent, ref["change_percent"], kRel, "change %"));
        EXPECT_TRUE(Near(c.welch.p, ref["welch_p"], kRel, "comparison p"));
        EXPECT_TRUE(Near(c.effect_size, ref["cohens_d"], kRel, "comparison effect size"));
    }
}

TEST(StatsReference, Anova) {
    for (auto &ref : reference()["anova"]) {
        std::vector<std::vector<double>> groups;
        std::string names;
        for (auto &g : ref["groups"]) {
            groups.push_back(data_set(g));
            names += g.get<std::string>() + " ";
        }
        SCOPED_TRACE(names);
        AnovaResult r = one_way_anova(groups);
        EXPECT_TRUE(Near(r.f, ref["f"], kRel, "F"));
        EXPECT_TRUE(Near(r.p, ref["p"], kRel, "p"));
        EXPECT_EQ(r.df_between, double(groups.size() - 1));
    }
}

// --- behaviour at the edges ---

TEST(Stats, SmallAndEmptySamples) {
    std::vector<double> one = {42.0};
    EXPECT_EQ(mean(one), 42.0);
    EXPECT_TRUE(std::isnan(variance(one)));
    EXPECT_TRUE(std::isnan(coefficient_of_variation(one)));
    EXPECT_EQ(percentile(one, 99), 42.0);
    Summary s = describe(one);
    EXPECT_EQ(s.n, 1u);
    EXPECT_EQ(s.median, 42.0);
    EXPECT_TRUE(std::isnan(s.stddev));
    EXPECT_THROW(describe(std::vector<double>{}), netperf::Error);
    EXPECT_THROW(percentile(one, 101), netperf::Error);
    EXPECT_THROW(mean_ci(one, 0.95), netperf::Error);
    EXPECT_THROW(mean_ci(std::vector<double>{1, 2}, 95), netperf::Error);  // a percentage, not a fraction
}

TEST(Stats, PercentileInterpolatesLinearly) {
    std::vector<double> x = {40, 10, 30, 20};  // sorted 10 20 30 40, h = 3p/100
    EXPECT_DOUBLE_EQ(percentile(x, 0), 10);
    EXPECT_DOUBLE_EQ(percentile(x, 50), 25);
    EXPECT_DOUBLE_EQ(percentile(x, 90), 37);
    EXPECT_DOUBLE_EQ(percentile(x, 100), 40);
}

TEST(Stats, IntervalOfConstantSampleHasZeroWidth) {
    std::vector<double> x(5, 7.5);
    Interval ci = mean_ci(x, 0.99);
    EXPECT_EQ(ci.lower, 7.5);
    EXPECT_EQ(ci.upper, 7.5);
    EXPECT_EQ(ci.half_width(), 0);
}

TEST(Stats, BootstrapIsReproducibleBySeed) {
    std::vector<double> x = data_set("skewed30");
    Interval a = bootstrap_mean_ci(x, 0.95, 500, 7), b = bootstrap_mean_ci(x, 0.95, 500, 7);
    Interval c = bootstrap_mean_ci(x, 0.95, 500, 8);
    EXPECT_EQ(a.lower, b.lower);
    EXPECT_EQ(a.upper, b.upper);
    EXPECT_NE(a.lower, c.lower);
    EXPECT_LT(a.lower, mean(x));
    EXPECT_GT(a.upper, mean(x));
    EXPECT_THROW(bootstrap_mean_ci(x, 0.95, 0, 1), netperf::Error);
}

TEST(Stats, OutlierRemovalReportsCount) {
    std::vector<double> x = data_set("outliers100");
    OutlierReport kept = find_outliers(x, OutlierMethod::mad, false);
    EXPECT_EQ(kept.describe(), "2/100 kept");
    EXPECT_EQ(kept.kept.size(), 100u);
    OutlierReport removed = find_outliers(x, OutlierMethod::mad, true);
    EXPECT_EQ(removed.describe(), "2/100 removed");
    ASSERT_EQ(removed.kept.size(), 98u);
    for (double v : removed.kept) {
        EXPECT_NE(v, 8200.0);
        EXPECT_NE(v, 10900.0);
    }
    EXPECT_GT(removed.lower_fence, 8200);
    EXPECT_LT(removed.upper_fence, 10900);
    for (double v : removed.kept) {
        EXPECT_GE(v, removed.lower_fence);
        EXPECT_LE(v, removed.upper_fence);
    }
    EXPECT_EQ(find_outliers(x, OutlierMethod::none, true).describe(), "0/100 removed");
    EXPECT_EQ(outlier_method_name(OutlierMethod::zscore), std::string("zscore"));
    EXPECT_FALSE(parse_outlier_method("grubbs").has_value());
}

TEST(Stats, MadOutliersWhenMostValuesAreEqual) {
    // MAD is 0 here; the mean-absolute-deviation fallback still flags 1000.
    std::vector<double> x = {5, 5, 5, 5, 5, 5, 6, 1000};
    OutlierReport r = find_outliers(x, OutlierMethod::mad, true);
    ASSERT_EQ(r.outliers, (std::vector<size_t>{7}));
    EXPECT_EQ(r.kept.size(), 7u);
    std::vector<double> flat(6, 3.0);
    for (auto m : {OutlierMethod::iqr, OutlierMethod::zscore, OutlierMethod::mad})
        EXPECT_TRUE(find_outliers(flat, m, true).outliers.empty()) << outlier_method_name(m);
}

TEST(Stats, WelchWithoutVariance) {
    std::vector<double> a(4, 10.0), b(4, 12.0);
    WelchResult w = welch_t_test(a, b);
    EXPECT_EQ(w.p, 0);
    EXPECT_TRUE(std::isinf(w.t) && w.t < 0);
    EXPECT_EQ(welch_t_test(a, a).p, 1);
    EXPECT_THROW(welch_t_test(std::vector<double>{1}, b), netperf::Error);
}

TEST(Stats, MannWhitneyEdgeCases) {
    std::vector<double> a = {1, 2, 3}, b = {4, 5, 6};
    MannWhitneyResult r = mann_whitney_u(a, b);
    EXPECT_TRUE(r.exact);
    EXPECT_EQ(r.u, 0);
    EXPECT_DOUBLE_EQ(r.p, 0.1);  // 2 * 1/C(6,3)
    std::vector<double> same(5, 2.0);
    EXPECT_EQ(mann_whitney_u(same, same).p, 1);
    EXPECT_THROW(mann_whitney_u(std::vector<double>{}, a), netperf::Error);
}

TEST(Stats, AnovaEdgeCases) {
    std::vector<std::vector<double>> flat = {{1, 1, 1}, {1, 1}}, apart = {{1, 1, 1}, {2, 2}};
    EXPECT_EQ(one_way_anova(flat).p, 1);
    EXPECT_EQ(one_way_anova(apart).p, 0);
    std::vector<std::vector<double>> one = {{1, 2, 3}};
    EXPECT_THROW(one_way_anova(one), netperf::Error);
    std::vector<std::vector<double>> empty_group = {{1, 2}, {}};
    EXPECT_THROW(one_way_anova(empty_group), netperf::Error);
}

TEST(Stats, ShapiroWilkNeedsThreeDistinctValues) {
    EXPECT_THROW(shapiro_wilk(std::vector<double>{1, 2}), netperf::Error);
    EXPECT_THROW(shapiro_wilk(std::vector<double>{4, 4, 4, 4}), netperf::Error);
    // Normal scores are as normal as it gets; an exponential-like tail is not.
    EXPECT_GT(shapiro_wilk(data_set("large1000")).p, 0.05);
    EXPECT_LT(shapiro_wilk(data_set("skewed30")).p, 0.05);
    std::vector<double> big(6000);
    for (size_t i = 0; i < big.size(); i++) big[i] = double(i % 97);
    EXPECT_FALSE(shapiro_wilk(big).p_accurate);
    EXPECT_EQ(shapiro_wilk_p_value(1.0, 20), 1.0);
    EXPECT_EQ(shapiro_wilk_p_value(1.0, 8), 1.0);
    EXPECT_EQ(shapiro_wilk_p_value(0.75, 3), 0.0);  // the smallest W for n = 3
    EXPECT_THROW(shapiro_wilk_p_value(0.9, 2), netperf::Error);
}

TEST(Stats, PValueFormatting) {
    EXPECT_EQ(format_p_value(0.0004), "p < 0.001");
    EXPECT_EQ(format_p_value(0.003), "p=0.003");
    EXPECT_EQ(format_p_value(0.4213), "p=0.421");
    EXPECT_EQ(format_p_value(1), "p=1");
}

TEST(Stats, RegressionVerdicts) {
    std::vector<double> base = data_set("rr50"), slower = data_set("rr50_slower");
    Comparison c = compare_to_baseline(base, slower, 0.95, Better::higher);
    EXPECT_TRUE(c.significant);
    EXPECT_EQ(c.verdict, Verdict::regression);
    EXPECT_LT(c.change_percent, -1.0);
    EXPECT_LT(c.effect_size, -0.8);
    EXPECT_STREQ(effect_size_label(c.effect_size), "large");
    char expect[64];
    std::snprintf(expect, sizeof expect, "regression: throughput %.1f%% (p < 0.001)", c.change_percent);
    EXPECT_EQ(c.describe("throughput"), expect);

    // The other way round, and for a metric where lower is better.
    EXPECT_EQ(compare_to_baseline(slower, base, 0.95, Better::higher).verdict, Verdict::improvement);
    EXPECT_EQ(compare_to_baseline(base, slower, 0.95, Better::lower).verdict, Verdict::improvement);
    // A minimum change larger than the move suppresses the verdict.
    EXPECT_EQ(compare_to_baseline(base, slower, 0.95, Better::higher, 5.0).verdict, Verdict::no_change);
    // Identical sets: no change, p = 1.
    Comparison same = compare_to_baseline(base, base, 0.99, Better::higher);
    EXPECT_EQ(same.verdict, Verdict::no_change);
    EXPECT_FALSE(same.significant);
    EXPECT_DOUBLE_EQ(same.welch.p, 1);
    EXPECT_EQ(same.describe("throughput"), "no significant change: throughput +0.0% (p=1)");
}

TEST(Stats, HistogramRendering) {
    std::vector<double> x = data_set("outliers100");
    std::string h = render_histogram(x, 8, 30);
    std::istringstream in(h);
    std::string line;
    size_t lines = 0, total = 0, longest = 0;
    while (std::getline(in, line)) {
        lines++;
        total += std::stoul(line.substr(line.find_last_of(' ') + 1));
        longest = std::max(longest, size_t(std::count(line.begin(), line.end(), '#')));
        EXPECT_EQ(line[0], '[');
    }
    EXPECT_EQ(lines, 8u);
    EXPECT_EQ(total, x.size());
    EXPECT_EQ(longest, 30u);
    EXPECT_EQ(h.back(), '\n');
    // bins = 0: Sturges, ceil(log2 100) + 1 = 8.
    std::string sturges = render_histogram(x, 0, 30);
    EXPECT_EQ(std::count(sturges.begin(), sturges.end(), '\n'), 8);
    EXPECT_EQ(sturges_bins(100), 8);
}

TEST(Stats, BoxPlotRendering) {
    // A normal sample: whisker, box edges around the median, whisker.
    std::string normal = render_box_plot(data_set("rr50"), 60);
    std::string row = normal.substr(0, normal.find('\n'));
    EXPECT_EQ(row.size(), 60u);
    EXPECT_EQ(row.front(), '|');
    EXPECT_EQ(row.back(), '|');
    size_t open = row.find('['), close = row.find(']'), med = row.find('|', open);
    ASSERT_NE(open, std::string::npos);
    ASSERT_NE(close, std::string::npos);
    EXPECT_LT(open, med);
    EXPECT_LT(med, close);

    // Outliers beyond the whiskers are drawn as 'o' and counted.
    std::vector<double> x = data_set("outliers100");
    std::string b = render_box_plot(x, 60);
    std::string first = b.substr(0, b.find('\n'));
    EXPECT_EQ(first.size(), 60u);
    EXPECT_EQ(first.front(), 'o');  // 8200 is the minimum and an outlier
    EXPECT_EQ(first.back(), 'o');   // so is 10900, the maximum
    EXPECT_NE(b.find("(3 values beyond the 1.5 IQR whiskers)"), std::string::npos);  // the IQR outliers
    EXPECT_NE(b.find("8200"), std::string::npos);
    // A constant sample still draws.
    std::vector<double> flat(4, 1.0);
    EXPECT_NE(render_box_plot(flat, 10).find('|'), std::string::npos);
}

// Sorted input takes the O(n) paths (no sort, merged ranks, selection);
// every statistic must come out the same as from the unsorted input.
TEST(Stats, SortedInputGivesTheSameResults) {
    std::vector<double> a = data_set("ties40_shift"), b = data_set("ties40");
    std::vector<double> sa = a, sb = b;
    std::sort(sa.begin(), sa.end());
    std::sort(sb.begin(), sb.end());
    MannWhitneyResult u = mann_whitney_u(a, b), su = mann_whitney_u(sa, sb);
    EXPECT_EQ(u.u, su.u);
    EXPECT_DOUBLE_EQ(u.p, su.p);
    EXPECT_DOUBLE_EQ(shapiro_wilk(a).w, shapiro_wilk(sa).w);
    for (double p : {0.0, 2.5, 50.0, 97.5, 100.0}) EXPECT_EQ(percentile(a, p), percentile(sa, p)) << p;
    EXPECT_EQ(render_box_plot(a, 40), render_box_plot(sa, 40));
    EXPECT_EQ(find_outliers(a, OutlierMethod::mad, false).outliers.size(),
              find_outliers(sa, OutlierMethod::mad, false).outliers.size());
}
