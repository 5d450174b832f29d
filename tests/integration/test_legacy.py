"""netperf 2.x's protocol end to end between our binaries: our netperf with
--legacy (and by itself, behind a peer that does not know the modern hello)
against our netserver, which serves that protocol on the same port.

The counts the netserver reports over the 2.x results message are checked
against what netperf counted on its side: byte counts of a TCP stream must
be equal, transactions of a TCP RR equal, UDP received at most sent."""
import select
import socket
import struct
import threading
import unittest

from harness import Netserver, netperf, keyvals, result_numbers, main

MSG = 656
BOTH_WAYS = "LOCAL_BYTES_SENT,LOCAL_BYTES_RECVD,REMOTE_BYTES_SENT,REMOTE_BYTES_RECVD"


def kv(*args, ns, extra=()):
    r = netperf("--legacy", "-H", "127.0.0.1", "-p", ns.port, "-l", "1", *extra, *args, timeout=60)
    return r, keyvals(r.out)


class LegacyEndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ns = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.ns.__exit__(None, None, None)

    def check_stream(self, test, sent, recvd):
        r, k = kv("-t", test, "--", "-k", "THROUGHPUT,ELAPSED_TIME,%s,%s" % (sent, recvd), ns=self.ns)
        self.assertEqual(r.rc, 0, r)
        # Both ends agree on who ends the stream: no wait for a padded timer
        # (TCP_MAERTS: the receiving netperf ends it, the netserver waits).
        self.assertLess(r.elapsed, 1 + 1.5, r)
        self.assertLess(float(k["ELAPSED_TIME"]), 1.2, r)
        self.assertGreater(float(k["THROUGHPUT"]), 0, r)
        self.assertEqual(int(k[sent]), int(k[recvd]), r)
        self.assertGreater(int(k[sent]), 0, r)

    def test_tcp_stream(self):
        self.check_stream("TCP_STREAM", "LOCAL_BYTES_SENT", "REMOTE_BYTES_RECVD")

    def test_tcp_maerts(self):
        self.check_stream("TCP_MAERTS", "REMOTE_BYTES_SENT", "LOCAL_BYTES_RECVD")

    def test_rr_and_crr(self):
        for test in ("TCP_RR", "TCP_CRR", "UDP_RR"):
            r, k = kv("-t", test, "--", "-k", "TRANSACTION_RATE," + BOTH_WAYS, ns=self.ns)
            self.assertEqual(r.rc, 0, r)
            self.assertGreater(float(k["TRANSACTION_RATE"]), 0, r)
            self.assertGreater(int(k["LOCAL_BYTES_SENT"]), 0, r)
            if test == "UDP_RR":  # a datagram may be lost
                self.assertLessEqual(int(k["REMOTE_BYTES_RECVD"]), int(k["LOCAL_BYTES_SENT"]), r)
            elif test == "TCP_CRR":
                # A connection opened as the test ends may have carried its
                # request without this side's count seeing it.
                self.assertIn(int(k["REMOTE_BYTES_RECVD"]) - int(k["LOCAL_BYTES_SENT"]), (0, 1), r)
                self.assertIn(int(k["REMOTE_BYTES_SENT"]) - int(k["LOCAL_BYTES_RECVD"]), (0, 1), r)
            else:
                self.assertEqual(k["LOCAL_BYTES_SENT"], k["REMOTE_BYTES_RECVD"], r)
                # The answer to the last request may still be in flight at the end.
                self.assertIn(int(k["REMOTE_BYTES_SENT"]) - int(k["LOCAL_BYTES_RECVD"]), (0, 1), r)

    def test_udp_stream(self):
        r, k = kv("-t", "UDP_STREAM", "--", "-m", "1024", "-k", "LOCAL_BYTES_SENT,REMOTE_BYTES_RECVD", ns=self.ns)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(0 < int(k["REMOTE_BYTES_RECVD"]) <= int(k["LOCAL_BYTES_SENT"]), r)

    def test_omni_directions(self):
        for proto in ("tcp", "udp"):
            for d in ("send", "recv", "rr"):
                r, k = kv("-t", "OMNI", "--", "-T", proto, "-d", d, "-k", "THROUGHPUT,DIRECTION,PROTOCOL", ns=self.ns)
                self.assertEqual(r.rc, 0, r)
                self.assertGreater(float(k["THROUGHPUT"]), 0, r)

    def test_cpu(self):
        r, k = kv("-c", "-C", "-t", "TCP_STREAM", "--", "-k",
                  "LOCAL_CPU_UTIL,REMOTE_CPU_UTIL,REMOTE_CPU_METHOD,REMOTE_SD", ns=self.ns)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(0 <= float(k["REMOTE_CPU_UTIL"]) <= 100, r)
        self.assertGreater(float(k["REMOTE_SD"]), 0, r)

    def test_confidence_on_one_connection(self):
        r = netperf("--legacy", "-H", "127.0.0.1", "-p", self.ns.port, "-l", "1", "-i", "3,3", "-t", "TCP_RR",
                    timeout=60)
        self.assertEqual(r.rc, 0, r)
        self.assertIn("conf.", r.out)
        self.assertGreater(result_numbers(r.out)[0], 0, r)

    def test_counted(self):
        r, k = kv("-t", "TCP_RR", "--", "-k", "LOCAL_SEND_CALLS," + BOTH_WAYS, ns=self.ns, extra=("-l", "-2000"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(int(k["LOCAL_SEND_CALLS"]), 2000, r)  # one 1-byte request per transaction
        self.assertEqual(int(k["REMOTE_BYTES_RECVD"]), 2000, r)
        r, k = kv("-t", "TCP_STREAM", "--", "-k", "LOCAL_BYTES_SENT,REMOTE_BYTES_RECVD", ns=self.ns,
                  extra=("-l", "-10000000"))
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(k["LOCAL_BYTES_SENT"], k["REMOTE_BYTES_RECVD"], r)

    def test_ipv6(self):
        try:
            s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            s.bind(("::1", 0))
            s.close()
        except OSError as e:
            self.skipTest("no IPv6 loopback: %s" % e)
        with Netserver(host="::1") as ns6:
            r = netperf("--legacy", "-6", "-H", "::1", "-p", ns6.port, "-l", "1", "-t", "UDP_RR", timeout=60)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("AF_INET6", r.out)


class Passphrase(unittest.TestCase):
    def test_right_and_wrong(self):
        with Netserver("-Z", "sekrit") as ns:
            r = netperf("--legacy", "-Z", "sekrit", "-H", "127.0.0.1", "-p", ns.port, "-l", "1", "-t", "TCP_RR",
                        timeout=60)
            self.assertEqual(r.rc, 0, r)
            r = netperf("--legacy", "-Z", "wrong", "-H", "127.0.0.1", "-p", ns.port, "-l", "1", "-t", "TCP_RR",
                        timeout=60)
            self.assertNotEqual(r.rc, 0, r)
            self.assertEqual(len(r.err.strip().splitlines()), 1, r)


class OldPeer(threading.Thread):
    """Stands for a netserver 2.7 in front of ours: answers the modern
    hello the way 2.7 answers any unknown code (serv_errno 998, the session
    goes on) and passes everything after it to our netserver, which then
    sees a plain 2.x session."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.target = port
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(1)
        self.port = self.lsock.getsockname()[1]
        self.hello_seen = False

    def run(self):
        self.lsock.settimeout(30)
        try:
            c, _ = self.lsock.accept()
        finally:
            self.lsock.close()
        first = b""
        while len(first) < MSG:
            d = c.recv(MSG - len(first))
            if not d:
                return
            first += d
        self.hello_seen = True
        c.sendall(first[:4] + struct.pack(">i", 998) + bytes(MSG - 8))
        s = socket.create_connection(("127.0.0.1", self.target))
        ends = {c: s, s: c}
        while ends:
            r, _, _ = select.select(list(ends), [], [], 30)
            if not r:
                break
            for src in r:
                d = src.recv(65536)
                if not d:
                    ends[src].shutdown(socket.SHUT_WR)
                    del ends[src]
                else:
                    ends[src].sendall(d)
        c.close()
        s.close()


class Fallback(unittest.TestCase):
    def test_falls_back_without_legacy_flag(self):
        with Netserver() as ns:
            peer = OldPeer(ns.port)
            peer.start()
            r = netperf("-H", "127.0.0.1", "-p", peer.port, "-l", "1", "-t", "TCP_STREAM", "--", "-k",
                        "LOCAL_BYTES_SENT,REMOTE_BYTES_RECVD", timeout=60)
            peer.join(30)
            self.assertTrue(peer.hello_seen)
            self.assertEqual(r.rc, 0, r)
            k = keyvals(r.out)
            self.assertEqual(k["LOCAL_BYTES_SENT"], k["REMOTE_BYTES_RECVD"], r)


if __name__ == "__main__":
    main()
