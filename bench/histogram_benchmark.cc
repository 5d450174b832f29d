// Benchmarks of the latency histogram (core/include/netperf/histogram.h):
// what recording one transaction costs in the worker loop, and what the
// reporting side pays to read percentiles and to merge per-flow histograms.
//
//   ninja -C build-bench bench/histogram_benchmark && build-bench/bench/histogram_benchmark
//   build-bench/bench/histogram_benchmark --benchmark_filter=Record --benchmark_repetitions=5
//
// The values recorded are loopback-like latencies: log-normal around 20 us
// with a tail, drawn once before timing so the generator is not measured.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include <netperf/histogram.h>

namespace {

using netperf::Histogram;

// 64 Ki latencies in ns (a power of two: the index wraps with a mask).
const std::vector<uint64_t> &latencies() {
    static const std::vector<uint64_t> v = [] {
        std::mt19937_64 rng(42);
        std::lognormal_distribution<double> d(std::log(20'000.0), 0.5);
        std::vector<uint64_t> x(1 << 16);
        for (auto &ns : x) ns = uint64_t(d(rng));
        return x;
    }();
    return v;
}

Histogram filled(size_t n, uint64_t scale = 1) {
    Histogram h;
    const auto &v = latencies();
    for (size_t i = 0; i < n; i++) h.record(v[i & (v.size() - 1)] * scale);
    return h;
}

// One record() per transaction: the cost the worker loop pays.  The
// histogram's address escapes first (DoNotOptimize(h)), so ClobberMemory
// makes every update of the buckets and summaries really happen; without it
// the compiler keeps what it can in registers and drops what nothing reads.
void BM_HistogramRecord(benchmark::State &state) {
    Histogram h;
    benchmark::DoNotOptimize(h);
    const auto &v = latencies();
    const size_t mask = v.size() - 1;
    size_t i = 0;
    for (auto _ : state) {
        h.record(v[i++ & mask]);
        benchmark::ClobberMemory();
    }
    benchmark::DoNotOptimize(h.count());
    state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_HistogramRecord);

// The same value every time (a best case: one bucket stays hot).
void BM_HistogramRecordConstant(benchmark::State &state) {
    Histogram h;
    benchmark::DoNotOptimize(h);
    uint64_t ns = 17'250;
    for (auto _ : state) {
        benchmark::DoNotOptimize(ns);
        h.record(ns);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_HistogramRecordConstant);

// Percentile of a histogram holding range(0) values: a scan of the buckets,
// independent of how many values they hold.
void BM_HistogramPercentile(benchmark::State &state) {
    Histogram h = filled(size_t(state.range(0)));
    for (auto _ : state) benchmark::DoNotOptimize(h.percentile(99.0));
}
BENCHMARK(BM_HistogramPercentile)->Arg(1000)->Arg(1'000'000);

// The set a report prints: p50, p90, p99, p99.9, mean and stddev.
void BM_HistogramReportSet(benchmark::State &state) {
    Histogram h = filled(1'000'000);
    for (auto _ : state) {
        for (double p : {50.0, 90.0, 99.0, 99.9}) benchmark::DoNotOptimize(h.percentile(p));
        benchmark::DoNotOptimize(h.mean());
        benchmark::DoNotOptimize(h.stddev());
    }
}
BENCHMARK(BM_HistogramReportSet);

// Merging one flow's histogram into a total (per flow, per worker, per host).
void BM_HistogramMerge(benchmark::State &state) {
    Histogram a = filled(1'000'000), b = filled(1'000'000, 3);
    for (auto _ : state) {
        a.merge(b);
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(Histogram::kBuckets * sizeof(uint64_t)));
}
BENCHMARK(BM_HistogramMerge);

// The wire form of a histogram, and back (modern control protocol, JSON).
void BM_HistogramSparseRoundTrip(benchmark::State &state) {
    Histogram h = filled(1'000'000);
    for (auto _ : state) {
        Histogram r;
        benchmark::DoNotOptimize(r.assign(h.sparse(), h.min(), h.max(), h.sum(), h.sumsq()));
    }
}
BENCHMARK(BM_HistogramSparseRoundTrip);

}  // namespace

BENCHMARK_MAIN();
