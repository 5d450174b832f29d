// The DPDK transport in one process over net_ring (a port whose every queue
// loops back to itself): its ops on their own (addresses, backlog, frames
// handed between the queues of two contexts, errors) and the engine on
// both sides for each datagram pattern, in mode=udp and mode=l2.
//
// EAL needs no root with --no-huge; the test exits 77 (skipped) with the
// reason when the plugin is not built or EAL cannot start here.
#include <netperf/addr.h>
#include <netperf/engine.h>
#include <netperf/session.h>
#include <netperf/transport.h>

#include "engine_pair.h"
#include "plugin_test_util.h"

#include <cstring>
#include <map>
#include <memory>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>

using namespace netperf;

namespace {

using engine_pair::Options;

// Every context of this process names the same EAL and port setup: EAL
// starts once per process.
const char *kEal = "--no-huge -m 256 --no-pci --vdev=net_ring0";
const char *kIp = "10.99.0.1";

std::string g_skip;

const Transport *dpdk() {
    static std::unique_ptr<Transport> t;
    return plugin_test::optional_transport("dpdk", g_skip, t);
}

Options base(Options extra = {}) {
    Options o{{"eal", kEal}, {"ip", kIp}, {"queues", "4"}};
    o.insert(o.end(), extra.begin(), extra.end());
    return o;
}

// A context of the transport, made as the engine makes them.
struct Ctx {
    const np_transport_ops &ops;
    np_transport_ctx *ctx = nullptr;
    std::string err;
    Ctx(const Options &opts, bool server = false, uint32_t inflight = 128) : ops(dpdk()->ops()) {
        std::vector<np_option_value> v;
        for (auto &[k, val] : opts) v.push_back({k.c_str(), val.c_str()});
        np_ctx_params p{};
        p.struct_size = sizeof p;
        p.flags = server ? NP_CTX_SERVER : 0;
        p.max_endpoints = 8;
        p.max_inflight = inflight;
        p.cpu = -1;
        p.poll_slice_us = 20000;
        p.options = v.data();
        p.n_options = uint32_t(v.size());
        char e[NP_ERRLEN] = "";
        if (ops.ctx_create(&p, &ctx, e, sizeof e) != 0) err = e;
    }
    ~Ctx() {
        if (ctx) ops.ctx_destroy(ctx);
    }
    // A datagram endpoint; remote "" = none.  "" on success, else the error.
    std::string open(np_endpoint **ep, const char *remote = "", int remote_port = 0, uint32_t flags = 0,
                     const char *local = "0.0.0.0", int local_port = 0) {
        np_endpoint_spec s{};
        s.struct_size = sizeof s;
        s.family = AF_INET;
        s.socktype = SOCK_DGRAM;
        s.protocol = IPPROTO_UDP;
        s.sndbuf = s.rcvbuf = s.priority = s.tos = -1;
        s.flags = flags;
        s.local = resolve(local, local_port, AF_INET);
        s.local_len = sizeof(sockaddr_in);
        if (*remote) {
            s.remote = resolve(remote, remote_port, AF_INET);
            s.remote_len = sizeof(sockaddr_in);
        }
        char e[NP_ERRLEN] = "";
        return ops.listen(ctx, &s, ep, e, sizeof e) == 0 ? "" : e;
    }
    sockaddr_in local(np_endpoint *ep) {
        np_endpoint_info i{};
        i.struct_size = sizeof i;
        ops.ep_info(ctx, ep, &i);
        sockaddr_in a;
        memcpy(&a, &i.local, sizeof a);
        return a;
    }
    void stage(uint8_t kind, np_endpoint *ep, void *buf, uint32_t len, uint64_t user) {
        np_op op = plugin_test::make_op(kind, ep, buf, len, user);
        ASSERT_EQ(ops.stage(ctx, &op, 1), 1u);
        ASSERT_EQ(ops.commit(ctx), 0);
    }
    // Reaps until `want` completions came or 1 s passed.
    std::vector<np_completion> reap(size_t want, int64_t wait_ns = 20000000) {
        std::vector<np_completion> got;
        np_completion buf[64];
        uint64_t until = now_ns() + 1000000000ull;
        while (got.size() < want && now_ns() < until) {
            uint32_t n = ops.reap(ctx, buf, 64, wait_ns);
            got.insert(got.end(), buf, buf + n);
        }
        return got;
    }
};

#define NEED_DPDK()                          \
    do {                                     \
        if (!dpdk()) GTEST_SKIP() << g_skip; \
    } while (0)

// ---- the engine on both sides ------------------------------------------------------

using engine_pair::Pair;
using engine_pair::PairSetup;
using engine_pair::run_pair;

// Both sides over net_ring in this process: datagrams from and to the
// port's address, started 20 ms after setup.
PairSetup dpdk_pair(Pattern pattern, const Options &opts = {}) {
    PairSetup su;
    su.pattern = pattern;
    su.socktype = SOCK_DGRAM;
    su.duration = 0.4;
    su.window = 16;
    su.host = "0.0.0.0";
    su.start_delay_ms = 20;
    su.big_dgram_rcvbuf = false;
    su.client_opts = su.server_opts = base(opts);
    su.client_t = su.server_t = dpdk();
    return su;
}

void expect_agree(const PairSetup &su, const Pair &p) {
    // The client ends by its hard deadline (as engine_test checks): on a
    // loaded machine a worker may be descheduled well past the soft one.
    engine_pair::expect_agree(su, p, 2.5);
    const RunResult &c = p.client, &s = p.server;
    switch (su.pattern) {
    case Pattern::Stream:
        EXPECT_GT(c.total.send_calls, 1000u);
        // An unpaced sender on a loop in memory outruns the receiver (which
        // runs the engine's handler per datagram, on a shared machine): the
        // receiver's queue overflows and drops, as a UDP socket's would.
        // What arrives must be a steady stream, not a trickle.
        EXPECT_GT(s.total.recv_calls, 100u) << s.total.bytes_received << " of " << c.total.bytes_sent;
        break;
    case Pattern::RR:
        EXPECT_GT(c.total.transactions, 100u);
        break;
    case Pattern::Maerts:
        break;
    default:
        ADD_FAILURE() << "not a datagram pattern";
    }
    for (auto &f : c.flows) EXPECT_GT(f.counters.bytes_sent + f.counters.bytes_received, 0u) << "flow " << f.index;
}

const char *label(Pattern p) {
    return p == Pattern::Stream ? "UDP_STREAM" : p == Pattern::Maerts ? "UDP_MAERTS" : "UDP_RR";
}

}  // namespace

// ---- probe and options ----------------------------------------------------------------

TEST(DpdkProbe, UsableAndDeclaresItsOptions) {
    NEED_DPDK();
    const np_transport_ops &ops = dpdk()->ops();
    EXPECT_TRUE(dpdk()->has_cap(NP_CAP_DGRAM | NP_CAP_INET));
    EXPECT_FALSE(dpdk()->has_cap(NP_CAP_STREAM)) << "no TCP";
    std::map<std::string, uint32_t> type;
    for (uint32_t i = 0; i < ops.n_options; i++) type[ops.options[i].name] = ops.options[i].type;
    for (const char *s : {"eal", "port", "mode", "ip", "peer_mac"}) EXPECT_EQ(type[s], uint32_t(NP_OPT_STRING)) << s;
    for (const char *s : {"queues", "mbufs", "backlog", "burst", "arp_timeout_ms", "link_wait_ms"})
        EXPECT_EQ(type[s], uint32_t(NP_OPT_INT)) << s;
    for (const char *s : {"udp_csum", "verbose"}) EXPECT_EQ(type[s], uint32_t(NP_OPT_BOOL)) << s;
}

TEST(DpdkOptions, BadValuesAreRefusedNamingTheOption) {
    NEED_DPDK();
    struct {
        Options opts;
        const char *must_name;
    } cases[] = {
        {{{"mode", "tcp"}}, "mode=tcp"},
        {{{"ip", "10.1.2"}}, "ip=10.1.2"},
        {{{"peer_mac", "02:00:00"}}, "peer_mac=02:00:00"},
        {{{"burst", "0"}}, "burst=0"},
        {{{"queues", "65"}}, "queues=65"},
        {{{"udp_csum", "maybe"}}, "udp_csum=maybe"},
        {{{"no_such_option", "1"}}, "no_such_option"},
    };
    for (auto &cs : cases) {
        Ctx c(cs.opts);
        EXPECT_NE(c.err.find(cs.must_name), std::string::npos) << "error '" << c.err << "' should name " << cs.must_name;
        EXPECT_EQ(c.err.rfind("DPDK: ", 0), 0u) << c.err;
    }
}

TEST(DpdkOptions, ProcessWideSettingsCannotChange) {
    NEED_DPDK();
    Ctx first(base());
    ASSERT_EQ(first.err, "");
    Ctx other_eal(Options{{"eal", "--no-huge -m 128 --no-pci --vdev=net_ring1"}});
    EXPECT_NE(other_eal.err.find("already initialised"), std::string::npos) << other_eal.err;
    Ctx other_ip(base({{"ip", "10.99.0.2"}}));
    // base() names kIp first; the last ip= wins and conflicts.
    EXPECT_NE(other_ip.err.find("already has address 10.99.0.1"), std::string::npos) << other_ip.err;
    Ctx other_queues(Options{{"queues", "3"}});
    EXPECT_NE(other_queues.err.find("queues=4"), std::string::npos) << other_queues.err;
    Ctx no_port(base({{"port", "7"}}));
    EXPECT_NE(no_port.err.find("port=7"), std::string::npos) << no_port.err;
    Ctx same(base());
    EXPECT_EQ(same.err, "") << "the same settings again are fine";
}

TEST(DpdkOptions, EveryQueueTakenIsAnError) {
    NEED_DPDK();
    std::vector<std::unique_ptr<Ctx>> held;
    for (int i = 0; i < 4; i++) {
        held.push_back(std::make_unique<Ctx>(base()));
        ASSERT_EQ(held.back()->err, "");
    }
    Ctx fifth(base());
    EXPECT_NE(fifth.err.find("queue pair(s) are taken"), std::string::npos) << fifth.err;
    held.pop_back();
    Ctx again(base());
    EXPECT_EQ(again.err, "") << "a queue given back is free again";
}

// ---- ops ------------------------------------------------------------------------------

TEST(DpdkOps, AddressesPortsAndErrors) {
    NEED_DPDK();
    Ctx c(base());
    ASSERT_EQ(c.err, "");
    np_endpoint *a = nullptr, *b = nullptr;
    ASSERT_EQ(c.open(&a), "");
    sockaddr_in la = c.local(a);
    EXPECT_EQ(la.sin_addr.s_addr, inet_addr(kIp)) << "bound to the port's ip=";
    EXPECT_GE(ntohs(la.sin_port), 32768) << "an ephemeral port";
    ASSERT_EQ(c.open(&b, "", 0, 0, "0.0.0.0", 40123), "");
    EXPECT_EQ(ntohs(c.local(b).sin_port), 40123);
    np_endpoint *dup = nullptr;
    EXPECT_NE(c.open(&dup, "", 0, 0, "0.0.0.0", 40123).find("already bound"), std::string::npos);
    c.ops.ep_close(c.ctx, b);
    EXPECT_EQ(c.open(&b, "", 0, 0, "0.0.0.0", 40123), "") << "a closed endpoint's port is free";

    // ARP for an address nobody has: a clear error, bounded in time.
    Ctx q(base({{"arp_timeout_ms", "200"}}));
    ASSERT_EQ(q.err, "");
    np_endpoint *x = nullptr;
    uint64_t t0 = now_ns();
    std::string e = q.open(&x, "10.99.0.77", 9);
    EXPECT_NE(e.find("no ARP reply for 10.99.0.77"), std::string::npos) << e;
    EXPECT_LT(now_ns() - t0, 1000000000ull);
    // peer_mac= needs no ARP.
    Ctx m(base({{"peer_mac", "02:00:00:00:00:77"}}));
    ASSERT_EQ(m.err, "");
    EXPECT_EQ(m.open(&x, "10.99.0.77", 9), "");

    // A datagram that does not fit a frame fails alone, with EMSGSIZE; one
    // without a destination with EDESTADDRREQ.
    static char big[2000];
    np_endpoint *to_self = nullptr;
    ASSERT_EQ(c.open(&to_self, kIp, ntohs(la.sin_port)), "");
    c.stage(NP_OP_SEND, to_self, big, sizeof big, 1);
    c.stage(NP_OP_SEND, b, big, 10, 2);
    auto got = c.reap(2);
    ASSERT_EQ(got.size(), 2u);
    for (auto &g : got) EXPECT_EQ(g.result, g.user == 1 ? -EMSGSIZE : -EDESTADDRREQ) << g.user;
}

TEST(DpdkOps, DatagramsWaitInTheBacklogAndOverflowDrops) {
    NEED_DPDK();
    // Receiver and sender in two contexts (two queues): every frame loops
    // back to the sender's queue and is handed over to the receiver's.
    Ctx rx(base({{"backlog", "8"}}), true);
    Ctx tx(base());
    ASSERT_EQ(rx.err, "");
    ASSERT_EQ(tx.err, "");
    np_endpoint *r = nullptr, *s = nullptr;
    ASSERT_EQ(rx.open(&r, "", 0, NP_EP_TRACK_PEER), "");
    int port = ntohs(rx.local(r).sin_port);
    ASSERT_EQ(tx.open(&s, kIp, port), "");
    char msg[16][8];
    for (int i = 0; i < 16; i++) {
        snprintf(msg[i], sizeof msg[i], "dg%02d", i);
        tx.stage(NP_OP_SEND, s, msg[i], 5, uint64_t(i));
    }
    auto sent = tx.reap(16);
    ASSERT_EQ(sent.size(), 16u);
    for (auto &g : sent) EXPECT_EQ(g.result, 5);
    // Nothing posted yet: the receiver's polls fill its backlog (8 of 16).
    rx.reap(1, 50000000);
    char buf[64];
    for (int i = 0; i < 8; i++) {
        rx.stage(NP_OP_RECV, r, buf, sizeof buf, 100 + uint64_t(i));
        auto got = rx.reap(1);
        ASSERT_EQ(got.size(), 1u) << "datagram " << i;
        EXPECT_EQ(got[0].result, 5);
        EXPECT_EQ(std::string(buf, 5), std::string(msg[i], 5)) << "in order";
    }
    rx.stage(NP_OP_RECV, r, buf, sizeof buf, 200);
    EXPECT_TRUE(rx.reap(1, 20000000).empty()) << "the other 8 were dropped: the backlog holds 8";
    // The receiver answers whoever sent (NP_EP_TRACK_PEER) and the answer
    // gets back to the sender's endpoint.
    np_endpoint_info info{};
    info.struct_size = sizeof info;
    rx.ops.ep_info(rx.ctx, r, &info);
    EXPECT_EQ(reinterpret_cast<sockaddr_in *>(&info.remote)->sin_port, tx.local(s).sin_port);
    // (On net_ring a frame comes back to its sender's queue: the sender's
    // poll hands it over, so each side reaps in turn.)
    tx.stage(NP_OP_SEND, s, msg[0], 3, 300);
    EXPECT_EQ(tx.reap(1).size(), 1u);
    auto got = rx.reap(1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].user, 200u);
    EXPECT_EQ(got[0].result, 3);
    rx.stage(NP_OP_SEND, r, msg[1], 4, 301);
    EXPECT_EQ(rx.reap(1).size(), 1u);
    tx.stage(NP_OP_RECV, s, buf, sizeof buf, 302);
    auto back = tx.reap(1);
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].user, 302u);
    EXPECT_EQ(back[0].result, 4);
    EXPECT_EQ(std::string(buf, 4), std::string(msg[1], 4));
    // CLOSE cancels a posted RECV.
    rx.stage(NP_OP_RECV, r, buf, sizeof buf, 400);
    rx.stage(NP_OP_CLOSE, r, nullptr, 0, 401);
    auto closed = rx.reap(2);
    ASSERT_EQ(closed.size(), 2u);
    EXPECT_EQ(closed[0].user, 400u);
    EXPECT_EQ(closed[0].result, -ECANCELED);
    EXPECT_EQ(closed[1].user, 401u);
    EXPECT_EQ(closed[1].result, 0);
}

// ---- the engine -----------------------------------------------------------------------

TEST(DpdkEngine, EveryDatagramPattern) {
    NEED_DPDK();
    for (Pattern pat : {Pattern::Stream, Pattern::RR, Pattern::Maerts}) {
        SCOPED_TRACE(label(pat));
        PairSetup su = dpdk_pair(pat);
        expect_agree(su, run_pair(su));
    }
}

TEST(DpdkEngine, FlowsOnOneWorkerAndOnTwo) {
    NEED_DPDK();
    for (int threads : {1, 2}) {
        for (Pattern pat : {Pattern::Stream, Pattern::RR}) {
            SCOPED_TRACE(std::string(label(pat)) + " threads=" + std::to_string(threads));
            PairSetup su = dpdk_pair(pat);
            su.flows = 3;
            su.threads = threads;
            expect_agree(su, run_pair(su));
        }
    }
}

TEST(DpdkEngine, RawL2FramesAndNoChecksums) {
    NEED_DPDK();
    for (Options o : {Options{{"mode", "l2"}}, Options{{"udp_csum", "0"}}, Options{{"burst", "4"}}}) {
        for (Pattern pat : {Pattern::Stream, Pattern::RR}) {
            SCOPED_TRACE(std::string(label(pat)) + " " + o[0].first + "=" + o[0].second);
            PairSetup su = dpdk_pair(pat, o);
            expect_agree(su, run_pair(su));
        }
    }
}

TEST(DpdkEngine, LargestDatagramThatFits) {
    NEED_DPDK();
    PairSetup su = dpdk_pair(Pattern::Stream);
    su.dgram_size = 1472;  // a 1500-byte MTU less IPv4 and UDP headers
    expect_agree(su, run_pair(su));
}

int main(int argc, char **argv) {
    ::testing::InitGoogleTest(&argc, argv);
    int r = RUN_ALL_TESTS();
    if (r == 0 && !dpdk()) {
        printf("dpdk transport skipped: %s\n", g_skip.c_str());
        return 77;
    }
    return r;
}
