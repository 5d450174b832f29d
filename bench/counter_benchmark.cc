// Benchmarks of the per-flow counters (core/include/netperf/counters.h): the
// single-writer Counter::add (relaxed load + store, no locked instruction)
// against std::atomic::fetch_add (a locked read-modify-write), alone and
// while a sampler thread reads the counters, as the interval reporter does.
//
//   ninja -C build-bench bench/counter_benchmark && build-bench/bench/counter_benchmark
//   build-bench/bench/counter_benchmark --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
//
// Sampler argument: 0 = no sampler; N > 0 = a thread that snapshots the
// counters every N microseconds (1000 is a 1 ms reporting interval, far
// shorter than netperf's -D); -1 = a thread that reads them in a tight loop,
// the worst case: the counters' cache line bounces between the two cores on
// every write.  Pin nothing: on a 2-core machine the writer and the sampler
// land on different cores whenever both run.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>

#include <benchmark/benchmark.h>

#include <netperf/counters.h>

namespace {

using netperf::CounterSnapshot;
using netperf::FlowCounters;

// Calls read() every period_us microseconds (see above) on its own thread
// until destroyed.
class Sampler {
  public:
    template <typename ReadFn>
    Sampler(int64_t period_us, ReadFn read) {
        if (period_us == 0) return;
        thread_ = std::thread([this, period_us, read] {
            uint64_t sink = 0;
            while (!quit_.load(std::memory_order_relaxed)) {
                sink += read();
                if (period_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(period_us));
            }
            benchmark::DoNotOptimize(sink);
        });
    }
    ~Sampler() {
        quit_.store(true);
        if (thread_.joinable()) thread_.join();
    }
  private:
    std::atomic<bool> quit_{false};
    std::thread thread_;
};

// What a worker does per RR transaction: bytes, calls and the transaction.
void BM_CounterAdd(benchmark::State &state) {
    FlowCounters c;
    Sampler s(state.range(0), [&c] { return CounterSnapshot::of(c).transactions; });
    for (auto _ : state) {
        c.bytes_sent.add(1);
        c.send_calls.add(1);
        c.bytes_received.add(1);
        c.recv_calls.add(1);
        c.transactions.add(1);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 5);
    benchmark::DoNotOptimize(c.transactions.get());
}
BENCHMARK(BM_CounterAdd)->ArgName("sampler_us")->Arg(0)->Arg(1000)->Arg(-1);

// The same five counters as std::atomic with fetch_add (lock xadd).
struct alignas(netperf::kCacheLine) AtomicCounters {
    std::atomic<uint64_t> bytes_sent{0}, bytes_received{0}, send_calls{0}, recv_calls{0}, transactions{0};
};

void BM_AtomicFetchAdd(benchmark::State &state) {
    AtomicCounters c;
    Sampler s(state.range(0), [&c] { return c.transactions.load(std::memory_order_relaxed); });
    for (auto _ : state) {
        c.bytes_sent.fetch_add(1, std::memory_order_relaxed);
        c.send_calls.fetch_add(1, std::memory_order_relaxed);
        c.bytes_received.fetch_add(1, std::memory_order_relaxed);
        c.recv_calls.fetch_add(1, std::memory_order_relaxed);
        c.transactions.fetch_add(1, std::memory_order_relaxed);
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 5);
    benchmark::DoNotOptimize(c.transactions.load());
}
BENCHMARK(BM_AtomicFetchAdd)->ArgName("sampler_us")->Arg(0)->Arg(1000)->Arg(-1);

// Plain (non-atomic) scalar increments, each a load, an add and a store to
// memory (volatile: no register caching, no vectorising the five into two
// SIMD adds): the floor Counter::add is measured against.
void BM_PlainAdd(benchmark::State &state) {
    struct alignas(netperf::kCacheLine) {
        volatile uint64_t v[5] = {};
    } c;
    for (auto _ : state) {
        for (auto &x : c.v) x = x + 1;
    }
    state.SetItemsProcessed(int64_t(state.iterations()) * 5);
    benchmark::DoNotOptimize(c.v[4]);
}
BENCHMARK(BM_PlainAdd);

// The sampler's side: one snapshot of a flow's counters (seven relaxed loads).
void BM_CounterSnapshot(benchmark::State &state) {
    FlowCounters c;
    c.transactions.add(3);
    for (auto _ : state) benchmark::DoNotOptimize(CounterSnapshot::of(c));
}
BENCHMARK(BM_CounterSnapshot);

// The sampler's side while a writer thread keeps bumping the counters: the
// snapshot now misses in cache (the line is modified on the other core).
void BM_CounterSnapshotUnderWrites(benchmark::State &state) {
    FlowCounters c;
    std::atomic<bool> quit{false};
    std::thread writer([&] {
        while (!quit.load(std::memory_order_relaxed)) c.transactions.add(1);
    });
    for (auto _ : state) benchmark::DoNotOptimize(CounterSnapshot::of(c));
    quit.store(true);
    writer.join();
}
BENCHMARK(BM_CounterSnapshotUnderWrites)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
