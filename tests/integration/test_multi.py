"""netperf-multi: instances started at one instant, aggregate, config files,
failed instances reported by name."""
import csv
import io
import json
import os
import re
import socket
import tempfile
import unittest

from harness import Netserver, main, netperf

try:
    import jsonschema
except ImportError:  # python3-jsonschema: the documents' shape is then checked by hand only
    jsonschema = None

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "schema",
                      "netperf-result.schema.json")

MULTI = os.environ.get("NETPERF_MULTI_BIN") or os.path.join(os.environ.get("NETPERF_BUILD_ROOT", "build"), "tools", "netperf-multi", "netperf-multi")


def multi(*args, timeout=60):
    return netperf(*args, timeout=timeout, binary=MULTI)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Multi(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_aggregate_is_the_sum_and_start_is_synchronized(self):
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "3", "-l", "1", "-t", "TCP_RR",
                  "--format", "json", "--", "-c", "-C")
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)
        inst = doc["instances"]
        self.assertEqual(len(inst), 3)
        self.assertTrue(all(i["ok"] for i in inst))
        agg = doc["aggregate"]
        # Each instance and the aggregate are netperf result documents.
        res = [i["result"]["results"] for i in inst]
        total = agg["result"]["results"]
        for d in [i["result"] for i in inst] + [agg["result"]]:
            self.assertEqual(d["schema_version"], 1)
            self.assertEqual(d["mode"], "single")
            self.assertEqual(d["results"]["test"], "TCP_RR")
            if jsonschema is not None:
                with open(SCHEMA) as f:
                    jsonschema.validate(d, json.load(f))
        self.assertAlmostEqual(total["throughput"], sum(x["throughput"] for x in res), places=3)
        self.assertTrue(agg["synchronized"])
        self.assertGreaterEqual(agg["start_skew_us"], 0)
        self.assertEqual(agg["skew_from"], "both ends")
        # Percentiles come from merged histograms: they lie within the
        # instances' range; the latency count is the instances' sum.
        p99s = [x["latency_us"]["p99"] for x in res]
        self.assertLessEqual(total["latency_us"]["p99"], max(p99s) * 1.02 + 1)
        self.assertGreaterEqual(total["latency_us"]["p99"], min(p99s) * 0.98 - 1)
        self.assertEqual(total["latency_us"]["count"], sum(x["latency_us"]["count"] for x in res))
        self.assertEqual(agg["failed"], 0)
        # Machine-wide CPU is split: the shares add up to one, and an
        # instance's service demand is charged only its share.
        self.assertAlmostEqual(sum(i["local_cpu_share"] for i in inst), 1.0, places=6)
        self.assertAlmostEqual(sum(i["remote_cpu_share"] for i in inst), 1.0, places=6)
        for i, x in zip(inst, res):
            sd = x["service_demand"]["local"]
            agg_sd = total["service_demand"]["local"]
            if sd is not None and agg_sd:
                # Same test everywhere: each instance's service demand is the
                # aggregate's (CPU charged in proportion to the work).
                self.assertAlmostEqual(sd / agg_sd, 1.0, delta=0.05, msg=(i["name"], sd, agg_sd))

    def test_csv_and_keyval_cover_every_instance_and_the_aggregate(self):
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "1", "-t", "TCP_RR",
                  "--format", "csv")
        self.assertEqual(r.rc, 0, r)
        rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
        self.assertEqual([x["direction"] for x in rows], ["i0", "i1", "aggregate"])
        self.assertTrue(all(x["row"] == "result" and x["test"] == "TCP_RR" for x in rows), rows)
        self.assertAlmostEqual(float(rows[2]["throughput"]),
                               float(rows[0]["throughput"]) + float(rows[1]["throughput"]),
                               delta=float(rows[2]["throughput"]) * 1e-5)
        # Aligned intervals: the aggregate's interval k is the instances' sum.
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "2", "-t", "TCP_RR",
                  "--format", "csv", "-D", "0.5")
        self.assertEqual(r.rc, 0, r)
        ints = {}
        for x in csv.DictReader(io.StringIO(r.out, newline="")):
            if x["row"] == "interval":
                ints.setdefault(x["interval"], {})[x["direction"]] = x
        self.assertGreaterEqual(len(ints), 3, r.out)
        for k, by in ints.items():
            self.assertEqual(set(by), {"i0", "i1", "aggregate"}, r.out)
            self.assertAlmostEqual(float(by["i0"]["interval_start_s"]), float(by["i1"]["interval_start_s"]),
                                   delta=0.05)
            self.assertEqual(int(by["aggregate"]["transactions"]),
                             int(by["i0"]["transactions"]) + int(by["i1"]["transactions"]))
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "1", "-t", "TCP_RR",
                  "--format", "keyval")
        self.assertEqual(r.rc, 0, r)
        kv = dict(line.split("=", 1) for line in r.out.splitlines())
        for k in ("I0_THROUGHPUT", "I1_THROUGHPUT", "AGGREGATE_THROUGHPUT", "AGGREGATE_P99_LATENCY"):
            self.assertIn(k, kv)
        self.assertAlmostEqual(float(kv["AGGREGATE_THROUGHPUT"]),
                               float(kv["I0_THROUGHPUT"]) + float(kv["I1_THROUGHPUT"]),
                               delta=float(kv["AGGREGATE_THROUGHPUT"]) * 1e-5)
        self.assertEqual(kv["MULTI_INSTANCES"], "2")
        self.assertEqual(kv["MULTI_FAILED"], "0")
        self.assertEqual(kv["MULTI_SKEW_FROM"], "both_ends")

    def test_human_output_has_each_netperf_block(self):
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "1", "-t", "TCP_RR")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(len(re.findall(r"(?m)^MIGRATED TCP REQUEST/RESPONSE TEST from ", r.out)), 2, r.out)
        self.assertRegex(r.out, r"(?m)^--- i0: 127\.0\.0\.1$")
        self.assertRegex(r.out, r"(?m)^--- i1: 127\.0\.0\.1$")

    def test_human_output_and_aligned_intervals(self):
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "2", "-t", "TCP_STREAM",
                  "--aggregate", "-D", "0.5", "--affinity")
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"2 instances of TCP_STREAM to 127\.0\.0\.1, start skew \d+\.\d+ ms")
        self.assertRegex(r.out, r"(?m)^i0 .* ok$")
        self.assertRegex(r.out, r"(?m)^Aggregate: \d+\.\d\d 10\^6bits/s over 2 instances")
        m = re.search(r"aggregate intervals:((?: \d+\.\d\d)+)", r.out)
        self.assertTrue(m, r)
        self.assertGreaterEqual(len(m.group(1).split()), 4)

    def test_config_json_and_yaml(self):
        cfg = {"test_name": "mixed", "duration": 1, "instances": [
            {"name": "rr", "remote_host": "127.0.0.1", "remote_port": self.server.port, "test_type": "TCP_RR"},
            {"name": "send", "local_ip": "127.0.0.1", "remote_host": "127.0.0.1",
             "remote_port": self.server.port, "test_type": "OMNI", "direction": "send"},
        ]}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(cfg, f)
        yaml_text = "duration: 1\ninstances:\n  - name: a\n    remote_host: 127.0.0.1\n    remote_port: %d\n" \
                    "    test_type: UDP_RR\n  - name: b\n    remote_host: 127.0.0.1\n    remote_port: %d\n" \
                    "    test_type: OMNI\n    direction: recv\n" % (self.server.port, self.server.port)
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as y:
            y.write(yaml_text)
        try:
            for path, names in ((f.name, ["rr", "send"]), (y.name, ["a", "b"])):
                r = multi("--config", path, "--format", "json")
                self.assertEqual(r.rc, 0, r)
                doc = json.loads(r.out)
                self.assertEqual([i["name"] for i in doc["instances"]], names)
                self.assertTrue(all(i["ok"] for i in doc["instances"]), r)
                self.assertEqual(doc["aggregate"]["result"]["results"]["test"], "mixed")
        finally:
            os.unlink(f.name)
            os.unlink(y.name)

    def test_failed_instance_is_reported_not_dropped(self):
        bad = closed_port()
        cfg = {"duration": 1, "instances": [
            {"name": "good", "remote_host": "127.0.0.1", "remote_port": self.server.port, "test_type": "TCP_RR"},
            {"name": "broken", "remote_host": "127.0.0.1", "remote_port": bad, "test_type": "TCP_RR"},
        ]}
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(cfg, f)
        try:
            r = multi("--config", f.name, "--aggregate", "--retries", "1")
            self.assertEqual(r.rc, 2, r)
            self.assertRegex(r.out, r"(?m)^broken .*FAILED after 2 attempts: .*%d" % bad)
            self.assertRegex(r.out, r"(?m)^--- broken: FAILED: .*%d" % bad)
            self.assertIn("(1 FAILED, not included: broken)", r.out)
            # Every machine format names it too, and says the aggregate lacks it.
            r = multi("--config", f.name, "--format", "json", "--retries", "2")
            self.assertEqual(r.rc, 2, r)
            doc = json.loads(r.out)
            broken = doc["instances"][1]
            self.assertEqual((broken["name"], broken["ok"], broken["attempts"]), ("broken", False, 3))
            self.assertIn(str(bad), broken["error"])
            self.assertEqual(doc["aggregate"]["failed_instances"], ["broken"])
            self.assertEqual(doc["aggregate"]["instances"], 2)
            self.assertIn("instance broken FAILED after 3 attempts", r.err)
            r = multi("--config", f.name, "--format", "csv")
            self.assertEqual(r.rc, 2, r)
            rows = list(csv.DictReader(io.StringIO(r.out, newline="")))
            self.assertEqual([(x["row"], x["direction"]) for x in rows],
                             [("result", "good"), ("failed", "broken"), ("result", "aggregate")])
            r = multi("--config", f.name, "--format", "keyval")
            self.assertEqual(r.rc, 2, r)
            self.assertIn("BROKEN_FAILED=1\n", r.out)
            self.assertIn("MULTI_FAILED_INSTANCES=broken\n", r.out)
        finally:
            os.unlink(f.name)

    def test_legacy_protocol_is_a_loose_start_said_so(self):
        # netperf 2.x's protocol carries no start instant: the run works,
        # every instance is marked late and the skew is this host's only.
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "1", "-t", "TCP_RR",
                  "--format", "json", "--", "--legacy")
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)
        self.assertTrue(all(i["ok"] and not i["synchronized"] for i in doc["instances"]), r.out)
        self.assertTrue(all(i["result"]["metadata"]["protocol"] == "netperf2" for i in doc["instances"]))
        agg = doc["aggregate"]
        self.assertFalse(agg["synchronized"])
        self.assertEqual(agg["skew_from"], "this host's ends")
        self.assertGreater(agg["result"]["results"]["throughput"], 0)
        r = multi("-H", "127.0.0.1", "-p", self.server.port, "-n", "2", "-l", "1", "-t", "TCP_RR",
                  "--", "--legacy")
        self.assertEqual(r.rc, 0, r)
        self.assertIn("loose start: not every server could synchronise; skew of this host's ends only", r.out)
        self.assertRegex(r.out, r"(?m)^i0 .* ok \(late start\)$")

    def test_duplicate_or_reserved_names_are_refused(self):
        for names in (["x", "x"], ["aggregate"]):
            cfg = {"instances": [{"name": n, "remote_host": "127.0.0.1"} for n in names]}
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
                json.dump(cfg, f)
            try:
                r = multi("--config", f.name)
                self.assertEqual(r.rc, 1, r)
                self.assertEqual(len(r.err.strip().splitlines()), 1, r.err)
                self.assertIn("name '%s'" % names[0], r.err)
            finally:
                os.unlink(f.name)

    def test_bad_config_is_one_line(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            f.write('{"instances": [{"remote_port": "many"}]}')
        try:
            r = multi("--config", f.name)
            self.assertEqual(r.rc, 1, r)
            self.assertIn("remote_port", r.err)
            r = multi("--config", "/nonexistent.yaml")
            self.assertEqual(r.rc, 1, r)
            self.assertIn("/nonexistent.yaml", r.err)
        finally:
            os.unlink(f.name)


if __name__ == "__main__":
    main()
