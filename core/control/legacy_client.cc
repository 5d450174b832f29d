// netperf's side of netperf 2.x's control protocol: how our netperf runs a
// test against a stock netserver 2.7 (or any netserver with --legacy).
// Every test goes through DO_OMNI, as a 2.7 client built with OMNI (the
// default) does; TCP_CC too, as an OMNI connect test that moves no data.
//
// One iteration (run()):
//
//   netperf (this file)                        netserver 2.7
//   [PASSPHRASE, sent by ClientSession::open]
//   datagram tests: data socket bound first, its port goes in the request
//   DO_OMNI (38 words converted)  ---------->  creates, binds, listens
//                                 <----------  OMNI_RESPONSE (18 words): data port,
//                                              buffer and message sizes, CPU rate;
//                                              serv_errno != 0: "remote error N"
//   data: connect / sendto the data port =====> netperf's engine, 2.7's conventions:
//                                              TCP half-close and wait for EOF, UDP
//                                              three empty datagrams, CRR waits for
//                                              the server's close
//                                 <----------  OMNI_RESULTS (27 words; cong_control raw;
//                                              2.7 double-swaps the header: its
//                                              response_type is not looked at)
//   (next DO_OMNI for the next confidence iteration, on the same connection)
//   close(): shutdown(SHUT_WR), wait for the server's EOF
//
// A stock netserver cannot be told the test is over: for TCP_CRR (and a UDP
// stream whose end datagrams were dropped) its results come test length +
// 4 s after the start (QUIRKS.md 15, 16); the rates are unaffected, they
// come from this side's elapsed time, as in 2.7.
#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>

#include <netperf/addr.h>

#include "legacy_omni.h"
#include "local_run.h"
#include "sessions.h"

namespace netperf {

namespace {

using namespace legacy;

// What a netserver 2.7 returns when it cannot set the test up.
Error remote_error(int32_t err) {
    std::string why = err == wire::kUnknownTestErrno ? "the netserver does not know this test" : strerror(err);
    return Error("remote error " + std::to_string(err) + ": " + why);
}

// Tests netperf 2.x's protocol cannot carry to a stock netserver.
void check_legacy_capable(const TestSpec &s) {
    if (s.family == AF_UNIX)
        throw Error(s.test_name + " (Unix-domain sockets) needs netperf 3's netserver: this netserver speaks only "
                                  "netperf 2.x's protocol, which carries TCP and UDP tests");
    if (s.protocol != IPPROTO_TCP && s.protocol != IPPROTO_UDP)
        throw Error(s.test_name + " needs netperf 3's netserver: over netperf 2.x's protocol this netperf runs TCP "
                                  "and UDP tests");
    if (s.flows > 1)
        throw Error("--flows " + std::to_string(s.flows) +
                    " needs netperf 3's netserver: netperf 2.x's protocol runs one connection per test");
    if ((!s.remote_transport.empty() && s.remote_transport != "sockets") || !s.remote_transport_options.empty())
        throw Error("a netserver speaking netperf 2.x's protocol uses plain sockets: it cannot run transport '" +
                    s.transport_of(true) + "' or remote transport options");
}

// 2.7's ring width for a stream side: buffer / message + 1, at least 2.
uint32_t stream_width(int64_t socket_buffer, int64_t message) {
    if (message <= 0) return 2;
    int64_t w = socket_buffer / message + 1;
    return uint32_t(std::max<int64_t>(w, 2));
}

class LegacyClient : public ClientSession {
  public:
    LegacyClient(std::unique_ptr<ControlConn> conn, ClientOptions opt) : conn_(std::move(conn)), opt_(std::move(opt)) {}

    bool modern() const override { return false; }
    std::string server_version() const override { return "2.x"; }
    TestResult run(const TestSpec &spec, const IntervalSink &sink) override;

    void close() override {
        if (!conn_) return;
        // 2.7's shutdown_control(): half-close, then wait for the server's close.
        conn_->shutdown_write();
        conn_->readable(2000);
        conn_.reset();
    }

  private:
    OmniRequest request_for(const TestSpec &s, const SidePlan &plan, const sockaddr_storage &local_data,
                            const sockaddr_storage *explicit_target) const;
    bool server_gone() const { return conn_->peer_closed(); }

    std::unique_ptr<ControlConn> conn_;
    ClientOptions opt_;
};

OmniRequest LegacyClient::request_for(const TestSpec &s, const SidePlan &plan, const sockaddr_storage &local_data,
                                      const sockaddr_storage *explicit_target) const {
    const bool rr = s.pattern == Pattern::RR || s.pattern == Pattern::CRR;
    const bool we_send = s.pattern == Pattern::Stream || rr;
    const bool we_recv = s.pattern == Pattern::Maerts || rr;
    OmniRequest q;
    q.cpu_bind = s.cpu.remote;
    q.send_buf_size = s.sndbuf.remote;
    q.send_size = s.send_size.remote > 0 ? uint32_t(s.send_size.remote) : uint32_t(-1);
    q.send_alignment = uint32_t(s.send_align.remote);
    q.send_offset = uint32_t(s.send_offset.remote);
    // Our own ring widths, as 2.7 reports them (the server echoes them).
    q.send_width = !we_send ? 0 : rr ? 1 : stream_width(plan.sizes.sndbuf, plan.cfg.send_size);
    q.request_size = rr ? int32_t(s.request_size) : -1;
    q.recv_buf_size = s.rcvbuf.remote;
    q.receive_size = s.recv_size.remote > 0 ? uint32_t(s.recv_size.remote) : uint32_t(-1);
    q.recv_alignment = uint32_t(s.recv_align.remote);
    q.recv_offset = uint32_t(s.recv_offset.remote);
    q.recv_width = !we_recv ? 0 : rr ? 1 : stream_width(plan.sizes.rcvbuf, plan.cfg.recv_size);
    q.response_size = rr ? int32_t(s.response_size) : -1;
    if (s.nodelay) q.flags |= kOmniNoDelay;
    if (s.is_connect_test()) q.flags |= kOmniConnectTest;
    if (s.measure_cpu.remote) q.flags |= kOmniMeasureCpu;
    // Also "send me your congestion control" (2.7's OMNI_WANT_REM_CONG).
    if (s.routing) q.flags |= kOmniRoutingAllowed;
    if (s.keepalive) q.flags |= kOmniWantKeepalive;
    if (s.count > 0)
        q.test_length = int32_t(-std::min<int64_t>(s.count, INT32_MAX));
    else
        q.test_length = int32_t(std::lround(std::min(s.duration_s, double(INT32_MAX))));
    q.data_port = uint32_t(s.data_port.remote);
    q.ipfamily = af_to_nf(s.family);
    q.socket_type = socktype_to_nst(s.socktype);
    q.protocol = uint32_t(s.protocol);
    // The server's point of view: it receives what we send.
    q.direction = (we_send ? kDirRecv : 0) | (we_recv ? kDirXmit : 0);
    // Our data address when the socket is bound (datagrams, or -P local port).
    if (local_data.ss_family != AF_UNSPEC) {
        q.netperf_port = uint32_t(addr_port(local_data));
        address_to_words(local_data, q.netperf_ip);
    }
    q.interval_burst = uint32_t(std::max(s.pace_burst.remote, 0));
    q.interval_usecs = uint32_t(std::clamp<int64_t>(s.pace_interval_us.remote, 0, UINT32_MAX));
    // The server binds the data address only when the user named it (test -H).
    if (explicit_target) address_to_words(*explicit_target, q.netserver_ip);
    q.socket_prio = s.priority.remote;
    q.socket_tos = s.tos.remote;
    q.cong_control = s.cong_control.remote;
    q.fill_file = s.fill_file.remote;
    return q;
}

TestResult LegacyClient::run(const TestSpec &spec, const IntervalSink &sink) {
    if (!conn_) throw Error("the control connection is closed");
    check_legacy_capable(spec);
    const Transport &transport = cached_transport(spec.transport);
    transport.validate_options(spec.transport_options);

    auto [peer, self] = control_ends(conn_->fd());
    // Data family: the test's (-4/-6 test options), else the control
    // connection's.
    int family = spec.family != AF_UNSPEC ? spec.family : peer.ss_family;
    if (family != peer.ss_family && spec.data_remote_host.empty() &&
        control_addr(conn_->fd(), true, family).ss_family != family)
        throw Error(std::string("the control connection is ") + family_name(peer.ss_family) +
                    " but the test asks for " + family_name(family) + ": give the data host with -- -H");
    TestSpec wire_spec = spec;
    wire_spec.family = family;
    check_transport_caps(transport, wire_spec, family);

    sockaddr_storage target = control_addr(conn_->fd(), true, family);
    bool explicit_target = !spec.data_remote_host.empty();
    if (explicit_target) target = resolve(spec.data_remote_host, 0, family, spec.socktype);

    SidePlan plan = plan_side(wire_spec, Role::Client, family, &self);
    // Receiving datagrams from a stock netserver: its three empty end
    // datagrams may be lost behind a full queue; 2.7's netperf stops at its
    // own timer, and so does this side (not test length + grace later).
    if (plan.cfg.dgram && plan.cfg.action == Action::RecvStream && spec.count == 0 && spec.duration_s > 0)
        plan.cfg.hard_at_soft = true;
    // Receiving a timed byte stream (TCP_MAERTS): end it on our timer, as
    // 2.7's netperf does; our netserver waits for that end (peer_ends_first).
    if (!plan.cfg.dgram && plan.cfg.action == Action::RecvStream && spec.count == 0 && spec.duration_s > 0)
        plan.cfg.receiver_ends_stream = true;
    Run run(transport, plan.cfg);
    np_endpoint_spec t = plan.tmpl;
    if (!spec.data_local_host.empty() || spec.data_port.local > 0) {
        t.local = spec.data_local_host.empty() ? any_address(family, spec.data_port.local)
                                               : resolve(spec.data_local_host, spec.data_port.local, family);
        t.local_len = sockaddr_len(t.local);
    } else if (plan.cfg.dgram) {
        t.local = any_address(family, 0);
        t.local_len = sockaddr_len(t.local);
    }
    // The data address the request names: a datagram socket is bound now
    // (2.7 binds it before asking), a stream one only when a port was given.
    sockaddr_storage local_data{};
    if (plan.cfg.dgram)
        local_data = run.open_datagram({t}).at(0);
    else if (spec.data_port.local > 0)
        local_data = t.local;

    conn_->send_legacy(request_for(wire_spec, plan, local_data, explicit_target ? &target : nullptr).to_message(),
                       kOmniRequestConv);
    OmniResponse rsp = OmniResponse::from_message(conn_->recv_legacy(kOmniResponseConv, opt_.timeout_ms));
    if (rsp.serv_errno) throw remote_error(rsp.serv_errno);
    if (rsp.data_port == 0 || rsp.data_port > 65535)
        throw Error("netserver answered with data port " + std::to_string(rsp.data_port));
    set_port(target, int(rsp.data_port));
    if (plan.cfg.dgram) {
        run.set_peers({target});
    } else {
        t.remote = target;
        t.remote_len = sockaddr_len(target);
        run.set_connect_specs({t});
    }

    uint64_t wall_start = wall_ns();
    bool gone = false;
    LocalRunOutput lo = drive_run(run, opt_.interval_s, spec.measure_cpu.local, sink, [&] {
        if (server_gone()) gone = true;
        return gone;
    });
    if (gone) throw Error("netserver closed the control connection during the test");

    TestResult tr;
    tr.spec = wire_spec;
    tr.transport = spec.transport;
    tr.legacy_peer = true;
    tr.remote_version = server_version();
    tr.start_wall_ns = wall_start;
    tr.local_start_ns = lo.run.start_ns;
    tr.partial = lo.interrupted;
    tr.local = side_from_run(lo.run, plan, lo.cpu, wire_spec, Role::Client);
    tr.elapsed_s = lo.run.elapsed_s;
    tr.intervals = std::move(lo.intervals);
    tr.local_family = tr.remote_family = family;
    tr.local_addr = family == AF_INET6 ? "::" : "0.0.0.0";
    if (!spec.data_local_host.empty()) tr.local_addr = spec.data_local_host;
    tr.remote_addr = addr_host(target);
    tr.local_port_req = spec.data_port.local;
    tr.remote_port_req = spec.data_port.remote;

    // An interrupted run still asks for the server's side, but not for long:
    // a stock netserver may sit in its padded timer.
    int wait_ms = lo.interrupted ? (kPadTime + 2) * 1000 : opt_.timeout_ms;
    OmniResults res;
    try {
        res = OmniResults::from_message(conn_->recv_legacy(kOmniResultsConv, wait_ms));
    } catch (const Error &) {
        if (!lo.interrupted) throw;
        conn_.reset();  // the session cannot go on past a missing results message
    }
    if (res.serv_errno) throw remote_error(res.serv_errno);

    FlowReport fr;
    if (!lo.run.flows.empty()) fr = local_flow_report(lo.run.flows.front());
    if (conn_) {
        SideResult &R = tr.remote;
        R.present = true;
        R.counters.bytes_received = res.bytes_received;
        R.counters.bytes_sent = res.bytes_sent;
        R.counters.recv_calls = res.recv_calls;
        R.counters.send_calls = res.send_calls;
        R.counters.transactions = res.trans_received;
        R.counters.send_errors = res.failed_sends;
        R.counters.connects = spec.is_connect_test() ? res.trans_received : 0;
        R.elapsed_s = res.elapsed_time;
        if (rsp.flags & kOmniMeasureCpu) {
            // 2.7 reports the whole machine's utilisation; service demand is
            // computed here from it and this side's work, as 2.7 does.
            R.cpu.measured = true;
            R.cpu.util = res.cpu_util;
            R.cpu.user = res.cpu_user;
            R.cpu.system = res.cpu_system;
            R.cpu.iowait = res.cpu_iowait;
            R.cpu.irq = res.cpu_irq;
            R.cpu.softirq = res.cpu_swintr;
            R.cpu.num_cpus = int(res.num_cpus);
            R.cpu.peak_cpu = res.peak_cpu_id;
            R.cpu.peak_util = res.peak_cpu_util;
        }
        R.sndbuf_req = spec.sndbuf.remote;
        R.rcvbuf_req = spec.rcvbuf.remote;
        R.sndbuf = rsp.send_buf_size;
        R.rcvbuf = rsp.recv_buf_size;
        R.sndbuf_end = res.send_buf_size;
        R.rcvbuf_end = res.recv_buf_size;
        R.send_size = int32_t(rsp.send_size);
        R.recv_size = int32_t(rsp.receive_size);
        R.send_width = rsp.send_width;
        R.recv_width = rsp.recv_width;
        R.retransmits = res.transport_retrans;
        if (spec.routing && spec.protocol == IPPROTO_TCP) R.cong_control = res.cong_control;
        R.cpu_bind = spec.cpu.remote;
        fr.remote = R.counters;
        fr.remote_present = true;
    }
    tr.flows.push_back(std::move(fr));
    check_moved_data(tr, lo.run);
    return tr;
}

}  // namespace

double remote_cpu_rate(const ClientOptions &opt, int *cpus) {
    auto conn = ControlConn::connect(opt.host, opt.port, opt.family, opt.local_host, opt.local_port, 10000);
    if (!opt.passphrase.empty()) {
        wire::Message p;
        p.type = wire::kPassphrase;
        p.word1 = -1;
        p.set_str(0, 648, opt.passphrase);
        conn->send_legacy(p, 0);
    }
    // 2.7's calibrate_remote_cpu(): an all-zero CPU_CALIBRATE; the answer
    // carries the rate (a float) and the number of CPUs, fully converted.
    wire::Message m;
    m.type = wire::kCpuCalibrate;
    conn->send_legacy(m, wire::kAllWords);
    wire::Message r = conn->recv_legacy(wire::kAllWords, opt.timeout_ms + 40000);
    if (r.word1) throw remote_error(r.word1);
    if (cpus) *cpus = r.i32(1);
    conn->shutdown_write();
    conn->readable(2000);
    return r.f32(0);
}

std::unique_ptr<ClientSession> make_legacy_client(std::unique_ptr<ControlConn> conn, const ClientOptions &opt) {
    return std::make_unique<LegacyClient>(std::move(conn), opt);
}

}  // namespace netperf
