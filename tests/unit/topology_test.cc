#include <netperf/topology.h>

#include <cstdlib>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <netperf/addr.h>

using namespace netperf;

namespace {

std::string data(const char *f) {
    const char *d = getenv("NETPERF_TEST_DATA");
    return std::string(d ? d : "tests/data") + "/" + f;
}

}  // namespace

TEST(Topology, XmlWithTwoNumaNodesAndNics) {
    auto t = Topology::from_xml(data("topology-2numa-2nic.xml"));
    EXPECT_EQ(t->pus().size(), 16u);
    EXPECT_EQ(t->numa_nodes(), 2);
    EXPECT_EQ(t->cores(), 8);
    EXPECT_FALSE(t->bindable());  // an XML topology is not this machine
    EXPECT_EQ(t->nic_numa("ens1f0"), 0);
    EXPECT_EQ(t->nic_numa("ens2f0"), 1);
    EXPECT_EQ(t->nic_numa("nope"), -1);
}

TEST(Topology, PicksWholeCoresNearTheNicFirst) {
    auto t = Topology::from_xml(data("topology-2numa-2nic.xml"));
    // NIC on node 1: its four cores (first PUs 8, 10, 12, 14) come first.
    EXPECT_EQ(t->pick(4, t->nic_numa("ens2f0")), (std::vector<int>{8, 10, 12, 14}));
    // Then the other node's cores, then hyperthread siblings.
    auto six = t->pick(6, 1);
    EXPECT_EQ(six[4], 0);
    EXPECT_EQ(six[5], 2);
    auto all = t->pick(16, 1);
    EXPECT_EQ(std::set<int>(all.begin(), all.end()).size(), 16u);
    EXPECT_EQ(all[8], 9);  // first sibling on the preferred node
}

TEST(Topology, NoPreferenceSpreadsOverCores) {
    auto t = Topology::synthetic("pack:2 numa:1 core:4 pu:2");
    EXPECT_EQ(t->pick(3), (std::vector<int>{0, 2, 4}));
    EXPECT_EQ(t->pick(20).size(), 20u);  // wraps around
}

TEST(Topology, ThisMachine) {
    auto t = Topology::this_machine();
    EXPECT_GE(t->pus().size(), 1u);
    EXPECT_TRUE(t->bindable());
    auto c = t->pick(2);
    EXPECT_EQ(c.size(), 2u);
}

TEST(Topology, InterfaceOfLoopback) {
    EXPECT_EQ(interface_of(resolve("127.0.0.1", 0, AF_INET)), "lo");
    EXPECT_EQ(interface_of(resolve("192.0.2.77", 0, AF_INET)), "");
}
