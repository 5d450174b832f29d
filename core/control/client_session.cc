// netperf's side of the control protocol.  See control.h for the modern
// handshake; the legacy (netperf 2.x) client lives in legacy_client.cc.
#include <chrono>
#include <climits>
#include <cstring>
#include <thread>
#include <unistd.h>

#include <netinet/in.h>

#include <netperf/addr.h>
#include <netperf/result_json.h>
#include <netperf/spec_json.h>

#include "local_run.h"
#include "sessions.h"

namespace netperf {

using nlohmann::json;

namespace {

// Where the data connections go: the server reports its bound addresses
// (often the wildcard); the host part comes from what the client used.
std::vector<sockaddr_storage> data_targets(const json &ready, const sockaddr_storage &control_peer,
                                           const TestSpec &spec, int family) {
    auto it = ready.find("data");
    if (it == ready.end() || !it->is_array() || it->size() != size_t(spec.flows))
        throw Error("netserver's ready message has no data address per flow");
    std::vector<sockaddr_storage> out;
    sockaddr_storage host = control_peer;
    if (!spec.data_remote_host.empty() && family != AF_UNIX) host = resolve(spec.data_remote_host, 0, family);
    for (auto &a : *it) {
        if (!a.is_string()) throw Error("netserver sent a malformed data address");
        sockaddr_storage ss = parse_addr(a.get<std::string>());
        if (ss.ss_family != AF_UNIX) {
            int port = addr_port(ss);
            ss = host;
            set_port(ss, port);
        }
        out.push_back(ss);
    }
    return out;
}

class ModernClient : public ClientSession {
  public:
    ModernClient(std::unique_ptr<ControlConn> conn, ClientOptions opt, std::string version)
        : conn_(std::move(conn)), opt_(std::move(opt)), version_(std::move(version)) {}

    bool modern() const override { return true; }
    std::string server_version() const override { return version_; }

    void close() override {
        if (!conn_) return;
        conn_->shutdown_write();
        conn_->readable(2000);
        conn_.reset();
    }

    TestResult run(const TestSpec &spec, const IntervalSink &sink) override { return run_at(spec, sink, 0); }
    TestResult run_at(const TestSpec &spec, const IntervalSink &sink, uint64_t start_at) override;
    int64_t clock_offset_ns() const override { return offset_; }
    int64_t clock_rtt_ns() const override { return rtt_; }

  private:
    // NTP-style offset of the server's monotonic clock from ours: of eight
    // exchanges, the one with the shortest round trip wins (its error is at
    // most half that round trip).
    void measure_clock() {
        rtt_ = INT64_MAX;
        for (int i = 0; i < 8; i++) {
            int64_t t1 = int64_t(now_ns());
            conn_->send_json(json{{"type", "time"}});
            json r = conn_->recv_json(opt_.timeout_ms);
            int64_t t4 = int64_t(now_ns());
            if (r["type"] != "time" || !r["recv"].is_number_integer() || !r["send"].is_number_integer())
                throw Error("netserver answered a clock probe with an unexpected message");
            int64_t t2 = r["recv"].get<int64_t>(), t3 = r["send"].get<int64_t>();
            int64_t rtt = (t4 - t1) - (t3 - t2);
            if (rtt < rtt_) {
                rtt_ = rtt;
                offset_ = ((t2 - t1) + (t3 - t4)) / 2;
            }
        }
        clock_known_ = true;
    }

    std::unique_ptr<ControlConn> conn_;
    ClientOptions opt_;
    std::string version_;
    bool clock_known_ = false;
    int64_t offset_ = 0, rtt_ = -1;
};

TestResult ModernClient::run_at(const TestSpec &spec, const IntervalSink &sink, uint64_t start_at) {
    if (start_at && !clock_known_) measure_clock();
    const Transport &transport = cached_transport(spec.transport);
    transport.validate_options(spec.transport_options);

    auto [peer, self] = control_ends(conn_->fd());
    // Data family: the test's (-4/-6 test options, unix tests), else the
    // control connection's.  A v4-mapped control peer stays v4 for data.
    int family = spec.family != AF_UNSPEC ? spec.family : peer.ss_family;
    if (family != AF_UNIX && family != peer.ss_family && spec.data_remote_host.empty())
        throw Error(std::string("the control connection is ") + family_name(peer.ss_family) +
                    " but the test asks for " + family_name(family) + ": give the data host with -- -H");
    TestSpec wire_spec = spec;
    wire_spec.family = family;

    conn_->send_json(json{{"type", "test"}, {"spec", spec_to_json(wire_spec)}});
    json ready = conn_->recv_json(opt_.timeout_ms);
    if (ready["type"] == "error")
        throw Error("netserver refused the test: " +
                    (ready.contains("message") && ready["message"].is_string() ? ready["message"].get<std::string>()
                                                                              : std::string("no reason given")));
    if (ready["type"] != "ready") throw Error("netserver answered the test request with an unexpected message");

    SidePlan plan = plan_side(wire_spec, Role::Client, family, &self);
    std::vector<sockaddr_storage> targets = data_targets(ready, peer, wire_spec, family);
    Run run(transport, plan.cfg);

    std::vector<np_endpoint_spec> per_flow(size_t(spec.flows), plan.tmpl);
    std::vector<std::string> unix_paths;
    for (int i = 0; i < spec.flows; i++) {
        np_endpoint_spec &t = per_flow[size_t(i)];
        if (family == AF_UNIX) {
            if (plan.cfg.dgram) {
                // A datagram client needs its own path for the replies.
                std::string path = "/tmp/netperf3-c" + std::to_string(getpid()) + "-" + std::to_string(i) + ".sock";
                unlink(path.c_str());
                t.local = unix_address(path);
                t.local_len = sockaddr_len(t.local);
                unix_paths.push_back(path);
            }
        } else if (!spec.data_local_host.empty() || spec.data_port.local > 0) {
            t.local = spec.data_local_host.empty() ? any_address(family, spec.data_port.local)
                                                   : resolve(spec.data_local_host, spec.data_port.local, family);
            if (spec.data_port.local > 0) set_port(t.local, spec.data_port.local + i);
            t.local_len = sockaddr_len(t.local);
        } else if (plan.cfg.dgram) {
            t.local = any_address(family, 0);
            t.local_len = sockaddr_len(t.local);
        }
        t.remote = targets[size_t(i)];
        t.remote_len = sockaddr_len(t.remote);
    }
    struct Unlinker {
        std::vector<std::string> &p;
        ~Unlinker() {
            for (auto &s : p) unlink(s.c_str());
        }
    } unlinker{unix_paths};

    json peers = json::array();
    if (plan.cfg.dgram) {
        auto locals = run.open_datagram(per_flow);
        for (auto &a : locals) {
            sockaddr_storage x = a;
            // The server sends to this address (UDP maerts): name our side of
            // the control connection rather than the wildcard.  An endpoint
            // bound to an address of its own (a DPDK port's ip=) keeps it.
            bool wildcard =
                (x.ss_family == AF_INET && reinterpret_cast<sockaddr_in &>(x).sin_addr.s_addr == htonl(INADDR_ANY)) ||
                (x.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<sockaddr_in6 &>(x).sin6_addr));
            if (x.ss_family != AF_UNIX && wildcard) {
                int port = addr_port(x);
                x = self;
                set_port(x, port);
            }
            peers.push_back(format_addr(x));
        }
    } else {
        run.set_connect_specs(per_flow);
    }

    json start{{"type", "start"}, {"peers", peers}};
    if (start_at) start["start_at"] = int64_t(start_at) + offset_;  // in the server's clock
    conn_->send_json(start);
    uint64_t wall_start = wall_ns();
    if (start_at > now_ns()) wall_start += start_at - now_ns();
    LocalRunOutput lo = drive_run(run, opt_.interval_s, spec.measure_cpu.local, sink, {}, start_at);
    conn_->send_json(json{{"type", "stop"}});
    json res = conn_->recv_json(opt_.timeout_ms);
    if (res["type"] == "error")
        throw Error("netserver failed the test: " +
                    (res.contains("message") && res["message"].is_string() ? res["message"].get<std::string>() : ""));
    if (res["type"] != "results") throw Error("netserver sent an unexpected message instead of results");

    TestResult tr;
    tr.spec = wire_spec;
    tr.transport = spec.transport;
    tr.remote_version = version_;
    tr.start_wall_ns = wall_start;
    tr.synchronized = start_at != 0;
    tr.clock_offset_ns = offset_;
    tr.clock_rtt_ns = rtt_;
    tr.local_start_ns = lo.run.start_ns;
    if (res.contains("start_ns") && res["start_ns"].is_number_integer() && res["start_ns"].get<int64_t>() > 0 &&
        clock_known_)
        tr.remote_start_ns = uint64_t(res["start_ns"].get<int64_t>() - offset_);
    tr.partial = lo.interrupted;
    tr.local = side_from_run(lo.run, plan, lo.cpu, wire_spec, Role::Client);
    tr.elapsed_s = lo.run.elapsed_s;
    tr.intervals = std::move(lo.intervals);
    if (auto it = res.find("side"); it != res.end()) side_from_json(*it, tr.remote);
    tr.local_family = family;
    tr.remote_family = family;
    tr.local_addr = family == AF_INET6 ? "::" : family == AF_UNIX ? "" : "0.0.0.0";
    if (!spec.data_local_host.empty()) tr.local_addr = spec.data_local_host;
    tr.remote_addr = family == AF_UNIX ? "" : addr_host(targets[0]);
    tr.local_port_req = spec.data_port.local;
    tr.remote_port_req = spec.data_port.remote;
    json rflows = res.contains("flows") && res["flows"].is_array() ? res["flows"] : json::array();
    for (auto &f : lo.run.flows) {
        FlowReport fr = local_flow_report(f);
        if (size_t(f.index) < rflows.size() && rflows[size_t(f.index)].is_object()) {
            fr.remote = counters_from_json(rflows[size_t(f.index)]);
            fr.remote_present = true;
        }
        tr.flows.push_back(std::move(fr));
    }
    check_moved_data(tr, lo.run);
    return tr;
}

}  // namespace

ControlEnds control_ends(int fd) {
    ControlEnds e;
    socklen_t pl = sizeof e.peer, sl = sizeof e.self;
    getpeername(fd, reinterpret_cast<sockaddr *>(&e.peer), &pl);
    getsockname(fd, reinterpret_cast<sockaddr *>(&e.self), &sl);
    return e;
}

FlowReport local_flow_report(const FlowResult &f) {
    FlowReport fr;
    fr.index = f.index;
    fr.worker = f.worker;
    fr.cpu = f.cpu;
    fr.local = f.counters;
    fr.elapsed_s = f.elapsed_s;
    fr.latency = f.latency;
    fr.error = f.error;
    return fr;
}

void check_moved_data(const TestResult &tr, const RunResult &run) {
    if (!tr.local.error.empty() && !tr.partial && run.total.transactions == 0 &&
        run.total.bytes_sent + run.total.bytes_received == 0)
        throw Error("the test moved no data: " + tr.local.error);
}

TestResult ClientSession::run_at(const TestSpec &spec, const IntervalSink &sink, uint64_t start_at) {
    // No agreed instant with this server: start locally at start_at.
    while (now_ns() < start_at) std::this_thread::sleep_for(std::chrono::microseconds(100));
    TestResult r = run(spec, sink);
    r.synchronized = false;
    return r;
}

std::unique_ptr<ClientSession> ClientSession::open(const ClientOptions &opt) {
    auto conn = ControlConn::connect(opt.host, opt.port, opt.family, opt.local_host, opt.local_port, 10000);
    if (!opt.passphrase.empty()) {
        // netperf 2.7's -Z: the passphrase goes first, header-only conversion.
        wire::Message m;
        m.type = wire::kPassphrase;
        m.word1 = -1;
        m.set_str(0, 648, opt.passphrase);
        conn->send_legacy(m, 0);
    }
    if (opt.force_legacy) return make_legacy_client(std::move(conn), opt);
    wire::Message hello;
    hello.type = wire::kModernHello;
    hello.word1 = -1;
    hello.set_u32(0, kModernMagic);
    hello.set_u32(1, kModernVersion);
    hello.set_str(8, 64, NETPERF_VERSION);
    conn->send_legacy(hello, 8);
    wire::Message reply = conn->recv_legacy(8, opt.timeout_ms);
    if (reply.type == wire::kModernHelloReply && reply.u32(0) == kModernMagic) {
        if (reply.word1 != 0) throw Error("netserver refused the session (error " + std::to_string(reply.word1) + ")");
        return std::make_unique<ModernClient>(std::move(conn), opt, reply.str(8, 64));
    }
    if (reply.word1 == wire::kUnknownTestErrno) {
        // A netperf 2.x netserver: it did not know the hello and kept the
        // connection open; continue in its protocol.
        return make_legacy_client(std::move(conn), opt);
    }
    throw Error("netserver answered the hello with an unexpected message (type " + std::to_string(reply.type) +
                ", error " + std::to_string(reply.word1) + ")");
}

}  // namespace netperf
