"""The uring transport end to end: netperf --transport uring against a real
netserver, which loads the same plugin by the name the client sends.

Skipped (exit 77) when the uring transport is not built or io_uring cannot
run here; the reason is printed.
"""
import os
import subprocess
import sys
import unittest

from harness import NETPERF, Netserver, main, netperf, result_numbers

ROOT = os.environ.get("NETPERF_SOURCE_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))


def uring_status():
    """'' when usable, else why not."""
    out = subprocess.run([NETPERF, "--list-transports"], capture_output=True, text=True, timeout=30).stdout
    lines = out.splitlines()
    for i, line in enumerate(lines):
        parts = line.split()
        if parts and parts[0] == "uring":
            if parts[1] == "ok":
                return ""
            return lines[i + 1].strip() if i + 1 < len(lines) else "uring: " + parts[1]
    return "the uring transport is not built here"


WHY = uring_status()


@unittest.skipIf(WHY, WHY)
class UringEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def run_ok(self, *args, host="127.0.0.1", port=None):
        r = netperf("-H", host, "-p", port or self.server.port, "-l", "1", "-P", "0", "-v", "0",
                    "--transport", "uring", *args, timeout=30)
        self.assertEqual(r.rc, 0, r)
        nums = result_numbers(r.out)
        self.assertTrue(nums and nums[0] > 0, r)
        return r

    def test_every_test(self):
        for test, extra in [("TCP_STREAM", []), ("TCP_MAERTS", []), ("TCP_RR", []), ("TCP_CRR", []),
                            ("TCP_CC", []), ("UDP_STREAM", ["--", "-m", "64"]), ("UDP_RR", []),
                            ("OMNI", ["--", "-d", "rr", "-T", "udp"])]:
            with self.subTest(test=test):
                self.run_ok("-t", test, *extra)
        self.assertTrue(self.server.alive())

    def test_flows(self):
        for test in ("TCP_RR", "TCP_STREAM", "UDP_RR", "TCP_CRR"):
            with self.subTest(test=test):
                self.run_ok("-t", test, "--flows", "4")

    def test_ipv6(self):
        with Netserver(host="::1") as s6:
            for test in ("TCP_RR", "TCP_STREAM", "UDP_RR", "UDP_STREAM"):
                with self.subTest(test=test):
                    self.run_ok("-6", "-t", test, host="::1", port=s6.port)

    def test_either_side_may_be_sockets(self):
        # --transport LOCAL,REMOTE: the wire is the same whichever end uses uring.
        for pair in ("uring,sockets", "sockets,uring"):
            for test in ("TCP_STREAM", "TCP_MAERTS", "TCP_RR", "TCP_CRR", "UDP_RR"):
                with self.subTest(transports=pair, test=test):
                    r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-P", "0", "-v", "0",
                                "--transport", pair, "-t", test, timeout=30)
                    self.assertEqual(r.rc, 0, r)
                    nums = result_numbers(r.out)
                    self.assertTrue(nums and nums[0] > 0, r)

    def test_options_reach_both_sides(self):
        for opts in (["single_issuer=1"], ["fixed_files=0", "multishot=0"], ["registered_buffers=1"],
                     ["send_zc=1"], ["entries=32"]):
            with self.subTest(opts=opts):
                args = [a for o in opts for a in ("--transport-opt", o)]
                self.run_ok("-t", "TCP_RR", *args)
                self.run_ok("-t", "UDP_STREAM", *args, "--", "-m", "64")

    def test_bad_options_are_refused_before_the_test(self):
        for opt, says in (("entries=3", "entries=3"), ("sqpoll_cpu=0", "sqpoll_cpu"), ("bogus=1", "bogus"),
                          ("sqpoll=perhaps", "sqpoll=perhaps")):
            with self.subTest(opt=opt):
                r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", "TCP_RR",
                            "--transport", "uring", "--transport-opt", opt, timeout=30)
                self.assertNotEqual(r.rc, 0, r)
                self.assertIn(says, r.err, r)
        self.assertTrue(self.server.alive())

    def test_help_lists_the_options(self):
        r = netperf("--transport-help", "uring")
        self.assertEqual(r.rc, 0, r)
        for name in ("sqpoll", "sqpoll_cpu", "single_issuer", "send_zc", "entries", "fixed_files", "multishot",
                     "registered_buffers"):
            self.assertIn(name, r.out)
        self.assertIn("usable here", r.out)

    def test_bench_script_runs(self):
        # One short round: the script finds netperf and netserver, discovers
        # the transports and prints a uring row in every table.
        env = dict(os.environ)
        env["NETPERF_BIN"] = NETPERF
        p = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "transports"), "--rounds", "1",
                            "--duration", "1", "--transports", "sockets,uring"],
                           capture_output=True, text=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stderr + p.stdout)
        for table in ("UDP_STREAM -m 64", "UDP_RR", "TCP_RR", "TCP_STREAM"):
            self.assertIn(table, p.stdout)
        rows = [l.split() for l in p.stdout.splitlines() if l.strip().startswith("uring")]
        self.assertEqual(len(rows), 4, p.stdout)
        for row in rows:
            self.assertNotIn("n/a", row, p.stdout)


if __name__ == "__main__":
    main()
