// The "xdp" transport: UDP over AF_XDP sockets (IPv4), with Ethernet, IPv4
// and UDP headers built here and the kernel stack bypassed on both paths.
//
//   netserver -D                                   # kernel UDP on the far end
//   netperf -H 10.77.0.2 -t UDP_STREAM --transport xdp,sockets -- -m 64
//   netperf -H 10.77.0.2 -t UDP_RR --transport xdp  # AF_XDP on both ends
//
// Needs root (CAP_NET_ADMIN, CAP_NET_RAW, CAP_BPF), a kernel with AF_XDP
// (4.18; need_wakeup 5.4) and an Ethernet interface.  Copy mode works on any
// driver (veth included); zero-copy needs driver support (mode=auto tries
// it first and says why it fell back).
//
// Where the datagrams go.  An XDP program on the interface (xsk_steer.bpf.c,
// attached through libxdp, shared by the contexts of a process: xdp_steer.cc)
// redirects UDP for the test's address and ports, and ARP replies we asked
// for, to the AF_XDP socket of the receiving queue; the control connection
// and all other traffic pass to the kernel.  A test port is reserved by
// binding a kernel UDP socket to it, so no kernel socket can take it while
// the test runs.  Our address defaults to the kernel's on the interface, so
// the kernel answers ARP for it; with ip= set to an address the kernel does
// not own, ARP for it comes to us and we answer.  The peer's MAC comes from
// peer_mac=, the kernel's neighbour table, or our own ARP request; a
// server learns it (and the client's address) from each datagram.
//
// One AF_XDP socket per worker context, bound to queue= of the interface,
// and one context per interface: several flows share it (by port), and a
// second worker is refused with the reason (see xdp_steer.cc); give
// --threads 1 with --flows N.
//
// UMEM: rx_ring + tx_ring frames of frame_size bytes.  The first rx_ring
// frames go to the fill ring at start and come back through the RX ring;
// the others are the TX pool, back through the completion ring.
//
// The data path, per context:
//   stage()  SEND: a TX frame from the pool, headers from the endpoint's
//            template (checksums from precomputed partial sums), payload
//            copied, a TX descriptor filled; the send completes at once
//            (the data is in the UMEM, as a UDP socket's sendto returns
//            when the datagram is queued).  Without a free frame or
//            descriptor the send is parked, in order, until one comes back.
//            RECV: delivered at once from frames already received for the
//            endpoint, else parked; a multishot RECV stays armed.
//   commit() publishes the TX descriptors and kicks the kernel (sendto)
//            only when it asks for it (need_wakeup) -- in copy mode the
//            kernel transmits only inside that call.
//   reap()   drains the completion ring (frames back to the pool), sends
//            what was parked, drains the RX ring in batches (each datagram
//            completes a RECV or waits for one; ARP is answered), refills
//            the fill ring once per batch, and sleeps in ppoll (or spins,
//            busy_poll=) only when nothing is ready.
// Modes (need_wakeup, busy_poll) are decided in ctx_create by choosing
// functions; no data op tests an option.
#include <netperf/transport_abi.h>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <net/if.h>
#include <new>
#include <poll.h>
#include <set>
#include <string>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <sys/syscall.h>
#include <xdp/xsk.h>

#include "xdp_frame.h"
#include "xdp_internal.h"

using namespace np_xdp;

#ifndef SO_PREFER_BUSY_POLL
#define SO_PREFER_BUSY_POLL 69
#endif
#ifndef SO_BUSY_POLL_BUDGET
#define SO_BUSY_POLL_BUDGET 70
#endif

namespace {

constexpr uint32_t kNone = UINT32_MAX;

// A received frame an endpoint holds until a RECV takes it.
struct HeldFrame {
    uint64_t addr;  // descriptor address (frame base + the kernel's headroom)
    uint32_t off;   // payload offset from addr
    uint32_t len;   // payload bytes
};

enum class Mode { kAuto, kCopy, kZeroCopy };

// The resolved options of a context.
struct Config {
    std::string ifname;
    int queue = 0;
    Mode mode = Mode::kAuto;
    XdpMode xdp_mode = XdpMode::kAuto;
    bool default_prog = false;
    uint32_t frame_size = 4096;
    uint32_t rx_ring = 2048;
    uint32_t tx_ring = 2048;
    bool need_wakeup = true;
    int busy_poll_us = 0;
    uint32_t batch = 64;
    uint32_t ip = 0;  // network order; 0 = the interface's
    bool peer_mac_set = false;
    uint8_t peer_mac[6] = {};
};

}  // namespace

struct np_endpoint {
    uint32_t index = 0;
    bool in_use = false;
    bool track_peer = false;
    bool peer_ready = false;  // tmpl names a peer: sends may go
    bool has_recv = false;
    bool recv_multishot = false;
    uint8_t tos = 0;
    uint16_t port = 0;        // ours, host order
    uint16_t peer_port = 0;   // host order
    uint16_t ip_id = 0;
    uint32_t peer_ip = 0;     // network order
    uint8_t peer_mac[6] = {};
    int reserve_fd = -1;      // kernel UDP socket holding our port
    np_op recv_op{};
    HeldFrame *held = nullptr;  // ring of held_cap (ctx storage)
    uint32_t held_head = 0, held_count = 0;
    UdpTemplate tmpl;
};

struct np_transport_ctx;
using KickFn = void (*)(np_transport_ctx *);
using WaitFn = void (*)(np_transport_ctx *, int64_t timeout_ns);

struct np_transport_ctx {
    Config cfg;
    uint32_t max_eps = 0, max_inflight = 0;
    np_endpoint *eps = nullptr;
    uint32_t *ep_free = nullptr;
    uint32_t n_ep_free = 0;
    uint16_t *port_owner = nullptr;  // 65536 entries: endpoint index + 1, 0 = none
    HeldFrame *held_store = nullptr;
    uint32_t held_cap = 0;
    uint32_t held_total = 0;         // frames held by all endpoints

    // Bound at the first listen: the interface, the socket, the UMEM.
    bool bound = false;
    Iface ifc;
    uint32_t ip = 0;        // our address, network order
    bool own_arp = false;   // the kernel does not own ip
    Steer *steer = nullptr;
    int queue = -1;
    bool zero_copy = false;
    XdpMode xdp_mode = XdpMode::kSkb;
    uint32_t max_payload = 0;
    void *umem_area = nullptr;
    size_t umem_len = 0;
    xsk_umem *umem = nullptr;
    xsk_socket *xsk = nullptr;
    int fd = -1;
    xsk_ring_prod fill{}, tx{};
    xsk_ring_cons comp{}, rx{};

    uint64_t *tx_pool = nullptr;  // free TX frame addresses (a stack)
    uint32_t n_tx_pool = 0;
    uint64_t *recycle = nullptr;  // RX frames to give back to the fill ring
    uint32_t n_recycle = 0;
    uint32_t tx_reserved = 0;     // descriptors filled, not yet published
    bool tx_dirty = false;        // published descriptors the kernel may not have sent

    // Parked sends: a FIFO ring of max_inflight ops.
    np_op *parked = nullptr;
    uint32_t parked_head = 0, parked_count = 0;
    uint32_t recvs_parked = 0;
    // Completions ready to be reaped: a FIFO ring.
    np_completion *done = nullptr;
    uint32_t done_head = 0, done_count = 0, done_cap = 0;

    // ARP resolution in progress (control path).
    uint32_t arp_want = 0;
    bool arp_got = false;
    uint8_t arp_mac[6] = {};

    KickFn kick = nullptr;
    WaitFn wait = nullptr;

    np_transport_stats stats{};
    uint64_t rx_dropped = 0;   // datagrams for an endpoint that held too many
    uint64_t rx_foreign = 0;   // frames not for any endpoint of this context
};

namespace {

// ---- options ----------------------------------------------------------------

const np_option_desc kOptions[] = {
    {"ifname", NP_OPT_STRING, "", "interface (default: the route to the peer, the bound address's, or the only one up)"},
    {"queue", NP_OPT_INT, "0", "interface queue of the socket (one worker per interface: --threads 1 for several flows)"},
    {"mode", NP_OPT_STRING, "auto", "copy | zerocopy | auto (zero-copy if the driver offers it, else copy)"},
    {"xdp_mode", NP_OPT_STRING, "auto", "skb (generic) | drv (in the driver) | auto (drv, else skb)"},
    {"prog", NP_OPT_STRING, "steer", "steer (our program: only test UDP/ARP to the socket) | default (libxdp's: everything on the queue)"},
    {"frame_size", NP_OPT_INT, "4096", "UMEM frame bytes: 2048 or 4096"},
    {"rx_ring", NP_OPT_INT, "2048", "RX and fill ring entries, and RX frames (power of 2, 64..16384)"},
    {"tx_ring", NP_OPT_INT, "2048", "TX and completion ring entries, and TX frames (power of 2, 64..16384)"},
    {"need_wakeup", NP_OPT_BOOL, "1", "XDP_USE_NEED_WAKEUP: kick the kernel only when it asks (0: sendto every commit)"},
    {"busy_poll", NP_OPT_INT, "0", "microseconds to spin on the rings before sleeping (also SO_BUSY_POLL); 0 = sleep at once"},
    {"batch", NP_OPT_INT, "64", "RX and completion descriptors handled per pass (1..1024)"},
    {"ip", NP_OPT_STRING, "", "our IPv4 address (default: the interface's; another one makes us answer ARP for it)"},
    {"peer_mac", NP_OPT_STRING, "", "next hop's MAC aa:bb:cc:dd:ee:ff (default: neighbour table, else our ARP request)"},
};

bool parse_int(const char *v, long lo, long hi, long *out) {
    char *end = nullptr;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) return false;
    *out = x;
    return true;
}

bool parse_bool(const char *v, bool *out) {
    if (!strcmp(v, "1") || !strcmp(v, "true") || !strcmp(v, "yes")) return *out = true, true;
    if (!strcmp(v, "0") || !strcmp(v, "false") || !strcmp(v, "no")) return *out = false, true;
    return false;
}

bool pow2(long x) { return x > 0 && (x & (x - 1)) == 0; }

int parse_options(const np_ctx_params *p, Config *c, char *err, size_t elen) {
    for (uint32_t i = 0; i < p->n_options; i++) {
        const char *k = p->options[i].name, *v = p->options[i].value;
        long x = 0;
        bool ok = true;
        if (!strcmp(k, "ifname")) {
            c->ifname = v;
        } else if (!strcmp(k, "queue")) {
            ok = parse_int(v, 0, 63, &x), c->queue = int(x);
        } else if (!strcmp(k, "mode")) {
            if (!strcmp(v, "copy")) c->mode = Mode::kCopy;
            else if (!strcmp(v, "zerocopy")) c->mode = Mode::kZeroCopy;
            else if (!strcmp(v, "auto")) c->mode = Mode::kAuto;
            else ok = false;
        } else if (!strcmp(k, "xdp_mode")) {
            if (!strcmp(v, "skb")) c->xdp_mode = XdpMode::kSkb;
            else if (!strcmp(v, "drv")) c->xdp_mode = XdpMode::kDrv;
            else if (!strcmp(v, "auto")) c->xdp_mode = XdpMode::kAuto;
            else ok = false;
        } else if (!strcmp(k, "prog")) {
            if (!strcmp(v, "steer")) c->default_prog = false;
            else if (!strcmp(v, "default")) c->default_prog = true;
            else ok = false;
        } else if (!strcmp(k, "frame_size")) {
            ok = parse_int(v, 2048, 4096, &x) && (x == 2048 || x == 4096), c->frame_size = uint32_t(x);
        } else if (!strcmp(k, "rx_ring")) {
            ok = parse_int(v, 64, 16384, &x) && pow2(x), c->rx_ring = uint32_t(x);
        } else if (!strcmp(k, "tx_ring")) {
            ok = parse_int(v, 64, 16384, &x) && pow2(x), c->tx_ring = uint32_t(x);
        } else if (!strcmp(k, "need_wakeup")) {
            ok = parse_bool(v, &c->need_wakeup);
        } else if (!strcmp(k, "busy_poll")) {
            ok = parse_int(v, 0, 1000000, &x), c->busy_poll_us = int(x);
        } else if (!strcmp(k, "batch")) {
            ok = parse_int(v, 1, 1024, &x), c->batch = uint32_t(x);
        } else if (!strcmp(k, "ip")) {
            in_addr a{};
            ok = !*v || inet_pton(AF_INET, v, &a) == 1;
            c->ip = a.s_addr;
        } else if (!strcmp(k, "peer_mac")) {
            c->peer_mac_set = *v != 0;
            ok = !*v || parse_mac(v, c->peer_mac);
        } else {
            set_err(err, elen, "xdp: unknown option '%s'", k);
            return -EINVAL;
        }
        if (!ok) {
            const np_option_desc *d = nullptr;
            for (const auto &o : kOptions)
                if (!strcmp(o.name, k)) d = &o;
            set_err(err, elen, "xdp: option %s=%s: want %s", k, v, d ? d->help : "a valid value");
            return -EINVAL;
        }
    }
    return 0;
}

// ---- small helpers ------------------------------------------------------------

uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

void push_done(np_transport_ctx *c, uint64_t user, int64_t result, np_endpoint *ep, uint32_t flags = 0) {
    // Capacity covers every op in flight plus a batch of multishot
    // completions; rx_burst never produces more than the room left.
    uint32_t slot = (c->done_head + c->done_count) % c->done_cap;
    c->done[slot] = np_completion{user, result, ep, flags, 0};
    c->done_count++;
}

uint32_t done_room(const np_transport_ctx *c) { return c->done_cap - c->done_count; }

void recycle(np_transport_ctx *c, uint64_t addr) {
    c->recycle[c->n_recycle++] = addr & ~uint64_t(c->cfg.frame_size - 1);
}

// Gives received frames back to the kernel: one fill-ring publish per batch.
void refill(np_transport_ctx *c) {
    if (!c->n_recycle) return;
    uint32_t idx;
    uint32_t n = xsk_ring_prod__reserve(&c->fill, c->n_recycle, &idx);
    // The fill ring holds every RX frame, so it always has room for the
    // ones we give back.
    for (uint32_t i = 0; i < n; i++) *xsk_ring_prod__fill_addr(&c->fill, idx + i) = c->recycle[i];
    xsk_ring_prod__submit(&c->fill, n);
    c->n_recycle -= n;
    if (c->n_recycle) memmove(c->recycle, c->recycle + n, c->n_recycle * sizeof *c->recycle);
    if (xsk_ring_prod__needs_wakeup(&c->fill)) {
        // Driver and zero-copy modes: the driver sleeps until told there
        // are buffers again.
        c->stats.syscalls++;
        recvfrom(c->fd, nullptr, 0, MSG_DONTWAIT, nullptr, nullptr);
    }
}

// Takes sent frames back into the TX pool.
void drain_completions(np_transport_ctx *c) {
    uint32_t idx;
    uint32_t n = xsk_ring_cons__peek(&c->comp, c->cfg.tx_ring, &idx);
    if (!n) return;
    for (uint32_t i = 0; i < n; i++)
        c->tx_pool[c->n_tx_pool++] = *xsk_ring_cons__comp_addr(&c->comp, idx + i);
    xsk_ring_cons__release(&c->comp, n);
}

// A TX frame and its descriptor slot; nullptr when neither is free now.
uint8_t *tx_reserve(np_transport_ctx *c, xdp_desc **desc) {
    if (!c->n_tx_pool) drain_completions(c);
    if (!c->n_tx_pool) return nullptr;
    uint32_t idx;
    if (xsk_ring_prod__reserve(&c->tx, 1, &idx) != 1) return nullptr;
    uint64_t addr = c->tx_pool[--c->n_tx_pool];
    *desc = xsk_ring_prod__tx_desc(&c->tx, idx);
    (*desc)->addr = addr;
    (*desc)->options = 0;
    c->tx_reserved++;
    return static_cast<uint8_t *>(xsk_umem__get_data(c->umem_area, addr));
}

// Kick policies (chosen in ctx_create).  In copy mode the kernel moves TX
// descriptors only inside sendto (up to its per-call budget, 32 on 6.x:
// -EAGAIN means more remain), so a kick repeats while the ring has
// descriptors the kernel has not consumed and each call makes progress.
void kick_now(np_transport_ctx *c) {
    for (int i = 0; i < 64; i++) {
        uint32_t before = __atomic_load_n(c->tx.consumer, __ATOMIC_ACQUIRE);
        c->stats.syscalls++;
        ssize_t r = sendto(c->fd, nullptr, 0, MSG_DONTWAIT, nullptr, 0);
        uint32_t after = __atomic_load_n(c->tx.consumer, __ATOMIC_ACQUIRE);
        if (after == *c->tx.producer) {
            c->tx_dirty = false;
            return;
        }
        if (r >= 0 || after == before) return;  // no progress: the next pass retries
        if (errno != EAGAIN && errno != EBUSY) return;
    }
}

void kick_if_asked(np_transport_ctx *c) {
    if (xsk_ring_prod__needs_wakeup(&c->tx)) kick_now(c);
    else c->tx_dirty = false;
}

// Publishes the descriptors filled since the last call and kicks.
void flush_tx(np_transport_ctx *c) {
    if (c->tx_reserved) {
        xsk_ring_prod__submit(&c->tx, c->tx_reserved);
        c->tx_reserved = 0;
        c->tx_dirty = true;
    }
    if (c->tx_dirty) c->kick(c);
}

void set_template(np_transport_ctx *c, np_endpoint *ep) {
    ep->tmpl.set(c->ifc.mac, ep->peer_mac, c->ip, ep->peer_ip, ep->port, ep->peer_port, ep->tos);
    ep->peer_ready = true;
}

// One datagram into the TX ring; false when no frame or slot is free.
bool send_one(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = op.ep;
    if (!ep->peer_ready) {
        push_done(c, op.user, -EDESTADDRREQ, ep);
        return true;
    }
    if (op.len > c->max_payload) {
        push_done(c, op.user, -EMSGSIZE, ep);
        return true;
    }
    xdp_desc *d;
    uint8_t *f = tx_reserve(c, &d);
    if (!f) return false;
    d->len = uint32_t(ep->tmpl.build(f, op.buf, op.len, ep->ip_id++));
    push_done(c, op.user, op.len, ep);
    return true;
}

// Sends parked ones while frames last.
void send_parked(np_transport_ctx *c) {
    while (c->parked_count) {
        if (!send_one(c, c->parked[c->parked_head])) return;
        c->parked_head = (c->parked_head + 1) % c->max_inflight;
        c->parked_count--;
    }
}

// Hands one received datagram to an endpoint's RECV: copies it into the
// caller's buffer (single shot) or reports its length (multishot: the
// engine does not read it).  The frame goes back to the fill ring.
void deliver(np_transport_ctx *c, np_endpoint *ep, uint64_t addr, uint32_t off, uint32_t len) {
    if (ep->recv_multishot) {
        // An empty datagram ends the test: the RECV disarms with it.
        bool more = len > 0;
        push_done(c, ep->recv_op.user, len, ep, more ? NP_CF_MORE : 0);
        if (!more) {
            ep->has_recv = false;
            c->recvs_parked--;
        }
    } else {
        uint32_t n = std::min(len, ep->recv_op.len);
        memcpy(ep->recv_op.buf, static_cast<uint8_t *>(xsk_umem__get_data(c->umem_area, addr)) + off, n);
        push_done(c, ep->recv_op.user, n, ep);
        ep->has_recv = false;
        c->recvs_parked--;
    }
    recycle(c, addr);
}

// Gives held frames to the endpoint's RECV while it is armed and there is
// room for the completions.
void deliver_held(np_transport_ctx *c, np_endpoint *ep) {
    while (ep->has_recv && ep->held_count && done_room(c)) {
        HeldFrame &h = ep->held[ep->held_head];
        ep->held_head = (ep->held_head + 1) % c->held_cap;
        ep->held_count--;
        c->held_total--;
        deliver(c, ep, h.addr, h.off, h.len);
    }
}

// Answers an ARP request for our address (the kernel does not own it).
void arp_answer(np_transport_ctx *c, const Parsed &p) {
    xdp_desc *d;
    uint8_t *f = tx_reserve(c, &d);
    if (!f) return;  // the requester asks again
    d->len = uint32_t(build_arp(f, 2, c->ifc.mac, c->ip, p.arp_sha, p.arp_spa));
}

void on_arp(np_transport_ctx *c, const Parsed &p) {
    if (p.arp_op == 2 && c->arp_want && p.arp_spa == c->arp_want) {
        memcpy(c->arp_mac, p.arp_sha, 6);
        c->arp_got = true;
    }
    if (p.arp_op == 1 && c->own_arp && p.arp_tpa == c->ip) arp_answer(c, p);
}

// Handles one received frame.
void on_frame(np_transport_ctx *c, uint64_t addr, uint32_t len) {
    const uint8_t *f = static_cast<const uint8_t *>(xsk_umem__get_data(c->umem_area, addr));
    Parsed p = parse_frame(f, len);
    if (p.kind == Parsed::kUdp && p.dst_ip == c->ip) {
        uint16_t owner = c->port_owner[p.dst_port];
        if (owner) {
            np_endpoint *ep = &c->eps[owner - 1];
            if (ep->track_peer && (p.src_ip != ep->peer_ip || p.src_port != ep->peer_port ||
                                   memcmp(p.src_mac, ep->peer_mac, 6) != 0 || !ep->peer_ready)) {
                ep->peer_ip = p.src_ip;
                ep->peer_port = p.src_port;
                memcpy(ep->peer_mac, p.src_mac, 6);
                set_template(c, ep);
            }
            if (ep->has_recv && !ep->held_count && done_room(c))
                return deliver(c, ep, addr, p.payload_off, p.payload_len);
            if (ep->held_count < c->held_cap) {
                ep->held[(ep->held_head + ep->held_count) % c->held_cap] = {addr, p.payload_off, p.payload_len};
                ep->held_count++;
                c->held_total++;
                deliver_held(c, ep);
                return;
            }
            c->rx_dropped++;  // as a full socket buffer drops
            return recycle(c, addr);
        }
    } else if (p.kind == Parsed::kArp) {
        on_arp(c, p);
        return recycle(c, addr);
    }
    c->rx_foreign++;
    recycle(c, addr);
}

// Drains the RX ring: at most one batch, and no more datagrams than there
// is room for their completions.
void rx_burst(np_transport_ctx *c) {
    uint32_t want = std::min(c->cfg.batch, done_room(c));
    if (!want) return;
    uint32_t idx;
    uint32_t n = xsk_ring_cons__peek(&c->rx, want, &idx);
    for (uint32_t i = 0; i < n; i++) {
        const xdp_desc *d = xsk_ring_cons__rx_desc(&c->rx, idx + i);
        on_frame(c, d->addr, d->len);
    }
    if (n) xsk_ring_cons__release(&c->rx, n);
    refill(c);
}

// Everything that needs no waiting: sent frames back, parked sends out,
// held and new datagrams to their RECVs, ARP answered.
void progress(np_transport_ctx *c) {
    drain_completions(c);
    if (c->parked_count) send_parked(c);
    if (c->held_total && c->recvs_parked)
        for (uint32_t i = 0; i < c->max_eps; i++)
            if (c->eps[i].in_use && c->eps[i].held_count) deliver_held(c, &c->eps[i]);
    rx_burst(c);
    flush_tx(c);
}

// Wait policies (chosen in ctx_create).  Both return when a datagram or a
// completion may be there, or at the timeout.
void wait_sleep(np_transport_ctx *c, int64_t timeout_ns) {
    pollfd p{c->fd, short(POLLIN | (c->parked_count ? POLLOUT : 0)), 0};
    timespec ts{time_t(timeout_ns / 1000000000), long(timeout_ns % 1000000000)};
    c->stats.syscalls++;
    c->stats.wouldblock++;
    ppoll(&p, 1, &ts, nullptr);
}

bool ready(np_transport_ctx *c) {
    return xsk_cons_nb_avail(&c->rx, 1) || (c->parked_count && xsk_cons_nb_avail(&c->comp, 1));
}

void wait_spin(np_transport_ctx *c, int64_t timeout_ns) {
    uint64_t t0 = mono_ns();
    int64_t spin = std::min<int64_t>(timeout_ns, int64_t(c->cfg.busy_poll_us) * 1000);
    for (uint32_t i = 0;; i++) {
        if (ready(c)) return;
        if ((i & 63) == 63) {
            int64_t spent = int64_t(mono_ns() - t0);
            if (spent >= spin) {
                if (timeout_ns > spent) wait_sleep(c, timeout_ns - spent);
                return;
            }
        }
    }
}

// ---- endpoints -------------------------------------------------------------------

np_endpoint *ep_alloc(np_transport_ctx *c) {
    if (!c->n_ep_free) return nullptr;
    np_endpoint *ep = &c->eps[c->ep_free[--c->n_ep_free]];
    uint32_t idx = ep->index;
    HeldFrame *held = ep->held;
    *ep = np_endpoint{};
    ep->index = idx;
    ep->held = held;
    ep->in_use = true;
    return ep;
}

// Frees an endpoint: its port stops being steered, held frames go back to
// the fill ring.  Pending ops are the caller's business.
void ep_release(np_transport_ctx *c, np_endpoint *ep) {
    if (ep->port && c->port_owner[ep->port] == ep->index + 1) {
        c->port_owner[ep->port] = 0;
        c->stats.syscalls++;
        steer_port(c->steer, ep->port, false);
    }
    while (ep->held_count) {
        recycle(c, ep->held[ep->held_head].addr);
        ep->held_head = (ep->held_head + 1) % c->held_cap;
        ep->held_count--;
        c->held_total--;
    }
    if (c->bound) refill(c);
    if (ep->reserve_fd >= 0) close(ep->reserve_fd);
    ep->reserve_fd = -1;
    ep->in_use = false;
    c->ep_free[c->n_ep_free++] = ep->index;
}

// Completes an endpoint's pending ops with -ECANCELED (CLOSE).
void cancel_ops(np_transport_ctx *c, np_endpoint *ep) {
    if (ep->has_recv) {
        push_done(c, ep->recv_op.user, -ECANCELED, ep);
        ep->has_recv = false;
        c->recvs_parked--;
    }
    uint32_t keep = 0;
    for (uint32_t i = 0; i < c->parked_count; i++) {
        np_op &op = c->parked[(c->parked_head + i) % c->max_inflight];
        if (op.ep == ep) push_done(c, op.user, -ECANCELED, ep);
        else c->parked[(c->parked_head + keep++) % c->max_inflight] = op;
    }
    c->parked_count = keep;
}

// ---- binding a context to its interface (first listen) -----------------------------

// Where the first endpoint's traffic goes: the interface and our address.
int choose_interface(np_transport_ctx *c, const np_endpoint_spec *s, std::string *ifname, uint32_t *ip, char *err,
                     size_t elen) {
    const sockaddr_in *local = reinterpret_cast<const sockaddr_in *>(&s->local);
    const sockaddr_in *remote = reinterpret_cast<const sockaddr_in *>(&s->remote);
    uint32_t bound_ip = s->local_len ? local->sin_addr.s_addr : 0;
    *ip = c->cfg.ip ? c->cfg.ip : bound_ip;
    if (!c->cfg.ifname.empty()) {
        *ifname = c->cfg.ifname;
        return 0;
    }
    if (bound_ip) {
        *ifname = iface_owning(bound_ip);
        if (!ifname->empty()) return 0;
    }
    if (s->remote_len) {
        Route rt;
        int r = route_lookup(remote->sin_addr.s_addr, &rt, err, elen);
        if (r) return r;
        char name[IF_NAMESIZE] = "";
        if (!if_indextoname(unsigned(rt.oif), name)) {
            int e = errno;
            set_err(err, elen, "xdp: route to %s: interface %d: %s", ip_str(remote->sin_addr.s_addr).c_str(),
                    rt.oif, strerror(e));
            return -e;
        }
        *ifname = name;
        if (!*ip) *ip = rt.src;
        return 0;
    }
    return iface_only_one(ifname, err, elen);
}

// Prints a fallback once per process and interface: what auto settled for
// and why (the run's output has no place for it).
void note_once(const std::string &ifname, const std::string &what) {
    static std::mutex mu;
    static std::set<std::string> seen;
    std::lock_guard<std::mutex> g(mu);
    if (!seen.insert(ifname + what).second) return;
    fprintf(stderr, "xdp: %s: %s\n", ifname.c_str(), what.c_str());
}

int create_socket(np_transport_ctx *c, bool zero_copy, char *err, size_t elen) {
    if (c->ifc.rx_queues > 0 && c->queue >= c->ifc.rx_queues) {
        set_err(err, elen, "xdp: %s has %d rx queue%s: option queue=%d is not one of them", c->ifc.name.c_str(),
                c->ifc.rx_queues, c->ifc.rx_queues > 1 ? "s" : "", c->queue);
        return -EINVAL;
    }
    clear_library_message();
    xsk_socket_config sc{};
    sc.rx_size = c->cfg.rx_ring;
    sc.tx_size = c->cfg.tx_ring;
    sc.libxdp_flags = c->cfg.default_prog ? 0 : XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD;
    sc.xdp_flags = c->xdp_mode == XdpMode::kDrv ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
    sc.bind_flags = uint16_t((zero_copy ? XDP_ZEROCOPY : XDP_COPY) | (c->cfg.need_wakeup ? XDP_USE_NEED_WAKEUP : 0));
    int r = xsk_socket__create(&c->xsk, c->ifc.name.c_str(), uint32_t(c->queue), c->umem, &c->rx, &c->tx, &sc);
    // A socket closed a moment ago (the previous test's) may still hold the
    // queue: the kernel releases it from a work queue.  Wait for it a while.
    for (int i = 0; r == -EBUSY && i < 100; i++) {
        usleep(20000);
        r = xsk_socket__create(&c->xsk, c->ifc.name.c_str(), uint32_t(c->queue), c->umem, &c->rx, &c->tx, &sc);
    }
    if (r) {
        c->xsk = nullptr;
        std::string lib = last_library_message();
        set_err(err, elen, "xdp: AF_XDP socket on %s queue %d (%s): %s%s%s", c->ifc.name.c_str(), c->queue,
                zero_copy ? "zero-copy" : "copy", strerror(-r), lib.empty() ? "" : ": ", lib.c_str());
    }
    return r;
}

// Undoes bind_ctx: socket, UMEM, queue and (last user) the XDP program.
void unbind(np_transport_ctx *c) {
    if (c->xsk) xsk_socket__delete(c->xsk);
    if (c->umem) xsk_umem__delete(c->umem);
    if (c->umem_area) munmap(c->umem_area, c->umem_len);
    if (c->steer) steer_release(c->steer);
    c->xsk = nullptr;
    c->umem = nullptr;
    c->umem_area = nullptr;
    c->steer = nullptr;
    c->fd = -1;
    c->n_tx_pool = c->n_recycle = c->tx_reserved = 0;
    c->bound = false;
}

int bind_steps(np_transport_ctx *c, const np_endpoint_spec *s, char *err, size_t elen);

// Interface, program, UMEM, socket: all of it, or nothing.
int bind_ctx(np_transport_ctx *c, const np_endpoint_spec *s, char *err, size_t elen) {
    int r = bind_steps(c, s, err, elen);
    if (r) unbind(c);
    return r;
}

int bind_steps(np_transport_ctx *c, const np_endpoint_spec *s, char *err, size_t elen) {
    std::string ifname;
    uint32_t ip = 0;
    int r = choose_interface(c, s, &ifname, &ip, err, elen);
    if (r) return r;
    r = iface_lookup(ifname, &c->ifc, err, elen);
    if (r) return r;
    if (!ip) ip = c->ifc.ip;
    if (!ip) {
        set_err(err, elen, "xdp: %s has no IPv4 address: give one with the option ip=", ifname.c_str());
        return -EADDRNOTAVAIL;
    }
    c->ip = ip;
    // The kernel answers ARP for its own addresses; for any other we do.
    c->own_arp = iface_owning(ip).empty() || c->cfg.default_prog;
    if (c->cfg.mode == Mode::kZeroCopy && c->cfg.xdp_mode == XdpMode::kSkb) {
        set_err(err, elen, "xdp: mode=zerocopy needs xdp_mode=drv (generic XDP always copies)");
        return -EINVAL;
    }
    SteerRequest req;
    req.ifindex = c->ifc.ifindex;
    req.ifname = c->ifc.name.c_str();
    req.mode = c->cfg.xdp_mode;
    req.load_program = !c->cfg.default_prog;
    req.ip = ip;
    req.own_arp = c->own_arp;
    std::string note;
    r = steer_acquire(req, &c->steer, &c->xdp_mode, &note, err, elen);
    if (r) return r;
    c->queue = c->cfg.queue;
    if (c->cfg.default_prog) c->xdp_mode = c->cfg.xdp_mode == XdpMode::kDrv ? XdpMode::kDrv : XdpMode::kSkb;
    if (!note.empty() && c->cfg.xdp_mode == XdpMode::kAuto) note_once(c->ifc.name, note);

    const uint32_t frames = c->cfg.rx_ring + c->cfg.tx_ring;
    c->umem_len = size_t(frames) * c->cfg.frame_size;
    c->umem_area = mmap(nullptr, c->umem_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (c->umem_area == MAP_FAILED) {
        c->umem_area = nullptr;
        int e = errno;
        set_err(err, elen, "xdp: cannot map a %zu-byte UMEM: %s", c->umem_len, strerror(e));
        return -e;
    }
    xsk_umem_config uc{};
    uc.fill_size = c->cfg.rx_ring;
    uc.comp_size = c->cfg.tx_ring;
    uc.frame_size = c->cfg.frame_size;
    uc.frame_headroom = 0;
    uc.flags = 0;
    r = xsk_umem__create(&c->umem, c->umem_area, c->umem_len, &c->fill, &c->comp, &uc);
    if (r) {
        c->umem = nullptr;
        set_err(err, elen, "xdp: UMEM of %u frames of %u bytes on %s: %s", frames, c->cfg.frame_size,
                c->ifc.name.c_str(), strerror(-r));
        return r;
    }
    bool zc = c->cfg.mode != Mode::kCopy && c->xdp_mode == XdpMode::kDrv;
    if (c->cfg.mode == Mode::kZeroCopy && !zc) {
        set_err(err, elen, "xdp: mode=zerocopy: %s runs XDP in skb mode, where every frame is copied",
                c->ifc.name.c_str());
        return -EOPNOTSUPP;
    }
    r = create_socket(c, zc, err, elen);
    if (r && zc && c->cfg.mode == Mode::kAuto) {
        std::string why = strerror(-r);
        zc = false;
        r = create_socket(c, false, err, elen);
        if (!r) note_once(c->ifc.name, "zero-copy refused by the driver (" + why + "): copy mode");
    }
    if (r) return r;
    c->zero_copy = zc;
    c->fd = xsk_socket__fd(c->xsk);
    if (c->ifc.rx_queues > 1)
        note_once(c->ifc.name, "has " + std::to_string(c->ifc.rx_queues) + " rx queues and the socket serves queue " +
                                   std::to_string(c->queue) +
                                   " only: datagrams the sender puts on another queue are lost (steer them: ethtool "
                                   "-N, or one queue: ethtool -L)");
    r = steer_add_socket(c->steer, c->xsk, err, elen);
    if (r) return r;
    if (c->cfg.busy_poll_us > 0) {
        // Busy polling the driver from our loop (NAPI drivers, driver mode);
        // harmless where there is no NAPI context, as on veth in skb mode.
        int one = 1, us = c->cfg.busy_poll_us, budget = int(c->cfg.batch);
        setsockopt(c->fd, SOL_SOCKET, SO_PREFER_BUSY_POLL, &one, sizeof one);
        setsockopt(c->fd, SOL_SOCKET, SO_BUSY_POLL, &us, sizeof us);
        setsockopt(c->fd, SOL_SOCKET, SO_BUSY_POLL_BUDGET, &budget, sizeof budget);
    }
    // RX frames to the fill ring, TX frames to the pool.
    uint32_t idx;
    if (xsk_ring_prod__reserve(&c->fill, c->cfg.rx_ring, &idx) != c->cfg.rx_ring) {
        set_err(err, elen, "xdp: the fill ring of %s queue %d did not take %u frames", c->ifc.name.c_str(), c->queue,
                c->cfg.rx_ring);
        return -ENOSPC;
    }
    for (uint32_t i = 0; i < c->cfg.rx_ring; i++)
        *xsk_ring_prod__fill_addr(&c->fill, idx + i) = uint64_t(i) * c->cfg.frame_size;
    xsk_ring_prod__submit(&c->fill, c->cfg.rx_ring);
    for (uint32_t i = 0; i < c->cfg.tx_ring; i++)
        c->tx_pool[c->n_tx_pool++] = uint64_t(c->cfg.rx_ring + i) * c->cfg.frame_size;
    // Payload limits: the MTU (we do not fragment), the TX frame, and the
    // RX frame after the kernel's XDP headroom (256 bytes).
    uint32_t by_mtu = c->ifc.mtu > int(kIpLen + kUdpLen) ? uint32_t(c->ifc.mtu) - uint32_t(kIpLen + kUdpLen) : 0;
    uint32_t by_frame = c->cfg.frame_size - 256 - uint32_t(kHdrLen);
    c->max_payload = std::min(by_mtu, by_frame);
    c->bound = true;
    return 0;
}

// ---- peers -----------------------------------------------------------------------------

// The MAC of the next hop toward ip: option, neighbour table, or ARP from
// our socket (three requests, 300 ms apart).
int resolve_mac(np_transport_ctx *c, uint32_t ip, uint8_t mac[6], char *err, size_t elen) {
    if (c->cfg.peer_mac_set) {
        memcpy(mac, c->cfg.peer_mac, 6);
        return 0;
    }
    Route rt;
    int r = route_lookup(ip, &rt, err, elen);
    if (r) return r;
    if (rt.oif != c->ifc.ifindex) {
        char name[IF_NAMESIZE] = "?";
        if_indextoname(unsigned(rt.oif), name);
        set_err(err, elen, "xdp: the route to %s leaves through %s, not %s (give ifname=%s, or peer_mac=)",
                ip_str(ip).c_str(), name, c->ifc.name.c_str(), name);
        return -EHOSTUNREACH;
    }
    if (neigh_lookup(c->ifc.name, rt.next_hop, mac)) return 0;
    c->arp_want = rt.next_hop;
    c->arp_got = false;
    steer_arp_peer(c->steer, rt.next_hop);
    for (int attempt = 0; attempt < 3 && !c->arp_got; attempt++) {
        xdp_desc *d;
        uint8_t *f = tx_reserve(c, &d);
        if (f) d->len = uint32_t(build_arp(f, 1, c->ifc.mac, c->ip, nullptr, rt.next_hop));
        flush_tx(c);
        uint64_t until = mono_ns() + 300000000ull;
        for (uint64_t now = mono_ns(); !c->arp_got && now < until; now = mono_ns()) {
            wait_sleep(c, int64_t(until - now));
            drain_completions(c);
            rx_burst(c);
            flush_tx(c);
        }
    }
    steer_arp_peer(c->steer, 0);
    c->arp_want = 0;
    if (!c->arp_got) {
        set_err(err, elen, "xdp: no ARP answer from %s on %s within 0.9 s (give peer_mac=)", ip_str(rt.next_hop).c_str(),
                c->ifc.name.c_str());
        return -EHOSTUNREACH;
    }
    memcpy(mac, c->arp_mac, 6);
    return 0;
}

int set_peer(np_transport_ctx *c, np_endpoint *ep, const sockaddr *addr, uint32_t len, char *err, size_t elen) {
    if (!addr || addr->sa_family != AF_INET || len < sizeof(sockaddr_in)) {
        set_err(err, elen, "xdp: peers are IPv4 addresses");
        return -EAFNOSUPPORT;
    }
    const sockaddr_in *a = reinterpret_cast<const sockaddr_in *>(addr);
    uint8_t mac[6];
    int r = resolve_mac(c, a->sin_addr.s_addr, mac, err, elen);
    if (r) return r;
    ep->peer_ip = a->sin_addr.s_addr;
    ep->peer_port = ntohs(a->sin_port);
    memcpy(ep->peer_mac, mac, 6);
    set_template(c, ep);
    return 0;
}

// A kernel UDP socket bound to our port: it picks a free port for port 0
// and keeps every other socket off ours while the test runs.  It never
// sees a datagram: the XDP program takes them first.
int reserve_port(np_transport_ctx *c, uint16_t port, int *fd_out, uint16_t *port_out, char *err, size_t elen) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        set_err(err, elen, "xdp: socket to reserve UDP port %u: %s", port, strerror(e));
        return -e;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = c->own_arp ? INADDR_ANY : c->ip;
    if (bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0) {
        int e = errno;
        close(fd);
        set_err(err, elen, "xdp: UDP port %u on %s: %s", port, ip_str(c->ip).c_str(), strerror(e));
        return -e;
    }
    socklen_t l = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr *>(&a), &l);
    *fd_out = fd;
    *port_out = ntohs(a.sin_port);
    return 0;
}

// ---- the ops table ----------------------------------------------------------------------

bool has_cap(int cap) {
    __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct d[2]{};
    if (syscall(SYS_capget, &h, d) != 0) return false;
    return d[cap / 32].effective & (1u << (cap % 32));
}

int probe(char *why, size_t len) {
    quiet_libraries();
    const int kCapBpf = 39;  // CAP_BPF (5.8); older kernels want CAP_SYS_ADMIN
    if (!has_cap(CAP_NET_ADMIN) || !has_cap(CAP_NET_RAW) || !(has_cap(kCapBpf) || has_cap(CAP_SYS_ADMIN))) {
        set_err(why, len, "AF_XDP: needs root (CAP_NET_ADMIN, CAP_NET_RAW and CAP_BPF)");
        return -EPERM;
    }
    int fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        if (e == EAFNOSUPPORT)
            set_err(why, len, "AF_XDP: this kernel has no AF_XDP sockets (CONFIG_XDP_SOCKETS)");
        else
            set_err(why, len, "AF_XDP: socket(AF_XDP): %s", strerror(e));
        return -e;
    }
    close(fd);
    // The steering program must pass the verifier here; without it (a
    // build without clang) only prog=default works, which probe allows.
    if (steer_program_built()) return steer_program_check(why, len);
    return 0;
}

void free_ctx(np_transport_ctx *c) {
    delete[] c->eps;
    delete[] c->ep_free;
    delete[] c->port_owner;
    delete[] c->held_store;
    delete[] c->tx_pool;
    delete[] c->recycle;
    delete[] c->parked;
    delete[] c->done;
    delete c;
}

int ctx_create(const np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    if (!p || p->struct_size < offsetof(np_ctx_params, reserved)) {
        set_err(err, elen, "xdp: ctx_create: parameter block too small");
        return -EINVAL;
    }
    Config cfg;
    int r = parse_options(p, &cfg, err, elen);
    if (r) return r;
    if (cfg.default_prog && cfg.ifname.empty()) {
        set_err(err, elen, "xdp: prog=default takes every frame of the queue from the kernel: name the data "
                           "interface with ifname= (not the one carrying the control connection)");
        return -EINVAL;
    }
    quiet_libraries();
    auto *c = new (std::nothrow) np_transport_ctx();
    if (!c) return -ENOMEM;
    c->cfg = cfg;
    c->max_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->max_inflight = p->max_inflight ? p->max_inflight : 64;
    c->done_cap = c->max_inflight * 2 + c->max_eps * 2 + cfg.batch + 8;
    // A receiver without a RECV posted holds frames like a socket buffer
    // holds datagrams; a quarter of the RX frames per endpoint at most.
    c->held_cap = std::max<uint32_t>(cfg.rx_ring / 4, 16);
    c->eps = new (std::nothrow) np_endpoint[c->max_eps];
    c->ep_free = new (std::nothrow) uint32_t[c->max_eps];
    c->port_owner = new (std::nothrow) uint16_t[65536]();
    c->held_store = new (std::nothrow) HeldFrame[size_t(c->max_eps) * c->held_cap];
    c->tx_pool = new (std::nothrow) uint64_t[cfg.tx_ring];
    c->recycle = new (std::nothrow) uint64_t[cfg.rx_ring];
    c->parked = new (std::nothrow) np_op[c->max_inflight];
    c->done = new (std::nothrow) np_completion[c->done_cap];
    if (!c->eps || !c->ep_free || !c->port_owner || !c->held_store || !c->tx_pool || !c->recycle || !c->parked ||
        !c->done) {
        set_err(err, elen, "xdp: ctx_create: out of memory for %u endpoints", c->max_eps);
        free_ctx(c);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < c->max_eps; i++) {
        c->eps[i].index = i;
        c->eps[i].held = c->held_store + size_t(i) * c->held_cap;
        c->ep_free[i] = c->max_eps - 1 - i;
    }
    c->n_ep_free = c->max_eps;
    c->kick = cfg.need_wakeup ? kick_if_asked : kick_now;
    c->wait = cfg.busy_poll_us > 0 ? wait_spin : wait_sleep;
    c->stats.struct_size = sizeof c->stats;
    *out = c;
    return 0;
}

void ctx_destroy(np_transport_ctx *c) {
    if (!c) return;
    for (uint32_t i = 0; i < c->max_eps; i++)
        if (c->eps[i].in_use) ep_release(c, &c->eps[i]);
    unbind(c);
    free_ctx(c);
}

int listen_ep(np_transport_ctx *c, const np_endpoint_spec *s, np_endpoint **out, char *err, size_t elen) {
    if (!s || s->struct_size < offsetof(np_endpoint_spec, reserved)) {
        set_err(err, elen, "xdp: listen: endpoint spec too small");
        return -EINVAL;
    }
    if (s->family != AF_INET) {
        set_err(err, elen, "xdp: IPv4 only (the frames are built here, and only for IPv4)");
        return -EAFNOSUPPORT;
    }
    if (s->socktype != SOCK_DGRAM) {
        set_err(err, elen, "xdp: UDP only (AF_XDP carries no TCP stack)");
        return -EPROTONOSUPPORT;
    }
    if (!c->bound) {
        int r = bind_ctx(c, s, err, elen);
        if (r) return r;
    } else if (s->local_len) {
        uint32_t want = reinterpret_cast<const sockaddr_in *>(&s->local)->sin_addr.s_addr;
        if (want && want != c->ip) {
            set_err(err, elen, "xdp: this worker's socket serves %s on %s, not %s", ip_str(c->ip).c_str(),
                    c->ifc.name.c_str(), ip_str(want).c_str());
            return -EADDRNOTAVAIL;
        }
    }
    np_endpoint *ep = ep_alloc(c);
    if (!ep) {
        set_err(err, elen, "xdp: listen: no free endpoint slot (max %u)", c->max_eps);
        return -EMFILE;
    }
    uint16_t want_port = s->local_len ? ntohs(reinterpret_cast<const sockaddr_in *>(&s->local)->sin_port) : 0;
    int r = reserve_port(c, want_port, &ep->reserve_fd, &ep->port, err, elen);
    if (r) {
        ep_release(c, ep);
        return r;
    }
    if (c->port_owner[ep->port]) {
        set_err(err, elen, "xdp: UDP port %u is already an endpoint of this worker", ep->port);
        ep->port = 0;
        ep_release(c, ep);
        return -EADDRINUSE;
    }
    ep->track_peer = s->flags & NP_EP_TRACK_PEER;
    ep->tos = s->tos >= 0 ? uint8_t(s->tos) : 0;
    if (s->remote_len) {
        r = set_peer(c, ep, reinterpret_cast<const sockaddr *>(&s->remote), s->remote_len, err, elen);
        if (r) {
            ep_release(c, ep);
            return r;
        }
    }
    c->port_owner[ep->port] = uint16_t(ep->index + 1);
    r = steer_port(c->steer, ep->port, true);
    if (r) {
        set_err(err, elen, "xdp: cannot steer UDP port %u on %s: %s", ep->port, c->ifc.name.c_str(), strerror(-r));
        ep_release(c, ep);
        return r;
    }
    *out = ep;
    return 0;
}

int ep_info(np_transport_ctx *c, np_endpoint *ep, np_endpoint_info *o) {
    if (!ep || !o) return -EINVAL;
    uint32_t sz = o->struct_size ? o->struct_size : sizeof *o;
    memset(o, 0, sizeof *o);
    o->struct_size = sz;
    sockaddr_in *l = reinterpret_cast<sockaddr_in *>(&o->local);
    l->sin_family = AF_INET;
    l->sin_addr.s_addr = c->ip;
    l->sin_port = htons(ep->port);
    o->local_len = sizeof *l;
    if (ep->peer_ready) {
        sockaddr_in *r = reinterpret_cast<sockaddr_in *>(&o->remote);
        r->sin_family = AF_INET;
        r->sin_addr.s_addr = ep->peer_ip;
        r->sin_port = htons(ep->peer_port);
        o->remote_len = sizeof *r;
    }
    // The UMEM each direction has, in place of socket buffers.
    o->sndbuf = int32_t(c->cfg.tx_ring * c->cfg.frame_size);
    o->rcvbuf = int32_t(c->cfg.rx_ring * c->cfg.frame_size);
    o->mss = -1;
    o->retransmits = -1;
    return 0;
}

void ep_close(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep || !ep->in_use) return;
    if (ep->has_recv) c->recvs_parked--;
    ep->has_recv = false;
    uint32_t keep = 0;
    for (uint32_t i = 0; i < c->parked_count; i++) {
        np_op &op = c->parked[(c->parked_head + i) % c->max_inflight];
        if (op.ep != ep) c->parked[(c->parked_head + keep++) % c->max_inflight] = op;
    }
    c->parked_count = keep;
    ep_release(c, ep);
}

int ep_set_peer(np_transport_ctx *c, np_endpoint *ep, const sockaddr *addr, uint32_t len) {
    if (!ep || !c->bound) return -EINVAL;
    char err[NP_ERRLEN];
    int r = set_peer(c, ep, addr, len, err, sizeof err);
    // The ABI has no error string here: say why on stderr, as the core
    // reports only the errno.
    if (r) fprintf(stderr, "%s\n", err);
    return r;
}

uint32_t stage(np_transport_ctx *c, const np_op *ops, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const np_op &op = ops[i];
        switch (op.kind) {
        case NP_OP_SEND:
            // Sends leave in order: behind parked ones, or now.
            if (c->parked_count || !send_one(c, op)) {
                if (c->parked_count == c->max_inflight) return i;
                c->parked[(c->parked_head + c->parked_count++) % c->max_inflight] = op;
            }
            break;
        case NP_OP_RECV: {
            np_endpoint *ep = op.ep;
            if (ep->has_recv) {
                push_done(c, op.user, -EBUSY, ep);
                break;
            }
            ep->has_recv = true;
            ep->recv_multishot = op.flags & NP_OPF_MULTISHOT;
            ep->recv_op = op;
            c->recvs_parked++;
            deliver_held(c, ep);
            break;
        }
        case NP_OP_CLOSE:
            cancel_ops(c, op.ep);
            ep_release(c, op.ep);
            push_done(c, op.user, 0, nullptr);
            break;
        default:
            // CONNECT, ACCEPT, SHUTDOWN: not in a datagram transport's caps.
            push_done(c, op.user, -EOPNOTSUPP, op.ep);
        }
    }
    return n;
}

int commit(np_transport_ctx *c) {
    if (!c->bound) return 0;
    if (c->tx_reserved) c->stats.batches++;
    flush_tx(c);
    return 0;
}

uint32_t pop_done(np_transport_ctx *c, np_completion *out, uint32_t max) {
    uint32_t n = 0;
    while (n < max && c->done_count) {
        out[n++] = c->done[c->done_head];
        c->done_head = (c->done_head + 1) % c->done_cap;
        c->done_count--;
    }
    return n;
}

uint32_t reap(np_transport_ctx *c, np_completion *out, uint32_t max, int64_t timeout_ns) {
    if (c->bound) {
        progress(c);
        if (!c->done_count && timeout_ns > 0) {
            c->wait(c, timeout_ns);
            progress(c);
        }
    }
    return pop_done(c, out, max);
}

int stats(np_transport_ctx *c, np_transport_stats *out) {
    if (!c || !out) return -EINVAL;
    *out = c->stats;
    return 0;
}

np_transport_ops make_ops() {
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "xdp";
    ops.description = "AF_XDP: UDP over IPv4 with hand-built frames (copy or zero-copy)";
    ops.caps = NP_CAP_DGRAM | NP_CAP_INET | NP_CAP_MULTISHOT;
    ops.n_options = sizeof kOptions / sizeof kOptions[0];
    ops.options = kOptions;
    ops.probe = probe;
    ops.ctx_create = ctx_create;
    ops.ctx_destroy = ctx_destroy;
    ops.listen = listen_ep;
    ops.ep_info = ep_info;
    ops.ep_close = ep_close;
    ops.ep_set_peer = ep_set_peer;
    ops.stage = stage;
    ops.commit = commit;
    ops.reap = reap;
    ops.stats = stats;
    return ops;
}

const np_transport_ops kOps = make_ops();

}  // namespace

extern "C" NP_TRANSPORT_EXPORT const np_transport_ops *np_transport_entry(void) { return &kOps; }
