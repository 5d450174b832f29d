#include <netperf/spec.h>

#include <netinet/in.h>

namespace netperf {

const char *pattern_name(Pattern p) {
    switch (p) {
    case Pattern::Stream: return "stream";
    case Pattern::Maerts: return "maerts";
    case Pattern::RR: return "rr";
    case Pattern::CRR: return "crr";
    case Pattern::CC: return "cc";
    }
    return "?";
}

bool parse_pattern(const std::string &s, Pattern &out) {
    static const std::pair<const char *, Pattern> names[] = {
        {"stream", Pattern::Stream}, {"maerts", Pattern::Maerts}, {"rr", Pattern::RR},
        {"crr", Pattern::CRR},       {"cc", Pattern::CC},
    };
    for (auto &[n, p] : names)
        if (s == n) {
            out = p;
            return true;
        }
    return false;
}

std::string protocol_name(const TestSpec &s) {
    if (s.family == AF_UNIX) return "UNIX";
    switch (s.protocol) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_SCTP: return "SCTP";
    default: return "IP";
    }
}

namespace {

void need(bool ok, const std::string &msg) {
    if (!ok) throw Error(msg);
}

}  // namespace

void TestSpec::validate() const {
    need(family == AF_UNSPEC || family == AF_INET || family == AF_INET6 || family == AF_UNIX,
         "unsupported address family " + std::to_string(family));
    need(socktype == SOCK_STREAM || socktype == SOCK_DGRAM || socktype == SOCK_SEQPACKET,
         "unsupported socket type " + std::to_string(socktype));
    need(duration_s >= 0, "test length (-l) must not be negative here");
    need(count >= 0, "test count must not be negative");
    need(!(is_connect_test() && socktype == SOCK_DGRAM),
         std::string("a ") + (pattern == Pattern::CRR ? "CRR" : "CC") +
             " test needs a connection-oriented protocol, not UDP");
    for (auto v : {send_size.local, send_size.remote, recv_size.local, recv_size.remote})
        need(v == -1 || v > 0, "message sizes (-m, -M) must be positive");
    need(request_size >= 0 && response_size >= 0, "request/response sizes (-r) must not be negative");
    if (pattern == Pattern::RR || pattern == Pattern::CRR)
        need(request_size > 0 && response_size > 0,
             "request and response sizes (-r) must be at least 1 byte for a request/response test");
    if (socktype == SOCK_DGRAM) {
        for (auto v : {send_size.local, send_size.remote})
            need(v <= 65507, "a UDP message (-m) cannot exceed 65507 bytes");
        need(request_size <= 65507 && response_size <= 65507,
             "a UDP request or response (-r) cannot exceed 65507 bytes");
    }
    need(burst >= 0, "burst (-b) must not be negative");
    need(window >= 0 && window <= 4096, "--window must be 0..4096");
    need(flows >= 1, "--flows must be at least 1");
    need(threads >= 0, "--threads must not be negative");
    need(pace_interval_us.local >= 0 && pace_burst.local >= 0, "pacing (-w, -b) must not be negative");
    need(!transport.empty(), "--transport needs a name");
}

void TestSpec::check_limits(const ServerLimits &lim) const {
    validate();
    auto cap = [](bool ok, const std::string &what) {
        if (!ok) throw Error("request exceeds server limit: " + what);
    };
    cap(duration_s <= lim.max_duration_s,
        "test length " + std::to_string(duration_s) + " s > " + std::to_string(lim.max_duration_s) + " s");
    cap(count <= lim.max_count, "count " + std::to_string(count) + " > " + std::to_string(lim.max_count));
    for (auto v : {send_size.local, send_size.remote, recv_size.local, recv_size.remote, request_size,
                   response_size})
        cap(v <= lim.max_message, "message size " + std::to_string(v) + " > " + std::to_string(lim.max_message));
    for (auto v : {sndbuf.local, sndbuf.remote, rcvbuf.local, rcvbuf.remote})
        cap(v <= lim.max_socket_buffer,
            "socket buffer " + std::to_string(v) + " > " + std::to_string(lim.max_socket_buffer));
    cap(flows <= lim.max_flows, "flows " + std::to_string(flows) + " > " + std::to_string(lim.max_flows));
    cap(burst <= lim.max_burst, "burst " + std::to_string(burst) + " > " + std::to_string(lim.max_burst));
    cap(threads <= lim.max_threads, "threads " + std::to_string(threads) + " > " + std::to_string(lim.max_threads));
    for (auto v : {send_align.remote, recv_align.remote, send_offset.remote, recv_offset.remote})
        cap(v >= 0 && v <= 65536, "buffer alignment/offset " + std::to_string(v));
    cap(fill_file.remote.size() < 4096, "fill file name too long");
}

}  // namespace netperf
