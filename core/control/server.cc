// netserver: the accept loop and the modern session.  One thread per
// control connection (control is not the hot path); each test's data runs on
// its own pinned workers.  Every message is validated before use; a bad one
// gets an error reply or a closed connection, never a crash.
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <netperf/addr.h>
#include <netperf/result_json.h>
#include <netperf/spec_json.h>

#include "local_run.h"
#include "sessions.h"

namespace netperf {

using nlohmann::json;

namespace {

std::atomic<bool> g_server_stop{false};
std::atomic<int> g_sessions{0};

void on_term(int) { g_server_stop.store(true); }

void log(const ServerOptions &opt, int level, const std::string &msg) {
    if (opt.verbose >= level) fprintf(stderr, "netserver: %s\n", msg.c_str());
}

// Idle limit between control messages: a session nobody talks to ends.
constexpr int kIdleMs = 600000;

class ModernServerSession {
  public:
    ModernServerSession(ControlConn &c, const ServerOptions &o) : conn_(c), opt_(o) {}
    ~ModernServerSession() { cleanup(); }
    void serve();

  private:
    void on_test(const json &msg);
    void on_start(const json &msg);
    void send_error(const std::string &m) { conn_.send_json(json{{"type", "error"}, {"message", m}}); }
    void cleanup() {
        run_.reset();
        for (auto &p : unix_paths_) unlink(p.c_str());
        unix_paths_.clear();
    }

    ControlConn &conn_;
    const ServerOptions &opt_;
    TestSpec spec_;
    SidePlan plan_;
    std::unique_ptr<Run> run_;
    std::vector<std::string> unix_paths_;
    int family_ = AF_INET;
};

void ModernServerSession::serve() {
    for (;;) {
        json msg;
        try {
            msg = conn_.recv_json(kIdleMs);
        } catch (const Error &e) {
            log(opt_, 2, std::string("session ends: ") + e.what());
            return;
        }
        const std::string type = msg["type"].get<std::string>();
        try {
            if (type == "time") {
                // Clock probe: our monotonic clock when the probe arrived and
                // when the answer leaves (the client estimates the offset).
                int64_t recv_at = int64_t(now_ns());
                conn_.send_json(json{{"type", "time"}, {"recv", recv_at}, {"send", int64_t(now_ns())}});
            } else if (type == "test") {
                on_test(msg);
            } else if (type == "start") {
                on_start(msg);
            } else {
                send_error("unexpected message '" + type.substr(0, 32) + "'");
            }
        } catch (const Error &e) {
            log(opt_, 1, e.what());
            cleanup();
            try {
                send_error(e.what());
            } catch (const Error &) {
                return;
            }
        }
    }
}

void ModernServerSession::on_test(const json &msg) {
    cleanup();
    auto it = msg.find("spec");
    if (it == msg.end()) throw Error("test request without a spec");
    spec_ = spec_from_json(*it);
    spec_.check_limits(opt_.limits);
    spec_.fill_file.remote = server_fill_path(opt_, spec_.fill_file.remote);
    const Transport &t = cached_transport(spec_.transport_of(true));
    t.validate_options(spec_.transport_options_of(true));
    family_ = spec_.family;
    if (family_ == AF_UNSPEC) {
        sockaddr_storage self{};
        socklen_t sl = sizeof self;
        getsockname(conn_.fd(), reinterpret_cast<sockaddr *>(&self), &sl);
        family_ = self.ss_family;
    }
    check_transport_caps(t, spec_, family_);
    sockaddr_storage self{};
    socklen_t self_len = sizeof self;
    getsockname(conn_.fd(), reinterpret_cast<sockaddr *>(&self), &self_len);
    plan_ = plan_side(spec_, Role::Server, family_, &self);
    // A counted or open-ended test still ends at the longest test this
    // server allows (plus the pad), whatever the client does.
    if (plan_.cfg.duration_s <= 0) plan_.cfg.duration_s = opt_.limits.max_duration_s;
    plan_.cfg.grace_s = opt_.pad_s;
    run_ = std::make_unique<Run>(t, plan_.cfg);
    std::vector<np_endpoint_spec> per_flow(size_t(spec_.flows), plan_.tmpl);
    for (int i = 0; i < spec_.flows; i++) {
        np_endpoint_spec &e = per_flow[size_t(i)];
        if (family_ == AF_UNIX) {
            static std::atomic<unsigned> seq{0};
            std::string path = "/tmp/netperf3-s" + std::to_string(getpid()) + "-" + std::to_string(seq++) + ".sock";
            unlink(path.c_str());
            e.local = unix_address(path);
            unix_paths_.push_back(path);
        } else {
            int port = spec_.data_port.remote > 0 ? spec_.data_port.remote + i : 0;
            if (port > 65535) throw Error("data port range exceeds 65535");
            e.local = any_address(family_, port);
        }
        e.local_len = sockaddr_len(e.local);
    }
    auto addrs = run_->listen(per_flow);
    json data = json::array();
    for (auto &a : addrs) data.push_back(format_addr(a));
    conn_.send_json(json{{"type", "ready"},
                         {"data", data},
                         {"sndbuf", plan_.sizes.sndbuf},
                         {"rcvbuf", plan_.sizes.rcvbuf},
                         {"send_size", plan_.cfg.send_size},
                         {"recv_size", plan_.cfg.recv_size},
                         {"num_cpus", online_cpus()}});
}

void ModernServerSession::on_start(const json &msg) {
    if (!run_) throw Error("start without a test");
    if (plan_.cfg.dgram && plan_.cfg.action == Action::SendStream) {
        // UDP maerts: the client told us where it listens.
        auto it = msg.find("peers");
        if (it == msg.end() || !it->is_array() || it->size() != size_t(spec_.flows))
            throw Error("start message needs one peer address per flow");
        std::vector<sockaddr_storage> peers;
        for (auto &p : *it) {
            if (!p.is_string()) throw Error("malformed peer address");
            peers.push_back(parse_addr(p.get<std::string>()));
        }
        run_->set_peers(peers);
    }
    bool stop_seen = false, gone = false;
    uint64_t stop_at = 0;
    // The run ends by itself (EOF, end datagrams, deadline) or when the
    // client says its side is over: then receivers get 200 ms to drain
    // datagrams still queued, and whatever is still open is abandoned.
    // drive_run polls this every few milliseconds.
    auto abort = [&]() {
        if (stop_seen) return now_ns() > stop_at + 200000000ull;
        if (!conn_.readable(0)) return false;
        try {
            json m = conn_.recv_json(1000);
            if (m["type"] == "stop") {
                stop_seen = true;
                stop_at = now_ns();
                run_->finish();
            }
            return false;
        } catch (const Error &) {
            gone = true;
            return true;
        }
    };
    // An agreed start instant (our clock) is honoured if it is sane: not in
    // the past by more than a second, at most a minute ahead.
    uint64_t start_at = 0;
    if (auto it = msg.find("start_at"); it != msg.end()) {
        if (!it->is_number_integer()) throw Error("start_at must be an integer");
        int64_t t = it->get<int64_t>(), now = int64_t(now_ns());
        if (t < now - 1000000000ll || t > now + 60000000000ll)
            throw Error("start_at is not within a minute from now (clocks out of step?)");
        start_at = uint64_t(std::max(t, now));
    }
    LocalRunOutput lo = drive_run(*run_, 0, spec_.measure_cpu.remote, {}, abort, start_at);
    if (gone) {
        cleanup();
        throw Error("client went away during the test");
    }
    if (!stop_seen) {
        json m = conn_.recv_json(kIdleMs);
        if (m["type"] != "stop") throw Error("expected stop, got '" + m["type"].get<std::string>().substr(0, 32) + "'");
    }
    SideResult side = side_from_run(lo.run, plan_, lo.cpu, spec_, Role::Server);
    json flows = json::array();
    for (auto &f : lo.run.flows) flows.push_back(counters_to_json(f.counters));
    conn_.send_json(json{{"type", "results"},
                         {"side", side_to_json(side)},
                         {"flows", flows},
                         {"start_ns", int64_t(lo.run.start_ns)}});
    cleanup();
}

// Reads the first message of a connection (and the passphrase, if one is
// configured) and hands the session to the protocol it speaks.
void serve_connection(int fd, const ServerOptions &opt) {
    ControlConn conn(fd);
    try {
        wire::Message first = conn.recv_legacy(-1, opt.passphrase.empty() ? kIdleMs : 20000);
        if (!opt.passphrase.empty()) {
            wire::Message raw = first;
            wire::reconvert(raw, 0, wire::kDataWords);  // the passphrase travels raw
            if (first.type != wire::kPassphrase || raw.str(0, 648) != opt.passphrase) {
                log(opt, 1, "passphrase missing or wrong: closing the connection");
                return;
            }
            first = conn.recv_legacy(-1, kIdleMs);
        }
        while (first.type == wire::kPassphrase) first = conn.recv_legacy(-1, kIdleMs);
        if (first.type == wire::kModernHello && first.u32(0) == kModernMagic) {
            serve_modern(conn, opt, first);
        } else {
            serve_legacy(conn, opt, first);
        }
    } catch (const Error &e) {
        log(opt, 2, std::string("connection ends: ") + e.what());
    } catch (const std::exception &e) {
        log(opt, 1, std::string("session failed: ") + e.what());
    }
}

std::vector<int> open_listeners(const ServerOptions &opt, int &port_out) {
    std::vector<int> fds;
    std::vector<sockaddr_storage> addrs;
    if (!opt.listen_host.empty()) {
        addrs = resolve_all(opt.listen_host, opt.port, opt.family);
        addrs.resize(1);
    } else if (opt.family == AF_INET) {
        addrs.push_back(any_address(AF_INET, opt.port));
    } else {
        // netperf 2.7's default: one dual-stack IPv6 wildcard listener, IPv4 as
        // the fallback where IPv6 is unavailable.
        addrs.push_back(any_address(AF_INET6, opt.port));
    }
    std::string last;
    for (auto &a : addrs) {
        int fd = socket(a.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 && a.ss_family == AF_INET6 && opt.listen_host.empty() && opt.family == AF_UNSPEC) {
            sockaddr_storage v4 = any_address(AF_INET, opt.port);
            fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            a = v4;
        }
        if (fd < 0) {
            last = strerror(errno);
            continue;
        }
        int one = 1, zero = 0;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (a.ss_family == AF_INET6) {
            int v6only = opt.family == AF_INET6 ? 1 : 0;
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, opt.listen_host.empty() ? &v6only : &zero, sizeof(int));
        }
        if (bind(fd, reinterpret_cast<sockaddr *>(&a), sockaddr_len(a)) < 0 || listen(fd, 1024) < 0) {
            last = strerror(errno);
            close(fd);
            continue;
        }
        sockaddr_storage bound{};
        socklen_t bl = sizeof bound;
        getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &bl);
        port_out = addr_port(bound);
        fds.push_back(fd);
    }
    if (fds.empty())
        throw Error("cannot listen on " + (opt.listen_host.empty() ? std::string("*") : opt.listen_host) + " port " +
                    std::to_string(opt.port) + ": " + last);
    return fds;
}

}  // namespace

void serve_modern(ControlConn &conn, const ServerOptions &opt, const wire::Message &hello) {
    wire::Message reply;
    reply.type = wire::kModernHelloReply;
    reply.word1 = hello.u32(1) >= 1 ? 0 : EPROTO;
    reply.set_u32(0, kModernMagic);
    reply.set_u32(1, kModernVersion);
    reply.set_u32(2, 0);
    reply.set_str(8, 64, NETPERF_VERSION);
    conn.send_legacy(reply, 8);
    if (reply.word1) return;
    ModernServerSession(conn, opt).serve();
}

int run_server(const ServerOptions &opt, const std::function<void(int)> &on_listening) {
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    int port = opt.port;
    std::vector<int> fds = open_listeners(opt, port);
    if (on_listening) on_listening(port);
    log(opt, 1, "listening on port " + std::to_string(port));
    std::vector<pollfd> pfds;
    for (int fd : fds) pfds.push_back({fd, POLLIN, 0});
    while (!g_server_stop.load()) {
        int r = poll(pfds.data(), pfds.size(), 200);
        if (r <= 0) continue;
        for (auto &p : pfds) {
            if (!(p.revents & POLLIN)) continue;
            int c = accept4(p.fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) continue;
            int one = 1;
            setsockopt(c, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
            if (g_sessions.load() >= opt.max_sessions) {
                log(opt, 1, "too many sessions: refusing a connection");
                close(c);
                continue;
            }
            g_sessions++;
            std::thread([c, &opt] {
                serve_connection(c, opt);
                g_sessions--;
            }).detach();
        }
    }
    for (int fd : fds) close(fd);
    // Give running sessions a moment to finish their reply.
    for (int i = 0; i < 50 && g_sessions.load() > 0; i++) usleep(20000);
    return 0;
}

}  // namespace netperf
