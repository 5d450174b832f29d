#include <netperf/histogram.h>

#include <algorithm>
#include <cmath>

namespace netperf {

uint64_t Histogram::bucket_lower(size_t idx) {
    if (idx < kSub) return idx;
    uint64_t rel = idx - kSub;
    int group = int(rel / (kSub / 2)) + 1;
    uint64_t mant = rel % (kSub / 2) + kSub / 2;
    return mant << group;
}

uint64_t Histogram::bucket_upper(size_t idx) {
    if (idx < kSub) return idx + 1;
    uint64_t rel = idx - kSub;
    int group = int(rel / (kSub / 2)) + 1;
    return bucket_lower(idx) + (1ull << group);
}

void Histogram::merge(const Histogram &o) {
    for (size_t i = 0; i < kBuckets; i++) counts_[i] += o.counts_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    sumsq_ += o.sumsq_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
}

void Histogram::reset() { *this = Histogram(); }

double Histogram::stddev() const {
    if (count_ == 0) return 0.0;
    double m = mean();
    double var = sumsq_ / double(count_) - m * m;
    return var > 0 ? std::sqrt(var) : 0.0;
}

double Histogram::percentile(double p) const {
    if (count_ == 0) return 0.0;
    if (p <= 0) return double(min());
    if (p >= 100) return double(max_);
    // rank in [1, count]: the smallest value with at least p% at or below it.
    double rank = p / 100.0 * double(count_);
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; i++) {
        uint64_t c = counts_[i];
        if (!c) continue;
        if (double(seen + c) >= rank) {
            double lo = double(bucket_lower(i)), hi = double(bucket_upper(i));
            double v = lo + (hi - lo) * ((rank - double(seen)) / double(c));
            if (i < kSub) v = lo;  // exact buckets hold exactly one value
            return std::clamp(v, double(min()), double(max_));
        }
        seen += c;
    }
    return double(max_);
}

std::vector<std::pair<uint32_t, uint64_t>> Histogram::sparse() const {
    std::vector<std::pair<uint32_t, uint64_t>> out;
    for (size_t i = 0; i < kBuckets; i++)
        if (counts_[i]) out.emplace_back(uint32_t(i), counts_[i]);
    return out;
}

bool Histogram::assign(const std::vector<std::pair<uint32_t, uint64_t>> &buckets, uint64_t min,
                       uint64_t max, uint64_t sum, double sumsq) {
    reset();
    for (auto [idx, c] : buckets) {
        if (idx >= kBuckets) return false;
        counts_[idx] += c;
        count_ += c;
    }
    if (count_) {
        min_ = min;
        max_ = max;
    }
    sum_ = sum;
    sumsq_ = sumsq;
    return true;
}

}  // namespace netperf
