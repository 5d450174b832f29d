"""The AF_XDP transport across a veth pair between two network namespaces.

netperf runs in one namespace with --transport xdp (its datagrams leave
through an AF_XDP socket, built by hand), netserver in the other with
kernel sockets or with xdp too.  The kernels' own UDP counters
(/proc/net/snmp in each namespace) show where the datagrams went: a side
using AF_XDP sends and receives none through its kernel, the kernel side
receives them with no checksum errors.

Needs root and the xdp transport (built with libxdp/libbpf, usable here);
otherwise exits 77 with the reason.
"""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import NETPERF, Netserver, main, netperf, result_numbers  # noqa: E402
from netns import TwoHosts, can_run, sh  # noqa: E402


def xdp_status():
    """'' when the xdp transport is usable here, else why not."""
    out = subprocess.run([NETPERF, "--list-transports"], capture_output=True, text=True, timeout=30).stdout
    lines = out.splitlines()
    for i, line in enumerate(lines):
        parts = line.split()
        if parts and parts[0] == "xdp":
            if parts[1] == "ok":
                return ""
            return lines[i + 1].strip() if i + 1 < len(lines) else "xdp: " + parts[1]
    return "the xdp transport is not built here (needs libxdp-dev and libbpf-dev)"


WHY = can_run() or xdp_status()


def udp_counters(ns):
    """The namespace's kernel UDP counters (Udp: line of /proc/net/snmp)."""
    out = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").stdout
    rows = [line.split()[1:] for line in out.splitlines() if line.startswith("Udp:")]
    return dict(zip(rows[0], (int(x) for x in rows[1])))


def delta(before, after, key):
    return after[key] - before[key]


def xdp_attached(ns, dev):
    """Whether an XDP program is attached to dev (ip link shows 'xdp...')."""
    out = sh("ip", "-n", ns, "-d", "link", "show", "dev", dev).stdout
    return re.search(r"\bxdp(generic|drv|offload)?\b", out) is not None


@unittest.skipIf(WHY, WHY or "")
class XdpAcrossVeth(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.net = TwoHosts(v6=False).__enter__()
        try:
            # A second address on the server's side: a data host the
            # client's kernel has never resolved (our ARP request does).
            sh("ip", "-n", cls.net.b, "addr", "add", "10.77.0.3/24", "dev", cls.net.veth_b)
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

    def run_np(self, *args, transport="xdp,sockets", ok=True, timeout=30):
        r = netperf("-H", self.net.addr_b, "-p", self.server.port, "-l", "1", "-P", "0", "-v", "0",
                    "--transport", transport, *args, netns=self.net.a, timeout=timeout)
        if ok:
            self.assertEqual(r.rc, 0, r)
            nums = result_numbers(r.out)
            self.assertTrue(nums and nums[0] > 0, r)
        return r

    def counted_run(self, *args, **kw):
        """Runs netperf; returns (result, client UDP deltas, server UDP deltas)."""
        a0, b0 = udp_counters(self.net.a), udp_counters(self.net.b)
        r = self.run_np(*args, **kw)
        a1, b1 = udp_counters(self.net.a), udp_counters(self.net.b)
        return r, {k: delta(a0, a1, k) for k in a0}, {k: delta(b0, b1, k) for k in b0}

    def test_stream_to_a_kernel_receiver(self):
        # 64-byte datagrams from the AF_XDP socket; netserver's kernel gets
        # them with valid checksums; netperf's kernel sends no UDP at all.
        for test, extra in [("UDP_STREAM", []), ("OMNI", ["-d", "send", "-T", "udp"])]:
            with self.subTest(test=test):
                r, ca, cb = self.counted_run("-t", test, "--", "-m", "64", *extra)
                self.assertEqual(ca["OutDatagrams"], 0, "netperf's kernel sent UDP: not through AF_XDP")
                self.assertGreater(cb["InDatagrams"], 1000, (cb, r))
                self.assertEqual(cb["InCsumErrors"], 0, "bad UDP checksums reached netserver's kernel")
                self.assertEqual(cb["InErrors"] - cb["RcvbufErrors"], 0, cb)

    def test_sizes_up_to_the_mtu(self):
        # Odd and even payloads, up to the largest that fits the 1500 MTU
        # unfragmented: every one checksums right at the kernel receiver.
        for size in (1, 255, 1000, 1472):
            with self.subTest(size=size):
                r, ca, cb = self.counted_run("-t", "UDP_STREAM", "--", "-m", str(size))
                self.assertGreater(cb["InDatagrams"], 100, (cb, r))
                self.assertEqual(cb["InCsumErrors"], 0)

    def test_request_response_with_a_kernel_server(self):
        for test, extra in [("UDP_RR", []), ("OMNI", ["--", "-d", "rr", "-T", "udp"]),
                            ("UDP_RR", ["--", "-r", "200,1400"])]:
            with self.subTest(test=test, extra=extra):
                r, ca, cb = self.counted_run("-t", test, *extra)
                self.assertEqual(ca["InDatagrams"] + ca["OutDatagrams"], 0, "responses went through netperf's kernel")
                self.assertGreater(cb["InDatagrams"], 100, (cb, r))
                # Every transaction is one datagram each way through
                # netserver's kernel (UDP_RR -v 0 prints transactions/s).
                if test == "UDP_RR":
                    self.assertGreaterEqual(cb["InDatagrams"], result_numbers(r.out)[0] * 0.5, (cb, r))
                # ... plus up to three empty end-of-test datagrams that get no answer.
                self.assertIn(cb["InDatagrams"] - cb["OutDatagrams"], range(0, 4), cb)
                self.assertEqual(cb["InCsumErrors"], 0)

    def test_receive_from_a_kernel_sender(self):
        # -m ,64 is the remote's send size (2.7: a bare -m 64 is this side's, and the
        # kernel sender would use 64 KB datagrams, IP-fragmented, which AF_XDP does not reassemble).
        # UDP maerts: netserver's kernel sends, netperf receives on AF_XDP.
        r, ca, cb = self.counted_run("-t", "OMNI", "--", "-d", "recv", "-T", "udp", "-m", ",64")
        self.assertEqual(ca["InDatagrams"], 0, "datagrams reached netperf's kernel, not its AF_XDP socket")
        self.assertGreater(cb["OutDatagrams"], 1000, cb)

    def test_xdp_on_both_ends(self):
        for test, extra in [("UDP_RR", []), ("UDP_STREAM", ["--", "-m", "64"]),
                            ("OMNI", ["--", "-d", "recv", "-T", "udp", "-m", ",64"])]:
            with self.subTest(test=test):
                r, ca, cb = self.counted_run("-t", test, *extra, transport="xdp")
                for side in (ca, cb):
                    self.assertEqual(side["InDatagrams"] + side["OutDatagrams"], 0, (ca, cb))

    def test_program_is_gone_after_the_test(self):
        self.run_np("-t", "UDP_RR")
        self.assertFalse(xdp_attached(self.net.a, self.net.veth_a))

    def test_control_traffic_passes_while_steering(self):
        # A TCP test through the kernel at the same time as an AF_XDP test:
        # the XDP program passes everything that is not the test's UDP.
        import threading
        box = {}
        t = threading.Thread(target=lambda: box.update(r=self.run_np("-t", "UDP_RR", "-l", "3", ok=False)))
        t.start()
        tcp = netperf("-H", self.net.addr_b, "-p", self.server.port, "-l", "1", "-P", "0", "-v", "0",
                      "-t", "TCP_RR", netns=self.net.a, timeout=30)
        t.join()
        self.assertEqual(tcp.rc, 0, tcp)
        self.assertEqual(box["r"].rc, 0, box["r"])

    def test_flows_on_one_worker(self):
        # One AF_XDP socket (one queue) serves several flows, told apart by port.
        for test, extra in [("UDP_RR", []), ("UDP_STREAM", ["--", "-m", "64"])]:
            with self.subTest(test=test):
                self.run_np("-t", test, "--flows", "3", "--threads", "1", *extra)

    def test_our_arp_request_resolves_an_unknown_peer(self):
        # Data to 10.77.0.3, which netperf's kernel never resolved: the
        # transport asks by ARP itself.
        sh("ip", "-n", self.net.a, "neigh", "flush", "10.77.0.3", check=False)
        r = self.run_np("-t", "UDP_RR", "--", "-H", "10.77.0.3")
        neigh = sh("ip", "-n", self.net.a, "neigh", "show", "10.77.0.3").stdout
        self.assertNotIn("lladdr", neigh, "the kernel resolved it, not the transport")

    def test_we_answer_arp_for_an_address_the_kernel_lacks(self):
        # With ip= an address no kernel owns, netserver's kernel must ARP
        # for it to answer; only the transport can reply.
        sh("ip", "-n", self.net.b, "neigh", "flush", "10.77.0.10", check=False)
        r = self.run_np("-t", "UDP_RR", "--transport-opt", "ip=10.77.0.10")
        neigh = sh("ip", "-n", self.net.b, "neigh", "show", "10.77.0.10").stdout
        link = sh("ip", "-n", self.net.a, "link", "show", "dev", self.net.veth_a).stdout
        own_mac = re.search(r"link/ether ([0-9a-f:]{17})", link).group(1)
        self.assertIn(own_mac, neigh, "netserver's kernel learned our MAC for 10.77.0.10 from our ARP answer")

    def test_default_program_on_a_data_only_link(self):
        # prog=default: libxdp's own program takes every frame of the queue,
        # so the data gets a link of its own (a second veth pair); the
        # transport resolves the peer and answers ARP there itself.
        dev_a, dev_b = self.net.veth_a + "d", self.net.veth_b + "d"
        sh("ip", "link", "add", dev_a, "type", "veth", "peer", "name", dev_b)
        try:
            for ns, dev, addr in ((self.net.a, dev_a, "10.78.0.1/24"), (self.net.b, dev_b, "10.78.0.2/24")):
                sh("ip", "link", "set", dev, "netns", ns)
                sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
                sh("ip", "-n", ns, "link", "set", dev, "up")
            opts = ["--transport-opt", "prog=default", "--transport-opt", "ifname=" + dev_a]
            for test, extra in [("UDP_RR", []), ("UDP_STREAM", ["-m", "64"])]:
                with self.subTest(test=test):
                    r, ca, cb = self.counted_run("-t", test, *opts, "--", "-H", "10.78.0.2", *extra)
                    self.assertEqual(ca["InDatagrams"] + ca["OutDatagrams"], 0, ca)
                    self.assertGreater(cb["InDatagrams"], 100, cb)
            neigh = sh("ip", "-n", self.net.a, "neigh", "show", "10.78.0.2").stdout
            self.assertNotIn("lladdr", neigh, "netperf's kernel resolved the peer, not the transport")
            r = self.run_np("-t", "UDP_RR", "--transport-opt", "prog=default", ok=False)
            self.assertIn("ifname", r.err, r)
        finally:
            sh("ip", "-n", self.net.a, "link", "del", dev_a, check=False)

    def test_options(self):
        for opts in (["xdp_mode=skb", "mode=copy"], ["xdp_mode=drv"], ["need_wakeup=0"], ["busy_poll=50"],
                     ["frame_size=2048", "rx_ring=256", "tx_ring=128", "batch=8"],
                     ["peer_mac=" + self.peer_mac()]):
            with self.subTest(opts=opts):
                args = [a for o in opts for a in ("--transport-opt", o)]
                self.run_np("-t", "UDP_RR", *args)
                self.run_np("-t", "UDP_STREAM", *args, "--", "-m", "64")

    def peer_mac(self):
        link = sh("ip", "-n", self.net.b, "link", "show", "dev", self.net.veth_b).stdout
        return re.search(r"link/ether ([0-9a-f:]{17})", link).group(1)

    def test_errors_name_the_cause(self):
        cases = [
            (["--transport-opt", "ifname=nosuch0", "-t", "UDP_RR"], "nosuch0"),
            (["--transport-opt", "mode=zerocopy", "-t", "UDP_RR"], "zero"),
            (["--transport-opt", "mode=bogus", "-t", "UDP_RR"], "mode"),
            (["-t", "TCP_RR"], "byte streams"),
            (["-t", "UDP_STREAM", "--", "-m", "1473"], "too long"),
            # A second worker would need a second socket on the interface.
            (["-t", "UDP_RR", "--flows", "2", "--threads", "2"], "--threads 1"),
        ]
        for args, words in cases:
            with self.subTest(args=args):
                r = self.run_np(*args, ok=False)
                self.assertNotEqual(r.rc, 0, r)
                self.assertIn(words, r.err + r.out, r)
        self.assertTrue(self.server.alive())


if __name__ == "__main__":
    main()
