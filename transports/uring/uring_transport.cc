// The "uring" transport: TCP and UDP (IPv4 and IPv6) over io_uring.
//
//   netserver -D
//   netperf -H 127.0.0.1 -t TCP_RR --transport uring
//   netperf -H 127.0.0.1 -t UDP_STREAM --transport uring --transport-opt single_issuer=1 -- -m 64
//
// Needs Linux 6.7 (socket setsockopt commands); fixed files want 6.8
// (FIXED_FD_INSTALL), everything else is older.  probe() says what is
// missing here.  Builds against Debian 12's liburing 2.3 (see
// uring_internal.h for the constants it lacks).
//
// The data path, per worker context (one ring each):
//   stage()  fills SQEs only: no system call.  Each op takes a request slot
//            (its cookie, buffers and the msghdr/sockaddr the kernel reads)
//            and one or more SQEs; user_data = slot | tag << 32.
//   commit() publishes the batch.  Without SQPOLL the io_uring_enter that
//            submits it is the one reap() makes next (submit and wait in one
//            call, io_uring_submit_and_wait_timeout), so a ping-pong costs one
//            system call per transaction; with SQPOLL it submits at once.
//   reap()   drains the CQ in a loop, acknowledges it once per batch
//            (io_uring_cq_advance) and returns provided buffers to their
//            ring once per batch.  When nothing is ready it waits at most the
//            engine's timeout, for as many completions as the batch's sends
//            (which complete at once) plus one, capped by what is in flight.
//
// Connections made on the data path are whole chains: with fixed files,
// SOCKET (direct, into the endpoint's slot) -> setsockopt commands -> [BIND]
// -> CONNECT, linked in one submission; without, SOCKET first, then the rest
// of the chain on the descriptor it returned.  CLOSE is ASYNC_CANCEL of the
// endpoint's ops -> CLOSE; its completion is reported after every op of the
// endpoint has completed (-ECANCELED), as the sockets transport does.
//
// Modes (options) are chosen once in ctx_create by picking functions; no op
// tests a mode flag.
#include "uring_internal.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

using namespace np_uring;

struct Req;
struct np_endpoint;
using PrepFn = void (*)(np_transport_ctx *, io_uring_sqe *, Req &);

struct np_endpoint {
    int fd = -1;            // real descriptor; -1 for a direct (fixed-table-only) socket
    int target = -1;        // what SQEs name: the fixed slot (== index) or fd
    uint8_t sqe_flags = 0;  // IOSQE_FIXED_FILE when target is a slot
    bool in_use = false;
    bool listener = false;
    bool dgram = false;
    bool track_peer = false;
    bool in_table = false;  // holds a fixed-table slot (index)
    bool closing = false;   // CLOSE staged or ep_close called
    bool close_done = false;    // CLOSE's own CQE arrived
    bool close_silent = false;  // ep_close: no completion to report
    uint32_t index = 0;
    uint32_t pending = 0;   // requests in flight naming this endpoint
    uint64_t close_user = 0;
    int send_flags = MSG_NOSIGNAL;
    PrepFn prep_send = nullptr;
    PrepFn prep_recv = nullptr;
    PrepFn prep_recv_multishot = nullptr;
    sockaddr_storage peer{};  // datagram default destination / last source
    socklen_t peer_len = 0;
    // SO_SNDBUF/SO_RCVBUF before connect (NP_EP_INITIAL_BUFFERS): written by
    // getsockopt commands in the connect chain; 0 = not read.
    int32_t sndbuf_initial = 0;
    int32_t rcvbuf_initial = 0;
};

namespace {

// What a CQE is, in user_data bits 32..39.
enum Tag : uint8_t {
    kTagMain = 0,      // the op's own completion
    kTagStep = 1,      // a linked step before the op (socket, setsockopt, bind)
    kTagSocket = 2,    // without fixed files: SOCKET done, the chain follows
    kTagInternal = 3,  // cancel, close steps: nothing to report
    kTagInstall = 4,   // ep_info's FIXED_FD_INSTALL
};

// How a request's main CQE is turned into a completion.
enum Done : uint8_t {
    kDonePlain,          // result as is
    kDoneRecvMsg,        // result as is; the source address becomes the peer
    kDoneMultishot,      // multishot recv into the buffer ring
    kDoneMultishotMsg,   // multishot recvmsg: header, source address, payload
    kDoneZeroCopy,       // send_zc: result CQE, then the notification
    kDoneConnect,
    kDoneAccept,
    kDoneClose,
};

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint16_t kBufGroup = 0;
constexpr int kMaxSockopts = 10;

}  // namespace

// One op in flight: the caller's op, and whatever the kernel reads later
// (msghdr, iovec, address), so nothing is read from the caller after stage.
struct Req {
    np_op op{};
    np_endpoint *ep = nullptr;  // op.ep, or the new endpoint of CONNECT/ACCEPT
    uint8_t done = kDonePlain;
    int32_t err = 0;            // first failure of a linked step
    int32_t result = 0;         // send_zc: the result, held until the notification
    uint32_t next = kNone;      // free list
    msghdr msg{};
    iovec iov{};
    sockaddr_storage name{};
};

// A registered buffer region (registered_buffers): sorted by base.
struct Region {
    uintptr_t base;
    uintptr_t end;
};

struct np_transport_ctx {
    io_uring ring{};
    bool ring_ready = false;     // enabled and ring fd registered, on the worker thread
    bool disabled_start = false; // created IORING_SETUP_R_DISABLED (single_issuer)
    bool sqpoll = false;
    bool fixed_files = false;
    bool multishot = false;
    bool registered = false;
    bool send_zc = false;

    int (*commit_fn)(np_transport_ctx *) = nullptr;
    PrepFn prep_send_conn = nullptr;   // connected sockets
    PrepFn prep_send_to = nullptr;     // datagrams to the default destination
    PrepFn prep_recv_conn = nullptr;
    PrepFn prep_recv_ms = nullptr;     // multishot (or its single-shot stand-in)
    PrepFn prep_recvmsg_ms = nullptr;

    uint32_t max_eps = 0, max_inflight = 0;
    np_endpoint *eps = nullptr;
    uint32_t *ep_free = nullptr;
    uint32_t n_ep_free = 0;

    Req *reqs = nullptr;
    uint32_t req_free = kNone;
    uint32_t reqs_used = 0;

    // Completions not from this pass's CQEs: stage-time failures, CLOSEs
    // held back until their endpoint's ops completed, CQEs drained while
    // ep_info waited.  A FIFO ring.
    np_completion *backlog = nullptr;
    uint32_t bl_head = 0, bl_count = 0, bl_cap = 0;

    // Provided buffer ring for multishot receives.
    io_uring_buf_ring *br = nullptr;
    char *bufs = nullptr;
    uint32_t n_bufs = 0, buf_size = 0;
    int br_mask = 0;
    uint32_t br_returned = 0;  // buffers given back this batch (one advance)

    Region *regions = nullptr;
    uint32_t n_regions = 0;

    uint32_t sends_staged = 0;   // since the last enter: completions due at once
    int install_state = 0;       // ep_info: 0 idle, 1 waiting, 2 done
    int install_result = 0;

    uint64_t zc_sends = 0, zc_copied = 0;
    np_transport_stats stats{};
};

namespace {

void set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void set_err(char *err, size_t len, const char *fmt, ...) {
    if (!err || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

inline uint64_t ud(uint32_t req, Tag tag) { return uint64_t(req) | (uint64_t(tag) << 32); }

// ---- pools -------------------------------------------------------------

np_endpoint *ep_alloc(np_transport_ctx *c) {
    if (c->n_ep_free == 0) return nullptr;
    np_endpoint *ep = &c->eps[c->ep_free[--c->n_ep_free]];
    uint32_t idx = ep->index;
    *ep = np_endpoint{};
    ep->index = idx;
    ep->in_use = true;
    return ep;
}

void ep_release(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep->in_use) return;  // never twice onto the free list
    ep->in_use = false;
    c->ep_free[c->n_ep_free++] = ep->index;
}

Req *req_alloc(np_transport_ctx *c) {
    if (c->req_free == kNone) return nullptr;
    Req *r = &c->reqs[c->req_free];
    c->req_free = r->next;
    c->reqs_used++;
    r->err = 0;
    r->result = 0;
    return r;
}

void req_release(np_transport_ctx *c, Req *r) {
    r->next = uint32_t(r - c->reqs);
    std::swap(r->next, c->req_free);
    c->reqs_used--;
}

uint32_t req_index(np_transport_ctx *c, const Req &r) { return uint32_t(&r - c->reqs); }

void backlog_push(np_transport_ctx *c, uint64_t user, int64_t result, np_endpoint *ep, uint32_t flags = 0) {
    // Sized for every op in flight plus a full CQ (see ctx_create).
    if (c->bl_count == c->bl_cap) return;
    c->backlog[(c->bl_head + c->bl_count) % c->bl_cap] = np_completion{user, result, ep, flags, 0};
    c->bl_count++;
}

uint32_t backlog_pop(np_transport_ctx *c, np_completion *out, uint32_t max) {
    uint32_t n = 0;
    while (n < max && c->bl_count) {
        out[n++] = c->backlog[c->bl_head];
        c->bl_head = (c->bl_head + 1) % c->bl_cap;
        c->bl_count--;
    }
    return n;
}

// Endpoint bookkeeping: an endpoint outlives its CLOSE until every op that
// names it has completed; then the CLOSE is reported and the slot reused.
void ep_put(np_transport_ctx *c, np_endpoint *ep) {
    if (--ep->pending || !ep->closing || !ep->close_done) return;
    if (!ep->close_silent) backlog_push(c, ep->close_user, 0, nullptr);
    ep_release(c, ep);
}

io_uring_sqe *sqe_get(np_transport_ctx *c) {
    io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
    if (!sqe) {
        // Only internal follow-ups (reap, ep_info) get here with a full SQ:
        // submit what is there to make room.
        c->stats.syscalls++;
        io_uring_submit(&c->ring);
        sqe = io_uring_get_sqe(&c->ring);
    }
    return sqe;
}

// ---- registered regions ------------------------------------------------

// Index of the registered region holding [buf, buf+len), or -1.
int region_of(const np_transport_ctx *c, const void *buf, uint32_t len) {
    uintptr_t b = reinterpret_cast<uintptr_t>(buf);
    uint32_t lo = 0, hi = c->n_regions;
    while (lo < hi) {  // first region whose base is above b
        uint32_t mid = (lo + hi) / 2;
        if (c->regions[mid].base <= b) lo = mid + 1;
        else hi = mid;
    }
    if (lo == 0) return -1;
    const Region &r = c->regions[lo - 1];
    return b + len <= r.end ? int(lo - 1) : -1;
}

// ---- op preparation: one of each is chosen per endpoint at creation ------

// Points an SQE at the endpoint: its fixed slot or its descriptor.
void use_target(io_uring_sqe *sqe, const np_endpoint *ep) { sqe->flags |= ep->sqe_flags; }

void prep_send_plain(np_transport_ctx *, io_uring_sqe *sqe, Req &r) {
    io_uring_prep_send(sqe, r.ep->target, r.op.buf, r.op.len, r.ep->send_flags);
    use_target(sqe, r.ep);
}

void prep_send_to_plain(np_transport_ctx *, io_uring_sqe *sqe, Req &r) {
    // Copied: the peer may change (track_peer) before an SQPOLL thread reads it.
    memcpy(&r.name, &r.ep->peer, r.ep->peer_len);
    io_uring_prep_send(sqe, r.ep->target, r.op.buf, r.op.len, r.ep->send_flags);
    if (r.ep->peer_len)
        io_uring_prep_send_set_addr(sqe, reinterpret_cast<const sockaddr *>(&r.name), uint16_t(r.ep->peer_len));
    use_target(sqe, r.ep);
}

// Registered buffers: WRITE_FIXED is the socket send that takes a registered
// buffer here (IORING_OP_SEND refuses IORING_RECVSEND_FIXED_BUF on 6.18).
// Like write(2) it has no MSG_NOSIGNAL: netperf and netserver ignore SIGPIPE.
void prep_send_fixed(np_transport_ctx *c, io_uring_sqe *sqe, Req &r) {
    int reg = region_of(c, r.op.buf, r.op.len);
    if (reg < 0) return prep_send_plain(c, sqe, r);
    io_uring_prep_write_fixed(sqe, r.ep->target, r.op.buf, r.op.len, 0, reg);
    use_target(sqe, r.ep);
}

void prep_send_zc(np_transport_ctx *c, io_uring_sqe *sqe, Req &r) {
    r.done = kDoneZeroCopy;
    int reg = c->registered ? region_of(c, r.op.buf, r.op.len) : -1;
    if (reg >= 0)
        io_uring_prep_send_zc_fixed(sqe, r.ep->target, r.op.buf, r.op.len, r.ep->send_flags,
                                    IORING_SEND_ZC_REPORT_USAGE, unsigned(reg));
    else
        io_uring_prep_send_zc(sqe, r.ep->target, r.op.buf, r.op.len, r.ep->send_flags,
                              IORING_SEND_ZC_REPORT_USAGE);
    use_target(sqe, r.ep);
}

void prep_send_to_zc(np_transport_ctx *c, io_uring_sqe *sqe, Req &r) {
    prep_send_zc(c, sqe, r);
    memcpy(&r.name, &r.ep->peer, r.ep->peer_len);
    if (r.ep->peer_len)
        io_uring_prep_send_set_addr(sqe, reinterpret_cast<const sockaddr *>(&r.name), uint16_t(r.ep->peer_len));
}

void prep_recv_plain(np_transport_ctx *, io_uring_sqe *sqe, Req &r) {
    r.done = kDonePlain;
    io_uring_prep_recv(sqe, r.ep->target, r.op.buf, r.op.len, 0);
    use_target(sqe, r.ep);
}

// READ_FIXED on a socket is recv(2) with flags 0 into a registered buffer.
void prep_recv_fixed(np_transport_ctx *c, io_uring_sqe *sqe, Req &r) {
    int reg = region_of(c, r.op.buf, r.op.len);
    if (reg < 0) return prep_recv_plain(c, sqe, r);
    r.done = kDonePlain;
    io_uring_prep_read_fixed(sqe, r.ep->target, r.op.buf, r.op.len, 0, reg);
    use_target(sqe, r.ep);
}

void prep_recvmsg(np_transport_ctx *, io_uring_sqe *sqe, Req &r) {
    r.done = kDoneRecvMsg;
    r.iov = {r.op.buf, r.op.len};
    r.msg = msghdr{};
    r.msg.msg_name = &r.name;
    r.msg.msg_namelen = sizeof r.name;
    r.msg.msg_iov = &r.iov;
    r.msg.msg_iovlen = 1;
    io_uring_prep_recvmsg(sqe, r.ep->target, &r.msg, 0);
    use_target(sqe, r.ep);
}

void prep_recv_multishot(np_transport_ctx *, io_uring_sqe *sqe, Req &r) {
    r.done = kDoneMultishot;
    io_uring_prep_recv_multishot(sqe, r.ep->target, nullptr, 0, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufGroup;
    use_target(sqe, r.ep);
}

// Multishot with the source address (track_peer): each buffer holds an
// io_uring_recvmsg_out header, the address, then the payload.
void prep_recvmsg_multishot(np_transport_ctx *, io_uring_sqe *sqe, Req &r) {
    r.done = kDoneMultishotMsg;
    r.msg = msghdr{};
    r.msg.msg_namelen = sizeof r.name;
    io_uring_prep_recvmsg_multishot(sqe, r.ep->target, &r.msg, 0);
    sqe->flags |= IOSQE_BUFFER_SELECT;
    sqe->buf_group = kBufGroup;
    use_target(sqe, r.ep);
}

// Gives the endpoint its preparation functions (and its SQE target).
void ep_setup(np_transport_ctx *c, np_endpoint *ep, bool stream, bool connected) {
    if (ep->in_table) {
        ep->target = int(ep->index);
        ep->sqe_flags = IOSQE_FIXED_FILE;
    } else {
        ep->target = ep->fd;
        ep->sqe_flags = 0;
    }
    // A stream send completes once every byte is queued (no partial sends
    // for the engine to finish); a datagram is all or nothing anyway.
    ep->send_flags = MSG_NOSIGNAL | (stream ? MSG_WAITALL : 0);
    ep->prep_send = (ep->dgram && !connected) ? c->prep_send_to : c->prep_send_conn;
    ep->prep_recv = ep->track_peer ? prep_recvmsg : c->prep_recv_conn;
    ep->prep_recv_multishot = ep->track_peer ? c->prep_recvmsg_ms : c->prep_recv_ms;
}

// ---- socket options: one list, applied by syscalls (control path) or by
// setsockopt commands linked before a connect (data path) ----------------

struct SockOpt {
    int level, name;
    const void *val;
    uint32_t len;
    const char *label;
};

int sockopts_of(const np_endpoint_spec *s, SockOpt *o) {
    static const int one = 1;
    int n = 0;
    bool inet = s->family == AF_INET || s->family == AF_INET6;
    bool tcp = inet && s->socktype == SOCK_STREAM;
    if (s->sndbuf > 0) o[n++] = {SOL_SOCKET, SO_SNDBUF, &s->sndbuf, sizeof(int), "SO_SNDBUF"};
    if (s->rcvbuf > 0) o[n++] = {SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof(int), "SO_RCVBUF"};
    if (tcp && (s->flags & NP_EP_NODELAY)) o[n++] = {IPPROTO_TCP, TCP_NODELAY, &one, sizeof one, "TCP_NODELAY"};
    if (tcp && (s->flags & NP_EP_CORK)) o[n++] = {IPPROTO_TCP, TCP_CORK, &one, sizeof one, "TCP_CORK"};
    if (tcp && s->cong_control[0])
        o[n++] = {IPPROTO_TCP, TCP_CONGESTION, s->cong_control, uint32_t(strnlen(s->cong_control, 15)),
                  "TCP_CONGESTION"};
    if (s->flags & NP_EP_KEEPALIVE) o[n++] = {SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one, "SO_KEEPALIVE"};
    if (inet && (s->flags & NP_EP_DONTROUTE)) o[n++] = {SOL_SOCKET, SO_DONTROUTE, &one, sizeof one, "SO_DONTROUTE"};
    if (inet && (s->flags & NP_EP_REUSEADDR)) o[n++] = {SOL_SOCKET, SO_REUSEADDR, &one, sizeof one, "SO_REUSEADDR"};
    if (s->priority >= 0) o[n++] = {SOL_SOCKET, SO_PRIORITY, &s->priority, sizeof(int), "SO_PRIORITY"};
    if (s->tos >= 0 && inet)
        o[n++] = s->family == AF_INET6 ? SockOpt{IPPROTO_IPV6, IPV6_TCLASS, &s->tos, sizeof(int), "IPV6_TCLASS"}
                                       : SockOpt{IPPROTO_IP, IP_TOS, &s->tos, sizeof(int), "IP_TOS"};
    return n;
}

// ---- staging -------------------------------------------------------------

// getsockopt commands a connect chain carries: SO_SNDBUF and SO_RCVBUF once
// the options are set, before the connect, when the engine asks for them.
uint32_t initial_reads(const np_endpoint_spec *s) { return (s->flags & NP_EP_INITIAL_BUFFERS) ? 2 : 0; }

// SQEs an op needs (chains need several).
uint32_t sqes_for(const np_transport_ctx *c, const np_op &op) {
    switch (op.kind) {
    case NP_OP_CONNECT: {
        if (!c->fixed_files) return 1;  // SOCKET now, the rest from reap
        SockOpt o[kMaxSockopts];
        return 2 + uint32_t(sockopts_of(op.spec, o)) + initial_reads(op.spec) + (op.spec->local_len ? 1 : 0);
    }
    case NP_OP_CLOSE:
        return 3;
    default:
        return 1;
    }
}

// The chain after the socket exists: setsockopt commands, bind, connect.
// The last SQE carries the request's own completion.
void prep_connect_chain(np_transport_ctx *c, Req &r) {
    np_endpoint *ep = r.ep;
    const np_endpoint_spec *s = r.op.spec;
    uint32_t idx = req_index(c, r);
    SockOpt o[kMaxSockopts];
    int n = sockopts_of(s, o);
    // Without fixed files the socket was bound with bind(2) (see on_socket).
    bool bind_step = s->local_len > 0 && c->fixed_files;
    bool connect_step = !(s->socktype == SOCK_DGRAM && !(s->flags & NP_EP_DGRAM_CONNECT));
    const int reads = int(initial_reads(s));
    int steps = n + reads + (bind_step ? 1 : 0) + (connect_step ? 1 : 0);
    if (steps == 0) {
        // An unconnected datagram socket with nothing to set: ready now.
        io_uring_sqe *sqe = sqe_get(c);
        io_uring_prep_nop(sqe);
        io_uring_sqe_set_data64(sqe, ud(idx, kTagMain));
        return;
    }
    int left = steps;
    auto link = [&](io_uring_sqe *sqe) {
        use_target(sqe, ep);
        if (--left) {
            sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
            io_uring_sqe_set_data64(sqe, ud(idx, kTagStep));
        } else {
            io_uring_sqe_set_data64(sqe, ud(idx, kTagMain));
        }
    };
    for (int i = 0; i < n; i++) {
        io_uring_sqe *sqe = sqe_get(c);
        prep_setsockopt(sqe, ep->target, o[i].level, o[i].name, o[i].val, o[i].len);
        link(sqe);
    }
    for (int i = 0; i < reads; i++) {
        io_uring_sqe *sqe = sqe_get(c);
        prep_getsockopt(sqe, ep->target, SOL_SOCKET, i == 0 ? SO_SNDBUF : SO_RCVBUF,
                        i == 0 ? &ep->sndbuf_initial : &ep->rcvbuf_initial, sizeof(int32_t));
        link(sqe);
    }
    if (bind_step) {
        io_uring_sqe *sqe = sqe_get(c);
        io_uring_prep_rw(kOpBind, sqe, ep->target, &s->local, 0, s->local_len);  // addr2 = length
        link(sqe);
    }
    if (connect_step) {
        io_uring_sqe *sqe = sqe_get(c);
        io_uring_prep_connect(sqe, ep->target, reinterpret_cast<const sockaddr *>(&s->remote), s->remote_len);
        link(sqe);
    }
}

void stage_connect(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = ep_alloc(c);
    if (!ep) return backlog_push(c, op.user, -EMFILE, nullptr);
    const np_endpoint_spec *s = op.spec;
    if (c->fixed_files && s->local_len && !features().bind) {
        ep_release(c, ep);
        return backlog_push(c, op.user, -EOPNOTSUPP, nullptr);
    }
    Req *r = req_alloc(c);
    r->op = op;
    r->ep = ep;
    r->done = kDoneConnect;
    ep->dgram = s->socktype == SOCK_DGRAM;
    if (ep->dgram && s->remote_len) {
        memcpy(&ep->peer, &s->remote, s->remote_len);
        ep->peer_len = s->remote_len;
    }
    io_uring_sqe *sqe = sqe_get(c);
    if (c->fixed_files) {
        ep->in_table = true;
        ep_setup(c, ep, s->socktype == SOCK_STREAM, !ep->dgram || (s->flags & NP_EP_DGRAM_CONNECT));
        io_uring_prep_socket_direct(sqe, s->family, s->socktype, s->protocol, ep->index, 0);
        sqe->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
        io_uring_sqe_set_data64(sqe, ud(req_index(c, *r), kTagStep));
        prep_connect_chain(c, *r);
    } else {
        io_uring_prep_socket(sqe, s->family, s->socktype | SOCK_CLOEXEC, s->protocol, 0);
        io_uring_sqe_set_data64(sqe, ud(req_index(c, *r), kTagSocket));
    }
}

void stage_accept(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = ep_alloc(c);
    if (!ep) return backlog_push(c, op.user, -EMFILE, op.ep);
    Req *r = req_alloc(c);
    r->op = op;
    r->ep = ep;
    r->done = kDoneAccept;
    op.ep->pending++;
    io_uring_sqe *sqe = sqe_get(c);
    if (c->fixed_files) {
        ep->in_table = true;
        io_uring_prep_accept_direct(sqe, op.ep->target, nullptr, nullptr, 0, ep->index);
    } else {
        io_uring_prep_accept(sqe, op.ep->target, nullptr, nullptr, SOCK_CLOEXEC);
    }
    use_target(sqe, op.ep);
    io_uring_sqe_set_data64(sqe, ud(req_index(c, *r), kTagMain));
}

void stage_close(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = op.ep;
    Req *r = req_alloc(c);
    r->op = op;
    r->ep = ep;
    r->done = kDoneClose;
    ep->closing = true;
    ep->close_user = op.user;
    uint32_t idx = req_index(c, *r);
    // Hard links: the close runs whatever the cancel found.
    io_uring_sqe *sqe = sqe_get(c);
    io_uring_prep_cancel_fd(sqe, ep->target, IORING_ASYNC_CANCEL_ALL | (ep->in_table ? IORING_ASYNC_CANCEL_FD_FIXED : 0));
    sqe->flags |= IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(sqe, ud(idx, kTagInternal));
    if (ep->in_table) {
        sqe = sqe_get(c);
        io_uring_prep_close_direct(sqe, ep->index);
        if (ep->fd >= 0) {
            sqe->flags |= IOSQE_IO_HARDLINK | IOSQE_CQE_SKIP_SUCCESS;
            io_uring_sqe_set_data64(sqe, ud(idx, kTagInternal));
        } else {
            io_uring_sqe_set_data64(sqe, ud(idx, kTagMain));
        }
    }
    if (ep->fd >= 0) {
        sqe = sqe_get(c);
        io_uring_prep_close(sqe, ep->fd);
        io_uring_sqe_set_data64(sqe, ud(idx, kTagMain));
    }
}

uint32_t stage(np_transport_ctx *c, const np_op *ops, uint32_t n) {
    uint32_t i = 0;
    const np_endpoint *sent_on = nullptr;  // endpoint of this batch's last SEND
    for (; i < n; i++) {
        const np_op &op = ops[i];
        if (c->req_free == kNone || io_uring_sq_space_left(&c->ring) < sqes_for(c, op)) break;
        switch (op.kind) {
        case NP_OP_SEND: {
            Req *r = req_alloc(c);
            r->op = op;
            r->ep = op.ep;
            r->done = kDonePlain;
            op.ep->pending++;
            io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
            op.ep->prep_send(c, sqe, *r);
            io_uring_sqe_set_data64(sqe, ud(req_index(c, *r), kTagMain));
            c->sends_staged++;
            sent_on = op.ep;
            break;
        }
        case NP_OP_RECV: {
            Req *r = req_alloc(c);
            r->op = op;
            r->ep = op.ep;
            op.ep->pending++;
            io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
            if (op.flags & NP_OPF_MULTISHOT) op.ep->prep_recv_multishot(c, sqe, *r);
            else op.ep->prep_recv(c, sqe, *r);
            // Sent in this same batch: the answer cannot be there yet, so
            // arm the poll without a receive attempt bound to fail.
            if (op.ep == sent_on &&
                (sqe->opcode == IORING_OP_RECV || sqe->opcode == IORING_OP_RECVMSG))
                sqe->ioprio |= IORING_RECVSEND_POLL_FIRST;
            io_uring_sqe_set_data64(sqe, ud(req_index(c, *r), kTagMain));
            break;
        }
        case NP_OP_SHUTDOWN: {
            Req *r = req_alloc(c);
            r->op = op;
            r->ep = op.ep;
            r->done = kDonePlain;
            op.ep->pending++;
            io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
            io_uring_prep_shutdown(sqe, op.ep->target, SHUT_WR);
            use_target(sqe, op.ep);
            io_uring_sqe_set_data64(sqe, ud(req_index(c, *r), kTagMain));
            c->sends_staged++;  // completes at once, like a send
            break;
        }
        case NP_OP_CONNECT:
            stage_connect(c, op);
            break;
        case NP_OP_ACCEPT:
            stage_accept(c, op);
            break;
        case NP_OP_CLOSE:
            // A second CLOSE of an endpoint whose first is still in flight
            // (the engine's connect client can stage one from its deadline
            // hook) must not release it twice.
            if (op.ep->closing) backlog_push(c, op.user, -EBADF, nullptr);
            else stage_close(c, op);
            break;
        default:
            backlog_push(c, op.user, -EINVAL, op.ep);
        }
    }
    return i;
}

// ---- submission ------------------------------------------------------------

// First use on the worker thread: a single_issuer ring was created disabled
// on the control thread (the creator would own it); the worker enables it
// and becomes its submitter.  The ring fd is registered per thread.
void ring_first_use(np_transport_ctx *c) {
    c->ring_ready = true;
    if (c->disabled_start) {
        c->stats.syscalls++;
        syscall(__NR_io_uring_register, c->ring.ring_fd, kRegisterEnableRings, nullptr, 0);
    }
    c->stats.syscalls++;
    io_uring_register_ring_fd(&c->ring);
}

// commit without SQPOLL: the SQEs wait for reap's submit-and-wait.
int commit_deferred(np_transport_ctx *c) {
    if (io_uring_sq_ready(&c->ring)) c->stats.batches++;
    return 0;
}

// commit with SQPOLL: hand the batch to the poller now (a system call only
// when it sleeps).
int commit_sqpoll(np_transport_ctx *c) {
    if (!io_uring_sq_ready(&c->ring)) return 0;
    if (!c->ring_ready) ring_first_use(c);
    c->stats.batches++;
    if (IO_URING_READ_ONCE(*c->ring.sq.kflags) & IORING_SQ_NEED_WAKEUP) c->stats.syscalls++;
    int r = io_uring_submit(&c->ring);
    return r < 0 ? r : 0;
}

int commit(np_transport_ctx *c) { return c->commit_fn(c); }

// ---- completions -----------------------------------------------------------

void buffer_return(np_transport_ctx *c, uint32_t cqe_flags) {
    uint16_t bid = uint16_t(cqe_flags >> IORING_CQE_BUFFER_SHIFT);
    io_uring_buf_ring_add(c->br, c->bufs + size_t(bid) * c->buf_size, c->buf_size, bid, c->br_mask,
                          int(c->br_returned));
    c->br_returned++;
}

void rearm(np_transport_ctx *c, Req &r) {
    io_uring_sqe *sqe = sqe_get(c);
    r.ep->prep_recv_multishot(c, sqe, r);
    io_uring_sqe_set_data64(sqe, ud(req_index(c, r), kTagMain));
}

// Without fixed files: the socket of a CONNECT exists; set it up and queue
// the rest of the chain.  1 if the connect failed here (reported now).
uint32_t on_socket(np_transport_ctx *c, Req &r, int res, np_completion *out) {
    np_endpoint *ep = r.ep;
    if (res < 0) {
        *out = np_completion{r.op.user, res, nullptr, 0, 0};
        ep_release(c, ep);
        req_release(c, &r);
        return 1;
    }
    ep->fd = res;
    const np_endpoint_spec *s = r.op.spec;
    if (s->local_len) {
        // A real descriptor: bind(2) here costs no more than an op would.
        c->stats.syscalls++;
        if (bind(res, reinterpret_cast<const sockaddr *>(&s->local), s->local_len) < 0) {
            *out = np_completion{r.op.user, -errno, nullptr, 0, 0};
            close(res);
            ep_release(c, ep);
            req_release(c, &r);
            return 1;
        }
    }
    ep_setup(c, ep, s->socktype == SOCK_STREAM, !ep->dgram || (s->flags & NP_EP_DGRAM_CONNECT));
    prep_connect_chain(c, r);
    return 0;
}

// Turns one CQE into at most one completion; returns how many.
uint32_t on_cqe(np_transport_ctx *c, const io_uring_cqe *cqe, np_completion *out) {
    uint32_t idx = uint32_t(cqe->user_data);
    Tag tag = Tag(cqe->user_data >> 32);
    int res = cqe->res;
    switch (tag) {
    case kTagMain:
        break;
    case kTagStep:
        if (res < 0 && !c->reqs[idx].err) c->reqs[idx].err = res;
        return 0;
    case kTagSocket:
        return on_socket(c, c->reqs[idx], res, out);
    case kTagInstall:
        if (c->install_state == 1) {
            c->install_state = 2;
            c->install_result = res;
        } else if (res >= 0) {
            close(res);  // ep_info gave up waiting: drop the descriptor
        }
        return 0;
    default:
        return 0;
    }
    Req &r = c->reqs[idx];
    np_endpoint *ep = r.ep;
    switch (r.done) {
    case kDonePlain:
        *out = np_completion{r.op.user, res, ep, 0, 0};
        break;
    case kDoneRecvMsg:
        if (res >= 0 && r.msg.msg_namelen <= sizeof ep->peer) {
            memcpy(&ep->peer, &r.name, r.msg.msg_namelen);
            ep->peer_len = r.msg.msg_namelen;
        }
        *out = np_completion{r.op.user, res, ep, 0, 0};
        break;
    case kDoneMultishot:
    case kDoneMultishotMsg: {
        bool more = cqe->flags & IORING_CQE_F_MORE;
        if (cqe->flags & IORING_CQE_F_BUFFER) {
            if (r.done == kDoneMultishotMsg && res >= 0) {
                void *buf = c->bufs + size_t(cqe->flags >> IORING_CQE_BUFFER_SHIFT) * c->buf_size;
                io_uring_recvmsg_out *o = io_uring_recvmsg_validate(buf, res, &r.msg);
                if (o) {
                    uint32_t nl = std::min<uint32_t>(o->namelen, r.msg.msg_namelen);
                    memcpy(&ep->peer, io_uring_recvmsg_name(o), nl);
                    ep->peer_len = nl;
                    res = int(io_uring_recvmsg_payload_length(o, res, &r.msg));
                }
            }
            buffer_return(c, cqe->flags);  // the engine never reads the payload
        }
        if (!more && res == -ENOBUFS) {
            // Every buffer was in CQEs not yet reaped; they are back in the
            // ring once this batch ends, and the data waits in the socket.
            rearm(c, r);
            return 0;
        }
        *out = np_completion{r.op.user, res, ep, more ? NP_CF_MORE : 0u, 0};
        if (more) return 1;
        break;
    }
    case kDoneZeroCopy:
        if (cqe->flags & IORING_CQE_F_NOTIF) {
            // The buffer is free again: now the send is complete.
            c->zc_sends++;
            if (uint32_t(res) & IORING_NOTIF_USAGE_ZC_COPIED) c->zc_copied++;
            *out = np_completion{r.op.user, r.result, ep, 0, 0};
            break;
        }
        if (cqe->flags & IORING_CQE_F_MORE) {
            r.result = res;  // a notification follows
            return 0;
        }
        *out = np_completion{r.op.user, res, ep, 0, 0};
        break;
    case kDoneConnect:
        if (r.err) res = r.err;
        if (res < 0) {
            // A direct socket left in the slot is replaced by the next
            // install there; a real one is closed now.
            if (ep->fd >= 0) close(ep->fd);
            ep_release(c, ep);
            *out = np_completion{r.op.user, res, nullptr, 0, 0};
        } else {
            *out = np_completion{r.op.user, 0, ep, 0, 0};
        }
        req_release(c, &r);
        return 1;
    case kDoneAccept: {
        np_endpoint *lep = r.op.ep;
        if (res < 0) {
            ep_release(c, ep);
            *out = np_completion{r.op.user, res, lep, 0, 0};
        } else {
            if (!ep->in_table) ep->fd = res;
            ep_setup(c, ep, true, true);
            *out = np_completion{r.op.user, 0, ep, 0, 0};
        }
        req_release(c, &r);
        ep_put(c, lep);
        return 1;
    }
    case kDoneClose:
        req_release(c, &r);
        ep->close_done = true;
        if (ep->pending) return 0;  // reported when its last op completes
        ep_release(c, ep);
        *out = np_completion{r.op.user, 0, nullptr, 0, 0};
        return 1;
    }
    req_release(c, &r);
    ep_put(c, ep);
    return 1;
}

// Drains ready CQEs into out (at most max completions), acknowledging the CQ
// and returning buffers once for the whole batch.
uint32_t drain(np_transport_ctx *c, np_completion *out, uint32_t max) {
    unsigned head, seen = 0;
    uint32_t n = 0;
    io_uring_cqe *cqe;
    io_uring_for_each_cqe(&c->ring, head, cqe) {
        if (n >= max) break;
        seen++;
        n += on_cqe(c, cqe, out + n);
    }
    if (seen) io_uring_cq_advance(&c->ring, seen);
    if (c->br_returned) {
        io_uring_buf_ring_advance(c->br, int(c->br_returned));
        c->br_returned = 0;
    }
    return n;
}

// Submits what is staged and waits for completions in one io_uring_enter.
void submit_and_wait(np_transport_ctx *c, int64_t timeout_ns) {
    // Sends (and shutdowns) complete at once: wait for them and one event
    // more, so a request/response pass is a single system call; never for
    // more than what is in flight.
    uint32_t want = std::min(c->sends_staged + 1, std::max(c->reqs_used, 1u));
    __kernel_timespec ts{timeout_ns / 1000000000, timeout_ns % 1000000000};
    io_uring_cqe *cqe = nullptr;
    c->stats.syscalls++;
    io_uring_submit_and_wait_timeout(&c->ring, &cqe, want, &ts, nullptr);
    c->sends_staged = 0;
}

// Submits what is staged (and runs pending task work) without waiting.
void submit_nowait(np_transport_ctx *c) {
    bool taskrun = IO_URING_READ_ONCE(*c->ring.sq.kflags) & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW);
    bool staged = !c->sqpoll && io_uring_sq_ready(&c->ring);
    if (!staged && !taskrun) return;
    c->stats.syscalls++;
    io_uring_submit_and_get_events(&c->ring);
    c->sends_staged = 0;
}

uint32_t reap(np_transport_ctx *c, np_completion *out, uint32_t max, int64_t timeout_ns) {
    if (!c->ring_ready) ring_first_use(c);
    uint32_t n = backlog_pop(c, out, max);
    if (n == 0 && io_uring_cq_ready(&c->ring) == 0 && timeout_ns > 0) {
        submit_and_wait(c, timeout_ns);
    } else if (n == 0 && io_uring_cq_ready(&c->ring) == 0) {
        submit_nowait(c);
    } else if (!c->sqpoll && io_uring_sq_ready(&c->ring)) {
        c->stats.syscalls++;
        io_uring_submit(&c->ring);
        c->sends_staged = 0;
    }
    if (n < max) n += drain(c, out + n, max - n);
    if (n < max) n += backlog_pop(c, out + n, max - n);
    return n;
}

// ---- control path ------------------------------------------------------

// ep_info on a direct socket: install a real descriptor for it (one
// FIXED_FD_INSTALL, waited for here; other completions go to the backlog).
int install_fd(np_transport_ctx *c, np_endpoint *ep) {
    if (!features().fixed_fd_install) return -EOPNOTSUPP;
    if (!c->ring_ready) ring_first_use(c);
    io_uring_sqe *sqe = sqe_get(c);
    if (!sqe) return -EBUSY;
    io_uring_prep_rw(kOpFixedFdInstall, sqe, ep->target, nullptr, 0, 0);
    sqe->flags = IOSQE_FIXED_FILE;
    io_uring_sqe_set_data64(sqe, ud(0, kTagInstall));
    c->install_state = 1;
    for (int tries = 0; tries < 100 && c->install_state == 1; tries++) {
        __kernel_timespec ts{0, 10000000};
        io_uring_cqe *cqe = nullptr;
        c->stats.syscalls++;
        io_uring_submit_and_wait_timeout(&c->ring, &cqe, 1, &ts, nullptr);
        c->sends_staged = 0;
        // Completions of other ops wait in the backlog for the next reap.
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&c->ring, head, cqe) {
            if (c->bl_count == c->bl_cap) break;
            np_completion one;
            seen++;
            if (on_cqe(c, cqe, &one)) backlog_push(c, one.user, one.result, one.ep, one.flags);
        }
        if (seen) io_uring_cq_advance(&c->ring, seen);
        if (c->br_returned) {
            io_uring_buf_ring_advance(c->br, int(c->br_returned));
            c->br_returned = 0;
        }
        if (c->bl_count == c->bl_cap) break;
    }
    if (c->install_state != 2) {
        c->install_state = 0;  // a late result is closed when it arrives
        return -EBUSY;
    }
    c->install_state = 0;
    return c->install_result;
}

int ep_info(np_transport_ctx *c, np_endpoint *ep, np_endpoint_info *o) {
    if (!ep || !o) return -EINVAL;
    int fd = ep->fd;
    if (fd < 0) {
        fd = install_fd(c, ep);
        if (fd < 0) return fd;
    }
    uint32_t sz = o->struct_size ? o->struct_size : sizeof *o;
    memset(o, 0, sizeof *o);
    o->struct_size = sz;
    socklen_t l = sizeof o->local;
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&o->local), &l) == 0) o->local_len = l;
    l = sizeof o->remote;
    if (getpeername(fd, reinterpret_cast<sockaddr *>(&o->remote), &l) == 0) {
        o->remote_len = l;
    } else if (ep->peer_len) {
        memcpy(&o->remote, &ep->peer, ep->peer_len);
        o->remote_len = ep->peer_len;
    }
    o->sndbuf = o->rcvbuf = o->mss = o->retransmits = -1;
    socklen_t il = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, &il);
    il = sizeof(int);
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, &il);
    o->sndbuf_initial = ep->sndbuf_initial;
    o->rcvbuf_initial = ep->rcvbuf_initial;
    int type = 0, dom = 0;
    il = sizeof type;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &il);
    il = sizeof dom;
    getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &dom, &il);
    if (type == SOCK_STREAM && (dom == AF_INET || dom == AF_INET6)) {
        il = sizeof(int);
        getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &o->mss, &il);
        tcp_info ti{};
        il = sizeof ti;
        if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &il) == 0) o->retransmits = int32_t(ti.tcpi_total_retrans);
        il = sizeof o->cong_control - 1;
        getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, o->cong_control, &il);
    }
    if (fd != ep->fd) close(fd);
    return 0;
}

int listen_ep(np_transport_ctx *c, const np_endpoint_spec *s, np_endpoint **out, char *err, size_t elen) {
    if (!s || s->struct_size < offsetof(np_endpoint_spec, reserved)) {
        set_err(err, elen, "uring: listen: endpoint spec too small");
        return -EINVAL;
    }
    np_endpoint *ep = ep_alloc(c);
    if (!ep) {
        set_err(err, elen, "uring: listen: no free endpoint slot (max %u)", c->max_eps);
        return -EMFILE;
    }
    // Blocking descriptors: io_uring polls for readiness itself, and
    // READ_FIXED/WRITE_FIXED would return -EAGAIN on O_NONBLOCK ones.
    int fd = socket(s->family, s->socktype | SOCK_CLOEXEC, s->protocol);
    if (fd < 0) {
        int e = errno;
        set_err(err, elen, "uring: socket(family %d, type %d, protocol %d): %s", s->family, s->socktype,
                s->protocol, strerror(e));
        ep_release(c, ep);
        return -e;
    }
    auto fail = [&](int e, const char *what) {
        set_err(err, elen, "uring: %s: %s", what, strerror(e));
        close(fd);
        ep_release(c, ep);
        return -e;
    };
    SockOpt o[kMaxSockopts];
    int n = sockopts_of(s, o);
    for (int i = 0; i < n; i++)
        if (setsockopt(fd, o[i].level, o[i].name, o[i].val, o[i].len) < 0) {
            int e = errno;
            set_err(err, elen, "uring: setsockopt %s: %s", o[i].label, strerror(e));
            close(fd);
            ep_release(c, ep);
            return -e;
        }
    if (s->local_len > 0 && bind(fd, reinterpret_cast<const sockaddr *>(&s->local), s->local_len) < 0)
        return fail(errno, "bind");
    ep->fd = fd;
    ep->dgram = s->socktype == SOCK_DGRAM;
    ep->track_peer = ep->dgram && (s->flags & NP_EP_TRACK_PEER);
    if (ep->dgram) {
        if (s->remote_len) {
            memcpy(&ep->peer, &s->remote, s->remote_len);
            ep->peer_len = s->remote_len;
        }
    } else {
        ep->listener = true;
        if (listen(fd, 1024) < 0) return fail(errno, "listen");
    }
    if (c->fixed_files) {
        int r = io_uring_register_files_update(&c->ring, ep->index, &fd, 1);
        if (r < 0) return fail(-r, "fixed_files: io_uring_register_files_update");
        ep->in_table = true;
    }
    ep_setup(c, ep, s->socktype == SOCK_STREAM, false);
    *out = ep;
    return 0;
}

void ep_close(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep || !ep->in_use || ep->closing) return;
    if (ep->pending) {
        // Ops still armed (an accept, a multishot recv): cancel them with the
        // next submission; the slot is reused once they have completed.
        io_uring_sqe *sqe = io_uring_get_sqe(&c->ring);
        if (sqe) {
            io_uring_prep_cancel_fd(sqe, ep->target,
                                    IORING_ASYNC_CANCEL_ALL | (ep->in_table ? IORING_ASYNC_CANCEL_FD_FIXED : 0));
            sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
            io_uring_sqe_set_data64(sqe, ud(0, kTagInternal));
        }
    }
    if (ep->in_table) {
        // Fails (EEXIST) once a single_issuer ring belongs to its worker;
        // the table then goes with the ring.
        int none = -1;
        io_uring_register_files_update(&c->ring, ep->index, &none, 1);
    }
    if (ep->fd >= 0) close(ep->fd);
    ep->fd = -1;
    ep->closing = true;
    ep->close_done = true;
    ep->close_silent = true;
    if (!ep->pending) ep_release(c, ep);
}

int ep_set_peer(np_transport_ctx *, np_endpoint *ep, const sockaddr *addr, uint32_t len) {
    if (!ep || !addr || len > sizeof ep->peer) return -EINVAL;
    memcpy(&ep->peer, addr, len);
    ep->peer_len = len;
    return 0;
}

int register_buffers(np_transport_ctx *c, const np_buffer_region *regions, uint32_t n, char *err, size_t elen) {
    if (!c->registered || n == 0) return 0;  // registered_buffers=0: plain ops
    if (c->n_regions) {
        set_err(err, elen, "uring: registered_buffers: buffers are already registered");
        return -EBUSY;
    }
    auto *iov = new (std::nothrow) iovec[n];
    auto *reg = new (std::nothrow) Region[n];
    if (!iov || !reg) {
        delete[] iov;
        delete[] reg;
        set_err(err, elen, "uring: registered_buffers: out of memory for %u regions", n);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < n; i++) {
        reg[i] = {reinterpret_cast<uintptr_t>(regions[i].base),
                  reinterpret_cast<uintptr_t>(regions[i].base) + regions[i].len};
    }
    // Sorted, so an op's buffer is found by binary search; the registration
    // index of a region is its place in this order.
    std::sort(reg, reg + n, [](const Region &a, const Region &b) { return a.base < b.base; });
    uint64_t bytes = 0;
    for (uint32_t i = 0; i < n; i++) {
        iov[i] = {reinterpret_cast<void *>(reg[i].base), reg[i].end - reg[i].base};
        bytes += iov[i].iov_len;
    }
    int r = io_uring_register_buffers(&c->ring, iov, n);
    delete[] iov;
    if (r < 0) {
        delete[] reg;
        set_err(err, elen, "uring: registered_buffers: io_uring_register_buffers (%u regions, %llu bytes): %s", n,
                (unsigned long long)bytes, strerror(-r));
        return r;
    }
    c->regions = reg;
    c->n_regions = n;
    return 0;
}

int stats(np_transport_ctx *c, np_transport_stats *out) {
    if (!c || !out) return -EINVAL;
    *out = c->stats;
    return 0;
}

// ---- options ---------------------------------------------------------------

const np_option_desc kOptions[] = {
    {"entries", NP_OPT_INT, "256", "submission queue entries (16..32768; the CQ gets 4x, at least 1024)"},
    {"sqpoll", NP_OPT_BOOL, "0", "IORING_SETUP_SQPOLL: a kernel thread polls the SQ (submits need no syscall)"},
    {"sqpoll_cpu", NP_OPT_INT, "-1", "CPU for the SQPOLL thread (-1 = any; needs sqpoll=1)"},
    {"single_issuer", NP_OPT_BOOL, "0", "IORING_SETUP_SINGLE_ISSUER|DEFER_TASKRUN: completions run at reap"},
    {"send_zc", NP_OPT_BOOL, "0", "IORING_OP_SEND_ZC sends (the number copied is reported at the end)"},
    {"fixed_files", NP_OPT_BOOL, "1", "data sockets in a sparse registered file table (direct descriptors)"},
    {"multishot", NP_OPT_BOOL, "1", "stream receivers: one multishot recv into a provided buffer ring"},
    {"registered_buffers", NP_OPT_BOOL, "0", "register the engine's buffers (READ_FIXED/WRITE_FIXED ops)"},
    {"buffers", NP_OPT_INT, "256", "buffers in the provided buffer ring (power of 2, 8..32768)"},
    {"buffer_size", NP_OPT_INT, "65536", "bytes per provided buffer (a datagram longer than this is cut)"},
};

struct Config {
    int entries = 256;
    bool sqpoll = false;
    int sqpoll_cpu = -1;
    bool single_issuer = false;
    bool send_zc = false;
    bool fixed_files = true;
    bool multishot = true;
    bool registered = false;
    int buffers = 256;
    int buffer_size = 65536;
    bool fixed_files_set = false, multishot_set = false;
};

bool parse_bool(const char *v, bool *out) {
    static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
    for (auto *y : yes)
        if (strcmp(v, y) == 0) return *out = true, true;
    for (auto *n : no)
        if (strcmp(v, n) == 0) return *out = false, true;
    return false;
}

bool parse_int(const char *v, long lo, long hi, int *out) {
    char *end = nullptr;
    errno = 0;
    long x = strtol(v, &end, 10);
    if (!*v || *end || errno || x < lo || x > hi) return false;
    *out = int(x);
    return true;
}

int parse_options(const np_ctx_params *p, Config &cfg, char *err, size_t elen) {
    for (uint32_t i = 0; i < p->n_options; i++) {
        const char *k = p->options[i].name, *v = p->options[i].value;
        bool ok;
        if (strcmp(k, "entries") == 0) ok = parse_int(v, 16, 32768, &cfg.entries);
        else if (strcmp(k, "sqpoll") == 0) ok = parse_bool(v, &cfg.sqpoll);
        else if (strcmp(k, "sqpoll_cpu") == 0) ok = parse_int(v, -1, 4095, &cfg.sqpoll_cpu);
        else if (strcmp(k, "single_issuer") == 0) ok = parse_bool(v, &cfg.single_issuer);
        else if (strcmp(k, "send_zc") == 0) ok = parse_bool(v, &cfg.send_zc);
        else if (strcmp(k, "fixed_files") == 0) ok = parse_bool(v, &cfg.fixed_files), cfg.fixed_files_set = true;
        else if (strcmp(k, "multishot") == 0) ok = parse_bool(v, &cfg.multishot), cfg.multishot_set = true;
        else if (strcmp(k, "registered_buffers") == 0) ok = parse_bool(v, &cfg.registered);
        else if (strcmp(k, "buffers") == 0)
            ok = parse_int(v, 8, 32768, &cfg.buffers) && (cfg.buffers & (cfg.buffers - 1)) == 0;
        else if (strcmp(k, "buffer_size") == 0) ok = parse_int(v, 64, 1 << 20, &cfg.buffer_size);
        else {
            set_err(err, elen, "uring: unknown option '%s' (see --transport-help uring)", k);
            return -EINVAL;
        }
        if (!ok) {
            const char *want = "";
            for (const auto &d : kOptions)
                if (strcmp(d.name, k) == 0) want = d.help;
            set_err(err, elen, "uring: option %s=%s is invalid (%s)", k, v, want);
            return -EINVAL;
        }
    }
    const Features &f = features();
    long ncpu = sysconf(_SC_NPROCESSORS_CONF);
    if (cfg.sqpoll_cpu >= 0 && !cfg.sqpoll) {
        set_err(err, elen, "uring: option sqpoll_cpu=%d needs sqpoll=1", cfg.sqpoll_cpu);
        return -EINVAL;
    }
    if (cfg.sqpoll_cpu >= ncpu) {
        set_err(err, elen, "uring: option sqpoll_cpu=%d: this machine has CPUs 0..%ld", cfg.sqpoll_cpu, ncpu - 1);
        return -EINVAL;
    }
    if (cfg.sqpoll && cfg.single_issuer) {
        set_err(err, elen,
                "uring: options sqpoll=1 and single_issuer=1 exclude each other (DEFER_TASKRUN runs completions "
                "in the submitting thread, SQPOLL submits from a kernel thread)");
        return -EINVAL;
    }
    if (cfg.single_issuer && !f.defer_taskrun) {
        set_err(err, elen, "uring: option single_issuer=1: this kernel lacks IORING_SETUP_DEFER_TASKRUN (6.1)");
        return -EOPNOTSUPP;
    }
    if (cfg.send_zc && !f.send_zc) {
        set_err(err, elen, "uring: option send_zc=1: this kernel lacks IORING_OP_SEND_ZC (6.0)");
        return -EOPNOTSUPP;
    }
    // Defaults follow the kernel; an explicit request it cannot honour fails.
    if (cfg.fixed_files && !f.fixed_fd_install) {
        if (cfg.fixed_files_set) {
            set_err(err, elen, "uring: option fixed_files=1: this kernel lacks IORING_OP_FIXED_FD_INSTALL (6.8)");
            return -EOPNOTSUPP;
        }
        cfg.fixed_files = false;
    }
    if (cfg.multishot && !f.buf_ring) {
        if (cfg.multishot_set) {
            set_err(err, elen, "uring: option multishot=1: this kernel lacks provided buffer rings (5.19)");
            return -EOPNOTSUPP;
        }
        cfg.multishot = false;
    }
    return 0;
}

// ---- context -------------------------------------------------------------

void ctx_free(np_transport_ctx *c) {
    delete[] c->eps;
    delete[] c->ep_free;
    delete[] c->reqs;
    delete[] c->backlog;
    delete[] c->regions;
    if (c->bufs) munmap(c->bufs, size_t(c->n_bufs) * c->buf_size);
    free(c->br);
    delete c;
}

void ctx_destroy(np_transport_ctx *c) {
    if (!c) return;
    // Closing the ring cancels whatever is still armed and drops the fixed
    // files and buffers; then the real descriptors go.
    io_uring_queue_exit(&c->ring);
    for (uint32_t i = 0; i < c->max_eps; i++)
        if (c->eps[i].in_use && c->eps[i].fd >= 0) close(c->eps[i].fd);
    if (c->send_zc && c->zc_sends)
        fprintf(stderr, "uring: send_zc: %llu of %llu sends were copied by the kernel (not zero-copy)%s\n",
                (unsigned long long)c->zc_copied, (unsigned long long)c->zc_sends,
                c->zc_copied == c->zc_sends ? ", as over loopback" : "");
    ctx_free(c);
}

int setup_buffer_ring(np_transport_ctx *c, const Config &cfg, char *err, size_t elen) {
    c->n_bufs = uint32_t(cfg.buffers);
    c->buf_size = uint32_t(cfg.buffer_size);
    void *mem = nullptr;
    if (posix_memalign(&mem, 4096, c->n_bufs * sizeof(io_uring_buf)) != 0) {
        set_err(err, elen, "uring: multishot: out of memory for a %u-entry buffer ring", c->n_bufs);
        return -ENOMEM;
    }
    c->br = static_cast<io_uring_buf_ring *>(mem);
    // Reserved, not committed: a receiver of small datagrams touches one
    // page per buffer, a stream receiver what it fills.
    void *bufs = mmap(nullptr, size_t(c->n_bufs) * c->buf_size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (bufs == MAP_FAILED) {
        int e = errno;
        set_err(err, elen, "uring: multishot: cannot map %u buffers of %u bytes: %s", c->n_bufs, c->buf_size,
                strerror(e));
        return -e;
    }
    c->bufs = static_cast<char *>(bufs);
    io_uring_buf_ring_init(c->br);
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<unsigned long>(c->br);
    reg.ring_entries = c->n_bufs;
    reg.bgid = kBufGroup;
    int r = io_uring_register_buf_ring(&c->ring, &reg, 0);
    if (r < 0) {
        set_err(err, elen, "uring: multishot: io_uring_register_buf_ring (%u entries): %s", c->n_bufs, strerror(-r));
        return r;
    }
    c->br_mask = io_uring_buf_ring_mask(c->n_bufs);
    for (uint32_t i = 0; i < c->n_bufs; i++)
        io_uring_buf_ring_add(c->br, c->bufs + size_t(i) * c->buf_size, c->buf_size, uint16_t(i), c->br_mask, int(i));
    io_uring_buf_ring_advance(c->br, int(c->n_bufs));
    return 0;
}

int ctx_create(const np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    if (!p || p->struct_size < offsetof(np_ctx_params, reserved)) {
        set_err(err, elen, "uring: ctx_create: parameter block too small");
        return -EINVAL;
    }
    const Features &f = features();
    if (f.status) {
        set_err(err, elen, "%s", f.why);
        return f.status;
    }
    Config cfg;
    int r = parse_options(p, cfg, err, elen);
    if (r) return r;

    auto *c = new (std::nothrow) np_transport_ctx();
    if (!c) return -ENOMEM;
    c->max_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->max_inflight = p->max_inflight ? p->max_inflight : 64;
    c->sqpoll = cfg.sqpoll;
    c->fixed_files = cfg.fixed_files;
    c->multishot = cfg.multishot;
    c->registered = cfg.registered;
    c->send_zc = cfg.send_zc;
    uint32_t sq = std::max<uint32_t>(uint32_t(cfg.entries), 16);
    uint32_t cq = std::max<uint32_t>(sq * 4, 1024);
    c->bl_cap = c->max_inflight * 2 + c->max_eps * 2 + cq + 64;
    c->eps = new (std::nothrow) np_endpoint[c->max_eps];
    c->ep_free = new (std::nothrow) uint32_t[c->max_eps];
    c->reqs = new (std::nothrow) Req[c->max_inflight];
    c->backlog = new (std::nothrow) np_completion[c->bl_cap];
    if (!c->eps || !c->ep_free || !c->reqs || !c->backlog) {
        set_err(err, elen, "uring: ctx_create: out of memory for %u endpoints, %u ops", c->max_eps, c->max_inflight);
        ctx_free(c);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < c->max_eps; i++) {
        c->eps[i].index = i;
        c->ep_free[i] = c->max_eps - 1 - i;
    }
    c->n_ep_free = c->max_eps;
    for (uint32_t i = 0; i < c->max_inflight; i++) c->reqs[i].next = i + 1 < c->max_inflight ? i + 1 : kNone;
    c->req_free = 0;

    io_uring_params params{};
    params.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    params.cq_entries = cq;
    if (cfg.sqpoll) {
        params.flags |= IORING_SETUP_SQPOLL;
        if (cfg.sqpoll_cpu >= 0) {
            params.flags |= IORING_SETUP_SQ_AFF;
            params.sq_thread_cpu = uint32_t(cfg.sqpoll_cpu);
        }
    } else if (cfg.single_issuer) {
        // Created disabled: the worker thread, not this control thread,
        // must be the one issuer (see ring_first_use).
        params.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED |
                        IORING_SETUP_TASKRUN_FLAG;
        c->disabled_start = true;
    } else {
        // Completions' task work runs when the worker enters the kernel
        // anyway, not by interrupting it.
        params.flags |= IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;
    }
    r = io_uring_queue_init_params(sq, &c->ring, &params);
    if (r < 0) {
        set_err(err, elen, "uring: io_uring_queue_init (entries=%u, flags %#x%s): %s", sq, params.flags,
                cfg.sqpoll ? ", sqpoll" : "", strerror(-r));
        ctx_free(c);
        return r;
    }
    auto fail = [&](int code) {
        io_uring_queue_exit(&c->ring);
        ctx_free(c);
        return code;
    };
    if (cfg.fixed_files) {
        r = io_uring_register_files_sparse(&c->ring, c->max_eps);
        if (r < 0) {
            set_err(err, elen, "uring: fixed_files: io_uring_register_files_sparse (%u slots): %s", c->max_eps,
                    strerror(-r));
            return fail(r);
        }
    }
    if (cfg.multishot && (r = setup_buffer_ring(c, cfg, err, elen)) < 0) return fail(r);

    c->commit_fn = cfg.sqpoll ? commit_sqpoll : commit_deferred;
    if (cfg.send_zc) {
        c->prep_send_conn = prep_send_zc;
        c->prep_send_to = prep_send_to_zc;
    } else {
        c->prep_send_conn = cfg.registered ? prep_send_fixed : prep_send_plain;
        c->prep_send_to = prep_send_to_plain;
    }
    c->prep_recv_conn = cfg.registered ? prep_recv_fixed : prep_recv_plain;
    // multishot=0: the engine still asks for multishot (the capability is
    // static); such a RECV is then an ordinary one, completing without MORE.
    c->prep_recv_ms = cfg.multishot ? prep_recv_multishot : c->prep_recv_conn;
    c->prep_recvmsg_ms = cfg.multishot ? prep_recvmsg_multishot : prep_recvmsg;
    c->stats.struct_size = sizeof c->stats;
    *out = c;
    return 0;
}

int probe(char *why, size_t len) {
    const Features &f = features();
    // Usable: why still lists the optional features this kernel lacks.
    if (why && len) snprintf(why, len, "%s", f.why);
    return f.status;
}

np_transport_ops make_ops() {
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "uring";
    ops.description = "io_uring: TCP and UDP, IPv4 and IPv6 (batched, multishot, fixed files)";
    ops.caps = NP_CAP_STREAM | NP_CAP_DGRAM | NP_CAP_CONNECT | NP_CAP_INET | NP_CAP_MULTISHOT;
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
    ops.register_buffers = register_buffers;
    return ops;
}

const np_transport_ops kOps = make_ops();

}  // namespace

extern "C" NP_TRANSPORT_EXPORT const np_transport_ops *np_transport_entry(void) { return &kOps; }
