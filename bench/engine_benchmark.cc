// The engine's own cost per unit of work: a Run over the null transport
// (transports/null: every op completes at once, no I/O), so what is left is
// the worker loop, the pattern handlers, the counters, the histogram and
// the stage/commit/reap calls through the transport table.
//
//   ninja -C build-bench bench/engine_benchmark && build-bench/bench/engine_benchmark
//   build-bench/bench/engine_benchmark --benchmark_filter=RR --benchmark_repetitions=5
//
// Each iteration is one counted Run (RRClient: -l -N transactions;
// SendStream: N sends; ConnectClient: N connect/request/response/close
// transactions) on one worker thread.  The time is the flows' own elapsed
// time (first flow start to last flow end), not thread creation or setup;
// "ns_per_op" is that time divided by the transactions or sends.  On a
// machine busy with other work that wall time includes the time the worker
// waited for a CPU: "cpu_ns_per_op" is the process's CPU time (user + system,
// getrusage) over the whole Run, setup included, divided the same way, and
// moves much less with other load.  Compare either with a loopback
// transaction (tens of microseconds): the engine's share of a TCP_RR is the
// ratio.  The null plugin is found in the build tree
// (NETPERF_PLUGIN_PATH overrides).
#include <cstdint>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>
#include <netinet/in.h>
#include <sys/resource.h>

#include <netperf/engine.h>
#include <netperf/transport.h>

namespace {

using namespace netperf;

const Transport &null_transport() {
    static std::unique_ptr<Transport> t = load_transport("null");
    return *t;
}

EngineConfig counted(Action a, int64_t count) {
    EngineConfig c;
    c.action = a;
    c.duration_s = 0;  // no deadline: the count ends the run
    c.count = count;
    c.request_size = c.response_size = 1;
    c.send_size = c.recv_size = 16384;
    return c;
}

// CPU time (user + system) of this process so far, in ns.
uint64_t process_cpu_ns() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ns = [](const timeval &tv) { return uint64_t(tv.tv_sec) * 1'000'000'000ull + uint64_t(tv.tv_usec) * 1000; };
    return ns(ru.ru_utime) + ns(ru.ru_stime);
}

struct Measured {
    uint64_t elapsed_ns = 0, cpu_ns = 0, units = 0;
};

// Runs cfg once: the flows' elapsed ns, the process CPU ns spent on the Run
// and the units of work done (all 0 on error).
Measured run_once(const EngineConfig &cfg, benchmark::State &state) {
    uint64_t cpu0 = process_cpu_ns();
    Run run(null_transport(), cfg);
    np_endpoint_spec s{};
    s.struct_size = sizeof s;
    s.family = AF_INET;
    s.socktype = SOCK_STREAM;
    run.set_connect_specs(std::vector<np_endpoint_spec>(size_t(cfg.flows), s));
    run.start(now_ns());
    if (!run.wait(60'000)) {
        run.stop();
        run.wait();
        state.SkipWithError("run did not finish in 60 s");
        return {};
    }
    RunResult r = run.result();
    if (!r.error.empty()) {
        state.SkipWithError(r.error.c_str());
        return {};
    }
    uint64_t units = cfg.action == Action::SendStream ? r.total.send_calls : r.total.transactions;
    return {r.end_ns - r.start_ns, process_cpu_ns() - cpu0, units};
}

void run_benchmark(benchmark::State &state, const EngineConfig &cfg) {
    uint64_t total_ns = 0, total_cpu_ns = 0, total_units = 0;
    for (auto _ : state) {
        Measured m = run_once(cfg, state);
        if (!m.units) break;
        state.SetIterationTime(double(m.elapsed_ns) / 1e9);
        total_ns += m.elapsed_ns;
        total_cpu_ns += m.cpu_ns;
        total_units += m.units;
    }
    state.SetItemsProcessed(int64_t(total_units));
    state.counters["ns_per_op"] = total_units ? double(total_ns) / double(total_units) : 0;
    state.counters["cpu_ns_per_op"] = total_units ? double(total_cpu_ns) / double(total_units) : 0;
}

// RR client, count-based: ns per transaction (stage SEND + RECV, reap two
// completions, counters, one histogram record).  Args: transactions per run,
// flows on the one worker, latency histogram on (1) or off (0).
void BM_EngineRRClient(benchmark::State &state) {
    EngineConfig c = counted(Action::RRClient, state.range(0));
    c.flows = int(state.range(1));
    c.latency = state.range(2) != 0;
    run_benchmark(state, c);
}
BENCHMARK(BM_EngineRRClient)
    ->ArgNames({"count", "flows", "hist"})
    ->Args({1 << 20, 1, 1})
    ->Args({1 << 20, 1, 0})
    ->Args({1 << 20, 16, 1})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Stream sender, count-based: ns per 16 KB send (the null transport does not
// touch the bytes, so this is the engine's bookkeeping alone).
void BM_EngineSendStream(benchmark::State &state) {
    EngineConfig c = counted(Action::SendStream, state.range(0) * 16384);
    c.latency = state.range(1) != 0;
    run_benchmark(state, c);
}
BENCHMARK(BM_EngineSendStream)
    ->ArgNames({"sends", "hist"})
    ->Args({1 << 20, 1})
    ->Args({1 << 20, 0})
    ->UseManualTime()
    ->Unit(benchmark::kMillisecond);

// Connect client (CRR): ns per connect/request/response/EOF/close transaction.
void BM_EngineConnectClient(benchmark::State &state) {
    EngineConfig c = counted(Action::ConnectClient, state.range(0));
    run_benchmark(state, c);
}
BENCHMARK(BM_EngineConnectClient)->ArgNames({"count"})->Arg(1 << 18)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
