// Planning shared by both sides: a TestSpec becomes an EngineConfig and an
// endpoint template for "this" side.  Sizes follow netperf 2.7: a message
// size not given defaults to the data socket's buffer size (capped at 65507
// for UDP), request/response to 1 byte.
#include <algorithm>
#include <cstring>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netperf/addr.h>
#include <netperf/cpu.h>
#include <netperf/session.h>
#include <netperf/topology.h>

namespace netperf {

namespace {

template <typename T>
const T &mine(const LocalRemote<T> &v, Role r) {
    return r == Role::Client ? v.local : v.remote;
}

Action action_for(Pattern p, Role r) {
    bool c = r == Role::Client;
    switch (p) {
    case Pattern::Stream: return c ? Action::SendStream : Action::RecvStream;
    case Pattern::Maerts: return c ? Action::RecvStream : Action::SendStream;
    case Pattern::RR: return c ? Action::RRClient : Action::RRServer;
    case Pattern::CRR:
    case Pattern::CC: return c ? Action::ConnectClient : Action::ConnectServer;
    }
    return Action::SendStream;
}

}  // namespace

SocketDefaults socket_defaults(const TestSpec &s, Role role) {
    SocketDefaults d;
    int family = s.family == AF_UNSPEC ? AF_INET : s.family;
    int fd = socket(family, s.socktype | SOCK_CLOEXEC, family == AF_UNIX ? 0 : s.protocol);
    if (fd >= 0) {
        int32_t sb = mine(s.sndbuf, role), rb = mine(s.rcvbuf, role);
        if (sb > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, sizeof sb);
        if (rb > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rb, sizeof rb);
        socklen_t l = sizeof d.sndbuf;
        getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &d.sndbuf, &l);
        l = sizeof d.rcvbuf;
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &d.rcvbuf, &l);
        close(fd);
    }
    d.send_size = d.sndbuf > 0 ? d.sndbuf : 16384;
    d.recv_size = d.rcvbuf > 0 ? d.rcvbuf : 4096;
    if (s.socktype == SOCK_DGRAM) {
        d.send_size = std::min<int64_t>(d.send_size, 65507);
        d.recv_size = std::min<int64_t>(d.recv_size, 65507);
    }
    int64_t ms = mine(s.send_size, role), mr = mine(s.recv_size, role);
    if (ms > 0) d.send_size = ms;
    if (mr > 0) d.recv_size = mr;
    return d;
}

std::vector<int> choose_cpus(int threads, int bind_cpu, int numa) {
    std::vector<int> cpus;
    if (bind_cpu >= 0) {
        int n = online_cpus();
        for (int i = 0; i < threads; i++) cpus.push_back((bind_cpu + i) % n);
        return cpus;
    }
    if (threads <= 1) return {-1};
    static const std::unique_ptr<Topology> topo = Topology::this_machine();
    if (!topo->bindable()) return std::vector<int>(size_t(threads), -1);
    return topo->pick(threads, numa);
}

int choose_threads(const TestSpec &s) {
    if (s.threads > 0) return std::min(s.threads, s.flows);
    return std::min(s.flows, online_cpus());
}

std::string server_fill_path(const ServerOptions &opt, const std::string &requested) {
    if (requested.empty()) return {};
    if (opt.fill_dir.empty())
        throw Error("this netserver does not read fill files (start it with --fill-dir DIR)");
    bool plain = requested.size() <= 255 && requested[0] != '.' &&
                 requested.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
                     std::string::npos;
    if (!plain) throw Error("fill file '" + requested.substr(0, 64) + "' is not a plain file name");
    return opt.fill_dir + "/" + requested;
}

void check_transport_caps(const Transport &t, const TestSpec &s, int family) {
    auto need = [&](uint32_t cap, const char *what) {
        if (!t.has_cap(cap)) throw Error("transport " + t.name() + " does not do " + what);
    };
    if (s.socktype == SOCK_DGRAM) need(NP_CAP_DGRAM, "datagrams (UDP, DG_ tests)");
    if (s.socktype == SOCK_STREAM) need(NP_CAP_STREAM, "byte streams (TCP, STREAM_ tests)");
    if (s.socktype == SOCK_SEQPACKET) need(NP_CAP_SEQPACKET, "message streams (SCTP)");
    if (s.is_connect_test()) need(NP_CAP_CONNECT, "connect/close per transaction (CRR, CC)");
    if (family == AF_UNIX) need(NP_CAP_UNIX, "unix-domain sockets");
    else if (family != AF_UNSPEC) need(NP_CAP_INET, "IP sockets");
}

int nic_numa_of(const sockaddr_storage &local) {
    std::string ifname = interface_of(local);
    if (ifname.empty()) return -1;
    static const std::unique_ptr<Topology> topo = Topology::this_machine();
    return topo->nic_numa(ifname);
}

SidePlan plan_side(const TestSpec &s, Role role, int family, const sockaddr_storage *local) {
    SidePlan p;
    p.sizes = socket_defaults(s, role);
    EngineConfig &c = p.cfg;
    c.action = action_for(s.pattern, role);
    c.dgram = s.socktype == SOCK_DGRAM;
    c.send_size = p.sizes.send_size;
    c.recv_size = p.sizes.recv_size;
    c.request_size = s.request_size;
    c.response_size = s.response_size;
    if (s.pattern == Pattern::CC) c.request_size = c.response_size = 0;
    c.burst = role == Role::Client ? s.burst : 0;
    c.send_window = s.window > 0 ? s.window : 16;
    c.send_align = mine(s.send_align, role);
    c.send_offset = mine(s.send_offset, role);
    c.recv_align = mine(s.recv_align, role);
    c.recv_offset = mine(s.recv_offset, role);
    c.fill_file = mine(s.fill_file, role);
    c.send_width = s.is_stream() ? 2 : 1;
    c.recv_width = s.is_stream() ? 2 : 1;
    c.pace_interval_us = mine(s.pace_interval_us, role);
    c.pace_burst = mine(s.pace_burst, role);
    c.flows = s.flows;
    c.threads = choose_threads(s);
    c.cpus = choose_cpus(c.threads, mine(s.cpu, role), local && c.threads > 1 ? nic_numa_of(*local) : -1);
    c.transport_options = s.transport_options_of(role == Role::Server);
    c.server = role == Role::Server;
    c.latency = s.histogram;
    if (role == Role::Client) {
        // Timed: soft deadline at -l, hard 2 s later; counted: no deadline.
        c.duration_s = s.count > 0 ? 0 : s.duration_s;
        c.count = s.count;
        c.grace_s = 2;
    } else {
        // The server's senders (maerts) keep the test length; everything is
        // bounded by length + pad in case the client disappears.
        c.duration_s = s.count > 0 ? 0 : s.duration_s;
        c.count = c.action == Action::SendStream ? s.count : 0;
        c.grace_s = 30;
    }

    np_endpoint_spec &t = p.tmpl;
    t.struct_size = sizeof t;
    t.family = family;
    t.socktype = s.socktype;
    t.protocol = family == AF_UNIX ? 0 : s.protocol;
    t.sndbuf = mine(s.sndbuf, role);
    t.rcvbuf = mine(s.rcvbuf, role);
    t.flags = 0;
    if (s.nodelay) t.flags |= NP_EP_NODELAY;
    if (s.cork) t.flags |= NP_EP_CORK;
    if (s.keepalive) t.flags |= NP_EP_KEEPALIVE;
    if (!s.routing) t.flags |= NP_EP_DONTROUTE;
    if (role == Role::Server) t.flags |= NP_EP_REUSEADDR;
    if (role == Role::Server && c.dgram) t.flags |= NP_EP_TRACK_PEER;
    t.priority = mine(s.priority, role);
    t.tos = mine(s.tos, role);
    const std::string &cc = mine(s.cong_control, role);
    strncpy(t.cong_control, cc.c_str(), sizeof t.cong_control - 1);
    return p;
}

}  // namespace netperf
