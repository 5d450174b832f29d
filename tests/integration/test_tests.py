"""Every netperf test name, run against a real netserver on loopback."""
import unittest

from harness import Netserver, main, netperf, result_numbers

# (test, extra test options, which number of the last line is the result)
TESTS = [
    ("TCP_STREAM", [], -1),
    ("TCP_MAERTS", [], -1),
    ("TCP_RR", [], -1),
    ("TCP_CRR", [], -1),
    ("TCP_CC", [], -1),
    ("UDP_STREAM", ["--", "-m", "1024"], -1),
    ("UDP_RR", [], -1),
    ("OMNI", ["--", "-d", "send"], None),
    ("OMNI", ["--", "-d", "recv"], None),
    ("OMNI", ["--", "-d", "rr"], None),
    ("OMNI", ["--", "-d", "rr", "-T", "udp"], None),
    ("OMNI", ["--", "-c", "-d", "rr"], None),
    ("STREAM_STREAM", [], -1),
    ("STREAM_RR", [], -1),
    ("DG_STREAM", ["--", "-m", "1024"], -1),
    ("DG_RR", [], -1),
]


class EveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def run_test(self, name, extra, *glob):
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", name, "-v", "0", "-P", "0",
                    *glob, *extra, timeout=30)
        self.assertEqual(r.rc, 0, r)
        nums = result_numbers(r.out)
        self.assertTrue(nums, r)
        self.assertGreater(nums[0], 0, r)
        # Timed tests end on time: no 2.7-style +4 s for CRR or UDP.
        self.assertLess(r.elapsed, 1.0 + 1.5, r)
        return r

    def test_every_test_name(self):
        for name, extra, _ in TESTS:
            with self.subTest(test=name, options=extra):
                self.run_test(name, extra)
        self.assertTrue(self.server.alive())

    def test_count_based(self):
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "-2000", "-t", "TCP_RR", "-P", "0", timeout=30)
        self.assertEqual(r.rc, 0, r)
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "-10M", "-t", "TCP_STREAM", "-P", "0",
                    timeout=30)
        self.assertNotEqual(r.rc, 0, "-l takes a plain number, as in 2.7")
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "-10000000", "-t", "TCP_STREAM", "-P", "0",
                    timeout=30)
        self.assertEqual(r.rc, 0, r)

    def test_ipv6(self):
        with Netserver(host="::1") as s6:
            r = netperf("-H", "::1", "-p", s6.port, "-l", "1", "-t", "TCP_RR", "-P", "0", timeout=30)
            self.assertEqual(r.rc, 0, r)
            r = netperf("-6", "-H", "::1", "-p", s6.port, "-l", "1", "-t", "UDP_RR", "-P", "0", timeout=30)
            self.assertEqual(r.rc, 0, r)

    def test_options(self):
        port = self.server.port
        cases = [
            ["-t", "TCP_RR", "--", "-r", "64,1024", "-D"],
            ["-t", "TCP_RR", "--", "-b", "4"],
            ["-t", "UDP_RR", "--", "-b", "2", "-r", "32"],
            ["-t", "TCP_STREAM", "--", "-m", "4K", "-M", "8K", "-s", "64K", "-S", "128K"],
            ["-t", "TCP_STREAM", "-T", "0,1"],
            ["-t", "TCP_RR", "-w", "10m", "-b", "5"],
            ["-t", "TCP_STREAM", "-F", "/etc/services"],
            ["-t", "TCP_STREAM", "-a", "16", "-o", "4"],
            ["-t", "TCP_MAERTS", "--", "-L", "127.0.0.1"],
            ["-t", "TCP_RR", "--flows", "4"],
            ["-t", "TCP_STREAM", "--flows", "3", "--threads", "1"],
            ["-t", "UDP_RR", "--flows", "2"],
            ["-t", "TCP_CRR", "--flows", "2"],
            ["-t", "TCP_RR", "-c", "-C"],
        ]
        for c in cases:
            with self.subTest(options=c):
                r = netperf("-H", "127.0.0.1", "-p", port, "-l", "1", "-P", "0", *c, timeout=30)
                self.assertEqual(r.rc, 0, r)
                self.assertTrue(result_numbers(r.out), r)

    def test_pacing_limits_the_rate(self):
        # 5 transactions every 10 ms = 500/s.
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", "TCP_RR", "-w", "10m", "-b", "5",
                    "-v", "0", "-P", "0", timeout=30)
        self.assertEqual(r.rc, 0, r)
        rate = result_numbers(r.out)[0]
        # The limit is the property; a loaded machine may run below it.
        self.assertGreater(rate, 20, r)
        self.assertLess(rate, 520, r)

    def test_interim_results(self):
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "2", "-D", "0.5", "-t", "TCP_RR", timeout=30)
        self.assertEqual(r.rc, 0, r)
        lines = [l for l in r.out.splitlines() if l.startswith("Interim result:")]
        self.assertGreaterEqual(len(lines), 3, r)
        self.assertRegex(lines[0], r"^Interim result: +\d+\.\d\d Trans/s over \d\.\d{3} seconds ending at \d+\.\d{3}$")


if __name__ == "__main__":
    main()
