// netserver's side of netperf 2.x's control protocol: what a stock netperf
// 2.7 (or ours with --legacy) gets when it connects to our netserver.
//
// One test, as the code below runs it:
//
//   netperf                                   netserver (this file)
//   [PASSPHRASE]                 ---------->  checked by serve_connection (server.cc)
//   DO_OMNI (38 words converted) ---------->  every field validated, capped by
//                                             ServerLimits; data endpoint bound
//                                             (requested port and address, SO_REUSEADDR)
//                                <----------  OMNI_RESPONSE (18 words converted):
//                                             data port, buffer sizes,
//                                             CPU rate; serv_errno != 0 = refused,
//                                             nothing listens, the session goes on
//   data connection / datagrams  ==========>  the engine runs until the client's end of
//                                             stream, its empty end datagrams, the count,
//                                             or (CRR, UDP) nothing arriving for a short
//                                             idle window once the test length is over
//                                <----------  OMNI_RESULTS (27 words converted, cong_control
//                                             raw)
//   next request (confidence
//   iterations), or shutdown     ---------->  EOF: the session ends
//
// The classic (pre-OMNI) codes a netperf built without OMNI sends
// (DO_TCP_STREAM 10, DO_TCP_RR 13, DO_UDP_STREAM 16, DO_UDP_RR 19, DO_TCP_CRR
// 34, DO_TCP_MAERTS 94, DO_TCP_CC 300) run the same way, with their own
// layouts (every word converted, byte counts as big-endian doubles) and
// response codes (request + 1, results request + 2).
//
// Requests without a test: CPU_CALIBRATE -> type 5 (rate, number of CPUs);
// DO_SYSINFO -> 601 with 2.7's string; DEBUG_ON/OFF -> DEBUG_OK (no effect);
// a later PASSPHRASE is ignored; any other code -> serv_errno 998, and the
// session goes on, as with a stock netserver (PROTOCOL.md §3).
//
// Where 2.7 differs on purpose (docs/compatibility.md): its netserver waits
// for test length + 4 s when the client cannot say it is done (TCP_CRR;
// UDP_STREAM with lost end datagrams); ours ends once nothing has arrived
// for kIdleEnd past the test length and reports the time up to the last
// activity.  Results messages carry their proper type (99) in
// network order, not 2.7's double-swapped header, and fields we do not
// measure are zero, not leftovers of the first response.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netperf/addr.h>
#include <netperf/cpu.h>

#include "legacy_omni.h"
#include "local_run.h"
#include "sessions.h"

namespace netperf {

namespace {

using namespace legacy;

// Idle between control messages after which a session is dropped.
constexpr int kIdleMs = 600000;
// A CRR or UDP test whose client has gone quiet this long past the test
// length is over (2.7 waits for its 4 s pad instead).  Counted runs end by
// their count; for them this only catches a client that vanished.
constexpr double kIdleEnd = 0.2, kIdleEndCounted = 2.0;

void log(const ServerOptions &opt, int level, const std::string &msg) {
    if (opt.verbose >= level) fprintf(stderr, "netserver: %s\n", msg.c_str());
}

// A request we do not run: the errno 2.7 would put in serv_errno, and why.
struct Refusal {
    int err;
    std::string why;
};

[[noreturn]] void refuse(int err, const std::string &why) { throw Refusal{err, why}; }

// The errno behind an Error from the engine or a transport: its message
// ends in strerror() text ("data endpoint: bind: Address already in use").
int errno_of(const std::string &msg) {
    int best = 0;
    size_t best_len = 0;
    for (int e = 1; e < 134; e++) {
        const char *s = strerror(e);
        size_t n = strlen(s);
        if (n > best_len && strncmp(s, "Unknown error", 13) != 0 && msg.find(s) != std::string::npos) {
            best = e;
            best_len = n;
        }
    }
    return best ? best : EINVAL;
}

// A test as this server runs it, whichever message asked for it.
struct LegacyTest {
    TestSpec spec;            // this server's values are the .remote ones
    sockaddr_storage bind{};  // data endpoint (port = requested, 0 = any)
    sockaddr_storage peer{};  // datagrams: where to send before anything arrived
    bool want_cong = false;   // return the congestion control (OMNI flag 0x20, TCP)
};

// The set-up data endpoint, between response and results.
struct Prepared {
    SidePlan plan;
    std::unique_ptr<Run> run;
    int data_port = 0;
};

// What the run measured, in the terms both results layouts use.
struct Outcome {
    SideResult side;
    double elapsed = 0;
    int32_t serv_errno = 0;
};

int clamp_size(uint32_t v) {
    // 2.7 sends -1 (or 0 from classic clients) for "netserver chooses".
    if (v == uint32_t(-1) || v == 0) return -1;
    if (v > uint32_t(INT32_MAX)) refuse(EINVAL, "size " + std::to_string(v) + " out of range");
    return int(v);
}

int32_t buffer_request(int32_t v) { return v > 0 ? v : -1; }

// The CPU a client asked this side to run on (request header word 1).
int cpu_request(int32_t cpu) {
    if (cpu == -1) return -1;
    long n = sysconf(_SC_NPROCESSORS_CONF);
    if (cpu < 0 || cpu >= n || cpu >= CPU_SETSIZE)
        refuse(EINVAL, "CPU " + std::to_string(cpu) + " does not exist here (" + std::to_string(n) + " CPUs)");
    return cpu;
}

void set_length(TestSpec &s, int32_t test_length) {
    if (test_length > 0) {
        s.duration_s = test_length;
        s.count = 0;
    } else if (test_length < 0) {
        s.duration_s = 0;
        s.count = -int64_t(test_length);
    } else {
        s.duration_s = 0;  // untimed: until the client ends it
        s.count = 0;
    }
}

class LegacyServerSession {
  public:
    LegacyServerSession(ControlConn &c, const ServerOptions &o) : conn_(c), opt_(o) {}
    void serve(wire::Message first);

  private:
    void on_omni(const wire::Message &m);
    void on_classic(const wire::Message &m);
    void on_calibrate();
    void on_sysinfo();
    void answer_unknown(const wire::Message &m);

    LegacyTest test_from_omni(const OmniRequest &r);
    LegacyTest test_from_classic(const ClassicRequest &r);
    void finish_spec(LegacyTest &t, int family);
    Prepared prepare(const LegacyTest &t);
    Outcome execute(const LegacyTest &t, Prepared &p);
    bool client_gone() const;

    ControlConn &conn_;
    const ServerOptions &opt_;
};

void LegacyServerSession::serve(wire::Message m) {
    for (;;) {
        switch (m.type) {
        case wire::kDoOmni:
            on_omni(m);
            break;
        case wire::kCpuCalibrate:
            on_calibrate();
            break;
        case wire::kDoSysinfo:
            on_sysinfo();
            break;
        case kDebugOn:
        case kDebugOff: {
            // Remote control of our verbosity is not offered; the answer is
            // what 2.7 sends, so a client that asks carries on.
            wire::Message r;
            r.type = kDebugOk;
            conn_.send_legacy(r, wire::kAllWords);
            break;
        }
        case wire::kPassphrase:
            break;  // 2.7 ignores a passphrase it did not ask for
        default:
            if (is_classic_code(m.type))
                on_classic(m);
            else
                answer_unknown(m);
            break;
        }
        uint8_t buf[wire::kMessageSize];
        if (!conn_.recv_exact(buf, sizeof buf, kIdleMs)) return;  // the client closed
        m = wire::decode(buf, wire::kAllWords);
    }
}

void LegacyServerSession::answer_unknown(const wire::Message &m) {
    log(opt_, 1, "unknown request " + std::to_string(m.type) + ": answered with error 998");
    wire::Message r;
    r.type = 0;  // 2.7 leaves whatever its response buffer held: 0 at first
    r.word1 = wire::kUnknownTestErrno;
    conn_.send_legacy(r, wire::kAllWords);
}

void LegacyServerSession::on_calibrate() {
    // On Linux 2.7's "calibration" is the clock tick rate (/proc/stat).
    wire::Message r;
    r.type = wire::kCpuCalibrate;
    r.set_f32(0, float(sysconf(_SC_CLK_TCK)));
    r.set_i32(1, online_cpus());
    conn_.send_legacy(r, wire::kAllWords);
}

void LegacyServerSession::on_sysinfo() {
    wire::Message r;
    r.type = kSysinfoResponse;
    r.set_str(0, wire::kDataWords * 4, ",Deprecated,Deprecated,Deprecated,Deprecated");
    conn_.send_legacy(r, 0);  // header only: the string travels raw
}

// The peer's close counts even behind bytes it sent that we never read: a
// peek at the first byte would see data and miss the close behind it.
bool LegacyServerSession::client_gone() const { return conn_.peer_closed(); }

// Family, addresses and the checks every test shares.
void LegacyServerSession::finish_spec(LegacyTest &t, int family) {
    TestSpec &s = t.spec;
    s.family = family;
    s.transport = "sockets";  // a 2.x client speaks plain sockets on the data path
    s.flows = 1;
    s.threads = 1;
    try {
        s.check_limits(opt_.limits);
    } catch (const Error &e) {
        refuse(EINVAL, e.what());
    }
}

LegacyTest LegacyServerSession::test_from_omni(const OmniRequest &r) {
    LegacyTest t;
    TestSpec &s = t.spec;
    int family = nf_to_af(r.ipfamily);
    if (family < 0) refuse(EAFNOSUPPORT, "address family code " + std::to_string(r.ipfamily));
    if (family == AF_UNSPEC) family = control_addr(conn_.fd(), false, AF_UNSPEC).ss_family;
    int socktype = nst_to_socktype(r.socket_type);
    if (socktype < 0) refuse(ESOCKTNOSUPPORT, "socket type code " + std::to_string(r.socket_type));
    int protocol = int(r.protocol);
    if (protocol == 0) protocol = socktype == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
    if (!((protocol == IPPROTO_TCP && socktype == SOCK_STREAM) || (protocol == IPPROTO_UDP && socktype == SOCK_DGRAM)))
        refuse(EPROTONOSUPPORT, "protocol " + std::to_string(r.protocol) + " over socket type " +
                                    std::to_string(r.socket_type) + " (TCP and UDP are served)");
    s.socktype = socktype;
    s.protocol = protocol;

    if (r.direction & ~(kDirXmit | kDirRecv)) refuse(EINVAL, "direction " + std::to_string(r.direction));
    bool xmit = r.direction & kDirXmit, recv = r.direction & kDirRecv;
    if (r.flags & kOmniConnectTest) {
        if (xmit != recv) refuse(EINVAL, "a connection test either sends both ways or not at all");
        s.pattern = xmit ? Pattern::CRR : Pattern::CC;
    } else if (xmit && recv) {
        s.pattern = Pattern::RR;
    } else if (recv) {
        s.pattern = Pattern::Stream;
    } else if (xmit) {
        s.pattern = Pattern::Maerts;
    } else {
        refuse(EINVAL, "no direction: the test would move nothing");
    }
    if (s.pattern == Pattern::RR || s.pattern == Pattern::CRR) {
        s.request_size = r.request_size;
        s.response_size = r.response_size;
    }
    s.send_size.remote = clamp_size(r.send_size);
    s.recv_size.remote = clamp_size(r.receive_size);
    s.sndbuf.remote = buffer_request(r.send_buf_size);
    s.rcvbuf.remote = buffer_request(r.recv_buf_size);
    s.send_align.remote = int32_t(r.send_alignment);
    s.send_offset.remote = int32_t(r.send_offset);
    s.recv_align.remote = int32_t(r.recv_alignment);
    s.recv_offset.remote = int32_t(r.recv_offset);
    s.nodelay = (r.flags & kOmniNoDelay) && protocol == IPPROTO_TCP;
    s.routing = r.flags & kOmniRoutingAllowed;
    s.keepalive = r.flags & kOmniWantKeepalive;
    s.measure_cpu.remote = r.flags & kOmniMeasureCpu;
    t.want_cong = (r.flags & kOmniRoutingAllowed) && protocol == IPPROTO_TCP;
    set_length(s, r.test_length);
    s.cpu.remote = cpu_request(r.cpu_bind);

    if (r.interval_burst > 0 && r.interval_usecs > 0) {
        if (r.interval_burst > uint32_t(opt_.limits.max_burst) || r.interval_usecs > 10000000)
            refuse(EINVAL, "pacing of " + std::to_string(r.interval_burst) + " per " +
                               std::to_string(r.interval_usecs) + " us");
        s.pace_burst.remote = int32_t(r.interval_burst);
        s.pace_interval_us.remote = r.interval_usecs;
    }
    if (r.socket_prio < -1) refuse(EINVAL, "socket priority " + std::to_string(r.socket_prio));
    if (r.socket_tos < -1 || r.socket_tos > 255) refuse(EINVAL, "TOS " + std::to_string(r.socket_tos));
    s.priority.remote = r.socket_prio;
    s.tos.remote = r.socket_tos;
    if (protocol == IPPROTO_TCP && !r.cong_control.empty()) {
        if (r.cong_control.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
            std::string::npos)
            refuse(EINVAL, "congestion control name is not a plain name");
        s.cong_control.remote = r.cong_control;
    }
    if (!r.fill_file.empty()) {
        try {
            s.fill_file.remote = server_fill_path(opt_, r.fill_file);
        } catch (const Error &e) {
            refuse(EACCES, e.what());
        }
    }

    if (r.data_port > 65535) refuse(EINVAL, "data port " + std::to_string(r.data_port));
    t.bind = address_words_zero(r.netserver_ip) ? any_address(family, int(r.data_port))
                                                : address_from_words(r.netserver_ip, family, int(r.data_port));
    if (socktype == SOCK_DGRAM && r.netperf_port > 0 && r.netperf_port <= 65535) {
        // Where netperf's datagram socket is bound; a wildcard names no host,
        // so the client's control address stands in for it (2.7 would send
        // to 0.0.0.0, which reaches only a client on this host).
        t.peer = address_words_zero(r.netperf_ip) ? control_addr(conn_.fd(), true, family)
                                                  : address_from_words(r.netperf_ip, family, 0);
        if (t.peer.ss_family != family) refuse(EINVAL, "netperf's data address is not of the test's family");
        set_port(t.peer, int(r.netperf_port));
    }
    if (s.pattern == Pattern::Maerts && socktype == SOCK_DGRAM && t.peer.ss_family == AF_UNSPEC)
        refuse(EINVAL, "a UDP test where netserver sends needs netperf's data port (netperf_port)");
    finish_spec(t, family);
    return t;
}

// A pre-OMNI request: each code is one fixed test; sizes of 0 mean "this
// side chooses", the data endpoint binds the requested port on the wildcard.
LegacyTest LegacyServerSession::test_from_classic(const ClassicRequest &r) {
    LegacyTest t;
    TestSpec &s = t.spec;
    int family = nf_to_af(r.ipfamily);
    if (family < 0) refuse(EAFNOSUPPORT, "address family code " + std::to_string(r.ipfamily));
    if (family == AF_UNSPEC) family = control_addr(conn_.fd(), false, AF_UNSPEC).ss_family;
    bool udp = r.code == wire::kDoUdpStream || r.code == wire::kDoUdpRR;
    s.socktype = udp ? SOCK_DGRAM : SOCK_STREAM;
    s.protocol = udp ? IPPROTO_UDP : IPPROTO_TCP;
    switch (r.code) {
    case wire::kDoTcpStream:
    case wire::kDoUdpStream: s.pattern = Pattern::Stream; break;
    case wire::kDoTcpMaerts: s.pattern = Pattern::Maerts; break;
    case wire::kDoTcpRR:
    case wire::kDoUdpRR: s.pattern = Pattern::RR; break;
    case wire::kDoTcpCRR: s.pattern = Pattern::CRR; break;
    default: s.pattern = Pattern::CC; break;
    }
    if (s.pattern == Pattern::RR || s.pattern == Pattern::CRR) {
        if (r.request_size <= 0 || r.response_size <= 0)
            refuse(EINVAL, "request/response sizes " + std::to_string(r.request_size) + "," +
                               std::to_string(r.response_size));
        s.request_size = r.request_size;
        s.response_size = r.response_size;
    }
    if (r.code == wire::kDoUdpStream) {
        if (r.message_size <= 0) refuse(EINVAL, "message size " + std::to_string(r.message_size));
        s.recv_size.remote = r.message_size;
    } else {
        s.recv_size.remote = clamp_size(uint32_t(r.receive_size));
        s.send_size.remote = clamp_size(uint32_t(r.send_size));
    }
    s.sndbuf.remote = buffer_request(r.send_buf_size);
    s.rcvbuf.remote = buffer_request(r.recv_buf_size);
    s.send_align.remote = r.send_alignment;
    s.send_offset.remote = r.send_offset;
    s.recv_align.remote = r.recv_alignment;
    s.recv_offset.remote = r.recv_offset;
    s.nodelay = r.no_delay && !udp;
    s.routing = true;
    s.measure_cpu.remote = r.measure_cpu;
    set_length(s, r.test_length);
    s.cpu.remote = cpu_request(r.cpu_bind);
    if (r.port < 0 || r.port > 65535) refuse(EINVAL, "data port " + std::to_string(r.port));
    t.bind = any_address(family, r.port);
    finish_spec(t, family);
    return t;
}

Prepared LegacyServerSession::prepare(const LegacyTest &t) {
    const TestSpec &s = t.spec;
    Prepared p;
    try {
        const Transport &tr = cached_transport(s.transport);
        check_transport_caps(tr, s, s.family);
        sockaddr_storage self = control_addr(conn_.fd(), false, s.family);
        p.plan = plan_side(s, Role::Server, s.family, &self);
        EngineConfig &c = p.plan.cfg;
        bool counted = s.count > 0;
        // Timed: 2.7's arming (length + PAD_TIME) is the hard limit; counted
        // or untimed: the longest test this server allows.
        c.duration_s = s.duration_s > 0 ? s.duration_s : opt_.limits.max_duration_s;
        c.count = s.count;  // senders and connect servers stop at it; receivers end on EOF
        c.grace_s = kPadTime;
        bool dgram_receiver = c.dgram && (c.action == Action::RecvStream || c.action == Action::RRServer);
        if ((dgram_receiver || c.action == Action::ConnectServer) && (s.duration_s > 0 || counted))
            c.idle_end_s = counted ? kIdleEndCounted : kIdleEnd;
        // A timed TCP_MAERTS: the 2.x client ends the stream on its timer
        // (see EngineConfig::peer_ends_first).
        c.peer_ends_first = c.action == Action::SendStream && !c.dgram && s.duration_s > 0;
        np_endpoint_spec e = p.plan.tmpl;
        e.local = t.bind;
        e.local_len = sockaddr_len(e.local);
        if (t.peer.ss_family != AF_UNSPEC) {
            e.remote = t.peer;
            e.remote_len = sockaddr_len(t.peer);
        }
        p.run = std::make_unique<Run>(tr, c);
        auto addrs = p.run->listen({e});
        if (c.dgram && c.action == Action::SendStream) p.run->set_peers({t.peer});
        p.data_port = addr_port(addrs.at(0));
    } catch (const Error &e) {
        refuse(errno_of(e.what()), e.what());
    }
    return p;
}

Outcome LegacyServerSession::execute(const LegacyTest &t, Prepared &p) {
    bool gone = false;
    // A client that vanished (^C, crash) leaves nothing to wait for.
    auto abort = [&] {
        if (client_gone()) gone = true;
        return gone;
    };
    LocalRunOutput lo = drive_run(*p.run, 0, t.spec.measure_cpu.remote, {}, abort);
    p.run.reset();  // the data endpoint closes before the results leave (2.7 order)
    if (gone) throw Error("the client went away during the test");
    Outcome o;
    o.side = side_from_run(lo.run, p.plan, lo.cpu, t.spec, Role::Server);
    o.elapsed = lo.run.elapsed_s;
    bool timed_out = std::any_of(lo.run.flows.begin(), lo.run.flows.end(), [](auto &f) { return f.timed_out; });
    // Stopped by the padded limit: like 2.7, do not count the pad.
    if (timed_out && t.spec.duration_s > 0) o.elapsed = std::max(0.0, o.elapsed - kPadTime);
    const CounterSnapshot &c = lo.run.total;
    if (!lo.run.error.empty() && c.bytes_received + c.bytes_sent + c.transactions == 0) {
        o.serv_errno = errno_of(lo.run.error);
        log(opt_, 1, "test failed: " + lo.run.error);
    }
    return o;
}

void LegacyServerSession::on_omni(const wire::Message &raw) {
    wire::Message m = raw;
    wire::reconvert(m, kOmniRequestConv, wire::kDataWords);  // strings travel raw
    OmniRequest req = OmniRequest::from_message(m);
    OmniResponse resp;
    resp.socket_prio = req.socket_prio;
    resp.socket_tos = req.socket_tos;
    LegacyTest t;
    Prepared p;
    try {
        t = test_from_omni(req);
        p = prepare(t);
    } catch (const Refusal &r) {
        log(opt_, 1, "OMNI request refused: " + r.why);
        resp.serv_errno = r.err;
        conn_.send_legacy(resp.to_message(), kOmniResponseConv);
        return;
    }
    const TestSpec &s = t.spec;
    const EngineConfig &c = p.plan.cfg;
    bool sends = s.pattern != Pattern::Stream && s.pattern != Pattern::CC;
    bool receives = s.pattern != Pattern::Maerts && s.pattern != Pattern::CC;
    bool rr = s.is_transactional();
    resp.recv_buf_size = p.plan.sizes.rcvbuf;
    resp.send_buf_size = p.plan.sizes.sndbuf;
    // Sizes and widths this side uses where it sends or receives; echoes
    // of the request elsewhere, as 2.7 answers.
    resp.receive_size = receives ? uint32_t(rr ? s.request_size : c.recv_size) : req.receive_size;
    resp.recv_width = receives ? c.recv_width : int32_t(req.recv_width);
    resp.send_size = sends ? uint32_t(rr ? s.response_size : c.send_size) : req.send_size;
    resp.send_width = sends ? c.send_width : int32_t(req.send_width);
    if (s.nodelay) resp.flags |= kOmniNoDelay;
    if (s.measure_cpu.remote) {
        resp.flags |= kOmniMeasureCpu;
        resp.cpu_rate = float(sysconf(_SC_CLK_TCK));
    }
    resp.data_port = uint32_t(p.data_port);
    resp.interval_burst = uint32_t(s.pace_burst.remote);
    resp.interval_usecs = uint32_t(s.pace_interval_us.remote);
    conn_.send_legacy(resp.to_message(), kOmniResponseConv);

    Outcome o = execute(t, p);
    const SideResult &sd = o.side;
    OmniResults res;
    res.serv_errno = o.serv_errno;
    res.bytes_received = sd.counters.bytes_received;
    res.recv_calls = uint32_t(sd.counters.recv_calls);
    res.recv_buf_size = sd.rcvbuf_end > 0 ? sd.rcvbuf_end : sd.rcvbuf;
    res.bytes_sent = sd.counters.bytes_sent;
    res.send_calls = uint32_t(sd.counters.send_calls);
    res.send_buf_size = sd.sndbuf_end > 0 ? sd.sndbuf_end : sd.sndbuf;
    res.failed_sends = uint32_t(sd.counters.send_errors);
    res.trans_received = uint32_t(sd.counters.transactions);
    res.elapsed_time = float(o.elapsed);
    if (sd.cpu.measured) {
        res.cpu_util = float(sd.cpu.util);
        res.cpu_user = float(sd.cpu.user);
        res.cpu_system = float(sd.cpu.system);
        res.cpu_iowait = float(sd.cpu.iowait);
        res.cpu_irq = float(sd.cpu.irq);
        res.cpu_swintr = float(sd.cpu.softirq);
        res.cpu_method = kCpuMethodProcStat;
        res.num_cpus = uint32_t(sd.cpu.num_cpus);
        res.peak_cpu_id = sd.cpu.peak_cpu;
        res.peak_cpu_util = float(sd.cpu.peak_util);
    }
    // A connection test has no connection left to ask (2.7 sends -1 too).
    res.transport_retrans = s.protocol == IPPROTO_TCP && !s.is_connect_test() ? sd.retransmits : -1;
    if (t.want_cong) res.cong_control = sd.cong_control;
    conn_.send_legacy(res.to_message(), kOmniResultsConv);
}

void LegacyServerSession::on_classic(const wire::Message &m) {
    ClassicRequest req = ClassicRequest::from_message(m);
    ClassicResponse resp;
    LegacyTest t;
    Prepared p;
    try {
        t = test_from_classic(req);
        p = prepare(t);
    } catch (const Refusal &r) {
        log(opt_, 1, "request " + std::to_string(req.code) + " refused: " + r.why);
        resp.serv_errno = r.err;
        conn_.send_legacy(resp.to_message(req.code), wire::kAllWords);
        return;
    }
    const TestSpec &s = t.spec;
    const EngineConfig &c = p.plan.cfg;
    resp.recv_buf_size = p.plan.sizes.rcvbuf;
    resp.send_buf_size = p.plan.sizes.sndbuf;
    resp.receive_size = s.pattern == Pattern::Stream ? int32_t(c.recv_size) : req.receive_size;
    resp.send_size = s.pattern == Pattern::Maerts ? int32_t(c.send_size) : req.send_size;
    resp.no_delay = s.nodelay;
    resp.test_length = req.test_length;
    resp.data_port = p.data_port;
    if (s.measure_cpu.remote) {
        resp.measure_cpu = true;
        resp.cpu_rate = float(sysconf(_SC_CLK_TCK));
    }
    conn_.send_legacy(resp.to_message(req.code), wire::kAllWords);

    Outcome o = execute(t, p);
    const SideResult &sd = o.side;
    ClassicResults res;
    res.serv_errno = o.serv_errno;
    res.recv_calls = uint32_t(sd.counters.recv_calls);
    res.send_calls = uint32_t(sd.counters.send_calls);
    res.trans_received = uint32_t(sd.counters.transactions);
    res.elapsed_time = float(o.elapsed);
    if (s.pattern == Pattern::Maerts)
        res.bytes_sent = sd.counters.bytes_sent;
    else if (s.is_transactional())
        res.bytes_received = sd.counters.bytes_received + sd.counters.bytes_sent;
    else
        res.bytes_received = sd.counters.bytes_received;
    if (req.code == wire::kDoUdpStream && s.recv_size.remote > 0)
        res.messages_recvd = uint32_t(sd.counters.bytes_received / uint64_t(s.recv_size.remote));
    res.recv_buf_size = sd.rcvbuf_end > 0 ? sd.rcvbuf_end : sd.rcvbuf;
    res.send_buf_size = sd.sndbuf_end > 0 ? sd.sndbuf_end : sd.sndbuf;
    res.num_cpus = online_cpus();
    if (sd.cpu.measured) {
        res.cpu_util = float(sd.cpu.util);
        res.cpu_method = int32_t(kCpuMethodProcStat);
        res.num_cpus = sd.cpu.num_cpus;
    }
    conn_.send_legacy(res.to_message(req.code), wire::kAllWords);
}

}  // namespace

void serve_legacy(ControlConn &conn, const ServerOptions &opt, wire::Message first) {
    LegacyServerSession(conn, opt).serve(first);
}

}  // namespace netperf
