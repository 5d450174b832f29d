// Latency histogram: log-linear buckets over nanoseconds, exact min/max/sum.
//
// Values below 128 ns have a bucket each; above, every power of two is split
// into 64 buckets, so a bucket is at most 1/64 (1.6 %) of its value wide.
// Histograms merge by adding bucket counts, so a per-worker histogram can be
// combined across workers, processes and hosts without losing percentiles
// (averaging percentiles is wrong; merging buckets is not).
//
//   netperf::Histogram h;
//   h.record(17'250);               // one 17.25 us transaction
//   double p99 = h.percentile(99.0); // nanoseconds
#ifndef NETPERF_HISTOGRAM_H
#define NETPERF_HISTOGRAM_H

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace netperf {

class Histogram {
  public:
    static constexpr int kSubBits = 7;                  // 128 exact low buckets
    static constexpr uint64_t kSub = 1ull << kSubBits;  // 128
    static constexpr int kMaxBits = 44;                 // values up to 2^44 ns (~4.9 h)
    static constexpr int kGroups = kMaxBits - kSubBits + 1;
    static constexpr size_t kBuckets = kSub + (kGroups - 1) * (kSub / 2);

    // Records one value in nanoseconds (larger values are clamped).
    void record(uint64_t ns) {
        if (ns >= (1ull << kMaxBits)) ns = (1ull << kMaxBits) - 1;
        counts_[bucket_of(ns)]++;
        count_++;
        sum_ += ns;
        sumsq_ += double(ns) * double(ns);
        if (ns < min_) min_ = ns;
        if (ns > max_) max_ = ns;
    }

    // Adds every count of other to this one.
    void merge(const Histogram &other);
    void reset();

    uint64_t count() const { return count_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ ? double(sum_) / double(count_) : 0.0; }
    // Population standard deviation (netperf 2.7 reports this one).
    double stddev() const;
    // The p-th percentile (0 < p <= 100) in ns, interpolated linearly inside
    // the bucket that holds the rank, clamped to [min, max].
    double percentile(double p) const;

    // Bucket index of a value, and the value range [lower, upper) of a bucket.
    static size_t bucket_of(uint64_t ns) {
        if (ns < kSub) return size_t(ns);
        int msb = 63 - __builtin_clzll(ns);
        int group = msb - kSubBits + 1;  // >= 1
        return size_t(kSub + uint64_t(group - 1) * (kSub / 2) + ((ns >> group) - kSub / 2));
    }
    static uint64_t bucket_lower(size_t idx);
    static uint64_t bucket_upper(size_t idx);

    // Sparse form for the wire: (bucket, count) pairs of non-empty buckets.
    std::vector<std::pair<uint32_t, uint64_t>> sparse() const;
    // Rebuilds from the sparse form plus exact summaries; false if a bucket
    // index is out of range.
    bool assign(const std::vector<std::pair<uint32_t, uint64_t>> &buckets, uint64_t min,
                uint64_t max, uint64_t sum, double sumsq);
    uint64_t sum() const { return sum_; }
    double sumsq() const { return sumsq_; }
    uint64_t bucket_count(size_t idx) const { return counts_[idx]; }

  private:
    std::array<uint64_t, kBuckets> counts_{};
    uint64_t count_ = 0;
    uint64_t sum_ = 0;
    double sumsq_ = 0;
    uint64_t min_ = UINT64_MAX;
    uint64_t max_ = 0;
};

}  // namespace netperf

#endif
