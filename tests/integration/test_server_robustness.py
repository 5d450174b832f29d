"""netserver faces the network: truncated, oversized and garbage messages
get an error reply or a closed connection, and it keeps serving others."""
import json
import os
import socket
import struct
import threading
import time
import unittest

from harness import Netserver, main, netperf, result_numbers

MSG = 656
TRANSCRIPTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "data",
                           "transcripts.json")


def hello():
    body = struct.pack("!ii", 700, -1) + struct.pack("!II", 0x4E503321, 1) + b"\0" * (MSG - 16)
    return body


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.settimeout(10)
    return s


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        c = s.recv(n - len(buf))
        if not c:
            break
        buf += c
    return buf


def frame(obj):
    b = json.dumps(obj).encode() if not isinstance(obj, bytes) else obj
    return struct.pack("!I", len(b)) + b


def read_frame(s):
    hdr = recv_exact(s, 4)
    if len(hdr) < 4:
        return None
    n = struct.unpack("!I", hdr)[0]
    return json.loads(recv_exact(s, n))


class Robustness(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def tearDown(self):
        # After every abuse the server still runs a real test.
        self.assertTrue(self.server.alive())
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", "TCP_RR", "-P", "0", timeout=30)
        self.assertEqual(r.rc, 0, r)

    def modern(self):
        s = connect(self.server.port)
        s.sendall(hello())
        reply = recv_exact(s, MSG)
        self.assertEqual(len(reply), MSG)
        self.assertEqual(struct.unpack("!i", reply[:4])[0], 701)
        return s

    def test_truncated_message_then_close(self):
        s = connect(self.server.port)
        s.sendall(b"\x00\x00\x00\x61" + b"\x00" * 100)
        s.close()

    def test_garbage_legacy_message_gets_998(self):
        s = connect(self.server.port)
        s.sendall(struct.pack("!ii", 12345, 0) + b"\xff" * (MSG - 8))
        reply = recv_exact(s, MSG)
        self.assertEqual(len(reply), MSG)
        self.assertEqual(struct.unpack("!i", reply[4:8])[0], 998)
        s.close()

    def test_oversized_json_frame_closes(self):
        s = self.modern()
        s.sendall(struct.pack("!I", 1 << 30))
        self.assertEqual(recv_exact(s, 1), b"")
        s.close()

    def test_non_json_frame_closes(self):
        s = self.modern()
        s.sendall(frame(b"{not json"))
        self.assertEqual(recv_exact(s, 1), b"")
        s.close()

    def test_bad_spec_gets_error_reply(self):
        s = self.modern()
        for bad in ({"type": "test"}, {"type": "test", "spec": {"flows": "many"}},
                    {"type": "test", "spec": {"duration_s": 1e9}},
                    {"type": "test", "spec": {"pattern": "crr", "socktype": 2}},
                    {"type": "test", "spec": {"flows": 1000000}},
                    {"type": "test", "spec": {"transport": "../../etc/passwd"}},
                    {"type": "start"}, {"type": "nonsense"}):
            s.sendall(frame(bad))
            reply = read_frame(s)
            self.assertIsNotNone(reply, bad)
            self.assertEqual(reply["type"], "error", bad)
            self.assertTrue(reply["message"], bad)
        s.close()

    def sessions_end(self, within_s=5):
        # Every session has ended once only netserver's main thread is left.
        tasks = "/proc/%d/task" % self.server.proc.pid
        deadline = time.time() + within_s
        while len(os.listdir(tasks)) > 1 and time.time() < deadline:
            time.sleep(0.05)
        self.assertEqual(len(os.listdir(tasks)), 1, "a session outlived its client")

    def test_client_vanishes_mid_test(self):
        s = self.modern()
        s.sendall(frame({"type": "test", "spec": {"pattern": "stream", "duration_s": 30}}))
        ready = read_frame(s)
        self.assertEqual(ready["type"], "ready")
        s.sendall(frame({"type": "start", "peers": []}))
        s.close()
        self.sessions_end()

    def test_legacy_client_vanishes_behind_extra_bytes(self):
        # A 2.7 counted TCP_RR request (-l -5000, as captured), then bytes
        # the protocol has no place for, then the client closes: the close
        # behind the unread bytes ends the session (it used to wait out the
        # longest test the server allows).
        with open(TRANSCRIPTS) as f:
            case = next(c for c in json.load(f)["cases"] if c["name"] == "count_based")
        request = bytes.fromhex(case["sessions"][0][0]["hex"])
        self.assertEqual(struct.unpack("!i", request[:4])[0], 97)  # DO_OMNI
        s = connect(self.server.port)
        s.sendall(request + b"\x5a" * 60)
        self.assertEqual(len(recv_exact(s, MSG)), MSG)  # the OMNI response
        s.close()
        self.sessions_end()

    def test_many_idle_connections_do_not_block_others(self):
        socks = [connect(self.server.port) for _ in range(20)]
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", "TCP_STREAM", "-P", "0", timeout=30)
        self.assertEqual(r.rc, 0, r)
        for s in socks:
            s.close()

    def test_concurrent_clients(self):
        results = []

        def one():
            results.append(netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", "1", "-t", "TCP_RR", "-P", "0",
                                   timeout=30))

        threads = [threading.Thread(target=one) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for r in results:
            self.assertEqual(r.rc, 0, r)
            self.assertGreater(result_numbers(r.out)[0], 0)


if __name__ == "__main__":
    main()
