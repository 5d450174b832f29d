"""Bad input: one clear line naming the cause, a non-zero exit, no crash,
no hang."""
import os
import socket
import unittest

from harness import Netserver, main, netperf


class BadInput(unittest.TestCase):
    def assertOneLineFailure(self, r, *words):
        self.assertNotEqual(r.rc, 0, r)
        self.assertLess(r.rc, 128, "killed by a signal: %r" % r)
        err = r.err.strip()
        self.assertTrue(err, r)
        for w in words:
            self.assertIn(w, r.err + r.out, r)
        self.assertNotIn("terminate called", r.err)
        self.assertNotIn("Traceback", r.err)

    def test_unknown_test(self):
        r = netperf("-t", "NO_SUCH_TEST")
        self.assertOneLineFailure(r, "NO_SUCH_TEST")

    def test_unknown_options_and_bad_values(self):
        for args, word in [(["-q"], "-q"), (["--bogus"], "--bogus"), (["-l", "ten"], "-l"),
                           (["-f", "z"], "-f"), (["-p", "99999"], "-p"), (["-t", "TCP_RR", "--", "-r", "x"], "-r"),
                           (["-t", "UDP_RR", "--", "-r", "100000"], "65507"), (["--flows", "0"], "--flows"),
                           (["-I", "90"], "-I"), (["-t", "TCP_RR", "--", "-Q"], "-Q")]:
            with self.subTest(args=args):
                r = netperf(*args, timeout=10)
                self.assertOneLineFailure(r, word)
                self.assertEqual(r.rc, 1, r)

    def test_unresolvable_host(self):
        r = netperf("-H", "no-such-host.invalid", "-l", "1", timeout=30)
        self.assertOneLineFailure(r, "no-such-host.invalid")

    def test_no_netserver_listening(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        r = netperf("-H", "127.0.0.1", "-p", port, "-l", "1", timeout=30)
        self.assertOneLineFailure(r, "netserver", str(port))

    def test_remote_refusal(self):
        with Netserver("--max-flows", "2", "--max-duration", "5") as s:
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "--flows", "3", timeout=30)
            self.assertOneLineFailure(r, "limit")
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "6", timeout=30)
            self.assertOneLineFailure(r, "limit")
            self.assertTrue(s.alive())

    def test_unknown_transport(self):
        with Netserver() as s:
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "--transport", "nosuch", timeout=30)
            self.assertOneLineFailure(r, "nosuch")

    def test_plugin_that_fails_to_load(self):
        d = os.environ.get("NETPERF_BUILD_ROOT", ".") + "/tests/unit"
        env_path = os.environ.get("NETPERF_PLUGIN_PATH", "")
        os.environ["NETPERF_PLUGIN_PATH"] = d + ":" + env_path
        try:
            r = netperf("--transport-help", "badabi", timeout=10)
            self.assertOneLineFailure(r, "ABI version 2", "ABI version 1")
        finally:
            os.environ["NETPERF_PLUGIN_PATH"] = env_path

    def test_bad_transport_option(self):
        with Netserver() as s:
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "--transport-opt", "busy_poll=lots", timeout=30)
            self.assertOneLineFailure(r, "busy_poll")

    def test_remote_fill_file_needs_fill_dir(self):
        with Netserver() as s:
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-F", "/etc/hostname,hostname", timeout=30)
            self.assertOneLineFailure(r, "--fill-dir")
        with Netserver("--fill-dir", "/etc") as s:
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-F", "/etc/hostname,../etc/passwd", timeout=30)
            self.assertOneLineFailure(r, "not a plain file name")
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-t", "TCP_MAERTS", "-F", "/etc/hostname,hostname",
                        "-P", "0", timeout=30)
            self.assertEqual(r.rc, 0, r)

    def test_netserver_bad_options(self):
        import subprocess
        from harness import NETSERVER
        for args in (["-p", "abc"], ["-Q"], ["-p", "70000"]):
            r = subprocess.run([NETSERVER, "-D"] + args, capture_output=True, text=True, timeout=10)
            self.assertNotEqual(r.returncode, 0)
            self.assertTrue(r.stderr.strip())


if __name__ == "__main__":
    main()
