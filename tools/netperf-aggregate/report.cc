// netperf-aggregate's analysis and output (report.h).
#include "report.h"

#include <algorithm>
#include <cmath>

#include <netperf/error.h>

namespace netperf::aggregate {

namespace {

using namespace netperf::stats;

// Decimals for values around m: four significant digits before the point
// need one after it, smaller values more.
int decimals_for(double m) {
    if (!std::isfinite(m) || m == 0) return 2;
    return std::clamp(3 - int(std::floor(std::log10(std::fabs(m)))), 1, 6);
}

std::string num(double v, int decimals) {
    if (std::isnan(v)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string with_units(const std::string &s, const std::string &units) { return units.empty() ? s : s + " " + units; }

std::string file_list(const std::vector<std::string> &files) {
    std::string out;
    for (size_t i = 0; i < files.size() && i < 4; i++) out += (i ? ", " : "") + files[i];
    if (files.size() > 4) out += ", ... (" + std::to_string(files.size()) + " files)";
    return out;
}

int level_percent(double confidence) { return int(std::lround(confidence * 100)); }

// JSON number or null (NaN and infinities are not JSON numbers).
nlohmann::json jnum(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

nlohmann::json interval_json(const std::optional<Interval> &ci) {
    if (!ci) return nullptr;
    return {{"level", ci->level}, {"lower", jnum(ci->lower)}, {"upper", jnum(ci->upper)},
            {"half_width", jnum(ci->half_width())}};
}

}  // namespace

Analysis analyze(const std::vector<ResultSet> &sets, bool has_baseline, const AnalysisOptions &o) {
    Analysis a;
    for (const ResultSet &rs : sets) {
        SetAnalysis s;
        s.set = rs;
        s.outliers = find_outliers(rs.values, o.outliers, o.remove_outliers);
        s.used = s.outliers.kept;
        if (s.used.empty()) throw Error(rs.name + ": no values left after removing outliers");
        // Sorted once: the statistics below see sorted input and skip their own sort.
        s.sorted = s.used;
        std::sort(s.sorted.begin(), s.sorted.end());
        s.summary = describe(s.sorted);
        for (int p : kPercentiles) s.percentiles.push_back(percentile_sorted(s.sorted, p));
        if (s.sorted.size() >= 2) s.ci = mean_ci(s.sorted, o.confidence);
        // In file order, so a seed gives the resamples SciPy would draw.
        if (o.bootstrap > 0) s.bootstrap = bootstrap_mean_ci(s.used, o.confidence, o.bootstrap, o.seed);
        if (s.sorted.size() < 3)
            s.normality_note = "Shapiro-Wilk needs 3 values";
        else if (s.summary.min == s.summary.max)
            s.normality_note = "all values are equal";
        else
            s.normality = shapiro_wilk(s.sorted);
        s.histogram = histogram_bins(s.sorted, o.bins > 0 ? o.bins : sturges_bins(s.sorted.size()));
        a.sets.push_back(std::move(s));
    }
    if (has_baseline && a.sets.size() >= 2) {
        const auto &base = a.sets[0].sorted, &cur = a.sets[1].sorted;
        if (base.size() < 2 || cur.size() < 2)
            a.comparison_note = "needs at least 2 values in each set";
        else
            a.comparison = compare_to_baseline(base, cur, o.confidence, o.better, o.min_change_percent);
    }
    if (a.sets.size() >= 3) {
        std::vector<std::vector<double>> groups;
        for (const auto &s : a.sets) groups.push_back(s.sorted);
        size_t total = 0;
        for (const auto &g : groups) total += g.size();
        if (total > groups.size()) a.anova = one_way_anova(groups);
    }
    return a;
}

void print_human(std::FILE *out, const Analysis &a, const AnalysisOptions &o, bool plot) {
    const int level = level_percent(o.confidence);
    for (const SetAnalysis &s : a.sets) {
        const Summary &m = s.summary;
        const std::string &u = s.set.units;
        int d = decimals_for(m.mean);
        std::fprintf(out, "== %s: %zu value%s from %s\n", s.set.name.c_str(), s.set.values.size(),
                     s.set.values.size() == 1 ? "" : "s", file_list(s.set.files).c_str());
        if (s.ci)
            std::fprintf(out, "Mean with %d%% CI: %s ± %s\n", level, num(m.mean, d).c_str(),
                         with_units(num(s.ci->half_width(), d), u).c_str());
        else
            std::fprintf(out, "Mean: %s (one value: no interval)\n", with_units(num(m.mean, d), u).c_str());
        if (s.bootstrap)
            std::fprintf(out, "Bootstrap %d%% CI: [%s, %s] (%d resamples, seed %u)\n", level,
                         num(s.bootstrap->lower, d).c_str(), with_units(num(s.bootstrap->upper, d), u).c_str(),
                         o.bootstrap, unsigned(o.seed));
        std::fprintf(out, "Standard deviation: %s\n", with_units(num(m.stddev, d), u).c_str());
        std::fprintf(out, "Coefficient of variation: %s\n", std::isnan(m.cv) ? "n/a" : (num(m.cv * 100, 1) + "%").c_str());
        std::fprintf(out, "Median: %s\n", with_units(num(m.median, d), u).c_str());
        std::fprintf(out, "Percentiles:");
        for (size_t i = 0; i < std::size(kPercentiles); i++)
            std::fprintf(out, " p%d=%s", kPercentiles[i], num(s.percentiles[i], d).c_str());
        std::fprintf(out, "\n");
        std::fprintf(out, "Min / max: %s / %s\n", num(m.min, d).c_str(), with_units(num(m.max, d), u).c_str());
        std::fprintf(out, "Outliers detected: %zu/%zu (%s)", s.outliers.outliers.size(), s.outliers.total,
                     s.outliers.removed ? "removed" : "kept");
        if (o.outliers == OutlierMethod::none)
            std::fprintf(out, ", detection off\n");
        else if (std::isfinite(s.outliers.lower_fence))
            std::fprintf(out, " by %s, outside [%s, %s]\n", outlier_method_name(o.outliers),
                         num(s.outliers.lower_fence, d).c_str(), num(s.outliers.upper_fence, d).c_str());
        else
            std::fprintf(out, " by %s\n", outlier_method_name(o.outliers));
        if (s.normality) {
            bool normal = s.normality->p >= 1 - o.confidence;
            std::fprintf(out, "Normal distribution: %s (Shapiro-Wilk %s%s)\n", normal ? "Yes" : "No",
                         format_p_value(s.normality->p).c_str(),
                         s.normality->p_accurate ? "" : ", approximate above 5000 values");
            if (!normal && !s.bootstrap && s.used.size() >= 2)
                std::fprintf(out, "  (not normal: the t interval may mislead; --bootstrap 10000 gives one that does not assume normality)\n");
        } else {
            std::fprintf(out, "Normal distribution: n/a (%s)\n", s.normality_note.c_str());
        }
        if (plot) {
            std::fprintf(out, "Histogram:\n%s", render_histogram(s.sorted, o.bins, 40).c_str());
            std::fprintf(out, "Box plot:\n%s", render_box_plot(s.sorted, 60).c_str());
        }
    }
    if (a.comparison) {
        const Comparison &c = *a.comparison;
        int d = decimals_for(c.baseline_mean);
        const std::string &u = a.sets[1].set.units;
        std::fprintf(out, "== %s vs %s (%d%% confidence, %s is better)\n", a.sets[1].set.name.c_str(),
                     a.sets[0].set.name.c_str(), level, o.better == Better::higher ? "higher" : "lower");
        std::fprintf(out, "Significance vs baseline: %s (Welch t=%.3f, df=%.1f)\n", format_p_value(c.welch.p).c_str(),
                     c.welch.t, c.welch.df);
        std::fprintf(out, "Mann-Whitney U: U=%g, %s (%s)\n", c.mann_whitney.u, format_p_value(c.mann_whitney.p).c_str(),
                     c.mann_whitney.exact ? "exact" : "normal approximation");
        std::fprintf(out, "Effect size: Cohen's d = %.2f (%s)\n", c.effect_size, effect_size_label(c.effect_size));
        char change[32] = "n/a";
        if (std::isfinite(c.change_percent)) std::snprintf(change, sizeof change, "%+.1f%%", c.change_percent);
        std::fprintf(out, "Change: %s (mean %s vs %s)\n", change, num(c.current_mean, d).c_str(),
                     with_units(num(c.baseline_mean, d), u).c_str());
        std::fprintf(out, "Verdict: %s\n", c.describe(o.metric).c_str());
    } else if (!a.comparison_note.empty()) {
        std::fprintf(out, "== %s vs %s\nSignificance vs baseline: n/a (%s)\n", a.sets[1].set.name.c_str(),
                     a.sets[0].set.name.c_str(), a.comparison_note.c_str());
    }
    if (a.anova) {
        std::string names;
        for (const auto &s : a.sets) names += (names.empty() ? "" : ", ") + s.set.name;
        bool differ = a.anova->p < 1 - o.confidence;
        std::fprintf(out, "== ANOVA across %zu sets (%s)\n", a.sets.size(), names.c_str());
        std::fprintf(out, "F=%.3f (df %g, %g), %s: %s\n", a.anova->f, a.anova->df_between, a.anova->df_within,
                     format_p_value(a.anova->p).c_str(),
                     differ ? "the means differ" : "no significant difference between the means");
    }
}

nlohmann::json to_json(const Analysis &a, const AnalysisOptions &o) {
    nlohmann::json j;
    j["field"] = o.metric;
    j["confidence"] = o.confidence;
    j["outlier_method"] = outlier_method_name(o.outliers);
    j["remove_outliers"] = o.remove_outliers;
    j["better"] = o.better == Better::higher ? "higher" : "lower";
    nlohmann::json sets = nlohmann::json::object();
    for (const SetAnalysis &s : a.sets) {
        const Summary &m = s.summary;
        nlohmann::json js;
        js["files"] = s.set.files;
        js["units"] = s.set.units;
        js["n"] = s.set.values.size();
        js["n_used"] = s.used.size();
        js["mean"] = jnum(m.mean);
        js["variance"] = jnum(m.variance);
        js["stddev"] = jnum(m.stddev);
        js["cv"] = jnum(m.cv);
        js["min"] = m.min;
        js["max"] = m.max;
        js["median"] = m.median;
        nlohmann::json pct = nlohmann::json::object();
        for (size_t i = 0; i < std::size(kPercentiles); i++) {
            std::string key = "p";  // appended, not "p" + ...: GCC 12's -Wrestrict false positive (PR 105329)
            key += std::to_string(kPercentiles[i]);
            pct[key] = s.percentiles[i];
        }
        js["percentiles"] = pct;
        js["ci"] = interval_json(s.ci);
        js["bootstrap_ci"] = interval_json(s.bootstrap);
        if (s.bootstrap) {
            js["bootstrap_ci"]["resamples"] = o.bootstrap;
            js["bootstrap_ci"]["seed"] = o.seed;
        }
        js["outliers"] = {{"method", outlier_method_name(s.outliers.method)},
                          {"count", s.outliers.outliers.size()},
                          {"total", s.outliers.total},
                          {"removed", s.outliers.removed},
                          {"indices", s.outliers.outliers},
                          {"lower_fence", jnum(s.outliers.lower_fence)},
                          {"upper_fence", jnum(s.outliers.upper_fence)},
                          {"text", s.outliers.describe()}};
        if (s.normality)
            js["shapiro_wilk"] = {{"w", s.normality->w},
                                  {"p", s.normality->p},
                                  {"normal", s.normality->p >= 1 - o.confidence},
                                  {"p_accurate", s.normality->p_accurate}};
        else
            js["shapiro_wilk"] = {{"skipped", s.normality_note}};
        js["histogram"] = {{"edges", s.histogram.edges}, {"counts", s.histogram.counts}};
        sets[s.set.name] = js;
    }
    j["sets"] = sets;
    if (a.comparison) {
        const Comparison &c = *a.comparison;
        j["comparison"] = {{"current", a.sets[1].set.name},
                           {"baseline", a.sets[0].set.name},
                           {"baseline_mean", c.baseline_mean},
                           {"current_mean", c.current_mean},
                           {"change_percent", jnum(c.change_percent)},
                           {"welch", {{"t", jnum(c.welch.t)}, {"df", jnum(c.welch.df)}, {"p", c.welch.p}}},
                           {"mann_whitney", {{"u", c.mann_whitney.u}, {"p", c.mann_whitney.p}, {"exact", c.mann_whitney.exact}}},
                           {"effect_size", jnum(c.effect_size)},
                           {"effect_size_label", effect_size_label(c.effect_size)},
                           {"significant", c.significant},
                           {"verdict", verdict_name(c.verdict)},
                           {"text", c.describe(o.metric)}};
    } else if (!a.comparison_note.empty()) {
        j["comparison"] = {{"skipped", a.comparison_note}};
    }
    if (a.anova)
        j["anova"] = {{"f", jnum(a.anova->f)},
                      {"df_between", a.anova->df_between},
                      {"df_within", a.anova->df_within},
                      {"p", a.anova->p}};
    return j;
}

void print_csv(std::FILE *out, const Analysis &a, const AnalysisOptions &o) {
    std::fprintf(out, "set,n,n_used,outliers,mean,ci_level,ci_lower,ci_upper,stddev,cv,min,p1,p5,p25,median,p75,p95,"
                      "p99,max,shapiro_w,shapiro_p,units,change_percent,welch_p,mann_whitney_p,effect_size,verdict\n");
    auto g = [](double v) {
        if (!std::isfinite(v)) return std::string();
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.10g", v);
        return std::string(buf);
    };
    auto quoted = [](const std::string &s) {
        if (s.find_first_of(",\"") == std::string::npos) return s;
        std::string q = "\"";
        for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
        return q + "\"";
    };
    for (size_t i = 0; i < a.sets.size(); i++) {
        const SetAnalysis &s = a.sets[i];
        const Summary &m = s.summary;
        auto pct = [&](int p) {
            for (size_t k = 0; k < std::size(kPercentiles); k++)
                if (kPercentiles[k] == p) return g(s.percentiles[k]);
            return std::string();
        };
        std::fprintf(out, "%s,%zu,%zu,%zu,%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s", quoted(s.set.name).c_str(),
                     s.set.values.size(), s.used.size(), s.outliers.outliers.size(), g(m.mean).c_str(),
                     level_percent(o.confidence), s.ci ? g(s.ci->lower).c_str() : "", s.ci ? g(s.ci->upper).c_str() : "",
                     g(m.stddev).c_str(), g(m.cv).c_str(), g(m.min).c_str(), pct(1).c_str(), pct(5).c_str(),
                     pct(25).c_str(), g(m.median).c_str(), pct(75).c_str(), pct(95).c_str(), pct(99).c_str(),
                     g(m.max).c_str(), s.normality ? g(s.normality->w).c_str() : "",
                     s.normality ? g(s.normality->p).c_str() : "", quoted(s.set.units).c_str());
        if (a.comparison && i == 1) {
            const Comparison &c = *a.comparison;
            std::fprintf(out, ",%s,%s,%s,%s,%s\n", g(c.change_percent).c_str(), g(c.welch.p).c_str(),
                         g(c.mann_whitney.p).c_str(), g(c.effect_size).c_str(), verdict_name(c.verdict));
        } else {
            std::fprintf(out, ",,,,,\n");
        }
    }
}

}  // namespace netperf::aggregate
