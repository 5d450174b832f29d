"""netperf 3's output choices against a real netserver on loopback (1 s
runs): the -k/-o/-O presets, every netperf 2.7 output selector by name,
--format human|csv|json|keyval with --output FILE (JSON validated against
docs/schema with a real validator), interim results (default, -D, -D 0,
negative -D), directions tx/rx/bx/simul and confidence intervals (-i/-I)
in every format.  Numbers vary from run to run: only their form and the
relations between them are checked, never their size."""
import csv
import io
import json
import os
import pty
import select
import signal
import subprocess
import tempfile
import time
import unittest

from harness import NETPERF, Netserver, keyvals, main, netperf

try:
    import jsonschema
except ImportError:  # the JSON tests skip, saying why
    jsonschema = None

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "docs", "schema",
                      "netperf-result.schema.json")
NUM = r"-?\d+\.\d\d"
INTERIM = (r"^Interim result: +\d+\.\d\d (10\^6bits|Trans)/s over \d+\.\d{3} seconds ending at "
           r"\d{10}\.\d{3}$")

# Every output selector netperf 2.7.1 knows (its nettest_omni.c table, in
# its order): each must be accepted by name in -k, -o and -O.
SELECTORS_27 = """
OUTPUT_NONE SOCKET_TYPE PROTOCOL DIRECTION ELAPSED_TIME THROUGHPUT THROUGHPUT_UNITS LSS_SIZE_REQ
LSS_SIZE LSS_SIZE_END LSR_SIZE_REQ LSR_SIZE LSR_SIZE_END RSS_SIZE_REQ RSS_SIZE RSS_SIZE_END
RSR_SIZE_REQ RSR_SIZE RSR_SIZE_END LOCAL_SEND_SIZE LOCAL_RECV_SIZE REMOTE_SEND_SIZE REMOTE_RECV_SIZE
REQUEST_SIZE RESPONSE_SIZE LOCAL_CPU_UTIL LOCAL_CPU_PERCENT_USER LOCAL_CPU_PERCENT_SYSTEM
LOCAL_CPU_PERCENT_IOWAIT LOCAL_CPU_PERCENT_IRQ LOCAL_CPU_PERCENT_SWINTR LOCAL_CPU_METHOD LOCAL_SD
REMOTE_CPU_UTIL REMOTE_CPU_PERCENT_USER REMOTE_CPU_PERCENT_SYSTEM REMOTE_CPU_PERCENT_IOWAIT
REMOTE_CPU_PERCENT_IRQ REMOTE_CPU_PERCENT_SWINTR REMOTE_CPU_METHOD REMOTE_SD SD_UNITS
CONFIDENCE_LEVEL CONFIDENCE_INTERVAL CONFIDENCE_ITERATION THROUGHPUT_CONFID LOCAL_CPU_CONFID
REMOTE_CPU_CONFID TRANSACTION_RATE RT_LATENCY BURST_SIZE LOCAL_TRANSPORT_RETRANS
REMOTE_TRANSPORT_RETRANS TRANSPORT_MSS LOCAL_SEND_THROUGHPUT LOCAL_RECV_THROUGHPUT
REMOTE_SEND_THROUGHPUT REMOTE_RECV_THROUGHPUT LOCAL_CPU_BIND LOCAL_CPU_COUNT LOCAL_CPU_PEAK_UTIL
LOCAL_CPU_PEAK_ID LOCAL_CPU_MODEL LOCAL_CPU_FREQUENCY REMOTE_CPU_BIND REMOTE_CPU_COUNT
REMOTE_CPU_PEAK_UTIL REMOTE_CPU_PEAK_ID REMOTE_CPU_MODEL REMOTE_CPU_FREQUENCY SOURCE_PORT
SOURCE_ADDR SOURCE_FAMILY DEST_PORT DEST_ADDR DEST_FAMILY LOCAL_SEND_CALLS LOCAL_RECV_CALLS
LOCAL_BYTES_PER_RECV LOCAL_BYTES_PER_SEND LOCAL_BYTES_SENT LOCAL_BYTES_RECVD LOCAL_BYTES_XFERD
LOCAL_SEND_OFFSET LOCAL_RECV_OFFSET LOCAL_SEND_ALIGN LOCAL_RECV_ALIGN LOCAL_SEND_WIDTH
LOCAL_RECV_WIDTH LOCAL_SEND_DIRTY_COUNT LOCAL_RECV_DIRTY_COUNT LOCAL_RECV_CLEAN_COUNT LOCAL_NODELAY
LOCAL_CORK REMOTE_SEND_CALLS REMOTE_RECV_CALLS REMOTE_BYTES_PER_RECV REMOTE_BYTES_PER_SEND
REMOTE_BYTES_SENT REMOTE_BYTES_RECVD REMOTE_BYTES_XFERD REMOTE_SEND_OFFSET REMOTE_RECV_OFFSET
REMOTE_SEND_ALIGN REMOTE_RECV_ALIGN REMOTE_SEND_WIDTH REMOTE_RECV_WIDTH REMOTE_SEND_DIRTY_COUNT
REMOTE_RECV_DIRTY_COUNT REMOTE_RECV_CLEAN_COUNT REMOTE_NODELAY REMOTE_CORK LOCAL_SYSNAME
LOCAL_SYSTEM_MODEL LOCAL_RELEASE LOCAL_VERSION LOCAL_MACHINE REMOTE_SYSNAME REMOTE_SYSTEM_MODEL
REMOTE_RELEASE REMOTE_VERSION REMOTE_MACHINE LOCAL_INTERFACE_NAME LOCAL_INTERFACE_VENDOR
LOCAL_INTERFACE_DEVICE LOCAL_INTERFACE_SUBVENDOR LOCAL_INTERFACE_SUBDEVICE LOCAL_DRIVER_NAME
LOCAL_DRIVER_VERSION LOCAL_DRIVER_FIRMWARE LOCAL_DRIVER_BUS LOCAL_INTERFACE_SLOT
REMOTE_INTERFACE_NAME REMOTE_INTERFACE_VENDOR REMOTE_INTERFACE_DEVICE REMOTE_INTERFACE_SUBVENDOR
REMOTE_INTERFACE_SUBDEVICE REMOTE_DRIVER_NAME REMOTE_DRIVER_VERSION REMOTE_DRIVER_FIRMWARE
REMOTE_DRIVER_BUS REMOTE_INTERFACE_SLOT LOCAL_INTERVAL_USECS LOCAL_INTERVAL_BURST
REMOTE_INTERVAL_USECS REMOTE_INTERVAL_BURST LOCAL_SECURITY_TYPE_ID LOCAL_SECURITY_TYPE
LOCAL_SECURITY_ENABLED_NUM LOCAL_SECURITY_ENABLED LOCAL_SECURITY_SPECIFIC REMOTE_SECURITY_TYPE_ID
REMOTE_SECURITY_TYPE REMOTE_SECURITY_ENABLED_NUM REMOTE_SECURITY_ENABLED REMOTE_SECURITY_SPECIFIC
RESULT_BRAND UUID MIN_LATENCY MAX_LATENCY P50_LATENCY P90_LATENCY P99_LATENCY MEAN_LATENCY
STDDEV_LATENCY LOCAL_SOCKET_PRIO REMOTE_SOCKET_PRIO LOCAL_SOCKET_TOS REMOTE_SOCKET_TOS
LOCAL_CONG_CONTROL REMOTE_CONG_CONTROL LOCAL_FILL_FILE REMOTE_FILL_FILE COMMAND_LINE OUTPUT_END
""".split()

DEFAULT = ["THROUGHPUT", "THROUGHPUT_UNITS", "MEAN_LATENCY", "P50_LATENCY", "P90_LATENCY", "P99_LATENCY",
           "LOCAL_CPU_UTIL", "REMOTE_CPU_UTIL", "LOCAL_SEND_CALLS", "LOCAL_RECV_CALLS", "ELAPSED_TIME", "PROTOCOL",
           "DIRECTION", "SOCKET_TYPE"]


class Formats(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()
        with open(SCHEMA) as f:
            cls.schema = json.load(f)

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def np(self, *args, rc=0):
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", 1, *args, timeout=60)
        self.assertEqual(r.rc, rc, r)
        return r

    def validated(self, text):
        if jsonschema is None:
            self.skipTest("python3-jsonschema is not installed: JSON documents cannot be validated")
        doc = json.loads(text)
        jsonschema.validate(doc, self.schema)
        return doc

    # --- presets and selectors ---------------------------------------------

    def test_default_selectors_in_every_form(self):
        kv = keyvals(self.np("-t", "TCP_RR", "--", "-k").out)
        self.assertEqual([k for k in kv if k in DEFAULT], DEFAULT)
        self.assertEqual(kv["THROUGHPUT_UNITS"], "Trans/s")
        self.assertLessEqual(int(kv["P50_LATENCY"]), int(kv["P99_LATENCY"]))
        self.assertEqual((kv["PROTOCOL"], kv["DIRECTION"], kv["SOCKET_TYPE"]), ("TCP", "Send|Recv", "Stream"))
        lines = self.np("-t", "TCP_STREAM", "--", "-o").out.splitlines()
        self.assertEqual(lines[1].split(",")[:3], ["Throughput", "Throughput Units", "Mean Latency Microseconds"])
        self.assertEqual(len(lines[2].split(",")), len(DEFAULT))
        self.assertRegex(lines[2], r"^%s,10\^6bits/s," % NUM)
        # A plain OMNI test prints them in columns.
        lines = self.np("-t", "OMNI").out.splitlines()
        self.assertEqual(lines[1].split()[:3], ["Throughput", "Throughput", "Mean"])
        self.assertEqual(len(lines[5].split()), len(DEFAULT))

    def test_presets(self):
        want = {"default": DEFAULT, "minimal": ["THROUGHPUT", "THROUGHPUT_UNITS"],
                "verbose": DEFAULT + ["P999_LATENCY", "TRANSACTION_RATE", "REQUEST_SIZE", "UUID", "COMMAND_LINE"],
                "all": ["LSS_SIZE_REQ", "RT_LATENCY", "COMMAND_LINE"],
                "classic": ["LSS_SIZE_END", "REQUEST_SIZE", "THROUGHPUT"]}
        for opt in ("-k", "-o", "-O"):
            for preset in want:
                with self.subTest(opt=opt, preset=preset):
                    r = self.np("-t", "TCP_RR", "--", opt, preset.upper() if opt == "-O" else preset)
                    self.assertEqual(r.err, "")
                    if opt == "-k":
                        kv = keyvals(r.out)
                        for k in want[preset]:
                            self.assertIn(k, kv, preset)
                        if preset == "minimal":
                            self.assertEqual(list(kv), ["THROUGHPUT", "THROUGHPUT_UNITS"])
                    elif opt == "-o":
                        head, vals = r.out.splitlines()[1:3]
                        self.assertEqual(len(next(csv.reader([head]))), len(next(csv.reader([vals]))))
                        self.assertGreaterEqual(len(next(csv.reader([head]))), len(want[preset]))
                    else:
                        self.assertIn("Throughput", r.out)
        # -O verbose: four blocks, a blank line between them.
        out = self.np("-t", "TCP_RR", "--", "-O", "verbose").out
        self.assertEqual(out.count("\n\n"), 3, out)

    def test_every_27_selector_by_name(self):
        self.assertEqual(len(SELECTORS_27), 175)
        listed = self.np("--", "-k", "?").out.strip().split(",")
        for name in SELECTORS_27:
            self.assertIn(name, listed)
        # All of them at once, in each form (lower case too): none unknown.
        sel = ",".join(n.lower() for n in SELECTORS_27)
        for opt in ("-k", "-o", "-O"):
            with self.subTest(opt=opt):
                r = self.np("-t", "TCP_RR", "--", opt, sel)
                self.assertNotIn("unknown output selector", r.err)
                self.assertIn("TCP", r.out)
        kv = keyvals(self.np("-t", "TCP_RR", "--", "-k", sel).out)
        self.assertEqual(kv["LOCAL_SYSNAME"], "Deprecated")
        self.assertRegex(kv["TRANSACTION_RATE"], r"^\d+\.\d{3}$")
        self.assertEqual(kv["PROTOCOL"], "TCP")

    # --- formats -----------------------------------------------------------

    def test_json_to_stdout_and_file(self):
        doc = self.validated(self.np("-t", "TCP_RR", "--format", "json").out)
        self.assertEqual(doc["mode"], "single")
        self.assertFalse(doc["partial"])
        res = doc["results"]
        self.assertEqual(res["test"], "TCP_RR")
        self.assertGreater(res["throughput"], 0)
        self.assertLessEqual(res["latency_us"]["p50"], res["latency_us"]["p99"])
        self.assertGreaterEqual(len(res["intervals"]), 1)  # sampled by default
        meta = doc["metadata"]
        self.assertIn("--format json", meta["command_line"])
        self.assertEqual(meta["remote_host"], "127.0.0.1")
        self.assertEqual(meta["protocol"], "netperf3")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.json")
            r = self.np("-t", "TCP_STREAM", "--format", "json", "--output", path)
            self.assertIn("Throughput", r.out)  # the human output stays on stdout
            with open(path) as f:
                doc = self.validated(f.read())
            self.assertEqual(doc["results"]["units"], "10^6bits/s")
            self.assertEqual(os.listdir(d), ["run.json"])  # no temporary file left

    def test_csv(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.csv")
            self.np("-t", "TCP_RR", "--format", "csv", "--output", path)
            with open(path, "rb") as f:
                raw = f.read()
        self.assertEqual(raw.count(b"\r\n"), 2, raw)  # CRLF line ends (RFC 4180)
        out = raw.decode()
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual(len(rows), 1)
        self.assertEqual((rows[0]["row"], rows[0]["test"], rows[0]["units"]), ("result", "TCP_RR", "Trans/s"))
        float(rows[0]["throughput"])
        # The command line holds a comma: quoted per RFC 4180.
        out = self.np("-t", "TCP_RR", "-B", "a,b", "--format", "csv", "-D", "0.3", "--csv-intervals").out
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual(rows[0]["command_line"].split("-B ")[1].split(" ")[0], "a,b")
        intervals = [r for r in rows if r["row"] == "interval"]
        self.assertGreaterEqual(len(intervals), 2)
        self.assertEqual([r["interval"] for r in intervals], [str(i) for i in range(len(intervals))])

    def test_keyval(self):
        kv = keyvals(self.np("-t", "TCP_RR", "--format", "keyval", "-D", "0.3").out)
        self.assertEqual((kv["MODE"], kv["PARTIAL"], kv["THROUGHPUT_UNITS"]), ("single", "0", "Trans/s"))
        for k in ("NETPERF_INTERIM_RESULT[0]", "NETPERF_UNITS[0]", "NETPERF_INTERVAL[0]", "NETPERF_ENDING[0]"):
            self.assertIn(k, kv)
        self.assertRegex(kv["NETPERF_ENDING[0]"], r"^\d{10}\.\d{3}$")

    def test_human_output_to_a_file(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.txt")
            r = self.np("-t", "TCP_RR", "--output", path)
            self.assertEqual(r.out, "")
            with open(path) as f:
                text = f.read()
            self.assertTrue(text.startswith("MIGRATED TCP REQUEST/RESPONSE TEST"), text)

    def test_bad_format_and_output(self):
        r = self.np("--format", "xml", rc=1)
        self.assertIn("--format: unknown format 'xml'", r.err)
        r = self.np("--format", "json", "--output", "/nonexistent-dir/x.json", rc=1)
        self.assertIn("/nonexistent-dir/x.json", r.err)
        self.assertEqual(len(r.err.strip().splitlines()), 1, r)
        self.assertLess(r.elapsed, 0.9, "refused before the test, not after")
        self.assertEqual(r.out, "")
        with tempfile.TemporaryDirectory() as d:
            r = self.np("--output", d, rc=1)
            self.assertIn("is a directory", r.err)

    def test_interrupted_run_is_written_partial(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "run.json")
            proc = subprocess.Popen([NETPERF, "-H", "127.0.0.1", "-p", str(self.server.port), "-l", "10", "-t",
                                     "TCP_RR", "--format", "json", "--output", path],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            time.sleep(1.5)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=30)
            self.assertEqual(proc.returncode, 130, err)
            with open(path) as f:
                doc = self.validated(f.read())
            self.assertTrue(doc["partial"])
            self.assertLess(doc["results"]["elapsed_s"], 9)
            self.assertGreater(doc["results"]["throughput"], 0)

    # --- interim results ---------------------------------------------------

    def test_interim_lines(self):
        lines = self.np("-t", "TCP_RR", "-D", "0.3").out.splitlines()
        interim = [l for l in lines if l.startswith("Interim")]
        self.assertGreaterEqual(len(interim), 2, lines)
        for l in interim:
            self.assertRegex(l, INTERIM)
        # Negative: 2.7's accurate-time mode, the same lines here.
        self.assertRegex(self.np("-t", "TCP_STREAM", "-D", "-0.3").out.splitlines()[1], INTERIM)
        kv = keyvals(self.np("-t", "TCP_RR", "-D", "0.3", "--", "-k", "THROUGHPUT").out)
        for k in ("NETPERF_INTERIM_RESULT[0]", "NETPERF_INTERVAL[0]", "NETPERF_ENDING[0]",
                  "NETPERF_INTERIM_RESULT[1]"):
            self.assertIn(k, kv)
        # Into a pipe without -D: 2.7's output, no interim lines.
        self.assertNotIn("Interim", self.np("-t", "TCP_RR").out)

    def on_terminal(self, *args):
        """netperf with its stdout on a pseudo-terminal, as a person runs it."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([NETPERF, "-H", "127.0.0.1", "-p", str(self.server.port), *args],
                                stdout=slave, stderr=subprocess.DEVNULL, close_fds=True)
        os.close(slave)
        out = b""
        deadline = time.time() + 30
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the other end closed
                    break
                if not chunk:
                    break
                out += chunk
            elif proc.poll() is not None:
                break
        os.close(master)
        proc.wait(timeout=10)
        self.assertEqual(proc.returncode, 0, out)
        return out.decode().replace("\r\n", "\n")

    def test_interim_default_on_a_terminal_and_off_with_D0(self):
        out = self.on_terminal("-l", "2", "-t", "TCP_RR")
        interim = [l for l in out.splitlines() if l.startswith("Interim")]
        self.assertGreaterEqual(len(interim), 1, out)
        self.assertRegex(interim[0], INTERIM)
        self.assertRegex(interim[0], r" over (0\.9|1\.0)\d\d seconds")
        self.assertNotIn("Interim", self.on_terminal("-l", "1", "-t", "TCP_RR", "-D", "0"))
        # -D 0 also stops the sampling: no intervals in the report.
        doc = self.validated(self.np("-t", "TCP_RR", "-D", "0", "--format", "json").out)
        self.assertEqual(doc["results"]["intervals"], [])

    # --- directions --------------------------------------------------------

    def test_directions_json(self):
        for d in ("tx", "rx"):
            doc = self.validated(self.np("--direction", d, "--format", "json").out)
            self.assertEqual(doc["results"]["pattern"], {"tx": "stream", "rx": "maerts"}[d])
        doc = self.validated(self.np("-t", "TCP_STREAM", "--direction", "bx", "--format", "json").out)
        self.assertEqual(doc["mode"], "sequential")
        self.assertEqual(doc["results"]["tx"]["test"], "TCP_STREAM")
        self.assertEqual(doc["results"]["rx"]["test"], "TCP_MAERTS")
        doc = self.validated(self.np("-T", "simul", "--format", "json").out)
        self.assertEqual(doc["mode"], "simultaneous")
        sim = doc["results"]["simultaneous"]
        self.assertEqual((sim["tx"]["pattern"], sim["rx"]["pattern"]), ("stream", "maerts"))
        self.assertAlmostEqual(sim["total"]["throughput"], sim["tx"]["throughput"] + sim["rx"]["throughput"],
                               delta=1e-6 * sim["total"]["throughput"])
        # The two ran at once: their elapsed times overlap.
        self.assertLess(abs(sim["tx"]["elapsed_s"] - sim["rx"]["elapsed_s"]), 0.5)

    def test_directions_other_formats(self):
        out = self.np("--direction", "simul", "--format", "csv").out
        rows = list(csv.DictReader(io.StringIO(out, newline="")))
        self.assertEqual([r["direction"] for r in rows], ["tx", "rx", "total"])
        kv = keyvals(self.np("--direction", "bx", "--format", "keyval").out)
        self.assertEqual(kv["MODE"], "sequential")
        for k in ("TX_THROUGHPUT", "RX_THROUGHPUT"):
            float(kv[k])
        kv = keyvals(self.np("--direction", "simul", "--", "-k", "THROUGHPUT,DIRECTION").out)
        self.assertEqual((kv["TX_DIRECTION"], kv["RX_DIRECTION"]), ("Send", "Receive"))
        self.assertAlmostEqual(float(kv["TOTAL_THROUGHPUT"]),
                               float(kv["TX_THROUGHPUT"]) + float(kv["RX_THROUGHPUT"]), delta=0.02)
        out = self.np("-t", "TCP_STREAM", "--direction", "bx").out
        for s in ("MIGRATED TCP STREAM TEST", "MIGRATED TCP MAERTS TEST", "\n[tx] ", "\n[rx] "):
            self.assertIn(s, out)
        out = self.np("--direction", "simul").out
        self.assertRegex(out, r"\nSimultaneous total: %s 10\^6bits/s \(tx %s \+ rx %s\)\n" % (NUM, NUM, NUM))
        out = self.np("-t", "UDP_STREAM", "--direction", "rx", "--", "-m", "1024").out
        self.assertIn("OMNI Receive TEST", out)

    def test_numeric_T_is_still_cpu_binding(self):
        r = self.np("-T", "0,0", "-t", "TCP_STREAM")
        self.assertIn(" : cpu bind", r.out.splitlines()[0])
        r = self.np("-t", "TCP_RR", "--direction", "tx", rc=1)
        self.assertIn("not a stream test", r.err)
        r = self.np("-T", "sideways", rc=1)
        self.assertIn("-T", r.err)

    # --- confidence intervals ----------------------------------------------

    def test_confidence_json(self):
        doc = self.validated(self.np("-t", "TCP_RR", "-i", "3,3", "-I", "95,50", "--format", "json").out)
        conf = doc["results"]["confidence"]
        self.assertTrue(conf["requested"])
        self.assertEqual((conf["level"], conf["iterations"]), (95, 3))
        for k in ("throughput", "p50_latency_us", "p90_latency_us", "p99_latency_us"):
            self.assertEqual(conf[k]["n"], 3, k)
            self.assertLessEqual(conf[k]["low"], conf[k]["mean"])
            self.assertLessEqual(conf[k]["mean"], conf[k]["high"])
        self.assertEqual(len(doc["results"]["iterations"]), 3)

    def test_confidence_csv_keyval_human_k(self):
        args = ("-t", "TCP_RR", "-i", "3,3", "-I", "99,50")
        rows = list(csv.DictReader(io.StringIO(self.np(*args, "--format", "csv").out, newline="")))
        self.assertEqual(rows[0]["iterations"], "3")
        for c in ("throughput_ci_low", "p50_latency_ci_low", "p99_latency_ci_high", "throughput_confid"):
            float(rows[0][c])
        kv = keyvals(self.np(*args, "--format", "keyval").out)
        for k in ("THROUGHPUT_CONFID", "P50_LATENCY_CONFID", "P90_LATENCY_CI_LOW", "P99_LATENCY_CI_HIGH"):
            float(kv[k])
        self.assertEqual(kv["CONFIDENCE_LEVEL"], "99")
        out = self.np(*args).out
        self.assertRegex(out, r"\nLatency confidence \(99%%, 3 iterations\), usec: P50 %s \+/- %s \(\d+\.\d{3}%%\) "
                              r"P90 .* P99 " % (NUM, NUM))
        self.assertIn("+/-25.000% @ 99% conf.", out.splitlines()[0])
        kv = keyvals(self.np(*args, "--", "-k", "THROUGHPUT_CONFID,P50_LATENCY_CONFID,P99_LATENCY_CONFID").out)
        for k in ("THROUGHPUT_CONFID", "P50_LATENCY_CONFID", "P99_LATENCY_CONFID"):
            self.assertGreaterEqual(float(kv[k]), 0, k)


if __name__ == "__main__":
    main()
