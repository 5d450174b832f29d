"""The DPDK transport end to end, with real netperf and netserver processes.

- net_af_packet on a veth pair between two network namespaces: netperf
  runs in one with --transport dpdk (its datagrams are built by hand and
  leave through the PMD), netserver in the other with kernel sockets.  The
  kernels' UDP counters (/proc/net/snmp in each namespace) show where the
  datagrams went: netperf's kernel sends and receives none, netserver's
  kernel receives them with no checksum errors.  The transport's address
  (ip=10.77.0.10) belongs to no kernel, so netserver's kernel reaches it
  only through the transport's own ARP answers.
- net_memif between two processes of ours: netserver is the memif server
  (--remote-transport-opt), netperf the client, UDP and raw L2 frames.

EAL runs with --no-huge (no hugepages needed); one case reserves 2 MB
hugepages for itself when it can, and skips with the reason when not.
Needs root and the dpdk transport; otherwise exits 77 with the reason.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import NETPERF, Netserver, main, netperf, result_numbers  # noqa: E402
from netns import TwoHosts, can_run, sh  # noqa: E402


def transport_status(name):
    """'' when the transport is usable here, else why not."""
    out = subprocess.run([NETPERF, "--list-transports"], capture_output=True, text=True, timeout=30).stdout
    for line in out.splitlines():
        parts = line.split(None, 2)
        if parts and parts[0] == name:
            return "" if parts[1] == "ok" else "%s: %s" % (name, parts[2] if len(parts) > 2 else parts[1])
    return "the %s transport is not built here (needs libdpdk-dev)" % name


WHY = can_run() or transport_status("dpdk")
EAL_BASE = "--no-huge -m 256 --no-pci"
# An address no kernel owns: only the transport answers ARP for it.
OWN_IP = "10.77.0.10"


def udp_counters(ns):
    """The namespace's kernel UDP counters (Udp: line of /proc/net/snmp)."""
    out = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").stdout
    rows = [line.split()[1:] for line in out.splitlines() if line.startswith("Udp:")]
    return dict(zip(rows[0], (int(x) for x in rows[1])))


@unittest.skipIf(WHY, WHY or "")
class AfPacketToAKernelServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = TwoHosts(v6=False).__enter__()
        try:
            cls.server = Netserver(host=None, netns=cls.net.b).__enter__()
        except Exception:
            cls.net.__exit__(None, None, None)
            raise
        cls.eal = EAL_BASE + " --vdev=net_af_packet0,iface=" + cls.net.veth_a

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.__exit__(None, None, None)
        finally:
            cls.net.__exit__(None, None, None)

    def run_np(self, *args, eal=None, ok=True):
        r = netperf("-H", self.net.addr_b, "-p", self.server.port, "-l", "1", "-P", "0",
                    "--transport", "dpdk,sockets", "--transport-opt", "eal=" + (eal or self.eal),
                    "--transport-opt", "ip=" + OWN_IP, *args, netns=self.net.a, timeout=30)
        if ok:
            self.assertEqual(r.rc, 0, r)
        return r

    def counted_run(self, *args, **kw):
        """Runs netperf; returns (result, client UDP deltas, server UDP deltas)."""
        a0, b0 = udp_counters(self.net.a), udp_counters(self.net.b)
        r = self.run_np(*args, **kw)
        a1, b1 = udp_counters(self.net.a), udp_counters(self.net.b)
        return r, {k: a1[k] - a0[k] for k in a0}, {k: b1[k] - b0[k] for k in b0}

    def test_stream_of_small_datagrams(self):
        r, ca, cb = self.counted_run("-t", "UDP_STREAM", "--", "-m", "64")
        self.assertEqual(ca["OutDatagrams"], 0, "netperf's kernel sent UDP: not through DPDK")
        self.assertGreater(cb["InDatagrams"], 1000, (cb, r))
        self.assertEqual(cb["InCsumErrors"], 0, "bad UDP checksums reached netserver's kernel")
        # netserver's report (the last line) counts what its kernel delivered.
        self.assertGreater(result_numbers(r.out)[2], 1000, r)

    def test_checksums_of_odd_and_full_sizes(self):
        for size in (1, 255, 1472):
            with self.subTest(size=size):
                r, ca, cb = self.counted_run("-t", "UDP_STREAM", "--", "-m", str(size))
                self.assertGreater(cb["InDatagrams"], 100, (cb, r))
                self.assertEqual(cb["InCsumErrors"], 0)
        r = self.run_np("-t", "UDP_STREAM", "--", "-m", "1473", ok=False)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("at most 1472 bytes", r.err, r)

    def test_request_response(self):
        r, ca, cb = self.counted_run("-t", "UDP_RR", "-v", "0")
        self.assertEqual(ca["InDatagrams"] + ca["OutDatagrams"], 0, "responses went through netperf's kernel")
        rate = result_numbers(r.out)[0]
        self.assertGreater(rate, 0, r)
        # One datagram each way per transaction through netserver's kernel,
        # plus up to three empty end-of-test datagrams that get no answer.
        self.assertGreaterEqual(cb["InDatagrams"], rate * 0.5, (cb, r))
        self.assertIn(cb["InDatagrams"] - cb["OutDatagrams"], range(0, 4), cb)
        # netserver's kernel learned our MAC for OWN_IP from our ARP answer.
        neigh = sh("ip", "-n", self.net.b, "neigh", "show", OWN_IP).stdout
        link = sh("ip", "-n", self.net.a, "link", "show", "dev", self.net.veth_a).stdout
        self.assertIn(re.search(r"link/ether ([0-9a-f:]{17})", link).group(1), neigh)

    def test_receive_from_a_kernel_sender(self):
        # UDP maerts: netserver's kernel sends to the transport's address
        # (netperf names it in the start message), netperf receives on DPDK.
        r, ca, cb = self.counted_run("-t", "OMNI", "-v", "0", "--", "-d", "recv", "-T", "udp", "-m", ",64")
        self.assertEqual(ca["InDatagrams"], 0, "datagrams reached netperf's kernel, not the DPDK port")
        self.assertGreater(cb["OutDatagrams"], 1000, cb)
        self.assertGreater(result_numbers(r.out)[0], 0, r)

    def test_static_peer_mac_and_no_udp_checksum(self):
        link = sh("ip", "-n", self.net.b, "link", "show", "dev", self.net.veth_b).stdout
        mac = re.search(r"link/ether ([0-9a-f:]{17})", link).group(1)
        r, ca, cb = self.counted_run("-t", "UDP_STREAM", "--transport-opt", "peer_mac=" + mac,
                                     "--transport-opt", "udp_csum=0", "--", "-m", "64")
        self.assertGreater(cb["InDatagrams"], 1000, (cb, r))
        self.assertEqual(cb["InCsumErrors"], 0)

    def test_errors_name_the_cause(self):
        cases = [
            (["-t", "TCP_RR"], r"TCP|byte stream|connect: Operation not supported"),
            (["-t", "UDP_RR", "--transport-opt", "mode=tcp"], r"mode=tcp"),
            (["-t", "UDP_RR", "--", "-H", "10.77.0.99"], r"no ARP reply for 10\.77\.0\.99"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                r = self.run_np(*args, ok=False)
                self.assertNotEqual(r.rc, 0, r)
                self.assertRegex(r.err + r.out, words, r)
        r = self.run_np("-t", "UDP_RR", eal=EAL_BASE, ok=False)
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("no ethdev", r.err, r)
        self.assertTrue(self.server.alive())

    def test_with_hugepages(self):
        why, cleanup = reserve_hugepages()
        if why:
            self.skipTest(why)
        try:
            mnt = cleanup[-1][1]
            eal = "-m 64 --no-pci --huge-dir=%s --huge-unlink --vdev=net_af_packet0,iface=%s" % (mnt, self.net.veth_a)
            r, ca, cb = self.counted_run("-t", "UDP_STREAM", "--", "-m", "64", eal=eal)
            self.assertGreater(cb["InDatagrams"], 1000, (cb, r))
        finally:
            for step in reversed(cleanup):
                step[0]()


def reserve_hugepages():
    """Makes 2 MB hugepages usable for one EAL (64 MB) on a private
    hugetlbfs mount.  Returns (why not, cleanup steps); each step is
    (undo function, detail)."""
    base = "/sys/kernel/mm/hugepages/hugepages-2048kB/"
    if not os.path.isdir(base):
        return "no 2 MB hugepages in this kernel", []
    steps = []
    with open(base + "nr_hugepages") as f:
        before = int(f.read())
    with open(base + "free_hugepages") as f:
        free = int(f.read())
    if free < 48:
        try:
            with open(base + "nr_hugepages", "w") as f:
                f.write(str(before + 48 - free))
        except OSError as e:
            return "cannot reserve hugepages: %s" % e, []

        def give_back():
            with open(base + "nr_hugepages", "w") as f:
                f.write(str(before))
        steps.append((give_back, None))
        with open(base + "free_hugepages") as f:
            if int(f.read()) < 48:
                give_back()
                return "the kernel could not reserve 48 free 2 MB hugepages", []
    mnt = tempfile.mkdtemp(prefix="np3-huge-")
    r = subprocess.run(["mount", "-t", "hugetlbfs", "-o", "pagesize=2M", "none", mnt], capture_output=True, text=True)
    if r.returncode != 0:
        for s in reversed(steps):
            s[0]()
        os.rmdir(mnt)
        return "cannot mount hugetlbfs: " + r.stderr.strip(), []

    def unmount():
        subprocess.run(["umount", mnt], capture_output=True)
        os.rmdir(mnt)
    steps.append((unmount, mnt))
    return "", steps


@unittest.skipIf(WHY, WHY or "")
class MemifBetweenOurProcesses(unittest.TestCase):
    """netserver (memif server) and netperf (memif client), both DPDK."""

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="np3-memif-")
        cls.sock = os.path.join(cls.dir, "memif.sock")
        cls.server = Netserver().__enter__()
        # One EAL per netserver process: every test gives it the same eal=.
        cls.eal = EAL_BASE + " --vdev=net_memif0,socket=%s,socket-abstract=no" % cls.sock

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.__exit__(None, None, None)
        finally:
            for name in os.listdir(cls.dir):
                os.unlink(os.path.join(cls.dir, name))
            os.rmdir(cls.dir)

    def run_np(self, *args, extra_opts=(), ok=True):
        opts = []
        for side, ip in (("--transport-opt", "10.88.0.1"), ("--remote-transport-opt", "10.88.0.2")):
            opts += [side, "eal=" + self.eal, side, "ip=" + ip]
            for o in extra_opts:
                opts += [side, o]
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-P", "0", "-v", "0",
                    "--transport", "dpdk", *opts, *args, timeout=30)
        if ok:
            self.assertEqual(r.rc, 0, r)
            self.assertGreater(result_numbers(r.out)[0], 0, r)
        return r

    def test_udp(self):
        for test, extra in [("UDP_RR", []), ("UDP_STREAM", ["--", "-m", "64", "-H", "10.88.0.2"]),
                            ("OMNI", ["--", "-d", "recv", "-T", "udp", "-m", ",64", "-H", "10.88.0.2"])]:
            with self.subTest(test=test):
                if test == "UDP_RR":
                    extra = ["--", "-H", "10.88.0.2"]
                self.run_np("-t", test, *extra)

    def test_raw_l2_frames(self):
        for test, extra in [("UDP_RR", []), ("UDP_STREAM", ["-m", "64"])]:
            with self.subTest(test=test):
                self.run_np("-t", test, "--", "-H", "10.88.0.2", *extra, extra_opts=["mode=l2"])
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    main()
