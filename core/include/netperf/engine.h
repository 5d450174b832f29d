// The engine: pinned run-to-completion workers driving flows over a
// transport.  One Run is one test iteration on one side (client or server).
//
//   netperf::EngineConfig cfg = ...;          // what this side does
//   netperf::Run run(transport, cfg);          // creates per-worker contexts
//   auto addrs = run.listen(spec_template);    // server: one endpoint per flow
//   run.start(netperf::now_ns());              // workers start at that instant
//   run.wait();                                // until every flow is done
//   netperf::RunResult r = run.result();
//
// The control thread creates endpoints before start(); after start() only the
// workers touch their transport contexts.  The sampler thread reads the
// per-flow counters (relaxed atomics) while the workers run.
#ifndef NETPERF_ENGINE_H
#define NETPERF_ENGINE_H

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <netperf/counters.h>
#include <netperf/histogram.h>
#include <netperf/transport.h>

namespace netperf {

// Monotonic clock in nanoseconds (CLOCK_MONOTONIC).
uint64_t now_ns();
// Wall clock in nanoseconds since the epoch (CLOCK_REALTIME).
uint64_t wall_ns();

// What one side does with each flow.  A pattern is a table of hooks; the
// client and server of a test use mirror-image actions.
enum class Action : uint8_t {
    SendStream,     // send until the deadline or count, then end the stream
    RecvStream,     // receive until end of stream (EOF, empty datagram) or stop
    RRClient,       // send requests, wait for responses
    RRServer,       // answer requests
    ConnectClient,  // per transaction: connect, [request, response], wait for close
    ConnectServer,  // per transaction: accept, [request, response], close
};

const char *action_name(Action a);

struct EngineConfig {
    Action action = Action::SendStream;
    bool dgram = false;            // datagram semantics (UDP, unix dgram)
    int64_t send_size = 16384;     // stream: bytes per send
    int64_t recv_size = 16384;     // stream: bytes per recv
    int64_t request_size = 1;      // RR/CRR
    int64_t response_size = 1;
    int burst = 0;                 // RR: extra requests in flight
    int send_window = 1;           // stream senders: sends in flight per flow (datagrams
                                   // only; a byte stream always has one)
    int send_width = 2;            // buffers in the send ring (2.7 -W)
    int recv_width = 2;
    int send_align = 8, send_offset = 0, recv_align = 8, recv_offset = 0;
    std::string fill_file;         // fill send buffers from this file

    // Ends.  Timed: soft deadline at start + duration (senders and RR clients
    // stop issuing work and close cleanly); hard deadline at start + duration
    // + grace (everything still open is abandoned).  Count: this side stops
    // after `count` bytes (senders) or transactions (RR/connect clients),
    // split evenly across flows.
    double duration_s = 10;
    int64_t count = 0;
    double grace_s = 2;
    bool hard_at_soft = false;     // receivers: the soft deadline is a hard stop
    // A peer that never says it is done (netperf 2.7's CRR client; UDP end
    // datagrams lost to a full queue): > 0 ends a flow once it has completed
    // nothing for this long past the soft deadline (counted runs: after its
    // first completion), dated at its last completion.  Such flows do not
    // wind down at the soft deadline.
    double idle_end_s = 0;
    // Byte-stream senders: at the end, stop sending and let the peer end
    // the stream first (then close).  netperf 2.7's TCP_MAERTS receiver ends
    // on its own timer; an end of stream that reaches it just before that
    // timer fires makes it print "catcher: timer popped with times_up != 0".
    bool peer_ends_first = false;
    // Byte-stream receivers: at the soft deadline end their side of the
    // stream (shutdown) and read on until the peer's end, as netperf 2.7's
    // receiver does on its timer (a peer_ends_first sender waits for it).
    bool receiver_ends_stream = false;

    // Pacing: at most pace_burst sends (stream) or transactions (RR) per
    // pace_interval_us on each flow; 0 = unpaced.
    int64_t pace_interval_us = 0;
    int32_t pace_burst = 0;

    // Workers.
    int flows = 1;
    int threads = 1;
    std::vector<int> cpus;         // CPU per worker (empty or -1: not pinned)
    int poll_slice_us = 20000;     // longest a worker waits before checking time
    std::vector<std::pair<std::string, std::string>> transport_options;
    bool server = false;           // netserver's side (NP_CTX_SERVER)

    bool latency = true;           // time each transaction (RR) or send (stream)
};

// What one flow did.
struct FlowResult {
    int index = 0;
    int worker = 0;
    int cpu = -1;
    CounterSnapshot counters;
    Histogram latency;  // ns per transaction (RR/CRR/CC) or per send call (stream)
    uint64_t start_ns = 0, end_ns = 0;
    double elapsed_s = 0;
    std::string error;  // first data-path error, "" if none
    // Endpoint facts (first connection).
    int32_t sndbuf_start = -1, rcvbuf_start = -1, sndbuf_end = -1, rcvbuf_end = -1;
    int32_t mss = -1, retransmits = -1;
    std::string cong_control;
    bool timed_out = false;  // ended by the hard deadline or a stop
};

struct RunResult {
    std::vector<FlowResult> flows;
    CounterSnapshot total;
    Histogram latency;      // merged over flows
    uint64_t start_ns = 0, end_ns = 0;
    double elapsed_s = 0;   // first flow start to last flow end
    uint64_t transport_syscalls = 0;
    std::string error;      // first flow error, if any
};

class Run {
  public:
    Run(const Transport &t, EngineConfig cfg);
    ~Run();
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;

    // Server: one listener (stream) or bound datagram endpoint per flow, made
    // from per_flow[i]; returns each endpoint's local address.  Throws Error.
    std::vector<sockaddr_storage> listen(const std::vector<np_endpoint_spec> &per_flow);
    // Client datagram flows: one endpoint per flow from per_flow[i] (its
    // .remote is where the flow sends); returns the local addresses.
    std::vector<sockaddr_storage> open_datagram(const std::vector<np_endpoint_spec> &per_flow);
    // Server datagram flows that send first (UDP maerts): where to send.
    void set_peers(const std::vector<sockaddr_storage> &peers);
    // Client connection flows: flow i opens its connections with per_flow[i]
    // (whose .remote is the server's data address for that flow).
    void set_connect_specs(const std::vector<np_endpoint_spec> &per_flow);

    // Starts the workers; they begin traffic at start_ns (CLOCK_MONOTONIC).
    void start(uint64_t start_ns);
    // Asks every flow to stop now (hard stop).  Safe from any thread.
    void stop();
    // Asks senders to finish cleanly as if the deadline had passed.
    void finish();
    // Waits for every worker; true when all are done.
    bool wait(int timeout_ms = -1);
    bool done() const;

    // Live totals for interval reporting (any thread).
    CounterSnapshot snapshot() const;
    std::vector<CounterSnapshot> snapshot_flows() const;

    // Final results, after wait().
    RunResult result() const;

    const EngineConfig &config() const { return cfg_; }

    struct Impl;

  private:
    EngineConfig cfg_;
    std::unique_ptr<Impl> impl_;
};

}  // namespace netperf

#endif
