// Benchmarks of the statistics engine (core/stats) over 10,000 samples, the
// size of a long run's per-interval results. Target: everything
// netperf-aggregate computes for one set compared with a baseline in under
// 10 ms (BM_AllStatistics).
//
//   ninja -C build-stats bench/stats_benchmark && build-stats/bench/stats_benchmark
//   build-stats/bench/stats_benchmark --benchmark_filter=AllStatistics
#include <algorithm>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include <netperf/significance.h>
#include <netperf/stats.h>
#include <netperf/stats_plot.h>

namespace {

using namespace netperf::stats;

constexpr size_t kSamples = 10'000;

// Throughput-like samples: normal around `mean` with a few slow outliers.
std::vector<double> samples(double mean, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(mean, mean * 0.02);
    std::vector<double> x(kSamples);
    for (size_t i = 0; i < x.size(); i++) x[i] = i % 997 == 0 ? mean * 0.7 : normal(rng);
    return x;
}

const std::vector<double> &current() {
    static const std::vector<double> x = samples(9500, 1);
    return x;
}

const std::vector<double> &baseline() {
    static const std::vector<double> x = samples(9600, 2);
    return x;
}

void BM_Describe(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(describe(current()));
}
BENCHMARK(BM_Describe)->Unit(benchmark::kMicrosecond);

void BM_Percentile(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(percentile(current(), 99));
}
BENCHMARK(BM_Percentile)->Unit(benchmark::kMicrosecond);

void BM_MeanCi(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(mean_ci(current(), 0.95));
}
BENCHMARK(BM_MeanCi)->Unit(benchmark::kMicrosecond);

// O(resamples * n): 10,000 samples with the given number of resamples.
void BM_BootstrapMeanCi(benchmark::State &state) {
    int resamples = int(state.range(0));
    for (auto _ : state) benchmark::DoNotOptimize(bootstrap_mean_ci(current(), 0.95, resamples, 1));
    state.SetItemsProcessed(state.iterations() * int64_t(kSamples) * resamples);
}
BENCHMARK(BM_BootstrapMeanCi)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

// The bootstrap's intended use: a small sample (30 runs), 10,000 resamples.
void BM_BootstrapSmallSample(benchmark::State &state) {
    std::vector<double> few(current().begin(), current().begin() + 30);
    for (auto _ : state) benchmark::DoNotOptimize(bootstrap_mean_ci(few, 0.95, 10'000, 1));
}
BENCHMARK(BM_BootstrapSmallSample)->Unit(benchmark::kMillisecond);

void BM_Outliers(benchmark::State &state) {
    auto method = OutlierMethod(state.range(0));
    state.SetLabel(outlier_method_name(method));
    for (auto _ : state) benchmark::DoNotOptimize(find_outliers(current(), method, true));
}
BENCHMARK(BM_Outliers)
    ->Arg(int(OutlierMethod::iqr))
    ->Arg(int(OutlierMethod::zscore))
    ->Arg(int(OutlierMethod::mad))
    ->Unit(benchmark::kMicrosecond);

const std::vector<double> &current_sorted() {
    static const std::vector<double> x = [] {
        std::vector<double> v = current();
        std::sort(v.begin(), v.end());
        return v;
    }();
    return x;
}

void BM_Sort(benchmark::State &state) {
    for (auto _ : state) {
        std::vector<double> v = current();
        std::sort(v.begin(), v.end());
        benchmark::DoNotOptimize(v.data());
    }
}
BENCHMARK(BM_Sort)->Unit(benchmark::kMicrosecond);

void BM_ShapiroWilk(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(shapiro_wilk(current()));
}
BENCHMARK(BM_ShapiroWilk)->Unit(benchmark::kMicrosecond);

// Sorted input skips the sort: what netperf-aggregate passes.
void BM_ShapiroWilkSorted(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(shapiro_wilk(current_sorted()));
}
BENCHMARK(BM_ShapiroWilkSorted)->Unit(benchmark::kMicrosecond);

void BM_WelchTTest(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(welch_t_test(current(), baseline()));
}
BENCHMARK(BM_WelchTTest)->Unit(benchmark::kMicrosecond);

void BM_MannWhitneyU(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(mann_whitney_u(current(), baseline()));
}
BENCHMARK(BM_MannWhitneyU)->Unit(benchmark::kMicrosecond);

// Exact p-value for 8 values against 10,000: the q-binomial recurrence.
void BM_MannWhitneyExactSmallVsLarge(benchmark::State &state) {
    std::vector<double> few(current().begin(), current().begin() + 8);
    for (auto _ : state) benchmark::DoNotOptimize(mann_whitney_u(few, baseline(), MannWhitneyMethod::exact));
}
BENCHMARK(BM_MannWhitneyExactSmallVsLarge)->Unit(benchmark::kMicrosecond);

void BM_Anova(benchmark::State &state) {
    std::vector<std::vector<double>> groups = {current(), baseline(), samples(9550, 3)};
    for (auto _ : state) benchmark::DoNotOptimize(one_way_anova(groups));
}
BENCHMARK(BM_Anova)->Unit(benchmark::kMicrosecond);

void BM_CompareToBaseline(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(compare_to_baseline(baseline(), current(), 0.95, Better::higher));
}
BENCHMARK(BM_CompareToBaseline)->Unit(benchmark::kMicrosecond);

void BM_RenderHistogram(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(render_histogram(current(), 0, 40));
}
BENCHMARK(BM_RenderHistogram)->Unit(benchmark::kMicrosecond);

void BM_RenderBoxPlot(benchmark::State &state) {
    for (auto _ : state) benchmark::DoNotOptimize(render_box_plot(current(), 60));
}
BENCHMARK(BM_RenderBoxPlot)->Unit(benchmark::kMicrosecond);

// What netperf-aggregate computes for a current set of 10,000 values
// against a baseline of 10,000, the way it does: outliers on the values in
// file order, one sort of what is kept, then describe, percentiles, the t
// interval, Shapiro-Wilk, histogram and box plot on the sorted values, and
// the comparison (Welch, Mann-Whitney, Cohen's d). Arg = bootstrap resamples
// per set (0 = off, the tool's default; the bootstrap is O(resamples * n)).
void BM_AllStatistics(benchmark::State &state) {
    int resamples = int(state.range(0));
    auto one_set = [&](const std::vector<double> &x) {
        OutlierReport o = find_outliers(x, OutlierMethod::iqr, true);
        std::vector<double> sorted = o.kept;
        std::sort(sorted.begin(), sorted.end());
        benchmark::DoNotOptimize(describe(sorted));
        for (double p : {1.0, 5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0, 99.0})
            benchmark::DoNotOptimize(percentile_sorted(sorted, p));
        benchmark::DoNotOptimize(mean_ci(sorted, 0.95));
        if (resamples > 0) benchmark::DoNotOptimize(bootstrap_mean_ci(o.kept, 0.95, resamples, 1));
        benchmark::DoNotOptimize(shapiro_wilk(sorted));
        benchmark::DoNotOptimize(render_histogram(sorted, 0, 40));
        benchmark::DoNotOptimize(render_box_plot(sorted, 60));
        return sorted;
    };
    for (auto _ : state) {
        std::vector<double> base = one_set(baseline()), cur = one_set(current());
        benchmark::DoNotOptimize(compare_to_baseline(base, cur, 0.95, Better::higher));
    }
}
BENCHMARK(BM_AllStatistics)->Arg(0)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
