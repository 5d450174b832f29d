// The engine on the null transport (no I/O: the engine alone) and on
// loopback sockets with both sides in this process.
#include <netperf/addr.h>
#include <netperf/engine.h>
#include <netperf/session.h>

#include "engine_pair.h"
#include "plugin_test_util.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include <dlfcn.h>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace netperf;

namespace {

const Transport &transport(const char *name) {
    static auto null_t = load_transport("null");
    static auto sock_t = load_transport("sockets");
    return std::string(name) == "null" ? *null_t : *sock_t;
}

EngineConfig null_cfg(Action a) {
    EngineConfig c;
    c.action = a;
    c.duration_s = 0;
    c.request_size = c.response_size = 1;
    c.send_size = c.recv_size = 1024;
    return c;
}

RunResult run_null(EngineConfig c, std::vector<np_endpoint_spec> specs = {}) {
    netperf::Run r(transport("null"), c);
    if (specs.empty()) {
        np_endpoint_spec s{};
        s.struct_size = sizeof s;
        s.family = AF_INET;
        s.socktype = SOCK_STREAM;
        specs.assign(size_t(c.flows), s);
    }
    r.set_connect_specs(specs);
    r.start(now_ns());
    EXPECT_TRUE(r.wait(20000));
    return r.result();
}

}  // namespace

TEST(EngineNull, CountedRequestResponseIsExact) {
    auto c = null_cfg(Action::RRClient);
    c.count = 1000;
    RunResult r = run_null(c);
    EXPECT_EQ(r.total.transactions, 1000u);
    EXPECT_EQ(r.total.bytes_sent, 1000u);
    EXPECT_EQ(r.total.bytes_received, 1000u);
    EXPECT_EQ(r.latency.count(), 1000u);
    EXPECT_EQ(r.error, "");
}

TEST(EngineNull, CountSplitsAcrossFlowsAndWorkers) {
    auto c = null_cfg(Action::RRClient);
    c.count = 1003;
    c.flows = 4;
    c.threads = 2;
    RunResult r = run_null(c);
    EXPECT_EQ(r.total.transactions, 1003u);
    ASSERT_EQ(r.flows.size(), 4u);
    EXPECT_EQ(r.flows[0].counters.transactions, 251u);
    EXPECT_EQ(r.flows[3].counters.transactions, 250u);
    EXPECT_NE(r.flows[0].worker, r.flows[1].worker);
}

TEST(EngineNull, CountedStreamSendsWholeMessages) {
    auto c = null_cfg(Action::SendStream);
    c.count = 1024 * 100;
    RunResult r = run_null(c);
    EXPECT_EQ(r.total.bytes_sent, 1024u * 100);
    EXPECT_EQ(r.total.send_calls, 100u);
}

TEST(EngineNull, TimedRunEndsOnTime) {
    auto c = null_cfg(Action::RRClient);
    c.duration_s = 0.3;
    auto t0 = std::chrono::steady_clock::now();
    RunResult r = run_null(c);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_GT(r.total.transactions, 0u);
    EXPECT_GE(r.elapsed_s, 0.29);
    EXPECT_LT(took, 1.0);
}

TEST(EngineNull, BurstKeepsTransactionsInFlight) {
    auto c = null_cfg(Action::RRClient);
    c.count = 500;
    c.burst = 7;
    RunResult r = run_null(c);
    EXPECT_EQ(r.total.transactions, 500u);
}

TEST(EngineNull, ConnectTestsCountConnections) {
    auto c = null_cfg(Action::ConnectClient);
    c.count = 200;
    RunResult r = run_null(c);
    EXPECT_EQ(r.total.transactions, 200u);
    EXPECT_EQ(r.total.connects, 200u);
}

TEST(EngineNull, PacingLimitsTheRate) {
    auto c = null_cfg(Action::RRClient);
    c.duration_s = 0.5;
    c.pace_interval_us = 10000;  // 10 ms
    c.pace_burst = 2;            // 2 per interval = 200/s
    RunResult r = run_null(c);
    // The limit is the property: never more than 2 per 10 ms (+1 interval of
    // slack).  Below it, a loaded machine may wake the worker late.
    EXPECT_LE(r.total.transactions, 104u);
    EXPECT_GE(r.total.transactions, 10u);
}

TEST(EngineNull, StopIsHonouredPromptly) {
    auto c = null_cfg(Action::SendStream);
    c.duration_s = 60;
    netperf::Run r(transport("null"), c);
    np_endpoint_spec s{};
    s.struct_size = sizeof s;
    s.family = AF_INET;
    s.socktype = SOCK_STREAM;
    r.set_connect_specs({s});
    r.start(now_ns());
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r.stop();
    EXPECT_TRUE(r.wait(2000));
    EXPECT_GT(r.result().total.bytes_sent, 0u);
}

// ---- a blocking worker and a peer that never answers ----------------------------
// One flow per worker: the sockets transport makes plain blocking calls and
// only the engine's slice signal (NP_CTX_TICK) gets the worker out of them.

namespace {

// A TCP listener on 127.0.0.1 that never accepts; with `fill`, its accept
// queue (backlog 0: one connection) is taken, so later SYNs are dropped and
// a connect to it blocks.
struct SilentListener {
    int fd = -1, filler = -1;
    sockaddr_storage addr{};
    explicit SilentListener(bool fill) {
        fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        addr = resolve("127.0.0.1", 0, AF_INET);
        EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr *>(&addr), sockaddr_len(addr)), 0);
        EXPECT_EQ(listen(fd, 0), 0);
        socklen_t l = sizeof addr;
        getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &l);
        if (fill) {
            filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            EXPECT_EQ(connect(filler, reinterpret_cast<sockaddr *>(&addr), sockaddr_len(addr)), 0);
        }
    }
    ~SilentListener() {
        if (filler >= 0) close(filler);
        close(fd);
    }
};

// A TCP endpoint on IPv4 with the system's defaults.
np_endpoint_spec tcp_spec() { return plugin_test::default_spec(AF_INET, SOCK_STREAM, IPPROTO_TCP); }

RunResult run_against(const SilentListener &peer, Action a) {
    EngineConfig c = null_cfg(a);
    c.duration_s = 0.3;
    c.grace_s = 0.5;
    np_endpoint_spec s = tcp_spec();
    s.remote = peer.addr;
    s.remote_len = sockaddr_len(peer.addr);
    netperf::Run r(transport("sockets"), c);
    r.set_connect_specs({s});
    r.start(now_ns());
    EXPECT_TRUE(r.wait(5000)) << "the worker is stuck in a blocking call";
    return r.result();
}

}  // namespace

// The request goes out, the response never comes: the blocked recv is
// interrupted and the flow is abandoned at the hard deadline.
TEST(EngineBlocking, UnansweredRequestEndsAtTheHardDeadline) {
    SilentListener peer(false);
    RunResult r = run_against(peer, Action::RRClient);
    EXPECT_EQ(r.total.transactions, 0u);
    EXPECT_EQ(r.total.bytes_sent, 1u);
    EXPECT_TRUE(r.flows[0].timed_out);
    EXPECT_LT(r.elapsed_s, 0.3 + 0.5 + 0.2);
}

// A connect whose SYN is dropped blocks; at the deadline the connect in
// flight is dropped (TCP_CRR must not overrun -l).
TEST(EngineBlocking, StuckConnectEndsAtTheDeadline) {
    SilentListener peer(true);
    RunResult r = run_against(peer, Action::ConnectClient);
    EXPECT_EQ(r.total.transactions, 0u);
    EXPECT_LT(r.elapsed_s, 0.3 + 0.2);
}

// A receiving client (TCP_MAERTS) whose connect never completes ends at the
// deadline with an error, not with a silent zero.
TEST(EngineBlocking, ReceiverThatNeverConnectedSaysSo) {
    SilentListener peer(true);
    RunResult r = run_against(peer, Action::RecvStream);
    EXPECT_EQ(r.total.bytes_received, 0u);
    EXPECT_NE(r.flows[0].error.find("not established"), std::string::npos) << r.flows[0].error;
    EXPECT_LT(r.elapsed_s, 0.3 + 0.2);
}

// netperf 2.7's TCP_MAERTS receiver ends the stream on its own timer.  A
// sender with peer_ends_first stops at its deadline but leaves the end of
// the stream to the receiver, then closes; without it, its end of stream
// can reach a 2.7 netperf just before that timer ("catcher: timer popped").
TEST(EngineEnd, PeerEndsTheStreamFirst) {
    EngineConfig c = null_cfg(Action::SendStream);
    c.server = true;
    c.duration_s = 0.3;
    c.grace_s = 2;
    c.send_size = 16384;
    c.peer_ends_first = true;
    np_endpoint_spec s = tcp_spec();
    s.local = resolve("127.0.0.1", 0, AF_INET);
    s.local_len = sockaddr_len(s.local);
    netperf::Run server(transport("sockets"), c);
    sockaddr_storage addr = server.listen({s}).at(0);
    const uint64_t t0 = now_ns();
    server.start(t0);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr *>(&addr), sockaddr_len(addr)), 0);
    timeval tv{0, 50000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static char buf[65536];
    // Read past the sender's deadline: data, then silence, never an EOF.
    bool eof = false;
    uint64_t got = 0;
    while (now_ns() < t0 + 600000000ull && !eof) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) got += uint64_t(n);
        eof = n == 0;
    }
    EXPECT_FALSE(eof) << "the sender ended the stream before its peer";
    EXPECT_GT(got, 0u);
    // Our end of the stream: the sender closes, and is done.
    shutdown(fd, SHUT_WR);
    ssize_t n;
    uint64_t until = now_ns() + 2000000000ull;
    while ((n = recv(fd, buf, sizeof buf, 0)) != 0 && now_ns() < until) {
    }
    EXPECT_EQ(n, 0) << "no end of stream after ours";
    close(fd);
    EXPECT_TRUE(server.wait(2000));
    RunResult r = server.result();
    EXPECT_EQ(r.error, "");
    EXPECT_EQ(r.total.bytes_sent, got);
    EXPECT_FALSE(r.flows.at(0).timed_out);
}

// Both sides on loopback sockets: the data-path end-of-test rules.
// The end of a flow must carry out its CLOSE even when the peer's EOF
// arrives in the very pass in which the deadline passes.  The "lazy" test
// transport runs ops only inside reap (as blocking sockets do) and reports
// EOF from the deadline on; a deadline hook that took the flow's missing
// endpoint for "never connected" ended the worker with the CLOSE still
// staged, so a real peer waited for the EOF until its hard deadline.
class EngineEndAtDeadline : public ::testing::TestWithParam<Action> {};

TEST_P(EngineEndAtDeadline, TheCloseIsCarriedOut) {
    const char *dir = getenv("NETPERF_TEST_PLUGIN_DIR");
    std::string path = std::string(dir ? dir : ".") + "/np-transport-lazy.so";
    auto lazy = Transport::open(path);
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD);
    ASSERT_NE(h, nullptr) << dlerror();
    auto open_connections = reinterpret_cast<int (*)()>(dlsym(h, "np_test_lazy_open_connections"));
    ASSERT_NE(open_connections, nullptr);

    EngineConfig c = null_cfg(GetParam());
    c.duration_s = 0.2;
    c.server = GetParam() != Action::ConnectClient;
    uint64_t start = now_ns() + 20000000;
    uint64_t deadline = start + uint64_t(c.duration_s * 1e9);
    c.transport_options = {{"eof_at", std::to_string(deadline)}};
    {
        netperf::Run r(*lazy, c);
        np_endpoint_spec s{};
        s.struct_size = sizeof s;
        s.family = AF_INET;
        s.socktype = SOCK_STREAM;
        if (c.server)
            r.listen({s});
        else
            r.set_connect_specs({s});
        r.start(start);
        ASSERT_TRUE(r.wait(5000));
        RunResult res = r.result();
        EXPECT_EQ(res.error, "");
        EXPECT_FALSE(res.flows[0].timed_out);
        EXPECT_EQ(open_connections(), 0) << "the flow ended with its CLOSE never carried out";
    }
    dlclose(h);
}

INSTANTIATE_TEST_SUITE_P(Patterns, EngineEndAtDeadline,
                         ::testing::Values(Action::RecvStream, Action::RRServer, Action::ConnectServer,
                                           Action::ConnectClient),
                         [](const auto &info) {
                             std::string n = action_name(info.param);  // "recv-stream"
                             n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                             return n;
                         });

class EngineLoopback : public ::testing::TestWithParam<std::tuple<Pattern, int, int>> {};

TEST_P(EngineLoopback, BothSidesAgree) {
    auto [pattern, socktype, flows] = GetParam();
    engine_pair::PairSetup su;
    su.pattern = pattern;
    su.socktype = socktype;
    su.duration = 0.5;
    su.flows = flows;
    su.client_t = su.server_t = &transport("sockets");
    // Draining the socket buffers after the deadline takes a moment on a
    // loaded machine; the hard deadline (length + 2 s grace) must hold, as
    // noticed within a pass of the worker.
    engine_pair::Pair p = engine_pair::run_pair(su);
    engine_pair::expect_agree(su, p, 2.0 + 0.1);
    engine_pair::expect_initial_buffers(su, p);
}

INSTANTIATE_TEST_SUITE_P(
    Patterns, EngineLoopback,
    ::testing::Values(std::make_tuple(Pattern::Stream, SOCK_STREAM, 1), std::make_tuple(Pattern::Maerts, SOCK_STREAM, 1),
                      std::make_tuple(Pattern::RR, SOCK_STREAM, 1), std::make_tuple(Pattern::CRR, SOCK_STREAM, 1),
                      std::make_tuple(Pattern::CC, SOCK_STREAM, 1), std::make_tuple(Pattern::Stream, SOCK_DGRAM, 1),
                      std::make_tuple(Pattern::Maerts, SOCK_DGRAM, 1), std::make_tuple(Pattern::RR, SOCK_DGRAM, 1),
                      std::make_tuple(Pattern::Stream, SOCK_STREAM, 3), std::make_tuple(Pattern::RR, SOCK_STREAM, 4),
                      std::make_tuple(Pattern::CRR, SOCK_STREAM, 3), std::make_tuple(Pattern::RR, SOCK_DGRAM, 3)));
