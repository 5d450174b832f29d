"""netperf and netserver on two "hosts": namespaces joined by a veth pair."""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import Netserver, main, netperf, result_numbers  # noqa: E402
from netns import TwoHosts, can_run  # noqa: E402

WHY = can_run()


@unittest.skipIf(WHY, WHY or "")
class AcrossVeth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = TwoHosts().__enter__()
        try:
            cls.server = Netserver(host=None, netns=cls.net.b).__enter__()
        except Exception:
            cls.net.__exit__(None, None, None)
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.__exit__(None, None, None)
        finally:
            cls.net.__exit__(None, None, None)

    def run_np(self, *args, host=None):
        return netperf("-H", host or self.net.addr_b, "-p", self.server.port, "-l", "1", "-P", "0", *args,
                       netns=self.net.a, timeout=30)

    def test_tests_across_the_link(self):
        for t in ("TCP_STREAM", "TCP_MAERTS", "TCP_RR", "TCP_CRR", "UDP_RR", "UDP_STREAM"):
            with self.subTest(test=t):
                r = self.run_np("-t", t)
                self.assertEqual(r.rc, 0, r)
                self.assertGreater(result_numbers(r.out)[0 if "STREAM" in t or "MAERTS" in t else -1], 0, r)
                self.assertLess(r.elapsed, 3.0, r)

    def test_ipv6_across_the_link(self):
        r = self.run_np("-t", "TCP_RR", host=self.net.addr6_b)
        self.assertEqual(r.rc, 0, r)

    def test_many_flows_across_the_link(self):
        r = self.run_np("-t", "TCP_STREAM", "--flows", "4")
        self.assertEqual(r.rc, 0, r)

    def test_multi_instances_start_together_across_the_link(self):
        import json
        multi = os.environ.get("NETPERF_MULTI_BIN", "netperf-multi")
        r = netperf("-H", self.net.addr_b, "-p", self.server.port, "-n", "2", "-l", "1", "-t", "TCP_RR",
                    "--format", "json", netns=self.net.a, timeout=30, binary=multi)
        self.assertEqual(r.rc, 0, r)
        doc = json.loads(r.out)
        agg = doc["aggregate"]
        self.assertTrue(agg["synchronized"], r)
        self.assertGreaterEqual(agg["start_skew_us"], 0)
        # Measured from both ends: the server's first data timestamp came
        # back over the control connection, converted into this host's clock.
        self.assertEqual(agg["skew_from"], "both ends", r)
        self.assertTrue(all(i["ok"] and i["synchronized"] for i in doc["instances"]), r)
        self.assertAlmostEqual(agg["result"]["results"]["throughput"],
                               sum(i["result"]["results"]["throughput"] for i in doc["instances"]), places=3)
        print("netns start skew: %.1f us" % agg["start_skew_us"])

    def test_server_unreachable_is_one_line(self):
        r = netperf("-H", "10.77.0.99", "-p", self.server.port, "-l", "1", netns=self.net.a, timeout=30)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("10.77.0.99", r.err)


if __name__ == "__main__":
    main()
