// The test model: what to run, independent of how it was asked for (netperf
// 2.7 command line, modern control protocol, profiles).  A TestSpec is built
// by the CLI parser, validated once, sent to the server as JSON, validated
// and capped again there.
#ifndef NETPERF_SPEC_H
#define NETPERF_SPEC_H

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <sys/socket.h>

#include <netperf/error.h>

namespace netperf {

// Traffic pattern, from the client's point of view.
enum class Pattern : uint8_t {
    Stream,  // client sends, server receives (TCP_STREAM, UDP_STREAM, OMNI -d send)
    Maerts,  // server sends, client receives (TCP_MAERTS, OMNI -d recv)
    RR,      // request/response on one connection (TCP_RR, UDP_RR, OMNI -d rr)
    CRR,     // connect, request/response, close (TCP_CRR, OMNI -c -d rr)
    CC,      // connect, close (TCP_CC)
};

const char *pattern_name(Pattern p);  // "stream", "maerts", "rr", "crr", "cc"
bool parse_pattern(const std::string &s, Pattern &out);

// A value set separately for the netperf side and the netserver side.
template <typename T>
struct LocalRemote {
    T local;
    T remote;
};

// Limits a netserver applies to what a client may ask for.
struct ServerLimits {
    double max_duration_s = 3600;      // longest timed test
    int64_t max_count = int64_t(1) << 40;  // bytes or transactions for -l -N
    int64_t max_message = 64 << 20;    // send/recv/request/response size
    int32_t max_socket_buffer = 256 << 20;
    int max_flows = 1024;
    int max_burst = 1024;
    int max_threads = 256;
};

struct TestSpec {
    // ---- what ----
    std::string test_name = "OMNI";  // as given with -t, upper case
    Pattern pattern = Pattern::Stream;
    int family = AF_UNSPEC;          // data family: AF_INET, AF_INET6, AF_UNIX, AF_UNSPEC = from -H
    int socktype = SOCK_STREAM;      // SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET
    int protocol = 6;                // IPPROTO_TCP (6), IPPROTO_UDP (17), 0 for AF_UNIX

    // ---- how long ----
    double duration_s = 10;  // timed test when count == 0 (0 = until interrupted)
    int64_t count = 0;       // > 0: end after this many bytes (stream) or transactions

    // ---- sizes (-1 = default chosen at run time, like netperf) ----
    LocalRemote<int64_t> send_size{-1, -1};     // -m
    LocalRemote<int64_t> recv_size{-1, -1};     // -M
    int64_t request_size = 1;                   // -r
    int64_t response_size = 1;
    LocalRemote<int32_t> sndbuf{-1, -1};        // -s / -S first value
    LocalRemote<int32_t> rcvbuf{-1, -1};        // -s / -S second value
    LocalRemote<int32_t> send_align{8, 8}, recv_align{8, 8};
    LocalRemote<int32_t> send_offset{0, 0}, recv_offset{0, 0};
    int burst = 0;  // RR: requests kept in flight beyond the first (2.7 test -b)
    int window = 0; // datagram senders: sends in flight per flow (--window; 0 = 16)

    // ---- socket options ----
    bool nodelay = false;      // test -D
    bool cork = false;         // test -C
    bool keepalive = false;    // global -S
    bool routing = true;       // test -R (false: SO_DONTROUTE)
    LocalRemote<std::string> cong_control{"", ""};  // test -K
    LocalRemote<int32_t> priority{-1, -1};          // global -y
    LocalRemote<int32_t> tos{-1, -1};               // global -Y

    // ---- pacing (global -w / -b): `burst` sends per `interval` ----
    LocalRemote<int64_t> pace_interval_us{0, 0};
    LocalRemote<int32_t> pace_burst{0, 0};

    // ---- buffers ----
    LocalRemote<std::string> fill_file{"", ""};  // global -F

    // ---- placement and scale ----
    LocalRemote<int> cpu{-1, -1};  // global -T
    int flows = 1;                 // --flows
    int threads = 0;               // --threads (0 = one per flow up to one per CPU)

    // ---- transport ----
    std::string transport = "sockets";  // netperf's side (--transport L[,R])
    std::vector<std::pair<std::string, std::string>> transport_options;
    // netserver's side: "" = the same transport (and then the same options,
    // unless remote ones are given with --remote-transport-opt).
    std::string remote_transport;
    std::vector<std::pair<std::string, std::string>> remote_transport_options;

    // ---- measurement ----
    LocalRemote<bool> measure_cpu{false, false};  // -c / -C
    bool histogram = true;     // latency histogram (always kept: it is cheap)

    // ---- data addressing ----
    std::string data_remote_host;  // test -H (default: the control host)
    std::string data_local_host;   // test -L
    LocalRemote<int> data_port{0, 0};  // test -P

    // Derived helpers.
    bool is_stream() const { return pattern == Pattern::Stream || pattern == Pattern::Maerts; }
    bool is_transactional() const { return !is_stream(); }
    bool is_connect_test() const { return pattern == Pattern::CRR || pattern == Pattern::CC; }
    bool is_dgram() const { return socktype == SOCK_DGRAM; }
    bool is_timed() const { return count == 0; }
    // The transport and options of one side.
    const std::string &transport_of(bool server) const {
        return server && !remote_transport.empty() ? remote_transport : transport;
    }
    const std::vector<std::pair<std::string, std::string>> &transport_options_of(bool server) const {
        if (!server) return transport_options;
        if (!remote_transport_options.empty() || (!remote_transport.empty() && remote_transport != transport))
            return remote_transport_options;
        return transport_options;
    }

    // Checks internal consistency; throws Error naming the offending option.
    void validate() const;
    // Checks against a server's limits; throws Error naming the limit.
    void check_limits(const ServerLimits &lim) const;
};

// Human-readable protocol name: "TCP", "UDP", "SCTP", "UNIX".
std::string protocol_name(const TestSpec &s);

}  // namespace netperf

#endif
