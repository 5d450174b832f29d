#include <netperf/confidence.h>

#include <cmath>

#include <gtest/gtest.h>

using namespace netperf;

TEST(Confidence, StudentTMatchesTables) {
    // Two-sided critical values from any t table.
    EXPECT_NEAR(student_t_critical(95, 1), 12.706, 1e-3);
    EXPECT_NEAR(student_t_critical(95, 10), 2.228, 1e-3);
    EXPECT_NEAR(student_t_critical(99, 2), 9.925, 1e-3);
    EXPECT_NEAR(student_t_critical(99, 30), 2.750, 1e-3);
}

TEST(Confidence, IdenticalResultsAreConfident) {
    ConfidenceTracker c(99, 5, false);
    c.add(100, -1, -1);
    EXPECT_FALSE(c.done(3, 10));
    c.add(100, -1, -1);
    c.add(100, -1, -1);
    EXPECT_TRUE(c.achieved());
    EXPECT_TRUE(c.done(3, 10));
    EXPECT_DOUBLE_EQ(c.throughput_width(), 0);
}

TEST(Confidence, NetperfWidthFormula) {
    // n = 3, values 90, 100, 110: popvar = 66.67, mean 100.
    ConfidenceTracker c(95, 5, true);
    c.add(90, -1, -1);
    c.add(100, -1, -1);
    c.add(110, -1, -1);
    double expect = 100 * 2 * student_t_critical(95, 2) * std::sqrt((200.0 / 3) / 2) / 100;
    EXPECT_NEAR(c.throughput_width(), expect, 1e-9);
    EXPECT_FALSE(c.achieved());
    EXPECT_FALSE(c.done(3, 10));
    EXPECT_TRUE(c.done(3, 3));
    EXPECT_DOUBLE_EQ(c.mean_throughput(), 100);
}

TEST(Confidence, CpuCountsUnlessThroughputOnly) {
    ConfidenceTracker both(99, 5, false), tput(99, 5, true);
    for (double cpu : {10.0, 50.0, 90.0}) {
        both.add(100, cpu, -1);
        tput.add(100, cpu, -1);
    }
    EXPECT_FALSE(both.achieved());
    EXPECT_TRUE(tput.achieved());
}
