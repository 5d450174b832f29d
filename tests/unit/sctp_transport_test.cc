// The sctp transport on one of its stacks, named by the first argument:
//   sctp_transport_test usrsctp     libusrsctp over UDP, in this process
//   sctp_transport_test kernel      the kernel's SCTP
// Probe and option checks, SCTP's message semantics and end of test at the
// ops level, and the engine on both sides in this process for every pattern
// (stream, maerts, rr, crr; one and several flows).
//
// Exits 77 (meson: skipped) with the reason when the plugin is not built or
// the stack cannot run here ("kernel has no SCTP support (socket: Protocol
// not supported)").
#include <netperf/addr.h>
#include <netperf/engine.h>
#include <netperf/session.h>
#include <netperf/transport.h>

#include "engine_pair.h"
#include "plugin_test_util.h"

#include <chrono>
#include <cstring>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace netperf;

namespace {

using engine_pair::Options;

std::string g_stack = "usrsctp";  // the stack under test
Options g_opts;                    // stack=..., and for usrsctp its ports
std::unique_ptr<Transport> g_sctp;

const Transport &sctp() { return *g_sctp; }

bool kernel_has_sctp() {
    int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    if (fd < 0) return false;
    close(fd);
    return true;
}

// A UDP port nothing holds now.
int free_udp_port() {
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    socklen_t l = sizeof a;
    bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    getsockname(fd, reinterpret_cast<sockaddr *>(&a), &l);
    close(fd);
    return ntohs(a.sin_port);
}

// ---- ops-level helpers ------------------------------------------------------

// One transport context made through the plugin's table.
struct Ctx {
    const np_transport_ops &ops = sctp().ops();
    np_transport_ctx *ctx = nullptr;
    std::string err;
    int rc = 0;

    Ctx(const Options &opts, bool server) {
        std::vector<np_option_value> v;
        for (auto &[k, val] : opts) v.push_back({k.c_str(), val.c_str()});
        np_ctx_params p{};
        p.struct_size = sizeof p;
        p.flags = server ? NP_CTX_SERVER : 0;
        p.max_endpoints = 8;
        p.max_inflight = 32;
        p.cpu = -1;
        p.poll_slice_us = 100000;
        p.options = v.data();
        p.n_options = uint32_t(v.size());
        char e[NP_ERRLEN] = "";
        rc = ops.ctx_create(&p, &ctx, e, sizeof e);
        err = e;
    }
    ~Ctx() {
        if (ctx) ops.ctx_destroy(ctx);
    }
    void submit(const np_op &op) {
        ASSERT_EQ(ops.stage(ctx, &op, 1), 1u);
        ASSERT_EQ(ops.commit(ctx), 0);
    }
    // The completion with cookie `user`: one reaped earlier, or reaped now
    // (5 s at most); completions of other cookies are kept in `other`.
    np_completion wait(uint64_t user) {
        for (size_t i = 0; i < other.size(); i++) {
            if (other[i].user != user) continue;
            np_completion c = other[i];
            other.erase(other.begin() + long(i));
            return c;
        }
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < until) {
            np_completion c[8];
            uint32_t n = ops.reap(ctx, c, 8, 50 * 1000000);
            for (uint32_t i = 0; i < n; i++) {
                if (c[i].user == user) {
                    for (uint32_t k = i + 1; k < n; k++) other.push_back(c[k]);
                    return c[i];
                }
                other.push_back(c[i]);
            }
        }
        ADD_FAILURE() << "no completion for op " << user << " within 5 s";
        return np_completion{user, -ETIMEDOUT, nullptr, 0, 0};
    }
    std::vector<np_completion> other;
};

np_endpoint_spec spec_for(const char *addr, uint16_t port) {
    np_endpoint_spec s = plugin_test::default_spec(AF_INET, SOCK_STREAM, IPPROTO_SCTP);
    sockaddr_storage a = resolve(addr, port, AF_INET);
    s.local = a;
    s.local_len = sockaddr_len(a);
    return s;
}

using plugin_test::make_op;

// A server context with a listener on 127.0.0.1 and a client context with
// one association to it, accepted.
struct Pair {
    Ctx server{g_opts, true};
    Ctx client{g_opts, false};
    np_endpoint *listener = nullptr, *s_ep = nullptr, *c_ep = nullptr;
    np_endpoint_spec cspec{};

    void open() {
        ASSERT_EQ(server.rc, 0) << server.err;
        ASSERT_EQ(client.rc, 0) << client.err;
        np_endpoint_spec ls = spec_for("127.0.0.1", 0);
        char e[NP_ERRLEN] = "";
        ASSERT_EQ(server.ops.listen(server.ctx, &ls, &listener, e, sizeof e), 0) << e;
        np_endpoint_info info{};
        info.struct_size = sizeof info;
        ASSERT_EQ(server.ops.ep_info(server.ctx, listener, &info), 0);
        ASSERT_GT(info.local_len, 0u);
        ASSERT_NE(addr_port(info.local), 0) << "the listener reports its port";
        cspec = spec_for("127.0.0.1", 0);
        cspec.local_len = 0;
        cspec.remote = info.local;
        cspec.remote_len = info.local_len;
        np_op conn = make_op(NP_OP_CONNECT, nullptr, nullptr, 0, 1);
        conn.spec = &cspec;
        client.submit(conn);
        server.submit(make_op(NP_OP_ACCEPT, listener, nullptr, 0, 2));
        np_completion a = server.wait(2);
        ASSERT_EQ(a.result, 0) << strerror(int(-a.result));
        s_ep = a.ep;
        np_completion c = client.wait(1);
        ASSERT_EQ(c.result, 0) << strerror(int(-c.result));
        c_ep = c.ep;
    }
};

}  // namespace

// ---- probe and options ------------------------------------------------------

TEST(SctpProbe, UsableAndNamesTheStack) {
    EXPECT_EQ(sctp().probe(), "");
    std::string d = sctp().ops().description;
    if (kernel_has_sctp()) {
        EXPECT_NE(d.find("here: kernel SCTP"), std::string::npos) << d;
    } else {
        EXPECT_NE(d.find("here: usrsctp over UDP, as the kernel has no SCTP support (socket: "), std::string::npos)
            << d;
    }
    EXPECT_TRUE(sctp().has_cap(NP_CAP_STREAM | NP_CAP_CONNECT | NP_CAP_INET));
    EXPECT_FALSE(sctp().has_cap(NP_CAP_DGRAM)) << "SCTP has no datagram tests";
}

TEST(SctpOptions, BadValuesAreRefusedByName) {
    const std::pair<Options, const char *> bad[] = {
        {{{"stack", "bogus"}}, "stack=bogus"},
        {{{"server_udp_port", "0"}}, "server_udp_port=0"},
        {{{"server_udp_port", "65536"}}, "server_udp_port=65536"},
        {{{"client_udp_port", "-1"}}, "client_udp_port=-1"},
        {{{"client_udp_port", "12x"}}, "client_udp_port=12x"},
        {{{"udp_rcvbuf", "-5"}}, "udp_rcvbuf=-5"},
        {{{"udp_rcvbuf", "67108865"}}, "udp_rcvbuf=67108865"},
        {{{"sqpoll", "1"}}, "unknown option 'sqpoll'"},
    };
    for (auto &[opts, says] : bad) {
        Ctx c(opts, false);
        EXPECT_EQ(c.rc, -EINVAL) << says;
        EXPECT_NE(c.err.find(says), std::string::npos) << c.err;
    }
    // The option table and the loader's type checks agree.
    EXPECT_THROW(sctp().validate_options({{"server_udp_port", "many"}}), Error);
    EXPECT_NO_THROW(sctp().validate_options({{"stack", "usrsctp"}, {"client_udp_port", "0"}}));
}

TEST(SctpOptions, KernelStackNamesWhyNot) {
    Ctx c({{"stack", "kernel"}}, false);
    if (kernel_has_sctp()) {
        EXPECT_EQ(c.rc, 0) << c.err;
    } else {
        EXPECT_NE(c.rc, 0);
        EXPECT_NE(c.err.find("stack=kernel: kernel has no SCTP support (socket: Protocol not supported)"),
                  std::string::npos)
            << c.err;
    }
}

TEST(SctpOptions, OneUsrsctpStackPerProcess) {
    if (g_stack != "usrsctp") GTEST_SKIP() << "usrsctp only";
    // This process's stack runs on the test's server_udp_port: a server
    // context asking for another port cannot have it.
    Ctx c({{"stack", "usrsctp"}, {"server_udp_port", std::to_string(free_udp_port())}}, true);
    EXPECT_EQ(c.rc, -EADDRINUSE);
    EXPECT_NE(c.err.find("one stack per process"), std::string::npos) << c.err;
}

TEST(SctpOptions, UsrsctpUdpSocketGetsItsBuffer) {
    if (g_stack != "usrsctp") GTEST_SKIP() << "usrsctp only";
    // The stack's UDP sockets (IPv4 and IPv6) hold udp_rcvbuf (4 MiB by
    // default; the kernel reports twice what was set).
    int port = std::stoi(g_opts[1].second), found = 0;
    for (int fd = 0; fd < 1024; fd++) {
        int type = 0;
        socklen_t l = sizeof type;
        if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_DGRAM) continue;
        sockaddr_storage a{};
        l = sizeof a;
        if (getsockname(fd, reinterpret_cast<sockaddr *>(&a), &l) < 0 || addr_port(a) != port) continue;
        int rb = 0;
        l = sizeof rb;
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, &l);
        EXPECT_GE(rb, 4 << 20) << "fd " << fd;
        found++;
    }
    EXPECT_GE(found, 1) << "no UDP socket on the stack's port " << port;
}

TEST(SctpOptions, NonSctpSpecsAreRefused) {
    Ctx s(g_opts, true);
    ASSERT_EQ(s.rc, 0) << s.err;
    for (auto [type, proto] : {std::pair{SOCK_DGRAM, IPPROTO_UDP}, std::pair{SOCK_STREAM, IPPROTO_TCP},
                               std::pair{SOCK_SEQPACKET, IPPROTO_SCTP}}) {
        np_endpoint_spec ls = spec_for("127.0.0.1", 0);
        ls.socktype = type;
        ls.protocol = proto;
        np_endpoint *ep = nullptr;
        char e[NP_ERRLEN] = "";
        EXPECT_EQ(s.ops.listen(s.ctx, &ls, &ep, e, sizeof e), -EPROTONOSUPPORT);
        EXPECT_NE(std::string(e).find("SCTP associations"), std::string::npos) << e;
    }
}

// ---- SCTP semantics at the ops level --------------------------------------------

TEST(SctpOps, EachSendIsOneMessage) {
    Pair p;
    p.open();
    if (HasFatalFailure()) return;
    static char out[3000], in[65536];
    memset(out, 'm', sizeof out);
    const uint32_t sizes[] = {100, 1, 3000};
    np_op sends[3];
    for (int i = 0; i < 3; i++) sends[i] = make_op(NP_OP_SEND, p.c_ep, out, sizes[i], 10 + uint64_t(i));
    ASSERT_EQ(p.client.ops.stage(p.client.ctx, sends, 3), 3u);
    ASSERT_EQ(p.client.ops.commit(p.client.ctx), 0);
    for (int i = 0; i < 3; i++) EXPECT_EQ(p.client.wait(10 + uint64_t(i)).result, int64_t(sizes[i]));
    // A receive larger than everything sent still returns one message: the
    // boundaries survive (TCP would coalesce them).
    for (int i = 0; i < 3; i++) {
        p.server.submit(make_op(NP_OP_RECV, p.s_ep, in, sizeof in, 20 + uint64_t(i)));
        EXPECT_EQ(p.server.wait(20 + uint64_t(i)).result, int64_t(sizes[i]));
    }
    // A receive shorter than the message takes it in pieces, in order.
    p.client.submit(make_op(NP_OP_SEND, p.c_ep, out, 3000, 30));
    EXPECT_EQ(p.client.wait(30).result, 3000);
    int64_t got = 0;
    for (uint64_t k = 0; got < 3000 && k < 10; k++) {
        p.server.submit(make_op(NP_OP_RECV, p.s_ep, in, 1024, 40 + k));
        np_completion c = p.server.wait(40 + k);
        ASSERT_GT(c.result, 0);
        EXPECT_LE(c.result, 1024);
        got += c.result;
    }
    EXPECT_EQ(got, 3000);
}

TEST(SctpOps, ShutdownIsTheReceiversEof) {
    Pair p;
    p.open();
    if (HasFatalFailure()) return;
    static char buf[4096];
    p.client.submit(make_op(NP_OP_SEND, p.c_ep, buf, 512, 1));
    EXPECT_EQ(p.client.wait(1).result, 512);
    p.client.submit(make_op(NP_OP_SHUTDOWN, p.c_ep, nullptr, 0, 2));
    EXPECT_EQ(p.client.wait(2).result, 0);
    // The data sent before the shutdown arrives first, then EOF.
    p.server.submit(make_op(NP_OP_RECV, p.s_ep, buf, sizeof buf, 3));
    EXPECT_EQ(p.server.wait(3).result, 512);
    p.server.submit(make_op(NP_OP_RECV, p.s_ep, buf, sizeof buf, 4));
    EXPECT_EQ(p.server.wait(4).result, 0) << "the receiver sees EOF";
    // The receiver closes; the sender, draining, sees EOF too.
    p.client.submit(make_op(NP_OP_RECV, p.c_ep, buf, sizeof buf, 5));
    p.server.submit(make_op(NP_OP_CLOSE, p.s_ep, nullptr, 0, 6));
    EXPECT_EQ(p.server.wait(6).result, 0);
    EXPECT_EQ(p.client.wait(5).result, 0) << "the sender's drain ends at EOF";
    p.client.submit(make_op(NP_OP_CLOSE, p.c_ep, nullptr, 0, 7));
    EXPECT_EQ(p.client.wait(7).result, 0);
}

TEST(SctpOps, CloseCancelsAParkedReceive) {
    Pair p;
    p.open();
    if (HasFatalFailure()) return;
    static char buf[64];
    p.server.submit(make_op(NP_OP_RECV, p.s_ep, buf, sizeof buf, 1));
    np_completion none[4];
    EXPECT_EQ(p.server.ops.reap(p.server.ctx, none, 4, 0), 0u) << "nothing was sent";
    p.server.submit(make_op(NP_OP_CLOSE, p.s_ep, nullptr, 0, 2));
    EXPECT_EQ(p.server.wait(1).result, -ECANCELED);
    EXPECT_EQ(p.server.wait(2).result, 0);
    // A second close of the same endpoint is refused, not done twice.
    p.server.submit(make_op(NP_OP_CLOSE, p.s_ep, nullptr, 0, 3));
    EXPECT_LT(p.server.wait(3).result, 0);
}

TEST(SctpOps, ReapWaitsNoLongerThanItsTimeout) {
    Pair p;
    p.open();
    if (HasFatalFailure()) return;
    static char buf[64];
    p.server.submit(make_op(NP_OP_RECV, p.s_ep, buf, sizeof buf, 1));
    np_completion c[4];
    auto t0 = std::chrono::steady_clock::now();
    uint32_t n = p.server.ops.reap(p.server.ctx, c, 4, 50 * 1000000);
    double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    EXPECT_EQ(n, 0u);
    EXPECT_GE(took, 0.045) << "reap returned before its timeout with nothing to report";
    EXPECT_LT(took, 1.0) << "reap overran its 50 ms timeout";
    // A message arriving while it waits ends the wait.
    p.client.submit(make_op(NP_OP_SEND, p.c_ep, buf, 10, 2));
    EXPECT_EQ(p.server.wait(1).result, 10);
}

TEST(SctpOps, ConnectWithoutListenerFails) {
    Ctx client(g_opts, false);
    ASSERT_EQ(client.rc, 0) << client.err;
    // Nothing listens on SCTP port 9 here: the peer stack answers INIT
    // with ABORT.
    np_endpoint_spec cs = spec_for("127.0.0.1", 0);
    cs.local_len = 0;
    cs.remote = resolve("127.0.0.1", 9, AF_INET);
    cs.remote_len = sockaddr_len(cs.remote);
    np_op conn = make_op(NP_OP_CONNECT, nullptr, nullptr, 0, 1);
    conn.spec = &cs;
    client.submit(conn);
    np_completion c = client.wait(1);
    EXPECT_LT(c.result, 0);
    EXPECT_NE(c.result, -ETIMEDOUT) << "the refusal came back at once";
    EXPECT_EQ(c.ep, nullptr);
}

// ---- the engine on both sides ------------------------------------------------------

class SctpEngine : public ::testing::TestWithParam<std::tuple<Pattern, int>> {};

TEST_P(SctpEngine, BothSidesAgree) {
    auto [pattern, flows] = GetParam();
    engine_pair::PairSetup su;
    su.pattern = pattern;
    su.protocol = IPPROTO_SCTP;
    su.duration = 0.5;
    su.flows = flows;
    su.transport = "sctp";
    su.client_opts = su.server_opts = g_opts;
    su.client_t = su.server_t = &sctp();
    su.server_drain_ms = 2000;
    engine_pair::Pair p = engine_pair::run_pair(su);
    // A second of slack: the machine may be loaded; a flow waiting for the
    // hard deadline takes longer still.
    engine_pair::expect_agree(su, p, 1.0);
    for (auto &f : p.client.flows) EXPECT_FALSE(f.timed_out) << "flow " << f.index << " missed the end of test";
}

INSTANTIATE_TEST_SUITE_P(Patterns, SctpEngine,
                         ::testing::Values(std::make_tuple(Pattern::Stream, 1), std::make_tuple(Pattern::Maerts, 1),
                                           std::make_tuple(Pattern::RR, 1), std::make_tuple(Pattern::CRR, 1),
                                           std::make_tuple(Pattern::Stream, 4), std::make_tuple(Pattern::RR, 4),
                                           std::make_tuple(Pattern::CRR, 3)));

int main(int argc, char **argv) {
    ::testing::InitGoogleTest(&argc, argv);
    if (argc > 1) g_stack = argv[1];
    if (g_stack != "usrsctp" && g_stack != "kernel") {
        fprintf(stderr, "usage: %s usrsctp|kernel [gtest options]\n", argv[0]);
        return 2;
    }
    try {
        g_sctp = load_transport("sctp");
    } catch (const Error &e) {
        printf("sctp transport skipped: %s\n", e.what());
        return 77;
    }
    g_opts = {{"stack", g_stack}};
    if (g_stack == "usrsctp") g_opts.push_back({"server_udp_port", std::to_string(free_udp_port())});
    // Whether the stack runs here, in the plugin's own words.
    {
        Ctx probe(g_opts, true);
        if (probe.rc != 0) {
            printf("sctp %s stack skipped: %s\n", g_stack.c_str(), probe.err.c_str());
            return 77;
        }
    }
    return RUN_ALL_TESTS();
}
