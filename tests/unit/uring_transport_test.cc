// The uring transport: probe, option validation, its ops on their own
// (multishot into the buffer ring, CLOSE ordering) and the engine on both
// sides in this process for every pattern, under each option, against
// itself and against the sockets transport (the wire is the same).
//
// Exits 77 (meson: skipped) when io_uring cannot run here, with the reason.
#include <netperf/addr.h>
#include <netperf/engine.h>
#include <netperf/session.h>
#include <netperf/transport.h>

#include "engine_pair.h"
#include "plugin_test_util.h"

#include <csignal>
#include <cstring>
#include <map>
#include <memory>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace netperf;

namespace {

using engine_pair::Options;

std::string g_skip;  // why io_uring cannot run here ("" = it can)

const Transport *uring() {
    static std::unique_ptr<Transport> t;
    return plugin_test::optional_transport("uring", g_skip, t);
}

const Transport &sockets() {
    static auto t = load_transport("sockets");
    return *t;
}

#define NEED_URING()                                   \
    do {                                               \
        if (!uring()) GTEST_SKIP() << g_skip;          \
    } while (0)

// ---- ops-level helpers ------------------------------------------------------

struct Ctx {
    const np_transport_ops &ops;
    np_transport_ctx *ctx = nullptr;
    std::string err;
    Ctx(const np_transport_ops &o, const Options &opts, uint32_t inflight = 64) : ops(o) {
        std::vector<np_option_value> v;
        for (auto &[k, val] : opts) v.push_back({k.c_str(), val.c_str()});
        np_ctx_params p{};
        p.struct_size = sizeof p;
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
};

// ctx_create's error for these options ("" if accepted).
std::string create_error(const Options &opts) {
    Ctx c(uring()->ops(), opts);
    return c.err;
}

np_endpoint_spec udp_spec(uint32_t flags = 0) {
    np_endpoint_spec s = plugin_test::default_spec(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    s.local = resolve("127.0.0.1", 0, AF_INET);
    s.local_len = sockaddr_len(s.local);
    s.flags = flags;
    return s;
}

// Reaps until `want` completions arrived or a second passed.
std::vector<np_completion> reap_n(Ctx &c, size_t want) {
    std::vector<np_completion> got;
    np_completion buf[64];
    uint64_t until = now_ns() + 1000000000ull;
    while (got.size() < want && now_ns() < until) {
        uint32_t n = c.ops.reap(c.ctx, buf, 64, 20000000);
        got.insert(got.end(), buf, buf + n);
    }
    return got;
}

// ---- engine-level helpers ----------------------------------------------------

using engine_pair::Pair;
using engine_pair::PairSetup;
using engine_pair::run_pair;

// How a client ends.  A stream client ends on its peer's EOF, never at its
// hard deadline (length + 2 s grace): no flow may be timed out.  The EOF
// comes once the receiver has read all that is queued (megabytes per flow
// on loopback), which with the whole suite on two cores was seen to take
// 0.9 s past the length: 1.5 s of slack, still short of the hard deadline,
// where a lost end of test (a CLOSE never carried out) shows.  A datagram
// receiver (the UDP_MAERTS client) ends once it has drained its queue and
// seen one of the sender's end marks, which a full queue may drop; a
// datagram sender once its sends and end marks have gone, and on loopback a
// datagram stays charged to the sender until the receiver reads it: either
// may take until the hard deadline, never more.
void expect_agree(const PairSetup &su, const Pair &p) {
    const bool dgram = su.socktype == SOCK_DGRAM;
    engine_pair::expect_agree(su, p, dgram ? 2.5 : 1.5);
    if (!dgram)
        for (auto &f : p.client.flows) EXPECT_FALSE(f.timed_out) << "flow " << f.index << " missed its peer's EOF";
}

const char *pattern_label(Pattern p, int socktype) {
    bool udp = socktype == SOCK_DGRAM;
    switch (p) {
    case Pattern::Stream: return udp ? "UDP_STREAM" : "TCP_STREAM";
    case Pattern::Maerts: return udp ? "UDP_MAERTS" : "TCP_MAERTS";
    case Pattern::RR: return udp ? "UDP_RR" : "TCP_RR";
    case Pattern::CRR: return "TCP_CRR";
    case Pattern::CC: return "TCP_CC";
    }
    return "?";
}

}  // namespace

// ---- probe and option table ---------------------------------------------------

TEST(UringProbe, ReportsWhetherIoUringRunsHere) {
    std::unique_ptr<Transport> t;
    try {
        t = load_transport("uring");
    } catch (const Error &e) {
        GTEST_SKIP() << "uring plugin not built here: " << e.what();
    }
    char why[NP_ERRLEN] = "";
    int r = t->ops().probe(why, sizeof why);
    if (r != 0) {
        // Unusable: the reason names io_uring and the cause.
        EXPECT_NE(strstr(why, "uring"), nullptr) << why;
        GTEST_SKIP() << why;
    }
    // Usable: why lists only optional features this kernel lacks (if any).
    EXPECT_TRUE(why[0] == 0 || strncmp(why, "missing: ", 9) == 0) << why;
    EXPECT_TRUE(t->has_cap(NP_CAP_STREAM | NP_CAP_DGRAM | NP_CAP_CONNECT | NP_CAP_INET | NP_CAP_MULTISHOT));
    EXPECT_FALSE(t->has_cap(NP_CAP_BLOCKING)) << "the uring transport does not implement a blocking mode";
}

TEST(UringProbe, DeclaresItsOptions) {
    NEED_URING();
    const np_transport_ops &ops = uring()->ops();
    std::map<std::string, const np_option_desc *> by_name;
    for (uint32_t i = 0; i < ops.n_options; i++) by_name[ops.options[i].name] = &ops.options[i];
    struct {
        const char *name;
        uint32_t type;
    } want[] = {{"sqpoll", NP_OPT_BOOL},        {"sqpoll_cpu", NP_OPT_INT},     {"single_issuer", NP_OPT_BOOL},
                {"send_zc", NP_OPT_BOOL},       {"entries", NP_OPT_INT},        {"fixed_files", NP_OPT_BOOL},
                {"multishot", NP_OPT_BOOL},     {"registered_buffers", NP_OPT_BOOL}};
    for (auto &w : want) {
        ASSERT_TRUE(by_name.count(w.name)) << w.name;
        EXPECT_EQ(by_name[w.name]->type, w.type) << w.name;
        EXPECT_TRUE(by_name[w.name]->help && *by_name[w.name]->help) << w.name;
    }
    // The engine's buffers reach it through the appended optional op.
    EXPECT_GE(ops.struct_size, offsetof(np_transport_ops, register_buffers) + sizeof(void *));
    EXPECT_NE(ops.register_buffers, nullptr);
}

// ---- option validation ------------------------------------------------------------

TEST(UringOptions, DefaultsAndValidCombinationsAreAccepted) {
    NEED_URING();
    EXPECT_EQ(create_error({}), "");
    EXPECT_EQ(create_error({{"entries", "64"}, {"fixed_files", "0"}, {"multishot", "no"}}), "");
    EXPECT_EQ(create_error({{"single_issuer", "1"}, {"registered_buffers", "true"}}), "");
    EXPECT_EQ(create_error({{"sqpoll", "1"}, {"sqpoll_cpu", "0"}}), "");
    EXPECT_EQ(create_error({{"send_zc", "1"}, {"buffers", "64"}, {"buffer_size", "4096"}}), "");
}

TEST(UringOptions, BadValuesAreRefusedNamingTheOption) {
    NEED_URING();
    struct {
        Options opts;
        const char *must_name;
    } cases[] = {
        {{{"entries", "3"}}, "entries=3"},
        {{{"entries", "lots"}}, "entries=lots"},
        {{{"sqpoll", "maybe"}}, "sqpoll=maybe"},
        {{{"sqpoll_cpu", "1"}}, "needs sqpoll=1"},
        {{{"sqpoll", "1"}, {"sqpoll_cpu", "4095"}}, "sqpoll_cpu=4095"},
        {{{"sqpoll", "1"}, {"single_issuer", "1"}}, "single_issuer=1"},
        {{{"buffers", "100"}}, "buffers=100"},
        {{{"buffer_size", "0"}}, "buffer_size=0"},
        {{{"no_such_option", "1"}}, "no_such_option"},
    };
    for (auto &cs : cases) {
        std::string e = create_error(cs.opts);
        EXPECT_NE(e.find(cs.must_name), std::string::npos) << "error '" << e << "' should name " << cs.must_name;
        EXPECT_EQ(e.rfind("uring: ", 0), 0u) << e;
    }
}

// ---- ops on their own --------------------------------------------------------------

// One multishot RECV stays armed across more datagrams than the buffer ring
// holds (buffers go back as completions are reaped); CLOSE ends it with
// -ECANCELED, and the CLOSE completes after it.
TEST(UringOps, MultishotReceiveRecyclesBuffersAndCloseCancelsIt) {
    NEED_URING();
    for (const char *fixed : {"1", "0"}) {
        SCOPED_TRACE(std::string("fixed_files=") + fixed);
        Ctx c(uring()->ops(), {{"buffers", "8"}, {"buffer_size", "2048"}, {"fixed_files", fixed}});
        ASSERT_EQ(c.err, "");
        np_endpoint_spec spec = udp_spec();
        np_endpoint *ep = nullptr;
        char err[NP_ERRLEN] = "";
        ASSERT_EQ(c.ops.listen(c.ctx, &spec, &ep, err, sizeof err), 0) << err;
        np_endpoint_info info{};
        info.struct_size = sizeof info;
        ASSERT_EQ(c.ops.ep_info(c.ctx, ep, &info), 0);

        char buf[64];
        np_op rop{NP_OP_RECV, NP_OPF_MULTISHOT, 0, sizeof buf, ep, buf, nullptr, 7};
        ASSERT_EQ(c.ops.stage(c.ctx, &rop, 1), 1u);
        ASSERT_EQ(c.ops.commit(c.ctx), 0);

        int tx = socket(AF_INET, SOCK_DGRAM, 0);
        ASSERT_GE(tx, 0);
        char payload[100];
        memset(payload, 'x', sizeof payload);
        size_t received = 0, completions = 0, bytes = 0;
        for (int round = 0; round < 10; round++) {  // 10 x 6 datagrams through 8 buffers
            for (int i = 0; i < 6; i++)
                ASSERT_EQ(sendto(tx, payload, 10 + i, 0, reinterpret_cast<sockaddr *>(&info.local), info.local_len),
                          10 + i);
            for (auto &cm : reap_n(c, 6)) {
                EXPECT_EQ(cm.user, 7u);
                EXPECT_EQ(cm.ep, ep);
                EXPECT_TRUE(cm.flags & NP_CF_MORE) << "result " << cm.result;
                if (cm.result > 0) {
                    received++;
                    bytes += size_t(cm.result);
                }
                completions++;
            }
        }
        EXPECT_EQ(received, 60u);
        EXPECT_EQ(completions, 60u);
        EXPECT_EQ(bytes, size_t(10 * (10 + 11 + 12 + 13 + 14 + 15)));
        // More datagrams at once than the ring has buffers: the multishot
        // runs dry (-ENOBUFS) and is re-armed without the caller noticing.
        for (int i = 0; i < 20; i++)
            ASSERT_EQ(sendto(tx, payload, 50, 0, reinterpret_cast<sockaddr *>(&info.local), info.local_len), 50);
        auto burst = reap_n(c, 20);
        ASSERT_EQ(burst.size(), 20u);
        for (auto &cm : burst) {
            EXPECT_EQ(cm.result, 50);
            EXPECT_TRUE(cm.flags & NP_CF_MORE);
        }
        close(tx);

        np_op cl{NP_OP_CLOSE, 0, 0, 0, ep, nullptr, nullptr, 8};
        ASSERT_EQ(c.ops.stage(c.ctx, &cl, 1), 1u);
        c.ops.commit(c.ctx);
        auto done = reap_n(c, 2);
        ASSERT_EQ(done.size(), 2u);
        EXPECT_EQ(done[0].user, 7u);
        EXPECT_EQ(done[0].result, -ECANCELED);
        EXPECT_FALSE(done[0].flags & NP_CF_MORE);
        EXPECT_EQ(done[1].user, 8u);
        EXPECT_EQ(done[1].result, 0);
        EXPECT_EQ(done[1].ep, nullptr);
    }
}

// A multishot receiver on a track-peer endpoint learns the sender's
// address (recvmsg multishot), so a reply goes back to it.
TEST(UringOps, MultishotReceiveTracksThePeer) {
    NEED_URING();
    Ctx c(uring()->ops(), {});
    ASSERT_EQ(c.err, "");
    np_endpoint_spec spec = udp_spec(NP_EP_TRACK_PEER);
    np_endpoint *ep = nullptr;
    char err[NP_ERRLEN] = "";
    ASSERT_EQ(c.ops.listen(c.ctx, &spec, &ep, err, sizeof err), 0) << err;
    np_endpoint_info info{};
    info.struct_size = sizeof info;
    ASSERT_EQ(c.ops.ep_info(c.ctx, ep, &info), 0);
    char buf[64];
    np_op rop{NP_OP_RECV, NP_OPF_MULTISHOT, 0, sizeof buf, ep, buf, nullptr, 1};
    ASSERT_EQ(c.ops.stage(c.ctx, &rop, 1), 1u);
    c.ops.commit(c.ctx);

    int tx = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in me{};
    me.sin_family = AF_INET;
    me.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(bind(tx, reinterpret_cast<sockaddr *>(&me), sizeof me), 0);
    ASSERT_EQ(sendto(tx, "ping", 4, 0, reinterpret_cast<sockaddr *>(&info.local), info.local_len), 4);
    auto got = reap_n(c, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].result, 4);

    char reply[] = "pong";
    np_op sop{NP_OP_SEND, 0, 0, 4, ep, reply, nullptr, 2};
    ASSERT_EQ(c.ops.stage(c.ctx, &sop, 1), 1u);
    c.ops.commit(c.ctx);
    got = reap_n(c, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].user, 2u);
    EXPECT_EQ(got[0].result, 4);
    char in[8] = "";
    timeval tv{1, 0};
    setsockopt(tx, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(recv(tx, in, sizeof in, 0), 4);
    EXPECT_EQ(std::string(in, 4), "pong");
    close(tx);
}

// CONNECT and ACCEPT on the data path; a second CLOSE of a connection whose
// first is in flight fails (-EBADF) instead of freeing its slot twice.
TEST(UringOps, ConnectAcceptAndDoubleClose) {
    NEED_URING();
    for (const char *fixed : {"1", "0"}) {
        SCOPED_TRACE(std::string("fixed_files=") + fixed);
        Ctx c(uring()->ops(), {{"fixed_files", fixed}});
        ASSERT_EQ(c.err, "");
        np_endpoint_spec ls = udp_spec(NP_EP_REUSEADDR);
        ls.socktype = SOCK_STREAM;
        ls.protocol = IPPROTO_TCP;
        np_endpoint *lep = nullptr;
        char err[NP_ERRLEN] = "";
        ASSERT_EQ(c.ops.listen(c.ctx, &ls, &lep, err, sizeof err), 0) << err;
        np_endpoint_info info{};
        info.struct_size = sizeof info;
        ASSERT_EQ(c.ops.ep_info(c.ctx, lep, &info), 0);
        np_endpoint_spec cs = ls;
        cs.local_len = 0;
        cs.flags = NP_EP_NODELAY;
        cs.remote = info.local;
        cs.remote_len = info.local_len;
        np_op ops[2] = {{NP_OP_ACCEPT, 0, 0, 0, lep, nullptr, nullptr, 1},
                        {NP_OP_CONNECT, 0, 0, 0, nullptr, nullptr, &cs, 2}};
        ASSERT_EQ(c.ops.stage(c.ctx, ops, 2), 2u);
        c.ops.commit(c.ctx);
        auto got = reap_n(c, 2);
        ASSERT_EQ(got.size(), 2u);
        np_endpoint *client = nullptr, *server = nullptr;
        for (auto &cm : got) {
            EXPECT_EQ(cm.result, 0);
            (cm.user == 1 ? server : client) = cm.ep;
        }
        ASSERT_TRUE(client && server && client != server);
        // Socket options of a data-path connection came from the spec.
        np_endpoint_info ci{};
        ci.struct_size = sizeof ci;
        ASSERT_EQ(c.ops.ep_info(c.ctx, client, &ci), 0);
        EXPECT_GT(ci.mss, 0);
        EXPECT_EQ(sockaddr_len(ci.remote), info.local_len);

        np_op closes[2] = {{NP_OP_CLOSE, 0, 0, 0, client, nullptr, nullptr, 3},
                           {NP_OP_CLOSE, 0, 0, 0, client, nullptr, nullptr, 4}};
        ASSERT_EQ(c.ops.stage(c.ctx, closes, 2), 2u);
        c.ops.commit(c.ctx);
        got = reap_n(c, 2);
        ASSERT_EQ(got.size(), 2u);
        std::map<uint64_t, int64_t> res;
        for (auto &cm : got) res[cm.user] = cm.result;
        EXPECT_EQ(res[3], 0);
        EXPECT_EQ(res[4], -EBADF);
        // Two new connections get two distinct endpoints.
        np_op again[2] = {{NP_OP_CONNECT, 0, 0, 0, nullptr, nullptr, &cs, 5},
                          {NP_OP_CONNECT, 0, 0, 0, nullptr, nullptr, &cs, 6}};
        ASSERT_EQ(c.ops.stage(c.ctx, again, 2), 2u);
        c.ops.commit(c.ctx);
        got = reap_n(c, 2);
        ASSERT_EQ(got.size(), 2u);
        EXPECT_EQ(got[0].result, 0);
        EXPECT_EQ(got[1].result, 0);
        EXPECT_NE(got[0].ep, got[1].ep);
    }
}

// ---- the engine on both sides ------------------------------------------------------

struct PatternCase {
    Pattern pattern;
    int socktype;
    int family;
    int flows;
    const char *opts;  // "k=v,k=v" for both sides
};

Options parse_opts(const char *s) {
    Options o;
    std::string all(s);
    size_t pos = 0;
    while (pos < all.size()) {
        size_t comma = all.find(',', pos);
        if (comma == std::string::npos) comma = all.size();
        std::string kv = all.substr(pos, comma - pos);
        size_t eq = kv.find('=');
        if (eq != std::string::npos) o.push_back({kv.substr(0, eq), kv.substr(eq + 1)});
        pos = comma + 1;
    }
    return o;
}

class UringLoopback : public ::testing::TestWithParam<PatternCase> {};

TEST_P(UringLoopback, BothSidesAgree) {
    NEED_URING();
    const PatternCase &pc = GetParam();
    PairSetup su;
    su.pattern = pc.pattern;
    su.socktype = pc.socktype;
    su.family = pc.family;
    su.flows = pc.flows;
    su.client_opts = su.server_opts = parse_opts(pc.opts);
    su.client_t = su.server_t = uring();
    Pair p = run_pair(su);
    expect_agree(su, p);
    // TCP endpoint facts come from ep_info, on direct sockets too; the
    // buffer sizes from before connect from the connect chain's getsockopt
    // commands.
    if (pc.socktype == SOCK_STREAM && pc.pattern != Pattern::CC) {
        ASSERT_FALSE(p.client.flows.empty());
        EXPECT_GT(p.client.flows[0].mss, 0);
    }
    expect_initial_buffers(su, p);
}

std::string case_name(const ::testing::TestParamInfo<PatternCase> &info) {
    const PatternCase &pc = info.param;
    std::string n = pattern_label(pc.pattern, pc.socktype);
    if (pc.family == AF_INET6) n += "_v6";
    if (pc.flows > 1) n += "_" + std::to_string(pc.flows) + "flows";
    std::string o = pc.opts;
    for (char &ch : o)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
    if (!o.empty()) n += "_" + o;
    return n;
}

const PatternCase kEveryPattern[] = {
    {Pattern::Stream, SOCK_STREAM, AF_INET, 1, ""}, {Pattern::Maerts, SOCK_STREAM, AF_INET, 1, ""},
    {Pattern::RR, SOCK_STREAM, AF_INET, 1, ""},     {Pattern::CRR, SOCK_STREAM, AF_INET, 1, ""},
    {Pattern::CC, SOCK_STREAM, AF_INET, 1, ""},     {Pattern::Stream, SOCK_DGRAM, AF_INET, 1, ""},
    {Pattern::Maerts, SOCK_DGRAM, AF_INET, 1, ""},  {Pattern::RR, SOCK_DGRAM, AF_INET, 1, ""},
    {Pattern::Stream, SOCK_STREAM, AF_INET6, 1, ""}, {Pattern::RR, SOCK_STREAM, AF_INET6, 1, ""},
    {Pattern::CRR, SOCK_STREAM, AF_INET6, 1, ""},   {Pattern::RR, SOCK_DGRAM, AF_INET6, 1, ""},
    {Pattern::Stream, SOCK_STREAM, AF_INET, 4, ""}, {Pattern::RR, SOCK_STREAM, AF_INET, 4, ""},
    {Pattern::CRR, SOCK_STREAM, AF_INET, 3, ""},    {Pattern::Stream, SOCK_DGRAM, AF_INET, 4, ""},
    {Pattern::RR, SOCK_DGRAM, AF_INET, 3, ""},
};
INSTANTIATE_TEST_SUITE_P(Patterns, UringLoopback, ::testing::ValuesIn(kEveryPattern), case_name);

// Each option changes how ops are issued, not what they do.
std::vector<PatternCase> option_cases() {
    const char *opts[] = {"fixed_files=0", "multishot=0", "registered_buffers=1", "single_issuer=1",
                          "send_zc=1", "registered_buffers=1,send_zc=1", "fixed_files=0,registered_buffers=1",
                          "sqpoll=1", "entries=16"};
    std::vector<PatternCase> v;
    for (const char *o : opts)
        for (auto [p, st] : {std::pair{Pattern::Stream, SOCK_STREAM}, {Pattern::Maerts, SOCK_STREAM},
                             {Pattern::RR, SOCK_STREAM}, {Pattern::CRR, SOCK_STREAM}, {Pattern::Stream, SOCK_DGRAM},
                             {Pattern::RR, SOCK_DGRAM}})
            v.push_back({p, st, AF_INET, 1, o});
    return v;
}
INSTANTIATE_TEST_SUITE_P(Options, UringLoopback, ::testing::ValuesIn(option_cases()), case_name);

// ---- the same wire as the sockets transport ------------------------------------------

class UringWithSockets : public ::testing::TestWithParam<std::tuple<Pattern, int, bool>> {};

TEST_P(UringWithSockets, EitherSideMayBeSockets) {
    NEED_URING();
    auto [pattern, socktype, uring_client] = GetParam();
    PairSetup su;
    su.pattern = pattern;
    su.socktype = socktype;
    su.client_t = uring_client ? uring() : &sockets();
    su.server_t = uring_client ? &sockets() : uring();
    expect_agree(su, run_pair(su));
}

INSTANTIATE_TEST_SUITE_P(
    Mixed, UringWithSockets,
    ::testing::Combine(::testing::Values(Pattern::Stream, Pattern::Maerts, Pattern::RR, Pattern::CRR),
                       ::testing::Values(SOCK_STREAM), ::testing::Bool()));
INSTANTIATE_TEST_SUITE_P(MixedUdp, UringWithSockets,
                         ::testing::Combine(::testing::Values(Pattern::Stream, Pattern::RR),
                                            ::testing::Values(SOCK_DGRAM), ::testing::Bool()));

// ---- system calls: what batching buys (counts, not speed) ------------------------------

// A ping-pong transaction is one io_uring_enter: the send and the wait for
// the response are submitted and waited for together.
TEST(UringSyscalls, RequestResponseCostsOneEnterPerTransaction) {
    NEED_URING();
    for (int socktype : {SOCK_STREAM, SOCK_DGRAM}) {
        PairSetup su;
        su.pattern = Pattern::RR;
        su.socktype = socktype;
        su.client_t = su.server_t = uring();
        Pair p = run_pair(su);
        uint64_t tx = p.client.total.transactions;
        ASSERT_GT(tx, 100u);
        EXPECT_LE(double(p.client.transport_syscalls), 1.1 * double(tx) + 20)
            << socktype << ": " << p.client.transport_syscalls << " syscalls for " << tx << " transactions";
        EXPECT_LE(double(p.server.transport_syscalls), 1.1 * double(p.server.total.transactions) + 20);
    }
}

// A datagram sender with a window of 16 submits many sends per enter.
TEST(UringSyscalls, DatagramWindowBatchesSends) {
    NEED_URING();
    PairSetup su;
    su.pattern = Pattern::Stream;
    su.socktype = SOCK_DGRAM;
    su.client_t = su.server_t = uring();
    su.window = 16;
    Pair p = run_pair(su);
    uint64_t sent = p.client.total.send_calls;
    ASSERT_GT(sent, 1000u);
    EXPECT_LT(double(p.client.transport_syscalls), 0.25 * double(sent))
        << p.client.transport_syscalls << " syscalls for " << sent << " datagrams";
}

// send_zc says at the end how many sends the kernel copied (all of them on
// loopback).
TEST(UringSendZc, ReportsCopiedSends) {
    NEED_URING();
    PairSetup su;
    su.pattern = Pattern::RR;
    su.client_t = su.server_t = uring();
    su.client_opts = {{"send_zc", "1"}};
    testing::internal::CaptureStderr();
    Pair p = run_pair(su);
    std::string note = testing::internal::GetCapturedStderr();
    expect_agree(su, p);
    EXPECT_NE(note.find("uring: send_zc: "), std::string::npos) << note;
    EXPECT_NE(note.find("were copied by the kernel"), std::string::npos) << note;
}

int main(int argc, char **argv) {
    // Registered-buffer sends are WRITE_FIXED, which (like write(2)) raises
    // SIGPIPE on a reset connection; netperf and netserver ignore it too.
    signal(SIGPIPE, SIG_IGN);
    ::testing::InitGoogleTest(&argc, argv);
    int r = RUN_ALL_TESTS();
    if (r == 0 && !uring()) {
        printf("uring transport skipped: %s\n", g_skip.c_str());
        return 77;
    }
    return r;
}
