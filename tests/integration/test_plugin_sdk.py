"""The plugin SDK: plugins/example builds out of tree against the installed
ABI header alone (meson install + pkg-config), loads into this netperf and
runs tests end to end.  This is the ABI-stability check CI runs."""
import glob
import os
import shutil
import subprocess
import tempfile
import unittest

from harness import Netserver, main, netperf, result_numbers

BUILD = os.environ.get("NETPERF_BUILD_ROOT", "build")
SOURCE = os.environ.get("NETPERF_SOURCE_ROOT", ".")


class PluginSdk(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="np3-sdk-")
        dest = os.path.join(cls.tmp, "dest")
        subprocess.run(["meson", "install", "-C", BUILD, "--destdir", dest, "--no-rebuild", "--quiet"],
                       check=True, capture_output=True, text=True)
        pcs = glob.glob(os.path.join(dest, "**", "netperf-transport.pc"), recursive=True)
        assert pcs, "meson install did not install netperf-transport.pc"
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.dirname(pcs[0]), PKG_CONFIG_SYSROOT_DIR=dest)
        cls.plugin_dir = os.path.join(cls.tmp, "example-build")
        # Only the installed header: the example's own tree and pkg-config.
        r = subprocess.run(["meson", "setup", cls.plugin_dir, os.path.join(SOURCE, "plugins", "example")],
                           env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        r = subprocess.run(["ninja", "-C", cls.plugin_dir], env=env, capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        cls.old_path = os.environ.get("NETPERF_PLUGIN_PATH", "")
        os.environ["NETPERF_PLUGIN_PATH"] = cls.plugin_dir + ":" + cls.old_path

    @classmethod
    def tearDownClass(cls):
        os.environ["NETPERF_PLUGIN_PATH"] = cls.old_path
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_header_is_installed_alone(self):
        headers = glob.glob(os.path.join(self.tmp, "dest", "**", "transport_abi.h"), recursive=True)
        self.assertEqual(len(headers), 1)

    def test_listed_and_described(self):
        r = netperf("--list-transports", timeout=10)
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"example\s+ok")
        r = netperf("--transport-help", "example", timeout=10)
        self.assertIn("nodelay", r.out)

    def test_runs_tests_end_to_end(self):
        with Netserver() as s:
            for t in ("TCP_RR", "TCP_STREAM", "TCP_CRR", "TCP_MAERTS"):
                with self.subTest(test=t):
                    r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-t", t, "--transport", "example",
                                "-P", "0", "-v", "0", timeout=30)
                    self.assertEqual(r.rc, 0, r)
                    self.assertGreater(result_numbers(r.out)[0], 0, r)
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-t", "TCP_RR", "--transport", "example",
                        "--flows", "3", "--transport-opt", "nodelay=1", "-P", "0", "-v", "0", timeout=30)
            self.assertEqual(r.rc, 0, r)

    def test_udp_is_refused_clearly(self):
        with Netserver() as s:
            r = netperf("-H", "127.0.0.1", "-p", s.port, "-l", "1", "-t", "UDP_RR", "--transport", "example",
                        timeout=30)
            self.assertNotEqual(r.rc, 0)
            self.assertIn("example", r.err)


if __name__ == "__main__":
    main()
