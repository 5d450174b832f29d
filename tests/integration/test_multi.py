"""netperf-multi: instances started at one instant, aggregate, config files,
failed instances reported by name."""
import json
import os
import re
import socket
import tempfile
import unittest

from harness import Netserver, main, netperf

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
                  "--format", "json")
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)
        inst = doc["instances"]
        self.assertEqual(len(inst), 3)
        self.assertTrue(all(i["ok"] for i in inst))
        agg = doc["aggregate"]
        self.assertAlmostEqual(agg["throughput"], sum(i["throughput"] for i in inst), places=3)
        self.assertTrue(agg["synchronized"])
        self.assertGreaterEqual(agg["start_skew_us"], 0)
        # Percentiles come from merged histograms: they lie within the
        # instances' range, and the mean is transaction-weighted.
        p99s = [i["latency_us"]["p99"] for i in inst]
        self.assertLessEqual(agg["latency_us"]["p99"], max(p99s) * 1.02 + 1)
        self.assertEqual(agg["failed"], 0)

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
            self.assertIn("(1 FAILED: not included)", r.out)
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
