// Engine internals: the flow, the worker and the pattern hook tables.
// Private to core/engine.
#ifndef NETPERF_ENGINE_INTERNAL_H
#define NETPERF_ENGINE_INTERNAL_H

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <netperf/engine.h>

namespace netperf::engine {

struct Flow;
struct Worker;

// Op tags travel in the low byte of the completion cookie; the flow index in
// the rest.
enum Tag : uint8_t {
    kConnect = 1,
    kAccept,
    kSend,
    kRecv,
    kShutdown,
    kClose,
    kEndMark,  // end-of-test empty datagram
    kDrain,    // waiting for the peer's end of stream
};

// A completion handler: the flow's current state.
using Handler = void (*)(Worker &, Flow &, Tag, const np_completion &);

// A pattern: how a flow starts and what it does when the deadline passes.
struct Pattern {
    void (*start)(Worker &, Flow &);
    void (*on_deadline)(Worker &, Flow &);
    void (*resume)(Worker &, Flow &);  // called when a paced flow may work again
};

const Pattern &pattern_for(Action a);

struct Flow {
    uint32_t index = 0;       // index in the run
    Handler handler = nullptr;
    np_endpoint *ep = nullptr;        // data endpoint
    np_endpoint *listener = nullptr;  // server: listener (stream), unused for dgram
    bool own_ep = false;              // ep created on the control path (datagram)
    np_endpoint_spec connect_spec{};  // client: how CONNECT opens this flow's connections
    FlowCounters *ctr = nullptr;
    Histogram *hist = nullptr;

    // Buffers (allocated at setup, never in the loop).
    char *send_buf = nullptr;   // send ring: send_width slots of slot_size
    size_t slot_size = 0;
    int send_slot = 0;
    char *cur_send = nullptr;   // stream: the message being sent
    char *recv_buf = nullptr;
    size_t recv_len = 0;
    char scratch[64];

    // Progress of the current message.
    int64_t send_left = 0;      // bytes of the current send/request still to go
    int64_t recv_have = 0;      // bytes of the current response/request received
    bool send_inflight = false;
    int sends_inflight = 0;     // datagram stream sender: sends in flight (<= window)
    bool recv_inflight = false;
    int64_t to_send = 0;        // RR: requests (client) or responses (server) queued
    int64_t outstanding = 0;    // RR client: transactions in flight
    int end_marks = 0;          // end-of-test datagrams still to complete

    // Latency: send times of outstanding requests (ring of burst + 1).
    uint64_t *ts = nullptr;
    uint32_t ts_cap = 0, ts_head = 0, ts_count = 0;
    uint64_t op_start = 0;      // stream: when the current send was staged

    int64_t remaining = 0;      // count-based: bytes or transactions left (<= 0 = unlimited)
    bool counted = false;       // count-based end applies

    // Pacing.
    int32_t tokens = 0;
    uint64_t next_refill = 0;
    bool paced = false;

    bool finishing = false;     // deadline passed or count reached: wind down
    bool closing = false;       // a CLOSE of the flow's endpoint is in flight (ep is null)
    bool done = false;
    bool info_taken = false;
    uint64_t start_ns = 0, end_ns = 0;
    uint64_t last_io = 0;       // when the flow last completed an op (idle end)
    std::string error;
    FlowResult *result = nullptr;  // endpoint facts land here
};

// One pinned thread: owns its flows, their buffers and the transport context.
struct alignas(kCacheLine) Worker {
    int id = 0;
    int cpu = -1;
    const np_transport_ops *ops = nullptr;
    np_transport_ctx *ctx = nullptr;
    const EngineConfig *cfg = nullptr;
    std::vector<Flow *> flows;   // the flows this worker owns
    Flow **all = nullptr;        // every flow of the run, by index (completion cookies)
    std::vector<np_op> staged;   // ops produced by handlers this pass
    uint32_t n_staged = 0;
    std::vector<np_completion> comps;
    uint32_t inflight = 0;       // ops handed to the transport, not yet completed
    uint32_t active = 0;         // flows not done
    uint64_t now = 0;
    uint64_t start_ns = 0, soft_deadline = 0, hard_deadline = 0;
    bool soft_passed = false;
    const std::atomic<int> *stop = nullptr;    // 1 = finish cleanly, 2 = stop now
    std::vector<Flow *> paced;   // capacity 2 x flows, reserved at setup
    std::thread thread;
    uint64_t end_ns = 0;
    uint64_t syscalls = 0;
    bool multishot = false;      // the transport keeps a RECV armed (NP_CAP_MULTISHOT)
    bool tick = false;           // send this thread the slice signal (NP_CTX_TICK)

    // Stages one op (no system call).  The staging array is sized for every
    // op all flows can have at once, so this never fails.
    void push(Flow &f, Tag tag, uint8_t kind, np_endpoint *ep, void *buf, uint32_t len,
              uint8_t flags = 0) {
        np_op &op = staged[n_staged++];
        op.kind = kind;
        op.flags = flags;
        op.reserved = 0;
        op.len = len;
        op.ep = ep;
        op.buf = buf;
        op.spec = kind == NP_OP_CONNECT ? &f.connect_spec : nullptr;
        op.user = (uint64_t(f.index) << 8) | tag;
    }
    void flush();
    void run();
    void flow_done(Flow &f);
    void end_idle_flows(uint64_t idle);  // EngineConfig::idle_end_s
    // Pacing: true if the flow may do one more unit of work now; otherwise
    // the flow is parked until its next refill and resume() is called then.
    bool pace_ok(Flow &f);
};

// The slice signal (NP_CTX_TICK): a per-thread timer interrupts the worker's
// blocking system calls every poll slice, as 2.7's SIGALRM ends its blocking
// calls at the test's end.  True when this process can create such timers.
bool slice_tick_available();

// Shared helpers of the patterns.
void flow_fail(Worker &w, Flow &f, const char *what, int64_t err);
void take_info(Worker &w, Flow &f, bool at_end);
void close_flow(Worker &w, Flow &f);  // capture end info, CLOSE, done on completion
void push_close(Worker &w, Flow &f);  // stage CLOSE of f.ep and forget the endpoint

}  // namespace netperf::engine

#endif
