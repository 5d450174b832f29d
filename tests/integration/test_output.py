"""netperf's output against a real netserver on loopback: the layout of
2.7's tables and OMNI selector output, checked with patterns (numbers vary
from run to run; only their form is checked, never their size)."""
import os
import re
import socket
import tempfile
import unittest

from harness import Netserver, keyvals, main, netperf

NUM = r"-?\d+\.\d\d"
INT = r"-?\d+"
BANNER = (r"^{title} from 0\.0\.0\.0 \(0\.0\.0\.0\) port 0 AF_INET "
          r"to 127\.0\.0\.1 \(127\.0\.0\.1\) port 0 AF_INET{suffix}$")


def banner(title, suffix=""):
    return re.compile(BANNER.format(title=re.escape(title), suffix=re.escape(suffix)))


class Output(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Netserver().__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def run_netperf(self, *args, length=1):
        r = netperf("-H", "127.0.0.1", "-p", self.server.port, "-l", length, *args, timeout=60)
        self.assertEqual(r.rc, 0, r)
        return r

    def test_tcp_stream(self):
        lines = self.run_netperf("-t", "TCP_STREAM").out.splitlines()
        self.assertRegex(lines[0], banner("MIGRATED TCP STREAM TEST"), lines)
        self.assertEqual(lines[1:6], ["Recv   Send    Send                          ",
                                      "Socket Socket  Message  Elapsed              ",
                                      "Size   Size    Size     Time     Throughput  ",
                                      "bytes  bytes   bytes    secs.    10^6bits/sec  ",
                                      ""])
        self.assertRegex(lines[6], r"^ *\d+ +\d+ +\d+    \d\.\d\d +%s   $" % NUM)
        self.assertEqual(len(lines), 7)

    def test_tcp_rr(self):
        lines = self.run_netperf("-t", "TCP_RR").out.splitlines()
        self.assertRegex(lines[0], banner("MIGRATED TCP REQUEST/RESPONSE TEST", " : first burst 0"))
        self.assertEqual(lines[1], "Local /Remote")
        self.assertRegex(lines[6], r"^\d+ +\d+ +1        1       \d\.\d\d +%s   $" % NUM)
        self.assertRegex(lines[7], r"^\d+ +\d+ *$")

    def test_socket_sizes_are_from_before_connect(self):
        # 2.7 prints each side's SO_SNDBUF/SO_RCVBUF as read right after the
        # data socket is made (LSS_SIZE, ...), before Linux grows a TCP send
        # buffer on connect; the _END selectors carry the grown values.
        with socket.socket() as s:
            snd = s.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
            rcv = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        row = self.run_netperf("-t", "TCP_STREAM", "-P", "0").out.split()
        self.assertEqual(row[:2], [str(rcv), str(snd)], row)  # remote recv, local send
        lines = self.run_netperf("-t", "TCP_CRR", "-P", "0").out.splitlines()
        self.assertEqual(lines[0].split()[:2], [str(snd), str(rcv)], lines)  # local
        self.assertEqual(lines[1].split(), [str(snd), str(rcv)], lines)  # remote
        kv = keyvals(self.run_netperf("-t", "OMNI", "--", "-k",
                                      "LSS_SIZE,LSR_SIZE,RSS_SIZE,RSR_SIZE,LSS_SIZE_END").out)
        self.assertEqual([kv["LSS_SIZE"], kv["LSR_SIZE"], kv["RSS_SIZE"], kv["RSR_SIZE"]],
                         [str(snd), str(rcv), str(snd), str(rcv)], kv)
        self.assertGreaterEqual(int(kv["LSS_SIZE_END"]), snd)

    def test_udp_stream(self):
        out = self.run_netperf("-t", "UDP_STREAM", "--", "-m", "1024").out
        lines = out.splitlines()
        self.assertRegex(lines[0], banner("MIGRATED UDP STREAM TEST"))
        self.assertEqual(lines[1], "Socket  Message  Elapsed      Messages                ")
        # The send row, then what netserver received, then a blank line.
        self.assertRegex(lines[5], r"^ *\d+    1024   \d\.\d\d +\d+ +\d+ +%s$" % NUM)
        self.assertRegex(lines[6], r"^ *\d+           \d\.\d\d +\d+ +%s$" % NUM)
        self.assertTrue(out.endswith("\n\n"), out)

    def test_terse_and_brand(self):
        out = self.run_netperf("-t", "TCP_STREAM", "-P", "0", "-B", "mybrand").out
        self.assertRegex(out, r"^ *\d+ +\d+ +\d+    \d\.\d\d +%s   mybrand\n$" % NUM)
        out = self.run_netperf("-t", "TCP_RR", "-P", "0", "-v", "0").out
        self.assertRegex(out, r"^%s \n$" % NUM)

    def test_cpu_columns(self):
        lines = self.run_netperf("-t", "TCP_STREAM", "-c", "-C").out.splitlines()
        self.assertEqual(lines[4], "bytes  bytes   bytes    secs.    10^6bits/s  % S      % S      us/KB   us/KB")
        self.assertRegex(lines[6], r"^ *\d+ +\d+ +\d+    \d\.\d\d +%s +%s +%s +\d+\.\d{3} +\d+\.\d{3}  $"
                         % (NUM, NUM, NUM))
        lines = self.run_netperf("-t", "TCP_RR", "-c", "-C").out.splitlines()
        self.assertEqual(lines[4], "bytes  bytes  bytes   bytes  secs.   per sec  % S    % S    us/Tr   us/Tr")
        out = self.run_netperf("-t", "TCP_RR", "-c", "-v", "0", "-P", "0").out
        self.assertRegex(out, r"^ *\d+\.\d{3} S \n$")

    def test_verbose(self):
        out = self.run_netperf("-t", "TCP_STREAM", "-v", "2").out
        self.assertIn("\nAlignment      Offset         Bytes    Bytes       Sends   Bytes    Recvs\n", out)
        self.assertRegex(out, r"\nMaximum\nSegment\nSize \(bytes\)\n *\d+\n")
        self.assertIn("\n\nHistogram of time spent in send() call.\n", out)
        rows = re.findall(r"^(UNIT_USEC|TEN_USEC|HUNDRED_USEC|UNIT_MSEC|TEN_MSEC|HUNDRED_MSEC|UNIT_SEC|TEN_SEC) +"
                          r"((?:: +\d+){10})$", out, re.M)
        self.assertEqual(len(rows), 8, out)
        total = int(re.search(r"^HIST_TOTAL: +(\d+)$", out, re.M).group(1))
        self.assertRegex(out, r"\n>100_SECS: \d+\n")
        counted = sum(int(x) for _, row in rows for x in row.replace(":", " ").split())
        self.assertLessEqual(counted, total)
        self.assertGreater(total, 0)

        out = self.run_netperf("-t", "TCP_RR", "-v", "2").out
        self.assertIn("Alignment      Offset         RoundTrip  Trans    Throughput\n", out)
        self.assertIn("\nHistogram of request/response times\n", out)

    def test_omni_default_columns(self):
        # netperf 3's default selectors (the preset "default").
        lines = self.run_netperf("-t", "OMNI").out.splitlines()
        self.assertRegex(lines[0], banner("OMNI Send TEST"))
        self.assertEqual(lines[1].split(), ["Throughput", "Throughput", "Mean", "50th", "90th", "99th", "Local",
                                            "Remote", "Local", "Local", "Elapsed", "Protocol", "Direction", "Socket"])
        self.assertRegex(lines[5], r"^%s +10\^6bits/s +%s +\d+ +\d+ +\d+ +-1\.00 +-1\.00 +\d+ +0 +\d\.\d\d +TCP +Send "
                         r"+Stream +$" % (NUM, NUM))
        # 2.7's default columns are the preset "classic".
        lines = self.run_netperf("-t", "OMNI", "--", "-O", "classic").out.splitlines()
        self.assertEqual(lines[1], "Local       Remote      Local  Elapsed Throughput Throughput  ")
        self.assertEqual(lines[4], "Final       Final                                             ")
        self.assertRegex(lines[5], r"^\d+ +\d+ +16384 +\d\.\d\d +%s +10\^6bits/s  $" % NUM)

    def test_omni_keyval(self):
        r = self.run_netperf("-t", "TCP_RR", "--", "-k",
                             "THROUGHPUT,THROUGHPUT_UNITS,P50_LATENCY,P99_LATENCY,MEAN_LATENCY,RT_LATENCY,"
                             "TRANSACTION_RATE,PROTOCOL,DIRECTION,UUID,COMMAND_LINE,LOCAL_SYSNAME,NOSUCH")
        kv = keyvals(r.out)
        self.assertEqual(list(kv)[:3], ["THROUGHPUT", "THROUGHPUT_UNITS", "P50_LATENCY"])
        self.assertRegex(kv["THROUGHPUT"], "^%s$" % NUM)
        self.assertEqual(kv["THROUGHPUT_UNITS"], "Trans/s")
        self.assertRegex(kv["P50_LATENCY"], r"^\d+$")
        self.assertLessEqual(int(kv["P50_LATENCY"]), int(kv["P99_LATENCY"]))
        self.assertRegex(kv["MEAN_LATENCY"], "^%s$" % NUM)
        self.assertRegex(kv["TRANSACTION_RATE"], r"^\d+\.\d{3}$")
        self.assertEqual(kv["PROTOCOL"], "TCP")
        self.assertEqual(kv["DIRECTION"], "Send|Recv")
        self.assertRegex(kv["UUID"], r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
        self.assertRegex(kv["COMMAND_LINE"], r'^".*netperf .*-k THROUGHPUT,.*"$')
        self.assertEqual(kv["LOCAL_SYSNAME"], "Deprecated")
        self.assertNotIn("NOSUCH", kv)
        self.assertIn("ignoring unknown output selector 'NOSUCH'", r.err)

    def test_omni_csv(self):
        out = self.run_netperf("-t", "OMNI", "--", "-o", "classic").out.splitlines()
        self.assertEqual(out[1], "Local Send Socket Size Final,Remote Recv Socket Size Final,Local Send Size,"
                                 "Elapsed Time (sec),Throughput,Throughput Units")
        self.assertRegex(out[2], r"^\d+,\d+,16384,\d\.\d\d,%s,10\^6bits/s$" % NUM)
        out = self.run_netperf("-t", "OMNI", "-P", "0", "--", "-o", "THROUGHPUT,PROTOCOL;DIRECTION").out
        self.assertRegex(out, r"^%s,TCP,Send\n$" % NUM)

    def test_omni_columns_and_files(self):
        with tempfile.NamedTemporaryFile("w", suffix=".sel", delete=False) as f:
            f.write("THROUGHPUT,Elapsed Time (sec)\nPROTOCOL,THROUGHPUT_UNITS\n")
        try:
            out = self.run_netperf("-t", "OMNI", "--", "-O", f.name).out
        finally:
            os.unlink(f.name)
        blocks = out.split("\n\n")
        self.assertEqual(len(blocks), 2, out)
        first = blocks[0].splitlines()
        self.assertEqual(first[1:5], ["Throughput Elapsed ", "           Time    ", "           (sec)   ",
                                      "                   "])
        self.assertRegex(first[5], r"^%s +\d\.\d\d +$" % NUM)
        second = blocks[1].splitlines()
        self.assertEqual(second[0], "Protocol Throughput  ")
        self.assertEqual(second[4], "TCP      10^6bits/s  ")

    def test_omni_all(self):
        kv = keyvals(self.run_netperf("-t", "TCP_MAERTS", "--", "-k", "all").out)
        self.assertEqual(list(kv)[0], "SOCKET_TYPE")
        self.assertEqual(list(kv)[-1], "COMMAND_LINE")
        self.assertEqual(kv["DIRECTION"], "Receive")
        self.assertGreater(len(kv), 150)

    def test_interim_keyval(self):
        out = self.run_netperf("-t", "OMNI", "-D", "0.5", "--", "-k", "THROUGHPUT,THROUGHPUT_UNITS", length=2).out
        interim = re.findall(r"^NETPERF_INTERIM_RESULT\[(\d+)\]=%s\n"
                             r"NETPERF_UNITS\[\1\]=10\^6bits/s\n"
                             r"NETPERF_INTERVAL\[\1\]=\d+\.\d{3}\n"
                             r"NETPERF_ENDING\[\1\]=\d+\.\d{3}$" % NUM, out, re.M)
        self.assertGreaterEqual(len(interim), 3, out)
        self.assertEqual(interim, [str(i) for i in range(len(interim))])
        self.assertRegex(out, r"\nTHROUGHPUT=%s\nTHROUGHPUT_UNITS=10\^6bits/s\n$" % NUM)

    def test_interim_csv(self):
        out = self.run_netperf("-t", "OMNI", "-D", "0.5", "--", "-o", "THROUGHPUT", length=2).out.splitlines()
        interim = [l for l in out if re.match(r"^ *%s,10\^6bits/s,\d+\.\d{3},\d+\.\d{3}$" % NUM, l)]
        self.assertGreaterEqual(len(interim), 3, out)
        self.assertEqual(out[-2:][0], "Throughput")

    def test_multi_flow_report(self):
        out = self.run_netperf("-t", "TCP_RR", "--flows", "3").out
        self.assertRegex(out, r"\nPer-flow results: 3 flows on \d+ workers?\n"
                              r"Flow Worker  CPU   Throughput Units        Mean us    P99 us\n"
                              r"(?: +\d +\d+ +[-\d]+ +%s Trans/s +%s +%s\n){3}"
                              r" All +%s Trans/s +%s +%s\n$" % ((NUM,) * 6))
        out = self.run_netperf("-t", "TCP_RR", "--flows", "3", "-P", "0").out
        self.assertNotIn("Per-flow", out)


if __name__ == "__main__":
    main()
