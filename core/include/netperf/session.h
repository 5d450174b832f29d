// Test sessions: the client side (netperf) and the server side (netserver)
// of the control protocol, and the planning both share (turning a TestSpec
// into each side's EngineConfig and endpoint template).
#ifndef NETPERF_SESSION_H
#define NETPERF_SESSION_H

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <netperf/control.h>
#include <netperf/engine.h>
#include <netperf/result.h>
#include <netperf/spec.h>

namespace netperf {

enum class Role { Client, Server };

// Socket buffer sizes a new data socket gets (after -s/-S requests), and
// the message sizes netperf derives from them when -m/-M are not given.
struct SocketDefaults {
    int32_t sndbuf = 16384, rcvbuf = 131072;
    int64_t send_size = 16384, recv_size = 131072;
};
SocketDefaults socket_defaults(const TestSpec &s, Role role);

// One side's plan: the engine configuration and the endpoint template.
struct SidePlan {
    EngineConfig cfg;
    np_endpoint_spec tmpl{};
    SocketDefaults sizes;
};
// `local` is this side's address for the data (the control connection's
// local address): workers are placed near the NIC that owns it.
SidePlan plan_side(const TestSpec &s, Role role, int family, const sockaddr_storage *local = nullptr);

// Throws Error naming the transport and what it lacks when it cannot run
// the test (datagrams, connection tests, unix paths, ...).
void check_transport_caps(const Transport &t, const TestSpec &s, int family);

// NUMA node of the NIC owning a local address (-1: unknown or loopback).
int nic_numa_of(const sockaddr_storage &local);

// Chooses worker CPUs: -T when given (consecutive CPUs from it for several
// workers); otherwise, with several workers, one per core (hwloc), cores on
// `numa` (the NIC's node, -1 = no preference) first; one worker: unpinned,
// as netperf 2.7.
std::vector<int> choose_cpus(int threads, int bind_cpu, int numa = -1);
int choose_threads(const TestSpec &s);

struct ClientOptions {
    std::string host = "localhost";
    int port = kDefaultControlPort;
    int family = AF_UNSPEC;       // control connection family (-4/-6)
    std::string local_host;       // -L
    int local_port = 0;           // -p ,lport
    std::string passphrase;       // -Z
    double interval_s = 0;        // interim results every interval (0 = off)
    bool force_legacy = false;    // --legacy
    int timeout_ms = 120000;      // waiting for the server
};

using IntervalSink = std::function<void(const IntervalSample &)>;

class ClientSession {
  public:
    virtual ~ClientSession() = default;
    // Connects and negotiates: the modern protocol when the server speaks
    // it, netperf 2.x's otherwise.  Throws Error.
    static std::unique_ptr<ClientSession> open(const ClientOptions &opt);
    // Runs one iteration of the test.  Throws Error.
    virtual TestResult run(const TestSpec &spec, const IntervalSink &sink) = 0;
    // Runs one iteration starting at start_at (this host's CLOCK_MONOTONIC
    // ns), both sides at that instant: the modern protocol carries it in
    // the server's clock using the estimated offset.  A session that
    // cannot synchronise (netperf 2.x's protocol) waits locally until
    // start_at and starts as soon as the server is ready: the result says
    // so (TestResult::synchronized).
    virtual TestResult run_at(const TestSpec &spec, const IntervalSink &sink, uint64_t start_at);
    // Server clock minus this host's (CLOCK_MONOTONIC), and the round trip
    // of the best sample; 0/-1 when unknown.
    virtual int64_t clock_offset_ns() const { return 0; }
    virtual int64_t clock_rtt_ns() const { return -1; }
    virtual bool modern() const = 0;
    virtual std::string server_version() const = 0;
    // Ends the session politely (half-close, wait for the server to close).
    virtual void close() = 0;
};

// netperf 2.7's REM_CPU: the netserver's CPU rate (CPU_CALIBRATE, which
// our netserver and 2.x's answer on the same port) and, in *cpus, its
// number of CPUs.  Throws Error.
double remote_cpu_rate(const ClientOptions &opt, int *cpus = nullptr);

// Set by a SIGINT handler: the running test winds down and reports what it
// measured (marked partial).
extern std::atomic<int> g_interrupt;

struct ServerOptions {
    std::string listen_host;      // -L (default: wildcard, dual-stack)
    int port = kDefaultControlPort;
    int family = AF_UNSPEC;       // -4 / -6
    int verbose = 0;
    std::string passphrase;       // -Z
    ServerLimits limits;
    int max_sessions = 256;
    double pad_s = 30;            // beyond the test length, the longest a test may run
    std::string fill_dir;         // --fill-dir: where fill files a client names (-F ,R) may be read
};

// The file a netserver fills its buffers from when a client asks for
// `requested` (netperf -F ,name): a plain file name inside opt.fill_dir.
// Throws Error when fill files are not enabled or the name is not plain —
// a network client must not make the server read arbitrary files.
std::string server_fill_path(const ServerOptions &opt, const std::string &requested);

// Runs netserver's accept loop until SIGTERM/SIGINT; returns the exit code.
int run_server(const ServerOptions &opt, const std::function<void(int port)> &on_listening = {});

// Runs one local iteration (the engine on this side) given a connected plan;
// shared by the modern and legacy client paths.
struct LocalRun;

}  // namespace netperf

#endif
