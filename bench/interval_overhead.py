#!/usr/bin/env python3
"""Interim-result sampling on (-D 1) against off (-D 0): interleaved runs,
alternating which goes first each round, medians and the median of the
paired ratios.

    bench/interval_overhead.py --netperf build/tools/netperf/netperf \
        --host 127.0.0.1 --rounds 20 --length 2 --transport null

The null transport measures the engine alone (no kernel networking); use
sockets to include the stack.  Needs a netserver on --host/--port.
"""
import argparse
import statistics
import subprocess


def throughput(args, test, interval):
    cmd = [args.netperf, "-H", args.host, "-p", str(args.port), "-l", str(args.length), "-t", test,
           "--transport", args.transport, "-D", interval, "--format", "keyval"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=args.length + 60).stdout
    kv = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return float(kv["THROUGHPUT"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--netperf", default="netperf")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=12865)
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--length", type=int, default=2)
    p.add_argument("--transport", default="null")
    p.add_argument("--tests", default="TCP_RR,TCP_STREAM")
    args = p.parse_args()
    tests = args.tests.split(",")
    res = {(t, d): [] for t in tests for d in ("1", "0")}
    for rnd in range(args.rounds):
        for test in tests:
            for d in (("1", "0") if rnd % 2 == 0 else ("0", "1")):
                res[(test, d)].append(throughput(args, test, d))
    for test in tests:
        on, off = res[(test, "1")], res[(test, "0")]
        paired = statistics.median(a / b for a, b in zip(on, off))
        print("%-10s on %.1f  off %.1f (medians)  median paired ratio on/off %.4f  rounds %d"
              % (test, statistics.median(on), statistics.median(off), paired, len(on)))


if __name__ == "__main__":
    main()
