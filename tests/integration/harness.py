"""Test harness: real netserver processes and real netperf runs.

Every test starts the binaries the way a user does (paths from the
NETPERF_BIN / NETSERVER_BIN environment meson sets), on loopback, with an
ephemeral control port, and bounds every run with a timeout.
"""
import contextlib
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

NETPERF = os.environ.get("NETPERF_BIN", "netperf")
NETSERVER = os.environ.get("NETSERVER_BIN", "netserver")
SKIP = 77


class Netserver:
    """A netserver in the foreground on an ephemeral port."""

    def __init__(self, *extra, host="127.0.0.1", netns=None, binary=None):
        self.extra = list(extra)
        self.host = host
        self.netns = netns
        self.binary = binary or NETSERVER
        self.proc = None
        self.port = None

    def __enter__(self):
        fd, self.portfile = tempfile.mkstemp(prefix="netserver-port-")
        os.close(fd)
        os.unlink(self.portfile)
        cmd = [self.binary, "-D", "-p", "0", "--port-file", self.portfile] + self.extra
        if self.host:
            cmd[2:2] = ["-L", self.host]
        if self.netns:
            cmd = ["ip", "netns", "exec", self.netns] + cmd
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.path.exists(self.portfile) and os.path.getsize(self.portfile) > 0:
                with open(self.portfile) as f:
                    self.port = int(f.read().strip())
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("netserver exited: " + self.proc.stderr.read())
            time.sleep(0.02)
        raise RuntimeError("netserver did not start within 10 s")

    def alive(self):
        return self.proc.poll() is None

    def __exit__(self, *exc):
        crashed = self.proc.poll() is not None
        if not crashed:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("netserver did not stop on SIGTERM")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.portfile)
        err = self.proc.stderr.read()
        self.proc.stderr.close()
        if crashed and exc[0] is None:
            raise AssertionError("netserver died during the test (rc %s): %s" % (self.proc.returncode, err))
        return False


class Result:
    def __init__(self, proc, elapsed):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.elapsed = elapsed

    def __repr__(self):
        return "rc=%d elapsed=%.2f\n--- stdout\n%s--- stderr\n%s" % (self.rc, self.elapsed, self.out, self.err)


def netperf(*args, timeout=60, netns=None, binary=None):
    cmd = [binary or NETPERF] + [str(a) for a in args]
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    t0 = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return Result(proc, time.time() - t0)


NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def result_numbers(out):
    """The numbers of the last non-empty output line that holds any."""
    for line in reversed(out.strip().splitlines()):
        nums = [float(x) for x in line.split() if NUMBER.match(x)]
        if nums:
            return nums
    return []


def keyvals(out):
    kv = {}
    for line in out.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            kv[k.strip()] = v.strip()
    return kv


def main():
    """unittest.main, exiting 77 when every test was skipped."""
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    if not r.wasSuccessful():
        sys.exit(1)
    if r.testsRun and len(r.skipped) == r.testsRun:
        print("all tests skipped: " + "; ".join(sorted({why for _, why in r.skipped})))
        sys.exit(SKIP)
    sys.exit(0)
