#include <netperf/cpu.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

using namespace netperf;

namespace {

std::string write_stat(const std::string &body) {
    char name[] = "/tmp/netperf-cpu-test-XXXXXX";
    int fd = mkstemp(name);
    close(fd);
    std::ofstream(name) << body;
    return name;
}

}  // namespace

TEST(Cpu, ParsesPerCpuLinesOnly) {
    auto p = write_stat(
        "cpu  10 0 10 80 0 0 0 0 0 0\n"
        "cpu0 5 0 5 40 0 0 0 0 0 0\n"
        "cpu1 5 0 5 40 0 0 0 0 0 0\n"
        "intr 123\n");
    auto v = read_proc_stat(p);
    ASSERT_EQ(v.size(), 2u);
    EXPECT_EQ(v[0].user, 5u);
    EXPECT_EQ(v[1].idle, 40u);
    remove(p.c_str());
}

TEST(Cpu, UtilisationIsHundredMinusIdleAveraged) {
    std::vector<CpuTicks> a(2), b(2);
    // CPU0: 100 ticks, 25 idle -> 75 %; CPU1: 100 ticks, 75 idle -> 25 %.
    b[0].user = 50;
    b[0].sys = 25;
    b[0].idle = 25;
    b[1].user = 20;
    b[1].softirq = 5;
    b[1].idle = 75;
    CpuUtil u = cpu_util_between(a, b);
    ASSERT_TRUE(u.measured);
    EXPECT_DOUBLE_EQ(u.util, 50.0);
    EXPECT_DOUBLE_EQ(u.user, 35.0);
    EXPECT_DOUBLE_EQ(u.system, 12.5);
    EXPECT_DOUBLE_EQ(u.softirq, 2.5);
    EXPECT_EQ(u.peak_cpu, 0);
    EXPECT_DOUBLE_EQ(u.peak_util, 75.0);
    EXPECT_EQ(u.num_cpus, 2);
}

TEST(Cpu, ServiceDemandMatchesNetperf) {
    // CLI.md 5.9: 12412.33 Mbit/s at 99.5 % on 2 CPUs -> 1.313 us/KB.
    double kb = 12412.33e6 / 8 / 1024 * 2.0;  // 2 s worth
    EXPECT_NEAR(service_demand(99.5, kb, 2.0, 2), 1.313, 0.001);
    EXPECT_LT(service_demand(-1, 1, 1, 1), 0);
}

TEST(Cpu, LiveMeterMeasures) {
    CpuMeter m;
    m.start();
    volatile double x = 0;
    for (int i = 0; i < 20000000; i++) x = x + 1;
    CpuUtil u = m.stop();
    EXPECT_TRUE(u.measured);
    EXPECT_GE(u.util, 0.0);
    EXPECT_LE(u.util, 100.0);
}
