"""The sctp transport end to end: netperf against a real netserver on
loopback, SCTP_STREAM, SCTP_RR and OMNI -T sctp (stream, rr, crr, maerts),
several flows, IPv6, and the options reaching netserver.

Run once per stack, named by the first argument:
    test_sctp.py usrsctp     libusrsctp over UDP (each test's netserver gets
                             its own server_udp_port, so runs never collide)
    test_sctp.py kernel      the kernel's SCTP
Exits 77 (skipped) with the reason when that stack cannot run here.
"""
import errno
import os
import socket
import subprocess
import sys
import unittest

from harness import NETPERF, Netserver, main, netperf, result_numbers

STACK = sys.argv.pop(1) if len(sys.argv) > 1 and sys.argv[1] in ("usrsctp", "kernel") else "usrsctp"
IPPROTO_SCTP = 132


def kernel_sctp():
    """'' when the kernel makes SCTP sockets, else why not (as the plugin says it)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_SCTP).close()
        return ""
    except OSError as e:
        missing = e.errno in (errno.EPROTONOSUPPORT, errno.ESOCKTNOSUPPORT, errno.EAFNOSUPPORT)
        return "%s (socket: %s)" % ("kernel has no SCTP support" if missing else "kernel SCTP cannot be used",
                                    os.strerror(e.errno))


def status():
    """'' when the stack under test runs here, else why not."""
    out = subprocess.run([NETPERF, "--transport-help", "sctp"], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        return "the sctp transport is not built here: " + (out.stderr.strip() or out.stdout.strip())
    if "status: usable here" not in out.stdout:
        return out.stdout.splitlines()[1] if len(out.stdout.splitlines()) > 1 else "sctp: unusable"
    if STACK == "kernel" and kernel_sctp():
        return "sctp stack=kernel: " + kernel_sctp()
    return ""


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("0.0.0.0", 0))
        return s.getsockname()[1]


WHY = status()


@unittest.skipIf(WHY, WHY)
class SctpEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()
        # The netserver's usrsctp stack starts on the first test's port and
        # keeps it: every run against it names the same one.
        cls.opts = ["--transport-opt", "stack=" + STACK]
        if STACK == "usrsctp":
            cls.opts += ["--transport-opt", "server_udp_port=%d" % free_udp_port()]

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def run_ok(self, *args, host="127.0.0.1", port=None, opts=None, length="1"):
        r = netperf("-H", host, "-p", port or self.server.port, "-l", length, "-P", "0", "-v", "0",
                    *(self.opts if opts is None else opts), *args, timeout=30)
        self.assertEqual(r.rc, 0, r)
        nums = result_numbers(r.out)
        self.assertTrue(nums and nums[-1] > 0, r)
        self.assertLess(r.elapsed, 10, r)
        return r

    def test_every_test(self):
        for test, extra in [("SCTP_STREAM", []), ("SCTP_RR", []), ("OMNI", ["--", "-T", "sctp"]),
                            ("OMNI", ["--", "-T", "sctp", "-d", "rr"]), ("TCP_CRR", ["--", "-T", "sctp"]),
                            ("TCP_MAERTS", ["--", "-T", "sctp"])]:
            with self.subTest(test=test, extra=extra):
                self.run_ok("-t", test, *extra)
        self.assertTrue(self.server.alive())

    def test_flows(self):
        for test in ("SCTP_RR", "SCTP_STREAM"):
            with self.subTest(test=test):
                self.run_ok("-t", test, "--flows", "4")
        self.run_ok("-t", "OMNI", "--flows", "2", "--", "-T", "sctp")

    def test_count_based(self):
        # -l -N ends by count.  TCP_CRR opens 300 associations one after the
        # other: with libusrsctp 0.9.5 a few of them lose the upcall that
        # says the peer answered, and before the plugin re-checked parked ops
        # such a run took until the test's hard deadline.
        for test, length, extra in [("SCTP_STREAM", "-200", []), ("SCTP_RR", "-2000", []),
                                    ("SCTP_RR", "-2000", ["--flows", "2"]),
                                    ("OMNI", "-2000", ["--", "-T", "sctp", "-d", "rr"]),
                                    ("TCP_CRR", "-300", ["--", "-T", "sctp"])]:
            with self.subTest(test=test, length=length, extra=extra):
                self.run_ok("-t", test, *extra, length=length)

    @unittest.skipIf(STACK != "usrsctp" or not kernel_sctp(), "auto picks the kernel's SCTP here")
    def test_auto_picks_usrsctp_without_kernel_sctp(self):
        # No stack= on either side: both pick usrsctp, as the kernel has none.
        opts = self.opts[2:]  # the server's port only
        self.assertEqual(opts[0], "--transport-opt")
        self.assertTrue(opts[1].startswith("server_udp_port="))
        for test, extra in [("SCTP_STREAM", []), ("SCTP_RR", []), ("OMNI", ["--", "-T", "sctp"])]:
            with self.subTest(test=test):
                self.run_ok("-t", test, *extra, opts=opts)

    def test_messages_larger_than_a_packet_or_the_send_buffer(self):
        self.run_ok("-t", "SCTP_RR", "--", "-r", "32K,32K")
        self.run_ok("-t", "SCTP_STREAM", "--", "-m", "1M")

    def test_ipv6(self):
        with Netserver(host="::1") as s6:
            opts = ["--transport-opt", "stack=" + STACK]
            if STACK == "usrsctp":
                opts += ["--transport-opt", "server_udp_port=%d" % free_udp_port()]
            for test in ("SCTP_RR", "SCTP_STREAM"):
                with self.subTest(test=test):
                    self.run_ok("-6", "-t", test, host="::1", port=s6.port, opts=opts)

    def test_bad_options_are_refused_before_the_test(self):
        for opt, says in (("stack=bogus", "stack=bogus"), ("server_udp_port=0", "server_udp_port=0"),
                          ("client_udp_port=70000", "client_udp_port=70000"), ("bogus=1", "bogus")):
            with self.subTest(opt=opt):
                r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", "SCTP_RR",
                            "--transport-opt", opt, timeout=30)
                self.assertNotEqual(r.rc, 0, r)
                self.assertIn(says, r.err + r.out)
        self.assertTrue(self.server.alive())

    def test_list_transports_names_the_stack(self):
        out = subprocess.run([NETPERF, "--list-transports"], capture_output=True, text=True, timeout=30).stdout
        line = [l for l in out.splitlines() if l.split() and l.split()[0] == "sctp"]
        self.assertTrue(line, out)
        self.assertIn(" ok ", line[0])
        self.assertIn("here: kernel SCTP" if not kernel_sctp() else "here: usrsctp over UDP", line[0])


@unittest.skipIf(WHY or STACK != "usrsctp", WHY or "usrsctp only")
class UsrsctpPorts(unittest.TestCase):
    def test_one_stack_per_netserver(self):
        # The server's stack takes the first port a client names; a client
        # naming another is told why it cannot have it, and the server lives.
        with Netserver() as s:
            first, second = free_udp_port(), free_udp_port()
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-P", "0", "-t", "SCTP_RR",
                        "--transport-opt", "server_udp_port=%d" % first, timeout=30)
            self.assertEqual(r.rc, 0, r)
            if second == first:
                second = first + 1
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-P", "0", "-t", "SCTP_RR",
                        "--transport-opt", "server_udp_port=%d" % second, timeout=30)
            self.assertNotEqual(r.rc, 0, r)
            self.assertIn("already runs on UDP port %d" % first, r.err + r.out)
            self.assertTrue(s.alive())

    def test_remote_transport_opt_sets_the_servers_side_alone(self):
        # --remote-transport-opt gives netserver its own options: its port
        # must then be given to netperf too, or netperf sends elsewhere.
        with Netserver() as s:
            port = free_udp_port()
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-P", "0", "-t", "SCTP_STREAM",
                        "--transport-opt", "server_udp_port=%d" % port,
                        "--remote-transport-opt", "server_udp_port=%d" % port,
                        "--remote-transport-opt", "udp_rcvbuf=0", timeout=30)
            self.assertEqual(r.rc, 0, r)
            nums = result_numbers(r.out)
            self.assertTrue(nums and nums[-1] > 0, r)


if __name__ == "__main__":
    if WHY:
        print("skipped: " + WHY)
    main()
