// netperf-multi's aggregate: percentiles from merged histograms, the
// transaction-weighted mean, failed instances counted and named, machine
// CPU split between concurrent instances, and the writers' view of a run.
#include <gtest/gtest.h>

#include <netperf/multi.h>
#include <netperf/report.h>

using namespace netperf;

namespace {

// A finished TCP_RR instance: `trans` transactions of `lat_ns` each over 1 s.
InstanceResult rr(const std::string &name, const std::string &host, uint64_t trans, uint64_t lat_ns) {
    InstanceResult i;
    i.name = name;
    i.host = host;
    i.ok = true;
    i.attempts = 1;
    TestResult &r = i.result;
    r.spec.test_name = "TCP_RR";
    r.spec.pattern = Pattern::RR;
    r.elapsed_s = 1.0;
    r.local.present = r.remote.present = true;
    r.local.counters.transactions = trans;
    r.local.counters.bytes_sent = r.local.counters.bytes_received = trans;
    r.remote.counters.transactions = trans;
    for (uint64_t k = 0; k < trans; k++) r.local.latency.record(lat_ns);
    r.synchronized = true;
    r.local_start_ns = 1000000;
    r.remote_start_ns = 1000000;
    i.metrics = compute_metrics(r, 'x');
    return i;
}

void cpu(InstanceResult &i, double local, double remote) {
    i.result.local.cpu.measured = i.result.remote.cpu.measured = true;
    i.result.local.cpu.util = local;
    i.result.remote.cpu.util = remote;
    i.result.local.cpu.num_cpus = i.result.remote.cpu.num_cpus = 2;
    i.metrics = compute_metrics(i.result, 'x');
}

}  // namespace

TEST(MultiAggregate, PercentilesComeFromMergedHistograms) {
    // 99 % of all transactions take 10 us, 1 % take 1000 us: the merged p99
    // is 10 us.  Averaging the instances' p99 (10 and 1000) would say 505.
    std::vector<InstanceResult> v{rr("fast", "h", 9900, 10000), rr("slow", "h", 100, 1000000)};
    MultiAggregate a = aggregate_instances(v, 'x');
    EXPECT_NEAR(a.p50_us, 10.0, 10.0 / 64);
    EXPECT_NEAR(a.p99_us, 10.0, 10.0 / 64);
    EXPECT_NEAR(a.p999_us, 1000.0, 1000.0 / 64);
    // Transaction-weighted mean: (9900 * 10 + 100 * 1000) / 10000 = 19.9 us.
    EXPECT_NEAR(a.mean_latency_us, 19.9, 0.2);
    EXPECT_EQ(a.latency.count(), 10000u);
    EXPECT_DOUBLE_EQ(a.throughput, 10000.0);
    EXPECT_EQ(a.min_instance, "slow");
    EXPECT_EQ(a.max_instance, "fast");
}

TEST(MultiAggregate, FailedInstancesAreCountedAndNamed) {
    InstanceResult bad;
    bad.name = "broken";
    bad.host = "h";
    bad.attempts = 3;
    bad.error = "connect refused";
    std::vector<InstanceResult> v{rr("a", "h", 1000, 50000), bad};
    MultiAggregate a = aggregate_instances(v, 'x');
    EXPECT_EQ(a.instances, 2);
    EXPECT_EQ(a.failed, 1);
    ASSERT_EQ(a.failed_names.size(), 1u);
    EXPECT_EQ(a.failed_names[0], "broken");
    EXPECT_DOUBLE_EQ(a.throughput, 1000.0);
    EXPECT_TRUE(a.synchronized);  // of the instances that ran

    // Every writer names it; the aggregate row is the one that ran.
    MultiResult r{v, a, 'x'};
    std::string csv = report_to_csv(multi_report(r, "netperf-multi --config x"), false);
    EXPECT_NE(csv.find("\r\nfailed,broken,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\nresult,a,"), std::string::npos) << csv;
    EXPECT_NE(csv.find("\r\nresult,aggregate,"), std::string::npos) << csv;
    std::string kv = report_to_keyval(multi_report(r, ""));
    EXPECT_NE(kv.find("BROKEN_FAILED=1\n"), std::string::npos) << kv;
    EXPECT_NE(kv.find("AGGREGATE_THROUGHPUT=1000\n"), std::string::npos) << kv;
}

TEST(MultiAggregate, MachineCpuIsSplitNotCountedPerInstance) {
    // Both instances saw the same 40 % of this host and of server h1; one
    // moved three times the transactions of the other.
    std::vector<InstanceResult> v{rr("small", "h1", 1000, 50000), rr("big", "h1", 3000, 50000)};
    cpu(v[0], 40, 40);
    cpu(v[1], 40, 40);
    MultiAggregate a = aggregate_instances(v, 'x');
    EXPECT_DOUBLE_EQ(a.local_cpu, 40.0);  // machine-wide: averaged, not added
    // 40 % of 2 CPUs for 1 s = 0.8 CPU s over 4000 transactions = 200 us/Tran.
    EXPECT_NEAR(a.local_sd, 200.0, 1e-9);
    EXPECT_NEAR(a.remote_sd, 200.0, 1e-9);
    EXPECT_NEAR(v[0].local_cpu_share, 0.25, 1e-12);
    EXPECT_NEAR(v[1].local_cpu_share, 0.75, 1e-12);
    EXPECT_NEAR(v[0].local_cpu_charged + v[1].local_cpu_charged, 40.0, 1e-9);
    // Same test: each instance's service demand is the aggregate's, not
    // the whole machine's CPU charged to its own work (800 and 267 us/Tran).
    EXPECT_NEAR(v[0].metrics.local_sd, 200.0, 1e-9);
    EXPECT_NEAR(v[1].metrics.local_sd, 200.0, 1e-9);
    EXPECT_NEAR(v[1].metrics.remote_sd, 200.0, 1e-9);
    // The writers print the charged CPU for an instance.
    EXPECT_NEAR(charged_result(v[0]).local.cpu.util, 10.0, 1e-9);
    Report rep = instance_report(v[1], 'x', "");
    EXPECT_NEAR(rep.directions[0].metrics.local_sd, 200.0, 1e-9);
}

TEST(MultiAggregate, ServersCpuIsAddedAcrossMachines) {
    // Two servers, each 50 % busy (2 CPUs, 1 s): 2 CPU s of server time over
    // 2000 transactions = 1000 us/Tran; this host's CPU is shared as above.
    std::vector<InstanceResult> v{rr("a", "h1", 1000, 50000), rr("b", "h2", 1000, 50000)};
    cpu(v[0], 20, 50);
    cpu(v[1], 20, 50);
    MultiAggregate a = aggregate_instances(v, 'x');
    EXPECT_EQ(a.remote_hosts, 2);
    EXPECT_DOUBLE_EQ(a.remote_cpu, 50.0);
    EXPECT_NEAR(a.remote_sd, 1000.0, 1e-9);
    EXPECT_NEAR(a.local_sd, 200.0, 1e-9);
    // Alone on its server, an instance carries all of that server's CPU.
    EXPECT_NEAR(v[0].remote_cpu_share, 1.0, 1e-12);
    EXPECT_NEAR(v[0].metrics.remote_sd, 1000.0, 1e-9);
}

TEST(MultiAggregate, SkewSaysWhichEndsItCameFrom) {
    std::vector<InstanceResult> v{rr("a", "h", 10, 1000), rr("b", "h", 10, 1000)};
    v[1].result.local_start_ns = 1000000 + 300000;
    MultiAggregate a = aggregate_instances(v, 'x');
    EXPECT_NEAR(a.start_skew_us, 300.0, 1e-9);
    EXPECT_TRUE(a.skew_both_ends);
    // A netperf 2.x server cannot say when it started: this host's ends only.
    v[1].result.remote_start_ns = 0;
    v[1].result.synchronized = false;
    a = aggregate_instances(v, 'x');
    EXPECT_FALSE(a.skew_both_ends);
    EXPECT_FALSE(a.synchronized);
}
