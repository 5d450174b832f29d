// np-transport-dpdk: UDP datagrams (and raw Ethernet frames, mode=l2) over
// any DPDK ethdev, with Ethernet/IPv4/UDP headers built here.
//
//   netperf -H 10.77.0.2 -t UDP_STREAM --transport dpdk,sockets
//     --transport-opt 'eal=--no-huge -m 256 --no-pci --vdev=net_af_packet0,iface=veth0'
//     --transport-opt ip=10.77.0.10 -- -m 64
// (one command line).
//
// How the engine's batches map onto DPDK (one context per pinned worker,
// each with its own rx/tx queue pair and mbuf pool):
//   stage()  builds one mbuf per SEND (header copied from the endpoint's
//            template, payload copied in, checksums), parks RECVs, runs
//            CLOSEs: no I/O;
//   commit() hands the staged frames to rte_eth_tx_burst once; a SEND
//            completes when the port has taken its frame (frames the port
//            cannot take yet stay queued and go on the next commit/reap);
//   reap()   polls once (pending tx, one rx burst, the inbox of frames
//            other queues handed over) and, when nothing completed, keeps
//            polling until the engine's timeout: DPDK busy-polls.
// Received datagrams wait in their endpoint's backlog (mbufs, as a socket's
// receive queue holds skbs) until a RECV takes one; a full backlog drops,
// as a full socket buffer does.
//
// Addresses: an endpoint is bound to an IPv4 address (the port's ip=, or
// the spec's local address) and a UDP port (the spec's, or an ephemeral
// one).  Its peer's MAC comes from peer_mac= or from ARP on the control
// path (listen, ep_set_peer); every worker answers ARP requests for the
// port's address, so a kernel peer can reach us.  A server endpoint
// (NP_EP_TRACK_PEER) answers whoever sent the last datagram it received.
#include <netperf/transport_abi.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <sched.h>
#include <string>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_pause.h>
#include <rte_ring.h>

#include "dpdk_frame.h"
#include "dpdk_internal.h"

using namespace np_dpdk;

namespace {

enum class Mode : uint8_t { kUdp, kL2 };

// Completions an armed multishot RECV may have waiting in the ring: what
// two polls can deliver (an rx burst and an inbox burst, each at most
// kMaxBurst).
constexpr uint32_t kMoreRoom = 4 * kMaxBurst;

// What an RxMeta's pad field says about its frame.
constexpr uint16_t kMetaUdp = 0, kMetaL2 = 1;

}  // namespace

struct np_endpoint {
    uint32_t slot = 0;
    bool in_use = false;
    bool l2 = false;           // mode=l2 frames
    bool track_peer = false;   // answer the source of the last datagram
    bool connected = false;    // NP_EP_DGRAM_CONNECT: only the peer's datagrams
    bool has_peer = false;
    bool has_recv = false;
    bool recv_multishot = false;  // the armed RECV is NP_OPF_MULTISHOT
    bool ms_drain = false;        // multishot armed with datagrams still in the backlog
    uint16_t lport = 0;        // host order
    uint32_t lip = 0;          // network order
    uint32_t peer_ip = 0;      // network order
    uint16_t peer_port = 0;    // network order
    uint8_t tos = 0;
    rte_ether_addr peer_mac{};
    uint32_t ip_sum = 0;       // template's IPv4 header sum without lengths
    alignas(64) uint8_t hdr[64];  // the frame header every send starts from
    np_op recv_op{};
    rte_mbuf **backlog = nullptr;  // ring of received datagrams (ctx storage)
    uint32_t bl_head = 0, bl_count = 0;
};

namespace {

// The transport's own counters (the engine keeps the test's; a memif
// server's ethdev stats read 0 once its client has left).
struct Counters {
    uint64_t tx_frames = 0, tx_bytes = 0, tx_full = 0;
    uint64_t rx_frames = 0, rx_datagrams = 0;
    uint64_t drop_backlog = 0, drop_no_port = 0, drop_not_ours = 0, drop_fragment = 0, drop_other = 0;
    uint64_t handed_out = 0, handed_in = 0;
    uint64_t arp_answered = 0, arp_learnt = 0;
    uint64_t commits = 0;
};

// A frame waiting for the port, and what its completion says.
struct TxSlot {
    uint64_t user;
    np_endpoint *ep;
    uint32_t len;
    bool completes;  // false: our own ARP frames
};

}  // namespace

struct np_transport_ctx {
    Port *port = nullptr;
    uint16_t port_id = 0;
    uint16_t q = 0;
    bool queue_held = false;
    bool worker_polls = false;  // the worker has started polling the queue (take_queue)
    Mode mode = Mode::kUdp;
    bool udp_csum = true;
    bool verbose = false;
    bool have_peer_mac = false;
    rte_ether_addr peer_mac{};
    uint32_t burst = 32;
    int arp_timeout_ms = 1000;
    uint64_t tsc_hz = 0;
    uint64_t yield_cycles = 0;  // empty polling before reap yields between polls (0: never)
    rte_mempool *pool = nullptr;
    rte_ring *inbox = nullptr;
    uint16_t max_payload = 0;
    // Builds the frames of a batch of SENDs: chosen once (mode, checksum).
    void (*build_sends)(np_transport_ctx *, const np_op *const *, rte_mbuf **, uint32_t) = nullptr;

    uint32_t max_eps = 0;
    np_endpoint *eps = nullptr;
    uint32_t *free_slots = nullptr;
    uint32_t n_free = 0;
    uint32_t bl_cap = 0;  // backlog slots per endpoint (a power of two)
    rte_mbuf **bl_store = nullptr;

    rte_mbuf **tx = nullptr;  // frames waiting for the port, in order
    TxSlot *txs = nullptr;
    uint32_t tx_n = 0, tx_cap = 0;

    np_completion *done = nullptr;  // completions not yet reaped (a ring)
    uint32_t done_head = 0, done_n = 0, done_cap = 0;
    uint32_t inflight = 0, max_inflight = 0;
    // Completions of armed multishot RECVs (NP_CF_MORE) in the ring: at most
    // kMoreRoom, on top of one per staged op.  reap polls only while one
    // poll's worth fits, so a datagram for an armed RECV never waits.
    uint32_t more_n = 0;
    uint32_t n_drain = 0;  // endpoints with ms_drain set
    bool staged_since_commit = false;

    // Scratch of one stage() / one rx burst (sized at create).
    const np_op **send_ops = nullptr;
    rte_mbuf **send_mbufs = nullptr;
    rte_mbuf *rx[kMaxBurst];
    rte_mbuf *to_free[kMaxBurst];
    rte_mbuf *handoff[kMaxBurst];
    uint16_t handoff_q[kMaxBurst];
    bool said_too_long = false;

    Counters ctr;
};

namespace {

// ---- options -----------------------------------------------------------------

const np_option_desc kOptions[] = {
    {"eal", NP_OPT_STRING, "",
     "EAL arguments, e.g. '--no-huge -m 256 --no-pci --vdev=net_af_packet0,iface=veth0' (once per process)"},
    {"port", NP_OPT_STRING, "0", "ethdev to use: its port id or its name (e.g. net_memif0)"},
    {"mode", NP_OPT_STRING, "udp", "udp: Ethernet/IPv4/UDP datagrams; l2: raw Ethernet frames (DPDK on both ends)"},
    {"ip", NP_OPT_STRING, "", "the port's IPv4 address (default: the data endpoint's local address, -- -L)"},
    {"peer_mac", NP_OPT_STRING, "", "the peer's (next hop's) MAC; default: ask by ARP"},
    {"queues", NP_OPT_INT, "0", "rx/tx queue pairs to set the port up with, one per worker (0: min(device, CPUs))"},
    {"mbufs", NP_OPT_INT, "8191", "mbufs in each queue's pool"},
    {"backlog", NP_OPT_INT, "1024", "received datagrams an endpoint holds for its RECVs (its receive buffer)"},
    {"burst", NP_OPT_INT, "32", "frames per rte_eth_rx_burst (1..256)"},
    {"udp_csum", NP_OPT_BOOL, "1", "UDP checksums (offloaded where the port can); 0 sends none (legal over IPv4)"},
    {"arp_timeout_ms", NP_OPT_INT, "1000", "how long to wait for an ARP reply for the peer"},
    {"link_wait_ms", NP_OPT_INT, "5000", "client side: how long to wait for the link (a memif server) to come up"},
    {"yield_us", NP_OPT_INT, "50",
     "after this many us of empty polls reap yields the CPU between polls (0: never, pure busy-poll)"},
    {"verbose", NP_OPT_BOOL, "0", "print the resolved setup at start and the transport's counters at the end"},
};

bool parse_bool(const char *v, bool *out) {
    static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
    for (auto *s : yes)
        if (strcmp(v, s) == 0) return (*out = true), true;
    for (auto *s : no)
        if (strcmp(v, s) == 0) return (*out = false), true;
    return false;
}

bool parse_int(const char *v, long lo, long hi, long *out) {
    char *end = nullptr;
    errno = 0;
    long n = strtol(v, &end, 0);
    if (!*v || *end || errno || n < lo || n > hi) return false;
    *out = n;
    return true;
}

// ---- completions ---------------------------------------------------------------

inline void push_done(np_transport_ctx *c, uint64_t user, int64_t result, np_endpoint *ep, uint32_t flags = 0) {
    // Capacity max_inflight + 8 + kMoreRoom: every staged op completes once
    // without NP_CF_MORE; at most kMoreRoom completions carry it.
    uint32_t i = c->done_head + c->done_n;
    if (i >= c->done_cap) i -= c->done_cap;
    c->done[i] = np_completion{user, result, ep, flags, 0};
    c->done_n++;
}

// ---- endpoints -------------------------------------------------------------------

void ep_rebuild(np_transport_ctx *c, np_endpoint *ep) {
    FlowAddr a;
    a.src_mac = c->port->mac;
    a.dst_mac = ep->peer_mac;
    a.src_ip = ep->lip;
    a.dst_ip = ep->peer_ip;
    a.src_port = rte_cpu_to_be_16(ep->lport);
    a.dst_port = ep->peer_port;
    a.tos = ep->tos;
    if (ep->l2)
        l2_template(ep->hdr, a);
    else
        ep->ip_sum = udp4_template(ep->hdr, a);
}

void backlog_free(np_transport_ctx *c, np_endpoint *ep) {
    while (ep->bl_count) {
        rte_pktmbuf_free(ep->backlog[ep->bl_head]);
        ep->bl_head = (ep->bl_head + 1) & (c->bl_cap - 1);
        ep->bl_count--;
    }
}

// Forgets an endpoint: its UDP port, its backlog, its slot.
void ep_release(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep->in_use) return;
    if (ep->lport) c->port->owner[ep->lport].store(0, std::memory_order_release);
    backlog_free(c, ep);
    if (ep->ms_drain) c->n_drain--;
    ep->ms_drain = false;
    ep->in_use = false;
    ep->has_recv = false;
    ep->recv_multishot = false;
    c->free_slots[c->n_free++] = ep->slot;
}

// ---- receiving ---------------------------------------------------------------------

inline RxMeta *meta_of(rte_mbuf *m) { return static_cast<RxMeta *>(rte_mbuf_to_priv(m)); }

// A server endpoint (NP_EP_TRACK_PEER) answers whoever sent last.
inline void track_peer(np_transport_ctx *c, np_endpoint *ep, const RxMeta *mt) {
    if (ep->track_peer &&
        (mt->src_ip != ep->peer_ip || mt->src_port != ep->peer_port || !rte_is_same_ether_addr(&mt->src_mac, &ep->peer_mac) ||
         !ep->has_peer)) {
        ep->peer_ip = mt->src_ip;
        ep->peer_port = mt->src_port;
        ep->peer_mac = mt->src_mac;
        ep->has_peer = true;
        ep_rebuild(c, ep);
    }
}

// Completes ep's RECV with the datagram in m (m stays the caller's to free).
// A multishot RECV stays armed and copies nothing: the mbuf is the
// transport-owned buffer the ABI speaks of, and it is freed at once.
inline void complete_recv(np_transport_ctx *c, np_endpoint *ep, rte_mbuf *m) {
    const RxMeta *mt = meta_of(m);
    track_peer(c, ep, mt);
    if (ep->recv_multishot) {
        c->more_n++;
        push_done(c, ep->recv_op.user, int64_t(mt->payload_len), ep, NP_CF_MORE);
        return;
    }
    uint32_t n = std::min<uint32_t>(mt->payload_len, ep->recv_op.len);
    if (n) rte_memcpy(ep->recv_op.buf, rte_pktmbuf_mtod_offset(m, const uint8_t *, mt->payload_off), n);
    ep->has_recv = false;
    push_done(c, ep->recv_op.user, int64_t(n), ep);
}

// Completes what waits in ep's backlog for its RECV: one datagram for a
// plain RECV; for a multishot one as many as the ring has room for (the
// rest waits for the next reap, ahead of newer datagrams).
void backlog_take(np_transport_ctx *c, np_endpoint *ep) {
    while (ep->bl_count && ep->has_recv && (!ep->recv_multishot || c->more_n < kMoreRoom)) {
        rte_mbuf *m = ep->backlog[ep->bl_head];
        ep->bl_head = (ep->bl_head + 1) & (c->bl_cap - 1);
        ep->bl_count--;
        complete_recv(c, ep, m);
        rte_pktmbuf_free(m);
    }
    bool drain = ep->bl_count && ep->has_recv && ep->recv_multishot;
    if (drain != ep->ms_drain) {
        ep->ms_drain = drain;
        if (drain)
            c->n_drain++;
        else
            c->n_drain--;
    }
}

// A datagram for one of this context's endpoints: to its RECV, its backlog,
// or dropped.  Returns true when m is to be freed by the caller now.
inline bool deliver(np_transport_ctx *c, rte_mbuf *m) {
    const RxMeta *mt = meta_of(m);
    uint32_t v = c->port->owner[rte_be_to_cpu_16(mt->dst_port)].load(std::memory_order_acquire);
    if (!v || owner_queue(v) != c->q) {
        c->ctr.drop_no_port++;  // closed while the frame was handed over
        return true;
    }
    np_endpoint *ep = &c->eps[owner_slot(v)];
    if (ep->l2 != (mt->pad == kMetaL2) || (!ep->l2 && mt->dst_ip != ep->lip) ||
        (ep->connected && (mt->src_port != ep->peer_port || (!ep->l2 && mt->src_ip != ep->peer_ip)))) {
        c->ctr.drop_not_ours++;
        return true;
    }
    c->ctr.rx_datagrams++;
    if (ep->has_recv && !ep->ms_drain && (!ep->recv_multishot || c->more_n < kMoreRoom)) {
        complete_recv(c, ep, m);
        return true;
    }
    if (ep->bl_count == c->bl_cap) {
        c->ctr.drop_backlog++;
        return true;
    }
    ep->backlog[(ep->bl_head + ep->bl_count) & (c->bl_cap - 1)] = m;
    ep->bl_count++;
    if (ep->has_recv && !ep->ms_drain) {  // a multishot RECV with the ring full
        ep->ms_drain = true;
        c->n_drain++;
    }
    return false;
}

// What an ARP frame asks of its receiver.
enum class ArpVerdict : uint8_t { kIgnore, kLearnt, kReply };

// An ARP frame: learn who sent it if it is for us; a request for the port's
// address turns m into the reply (padded to the Ethernet minimum).
ArpVerdict arp_handle(Port *p, rte_mbuf *m) {
    auto *f = rte_pktmbuf_mtod(m, uint8_t *);
    auto *arp = reinterpret_cast<rte_arp_hdr *>(f + kEthLen);
    uint16_t op = rte_be_to_cpu_16(arp->arp_opcode);
    uint32_t own = p->ip.load(std::memory_order_relaxed);
    uint32_t sip = arp->arp_data.arp_sip, tip = arp->arp_data.arp_tip;
    rte_ether_addr sha = arp->arp_data.arp_sha;
    bool to_us = (own && tip == own) ||
                 (op == RTE_ARP_OP_REPLY && rte_is_same_ether_addr(&arp->arp_data.arp_tha, &p->mac));
    if (!to_us) return ArpVerdict::kIgnore;
    if (sip) neigh_learn(p, sip, sha);
    if (op != RTE_ARP_OP_REQUEST || !own || tip != own) return ArpVerdict::kLearnt;
    arp_frame(f, RTE_ARP_OP_REPLY, p->mac, own, sha, sip);
    memset(f + kArpFrameLen, 0, kMinFrame - kArpFrameLen);
    m->data_len = m->pkt_len = kMinFrame;
    m->ol_flags = 0;
    return ArpVerdict::kReply;
}

// An ARP frame on a worker's queue: a reply joins the frames waiting for
// the port.  True: free m.
bool on_arp(np_transport_ctx *c, rte_mbuf *m) {
    if (c->tx_n == c->tx_cap) return true;
    ArpVerdict v = arp_handle(c->port, m);
    if (v != ArpVerdict::kIgnore) c->ctr.arp_learnt++;
    if (v != ArpVerdict::kReply) return true;
    c->tx[c->tx_n] = m;
    c->txs[c->tx_n++] = TxSlot{0, nullptr, 0, false};
    c->ctr.arp_answered++;
    return false;
}

// Whether a frame is addressed to the port (or broadcast/multicast): on
// af_packet the port also sees the kernel's frames and, with some kernels,
// our own going out.
inline bool frame_for_port(const Port *p, const rte_mbuf *m) {
    const auto *eth = rte_pktmbuf_mtod(m, const rte_ether_hdr *);
    return m->nb_segs == 1 &&
           (rte_is_same_ether_addr(&eth->dst_addr, &p->mac) || rte_is_multicast_ether_addr(&eth->dst_addr));
}

// The idle poller's pass over a queue no worker polls (poll_lock held):
// answers ARP at once and hands datagrams to the inbox of the queue that
// owns their UDP port, for its worker to take when it starts.
void idle_poll(Port *p, uint16_t q) {
    rte_mbuf *pkts[32];
    uint16_t n = rte_eth_rx_burst(p->id, q, pkts, 32);
    for (uint16_t i = 0; i < n; i++) {
        rte_mbuf *m = pkts[i];
        RxMeta *mt = meta_of(m);
        Kind kind = frame_for_port(p, m) ? parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, *mt)
                                         : Kind::kOther;
        if (kind == Kind::kArp && arp_handle(p, m) == ArpVerdict::kReply) {
            if (rte_eth_tx_burst(p->id, q, &m, 1) == 1) continue;
        } else if (kind == Kind::kData) {
            mt->pad = rte_pktmbuf_mtod(m, const rte_ether_hdr *)->ether_type == rte_cpu_to_be_16(kL2EtherType)
                          ? kMetaL2
                          : kMetaUdp;
            uint32_t v = p->owner[rte_be_to_cpu_16(mt->dst_port)].load(std::memory_order_acquire);
            uint16_t to = owner_queue(v);
            if (v && to < p->n_queues && rte_ring_enqueue(p->q[to].inbox, m) == 0) continue;
        }
        rte_pktmbuf_free(m);
    }
}

// The worker's first stage or reap: from now on it polls its queue.
void take_queue(np_transport_ctx *c) {
    thread_register();
    Queue &qu = c->port->q[c->q];
    // The idle poller holds the lock for one rx burst; if it was preempted
    // holding it, yielding lets it finish rather than spinning a slice away.
    while (!rte_spinlock_trylock(&qu.poll_lock)) sched_yield();
    qu.worker_polls = true;
    rte_spinlock_unlock(&qu.poll_lock);
    c->worker_polls = true;
}

// Sorts a burst from the port: datagrams for our endpoints, datagrams for
// another queue's (handed over in one enqueue per run of the same queue),
// ARP, and the rest (dropped).
void rx_sort(np_transport_ctx *c, rte_mbuf **pkts, uint32_t n) {
    uint32_t n_free = 0, n_ho = 0;
    Port *p = c->port;
    c->ctr.rx_frames += n;
    for (uint32_t i = 0; i < n; i++) {
        rte_mbuf *m = pkts[i];
        const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
        const auto *eth = reinterpret_cast<const rte_ether_hdr *>(f);
        if (!frame_for_port(p, m)) {
            c->ctr.drop_not_ours++;
            c->to_free[n_free++] = m;
            continue;
        }
        RxMeta *mt = meta_of(m);
        switch (parse_frame(f, m->data_len, *mt)) {
        case Kind::kData: {
            mt->pad = eth->ether_type == rte_cpu_to_be_16(kL2EtherType) ? kMetaL2 : kMetaUdp;
            uint32_t v = p->owner[rte_be_to_cpu_16(mt->dst_port)].load(std::memory_order_relaxed);
            if (!v) {
                c->ctr.drop_no_port++;
                c->to_free[n_free++] = m;
            } else if (owner_queue(v) != c->q) {
                c->handoff[n_ho] = m;
                c->handoff_q[n_ho++] = owner_queue(v);
            } else if (deliver(c, m)) {
                c->to_free[n_free++] = m;
            }
            break;
        }
        case Kind::kArp:
            if (on_arp(c, m)) c->to_free[n_free++] = m;
            break;
        case Kind::kFragment:
            c->ctr.drop_fragment++;
            c->to_free[n_free++] = m;
            break;
        case Kind::kOther:
            c->ctr.drop_other++;
            c->to_free[n_free++] = m;
            break;
        }
    }
    for (uint32_t i = 0; i < n_ho;) {
        uint32_t j = i + 1;
        while (j < n_ho && c->handoff_q[j] == c->handoff_q[i]) j++;
        uint16_t q = c->handoff_q[i];
        unsigned k = q < p->n_queues ? rte_ring_enqueue_burst(p->q[q].inbox, reinterpret_cast<void **>(c->handoff + i),
                                                              j - i, nullptr)
                                     : 0;
        c->ctr.handed_out += k;
        for (uint32_t x = i + k; x < j; x++) {
            c->ctr.drop_backlog++;  // the other queue's inbox is full
            c->to_free[n_free++] = c->handoff[x];
        }
        i = j;
    }
    if (n_free) rte_pktmbuf_free_bulk(c->to_free, n_free);
}

// Datagrams another queue handed over (already parsed).
void inbox_take(np_transport_ctx *c) {
    unsigned n = rte_ring_dequeue_burst(c->inbox, reinterpret_cast<void **>(c->rx), c->burst, nullptr);
    if (!n) return;
    c->ctr.handed_in += n;
    uint32_t n_free = 0;
    for (unsigned i = 0; i < n; i++)
        if (deliver(c, c->rx[i])) c->to_free[n_free++] = c->rx[i];
    if (n_free) rte_pktmbuf_free_bulk(c->to_free, n_free);
}

// ---- sending ---------------------------------------------------------------------

// Gives the waiting frames to the port; completes the SENDs it took.
void tx_flush(np_transport_ctx *c) {
    uint16_t sent = rte_eth_tx_burst(c->port_id, c->q, c->tx, uint16_t(std::min<uint32_t>(c->tx_n, UINT16_MAX)));
    for (uint16_t i = 0; i < sent; i++) {
        const TxSlot &s = c->txs[i];
        if (!s.completes) continue;
        c->ctr.tx_frames++;
        c->ctr.tx_bytes += s.len;
        push_done(c, s.user, int64_t(s.len), s.ep);
    }
    if (sent < c->tx_n) {
        c->ctr.tx_full++;
        memmove(c->tx, c->tx + sent, (c->tx_n - sent) * sizeof *c->tx);
        memmove(c->txs, c->txs + sent, (c->tx_n - sent) * sizeof *c->txs);
    }
    c->tx_n -= sent;
}

// Pads a frame to the Ethernet minimum and sets its length.
inline void frame_len(rte_mbuf *m, uint8_t *f, uint32_t len) {
    if (len < kMinFrame) {
        memset(f + len, 0, kMinFrame - len);
        len = kMinFrame;
    }
    m->data_len = uint16_t(len);
    m->pkt_len = len;
}

// How a frame's headers are completed once the template and the payload
// are in: one finisher per (mode, checksum) choice.
template <bool kCsum>
inline void finish_udp_sw(const np_endpoint *ep, rte_mbuf *, uint8_t *f, uint32_t len) {
    udp4_finish(f, ep->ip_sum, uint16_t(len), kCsum);
}

inline void finish_udp_offload(const np_endpoint *ep, rte_mbuf *m, uint8_t *f, uint32_t len) {
    udp4_finish(f, ep->ip_sum, uint16_t(len), false);
    m->l2_len = kEthLen;
    m->l3_len = kIp4Len;
    m->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_UDP_CKSUM;
    // The device completes the sum from the pseudo-header's.
    auto *ip = reinterpret_cast<rte_ipv4_hdr *>(f + kEthLen);
    reinterpret_cast<rte_udp_hdr *>(f + kEthLen + kIp4Len)->dgram_cksum = rte_ipv4_phdr_cksum(ip, m->ol_flags);
}

inline void finish_l2(const np_endpoint *, rte_mbuf *, uint8_t *f, uint32_t len) { l2_finish(f, uint16_t(len)); }

// Builds the frames of a batch of SENDs: the endpoint's template, the
// payload, the finisher; then queues them for the port.  One instance per
// choice, picked at ctx_create (build_sends), so the loop tests no mode.
template <uint16_t kHdrLen, void (*kFinish)(const np_endpoint *, rte_mbuf *, uint8_t *, uint32_t)>
void build_frames(np_transport_ctx *c, const np_op *const *ops, rte_mbuf **mbufs, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) {
        const np_op &op = *ops[i];
        np_endpoint *ep = op.ep;
        rte_mbuf *m = mbufs[i];
        uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
        memcpy(f, ep->hdr, kHdrLen);
        if (op.len) rte_memcpy(f + kHdrLen, op.buf, op.len);
        kFinish(ep, m, f, op.len);
        frame_len(m, f, kHdrLen + op.len);
        c->tx[c->tx_n] = m;
        c->txs[c->tx_n++] = TxSlot{op.user, ep, op.len, true};
    }
}

// ---- one poll: what reap repeats -------------------------------------------------
// Order: frames waiting for the port first (their completions are ready
// the moment the port takes them), then one rx burst, then the inbox.

inline void poll_once(np_transport_ctx *c) {
    if (c->tx_n) tx_flush(c);
    uint16_t n = rte_eth_rx_burst(c->port_id, c->q, c->rx, uint16_t(c->burst));
    if (n) rx_sort(c, c->rx, n);
    if (!rte_ring_empty(c->inbox)) inbox_take(c);
}

// ---- ARP resolution (control path) ----------------------------------------------

uint64_t mono_ms() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000 + uint64_t(ts.tv_nsec) / 1000000;
}

// The MAC to send to ip: peer_mac=, our own (ip is ours), the neighbour
// cache, or an ARP exchange on this context's queue (our worker is not
// running yet: the queue is ours to poll).  0 or -errno with err.
int resolve_mac(np_transport_ctx *c, uint32_t ip, uint32_t own_ip, rte_ether_addr *mac, char *err, size_t elen) {
    Port *p = c->port;
    if (c->have_peer_mac) {
        *mac = c->peer_mac;
        return 0;
    }
    if (ip == own_ip || ip == p->ip.load()) {
        *mac = p->mac;
        return 0;
    }
    if (neigh_lookup(p, ip, mac)) return 0;
    uint32_t sender = p->ip.load();
    if (!sender) sender = own_ip;
    uint64_t start = mono_ms(), next = start;
    int asked = 0;
    // The queue is ours to poll (under its poll_lock, which keeps the idle
    // poller off) unless the worker already does: then only wait for it to
    // learn the answer.
    Queue &qu = p->q[c->q];
    for (;;) {
        uint64_t now = mono_ms();
        if (now >= start + uint64_t(c->arp_timeout_ms)) break;
        if (c->worker_polls) {
            usleep(1000);
            if (neigh_lookup(p, ip, mac)) return 0;
            continue;
        }
        if (!rte_spinlock_trylock(&qu.poll_lock)) {  // the idle poller is on it: next time
            usleep(50);
            continue;
        }
        if (now >= next && c->tx_n < c->tx_cap) {
            if (rte_mbuf *m = rte_pktmbuf_alloc(c->pool)) {
                uint8_t *f = rte_pktmbuf_mtod(m, uint8_t *);
                rte_ether_addr zero{};
                arp_frame(f, RTE_ARP_OP_REQUEST, p->mac, sender, zero, ip);
                frame_len(m, f, kArpFrameLen);
                c->tx[c->tx_n] = m;
                c->txs[c->tx_n++] = TxSlot{0, nullptr, 0, false};
                asked++;
            }
            next = now + 200;
        }
        poll_once(c);
        rte_spinlock_unlock(&qu.poll_lock);
        if (neigh_lookup(p, ip, mac)) return 0;
        usleep(50);
    }
    set_err(err, elen,
            "DPDK: no ARP reply for %s on port %u (%s) within %d ms (%d requests sent from %s): is the peer up "
            "at that address? (peer_mac= skips ARP)",
            ip_str(ip).c_str(), p->id, p->name.c_str(), c->arp_timeout_ms, asked, ip_str(sender).c_str());
    return -EHOSTUNREACH;
}

// ---- the ops --------------------------------------------------------------------

int probe(char *why, size_t len) {
    // EAL needs its options (eal=) and starts once per process, so probe
    // initialises nothing: it checks what no option can change.
    if (!__builtin_cpu_supports("sse4.2")) {
        set_err(why, len, "DPDK: this CPU lacks SSE4.2, which Debian's DPDK is built for");
        return -ENOTSUP;
    }
    struct stat st;
    if (stat(RTE_EAL_PMD_PATH, &st) != 0 || !S_ISDIR(st.st_mode)) {
        set_err(why, len, "DPDK: no poll-mode drivers in %s (install the DPDK driver packages)", RTE_EAL_PMD_PATH);
        return -ENOENT;
    }
    std::string state = eal_state();
    if (!state.empty()) {
        set_err(why, len, "%s", state.c_str());
        return -ENODEV;
    }
    return 0;
}

void ctx_free(np_transport_ctx *c) {
    delete[] c->eps;
    delete[] c->free_slots;
    delete[] c->bl_store;
    delete[] c->tx;
    delete[] c->txs;
    delete[] c->done;
    delete[] c->send_ops;
    delete[] c->send_mbufs;
    delete c;
}

void print_counters(const np_transport_ctx *c) {
    const Counters &k = c->ctr;
    fprintf(stderr,
            "dpdk: port %u (%s) queue %u: tx %llu frames %llu bytes (port full %llu times); rx %llu frames, %llu "
            "datagrams; dropped: backlog full %llu, no such port %llu, not ours %llu, fragments %llu, other %llu; "
            "handed over %llu out %llu in; ARP answered %llu learnt %llu\n",
            c->port_id, c->port->name.c_str(), c->q, (unsigned long long)k.tx_frames, (unsigned long long)k.tx_bytes,
            (unsigned long long)k.tx_full, (unsigned long long)k.rx_frames, (unsigned long long)k.rx_datagrams,
            (unsigned long long)k.drop_backlog, (unsigned long long)k.drop_no_port, (unsigned long long)k.drop_not_ours,
            (unsigned long long)k.drop_fragment, (unsigned long long)k.drop_other, (unsigned long long)k.handed_out,
            (unsigned long long)k.handed_in, (unsigned long long)k.arp_answered, (unsigned long long)k.arp_learnt);
}

int ctx_create(const np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    if (!p || p->struct_size < offsetof(np_ctx_params, reserved)) {
        set_err(err, elen, "DPDK: ctx_create: parameter block too small");
        return -EINVAL;
    }
    EalRequest eal;
    eal.server = p->flags & NP_CTX_SERVER;
    std::string which = "0", ip_opt;
    PortConfig pc;
    bool given_queues = false, given_mbufs = false;
    long backlog = 1024, burst = 32, arp_ms = 1000, link_ms = 5000, yield_us = 50;
    bool udp_csum = true, verbose = false, have_mac = false;
    Mode mode = Mode::kUdp;
    rte_ether_addr peer_mac{};
    for (uint32_t i = 0; i < p->n_options; i++) {
        const char *k = p->options[i].name, *v = p->options[i].value;
        long n = 0;
        bool ok = true;
        if (strcmp(k, "eal") == 0) {
            eal.eal = v;
        } else if (strcmp(k, "port") == 0) {
            which = v;
            ok = *v != 0;
        } else if (strcmp(k, "mode") == 0) {
            ok = strcmp(v, "udp") == 0 || strcmp(v, "l2") == 0;
            mode = strcmp(v, "l2") == 0 ? Mode::kL2 : Mode::kUdp;
        } else if (strcmp(k, "ip") == 0) {
            in_addr a;
            ok = inet_pton(AF_INET, v, &a) == 1 && a.s_addr != 0;
            ip_opt = v;
        } else if (strcmp(k, "peer_mac") == 0) {
            ok = parse_mac(v, &peer_mac);
            have_mac = true;
        } else if (strcmp(k, "queues") == 0) {
            ok = parse_int(v, 0, kMaxQueues, &n);
            pc.queues = uint16_t(n);
            given_queues = true;
        } else if (strcmp(k, "mbufs") == 0) {
            ok = parse_int(v, 1023, 1 << 22, &n);
            pc.mbufs = uint32_t(n);
            given_mbufs = true;
        } else if (strcmp(k, "backlog") == 0) {
            ok = parse_int(v, 1, 1 << 16, &backlog);
        } else if (strcmp(k, "burst") == 0) {
            ok = parse_int(v, 1, kMaxBurst, &burst);
        } else if (strcmp(k, "udp_csum") == 0) {
            ok = parse_bool(v, &udp_csum);
        } else if (strcmp(k, "arp_timeout_ms") == 0) {
            ok = parse_int(v, 1, 60000, &arp_ms);
        } else if (strcmp(k, "link_wait_ms") == 0) {
            ok = parse_int(v, 0, 600000, &link_ms);
        } else if (strcmp(k, "yield_us") == 0) {
            ok = parse_int(v, 0, 1000000, &yield_us);
        } else if (strcmp(k, "verbose") == 0) {
            ok = parse_bool(v, &verbose);
        } else {
            set_err(err, elen, "DPDK: unknown option '%s' (see --transport-help dpdk)", k);
            return -EINVAL;
        }
        if (!ok) {
            const char *want = "";
            for (auto &d : kOptions)
                if (strcmp(d.name, k) == 0) want = d.help;
            set_err(err, elen, "DPDK: option %s=%s is not valid (%s)", k, v, want);
            return -EINVAL;
        }
    }

    auto *c = new (std::nothrow) np_transport_ctx();
    if (!c) return -ENOMEM;
    c->mode = mode;
    c->udp_csum = udp_csum;
    c->verbose = verbose;
    c->have_peer_mac = have_mac;
    c->peer_mac = peer_mac;
    c->burst = uint32_t(burst);
    c->arp_timeout_ms = int(arp_ms);

    process_lock();
    int r = eal_ensure(eal, err, elen);
    Port *port = r == 0 ? port_get(which, pc, given_queues, given_mbufs, err, elen) : nullptr;
    int q = -1;
    if (port && !ip_opt.empty()) {
        in_addr a;
        inet_pton(AF_INET, ip_opt.c_str(), &a);
        uint32_t expect = 0;
        if (!port->ip.compare_exchange_strong(expect, a.s_addr) && expect != a.s_addr) {
            set_err(err, elen, "DPDK: port %u (%s) already has address %s in this process; ip=%s cannot change it",
                    port->id, port->name.c_str(), ip_str(expect).c_str(), ip_opt.c_str());
            port = nullptr;
        }
    }
    if (port) q = queue_claim(port, err, elen);
    process_unlock();
    if (port) idle_poller_start(idle_poll);
    if (q < 0) {
        delete c;
        return r < 0 ? r : -EBUSY;
    }
    c->port = port;
    c->port_id = port->id;
    c->q = uint16_t(q);
    c->queue_held = true;
    c->pool = port->q[q].pool;
    c->inbox = port->q[q].inbox;
    c->tsc_hz = rte_get_tsc_hz();
    c->yield_cycles = uint64_t(double(yield_us) * double(c->tsc_hz) / 1e6);
    c->max_payload = mode == Mode::kL2 ? port->max_payload_l2 : port->max_payload_udp;
    if (mode == Mode::kL2)
        c->build_sends = build_frames<kL2HdrLen, finish_l2>;
    else if (udp_csum && port->udp_csum_offload)
        c->build_sends = build_frames<kUdp4HdrLen, finish_udp_offload>;
    else if (udp_csum)
        c->build_sends = build_frames<kUdp4HdrLen, finish_udp_sw<true>>;
    else
        c->build_sends = build_frames<kUdp4HdrLen, finish_udp_sw<false>>;

    c->max_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->max_inflight = p->max_inflight ? p->max_inflight : 64;
    c->bl_cap = 1;
    while (c->bl_cap < uint32_t(backlog)) c->bl_cap <<= 1;
    c->tx_cap = c->max_inflight + 64;  // room for our ARP frames too
    c->done_cap = c->max_inflight + 8 + kMoreRoom;
    c->eps = new (std::nothrow) np_endpoint[c->max_eps];
    c->free_slots = new (std::nothrow) uint32_t[c->max_eps];
    c->bl_store = new (std::nothrow) rte_mbuf *[size_t(c->max_eps) * c->bl_cap];
    c->tx = new (std::nothrow) rte_mbuf *[c->tx_cap];
    c->txs = new (std::nothrow) TxSlot[c->tx_cap];
    c->done = new (std::nothrow) np_completion[c->done_cap];
    c->send_ops = new (std::nothrow) const np_op *[c->max_inflight];
    c->send_mbufs = new (std::nothrow) rte_mbuf *[c->max_inflight];
    if (!c->eps || !c->free_slots || !c->bl_store || !c->tx || !c->txs || !c->done || !c->send_ops || !c->send_mbufs) {
        set_err(err, elen, "DPDK: out of memory for %u endpoints", c->max_eps);
        process_lock();
        queue_release(port, c->q);
        process_unlock();
        ctx_free(c);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < c->max_eps; i++) {
        c->eps[i].slot = i;
        c->eps[i].backlog = c->bl_store + size_t(i) * c->bl_cap;
        c->free_slots[i] = c->max_eps - 1 - i;
    }
    c->n_free = c->max_eps;

    // The client waits for its link (a memif client connects to its
    // server); a server's link may come up only when its client starts.
    if (!(p->flags & NP_CTX_SERVER) && !link_wait(port, int(link_ms))) {
        set_err(err, elen,
                "DPDK: port %u (%s) link still down after %ld ms (net_memif: is the memif server, netserver "
                "--transport dpdk, running on the same socket?)",
                port->id, port->name.c_str(), link_ms);
        process_lock();
        queue_release(port, c->q);
        process_unlock();
        ctx_free(c);
        return -ENETDOWN;
    }
    if (verbose)
        fprintf(stderr,
                "dpdk: port=%u name=%s driver=%s queue=%u queues=%u mac=%s ip=%s mtu=%u mode=%s udp_csum=%s "
                "peer_mac=%s burst=%u backlog=%u mbufs=%u max_payload=%u cpu=%d side=%s\n",
                port->id, port->name.c_str(), port->driver.c_str(), c->q, port->n_queues, mac_str(port->mac).c_str(),
                port->ip.load() ? ip_str(port->ip.load()).c_str() : "none", port->mtu,
                mode == Mode::kL2 ? "l2" : "udp",
                !udp_csum ? "none" : port->udp_csum_offload ? "offload" : "software",
                have_mac ? mac_str(peer_mac).c_str() : "arp", c->burst, c->bl_cap, port->cfg.mbufs, c->max_payload,
                p->cpu, (p->flags & NP_CTX_SERVER) ? "server" : "client");
    *out = c;
    return 0;
}

void ctx_destroy(np_transport_ctx *c) {
    if (!c) return;
    if (c->verbose) print_counters(c);
    for (uint32_t i = 0; i < c->max_eps; i++) ep_release(c, &c->eps[i]);
    if (c->tx_n) rte_pktmbuf_free_bulk(c->tx, c->tx_n);
    process_lock();
    if (c->queue_held) queue_release(c->port, c->q);
    process_unlock();
    ctx_free(c);
}

int listen_ep(np_transport_ctx *c, const np_endpoint_spec *s, np_endpoint **out, char *err, size_t elen) {
    if (!s || s->struct_size < offsetof(np_endpoint_spec, reserved)) {
        set_err(err, elen, "DPDK: listen: endpoint spec too small");
        return -EINVAL;
    }
    if (s->socktype != SOCK_DGRAM) {
        set_err(err, elen, "DPDK: datagrams (UDP) only: this transport has no TCP");
        return -EPROTONOSUPPORT;
    }
    if (s->family != AF_INET) {
        set_err(err, elen, "DPDK: IPv4 only (family %d asked)", s->family);
        return -EAFNOSUPPORT;
    }
    Port *p = c->port;
    uint32_t lip = 0;
    uint16_t want_port = 0;
    if (s->local_len >= sizeof(sockaddr_in) && s->local.ss_family == AF_INET) {
        const auto *sin = reinterpret_cast<const sockaddr_in *>(&s->local);
        lip = sin->sin_addr.s_addr;
        want_port = ntohs(sin->sin_port);
    }
    if (lip) {
        uint32_t expect = 0;
        p->ip.compare_exchange_strong(expect, lip);  // the first specific address becomes the port's
    } else {
        lip = p->ip.load();
    }
    if (!lip && c->mode == Mode::kUdp) {
        set_err(err, elen,
                "DPDK: port %u (%s) has no IPv4 address: give ip=A.B.C.D (one of its own, not the kernel's) or "
                "bind the data endpoint (netperf -- -L)",
                p->id, p->name.c_str());
        return -EADDRNOTAVAIL;
    }
    if (c->n_free == 0) {
        set_err(err, elen, "DPDK: no free endpoint slot (max %u)", c->max_eps);
        return -EMFILE;
    }
    np_endpoint *ep = &c->eps[c->free_slots[c->n_free - 1]];
    uint32_t slot = ep->slot;
    uint32_t value = owner_value(c->q, slot);
    uint16_t port_no = 0;
    process_lock();
    if (want_port) {
        uint32_t expect = 0;
        if (p->owner[want_port].compare_exchange_strong(expect, value)) port_no = want_port;
    } else {
        // Ephemeral ports, as Linux's default range, round-robin.
        for (uint32_t tries = 0; tries < 28232 && !port_no; tries++) {
            uint16_t cand = p->next_ephemeral;
            p->next_ephemeral = cand >= 60999 ? 32768 : uint16_t(cand + 1);
            uint32_t expect = 0;
            if (p->owner[cand].compare_exchange_strong(expect, value)) port_no = cand;
        }
    }
    process_unlock();
    if (!port_no) {
        set_err(err, elen, want_port ? "DPDK: UDP port %u is already bound on port %u (%s)"
                                     : "DPDK: no free UDP port (%u) on port %u (%s)",
                want_port, p->id, p->name.c_str());
        return -EADDRINUSE;
    }
    c->n_free--;
    rte_mbuf **bl = ep->backlog;
    *ep = np_endpoint{};
    ep->slot = slot;
    ep->backlog = bl;
    ep->in_use = true;
    ep->l2 = c->mode == Mode::kL2;
    ep->lip = lip;
    ep->lport = port_no;
    ep->track_peer = s->flags & NP_EP_TRACK_PEER;
    ep->tos = s->tos >= 0 ? uint8_t(s->tos) : 0;
    if (s->remote_len >= sizeof(sockaddr_in) && s->remote.ss_family == AF_INET) {
        const auto *sin = reinterpret_cast<const sockaddr_in *>(&s->remote);
        int r = resolve_mac(c, sin->sin_addr.s_addr, lip, &ep->peer_mac, err, elen);
        if (r != 0) {
            ep_release(c, ep);
            return r;
        }
        ep->peer_ip = sin->sin_addr.s_addr;
        ep->peer_port = sin->sin_port;
        ep->has_peer = true;
        ep->connected = s->flags & NP_EP_DGRAM_CONNECT;
    }
    ep_rebuild(c, ep);
    *out = ep;
    return 0;
}

int ep_info(np_transport_ctx *c, np_endpoint *ep, np_endpoint_info *o) {
    if (!ep || !o) return -EINVAL;
    uint32_t sz = o->struct_size ? o->struct_size : sizeof *o;
    memset(o, 0, sizeof *o);
    o->struct_size = sz;
    auto *l = reinterpret_cast<sockaddr_in *>(&o->local);
    l->sin_family = AF_INET;
    l->sin_addr.s_addr = ep->lip;
    l->sin_port = htons(ep->lport);
    o->local_len = sizeof *l;
    if (ep->has_peer) {
        auto *r = reinterpret_cast<sockaddr_in *>(&o->remote);
        r->sin_family = AF_INET;
        r->sin_addr.s_addr = ep->peer_ip;
        r->sin_port = ep->peer_port;
        o->remote_len = sizeof *r;
    }
    // In place of socket buffers: what the tx ring and the backlog hold.
    o->sndbuf = int32_t(c->port->cfg.descs) * c->max_payload;
    o->rcvbuf = int32_t(c->bl_cap) * c->max_payload;
    o->mss = -1;
    o->retransmits = -1;
    return 0;
}

void ep_close(np_transport_ctx *c, np_endpoint *ep) {
    if (ep) ep_release(c, ep);
}

int ep_set_peer(np_transport_ctx *c, np_endpoint *ep, const sockaddr *addr, uint32_t len) {
    if (!ep || !addr || !ep->in_use) return -EINVAL;
    if (addr->sa_family != AF_INET || len < sizeof(sockaddr_in)) return -EAFNOSUPPORT;
    const auto *sin = reinterpret_cast<const sockaddr_in *>(addr);
    rte_ether_addr mac;
    char err[NP_ERRLEN];
    int r = resolve_mac(c, sin->sin_addr.s_addr, ep->lip, &mac, err, sizeof err);
    if (r != 0) {
        fprintf(stderr, "%s\n", err);  // ep_set_peer has no error string: say it here
        return r;
    }
    ep->peer_ip = sin->sin_addr.s_addr;
    ep->peer_port = sin->sin_port;
    ep->peer_mac = mac;
    ep->has_peer = true;
    ep_rebuild(c, ep);
    return 0;
}

// Runs one non-SEND op (in stage: none of them waits for the port).
void run_op(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = op.ep;
    switch (op.kind) {
    case NP_OP_RECV:
        if (!ep || !ep->in_use) {
            push_done(c, op.user, -EBADF, ep);
        } else if (ep->has_recv) {
            push_done(c, op.user, -EBUSY, ep);
        } else {
            ep->recv_op = op;
            ep->has_recv = true;
            ep->recv_multishot = op.flags & NP_OPF_MULTISHOT;
            if (ep->bl_count) backlog_take(c, ep);
        }
        return;
    case NP_OP_CLOSE:
        if (ep && ep->in_use) {
            // A multishot RECV's last completion (no NP_CF_MORE).
            if (ep->has_recv) push_done(c, ep->recv_op.user, -ECANCELED, ep);
            ep_release(c, ep);
        }
        push_done(c, op.user, 0, nullptr);
        return;
    default:
        // CONNECT, ACCEPT, SHUTDOWN: byte streams, which this transport does
        // not declare; the engine never stages them here.
        push_done(c, op.user, -EOPNOTSUPP, ep);
        return;
    }
}

uint32_t stage(np_transport_ctx *c, const np_op *ops, uint32_t n) {
    if (!c->worker_polls) take_queue(c);
    uint32_t room = c->max_inflight - c->inflight;
    if (n > room) n = room;
    if (!n) return 0;
    c->inflight += n;
    c->staged_since_commit = true;
    // SENDs first, as one batch: validate, take mbufs in bulk, build.
    uint32_t ns = 0;
    for (uint32_t i = 0; i < n; i++) {
        const np_op &op = ops[i];
        if (op.kind != NP_OP_SEND) continue;
        np_endpoint *ep = op.ep;
        if (!ep || !ep->in_use) {
            push_done(c, op.user, -EBADF, ep);
        } else if (!ep->has_peer) {
            push_done(c, op.user, -EDESTADDRREQ, ep);
        } else if (op.len > c->max_payload) {
            if (!c->said_too_long) {
                c->said_too_long = true;
                fprintf(stderr,
                        "dpdk: a %u-byte datagram does not fit one frame on port %u (%s): at most %u bytes "
                        "(give netperf -- -m, -r)\n",
                        op.len, c->port_id, c->port->name.c_str(), c->max_payload);
            }
            push_done(c, op.user, -EMSGSIZE, ep);
        } else {
            c->send_ops[ns++] = &op;
        }
    }
    if (ns) {
        uint32_t got = ns;
        if (rte_pktmbuf_alloc_bulk(c->pool, c->send_mbufs, ns) != 0) {
            // The pool runs low (the backlogs hold many): take what is left;
            // the others fail as a full socket buffer would.
            got = 0;
            while (got < ns && (c->send_mbufs[got] = rte_pktmbuf_alloc(c->pool)) != nullptr) got++;
            for (uint32_t i = got; i < ns; i++) push_done(c, c->send_ops[i]->user, -ENOBUFS, c->send_ops[i]->ep);
        }
        if (got) c->build_sends(c, c->send_ops, c->send_mbufs, got);
    }
    for (uint32_t i = 0; i < n; i++)
        if (ops[i].kind != NP_OP_SEND) run_op(c, ops[i]);
    return n;
}

int commit(np_transport_ctx *c) {
    if (c->staged_since_commit) {
        c->ctr.commits++;
        c->staged_since_commit = false;
    }
    if (c->tx_n) tx_flush(c);
    return 0;
}

uint32_t reap(np_transport_ctx *c, np_completion *out, uint32_t max, int64_t timeout_ns) {
    if (!c->worker_polls) take_queue(c);
    if (c->n_drain)
        for (uint32_t i = 0; i < c->max_eps && c->more_n < kMoreRoom; i++)
            if (c->eps[i].ms_drain) backlog_take(c, &c->eps[i]);
    // A poll delivers at most 2 * burst datagrams: poll only while they fit.
    if (c->more_n + 2 * c->burst <= kMoreRoom) poll_once(c);
    if (c->done_n == 0 && timeout_ns > 0) {
        // Busy-poll; after yield_us of empty polls, give the CPU away between
        // polls (sched_yield returns at once when no other thread wants this
        // CPU): a worker sharing its CPU with the peer's worker (two ends in
        // one process, a small machine) would otherwise hold it for the whole
        // timeout while the frame it waits for cannot be produced.
        uint64_t t0 = rte_rdtsc();
        uint64_t until = t0 + uint64_t(double(timeout_ns) * double(c->tsc_hz) / 1e9);
        uint64_t yield_after = c->yield_cycles ? t0 + c->yield_cycles : UINT64_MAX;
        for (uint64_t t = t0; c->done_n == 0 && t < until; t = rte_rdtsc()) {
            if (t >= yield_after)
                sched_yield();
            else
                rte_pause();
            poll_once(c);
        }
    }
    uint32_t k = std::min(max, c->done_n), more = 0;
    for (uint32_t i = 0; i < k; i++) {
        out[i] = c->done[c->done_head];
        more += out[i].flags & NP_CF_MORE;
        if (++c->done_head == c->done_cap) c->done_head = 0;
    }
    c->done_n -= k;
    c->more_n -= more;
    c->inflight -= k - more;  // an armed multishot RECV stays in flight
    return k;
}

int stats(np_transport_ctx *c, np_transport_stats *out) {
    if (!c || !out) return -EINVAL;
    *out = np_transport_stats{};
    out->struct_size = sizeof *out;
    out->syscalls = 0;  // the data path makes none of its own (af_packet's PMD does, inside tx_burst)
    out->batches = c->ctr.commits;
    out->wouldblock = c->ctr.tx_full;
    return 0;
}

np_transport_ops make_ops() {
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "dpdk";
    ops.description = "DPDK: UDP (or raw L2 frames) over any ethdev, headers built here, ARP, bursts";
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
