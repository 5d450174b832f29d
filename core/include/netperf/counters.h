// Per-flow counters: written by the one worker that owns the flow, read by
// the interval sampler.  Each field is a relaxed atomic that the owner bumps
// with a plain load + store (no locked instruction), so the hot loop pays
// nothing for being observable.  One flow's counters fill their own cache
// lines: no false sharing between flows on different workers.
#ifndef NETPERF_COUNTERS_H
#define NETPERF_COUNTERS_H

#include <atomic>
#include <cstdint>

namespace netperf {

inline constexpr size_t kCacheLine = 64;

// A counter with a single writer.
class Counter {
  public:
    void add(uint64_t n) { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
    uint64_t get() const { return v_.load(std::memory_order_relaxed); }
    void set(uint64_t n) { v_.store(n, std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> v_{0};
};

// What a flow has done so far.
struct alignas(kCacheLine) FlowCounters {
    Counter bytes_sent;
    Counter bytes_received;
    Counter send_calls;
    Counter recv_calls;
    Counter transactions;  // RR/CRR/CC transactions completed
    Counter send_errors;   // datagram sends that failed (ENOBUFS, ECONNREFUSED)
    Counter connects;      // connections opened (CRR, CC)
};

// A plain copy of FlowCounters, for arithmetic and reporting.
struct CounterSnapshot {
    uint64_t bytes_sent = 0, bytes_received = 0, send_calls = 0, recv_calls = 0;
    uint64_t transactions = 0, send_errors = 0, connects = 0;

    static CounterSnapshot of(const FlowCounters &c) {
        return {c.bytes_sent.get(), c.bytes_received.get(), c.send_calls.get(),
                c.recv_calls.get(), c.transactions.get(), c.send_errors.get(),
                c.connects.get()};
    }
    CounterSnapshot &operator+=(const CounterSnapshot &o) {
        bytes_sent += o.bytes_sent;
        bytes_received += o.bytes_received;
        send_calls += o.send_calls;
        recv_calls += o.recv_calls;
        transactions += o.transactions;
        send_errors += o.send_errors;
        connects += o.connects;
        return *this;
    }
    CounterSnapshot operator-(const CounterSnapshot &o) const {
        return {bytes_sent - o.bytes_sent, bytes_received - o.bytes_received,
                send_calls - o.send_calls, recv_calls - o.recv_calls,
                transactions - o.transactions, send_errors - o.send_errors,
                connects - o.connects};
    }
};

}  // namespace netperf

#endif
