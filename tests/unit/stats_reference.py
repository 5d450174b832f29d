#!/usr/bin/python3
"""Reference values for the statistics engine, computed with SciPy/numpy.

Writes tests/data/stats/reference.json, which tests/unit/stats_test.cc reads
so the C++ tests need no Python at run time. Regenerate after changing the
data sets or the statistics (and commit the result):

    /usr/bin/python3 tests/unit/stats_reference.py            # writes the file
    /usr/bin/python3 tests/unit/stats_reference.py --check    # compares, exit 1 on drift

tests/integration/test_aggregate.py imports describe_reference() and
compare_reference() from here to check netperf-aggregate's JSON output
against SciPy at test time.

Definitions (the same as core/stats and docs/statistics.md):
  variance/sd: ddof=1; cv: scipy.stats.variation(ddof=1); percentiles:
  numpy.percentile method 'linear'; t interval: scipy.stats.t.interval with
  scale = scipy.stats.sem; bootstrap: scipy.stats.bootstrap(method='percentile',
  random_state=numpy.random.RandomState(seed)); outliers: Tukey fences on
  linear quartiles, |scipy.stats.zscore| > 3 (ddof=0), modified z-score
  0.6745 (x - median) / scipy.stats.median_abs_deviation > 3.5; Welch:
  scipy.stats.ttest_ind(equal_var=False); Mann-Whitney:
  scipy.stats.mannwhitneyu (two-sided); ANOVA: scipy.stats.f_oneway;
  Shapiro-Wilk: scipy.stats.shapiro; histogram: numpy.histogram.
"""
import json
import math
import os
import sys

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "data", "stats", "reference.json")

PERCENTILES = [0, 1, 2.5, 5, 10, 25, 33.3, 50, 75, 90, 95, 97.5, 99, 100]
LEVELS = [0.95, 0.99]
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 12345


def data_sets():
    """Fixed samples shaped like benchmark results: named, rounded like netperf prints them."""
    rs = np.random.RandomState(20240611)
    sets = {
        # TCP_STREAM throughput, 10^6bits/s, ten iterations.
        "stream10": [9410.25, 9388.71, 9502.13, 9450.02, 9377.40, 9466.88, 9421.57, 9398.03, 9489.64, 9433.19],
        # The three smallest Shapiro-Wilk cases (n = 3 exact, n = 4..5 short coefficient branch).
        "n3": [54165.03, 55193.70, 53536.78],
        "n4": [18.41, 18.52, 18.46, 19.90],
        "n5": [12350.77, 13239.31, 12443.86, 11516.86, 12933.77],
        "n7": [59887.78, 57271.61, 58118.48, 55743.95, 54733.32, 54003.40, 56239.11],
        "n11": [148.0, 154.0, 158.0, 160.0, 161.0, 162.0, 166.0, 170.0, 182.0, 195.0, 236.0],
        "n12": list(np.round(rs.normal(50000, 1500, 12), 2)),
        "rr50": list(np.round(rs.normal(57000, 900, 50), 2)),
        "rr50_slower": list(np.round(rs.normal(55800, 900, 50), 2)),
        # Skewed: latencies in microseconds (lognormal), and exponential gaps.
        "latency40": list(np.round(rs.lognormal(math.log(18.0), 0.25, 40), 3)),
        "skewed30": list(np.round(rs.exponential(100.0, 30) + 1000.0, 2)),
        # Normal with two clear outliers among 100.
        "outliers100": list(np.round(np.concatenate([rs.normal(9500, 60, 98), [8200.0, 10900.0]]), 2)),
        # Integer-valued with many ties (P99 latency in whole microseconds).
        "ties40": [float(v) for v in rs.choice([41, 42, 43, 44, 45, 46, 50], 40)],
        "ties40_shift": [float(v) for v in rs.choice([42, 43, 44, 45, 46, 47, 49], 40)],
        # Small samples without ties for the exact Mann-Whitney distribution.
        "small6": [11.2, 12.9, 10.4, 13.3, 12.1, 11.7],
        "small8": [12.5, 13.8, 14.1, 12.8, 15.0, 13.1, 14.6, 13.5],
        "small5": [10.9, 11.5, 12.2, 10.1, 11.8],
        "large1000": list(np.round(rs.normal(1000, 50, 1000), 3)),
    }
    return {k: [float(v) for v in vals] for k, vals in sets.items()}


# (a, b) pairs for the two-sample tests; a is the "current" set, b the baseline.
PAIRS = [
    ("rr50_slower", "rr50"),
    ("stream10", "n5"),
    ("latency40", "skewed30"),
    ("ties40_shift", "ties40"),
    ("small6", "small8"),
    ("small5", "small6"),
    ("n3", "n7"),
    ("outliers100", "stream10"),
]

# Groups for one-way ANOVA.
ANOVA = [
    ["rr50", "rr50_slower", "n7"],
    ["small5", "small6", "small8"],
    ["ties40", "ties40_shift"],
    ["stream10", "outliers100", "n5", "n12"],
]


def _f(x):
    """JSON-safe float (infinities and NaN as strings)."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def describe_reference(values, bootstrap_resamples=BOOTSTRAP_RESAMPLES, seed=BOOTSTRAP_SEED):
    """Everything the engine computes about one sample, the SciPy way."""
    x = np.asarray(values, dtype=np.float64)
    n = len(x)
    r = {
        "n": n,
        "mean": _f(np.mean(x)),
        "min": _f(np.min(x)),
        "max": _f(np.max(x)),
        "median": _f(np.median(x)),
        "percentiles": [[p, _f(np.percentile(x, p))] for p in PERCENTILES],
    }
    if n >= 2:
        r["variance"] = _f(np.var(x, ddof=1))
        r["stddev"] = _f(np.std(x, ddof=1))
        r["cv"] = _f(stats.variation(x, ddof=1))
        r["t_interval"] = []
        r["bootstrap_interval"] = []
        for level in LEVELS:
            lo, hi = stats.t.interval(level, n - 1, loc=np.mean(x), scale=stats.sem(x))
            r["t_interval"].append([level, _f(lo), _f(hi)])
            if bootstrap_resamples:
                b = stats.bootstrap((x,), np.mean, n_resamples=bootstrap_resamples, confidence_level=level,
                                    method="percentile", vectorized=True,
                                    random_state=np.random.RandomState(seed))
                r["bootstrap_interval"].append([level, _f(b.confidence_interval.low),
                                                _f(b.confidence_interval.high)])
        r["bootstrap_resamples"] = bootstrap_resamples
        r["bootstrap_seed"] = seed
    q1, q3 = np.percentile(x, [25, 75])
    r["outliers"] = {
        "iqr": [int(i) for i in np.nonzero((x < q1 - 1.5 * (q3 - q1)) | (x > q3 + 1.5 * (q3 - q1)))[0]],
        "zscore": [int(i) for i in np.nonzero(np.abs(stats.zscore(x)) > 3)[0]] if np.std(x) > 0 else [],
    }
    mad = stats.median_abs_deviation(x)
    if mad > 0:
        r["outliers"]["mad"] = [int(i) for i in np.nonzero(np.abs(0.6745 * (x - np.median(x)) / mad) > 3.5)[0]]
    if n >= 3 and np.ptp(x) > 0:
        w, p = stats.shapiro(x)
        r["shapiro"] = {"w": _f(w), "p": _f(p)}
    counts, edges = np.histogram(x, bins="sturges")
    r["histogram_sturges"] = {"counts": [int(c) for c in counts], "edges": [_f(e) for e in edges]}
    counts7, edges7 = np.histogram(x, bins=7)
    r["histogram7"] = {"counts": [int(c) for c in counts7], "edges": [_f(e) for e in edges7]}
    return r


def compare_reference(current, baseline):
    """The two-sample statistics of current against baseline."""
    a = np.asarray(current, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    t = stats.ttest_ind(a, b, equal_var=False)
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    mw = stats.mannwhitneyu(a, b, alternative="two-sided")
    mw_asym = stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic")
    pooled = math.sqrt(((len(a) - 1) * np.var(a, ddof=1) + (len(b) - 1) * np.var(b, ddof=1)) / (len(a) + len(b) - 2))
    r = {
        "welch_t": _f(t.statistic),
        "welch_p": _f(t.pvalue),
        "welch_df": _f(df),
        "mann_whitney_u": _f(mw.statistic),
        "mann_whitney_p": _f(mw.pvalue),
        "mann_whitney_asymptotic_p": _f(mw_asym.pvalue),
        "cohens_d": _f((np.mean(a) - np.mean(b)) / pooled),
        "change_percent": _f((np.mean(a) - np.mean(b)) / abs(np.mean(b)) * 100),
    }
    if len(np.unique(np.concatenate([a, b]))) == len(a) + len(b):  # no ties: exact is defined
        r["mann_whitney_exact_p"] = _f(stats.mannwhitneyu(a, b, alternative="two-sided", method="exact").pvalue)
    return r


def anova_reference(groups):
    f = stats.f_oneway(*[np.asarray(g, dtype=np.float64) for g in groups])
    return {"f": _f(f.statistic), "p": _f(f.pvalue)}


def build():
    import scipy
    sets = data_sets()
    return {
        "generator": "tests/unit/stats_reference.py",
        "scipy": scipy.__version__,
        "numpy": np.__version__,
        "data": sets,
        "describe": {name: describe_reference(vals) for name, vals in sets.items()},
        "compare": [{"current": a, "baseline": b, **compare_reference(sets[a], sets[b])} for a, b in PAIRS],
        "anova": [{"groups": g, **anova_reference([sets[n] for n in g])} for g in ANOVA],
    }


def main():
    ref = build()
    text = json.dumps(ref, indent=1, sort_keys=True) + "\n"
    if "--check" in sys.argv[1:]:
        with open(OUT) as f:
            if f.read() != text:
                print("reference.json differs from what SciPy %s computes now; regenerate it" % ref["scipy"])
                sys.exit(1)
        print("reference.json matches SciPy %s" % ref["scipy"])
        return
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        f.write(text)
    print("wrote %s (SciPy %s, numpy %s)" % (os.path.normpath(OUT), ref["scipy"], ref["numpy"]))


if __name__ == "__main__":
    main()
