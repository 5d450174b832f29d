// A Run: setup on the control thread (contexts, endpoints, buffers), then
// one pinned worker thread per EngineConfig::threads, then results.
#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>

#include <netperf/addr.h>

#include "engine_internal.h"

namespace netperf {

using engine::Flow;
using engine::Worker;

const char *action_name(Action a) {
    switch (a) {
    case Action::SendStream: return "send-stream";
    case Action::RecvStream: return "recv-stream";
    case Action::RRClient: return "rr-client";
    case Action::RRServer: return "rr-server";
    case Action::ConnectClient: return "connect-client";
    case Action::ConnectServer: return "connect-server";
    }
    return "?";
}

struct Run::Impl {
    const Transport &t;
    const EngineConfig &cfg;
    std::vector<std::unique_ptr<Worker>> workers;
    std::vector<Flow> flows;
    std::vector<Flow *> flow_ptrs;
    std::unique_ptr<FlowCounters[]> counters;
    std::vector<Histogram> hists;
    std::vector<FlowResult> results;
    std::vector<void *> buffers;
    std::vector<uint64_t> ts_store;
    std::atomic<int> stop{0};
    bool started = false;
    std::mutex m;
    std::condition_variable cv;
    int n_finished = 0;

    Impl(const Transport &tr, const EngineConfig &c) : t(tr), cfg(c) {}
    ~Impl();
    void *alloc(size_t n) {
        void *p = aligned_alloc(4096, (n + 4095) / 4096 * 4096);
        if (!p) throw Error("out of memory for flow buffers");
        buffers.push_back(p);
        return p;
    }
    Worker &worker_of(size_t flow) { return *workers[flow % workers.size()]; }
    std::vector<sockaddr_storage> open_endpoints(const std::vector<np_endpoint_spec> &per_flow, bool client);
};

Run::Impl::~Impl() {
    stop.store(2);
    for (auto &w : workers)
        if (w->thread.joinable()) w->thread.join();
    for (auto &f : flows) {
        Worker &w = worker_of(f.index);
        if (f.listener) w.ops->ep_close(w.ctx, f.listener);
        if (f.own_ep && f.ep) w.ops->ep_close(w.ctx, f.ep);
    }
    for (auto &w : workers)
        if (w->ctx) w->ops->ctx_destroy(w->ctx);
    for (void *p : buffers) free(p);
}

namespace {

// Fills a send buffer the way a reader of a capture would want: from the
// fill file if there is one, else a repeating printable pattern.
void fill(char *buf, size_t len, const std::string &content) {
    if (!content.empty()) {
        for (size_t i = 0; i < len; i++) buf[i] = content[i % content.size()];
        return;
    }
    static const char pat[] = "netperf3abcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t i = 0; i < len; i++) buf[i] = pat[i % (sizeof pat - 1)];
}

}  // namespace

Run::Run(const Transport &t, EngineConfig cfg) : cfg_(std::move(cfg)), impl_(new Impl(t, cfg_)) {
    const EngineConfig &c = cfg_;
    if (c.flows < 1) throw Error("a run needs at least one flow");
    int threads = std::clamp(c.threads, 1, c.flows);
    Impl &I = *impl_;
    I.flows.resize(size_t(c.flows));
    I.flow_ptrs.resize(size_t(c.flows));
    I.counters.reset(new FlowCounters[size_t(c.flows)]);
    I.hists.resize(size_t(c.flows));
    I.results.resize(size_t(c.flows));
    const int ts_per_flow = std::max(c.burst + 1, std::max(c.send_window, 1));
    I.ts_store.assign(size_t(c.flows) * size_t(ts_per_flow), 0);

    for (int w = 0; w < threads; w++) {
        auto wk = std::make_unique<Worker>();
        wk->id = w;
        wk->cpu = size_t(w) < c.cpus.size() ? c.cpus[size_t(w)] : -1;
        wk->ops = &t.ops();
        wk->cfg = &cfg_;
        wk->stop = &I.stop;
        wk->all = I.flow_ptrs.data();
        wk->multishot = t.has_cap(NP_CAP_MULTISHOT);
        I.workers.push_back(std::move(wk));
    }

    // Flows go round-robin to workers.
    size_t slot_size = size_t(std::max({c.send_size, c.request_size, c.response_size, int64_t(1)})) +
                       size_t(std::max(c.send_align, 1)) + size_t(std::max(c.send_offset, 0));
    size_t recv_len = size_t(std::max({c.recv_size, c.request_size, c.response_size, int64_t(1)}));
    if (c.dgram) recv_len = std::max<size_t>(recv_len, 65536);  // a whole datagram always fits
    // Each flow's send area repeats the fill file's first bytes, so only as many
    // are read as one area holds: a device such as /dev/urandom (flent's -F)
    // has no end.
    const int width = std::max(c.send_width, 1);
    const size_t fill_len = slot_size * size_t(width);
    std::string fill_content;
    if (!c.fill_file.empty()) {
        std::ifstream in(c.fill_file, std::ios::binary);
        if (!in) throw Error("fill file " + c.fill_file + ": cannot open (" + strerror(errno) + ")");
        fill_content.resize(fill_len);
        in.read(fill_content.data(), std::streamsize(fill_len));
        fill_content.resize(size_t(in.gcount()));
        if (fill_content.empty()) throw Error("fill file " + c.fill_file + " is empty");
    }
    for (int i = 0; i < c.flows; i++) {
        Flow &f = I.flows[size_t(i)];
        f.index = uint32_t(i);
        f.ctr = &I.counters[size_t(i)];
        f.hist = &I.hists[size_t(i)];
        f.result = &I.results[size_t(i)];
        f.result->index = i;
        f.slot_size = slot_size;
        char *sb = static_cast<char *>(I.alloc(fill_len + 4096));
        fill(sb, fill_len, fill_content);
        f.send_buf = sb + (c.send_offset > 0 ? c.send_offset : 0);
        f.recv_len = recv_len;
        f.recv_buf = static_cast<char *>(I.alloc(recv_len + size_t(std::max(c.recv_offset, 0)))) +
                     std::max(c.recv_offset, 0);
        f.ts = &I.ts_store[size_t(i) * size_t(ts_per_flow)];
        f.ts_cap = uint32_t(ts_per_flow);
        // Count-based: split the total evenly over the flows.
        if (c.count > 0) {
            f.counted = true;
            int64_t per = c.count / c.flows + (i < c.count % c.flows ? 1 : 0);
            f.remaining = std::max<int64_t>(per, 1);
        }
        I.flow_ptrs[size_t(i)] = &f;
        Worker &w = I.worker_of(size_t(i));
        w.flows.push_back(&f);
        f.result->worker = w.id;
        f.result->cpu = w.cpu;
    }

    for (auto &wp : I.workers) {
        Worker &w = *wp;
        uint32_t nf = uint32_t(w.flows.size());
        std::vector<np_option_value> opts;
        for (auto &[k, v] : c.transport_options) opts.push_back({k.c_str(), v.c_str()});
        np_ctx_params p{};
        p.struct_size = sizeof p;
        // One flow per worker: the transport may use plain blocking calls.
        p.flags = (nf == 1 && t.has_cap(NP_CAP_BLOCKING)) ? NP_CTX_BLOCKING : 0;
        // Its waits may then be ended by the worker's slice signal instead
        // of per-socket timeouts (two system calls less per connection).
        if ((p.flags & NP_CTX_BLOCKING) && t.has_cap(NP_CAP_TICK) && engine::slice_tick_available()) {
            p.flags |= NP_CTX_TICK;
            w.tick = true;
        }
        if (c.server) p.flags |= NP_CTX_SERVER;
        p.max_endpoints = nf * 3 + 4;
        p.max_inflight = nf * uint32_t(8 + std::max(c.send_window, 1)) + 8;
        p.cpu = w.cpu;
        p.poll_slice_us = c.poll_slice_us;
        p.options = opts.data();
        p.n_options = uint32_t(opts.size());
        char err[NP_ERRLEN] = "";
        int r = t.ops().ctx_create(&p, &w.ctx, err, sizeof err);
        if (r != 0)
            throw Error("transport " + t.name() + ": worker " + std::to_string(w.id) + ": " +
                        (*err ? err : strerror(-r)));
        // Tell the transport where this worker's ops will point (io_uring
        // registers them); optional, and absent from older plugins.
        const np_transport_ops &ops = t.ops();
        if (ops.struct_size >= offsetof(np_transport_ops, register_buffers) + sizeof ops.register_buffers &&
            ops.register_buffers) {
            std::vector<np_buffer_region> regions;
            for (Flow *f : w.flows) {
                regions.push_back({f->send_buf, f->slot_size * size_t(std::max(c.send_width, 1))});
                regions.push_back({f->recv_buf, f->recv_len});
            }
            r = ops.register_buffers(w.ctx, regions.data(), uint32_t(regions.size()), err, sizeof err);
            if (r != 0)
                throw Error("transport " + t.name() + ": worker " + std::to_string(w.id) + ": " +
                            (*err ? err : strerror(-r)));
        }
        w.staged.resize(p.max_inflight);
        w.comps.resize(std::min<uint32_t>(p.max_inflight, 256));
        w.paced.reserve(nf * 2 + 1);
    }
}

Run::~Run() = default;

std::vector<sockaddr_storage> Run::listen(const std::vector<np_endpoint_spec> &per_flow) {
    return impl_->open_endpoints(per_flow, false);
}

std::vector<sockaddr_storage> Run::open_datagram(const std::vector<np_endpoint_spec> &per_flow) {
    return impl_->open_endpoints(per_flow, true);
}

std::vector<sockaddr_storage> Run::Impl::open_endpoints(const std::vector<np_endpoint_spec> &per_flow,
                                                       bool client) {
    if (per_flow.size() != flows.size()) throw Error("need one endpoint template per flow");
    std::vector<sockaddr_storage> out;
    for (Flow &f : flows) {
        Worker &w = worker_of(f.index);
        const np_endpoint_spec &tmpl = per_flow[f.index];
        np_endpoint *ep = nullptr;
        char err[NP_ERRLEN] = "";
        int r = w.ops->listen(w.ctx, &tmpl, &ep, err, sizeof err);
        if (r != 0)
            throw Error("flow " + std::to_string(f.index) + ": data endpoint: " + (*err ? err : strerror(-r)));
        if (tmpl.socktype == SOCK_DGRAM) {
            f.ep = ep;
            f.own_ep = true;
        } else {
            f.listener = ep;
        }
        np_endpoint_info info{};
        info.struct_size = sizeof info;
        w.ops->ep_info(w.ctx, ep, &info);
        out.push_back(info.local);
        f.result->sndbuf_start = f.result->sndbuf_end = info.sndbuf;
        f.result->rcvbuf_start = f.result->rcvbuf_end = info.rcvbuf;
        if (client) f.info_taken = true;
    }
    return out;
}

void Run::set_peers(const std::vector<sockaddr_storage> &peers) {
    Impl &I = *impl_;
    if (peers.size() != I.flows.size()) throw Error("need one peer address per flow");
    for (Flow &f : I.flows) {
        if (!f.ep) continue;
        Worker &w = I.worker_of(f.index);
        const sockaddr_storage &a = peers[f.index];
        int r = w.ops->ep_set_peer(w.ctx, f.ep, reinterpret_cast<const sockaddr *>(&a), sockaddr_len(a));
        if (r != 0) throw Error("flow " + std::to_string(f.index) + ": set peer: " + strerror(-r));
    }
}

void Run::set_connect_specs(const std::vector<np_endpoint_spec> &per_flow) {
    Impl &I = *impl_;
    if (per_flow.size() != I.flows.size()) throw Error("need one connection template per flow");
    for (Flow &f : I.flows) {
        f.connect_spec = per_flow[f.index];
        // The first connection reports its buffers as they were before it
        // connected (2.7's LSS_SIZE/LSR_SIZE); take_info clears the flag.
        f.connect_spec.flags |= NP_EP_INITIAL_BUFFERS;
    }
}

void Run::start(uint64_t start_ns) {
    Impl &I = *impl_;
    const EngineConfig &c = cfg_;
    uint64_t soft = 0, hard = 0;
    if (c.duration_s > 0) {
        uint64_t d = uint64_t(c.duration_s * 1e9);
        if (c.count == 0) soft = start_ns + d;
        hard = start_ns + d + (c.hard_at_soft ? 0 : uint64_t(c.grace_s * 1e9));
    }
    for (auto &wp : I.workers) {
        Worker &w = *wp;
        w.start_ns = start_ns;
        w.soft_deadline = soft;
        w.hard_deadline = hard;
        w.active = uint32_t(w.flows.size());
    }
    I.started = true;
    for (auto &wp : I.workers) {
        Worker *w = wp.get();
        w->thread = std::thread([w, &I] {
            w->run();
            std::lock_guard<std::mutex> g(I.m);
            I.n_finished++;
            I.cv.notify_all();
        });
    }
}

void Run::stop() { impl_->stop.store(2); }

void Run::finish() {
    int expected = 0;
    impl_->stop.compare_exchange_strong(expected, 1);
}

bool Run::wait(int timeout_ms) {
    Impl &I = *impl_;
    if (!I.started) return true;
    std::unique_lock<std::mutex> g(I.m);
    auto all_done = [&] { return I.n_finished == int(I.workers.size()); };
    if (timeout_ms < 0) {
        I.cv.wait(g, all_done);
    } else if (!I.cv.wait_for(g, std::chrono::milliseconds(timeout_ms), all_done)) {
        return false;
    }
    g.unlock();
    for (auto &w : I.workers)
        if (w->thread.joinable()) w->thread.join();
    return true;
}

bool Run::done() const {
    std::lock_guard<std::mutex> g(impl_->m);
    return !impl_->started || impl_->n_finished == int(impl_->workers.size());
}

CounterSnapshot Run::snapshot() const {
    CounterSnapshot s;
    for (size_t i = 0; i < impl_->flows.size(); i++) s += CounterSnapshot::of(impl_->counters[i]);
    return s;
}

std::vector<CounterSnapshot> Run::snapshot_flows() const {
    std::vector<CounterSnapshot> v;
    for (size_t i = 0; i < impl_->flows.size(); i++) v.push_back(CounterSnapshot::of(impl_->counters[i]));
    return v;
}

RunResult Run::result() const {
    const Impl &I = *impl_;
    RunResult r;
    uint64_t first = UINT64_MAX, last = 0;
    for (size_t i = 0; i < I.flows.size(); i++) {
        const Flow &f = I.flows[i];
        FlowResult fr = I.results[i];
        fr.counters = CounterSnapshot::of(I.counters[i]);
        fr.latency = I.hists[i];
        fr.start_ns = f.start_ns;
        fr.end_ns = f.end_ns ? f.end_ns : f.start_ns;
        fr.elapsed_s = double(fr.end_ns - fr.start_ns) / 1e9;
        fr.error = f.error;
        if (r.error.empty() && !f.error.empty()) r.error = "flow " + std::to_string(i) + ": " + f.error;
        r.total += fr.counters;
        r.latency.merge(fr.latency);
        if (f.start_ns) first = std::min(first, f.start_ns);
        last = std::max(last, fr.end_ns);
        r.flows.push_back(std::move(fr));
    }
    for (auto &w : I.workers) r.transport_syscalls += w->syscalls;
    r.start_ns = first == UINT64_MAX ? 0 : first;
    r.end_ns = last;
    r.elapsed_s = r.start_ns && last > r.start_ns ? double(last - r.start_ns) / 1e9 : 0;
    return r;
}

}  // namespace netperf
