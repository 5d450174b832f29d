"""Replays netperf 2.7.1's captured control sessions (data/transcripts.json).

Client side: our netperf (--legacy) runs each captured command through a
logging proxy in front of our netserver; every request it sends must equal
the captured one field by field, except the fields listed in
CLIENT_EXCEPTED (ports, addresses) and the ring widths, which depend on the
kernel's default socket buffers and are checked against 2.7's formula with
this kernel's defaults instead.

Server side: the captured client messages are sent to our netserver over a
real socket; this script then plays the stock client's part of the data
phase (stream, maerts, RR, CRR, UDP, counted, CPU) and checks each answer
the way a stock client reads it: 656 bytes, the codes, serv_errno, numbers
big-endian (counts equal to what moved on the data path, elapsed times as
big-endian IEEE singles), 64-bit counts split high/low, doubles in classic
results, the conversion cutoffs (raw strings: the congestion control at
word 67), zeros where 2.7 leaves stale data.  Response fields that do not
depend on the kernel must equal the captured ones (SERVER_EXCEPTED lists
the others).
"""
import json
import os
import select
import shlex
import socket
import struct
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import Netserver, netperf, main  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "transcripts.json")
MSG = 656
WORDS = 162

with open(DATA) as f:
    CASES = {c["name"]: c for c in json.load(f)["cases"]}

# DO_OMNI request words (test-specific area, PROTOCOL.md 4.1).
OMNI_REQ = ["send_buf_size", "send_size", "send_alignment", "send_offset", "send_width", "request_size",
            "recv_buf_size", "receive_size", "recv_alignment", "recv_offset", "recv_width", "response_size",
            "flags", "cpu_rate", "test_length", "so_rcvavoid", "so_sndavoid", "send_dirty_count",
            "recv_dirty_count", "recv_clean_count", "data_port", "ipfamily", "socket_type", "protocol",
            "direction", "netperf_port", "interval_burst", "interval_usecs",
            "netperf_ip0", "netperf_ip1", "netperf_ip2", "netperf_ip3",
            "netserver_ip0", "netserver_ip1", "netserver_ip2", "netserver_ip3", "socket_prio", "socket_tos"]
# Request fields that differ from run to run: ports (a confidence
# iteration names the previous data port; CRR and UDP clients bind their own
# port) and the client's data address.
CLIENT_EXCEPTED = {"data_port", "netperf_port", "netperf_ip0", "netperf_ip1", "netperf_ip2", "netperf_ip3"}
# Kernel-dependent: the client's ring width for a stream side is its socket
# buffer / message size + 1 (checked below with this kernel's defaults).
CLIENT_KERNEL = {"send_width", "recv_width"}

# OMNI_RESPONSE words (PROTOCOL.md 4.2).
OMNI_RSP = ["recv_buf_size", "receive_size", "recv_width", "send_buf_size", "send_size", "send_width", "flags",
            "cpu_rate", "test_length", "so_rcvavoid", "so_sndavoid", "data_port", "interval_burst",
            "interval_usecs", "cpu_frequency", "security_info", "socket_prio", "socket_tos"]
# Response fields that depend on the kernel (socket buffer sizes; a size the
# server chooses is its buffer size; its ring widths follow from them) or on
# the run (the data port).
SERVER_EXCEPTED = {"recv_buf_size", "send_buf_size", "data_port", "receive_size", "send_size", "recv_width",
                   "send_width"}

# Classic response layouts (PROTOCOL.md 8): name -> word.
CLASSIC_RSP = {
    10: {"recv_buf_size": 0, "receive_size": 1, "no_delay": 2, "measure_cpu": 3, "send_buf_size": 5, "data_port": 6},
    94: {"recv_buf_size": 0, "send_size": 1, "no_delay": 2, "measure_cpu": 3, "send_buf_size": 5, "data_port": 6},
    16: {"recv_buf_size": 0, "send_buf_size": 1, "measure_cpu": 2, "test_length": 3, "data_port": 4},
}
RR_RSP = {"recv_buf_size": 0, "no_delay": 1, "measure_cpu": 2, "send_buf_size": 4, "data_port": 5}
for code in (13, 19, 34, 300):
    CLASSIC_RSP[code] = RR_RSP


def words(b):
    return list(struct.unpack(">%dI" % (2 + WORDS), b))


def signed(v):
    return v - (1 << 32) if v & 0x80000000 else v


def f32(v):
    return struct.unpack(">f", struct.pack(">I", v))[0]


def client_messages(case):
    return [bytes.fromhex(m["hex"]) for s in case["sessions"] for m in s if m["dir"] == "client_to_server"]


def server_messages(case):
    return [bytes.fromhex(m["hex"]) for s in case["sessions"] for m in s if m["dir"] == "server_to_client"]


def recv_exact(sock, n, timeout=20):
    buf = b""
    deadline = time.time() + timeout
    while len(buf) < n:
        r, _, _ = select.select([sock], [], [], max(0, deadline - time.time()))
        if not r:
            raise AssertionError("timed out after %d of %d bytes" % (len(buf), n))
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise AssertionError("connection closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


class Proxy(threading.Thread):
    """Forwards one control connection and cuts the client's bytes into
    656-byte messages."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.target = port
        self.lsock = socket.socket()
        self.lsock.bind(("127.0.0.1", 0))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        self.requests = []

    def run(self):
        self.lsock.settimeout(30)
        try:
            c, _ = self.lsock.accept()
        except OSError:
            return
        finally:
            self.lsock.close()
        s = socket.create_connection(("127.0.0.1", self.target))
        pending = b""
        open_ends = {c: s, s: c}
        while open_ends:
            r, _, _ = select.select(list(open_ends), [], [], 30)
            if not r:
                break
            for src in r:
                data = src.recv(65536)
                dst = open_ends[src]
                if not data:
                    dst.shutdown(socket.SHUT_WR)
                    del open_ends[src]
                    continue
                if src is c:
                    pending += data
                    while len(pending) >= MSG:
                        self.requests.append(pending[:MSG])
                        pending = pending[MSG:]
                dst.sendall(data)
        c.close()
        s.close()


def kernel_default(socktype, opt):
    s = socket.socket(socket.AF_INET, socktype)
    v = s.getsockopt(socket.SOL_SOCKET, opt)
    s.close()
    return v


class ClientRequests(unittest.TestCase):
    """Our netperf's requests against the captured ones (OMNI cases: our
    client, like a default 2.7 build, always speaks DO_OMNI)."""

    def check_case(self, name):
        case = CASES[name]
        argv = shlex.split(case["command"].split("(")[0])[1:]
        with Netserver() as ns:
            proxy = Proxy(ns.port)
            proxy.start()
            r = netperf("--legacy", "-H", "127.0.0.1", "-p", proxy.port, *argv, timeout=60)
            proxy.join(30)
            self.assertEqual(r.rc, 0, r)
        captured = client_messages(case)
        self.assertEqual(len(proxy.requests), len(captured), "number of requests")
        for i, (ours, theirs) in enumerate(zip(proxy.requests, captured)):
            a, b = words(ours), words(theirs)
            self.assertEqual(a[0], b[0], "request %d: type" % i)
            self.assertEqual(a[1], b[1], "request %d: header word 1 (remote CPU binding)" % i)
            for w, field in enumerate(OMNI_REQ):
                if field in CLIENT_EXCEPTED:
                    continue
                got, want = a[2 + w], b[2 + w]
                if field in CLIENT_KERNEL:
                    want = self.expected_width(field, b, want)
                self.assertEqual(got, want, "request %d field %s (word %d)" % (i, field, w))
            # After the 38 converted words: cong_control and fill_file, raw.
            self.assertEqual(ours[8 + 4 * 38:], theirs[8 + 4 * 38:], "request %d: string area" % i)

    def expected_width(self, field, b, captured):
        # 2.7: 0 when netperf does not do that, 1 for RR, else buffer / size + 1.
        if captured in (0, 1):
            return captured
        d = b[2:]
        dgram = d[22] == 2
        st = socket.SOCK_DGRAM if dgram else socket.SOCK_STREAM
        if field == "send_width":
            size = d[1] if d[1] != 0xFFFFFFFF else None
            buf = kernel_default(st, socket.SO_SNDBUF)
        else:
            size = d[7] if d[7] != 0xFFFFFFFF else None
            buf = kernel_default(st, socket.SO_RCVBUF)
        return captured if size is None else max(2, buf // size + 1)


for _name, _case in CASES.items():
    if not _name.startswith("classic_"):
        setattr(ClientRequests, "test_" + _name, lambda self, n=_name: self.check_case(n))


class DataClient:
    """The stock client's part of the data phase, kept short: the server's
    counts must equal what moved here."""

    def __init__(self, port, udp_sock=None):
        self.port = port
        self.udp = udp_sock
        self.sent = self.received = self.trans = 0

    def stream(self, seconds=0.3, size=16384):
        s = socket.create_connection(("127.0.0.1", self.port))
        buf = b"x" * size
        end = time.time() + seconds
        while time.time() < end:
            self.sent += s.send(buf)
        s.shutdown(socket.SHUT_WR)
        while s.recv(65536):
            pass
        s.close()

    def maerts(self):
        s = socket.create_connection(("127.0.0.1", self.port))
        while True:
            d = s.recv(65536)
            if not d:
                break
            self.received += len(d)
        s.close()

    def rr(self, req, rsp, count=None, seconds=0.3):
        s = socket.create_connection(("127.0.0.1", self.port))
        end = time.time() + seconds
        while (self.trans < count) if count else (time.time() < end):
            s.sendall(b"q" * req)
            self.sent += req
            self.received += len(recv_exact(s, rsp))
            self.trans += 1
        s.shutdown(socket.SHUT_WR)
        s.recv(1)
        s.close()

    def crr(self, req, rsp, n=50, close_first=False):
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", self.port))
            if req:
                s.sendall(b"q" * req)
                self.received += len(recv_exact(s, rsp))
            if close_first:
                s.close()
            else:
                s.settimeout(10)
                self.assertEof(s)
            self.trans += 1

    @staticmethod
    def assertEof(s):
        if s.recv(1) != b"":
            raise AssertionError("the server did not close a CRR connection")
        s.close()

    def udp_stream(self, size, n=200):
        for _ in range(n):
            self.udp.sendto(b"u" * size, ("127.0.0.1", self.port))
            self.sent += size
            time.sleep(0.0002)
        for _ in range(3):
            self.udp.sendto(b"", ("127.0.0.1", self.port))

    def udp_rr(self, req, rsp, n=200):
        self.udp.settimeout(5)
        for _ in range(n):
            self.udp.sendto(b"q" * req, ("127.0.0.1", self.port))
            d, _ = self.udp.recvfrom(65536)
            assert len(d) == rsp
            self.trans += 1
        for _ in range(3):
            self.udp.sendto(b"", ("127.0.0.1", self.port))


class ServerAnswers(unittest.TestCase):
    """Our netserver, fed the captured client messages."""

    def send(self, ctl, msg):
        ctl.sendall(msg)

    def omni_session(self, name):
        case = CASES[name]
        captured_rsp = server_messages(case)[0]
        with Netserver() as ns:
            ctl = socket.create_connection(("127.0.0.1", ns.port))
            for it, req in enumerate(client_messages(case)):
                w = words(req)
                d = w[2:]
                udp = d[22] == 2
                usock = None
                msg = bytearray(req)
                struct.pack_into(">I", msg, 8 + 4 * 20, 0)  # data_port: any (the captured one may be taken)
                if udp:
                    usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    usock.bind(("127.0.0.1", 0))
                    struct.pack_into(">I", msg, 8 + 4 * 25, usock.getsockname()[1])
                    struct.pack_into(">4I", msg, 8 + 4 * 28, 0, 0, 0, 0)
                else:
                    struct.pack_into(">I", msg, 8 + 4 * 25, 0)
                ctl.sendall(bytes(msg))
                rsp = recv_exact(ctl, MSG)
                r = words(rsp)
                c = words(captured_rsp)
                self.assertEqual(r[0], 98, "response type OMNI_RESPONSE in network order")
                self.assertEqual(r[1], 0, "serv_errno")
                for i, field in enumerate(OMNI_RSP):
                    if field not in SERVER_EXCEPTED:
                        self.assertEqual(r[2 + i], c[2 + i], "%s: response field %s" % (name, field))
                rd = r[2:]
                self.assertTrue(0 < rd[11] < 65536, "data port %d" % rd[11])
                for i in (0, 3):  # buffer sizes: plausible big-endian values
                    self.assertTrue(0 < signed(rd[i]) < 1 << 28, "buffer size %#x" % rd[i])
                self.assertEqual(rsp[8 + 4 * 18:], bytes(MSG - 8 - 4 * 18), "nothing past the response fields")

                dc = DataClient(rd[11], usock)
                flags, tl, direction = d[12], signed(d[14]), d[24]
                req_size, rsp_size = signed(d[5]), signed(d[11])
                if flags & 0x4:
                    dc.crr(req_size, rsp_size)
                elif udp and direction == 6:
                    dc.udp_rr(req_size, rsp_size)
                elif udp:
                    dc.udp_stream(d[1] if d[1] != 0xFFFFFFFF else 1024)
                elif direction == 6:
                    dc.rr(req_size, rsp_size, count=-tl if tl < 0 else None)
                elif direction == 2:
                    dc.maerts()
                else:
                    dc.stream(size=d[7] if d[7] != 0xFFFFFFFF else 16384)

                res = recv_exact(ctl, MSG, timeout=15)
                x = words(res)
                xd = x[2:]
                self.assertIn(x[0], (99, 98), "results type")  # ours: 99; 2.7 double-swaps it (98 little-endian)
                self.assertEqual(x[1], 0, "results serv_errno")
                got_rx = (xd[0] << 32) | xd[1]
                got_tx = (xd[4] << 32) | xd[5]
                if flags & 0x4:
                    self.assertEqual(xd[9], dc.trans, "CRR transactions")
                elif udp and direction == 6:
                    self.assertEqual(xd[9], dc.trans, "UDP_RR transactions")
                elif udp:
                    self.assertTrue(0 < got_rx <= dc.sent, "UDP bytes received %d of %d" % (got_rx, dc.sent))
                elif direction == 6:
                    self.assertEqual(xd[9], dc.trans, "transactions")
                    self.assertEqual(got_rx, dc.sent, "bytes received")
                    self.assertEqual(got_tx, dc.received, "bytes sent")
                elif direction == 2:
                    self.assertEqual(got_tx, dc.received, "bytes sent")
                    self.assertGreater(got_tx, 0)
                else:
                    self.assertEqual(got_rx, dc.sent, "bytes received")
                elapsed = f32(xd[10])
                self.assertTrue(0 < elapsed < 10, "elapsed %r: a big-endian IEEE single" % elapsed)
                if flags & 0x8:
                    self.assertEqual(xd[18], 8, "cpu_method PROC_STAT")
                    self.assertEqual(xd[19], os.cpu_count(), "num_cpus")
                    self.assertTrue(0 <= f32(xd[11]) <= 100.001, "cpu_util %r" % f32(xd[11]))
                else:
                    self.assertEqual(xd[11], 0, "cpu_util zero, not a stale word, when not measured")
                    self.assertEqual(xd[18], 0, "cpu_method")
                # Results: 27 converted words, then raw strings; only
                # cong_control (word 67) is written, for TCP when flag 0x20.
                cong = res[8 + 4 * 67:8 + 4 * 71].split(b"\0")[0].decode()
                if not udp and flags & 0x20:
                    with open("/proc/sys/net/ipv4/tcp_congestion_control") as f:
                        self.assertEqual(cong, f.read().strip(), "cong_control, raw")
                else:
                    self.assertEqual(cong, "")
                self.assertEqual(res[8 + 4 * 27:8 + 4 * 67], bytes(4 * 40), "unwritten interface strings")
                self.assertEqual(res[8 + 4 * 71:], bytes(MSG - 8 - 4 * 71), "nothing past cong_control")
                if usock:
                    usock.close()
            ctl.shutdown(socket.SHUT_WR)
            ctl.settimeout(5)
            self.assertEqual(ctl.recv(1), b"", "the server closes after the client's half-close")
            ctl.close()

    def classic_session(self, name):
        case = CASES[name]
        req = client_messages(case)[0]
        captured = words(server_messages(case)[0])
        code = words(req)[0]
        with Netserver() as ns:
            ctl = socket.create_connection(("127.0.0.1", ns.port))
            usock = None
            if code in (16, 19):
                usock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                usock.bind(("127.0.0.1", 0))
            ctl.sendall(req)
            rsp = words(recv_exact(ctl, MSG))
            self.assertEqual(rsp[0], code + 1, "classic response code in network order")
            self.assertEqual(rsp[1], 0, "serv_errno")
            layout = CLASSIC_RSP[code]
            for field, i in layout.items():
                if field not in SERVER_EXCEPTED:
                    self.assertEqual(rsp[2 + i], captured[2 + i], "%s: %s" % (name, field))
            port = rsp[2 + layout["data_port"]]
            self.assertTrue(0 < port < 65536, "data port")
            dc = DataClient(port, usock)
            if code == 10:
                dc.stream()
            elif code == 94:
                dc.maerts()
            elif code == 13:
                dc.rr(1, 1)
            elif code == 34:
                dc.crr(1, 1)
            elif code == 300:
                dc.crr(0, 0)
            elif code == 16:
                dc.udp_stream(1024)
            else:
                dc.udp_rr(1, 1)
            raw = recv_exact(ctl, MSG, timeout=15)
            res = words(raw)
            self.assertEqual(res[0], code + 2, "classic results code in network order")
            self.assertEqual(res[1], 0, "results serv_errno")
            d = res[2:]
            if code in (10, 94):
                count = struct.unpack(">d", struct.pack(">II", d[0], d[1]))[0]  # big-endian double
                self.assertEqual(count, dc.sent if code == 10 else dc.received, "byte count (double)")
                elapsed, cpu = f32(d[3]), f32(d[4])
            elif code == 16:
                self.assertTrue(0 < d[1] <= dc.sent, "UDP bytes received")
                self.assertEqual(d[0] * 1024, d[1], "messages received")
                elapsed, cpu = f32(d[2]), f32(d[3])
            else:
                self.assertEqual(d[2], dc.trans, "transactions")
                elapsed, cpu = f32(d[3]), f32(d[4])
            self.assertTrue(0 < elapsed < 10, "elapsed %r" % elapsed)
            self.assertEqual(cpu, -1.0, "cpu_util -1: not measured")
            ctl.close()
            if usock:
                usock.close()

    def test_unknown_code_and_calibrate(self):
        with Netserver() as ns:
            ctl = socket.create_connection(("127.0.0.1", ns.port))
            ctl.sendall(struct.pack(">ii", 4, -1) + bytes(MSG - 8))  # NODE_IDENTIFY: 2.7 does not know it
            r = words(recv_exact(ctl, MSG))
            self.assertEqual(signed(r[1]), 998, "serv_errno 998 for an unknown code")
            ctl.sendall(struct.pack(">ii", 5, -1) + bytes(MSG - 8))  # CPU_CALIBRATE: the session goes on
            r = words(recv_exact(ctl, MSG))
            self.assertEqual(r[0], 5)
            self.assertEqual(f32(r[2]), float(os.sysconf("SC_CLK_TCK")), "rate: big-endian float")
            self.assertEqual(r[3], os.cpu_count())
            ctl.close()


for _name in CASES:
    if _name.startswith("classic_"):
        setattr(ServerAnswers, "test_" + _name, lambda self, n=_name: self.classic_session(n))
    else:
        setattr(ServerAnswers, "test_" + _name, lambda self, n=_name: self.omni_session(n))

if __name__ == "__main__":
    main()
