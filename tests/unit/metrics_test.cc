#include <netperf/result.h>

#include <gtest/gtest.h>

using namespace netperf;

TEST(Metrics, UnitsAndConversions) {
    EXPECT_STREQ(units_name('m'), "10^6bits");
    EXPECT_STREQ(units_name('K'), "KBytes");
    EXPECT_DOUBLE_EQ(convert_rate(1e6, 'm'), 8.0);
    EXPECT_DOUBLE_EQ(convert_rate(1024, 'K'), 1.0);
    EXPECT_DOUBLE_EQ(convert_rate(1e9 / 8, 'g'), 1.0);
}

TEST(Metrics, StreamThroughputUsesWhatTheReceiverGot) {
    TestResult r;
    r.spec.pattern = Pattern::Stream;
    r.elapsed_s = 2;
    r.local.counters.bytes_sent = 2'000'000;
    r.remote.present = true;
    r.remote.counters.bytes_received = 1'000'000;
    Metrics m = compute_metrics(r, 'm');
    EXPECT_DOUBLE_EQ(m.throughput, 4.0);  // 1e6 bytes / 2 s = 4 Mbit/s
    EXPECT_EQ(m.units, "10^6bits/s");
}

TEST(Metrics, RequestResponse) {
    TestResult r;
    r.spec.pattern = Pattern::RR;
    r.spec.burst = 3;
    r.elapsed_s = 2;
    r.local.counters.transactions = 100000;
    Metrics m = compute_metrics(r, 'x');
    EXPECT_DOUBLE_EQ(m.throughput, 50000);
    EXPECT_EQ(m.units, "Trans/s");
    EXPECT_DOUBLE_EQ(m.rt_latency_us, 20.0 * 4);
}

TEST(Metrics, ServiceDemandPerTransaction) {
    TestResult r;
    r.spec.pattern = Pattern::RR;
    r.elapsed_s = 1;
    r.local.counters.transactions = 50000;
    r.local.cpu.measured = true;
    r.local.cpu.util = 50;
    r.local.cpu.num_cpus = 2;
    Metrics m = compute_metrics(r, 'x');
    EXPECT_NEAR(m.local_sd, 50 * 10000.0 / 50000 * 2, 1e-9);
    EXPECT_STREQ(m.sd_units, "usec/Tran");
    EXPECT_LT(m.remote_sd, 0);
}
