#include <netperf/cli.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <netinet/in.h>

#include "command_util.h"

using namespace netperf;

using command_util::parse;

TEST(Cli, DefaultsAreOmniStreamTenSeconds) {
    auto c = parse({});
    EXPECT_EQ(c.spec.test_name, "OMNI");
    EXPECT_EQ(c.spec.pattern, Pattern::Stream);
    EXPECT_EQ(c.spec.duration_s, 10);
    EXPECT_EQ(c.client.host, "localhost");
    EXPECT_EQ(c.client.port, 12865);
}

TEST(Cli, ClassicTestNames) {
    EXPECT_EQ(parse({"-t", "tcp_rr"}).spec.pattern, Pattern::RR);
    EXPECT_EQ(parse({"-t", "TCP_MAERTS"}).spec.pattern, Pattern::Maerts);
    EXPECT_EQ(parse({"-t", "TCP_CRR"}).spec.pattern, Pattern::CRR);
    EXPECT_EQ(parse({"-t", "TCP_CC"}).spec.pattern, Pattern::CC);
    auto u = parse({"-t", "UDP_RR"});
    EXPECT_EQ(u.spec.socktype, SOCK_DGRAM);
    EXPECT_EQ(u.spec.protocol, IPPROTO_UDP);
    auto d = parse({"-t", "DG_STREAM"});
    EXPECT_EQ(d.spec.family, AF_UNIX);
    EXPECT_EQ(d.spec.transport, "unix");
    EXPECT_TRUE(parse({"-t", "TCP_STREAM"}).migrated);
}

TEST(Cli, ConnectCloseSizes) {
    // 2.7's TCP_CC table prints -r's sizes (default 1) though no data moves.
    auto cc = parse({"-t", "TCP_CC"});
    EXPECT_EQ(cc.spec.request_size, 1);
    EXPECT_EQ(cc.spec.response_size, 1);
    cc = parse({"-t", "TCP_CC", "--", "-r", "64,32"});
    EXPECT_EQ(cc.spec.request_size, 64);
    EXPECT_EQ(cc.spec.response_size, 32);
    // The engine moves none.
    SidePlan p = plan_side(cc.spec, Role::Client, AF_INET);
    EXPECT_EQ(p.cfg.request_size, 0);
    EXPECT_EQ(p.cfg.response_size, 0);
    // An OMNI connect-only test reports no sizes.
    auto omni = parse({"-t", "OMNI", "--", "-c"});
    EXPECT_EQ(omni.spec.pattern, Pattern::CC);
    EXPECT_EQ(omni.spec.request_size, 0);
}

TEST(Cli, UnknownTestIsAnError) {
    try {
        parse({"-t", "FOO_BAR"});
        FAIL();
    } catch (const Error &e) {
        EXPECT_NE(std::string(e.what()).find("FOO_BAR"), std::string::npos);
    }
}

TEST(Cli, LengthTimedAndCounted) {
    EXPECT_EQ(parse({"-l", "3"}).spec.duration_s, 3);
    auto c = parse({"-l", "-5000", "-t", "TCP_RR"});
    EXPECT_EQ(c.spec.count, 5000);
    EXPECT_THROW(parse({"-l", "abc"}), UsageError);
}

TEST(Cli, PairsFollowBreakArgs) {
    std::string a, b;
    split_pair("5", a, b);
    EXPECT_EQ(a, "5");
    EXPECT_EQ(b, "5");
    split_pair("5,", a, b);
    EXPECT_EQ(b, "");
    split_pair(",7", a, b);
    EXPECT_EQ(a, "");
    EXPECT_EQ(b, "7");
    split_pair("5", a, b, true);
    EXPECT_EQ(b, "");
}

TEST(Cli, SizeSuffixes) {
    EXPECT_EQ(parse_size("4K", "-m"), 4096);
    EXPECT_EQ(parse_size("4k", "-m"), 4000);
    EXPECT_EQ(parse_size("1M", "-m"), 1 << 20);
    EXPECT_THROW(parse_size("4Q", "-m"), UsageError);
    EXPECT_THROW(parse_size("x", "-m"), UsageError);
}

TEST(Cli, TestOptions) {
    auto c = parse({"-t", "TCP_RR", "--", "-r", "64,128", "-D", "-b", "3", "-s", "64K", "-S", ",32K"});
    EXPECT_EQ(c.spec.request_size, 64);
    EXPECT_EQ(c.spec.response_size, 128);
    EXPECT_TRUE(c.spec.nodelay);
    EXPECT_EQ(c.spec.burst, 3);
    EXPECT_EQ(c.spec.sndbuf.local, 65536);
    EXPECT_EQ(c.spec.rcvbuf.local, 65536);
    EXPECT_EQ(c.spec.sndbuf.remote, -1);
    EXPECT_EQ(c.spec.rcvbuf.remote, 32768);
}

TEST(Cli, RecvSizeIsRemoteFirst) {
    auto c = parse({"--", "-M", "1000,2000"});
    EXPECT_EQ(c.spec.recv_size.remote, 1000);
    EXPECT_EQ(c.spec.recv_size.local, 2000);
}

TEST(Cli, OmniDirections) {
    EXPECT_EQ(parse({"-t", "OMNI", "--", "-d", "rr"}).spec.pattern, Pattern::RR);
    EXPECT_EQ(parse({"-t", "OMNI", "--", "-d", "recv"}).spec.pattern, Pattern::Maerts);
    EXPECT_EQ(parse({"-t", "OMNI", "--", "-d", "send|recv"}).spec.pattern, Pattern::RR);
    EXPECT_EQ(parse({"-t", "OMNI", "--", "-c", "-d", "rr"}).spec.pattern, Pattern::CRR);
    EXPECT_EQ(parse({"-t", "OMNI", "--", "-T", "udp", "-d", "rr"}).spec.socktype, SOCK_DGRAM);
    EXPECT_THROW(parse({"-t", "OMNI", "--", "-d", "sideways"}), UsageError);
}

TEST(Cli, UdpStreamDisallowsRoutingUnlessAsked) {
    EXPECT_FALSE(parse({"-t", "UDP_STREAM"}).spec.routing);
    EXPECT_TRUE(parse({"-t", "UDP_STREAM", "--", "-R", "1"}).spec.routing);
    EXPECT_TRUE(parse({"-t", "UDP_RR"}).spec.routing);
}

TEST(Cli, OmniOutputModesTakeOptionalLists) {
    auto c = parse({"--", "-k", "THROUGHPUT,P99_LATENCY"});
    EXPECT_EQ(c.omni_mode, OmniMode::KeyVal);
    EXPECT_EQ(c.omni_selection, "THROUGHPUT,P99_LATENCY");
    auto d = parse({"--", "-o"});
    EXPECT_EQ(d.omni_mode, OmniMode::Csv);
    EXPECT_EQ(d.omni_selection, "");
}

TEST(Cli, OptionalCpuRateOnlyTakesNumbers) {
    auto c = parse({"-c", "-C", "-l", "1"});
    EXPECT_TRUE(c.spec.measure_cpu.local);
    EXPECT_TRUE(c.spec.measure_cpu.remote);
    EXPECT_EQ(c.spec.duration_s, 1);
    auto d = parse({"-c", "100", "-l", "2"});
    EXPECT_TRUE(d.cpu_rate_given_local);
}

TEST(Cli, CpuBindingPairs) {
    auto c = parse({"-T", "1"});
    EXPECT_EQ(c.spec.cpu.local, 1);
    EXPECT_EQ(c.spec.cpu.remote, 1);
    auto d = parse({"-T", ",0"});
    EXPECT_EQ(d.spec.cpu.local, -1);
    EXPECT_EQ(d.spec.cpu.remote, 0);
}

TEST(Cli, ConfidenceClampsLikeNetperf) {
    auto c = parse({"-i", "50,1"});
    EXPECT_EQ(c.iter_max, 30);
    EXPECT_EQ(c.iter_min, 3);
    EXPECT_THROW(parse({"-I", "90,5"}), UsageError);
    auto d = parse({"-I", "95,10"});
    EXPECT_EQ(d.iter_max, 10);
    EXPECT_EQ(d.conf_level, 95);
    EXPECT_DOUBLE_EQ(d.conf_width, 10);
}

TEST(Cli, Pacing) {
    auto c = parse({"-w", "10m", "-b", "4"});
    EXPECT_EQ(c.spec.pace_interval_us.local, 10000);
    EXPECT_EQ(c.spec.pace_burst.local, 4);
    auto d = parse({"-b", "2"});
    EXPECT_EQ(d.spec.pace_interval_us.local, 1000);  // 1 ms when only -b is given
}

TEST(Cli, FlowsThreadsTransport) {
    auto c = parse({"--flows", "8", "--threads=2", "--transport", "null", "--transport-opt", "a=b"});
    EXPECT_EQ(c.spec.flows, 8);
    EXPECT_EQ(c.spec.threads, 2);
    EXPECT_EQ(c.spec.transport, "null");
    ASSERT_EQ(c.spec.transport_options.size(), 1u);
    EXPECT_EQ(c.spec.transport_options[0].second, "b");
    EXPECT_THROW(parse({"--flows", "0"}), UsageError);
    EXPECT_THROW(parse({"--transport-opt", "novalue"}), UsageError);
}

TEST(Cli, TransportPairs) {
    auto c = parse({"--transport", "uring,sockets", "--remote-transport-opt", "busy_poll=5"});
    EXPECT_EQ(c.spec.transport, "uring");
    EXPECT_EQ(c.spec.transport_of(true), "sockets");
    ASSERT_EQ(c.spec.transport_options_of(true).size(), 1u);
    auto d = parse({"--transport", "uring", "--transport-opt", "sqpoll=1"});
    EXPECT_EQ(d.spec.transport_of(true), "uring");
    EXPECT_EQ(d.spec.transport_options_of(true).size(), 1u);  // same transport: same options
    auto e = parse({"--transport", "uring,sockets", "--transport-opt", "sqpoll=1"});
    EXPECT_TRUE(e.spec.transport_options_of(true).empty());   // other transport: not uring's options
}

TEST(Cli, BadInputIsAUsageError) {
    EXPECT_THROW(parse({"-q"}), UsageError);
    EXPECT_THROW(parse({"--bogus"}), UsageError);
    EXPECT_THROW(parse({"-f", "z"}), UsageError);
    EXPECT_THROW(parse({"-p", "70000"}), UsageError);
    EXPECT_THROW(parse({"-t", "UDP_RR", "--", "-r", "70000"}), UsageError);
    EXPECT_THROW(parse({"-t", "TCP_RR", "--", "-Q"}), UsageError);
    EXPECT_THROW(parse({"-H"}), UsageError);
}

TEST(Cli, Ipv6DefaultsHost) {
    auto c = parse({"-6"});
    EXPECT_EQ(c.client.host, "::1");
    EXPECT_EQ(c.spec.family, AF_INET6);
}

// -Y as 2.7's parse_ipqos: DSCP/TOS names in any case (flent's rrul passes
// 0x hex, users pass EF or cs1), else C notation; "20" is decimal as in 2.7.
TEST(Cli, TosTakesNamesAndCNumbers) {
    auto c = parse({"-Y", "EF,cs1"});
    EXPECT_EQ(c.spec.tos.local, 0xb8);
    EXPECT_EQ(c.spec.tos.remote, 0x20);
    c = parse({"-Y", "AF41,lowdelay"});
    EXPECT_EQ(c.spec.tos.local, 0x88);
    EXPECT_EQ(c.spec.tos.remote, 0x10);
    c = parse({"-Y", "0xa0,20"});
    EXPECT_EQ(c.spec.tos.local, 0xa0);
    EXPECT_EQ(c.spec.tos.remote, 20);
    c = parse({"-Y", ",010"});
    EXPECT_EQ(c.spec.tos.local, -1);
    EXPECT_EQ(c.spec.tos.remote, 8);
    EXPECT_THROW(parse({"-Y", "ef2"}), UsageError);
    EXPECT_THROW(parse({"-Y", "256"}), UsageError);
    EXPECT_THROW(parse({"-Y", "-1"}), UsageError);
}
