#include <netperf/histogram.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include <gtest/gtest.h>

using netperf::Histogram;

TEST(Histogram, EmptyIsZero) {
    Histogram h;
    EXPECT_EQ(h.count(), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.percentile(50), 0.0);
    EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, BucketBoundsContainTheirValues) {
    for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 129ull, 1000ull, 65535ull, 1ull << 30, (1ull << 44) - 1}) {
        size_t b = Histogram::bucket_of(v);
        ASSERT_LT(b, Histogram::kBuckets) << v;
        EXPECT_LE(Histogram::bucket_lower(b), v) << v;
        EXPECT_GT(Histogram::bucket_upper(b), v) << v;
    }
}

TEST(Histogram, BucketsAreContiguousAndNarrow) {
    for (size_t b = 1; b < Histogram::kBuckets; b++) {
        EXPECT_EQ(Histogram::bucket_lower(b), Histogram::bucket_upper(b - 1)) << b;
        double lo = double(Histogram::bucket_lower(b));
        double width = double(Histogram::bucket_upper(b) - Histogram::bucket_lower(b));
        if (lo >= 128) EXPECT_LE(width / lo, 1.0 / 64 + 1e-12) << b;
    }
}

TEST(Histogram, ExactSummaries) {
    Histogram h;
    for (uint64_t v : {10, 20, 30, 40}) h.record(v);
    EXPECT_EQ(h.count(), 4u);
    EXPECT_EQ(h.min(), 10u);
    EXPECT_EQ(h.max(), 40u);
    EXPECT_DOUBLE_EQ(h.mean(), 25.0);
    EXPECT_NEAR(h.stddev(), std::sqrt(125.0), 1e-9);
}

TEST(Histogram, PercentilesWithinBucketPrecision) {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> d(10.0, 1.0);
    std::vector<uint64_t> v;
    Histogram h;
    for (int i = 0; i < 100000; i++) {
        uint64_t x = uint64_t(d(rng));
        v.push_back(x);
        h.record(x);
    }
    std::sort(v.begin(), v.end());
    for (double p : {50.0, 90.0, 99.0, 99.9}) {
        double exact = double(v[size_t(std::ceil(p / 100 * double(v.size()))) - 1]);
        EXPECT_NEAR(h.percentile(p), exact, exact * 0.02) << "p" << p;
    }
}

TEST(Histogram, MergeEqualsRecordingEverything) {
    Histogram a, b, all;
    for (uint64_t i = 1; i < 5000; i++) {
        (i % 3 ? a : b).record(i * 37);
        all.record(i * 37);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_EQ(a.min(), all.min());
    EXPECT_EQ(a.max(), all.max());
    EXPECT_EQ(a.sum(), all.sum());
    for (double p : {1.0, 50.0, 99.0}) EXPECT_DOUBLE_EQ(a.percentile(p), all.percentile(p));
}

TEST(Histogram, SparseRoundTrip) {
    Histogram h, g;
    for (uint64_t i = 0; i < 1000; i++) h.record(i * i);
    ASSERT_TRUE(g.assign(h.sparse(), h.min(), h.max(), h.sum(), h.sumsq()));
    EXPECT_EQ(g.count(), h.count());
    EXPECT_DOUBLE_EQ(g.percentile(90), h.percentile(90));
    EXPECT_DOUBLE_EQ(g.stddev(), h.stddev());
}

TEST(Histogram, AssignRejectsBadIndex) {
    Histogram g;
    EXPECT_FALSE(g.assign({{uint32_t(Histogram::kBuckets), 1}}, 0, 0, 0, 0));
}

TEST(Histogram, HugeValuesAreClamped) {
    Histogram h;
    h.record(UINT64_MAX);
    EXPECT_EQ(h.count(), 1u);
    EXPECT_LT(Histogram::bucket_of(h.max()), Histogram::kBuckets);
}
