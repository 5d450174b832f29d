#include "local_run.h"

#include <chrono>
#include <thread>


namespace netperf {

std::atomic<int> g_interrupt{0};

LocalRunOutput drive_run(Run &run, double interval_s, bool measure_cpu, const IntervalSink &sink,
                         const std::function<bool()> &abort, uint64_t start_at) {
    LocalRunOutput out;
    CpuMeter meter;
    uint64_t now = now_ns();
    uint64_t t0 = start_at > now ? start_at : now;
    uint64_t wall0 = wall_ns() + (t0 - now);
    run.start(t0);
    // CPU is measured from the start of traffic: wait for it first.
    while (measure_cpu && now_ns() < t0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (measure_cpu) meter.start();
    const uint64_t iv = interval_s > 0 ? uint64_t(interval_s * 1e9) : 0;
    uint64_t next = iv ? t0 + iv : 0;
    uint64_t prev_t = t0;
    CounterSnapshot prev;
    std::vector<CounterSnapshot> prev_flows;
    int seen_interrupt = 0;
    uint64_t interrupted_at = 0;
    auto sample = [&](uint64_t t) {
        CounterSnapshot cur = run.snapshot();
        IntervalSample s;
        s.index = int(out.intervals.size());
        s.start_s = double(prev_t - t0) / 1e9;
        s.duration_s = double(t - prev_t) / 1e9;
        s.end_wall_ns = wall0 + (t - t0);
        s.delta = cur - prev;
        if (run.config().flows > 1) {
            auto totals = run.snapshot_flows();
            prev_flows.resize(totals.size());
            s.flows.resize(totals.size());
            for (size_t i = 0; i < totals.size(); i++) {
                s.flows[i] = totals[i] - prev_flows[i];
                prev_flows[i] = totals[i];
            }
        }
        prev = cur;
        prev_t = t;
        out.intervals.push_back(s);
        if (sink) sink(out.intervals.back());
    };
    for (;;) {
        int wait_ms = 50;
        uint64_t t = now_ns();
        if (iv) {
            int64_t until = int64_t(next) - int64_t(t);
            wait_ms = until <= 0 ? 0 : int(std::min<int64_t>(until / 1000000 + 1, 50));
        }
        if (run.wait(wait_ms)) break;
        t = now_ns();
        int irq = g_interrupt.load();
        if (irq != seen_interrupt) {
            // First interrupt: wind down cleanly (senders end their streams);
            // a receiver still waiting half a second later, or a second
            // interrupt, stops everything.
            seen_interrupt = irq;
            out.interrupted = true;
            if (irq == 1) {
                run.finish();
                interrupted_at = t;
            } else {
                run.stop();
            }
        }
        if (interrupted_at && t > interrupted_at + 500000000ull) run.stop();
        if (abort && abort()) {
            out.interrupted = true;
            run.stop();
        }
        if (iv && t >= next) {
            // Sample k belongs to boundary start + k * interval even when it
            // is taken late: runs started together keep aligned indexes.
            sample(t);
            next += iv;
        }
    }
    out.run = run.result();
    // The last, partial interval, when anything moved in it: 2.7's
    // demo_interval_final prints it only then, and a reader such as flent
    // would plot an empty tail after the last boundary as a drop to zero.
    uint64_t end = out.run.end_ns ? out.run.end_ns : now_ns();
    if (iv && end > prev_t + 1000000) {
        CounterSnapshot tail = run.snapshot() - prev;
        if (tail.bytes_sent || tail.bytes_received || tail.transactions) sample(end);
    }
    if (measure_cpu) out.cpu = meter.stop();
    return out;
}

SideResult side_from_run(const RunResult &r, const SidePlan &p, const CpuUtil &cpu, const TestSpec &s,
                         Role role) {
    SideResult side;
    side.present = true;
    side.counters = r.total;
    side.elapsed_s = r.elapsed_s;
    side.cpu = cpu;
    side.sndbuf_req = p.tmpl.sndbuf;
    side.rcvbuf_req = p.tmpl.rcvbuf;
    side.sndbuf = p.sizes.sndbuf;
    side.rcvbuf = p.sizes.rcvbuf;
    side.send_size = p.cfg.send_size;
    side.recv_size = p.cfg.recv_size;
    side.send_width = p.cfg.send_width;
    side.recv_width = p.cfg.recv_width;
    side.latency = r.latency;
    side.cpu_bind = role == Role::Client ? s.cpu.local : s.cpu.remote;
    side.syscalls = r.transport_syscalls;
    side.error = r.error;
    if (!r.flows.empty()) {
        const FlowResult &f = r.flows.front();
        if (f.sndbuf_start > 0) side.sndbuf = f.sndbuf_start;
        if (f.rcvbuf_start > 0) side.rcvbuf = f.rcvbuf_start;
        side.sndbuf_end = f.sndbuf_end;
        side.rcvbuf_end = f.rcvbuf_end;
        side.mss = f.mss;
        side.retransmits = f.retransmits;
        side.cong_control = f.cong_control;
    }
    return side;
}

}  // namespace netperf
