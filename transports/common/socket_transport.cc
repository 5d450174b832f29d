// BSD-socket data path: see socket_transport.h for the two modes.
#include "socket_transport.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

struct np_endpoint {
    int fd = -1;
    uint32_t index = 0;      // slot in ctx->eps
    uint32_t generation = 0; // bumped on close: stale epoll events are ignored
    bool in_use = false;
    bool listener = false;
    bool dgram = false;
    bool track_peer = false;
    bool connected = false;  // stream connected, or dgram connect()ed
    bool connecting = false; // CONNECT in progress (parked in send slot)
    sockaddr_storage peer{};
    socklen_t peer_len = 0;
    int32_t sndbuf_initial = 0;  // before connect (NP_EP_INITIAL_BUFFERS), 0 = not read
    int32_t rcvbuf_initial = 0;
    // Parked ops (epoll mode; blocking mode uses them for CONNECT only).
    // Sends queue in order (a datagram sender keeps several in flight); the
    // receive side and a connect in progress use one slot each.
    bool has_send = false;         // connect in progress (send_op)
    bool has_recv = false;
    np_op send_op{};
    np_op recv_op{};
    uint32_t sq_head = UINT32_MAX; // parked sends: FIFO of ctx->pool nodes
    uint32_t sq_tail = UINT32_MAX;
};

struct np_transport_ctx {
    bool blocking = false;
    bool ticked = false;  // blocking, and the engine's slice signal ends our waits
    int epfd = -1;
    int slice_us = 100000;
    int busy_poll_us = 0;  // option busy_poll: SO_BUSY_POLL on every socket
    uint32_t max_eps = 0;
    uint32_t max_inflight = 0;
    np_endpoint *eps = nullptr;
    uint32_t *free_list = nullptr;  // stack of free endpoint indices
    uint32_t n_free = 0;
    // Staged ops: a FIFO ring (blocking mode runs them from here in reap).
    np_op *staged = nullptr;
    uint32_t staged_head = 0, staged_count = 0;
    np_op *kept = nullptr;  // blocking mode: ops that timed out, kept for the next reap
    // Nodes for parked sends: max_inflight of them, linked by index.
    struct SendNode {
        np_op op;
        uint32_t next;
    } *pool = nullptr;
    uint32_t pool_free = UINT32_MAX;
    // Completions ready to be reaped: a FIFO ring.
    np_completion *done = nullptr;
    uint32_t done_head = 0, done_count = 0, done_cap = 0;
    uint32_t parked = 0;  // ops waiting for readiness (epoll mode)
    np_endpoint *connecting = nullptr;  // blocking mode: the connect in progress
    epoll_event *events = nullptr;
    uint32_t n_events = 0;
    np_transport_stats stats{};
};

namespace np_sock {
namespace {

void set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void set_err(char *err, size_t len, const char *fmt, ...) {
    if (!err || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

np_endpoint *ep_alloc(np_transport_ctx *c) {
    if (c->n_free == 0) return nullptr;
    np_endpoint *ep = &c->eps[c->free_list[--c->n_free]];
    uint32_t gen = ep->generation, idx = ep->index;
    *ep = np_endpoint{};
    ep->generation = gen;
    ep->index = idx;
    ep->in_use = true;
    return ep;
}

void ep_free(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep->in_use) return;  // never twice: the free list would overflow
    if (ep->fd >= 0) close(ep->fd);
    ep->fd = -1;
    ep->in_use = false;
    ep->generation++;
    c->free_list[c->n_free++] = ep->index;
}

void push_done(np_transport_ctx *c, uint64_t user, int64_t result, np_endpoint *ep) {
    // Capacity is max_inflight * 2 + max_eps: every op completes once, so
    // this cannot overflow while callers respect max_inflight.
    uint32_t slot = (c->done_head + c->done_count) % c->done_cap;
    c->done[slot] = np_completion{user, result, ep, 0, 0};
    c->done_count++;
}

// Parks a send at the tail of its endpoint's queue; false if the pool is
// exhausted (the caller respected max_inflight, so it is not).
bool sq_push(np_transport_ctx *c, np_endpoint *ep, const np_op &op) {
    if (c->pool_free == UINT32_MAX) return false;
    uint32_t n = c->pool_free;
    c->pool_free = c->pool[n].next;
    c->pool[n] = {op, UINT32_MAX};
    if (ep->sq_tail == UINT32_MAX) ep->sq_head = n;
    else c->pool[ep->sq_tail].next = n;
    ep->sq_tail = n;
    c->parked++;
    return true;
}

void sq_pop(np_transport_ctx *c, np_endpoint *ep) {
    uint32_t n = ep->sq_head;
    ep->sq_head = c->pool[n].next;
    if (ep->sq_head == UINT32_MAX) ep->sq_tail = UINT32_MAX;
    c->pool[n].next = c->pool_free;
    c->pool_free = n;
    c->parked--;
}

// Completes every parked send of ep with `result` (close, cancellation).
void sq_cancel(np_transport_ctx *c, np_endpoint *ep, int64_t result) {
    while (ep->sq_head != UINT32_MAX) {
        push_done(c, c->pool[ep->sq_head].op.user, result, ep);
        sq_pop(c, ep);
    }
}

// SCTP_NODELAY of <linux/sctp.h>, which this file does not include (it
// is not always installed, and only this one constant is needed).
constexpr int kSctpNodelay = 3;

int set_timeouts(int fd, int slice_us) {
    timeval tv{slice_us / 1000000, slice_us % 1000000};
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0) return -errno;
    if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) return -errno;
    return 0;
}

// Applies the socket options of a spec; returns 0 or -errno with err naming
// the option that failed.
int apply_options(int fd, const np_endpoint_spec *s, char *err, size_t elen) {
    int one = 1;
    if (s->sndbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, sizeof(int)) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SO_SNDBUF %d: %s", s->sndbuf, strerror(e));
        return -e;
    }
    if (s->rcvbuf > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof(int)) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SO_RCVBUF %d: %s", s->rcvbuf, strerror(e));
        return -e;
    }
    bool inet = s->family == AF_INET || s->family == AF_INET6;
    bool sctp = inet && s->protocol == IPPROTO_SCTP;  // the sctp transport's kernel path
    bool tcp = inet && s->socktype == SOCK_STREAM && !sctp;
    if (tcp && (s->flags & NP_EP_NODELAY) &&
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt TCP_NODELAY: %s", strerror(e));
        return -e;
    }
    if (sctp && ((s->flags & NP_EP_CORK) || s->cong_control[0])) {
        set_err(err, elen, "%s has no SCTP equivalent", (s->flags & NP_EP_CORK) ? "TCP_CORK" : "TCP_CONGESTION");
        return -EOPNOTSUPP;
    }
    if (sctp && (s->flags & NP_EP_NODELAY) &&
        setsockopt(fd, IPPROTO_SCTP, kSctpNodelay, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SCTP_NODELAY: %s", strerror(e));
        return -e;
    }
    if (tcp && (s->flags & NP_EP_CORK) &&
        setsockopt(fd, IPPROTO_TCP, TCP_CORK, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt TCP_CORK: %s", strerror(e));
        return -e;
    }
    if (tcp && s->cong_control[0]) {
        char cc[16];
        memcpy(cc, s->cong_control, sizeof cc);
        cc[15] = 0;
        if (setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc, strlen(cc)) < 0) {
            int e = errno;
            set_err(err, elen, "setsockopt TCP_CONGESTION %s: %s", cc, strerror(e));
            return -e;
        }
    }
    if ((s->flags & NP_EP_KEEPALIVE) &&
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SO_KEEPALIVE: %s", strerror(e));
        return -e;
    }
    if ((s->flags & NP_EP_DONTROUTE) && inet &&
        setsockopt(fd, SOL_SOCKET, SO_DONTROUTE, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SO_DONTROUTE: %s", strerror(e));
        return -e;
    }
    if ((s->flags & NP_EP_REUSEADDR) && inet &&
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SO_REUSEADDR: %s", strerror(e));
        return -e;
    }
    if (s->priority >= 0 &&
        setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &s->priority, sizeof(int)) < 0) {
        int e = errno;
        set_err(err, elen, "setsockopt SO_PRIORITY %d: %s", s->priority, strerror(e));
        return -e;
    }
    if (s->tos >= 0 && inet) {
        int r = s->family == AF_INET6
                    ? setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &s->tos, sizeof(int))
                    : setsockopt(fd, IPPROTO_IP, IP_TOS, &s->tos, sizeof(int));
        if (r < 0) {
            int e = errno;
            set_err(err, elen, "setsockopt IP_TOS 0x%x: %s", s->tos, strerror(e));
            return -e;
        }
    }
    return 0;
}

// Creates, configures and (if asked) binds a socket for spec.
int open_socket(np_transport_ctx *c, const np_endpoint_spec *s, char *err, size_t elen) {
    int type = s->socktype | SOCK_CLOEXEC | (c->blocking ? 0 : SOCK_NONBLOCK);
    int fd = socket(s->family, type, s->protocol);
    if (fd < 0) {
        int e = errno;
        set_err(err, elen, "socket(family %d, type %d, protocol %d): %s", s->family,
                s->socktype, s->protocol, strerror(e));
        return -e;
    }
    int r = apply_options(fd, s, err, elen);
    if (r == 0 && c->busy_poll_us > 0 &&
        setsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &c->busy_poll_us, sizeof(int)) < 0) {
        r = -errno;
        set_err(err, elen, "setsockopt SO_BUSY_POLL %d: %s", c->busy_poll_us, strerror(-r));
    }
    if (r == 0 && c->blocking && !c->ticked) {
        r = set_timeouts(fd, c->slice_us);
        if (r < 0) set_err(err, elen, "setsockopt SO_RCVTIMEO: %s", strerror(-r));
    }
    if (r == 0 && s->local_len > 0) {
        if (bind(fd, reinterpret_cast<const sockaddr *>(&s->local), s->local_len) < 0) {
            r = -errno;
            set_err(err, elen, "bind: %s", strerror(-r));
        }
    }
    if (r < 0) {
        close(fd);
        return r;
    }
    return fd;
}

int watch(np_transport_ctx *c, np_endpoint *ep) {
    if (c->blocking) return 0;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP;
    ev.data.u64 = (uint64_t(ep->generation) << 32) | ep->index;
    if (epoll_ctl(c->epfd, EPOLL_CTL_ADD, ep->fd, &ev) < 0) return -errno;
    return 0;
}

// ---- single-op executors: return true when the op completed ----

bool try_send(np_transport_ctx *c, np_endpoint *ep, const np_op &op) {
    ssize_t n;
    c->stats.syscalls++;
    if (ep->dgram && !ep->connected && ep->peer_len)
        n = sendto(ep->fd, op.buf, op.len, MSG_NOSIGNAL,
                   reinterpret_cast<const sockaddr *>(&ep->peer), ep->peer_len);
    else
        n = send(ep->fd, op.buf, op.len, MSG_NOSIGNAL);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        if (errno == EINTR) return false;
        // Datagram sends may fail transiently (ENOBUFS, ECONNREFUSED from an
        // ICMP error); report the error, the engine counts it.
        push_done(c, op.user, -errno, ep);
        return true;
    }
    push_done(c, op.user, n, ep);
    return true;
}

bool try_recv(np_transport_ctx *c, np_endpoint *ep, const np_op &op) {
    ssize_t n;
    c->stats.syscalls++;
    if (ep->track_peer) {
        socklen_t len = sizeof ep->peer;
        n = recvfrom(ep->fd, op.buf, op.len, 0, reinterpret_cast<sockaddr *>(&ep->peer), &len);
        if (n >= 0) ep->peer_len = len;
    } else {
        n = recv(ep->fd, op.buf, op.len, 0);
    }
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
        push_done(c, op.user, -errno, ep);
        return true;
    }
    push_done(c, op.user, n, ep);
    return true;
}

bool try_accept(np_transport_ctx *c, np_endpoint *lep, const np_op &op) {
    c->stats.syscalls++;
    int fd = accept4(lep->fd, nullptr, nullptr, SOCK_CLOEXEC | (c->blocking ? 0 : SOCK_NONBLOCK));
    if (fd < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return false;
        if (errno == ECONNABORTED) return false;
        push_done(c, op.user, -errno, lep);
        return true;
    }
    np_endpoint *ep = ep_alloc(c);
    if (!ep) {
        close(fd);
        push_done(c, op.user, -EMFILE, lep);
        return true;
    }
    ep->fd = fd;
    ep->connected = true;
    int r = watch(c, ep);
    if (r < 0) {
        ep_free(c, ep);
        push_done(c, op.user, r, lep);
        return true;
    }
    push_done(c, op.user, 0, ep);
    return true;
}

// Starts a connect; completes at once, or parks the op on the new endpoint
// and returns that endpoint.
np_endpoint *start_connect(np_transport_ctx *c, const np_op &op) {
    const np_endpoint_spec *s = op.spec;
    np_endpoint *ep = ep_alloc(c);
    if (!ep) {
        push_done(c, op.user, -EMFILE, nullptr);
        return nullptr;
    }
    c->stats.syscalls++;
    int fd = open_socket(c, s, nullptr, 0);
    if (fd < 0) {
        ep_free(c, ep);
        push_done(c, op.user, fd, nullptr);
        return nullptr;
    }
    ep->fd = fd;
    if (s->flags & NP_EP_INITIAL_BUFFERS) {
        socklen_t il = sizeof(int);
        getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &ep->sndbuf_initial, &il);
        il = sizeof(int);
        getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &ep->rcvbuf_initial, &il);
        c->stats.syscalls += 2;
    }
    ep->dgram = s->socktype == SOCK_DGRAM;
    memcpy(&ep->peer, &s->remote, s->remote_len);
    ep->peer_len = s->remote_len;
    int r = watch(c, ep);
    if (r < 0) {
        ep_free(c, ep);
        push_done(c, op.user, r, nullptr);
        return nullptr;
    }
    if (ep->dgram && !(s->flags & NP_EP_DGRAM_CONNECT)) {
        push_done(c, op.user, 0, ep);  // unconnected datagram socket: ready now
        return nullptr;
    }
    c->stats.syscalls++;
    if (connect(fd, reinterpret_cast<const sockaddr *>(&s->remote), s->remote_len) == 0) {
        ep->connected = true;
        push_done(c, op.user, 0, ep);
        return nullptr;
    }
    // Non-blocking, or blocking and ended by SO_SNDTIMEO (EINPROGRESS) or by
    // the engine's slice signal (EINTR): the connect goes on; finish it later.
    if (errno == EINPROGRESS || errno == EAGAIN || errno == EINTR) {
        ep->connecting = true;
        ep->has_send = true;
        ep->send_op = op;
        c->parked++;
        return ep;
    }
    int e = errno;
    ep_free(c, ep);
    push_done(c, op.user, -e, nullptr);
    return nullptr;
}

// Finishes a parked connect if it is done; true when it completed.
bool finish_connect(np_transport_ctx *c, np_endpoint *ep, int wait_ms) {
    pollfd p{ep->fd, POLLOUT, 0};
    if (wait_ms >= 0) {
        c->stats.syscalls++;
        int r = poll(&p, 1, wait_ms);
        if (r == 0) return false;
    }
    int soerr = 0;
    socklen_t len = sizeof soerr;
    c->stats.syscalls++;
    getsockopt(ep->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
    if (soerr == EINPROGRESS || soerr == EALREADY) return false;
    ep->connecting = false;
    ep->has_send = false;
    c->parked--;
    if (soerr) {
        uint64_t user = ep->send_op.user;
        ep_free(c, ep);
        push_done(c, user, -soerr, nullptr);
    } else {
        // A connect that timed out under SO_SNDTIMEO may still succeed later;
        // success shows as SO_ERROR 0 with a peer name.
        sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        if (getpeername(ep->fd, reinterpret_cast<sockaddr *>(&ss), &sl) < 0) {
            if (errno == ENOTCONN) {
                c->parked++;
                ep->connecting = ep->has_send = true;
                return false;
            }
        }
        ep->connected = true;
        push_done(c, ep->send_op.user, 0, ep);
    }
    return true;
}

void do_close(np_transport_ctx *c, np_endpoint *ep, uint64_t user) {
    sq_cancel(c, ep, -ECANCELED);
    if (ep->has_send) {
        c->parked--;
        push_done(c, ep->send_op.user, -ECANCELED, ep->connecting ? nullptr : ep);
    }
    if (ep->has_recv) {
        c->parked--;
        push_done(c, ep->recv_op.user, -ECANCELED, ep);
    }
    ep->has_send = ep->has_recv = false;
    c->stats.syscalls++;
    ep_free(c, ep);
    push_done(c, user, 0, nullptr);
}

// ---- epoll mode ----

// Executes one op without blocking; parks it when it would block.
void run_nonblocking(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = op.ep;
    switch (op.kind) {
    case NP_OP_SEND:
        // Sends leave in order: behind parked ones, or now if none waits.
        if (ep->sq_head != UINT32_MAX || !try_send(c, ep, op)) {
            if (!sq_push(c, ep, op)) push_done(c, op.user, -ENOBUFS, ep);
            c->stats.wouldblock++;
        }
        return;
    case NP_OP_RECV:
        if (ep->has_recv || !try_recv(c, ep, op)) {
            if (ep->has_recv) { push_done(c, op.user, -EBUSY, ep); return; }
            ep->has_recv = true;
            ep->recv_op = op;
            c->parked++;
            c->stats.wouldblock++;
        }
        return;
    case NP_OP_ACCEPT:
        if (ep->has_recv || !try_accept(c, ep, op)) {
            if (ep->has_recv) { push_done(c, op.user, -EBUSY, ep); return; }
            ep->has_recv = true;
            ep->recv_op = op;
            c->parked++;
            c->stats.wouldblock++;
        }
        return;
    case NP_OP_CONNECT:
        start_connect(c, op);
        return;
    case NP_OP_CLOSE:
        do_close(c, ep, op.user);
        return;
    case NP_OP_SHUTDOWN:
        c->stats.syscalls++;
        push_done(c, op.user, shutdown(ep->fd, SHUT_WR) < 0 ? -errno : 0, ep);
        return;
    default:
        push_done(c, op.user, -EINVAL, ep);
    }
}

void service_event(np_transport_ctx *c, np_endpoint *ep, uint32_t events) {
    bool readable = events & (EPOLLIN | EPOLLERR | EPOLLHUP | EPOLLRDHUP);
    bool writable = events & (EPOLLOUT | EPOLLERR | EPOLLHUP);
    if (writable && ep->has_send && ep->connecting) finish_connect(c, ep, -1);
    if (writable)
        while (ep->in_use && ep->sq_head != UINT32_MAX && try_send(c, ep, c->pool[ep->sq_head].op))
            sq_pop(c, ep);
    if (!ep->in_use) return;
    if (readable && ep->has_recv) {
        bool done = ep->listener ? try_accept(c, ep, ep->recv_op) : try_recv(c, ep, ep->recv_op);
        if (done) {
            ep->has_recv = false;
            c->parked--;
        }
    }
}

void poll_events(np_transport_ctx *c, int timeout_ms) {
    c->stats.syscalls++;
    int n = epoll_wait(c->epfd, c->events, int(c->n_events), timeout_ms);
    for (int i = 0; i < n; i++) {
        uint64_t d = c->events[i].data.u64;
        uint32_t idx = uint32_t(d), gen = uint32_t(d >> 32);
        if (idx >= c->max_eps) continue;
        np_endpoint *ep = &c->eps[idx];
        if (!ep->in_use || ep->generation != gen) continue;
        service_event(c, ep, c->events[i].events);
    }
}

// ---- blocking mode ----

// Runs one op with blocking syscalls; false when it timed out (stays queued).
bool run_blocking(np_transport_ctx *c, const np_op &op) {
    np_endpoint *ep = op.ep;
    switch (op.kind) {
    case NP_OP_SEND:
        return try_send(c, ep, op);
    case NP_OP_RECV:
        return try_recv(c, ep, op);
    case NP_OP_ACCEPT:
        return try_accept(c, ep, op);
    case NP_OP_CONNECT: {
        // A connect is started once; one that outlives the slice is finished
        // by polling on later passes.
        if (!c->connecting) {
            c->connecting = start_connect(c, op);
            if (!c->connecting) return true;
        }
        if (!finish_connect(c, c->connecting, c->slice_us / 1000)) return false;
        c->connecting = nullptr;
        return true;
    }
    case NP_OP_CLOSE:
        do_close(c, ep, op.user);
        return true;
    case NP_OP_SHUTDOWN:
        c->stats.syscalls++;
        push_done(c, op.user, shutdown(ep->fd, SHUT_WR) < 0 ? -errno : 0, ep);
        return true;
    default:
        push_done(c, op.user, -EINVAL, ep);
        return true;
    }
}

// ---- the ops table ----

int ctx_create(const np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    if (!p || p->struct_size < offsetof(np_ctx_params, reserved)) {
        set_err(err, elen, "ctx_create: parameter block too small");
        return -EINVAL;
    }
    int busy_poll = 0;
    for (uint32_t i = 0; i < p->n_options; i++) {
        const np_option_value &o = p->options[i];
        if (strcmp(o.name, "busy_poll") == 0) {
            char *end = nullptr;
            long v = strtol(o.value, &end, 10);
            if (!*o.value || *end || v < 0 || v > 1000000) {
                set_err(err, elen, "option busy_poll=%s: want microseconds 0..1000000", o.value);
                return -EINVAL;
            }
            busy_poll = int(v);
        } else {
            set_err(err, elen, "unknown option '%s'", o.name);
            return -EINVAL;
        }
    }
    auto *c = new (std::nothrow) np_transport_ctx();
    if (!c) return -ENOMEM;
    c->busy_poll_us = busy_poll;
    c->blocking = p->flags & NP_CTX_BLOCKING;
    c->ticked = c->blocking && (p->flags & NP_CTX_TICK);
    c->slice_us = p->poll_slice_us > 0 ? p->poll_slice_us : 100000;
    c->max_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->max_inflight = p->max_inflight ? p->max_inflight : 64;
    c->done_cap = c->max_inflight * 3 + c->max_eps * 2 + 8;
    c->eps = new (std::nothrow) np_endpoint[c->max_eps];
    c->free_list = new (std::nothrow) uint32_t[c->max_eps];
    c->staged = new (std::nothrow) np_op[c->max_inflight];
    c->kept = new (std::nothrow) np_op[c->max_inflight];
    c->pool = new (std::nothrow) np_transport_ctx::SendNode[c->max_inflight];
    c->done = new (std::nothrow) np_completion[c->done_cap];
    c->n_events = c->max_eps < 256 ? c->max_eps : 256;
    c->events = new (std::nothrow) epoll_event[c->n_events];
    if (!c->eps || !c->free_list || !c->staged || !c->kept || !c->pool || !c->done || !c->events) {
        set_err(err, elen, "ctx_create: out of memory for %u endpoints", c->max_eps);
        delete[] c->eps; delete[] c->free_list; delete[] c->staged; delete[] c->kept; delete[] c->pool; delete[] c->done;
        delete[] c->events;
        delete c;
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < c->max_eps; i++) {
        c->eps[i].index = i;
        c->free_list[i] = c->max_eps - 1 - i;
    }
    for (uint32_t i = 0; i < c->max_inflight; i++) c->pool[i].next = i + 1 < c->max_inflight ? i + 1 : UINT32_MAX;
    c->pool_free = 0;
    c->n_free = c->max_eps;
    if (!c->blocking) {
        c->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (c->epfd < 0) {
            int e = errno;
            set_err(err, elen, "epoll_create1: %s", strerror(e));
            delete[] c->eps; delete[] c->free_list; delete[] c->staged; delete[] c->kept; delete[] c->pool; delete[] c->done;
            delete[] c->events;
            delete c;
            return -e;
        }
    }
    c->stats.struct_size = sizeof c->stats;
    *out = c;
    return 0;
}

void ctx_destroy(np_transport_ctx *c) {
    if (!c) return;
    for (uint32_t i = 0; i < c->max_eps; i++)
        if (c->eps[i].in_use && c->eps[i].fd >= 0) close(c->eps[i].fd);
    if (c->epfd >= 0) close(c->epfd);
    delete[] c->eps; delete[] c->free_list; delete[] c->staged; delete[] c->kept; delete[] c->pool; delete[] c->done;
    delete[] c->events;
    delete c;
}

int listen_ep(np_transport_ctx *c, const np_endpoint_spec *s, np_endpoint **out, char *err,
              size_t elen) {
    if (!s || s->struct_size < offsetof(np_endpoint_spec, reserved)) {
        set_err(err, elen, "listen: endpoint spec too small");
        return -EINVAL;
    }
    np_endpoint *ep = ep_alloc(c);
    if (!ep) {
        set_err(err, elen, "listen: no free endpoint slot (max %u)", c->max_eps);
        return -EMFILE;
    }
    int fd = open_socket(c, s, err, elen);
    if (fd < 0) {
        ep_free(c, ep);
        return fd;
    }
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
        if (listen(fd, 1024) < 0) {
            int e = errno;
            set_err(err, elen, "listen: %s", strerror(e));
            ep_free(c, ep);
            return -e;
        }
    }
    int r = watch(c, ep);
    if (r < 0) {
        set_err(err, elen, "epoll_ctl: %s", strerror(-r));
        ep_free(c, ep);
        return r;
    }
    *out = ep;
    return 0;
}

int ep_info(np_transport_ctx *, np_endpoint *ep, np_endpoint_info *o) {
    if (!ep || !o) return -EINVAL;
    uint32_t sz = o->struct_size ? o->struct_size : sizeof *o;
    memset(o, 0, sizeof *o);
    o->struct_size = sz;
    socklen_t l = sizeof o->local;
    if (getsockname(ep->fd, reinterpret_cast<sockaddr *>(&o->local), &l) == 0) o->local_len = l;
    l = sizeof o->remote;
    if (getpeername(ep->fd, reinterpret_cast<sockaddr *>(&o->remote), &l) == 0) {
        o->remote_len = l;
    } else if (ep->peer_len) {
        memcpy(&o->remote, &ep->peer, ep->peer_len);
        o->remote_len = ep->peer_len;
    }
    socklen_t il = sizeof(int);
    o->sndbuf = o->rcvbuf = o->mss = o->retransmits = -1;
    getsockopt(ep->fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, &il);
    il = sizeof(int);
    getsockopt(ep->fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, &il);
    o->sndbuf_initial = ep->sndbuf_initial;
    o->rcvbuf_initial = ep->rcvbuf_initial;
    int type = 0;
    il = sizeof type;
    getsockopt(ep->fd, SOL_SOCKET, SO_TYPE, &type, &il);
    int dom = 0;
    il = sizeof dom;
    getsockopt(ep->fd, SOL_SOCKET, SO_DOMAIN, &dom, &il);
    if (type == SOCK_STREAM && (dom == AF_INET || dom == AF_INET6)) {
        il = sizeof(int);
        getsockopt(ep->fd, IPPROTO_TCP, TCP_MAXSEG, &o->mss, &il);
        tcp_info ti{};
        il = sizeof ti;
        if (getsockopt(ep->fd, IPPROTO_TCP, TCP_INFO, &ti, &il) == 0)
            o->retransmits = int32_t(ti.tcpi_total_retrans);
        il = sizeof o->cong_control - 1;
        getsockopt(ep->fd, IPPROTO_TCP, TCP_CONGESTION, o->cong_control, &il);
    }
    return 0;
}

void ep_close(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep || !ep->in_use) return;
    while (ep->sq_head != UINT32_MAX) sq_pop(c, ep);
    if (ep->has_send) c->parked--;
    if (ep->has_recv) c->parked--;
    ep->has_send = ep->has_recv = false;
    ep_free(c, ep);
}

int ep_set_peer(np_transport_ctx *, np_endpoint *ep, const sockaddr *addr, uint32_t len) {
    if (!ep || !addr || len > sizeof ep->peer) return -EINVAL;
    memcpy(&ep->peer, addr, len);
    ep->peer_len = len;
    return 0;
}

uint32_t stage(np_transport_ctx *c, const np_op *ops, uint32_t n) {
    uint32_t room = c->max_inflight - c->staged_count;
    if (n > room) n = room;
    for (uint32_t i = 0; i < n; i++)
        c->staged[(c->staged_head + c->staged_count + i) % c->max_inflight] = ops[i];
    c->staged_count += n;
    return n;
}

int commit(np_transport_ctx *c) {
    if (c->blocking || c->staged_count == 0) return 0;  // blocking mode runs ops in reap
    c->stats.batches++;
    while (c->staged_count) {
        np_op op = c->staged[c->staged_head];
        c->staged_head = (c->staged_head + 1) % c->max_inflight;
        c->staged_count--;
        run_nonblocking(c, op);
    }
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

// Which side of an endpoint an op uses: ops of one side run in order.
bool is_send_side(uint8_t kind) {
    return kind == NP_OP_SEND || kind == NP_OP_CONNECT || kind == NP_OP_SHUTDOWN;
}

// Blocking mode: runs the staged ops in order.  An op that times out stays
// queued and holds back later ops of the same side of the same endpoint, but
// not the other side: a UDP client whose response was lost can still send
// its end-of-test datagrams.  CLOSE cancels ops still queued for its endpoint.
uint32_t reap_blocking(np_transport_ctx *c, np_completion *out, uint32_t max) {
    if (c->staged_count) c->stats.batches++;
    struct Held { const np_endpoint *ep; bool send_side; } held[8];
    uint32_t n_held = 0, n_kept = 0;
    auto is_held = [&](const np_op &op) {
        if (op.kind == NP_OP_CLOSE) return false;  // a close cancels; it never waits
        for (uint32_t i = 0; i < n_held; i++)
            if (held[i].ep == op.ep && held[i].send_side == is_send_side(op.kind)) return true;
        return false;
    };
    for (uint32_t i = 0; i < c->staged_count; i++) {
        const np_op &op = c->staged[(c->staged_head + i) % c->max_inflight];
        if (c->done_count >= max || is_held(op)) {
            c->kept[n_kept++] = op;
            continue;
        }
        if (op.kind == NP_OP_CLOSE) {
            uint32_t w = 0;
            for (uint32_t k = 0; k < n_kept; k++) {
                if (c->kept[k].ep == op.ep)
                    push_done(c, c->kept[k].user, -ECANCELED, op.ep);
                else
                    c->kept[w++] = c->kept[k];
            }
            n_kept = w;
        }
        if (!run_blocking(c, op)) {
            c->kept[n_kept++] = op;
            if (n_held < 8) held[n_held++] = {op.ep, is_send_side(op.kind)};
        }
    }
    for (uint32_t i = 0; i < n_kept; i++) c->staged[i] = c->kept[i];
    c->staged_head = 0;
    c->staged_count = n_kept;
    return pop_done(c, out, max);
}

uint32_t reap(np_transport_ctx *c, np_completion *out, uint32_t max, int64_t timeout_ns) {
    if (c->blocking) return reap_blocking(c, out, max);
    if (c->parked) {
        int ms = 0;
        if (c->done_count == 0 && timeout_ns > 0) {
            ms = int((timeout_ns + 999999) / 1000000);
            if (ms > c->slice_us / 1000 + 1) ms = c->slice_us / 1000 + 1;
        }
        poll_events(c, ms);
    }
    return pop_done(c, out, max);
}

int stats(np_transport_ctx *c, np_transport_stats *out) {
    if (!c || !out) return -EINVAL;
    *out = c->stats;
    return 0;
}

}  // namespace

void fill_ops(np_transport_ops &ops) {
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
}

}  // namespace np_sock
