"""netperf-aggregate: every input format, the summary lines, the verdict on
clearly different and identical sets, bad input, and its numbers against
SciPy computed now (skipped with the reason when SciPy is not importable).
"""
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import unittest

from harness import Netserver, main, netperf

BUILD = os.environ.get("NETPERF_BUILD_ROOT", "build")
SOURCE = os.environ.get("NETPERF_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
AGGREGATE = os.environ.get("NETPERF_AGGREGATE_BIN", os.path.join(BUILD, "tools", "netperf-aggregate", "netperf-aggregate"))

sys.path.insert(0, os.path.join(SOURCE, "tests", "unit"))
try:
    import stats_reference  # needs numpy and SciPy
    SCIPY_MISSING = None
except ImportError as e:  # noqa: F841 - the reason is reported by the skip
    stats_reference = None
    SCIPY_MISSING = "SciPy/numpy not importable (%s)" % e


class Run:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def __repr__(self):
        return "rc=%d\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.out, self.err)

    def json(self):
        return json.loads(self.out)

    def line(self, prefix):
        for line in self.out.splitlines():
            if line.startswith(prefix):
                return line
        raise AssertionError("no line starting %r in:\n%s" % (prefix, self.out))


def aggregate(*args, timeout=120):
    proc = subprocess.run([AGGREGATE] + [str(a) for a in args], capture_output=True, text=True, timeout=timeout)
    return Run(proc)


# Samples used throughout: a normal-looking throughput set, the same shifted
# down 5 %, and one with two gross outliers.
BASE = [9410.25, 9388.71, 9502.13, 9450.02, 9377.40, 9466.88, 9421.57, 9398.03, 9489.64, 9433.19,
        9455.31, 9402.77, 9471.90, 9419.46, 9444.08, 9391.62, 9480.55, 9428.14, 9462.37, 9437.80]
SLOWER = [round(v * 0.95, 2) for v in BASE]


class Files:
    """A temporary directory to write result files into."""

    def __init__(self):
        self.dir = tempfile.TemporaryDirectory(prefix="aggregate-")

    def write(self, name, text):
        path = os.path.join(self.dir.name, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def cleanup(self):
        self.dir.cleanup()


class Formats(unittest.TestCase):
    """One file per format netperf writes; each must give the same numbers."""

    def setUp(self):
        self.files = Files()
        self.addCleanup(self.files.cleanup)
        self.values = [16310.67, 16110.67, 16410.17, 15910.00, 16205.42]

    def check(self, path, values, *args, units=""):
        r = aggregate("--format", "json", *args, path)
        self.assertEqual(r.rc, 0, r)
        s = r.json()["sets"]["current"]
        self.assertEqual(s["n"], len(values), r)
        self.assertAlmostEqual(s["mean"], statistics.mean(values), places=6)
        if len(values) > 1:
            self.assertAlmostEqual(s["stddev"], statistics.stdev(values), places=6)
        else:
            self.assertIsNone(s["stddev"])
        self.assertEqual(s["units"], units)

    def test_terse_stream_rr_udp_and_v0(self):
        stream = "".join("131072  16384  16384    2.00     %.2f   \n" % v for v in self.values)
        self.check(self.files.write("stream.txt", stream), self.values)
        rr = "".join("16384  131072 1        1       2.00     %.2f   \n16384  131072\n" % v for v in self.values)
        self.check(self.files.write("rr.txt", rr), self.values)
        # netperf 2.7's UDP_STREAM: the send row, then the receive row (skipped).
        udp = "".join("212992   65507   2.00       161747      0    %.2f\n212992           2.00        52587           13778.47\n\n"
                      % v for v in self.values)
        self.check(self.files.write("udp.txt", udp), self.values)
        self.check(self.files.write("v0.txt", "".join("%.2f \n" % v for v in self.values)), self.values)
        # OMNI's default -P 0 line carries its units after the value; -B appends a brand.
        omni = "".join("4194304     1026899     16384  2.00    %.2f   10^6bits/s  \n" % v for v in self.values)
        self.check(self.files.write("omni.txt", omni), self.values, units="10^6bits/s")
        brand = "".join("131072  16384  16384    2.00     %.2f   mybrand\n" % v for v in self.values)
        self.check(self.files.write("brand.txt", brand), self.values)

    def test_terse_column_and_test_options(self):
        rr = "".join("16384  131072 1        1       2.00     %.2f   \n16384  131072\n" % v for v in self.values)
        path = self.files.write("rr.txt", rr)
        self.check(path, self.values, "--test", "tcp_rr")
        self.check(path, [2.0] * 5, "--column", "5")

    def test_full_output_with_headers(self):
        block = ("MIGRATED TCP STREAM TEST from 0.0.0.0 (0.0.0.0) port 0 AF_INET to 127.0.0.1 () port 0 AF_INET\n"
                 "Recv   Send    Send                          \n"
                 "Socket Socket  Message  Elapsed              \n"
                 "Size   Size    Size     Time     Throughput  \n"
                 "bytes  bytes   bytes    secs.    10^6bits/sec  \n\n"
                 "131072  16384  16384    3.00     %.2f   \n")
        self.check(self.files.write("p1.txt", "".join(block % v for v in self.values)), self.values)

    def test_omni_csv(self):
        banner = "OMNI Send TEST from 0.0.0.0 (0.0.0.0) port 0 AF_INET to 127.0.0.1 () port 0 AF_INET : demo\n"
        header = ("Local Send Socket Size Final,Remote Recv Socket Size Final,Local Send Size,Elapsed Time (sec),"
                  "Throughput,Throughput Units\n")
        text = "".join(banner + header + "4194304,1026899,16384,2.00,%.2f,10^6bits/s\n" % v for v in self.values)
        path = self.files.write("omni.csv", text)
        self.check(path, self.values, units="10^6bits/s")
        self.check(path, [2.0] * 5, "--field", "ELAPSED_TIME")
        self.check(path, [2.0] * 5, "--field", "Elapsed Time (sec)")
        # -P 0 -o: no header, value and units only.
        self.check(self.files.write("p0.csv", "".join("%.2f,10^6bits/s\n" % v for v in self.values)), self.values,
                   units="10^6bits/s")
        # -D: interim CSV lines come before the one-column header and are not results.
        demo = "".join(banner + "11273.76,10^6bits/s,2.000,1795334714.680\nThroughput\n%.2f\n" % v for v in self.values)
        self.check(self.files.write("demo.csv", demo), self.values)

    def test_keyval(self):
        text = "".join("OMNI Send TEST from 0.0.0.0\nTHROUGHPUT=%.2f\nTHROUGHPUT_UNITS=10^6bits/s\nMEAN_LATENCY=%.2f\n"
                       % (v, v / 1000) for v in self.values)
        path = self.files.write("k.txt", text)
        self.check(path, self.values, units="10^6bits/s")
        self.check(path, [round(v / 1000, 2) for v in self.values], "--field", "MEAN_LATENCY")

    def test_json_shapes(self):
        v = self.values
        self.check(self.files.write("array.json", json.dumps([{"throughput": x} for x in v])), v)
        self.check(self.files.write("numbers.json", json.dumps(v)), v)
        doc = {"results": {"throughput": 1.0, "throughput_units": "10^6bits/s"},
               "iterations": [{"throughput": x} for x in v]}
        self.check(self.files.write("iter.json", json.dumps(doc)), v, units="10^6bits/s")
        lines = "".join(json.dumps({"results": {"throughput": x, "units": "Trans/s"}}) + "\n" for x in v)
        self.check(self.files.write("lines.json", lines), v, units="Trans/s")
        nested = {"iterations": [{"latency": {"p99": x}} for x in v]}
        self.check(self.files.write("nested.json", json.dumps(nested)), v, "--field", "latency.p99")
        # netperf 3's result files (docs/schema/netperf-result.schema.json): the
        # iterations count, not the per-flow or interval figures beside them.
        ours = {"schema_version": 1, "metadata": {}, "configuration": {}, "mode": "single", "partial": False,
                "results": {"test": "TCP_RR", "throughput": statistics.mean(v), "units": "Trans/s",
                            "latency_us": {"p99": 41.0},
                            "flows": [{"index": 0, "throughput": 1.0}, {"index": 1, "throughput": 2.0}],
                            "intervals": [{"index": 0, "throughput": 3.0}],
                            "iterations": [{"index": i, "throughput": x} for i, x in enumerate(v)]}}
        path = self.files.write("ours.json", json.dumps(ours))
        self.check(path, v, units="Trans/s")
        self.check(path, [41.0], "--field", "latency_us.p99")
        split = {"schema_version": 1, "results": {
            "tx": {"throughput": 1.0, "units": "10^6bits/s", "iterations": [{"throughput": x} for x in v]},
            "rx": {"throughput": 2.0, "units": "10^6bits/s", "iterations": [{"throughput": 7.0}, {"throughput": 8.0}]}}}
        path = self.files.write("split.json", json.dumps(split))
        self.check(path, v, "--field", "tx.throughput", units="10^6bits/s")
        self.check(path, [7.0, 8.0], "--field", "rx.throughput", units="10^6bits/s")

    def test_generic_csv(self):
        text = "host,run,tput_mbps\n" + "".join("a,%d,%.2f\n" % (i, x) for i, x in enumerate(self.values))
        path = self.files.write("generic.csv", text)
        self.check(path, self.values, "--field", "tput_mbps")
        self.check(path, list(range(5)), "--field", "run")

    def test_files_combine_in_order(self):
        a = self.files.write("a.txt", "".join("%.2f\n" % v for v in self.values[:2]))
        b = self.files.write("b.json", json.dumps([{"throughput": v} for v in self.values[2:]]))
        r = aggregate("--format", "json", "--outliers", "none", a, b)
        self.assertEqual(r.rc, 0, r)
        s = r.json()["sets"]["current"]
        self.assertEqual(s["n"], 5)
        self.assertEqual(s["files"], [a, b])
        self.assertEqual(s["min"], min(self.values))


class RealRuns(unittest.TestCase):
    """Files written by our netperf against our netserver on loopback."""

    def test_tcp_rr_terse_and_v0(self):
        files = Files()
        self.addCleanup(files.cleanup)
        rr_out, v0_out, rates, v0 = "", "", [], []
        with Netserver() as s:
            for _ in range(3):
                r = netperf("-H", "127.0.0.1", "-p", s.port, "-t", "TCP_RR", "-l", 1, "-P", 0, timeout=60)
                self.assertEqual(r.rc, 0, r)
                rr_out += r.out
                rates.append(float(r.out.splitlines()[0].split()[5]))
                r = netperf("-H", "127.0.0.1", "-p", s.port, "-t", "TCP_RR", "-l", 1, "-P", 0, "-v", 0, timeout=60)
                self.assertEqual(r.rc, 0, r)
                v0_out += r.out if r.out.endswith("\n") else r.out + "\n"
                v0.append(float(r.out.split()[0]))
        for name, text, values in [("rr.txt", rr_out, rates), ("v0.txt", v0_out, v0)]:
            with self.subTest(name=name):
                r = aggregate("--format", "json", files.write(name, text))
                self.assertEqual(r.rc, 0, r)
                s = r.json()["sets"]["current"]
                self.assertEqual(s["n"], 3, r)
                self.assertAlmostEqual(s["mean"], statistics.mean(values), places=6)


class Summary(unittest.TestCase):
    def setUp(self):
        self.files = Files()
        self.addCleanup(self.files.cleanup)

    def write(self, name, values):
        return self.files.write(name, "".join("%r\n" % v for v in values))

    def test_summary_lines(self):
        values = BASE * 5
        values = [v + i * 0.01 for i, v in enumerate(values)][:98] + [8200.0, 10900.0]
        r = aggregate("--outliers", "mad", "--remove-outliers", "--units", "Mbps", self.write("run.txt", values))
        self.assertEqual(r.rc, 0, r)
        kept = values[:98]
        mean_line = r.line("Mean with 95% CI: ")
        self.assertRegex(mean_line, r"^Mean with 95% CI: \d+\.\d ± \d+\.\d Mbps$")
        self.assertAlmostEqual(float(mean_line.split()[4]), statistics.mean(kept), delta=0.05)
        cv = statistics.stdev(kept) / statistics.mean(kept) * 100
        self.assertEqual(r.line("Coefficient of variation: "), "Coefficient of variation: %.1f%%" % cv)
        self.assertTrue(r.line("Outliers detected: ").startswith("Outliers detected: 2/100 (removed) by mad"), r)
        self.assertRegex(r.line("Normal distribution: "), r"^Normal distribution: (Yes|No) \(Shapiro-Wilk p")
        r.line("Median: ")
        r.line("Percentiles: p1=")
        r.line("Min / max: ")
        kept_run = aggregate("--outliers", "mad", self.write("run2.txt", values))
        self.assertTrue(kept_run.line("Outliers detected: ").startswith("Outliers detected: 2/100 (kept)"), kept_run)

    def test_normal_sample_is_called_normal(self):
        r = aggregate("--confidence", "99", self.write("base.txt", BASE))
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.line("Normal distribution: "), r"^Normal distribution: Yes \(Shapiro-Wilk p=0\.\d+\)$")
        r.line("Mean with 99% CI: ")

    def test_clearly_different_sets_are_a_regression(self):
        base, cur = self.write("base.txt", BASE), self.write("cur.txt", SLOWER)
        r = aggregate("--baseline", base, "--current", cur)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.line("Significance vs baseline: ").split(" (")[0], "Significance vs baseline: p < 0.001")
        self.assertEqual(r.line("Verdict: "), "Verdict: regression: throughput -5.0% (p < 0.001)")
        self.assertIn("(large)", r.line("Effect size: "))
        r = aggregate("--baseline", base, "--current", cur, "--fail-on-regression")
        self.assertEqual(r.rc, 2, r)
        # The same move is an improvement for a lower-is-better metric.
        r = aggregate("--baseline", base, "--current", cur, "--better", "lower", "--fail-on-regression")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.line("Verdict: "), "Verdict: improvement: throughput -5.0% (p < 0.001)")
        # A minimum change larger than the move: no verdict.
        r = aggregate("--baseline", base, "--current", cur, "--min-change", "10")
        self.assertTrue(r.line("Verdict: ").startswith("Verdict: no significant change"), r)

    def test_identical_sets_show_no_change(self):
        base, cur = self.write("base.txt", BASE), self.write("cur.txt", list(reversed(BASE)))
        r = aggregate("--baseline", base, "--current", cur, "--fail-on-regression")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.line("Significance vs baseline: ").split(" (")[0], "Significance vs baseline: p=1")
        self.assertEqual(r.line("Verdict: "), "Verdict: no significant change: throughput +0.0% (p=1)")
        j = aggregate("--format", "json", "--baseline", base, "--current", cur).json()
        self.assertEqual(j["comparison"]["verdict"], "no significant change")
        self.assertFalse(j["comparison"]["significant"])

    def test_latency_field_is_lower_is_better(self):
        base = self.files.write("b.txt", "".join("P99_LATENCY=%r\n" % (v / 500) for v in BASE))
        cur = self.files.write("c.txt", "".join("P99_LATENCY=%r\n" % (v / 500) for v in SLOWER))
        r = aggregate("--field", "P99_LATENCY", "--baseline", base, "--current", cur)
        self.assertTrue(r.line("Verdict: ").startswith("Verdict: improvement: P99_LATENCY -5.0%"), r)

    def test_plot_csv_anova_bootstrap(self):
        base, cur = self.write("base.txt", BASE), self.write("cur.txt", SLOWER)
        r = aggregate("--plot", "--bins", "5", "--bootstrap", "500", "--seed", "3", base)
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len([l for l in r.out.splitlines() if l.startswith("[")]), 5, r)
        self.assertIn("[", r.out.split("Box plot:\n")[1].splitlines()[0])
        self.assertRegex(r.line("Bootstrap 95% CI: "), r"^Bootstrap 95% CI: \[\d+\.\d, \d+\.\d\] \(500 resamples, seed 3\)$")
        again = aggregate("--bootstrap", "500", "--seed", "3", base)
        self.assertEqual(again.line("Bootstrap 95% CI: "), r.line("Bootstrap 95% CI: "))
        r = aggregate("--format", "csv", "--baseline", base, "--current", cur)
        rows = r.out.splitlines()
        self.assertEqual(len(rows), 3, r)
        header = rows[0].split(",")
        cur_row = dict(zip(header, rows[2].split(",")))
        self.assertEqual(cur_row["set"], "current")
        self.assertEqual(cur_row["verdict"], "regression")
        self.assertEqual(int(cur_row["n"]), len(SLOWER))
        r = aggregate("--group", base, "--group", cur, "--current", base)
        self.assertIn("== ANOVA across 3 sets (current, group1, group2)", r.out)
        self.assertIn("p < 0.001: the means differ", r.out)


class BadInput(unittest.TestCase):
    def setUp(self):
        self.files = Files()
        self.addCleanup(self.files.cleanup)

    def assertOneLineFailure(self, r, *words):
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.out, "", r)
        lines = r.err.strip().splitlines()
        self.assertEqual(len(lines), 1, r)
        self.assertTrue(lines[0].startswith("netperf-aggregate: "), r)
        for w in words:
            self.assertIn(w, lines[0], r)

    def test_bad_input(self):
        good = self.files.write("good.txt", "1.5\n2.5\n")
        csv = self.files.write("omni.csv", "Throughput,Throughput Units\n10.5,10^6bits/s\n")
        kv = self.files.write("k.txt", "THROUGHPUT=10.5\n")
        js = self.files.write("r.json", json.dumps({"results": {"throughput": 1}}))
        words = self.files.write("words.txt", "no numbers here\nat all\n")
        badjson = self.files.write("bad.json", "{\"results\": ")
        notnum = self.files.write("nan.txt", "THROUGHPUT=fast\n")
        missing = os.path.join(self.files.dir.name, "missing.txt")
        for args, words_ in [([missing], ["cannot open", "missing.txt"]),
                             ([words], ["no result values", "words.txt"]),
                             (["--field", "nosuch", csv], ["no column 'nosuch'", "Throughput"]),
                             (["--field", "nosuch", kv], ["no key 'nosuch'", "THROUGHPUT"]),
                             (["--field", "nosuch", js], ["no 'nosuch' values"]),
                             ([badjson], ["bad.json", "not valid JSON"]),
                             ([notnum], ["'fast', not a number"]),
                             ([], ["no result files"]),
                             (["--baseline", good], ["no current result files"]),
                             (["--outliers", "grubbs", good], ["--outliers"]),
                             (["--confidence", "90", good], ["--confidence"]),
                             (["--test", "TCP_NOPE", good], ["TCP_NOPE"]),
                             (["--column", "9", good], ["columns"]),
                             (["--bogus", good], ["--bogus"])]:
            with self.subTest(args=args):
                self.assertOneLineFailure(aggregate(*args), *words_)

    def test_help(self):
        r = aggregate("--help")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("--baseline", r.out)


def rel_close(actual, expected, rel):
    if expected is None or actual is None:
        return actual is None and expected is None
    return abs(actual - expected) <= rel * max(abs(expected), 1e-300)


@unittest.skipIf(stats_reference is None, SCIPY_MISSING)
class AgainstScipy(unittest.TestCase):
    """netperf-aggregate's JSON against SciPy now, and the committed
    reference file against SciPy now: catches drift in either."""

    REL = 1e-6

    @classmethod
    def setUpClass(cls):
        cls.files = Files()
        cls.sets = stats_reference.data_sets()
        cls.paths = {name: cls.files.write(name + ".txt", "".join("%r\n" % v for v in vals))
                     for name, vals in cls.sets.items()}

    @classmethod
    def tearDownClass(cls):
        cls.files.cleanup()

    def close(self, actual, expected, what, rel=None):
        rel = self.REL if rel is None else rel
        self.assertTrue(rel_close(actual, expected, rel), "%s: netperf-aggregate %r, SciPy %r (allowed %g)"
                        % (what, actual, expected, rel))

    def test_committed_reference_matches_scipy(self):
        with open(os.path.join(SOURCE, "tests", "data", "stats", "reference.json")) as f:
            committed = json.load(f)
        fresh = json.loads(json.dumps(stats_reference.build()))
        for key in ("scipy", "numpy", "generator"):
            committed.pop(key, None)
            fresh.pop(key, None)

        def walk(a, b, path):
            if isinstance(b, dict):
                self.assertEqual(sorted(a), sorted(b), path)
                for k in b:
                    walk(a[k], b[k], path + "." + k)
            elif isinstance(b, list):
                self.assertEqual(len(a), len(b), path)
                for i, (x, y) in enumerate(zip(a, b)):
                    walk(x, y, "%s[%d]" % (path, i))
            elif isinstance(b, float):
                self.close(a, b, "reference.json" + path, rel=1e-9)
            else:
                self.assertEqual(a, b, path)

        walk(committed, fresh, "")

    def test_descriptive_intervals_normality_histogram(self):
        for name, vals in self.sets.items():
            ref = stats_reference.describe_reference(vals)
            for level in (95, 99):
                with self.subTest(name=name, level=level):
                    r = aggregate("--format", "json", "--outliers", "none", "--confidence", level, "--bootstrap",
                                  ref["bootstrap_resamples"], "--seed", ref["bootstrap_seed"], self.paths[name])
                    self.assertEqual(r.rc, 0, r)
                    s = r.json()["sets"]["current"]
                    self.assertEqual(s["n"], ref["n"])
                    for key in ("mean", "variance", "stddev", "cv", "median", "min", "max"):
                        self.close(s[key], ref[key], key)
                    pct = dict((p, v) for p, v in ref["percentiles"])
                    for p in (1, 5, 10, 25, 50, 75, 90, 95, 99):
                        self.close(s["percentiles"]["p%d" % p], pct[p], "p%d" % p)
                    t = [iv for iv in ref["t_interval"] if round(iv[0] * 100) == level][0]
                    self.close(s["ci"]["lower"], t[1], "t lower")
                    self.close(s["ci"]["upper"], t[2], "t upper")
                    b = [iv for iv in ref["bootstrap_interval"] if round(iv[0] * 100) == level][0]
                    self.close(s["bootstrap_ci"]["lower"], b[1], "bootstrap lower")
                    self.close(s["bootstrap_ci"]["upper"], b[2], "bootstrap upper")
                    if "shapiro" in ref:
                        n = ref["n"]
                        # SciPy's Shapiro-Wilk runs in float32: W within n * 2^-24,
                        # the p-value correspondingly looser (see stats_test.cc).
                        self.close(s["shapiro_wilk"]["w"], ref["shapiro"]["w"], "W", rel=max(self.REL, n * 2.0 ** -24))
                        self.close(s["shapiro_wilk"]["p"], ref["shapiro"]["p"], "Shapiro p", rel=1e-4 if n <= 100 else 1e-2)
                    self.assertEqual(s["histogram"]["counts"], ref["histogram_sturges"]["counts"])

    def test_outliers(self):
        for name, vals in self.sets.items():
            ref = stats_reference.describe_reference(vals, bootstrap_resamples=0)
            for method, indices in ref["outliers"].items():
                with self.subTest(name=name, method=method):
                    r = aggregate("--format", "json", "--outliers", method, self.paths[name])
                    self.assertEqual(r.rc, 0, r)
                    o = r.json()["sets"]["current"]["outliers"]
                    self.assertEqual(o["indices"], indices)
                    self.assertEqual(o["text"], "%d/%d kept" % (len(indices), len(vals)))

    def test_comparisons_and_anova(self):
        for cur, base in stats_reference.PAIRS:
            if len(self.sets[cur]) < 2 or len(self.sets[base]) < 2:
                continue
            with self.subTest(current=cur, baseline=base):
                ref = stats_reference.compare_reference(self.sets[cur], self.sets[base])
                r = aggregate("--format", "json", "--outliers", "none", "--baseline", self.paths[base],
                              "--current", self.paths[cur])
                self.assertEqual(r.rc, 0, r)
                c = r.json()["comparison"]
                self.close(c["welch"]["t"], ref["welch_t"], "Welch t")
                self.close(c["welch"]["df"], ref["welch_df"], "Welch df")
                self.close(c["welch"]["p"], ref["welch_p"], "Welch p")
                self.close(c["mann_whitney"]["u"], ref["mann_whitney_u"], "Mann-Whitney U")
                self.close(c["mann_whitney"]["p"], ref["mann_whitney_p"], "Mann-Whitney p")
                self.close(c["effect_size"], ref["cohens_d"], "Cohen's d")
                self.close(c["change_percent"], ref["change_percent"], "change %")
        for groups in stats_reference.ANOVA:
            if len(groups) < 3:
                continue
            with self.subTest(anova=groups):
                ref = stats_reference.anova_reference([self.sets[g] for g in groups])
                args = ["--format", "json", "--outliers", "none", "--current", self.paths[groups[0]]]
                for g in groups[1:]:
                    args += ["--group", self.paths[g]]
                r = aggregate(*args)
                self.assertEqual(r.rc, 0, r)
                self.close(r.json()["anova"]["f"], ref["f"], "ANOVA F")
                self.close(r.json()["anova"]["p"], ref["p"], "ANOVA p")


if __name__ == "__main__":
    main()
