"""netserver faces the network: a seeded mutation fuzzer over real client
conversations, both protocols on the one port.

Seeds: every netperf 2.7.1 client message of the wire captures in
tests/conformance/data/transcripts.json (DO_OMNI and the classic requests,
656-byte messages of big-endian 32-bit words), and our own netperf's modern
conversation (hello, then length-prefixed JSON frames), captured through a
proxy at set-up so it follows the current protocol.

Each case sends one mutated conversation on a new control connection, reads
whatever comes back for a moment and closes.  Mutations: extreme values in
random words (0, -1, INT_MAX, INT_MIN, ...), flipped bytes, truncation,
trailing garbage; for JSON frames also wrong types, huge and negative
numbers, long strings, deep nesting, dropped keys and lying length
prefixes.  After every block of cases the netserver must be alive, run a
real TCP_RR, and be back to the threads and descriptors it had before (no
leak from an abandoned session).

    NETPERF_FUZZ_SEED=7 NETPERF_FUZZ_CASES=5000 python3 tests/integration/test_server_fuzz.py

The seed is printed; a failure names the case and its bytes.
"""
import copy
import json
import os
import random
import socket
import struct
import sys
import threading
import time
import unittest

from harness import Netserver, main, netperf

HERE = os.path.dirname(os.path.abspath(__file__))
TRANSCRIPTS = os.path.join(HERE, "..", "conformance", "data", "transcripts.json")
MSG = 656
SEED = int(os.environ.get("NETPERF_FUZZ_SEED", "1"))
CASES = int(os.environ.get("NETPERF_FUZZ_CASES", "600"))
BLOCK = 150  # cases between health checks
INTERESTING32 = [0, 1, 2, 7, 8, 255, 256, 656, 65535, 65536, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFFE,
                 0x40000000, 100000000]
INTERESTING_JSON = [0, -1, 1, 2**31 - 1, 2**31, 2**32, 2**63 - 1, 2**64, -2**63, 1e308, -1e308, 0.5, "",
                    "x" * 5000, None, True, False, [], {}, [[[[[[[[[[]]]]]]]]]], {"a": {"b": {"c": {}}}}]


def legacy_seeds():
    with open(TRANSCRIPTS) as f:
        cases = json.load(f)["cases"]
    seeds = []
    for c in cases:
        for session in c["sessions"]:
            msgs = [bytes.fromhex(m["hex"]) for m in session if m["dir"] == "client_to_server"]
            if msgs:
                seeds.append(msgs)
    return seeds


def capture_modern(ns_port):
    """Our netperf's client-to-server bytes of a short TCP_RR, through a proxy."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    ls.settimeout(20)
    got = bytearray()

    def pump(a, b, record):
        while True:
            try:
                d = a.recv(65536)
            except OSError:
                d = b""
            if not d:
                try:
                    b.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            if record is not None:
                record.extend(d)
            b.sendall(d)

    def serve():
        c, _ = ls.accept()
        s = socket.create_connection(("127.0.0.1", ns_port))
        back = threading.Thread(target=pump, args=(s, c, None))
        back.start()
        pump(c, s, got)
        back.join()
        c.close()
        s.close()

    t = threading.Thread(target=serve)
    t.start()
    r = netperf("-H", "127.0.0.1", "-p", ls.getsockname()[1], "-t", "TCP_RR", "-l", "1", "-P", "0", timeout=30)
    t.join(10)
    ls.close()
    if r.rc != 0:
        raise AssertionError("capture run failed: %r" % r)
    data = bytes(got)
    hello, frames, i = data[:MSG], [], MSG
    while i + 4 <= len(data):
        n = struct.unpack("!I", data[i:i + 4])[0]
        frames.append(json.loads(data[i + 4:i + 4 + n]))
        i += 4 + n
    if len(hello) != MSG or not frames:
        raise AssertionError("unexpected modern conversation: %d bytes" % len(data))
    return hello, frames


def mutate_words(rng, msg):
    b = bytearray(msg)
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        if r < 0.6 and len(b) >= 4:
            w = rng.randrange(0, len(b) // 4)
            v = rng.choice(INTERESTING32) if rng.random() < 0.7 else rng.getrandbits(32)
            b[w * 4:w * 4 + 4] = struct.pack("!I", v)
        elif r < 0.8 and b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
        elif r < 0.9:
            del b[rng.randrange(len(b) + 1):]
        else:
            b += bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
    return bytes(b)


def json_paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from json_paths(v, prefix + (k,))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from json_paths(v, prefix + (i,))


def mutate_json(rng, obj):
    obj = copy.deepcopy(obj)
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in json_paths(obj) if p]
        if not paths:
            break
        p = rng.choice(paths)
        parent = obj
        for k in p[:-1]:
            parent = parent[k]
        if isinstance(parent, dict) and rng.random() < 0.15:
            del parent[p[-1]]
        else:
            parent[p[-1]] = copy.deepcopy(rng.choice(INTERESTING_JSON))
    return obj


def frame(body):
    return struct.pack("!I", len(body)) + body


def modern_case(rng, hello, frames):
    out = [mutate_words(rng, hello) if rng.random() < 0.1 else hello]
    n = rng.randint(1, len(frames))
    for f in frames[:n]:
        r = rng.random()
        if r < 0.6:
            out.append(frame(json.dumps(mutate_json(rng, f)).encode()))
        elif r < 0.75:
            body = bytearray(json.dumps(f).encode())
            for _ in range(rng.randint(1, 8)):
                body[rng.randrange(len(body))] = rng.getrandbits(8)
            out.append(frame(bytes(body)))
        elif r < 0.85:
            body = json.dumps(f).encode()
            lie = rng.choice([0, 1, len(body) + 1, len(body) * 2, 0x7FFFFFFF, 0xFFFFFFFF, rng.getrandbits(32)])
            out.append(struct.pack("!I", lie) + body)
        else:
            out.append(frame(json.dumps(f).encode()))
    return out


def legacy_case(rng, seeds):
    msgs = rng.choice(seeds)
    n = rng.randint(1, len(msgs))
    return [mutate_words(rng, m) if rng.random() < 0.8 else m for m in msgs[:n]]


def counts(pid):
    fds = len(os.listdir("/proc/%d/fd" % pid))
    threads = len(os.listdir("/proc/%d/task" % pid))
    return fds, threads


def describe_fds(pid):
    out = []
    for fd in sorted(os.listdir("/proc/%d/fd" % pid), key=int):
        try:
            out.append("%s -> %s" % (fd, os.readlink("/proc/%d/fd/%s" % (pid, fd))))
        except OSError:
            pass
    return ", ".join(out)


class Fuzz(unittest.TestCase):
    def test_mutated_conversations(self):
        print("fuzz seed %d, %d cases" % (SEED, CASES), file=sys.stderr)
        rng = random.Random(SEED)
        with Netserver() as ns:
            hello, frames = capture_modern(ns.port)
            seeds = legacy_seeds()
            self.assertGreater(len(seeds), 10)
            pid = ns.proc.pid
            time.sleep(0.5)
            base = counts(pid)
            for start in range(0, CASES, BLOCK):
                for i in range(start, min(start + BLOCK, CASES)):
                    msgs = modern_case(rng, hello, frames) if rng.random() < 0.5 else legacy_case(rng, seeds)
                    self.send_case(ns, i, msgs)
                self.check_health(ns, pid, base, i)

    def send_case(self, ns, i, msgs):
        try:
            s = socket.create_connection(("127.0.0.1", int(ns.port)), timeout=5)
        except OSError as e:
            self.fail("case %d: cannot connect: %s (netserver alive: %s)" % (i, e, ns.alive()))
        s.settimeout(0.02)
        try:
            for m in msgs:
                s.sendall(m)
                try:
                    s.recv(65536)
                except (socket.timeout, OSError):
                    pass
        except OSError:
            pass  # the netserver closed on us: a fine answer
        finally:
            s.close()
        if not ns.alive():
            self.fail("case %d killed the netserver; messages: %s" % (i, [m.hex() for m in msgs]))

    def check_health(self, ns, pid, base, last_case):
        self.assertTrue(ns.alive(), "netserver died by case %d" % last_case)
        r = netperf("-H", "127.0.0.1", "-p", ns.port, "-t", "TCP_RR", "-l", "1", "-P", "0", timeout=30)
        self.assertEqual(r.rc, 0, "after case %d: %r" % (last_case, r))
        # Abandoned sessions end: their threads and descriptors go (a
        # session waits at most for its test's hard deadline).
        deadline = time.time() + 20
        now = counts(pid)
        while time.time() < deadline and (now[0] > base[0] or now[1] > base[1]):
            time.sleep(0.25)
            now = counts(pid)
        self.assertLessEqual(now[0], base[0], "descriptors after case %d: %d, at start %d: %s" %
                             (last_case, now[0], base[0], describe_fds(pid)))
        self.assertLessEqual(now[1], base[1], "threads after case %d: %d, at start %d" % (last_case, now[1], base[1]))


if __name__ == "__main__":
    main()
