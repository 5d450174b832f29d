"""flent (the FLExible Network Tester) driving our netperf against our netserver.

flent runs netperf 2.x in demo mode with a command such as
  netperf -P 0 -v 0 -D -0.20 -4 -H HOST -p PORT -t TCP_STREAM -l L -F /dev/urandom -f m
          -- -H HOST -k THROUGHPUT,LOCAL_CONG_CONTROL,...
and parses the NETPERF_INTERIM_RESULT[i] / NETPERF_INTERVAL[i] / NETPERF_ENDING[i]
lines and the final KEY=VALUE lines.  Each test here runs one of flent's own
tests for a couple of seconds, with our netperf first on PATH and our netserver
on an ephemeral port (flent's --netperf-control-port), and reads the data file
flent writes (gzip JSON): every series must hold numbers, every netperf series
must come from our netperf and hold about one point per step of its duration.

flent's tests with an ICMP ping series need fping or ping; without either,
the upload test runs flent's ping-less tcp_1up_noping and the others are
skipped.
The whole file exits 77 only when flent is not installed."""
import glob
import gzip
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

from harness import NETPERF, SKIP, Netserver, main

LENGTH = 2      # seconds each netperf runs (flent -l)
DELAY = 1       # flent -d: the loaders start this long after the pings
STEP = 0.2      # flent's default step, netperf -D -0.20


def flent_binary():
    return shutil.which("flent")


def have_pinger():
    return any(shutil.which(p) for p in ("fping", "ping"))


class Flent(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="flent-test-")
        # flent looks netperf up on PATH by that name: ours comes first.
        bindir = os.path.join(cls.tmp, "bin")
        os.mkdir(bindir)
        cls.netperf = os.path.abspath(NETPERF)
        os.symlink(cls.netperf, os.path.join(bindir, "netperf"))
        cls.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                       HOME=cls.tmp)
        cls.ns = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.ns.__exit__(None, None, None)
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def run_flent(self, test, *extra):
        """Runs flent TEST on loopback and returns its data file, parsed."""
        datadir = tempfile.mkdtemp(prefix=test + "-", dir=self.tmp)
        cmd = [flent_binary(), test, "-H", "127.0.0.1", "-l", str(LENGTH), "-d", str(DELAY),
               "--netperf-control-port", str(self.ns.port), "--data-dir", datadir,
               "--log-file", os.path.join(datadir, "flent.log"), "-f", "stats", *extra]
        proc = subprocess.run(cmd, env=self.env, capture_output=True, text=True, timeout=120)
        with open(os.path.join(datadir, "flent.log")) as f:
            log = f.read()
        why = "flent %s: rc=%d\n--- stdout\n%s--- stderr\n%s--- log tail\n%s" % (
            test, proc.returncode, proc.stdout, proc.stderr, log[-4000:])
        self.assertEqual(proc.returncode, 0, why)
        files = glob.glob(os.path.join(datadir, "*.flent.gz"))
        self.assertEqual(len(files), 1, why)
        with gzip.open(files[0]) as f:
            data = json.load(f)
        self.assertTrue(self.ns.alive(), "netserver died during flent " + test)
        return data, why

    def check(self, data, why, netperf_tests):
        """Every series holds numbers; each netperf series ran our netperf
        with the wanted test and holds about one point per step."""
        meta = data["metadata"]["SERIES_META"]
        self.assertTrue(data["results"], why)
        for name, values in data["results"].items():
            nums = [v for v in values if v is not None]
            self.assertTrue(nums, "series %r has no values\n%s" % (name, why))
            for v in nums:
                self.assertTrue(isinstance(v, (int, float)) and math.isfinite(v),
                                "series %r holds %r\n%s" % (name, v, why))
        seen = {}
        for name, m in meta.items():
            if m.get("RUNNER") != "NetperfDemoRunner":
                continue
            cmd = m["COMMAND"].split()
            self.assertEqual(cmd[0], os.path.join(self.tmp, "bin", "netperf"), why)
            test = cmd[cmd.index("-t") + 1]
            seen[test] = seen.get(test, 0) + 1
            # flent's parser found the final -k lines ...
            self.assertIn("MEAN_VALUE", m, "series %r: no THROUGHPUT key\n%s" % (name, why))
            self.assertGreater(m["MEAN_VALUE"], 0, "series %r\n%s" % (name, why))
            self.assertGreater(m["ELAPSED_TIME"], 0, "series %r\n%s" % (name, why))
            if test in ("TCP_STREAM", "TCP_MAERTS"):
                self.assertGreater(m["BYTES_SENT"], 0, "series %r\n%s" % (name, why))
                self.assertGreater(m["BYTES_RECVD"], 0, "series %r\n%s" % (name, why))
                self.assertGreater(m["TCP_MSS"], 0, "series %r\n%s" % (name, why))
            # ... and the interim lines: about one per step of the run (flent
            # drops none whose interval is within 10x of the average; a
            # loaded machine's stalls fold steps together, hence fewer).
            raw = data["raw_values"][name]
            length = int(cmd[cmd.index("-l") + 1])
            expected = length / STEP
            self.assertGreaterEqual(len(raw), expected * 0.4, "series %r: %d interim points\n%s" % (name, len(raw), why))
            self.assertLessEqual(len(raw), expected * 1.5 + 2, "series %r: %d interim points\n%s" % (name, len(raw), why))
            for r in raw:
                self.assertGreater(r["dur"], 0, why)
                self.assertTrue(math.isfinite(r["val"]) and r["val"] >= 0, why)
        self.assertEqual(seen, netperf_tests, why)

    def test_udp_rr_demo_lines(self):
        """The lines flent's UDP_RR parser reads, straight from netperf: a
        rate of 0 would become no value and crash flent's interpolation, so
        every interim rate is positive (an interval in which nothing moved is
        folded into the next line, as 2.7 does) and the intervals cover the
        run."""
        r = subprocess.run([self.netperf, "-P", "0", "-v", "0", "-D", "-0.20", "-4", "-H", "127.0.0.1",
                            "-p", str(self.ns.port), "-t", "UDP_RR", "-l", str(LENGTH), "-F", "/dev/urandom",
                            "--", "-e", "2", "-H", "127.0.0.1", "-k", "THROUGHPUT,ELAPSED_TIME"],
                           capture_output=True, text=True, timeout=60)
        why = "rc=%d\n--- stdout\n%s--- stderr\n%s" % (r.returncode, r.stdout, r.stderr)
        self.assertEqual(r.returncode, 0, why)
        kv = {}
        for line in r.stdout.splitlines():
            k, _, v = line.partition("=")
            kv[k] = v
        n = len([k for k in kv if k.startswith("NETPERF_INTERIM_RESULT[")])
        # A loaded machine stalls the flow now and then: stalled intervals
        # fold into longer ones, so fewer lines, never more than the steps.
        self.assertGreaterEqual(n, 3, why)
        self.assertLessEqual(n, LENGTH / STEP + 2, why)
        total = 0.0
        for i in range(n):
            self.assertGreater(float(kv["NETPERF_INTERIM_RESULT[%d]" % i]), 0, why)
            self.assertGreater(float(kv["NETPERF_INTERVAL[%d]" % i]), 0, why)
            self.assertEqual(kv["NETPERF_UNITS[%d]" % i], "Trans/s", why)
            total += float(kv["NETPERF_INTERVAL[%d]" % i])
        # The intervals do not overlap and cover the run but for a last
        # stretch in which nothing moved (not printed, as in 2.7).
        self.assertLessEqual(total, float(kv["ELAPSED_TIME"]) + 0.3, why)
        self.assertGreaterEqual(total, float(kv["ELAPSED_TIME"]) * 0.5, why)
        self.assertGreater(float(kv["THROUGHPUT"]), 0, why)

    def test_tcp_upload(self):
        if have_pinger():
            data, why = self.run_flent("tcp_upload")
            self.assertIn("Ping (ms) ICMP", data["results"], why)
        else:
            data, why = self.run_flent("tcp_1up_noping")
        self.check(data, why, {"TCP_STREAM": 1})

    def test_tcp_download(self):
        if not have_pinger():
            self.skipTest("flent's tcp_download has an ICMP ping series: neither fping nor ping is installed")
        data, why = self.run_flent("tcp_download")
        self.check(data, why, {"TCP_MAERTS": 1})

    def test_tcp_nup(self):
        if not have_pinger():
            self.skipTest("flent's tcp_nup has an ICMP ping series: neither fping nor ping is installed")
        data, why = self.run_flent("tcp_nup", "--test-parameter", "upload_streams=2")
        self.check(data, why, {"TCP_STREAM": 2})

    def test_udp_rr(self):
        # flent's ping test measures UDP round trips with netperf UDP_RR
        # (unless an irtt server answers on the host, which loopback lacks).
        if not have_pinger():
            self.skipTest("flent's ping test (netperf UDP_RR) has an ICMP series: neither fping nor ping is installed")
        data, why = self.run_flent("ping")
        if data["metadata"]["SERIES_META"]["Ping (ms) UDP"].get("RUNNER") == "IrttRunner":
            self.skipTest("an irtt server answers on 127.0.0.1: flent used irtt, not netperf UDP_RR")
        self.check(data, why, {"UDP_RR": 1})
        # flent turns UDP_RR's transactions per second into milliseconds.
        self.assertEqual(data["metadata"]["SERIES_META"]["Ping (ms) UDP"]["UNITS"], "ms", why)


if __name__ == "__main__":
    if not flent_binary():
        print("flent is not installed (apt-get install flent)")
        sys.exit(SKIP)
    main()
