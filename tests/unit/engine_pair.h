// Test helper: the engine on both sides of a test in this process (a server
// Run listening on loopback, a client Run connecting to it), and what both
// sides must agree on afterwards.  Used by the engine's, the uring and the
// sctp transport's tests; each names its transports and options.
#ifndef NETPERF_TESTS_ENGINE_PAIR_H
#define NETPERF_TESTS_ENGINE_PAIR_H

#include <netperf/addr.h>
#include <netperf/engine.h>
#include <netperf/session.h>
#include <netperf/transport.h>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace engine_pair {
using namespace netperf;

using Options = std::vector<std::pair<std::string, std::string>>;

struct PairSetup {
    Pattern pattern = Pattern::RR;
    int socktype = SOCK_STREAM;
    int protocol = 0;  // 0: TCP or UDP by socktype
    int family = AF_INET;
    int flows = 1;
    int threads = 0;   // 0: the spec's default
    double duration = 0.3;
    int window = 0;    // 0: the spec's default
    int64_t dgram_size = 64;  // datagram stream and maerts: bytes per datagram
    std::string host;  // local data address of both sides ("" = loopback of the family)
    int start_delay_ms = 0;   // both sides start this long after setup
    std::string transport;  // as the control protocol would name it ("" = sockets)
    Options client_opts, server_opts;
    const Transport *client_t = nullptr, *server_t = nullptr;
    // Datagram tests: an 8 MB receive buffer.  Batched senders outrun a
    // receiver on a busy machine; a datagram receiver ends on the sender's
    // three empty datagrams, and if a full queue drops all three it waits
    // for the hard deadline.  Room for them keeps most runs short.
    bool big_dgram_rcvbuf = true;
    int server_drain_ms = 300;  // after the client's end, before stopping the server
};

struct Pair {
    RunResult client, server;
};

inline Pair run_pair(const PairSetup &su) {
    TestSpec spec;
    spec.pattern = su.pattern;
    spec.socktype = su.socktype;
    spec.protocol = su.protocol ? su.protocol : su.socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
    spec.family = su.family;
    spec.duration_s = su.duration;
    spec.flows = su.flows;
    if (su.threads) spec.threads = su.threads;
    if (su.window) spec.window = su.window;
    if (!su.transport.empty()) spec.transport = su.transport;
    if (su.pattern == Pattern::CC) spec.request_size = spec.response_size = 0;
    if (su.socktype == SOCK_DGRAM && su.pattern != Pattern::RR) spec.send_size = {su.dgram_size, su.dgram_size};
    const std::string host = !su.host.empty() ? su.host : su.family == AF_INET6 ? "::1" : "127.0.0.1";
    SidePlan sp = plan_side(spec, Role::Server, su.family);
    SidePlan cp = plan_side(spec, Role::Client, su.family);
    sp.cfg.transport_options = su.server_opts;
    cp.cfg.transport_options = su.client_opts;
    if (su.socktype == SOCK_DGRAM && su.big_dgram_rcvbuf) sp.tmpl.rcvbuf = cp.tmpl.rcvbuf = 8 << 20;
    netperf::Run server(*su.server_t, sp.cfg);
    std::vector<np_endpoint_spec> st(size_t(su.flows), sp.tmpl);
    for (auto &t : st) {
        t.local = resolve(host, 0, su.family);
        t.local_len = sockaddr_len(t.local);
    }
    auto addrs = server.listen(st);
    netperf::Run client(*su.client_t, cp.cfg);
    std::vector<np_endpoint_spec> ct(size_t(su.flows), cp.tmpl);
    for (int i = 0; i < su.flows; i++) {
        ct[size_t(i)].remote = addrs[size_t(i)];
        ct[size_t(i)].remote_len = sockaddr_len(addrs[size_t(i)]);
        if (su.socktype == SOCK_DGRAM) {
            ct[size_t(i)].local = resolve(host, 0, su.family);
            ct[size_t(i)].local_len = sockaddr_len(ct[size_t(i)].local);
        }
    }
    if (su.socktype == SOCK_DGRAM) {
        auto locals = client.open_datagram(ct);
        if (su.pattern == Pattern::Maerts) server.set_peers(locals);
    } else {
        client.set_connect_specs(ct);
    }
    uint64_t t0 = now_ns() + uint64_t(su.start_delay_ms) * 1000000;
    server.start(t0);
    client.start(t0);
    EXPECT_TRUE(client.wait(10000));
    server.finish();  // the control protocol's stop
    if (!server.wait(su.server_drain_ms)) server.stop();
    EXPECT_TRUE(server.wait(5000));
    return {client.result(), server.result()};
}

// What every pattern must show when both sides agree.  The client must end
// within `slack_s` of the test length.
inline void expect_agree(const PairSetup &su, const Pair &p, double slack_s) {
    const RunResult &c = p.client, &s = p.server;
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(s.error, "");
    EXPECT_LT(c.elapsed_s, su.duration + slack_s) << "the client overran the test length";
    const bool bytes_exact = su.socktype != SOCK_DGRAM;  // datagrams may be dropped
    switch (su.pattern) {
    case Pattern::Stream:
        EXPECT_GT(c.total.bytes_sent, 0u);
        if (bytes_exact) {
            EXPECT_EQ(s.total.bytes_received, c.total.bytes_sent) << "every byte sent was received";
        } else {
            EXPECT_GT(s.total.bytes_received, 0u);
            EXPECT_LE(s.total.bytes_received, c.total.bytes_sent);
        }
        break;
    case Pattern::Maerts:
        EXPECT_GT(c.total.bytes_received, 0u);
        if (bytes_exact)
            EXPECT_EQ(s.total.bytes_sent, c.total.bytes_received);
        else
            EXPECT_LE(c.total.bytes_received, s.total.bytes_sent);
        break;
    case Pattern::RR:
        EXPECT_GT(c.total.transactions, 0u);
        EXPECT_GE(s.total.transactions, c.total.transactions);
        EXPECT_EQ(c.latency.count(), c.total.transactions);
        for (auto &f : c.flows) EXPECT_GT(f.counters.transactions, 0u) << "flow " << f.index;
        break;
    case Pattern::CRR:
    case Pattern::CC:
        EXPECT_GT(c.total.transactions, 0u);
        EXPECT_GE(c.total.connects, c.total.transactions);
        EXPECT_GE(s.total.connects, c.total.transactions);
        break;
    }
}

// SO_SNDBUF and SO_RCVBUF of a new, unconnected socket of this kind: what
// netperf 2.7 reports as the socket sizes of a test run with default buffers.
inline std::pair<int, int> fresh_buffers(int family, int socktype) {
    int fd = socket(family, socktype | SOCK_CLOEXEC, 0);
    int snd = -1, rcv = -1;
    if (fd >= 0) {
        socklen_t l = sizeof snd;
        getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &l);
        l = sizeof rcv;
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
        close(fd);
    }
    return {snd, rcv};
}

// Every flow on both sides reports its socket buffers as they were before
// its connection connected (2.7's LSS_SIZE, LSR_SIZE, RSS_SIZE, RSR_SIZE),
// not as Linux has grown them once connected (the *_end values).  Byte
// streams only: run_pair asks datagram sockets for big receive buffers.
inline void expect_initial_buffers(const PairSetup &su, const Pair &p) {
    if (su.socktype != SOCK_STREAM) return;
    auto [snd, rcv] = fresh_buffers(su.family, su.socktype);
    ASSERT_GT(snd, 0);
    for (const RunResult *r : {&p.client, &p.server}) {
        const char *side = r == &p.client ? "client" : "server";
        ASSERT_EQ(r->flows.size(), size_t(su.flows)) << side;
        for (const FlowResult &f : r->flows) {
            EXPECT_EQ(f.sndbuf_start, snd) << side << " flow " << f.index;
            EXPECT_EQ(f.rcvbuf_start, rcv) << side << " flow " << f.index;
            EXPECT_GT(f.sndbuf_end, 0) << side << " flow " << f.index;
        }
    }
}

}  // namespace engine_pair

#endif
