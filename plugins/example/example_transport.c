/*
 * np-transport-example: a complete, small netperf 3 transport, written
 * against the installed ABI header alone.  Copy this directory to start a
 * transport of your own.
 *
 * It moves TCP (IPv4 and IPv6) with non-blocking sockets and poll(2):
 *   stage()  queues ops (no system call);
 *   commit() tries each queued op at once; what would block is parked;
 *   reap()   hands back completions, polling parked endpoints (waiting at
 *            most the engine's timeout) when none is ready.
 * That is the whole contract: see transport_abi.h for every field.
 *
 * Build and try it (after `meson install` of netperf 3):
 *   meson setup build && ninja -C build
 *   NETPERF_PLUGIN_PATH=$PWD/build netserver -D -p 12866 &
 *   NETPERF_PLUGIN_PATH=$PWD/build netperf -p 12866 -t TCP_RR --transport example
 */
#define _GNU_SOURCE
#include <netperf/transport_abi.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct np_endpoint {
    int fd;
    int in_use;
    int listener;
    int connecting;
    struct np_op parked_send; /* one parked op per direction is enough: */
    struct np_op parked_recv; /* the engine never stages two at once     */
    int has_send, has_recv;
};

struct np_transport_ctx {
    struct np_endpoint *eps;
    uint32_t n_eps;
    struct np_op *queue; /* staged ops */
    uint32_t n_queue, cap_queue;
    struct np_completion *done; /* completions not yet reaped */
    uint32_t n_done, cap_done;
    struct pollfd *pfds;
    struct np_endpoint **pfd_ep;
    int nodelay_default; /* the option "nodelay" */
};

static const struct np_option_desc options[] = {
    {"nodelay", NP_OPT_BOOL, "0", "set TCP_NODELAY on every connection"},
};

static void err(char *buf, size_t len, const char *fmt, ...) {
    va_list ap;
    if (!buf || !len) return;
    va_start(ap, fmt);
    vsnprintf(buf, len, fmt, ap);
    va_end(ap);
}

static int probe(char *why, size_t len) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        err(why, len, "example: cannot create a TCP socket: %s", strerror(errno));
        return -errno;
    }
    close(fd);
    return 0;
}

static struct np_endpoint *ep_new(struct np_transport_ctx *c, int fd) {
    for (uint32_t i = 0; i < c->n_eps; i++) {
        if (!c->eps[i].in_use) {
            memset(&c->eps[i], 0, sizeof c->eps[i]);
            c->eps[i].in_use = 1;
            c->eps[i].fd = fd;
            return &c->eps[i];
        }
    }
    return NULL;
}

static void ep_free(struct np_endpoint *ep) {
    if (ep->fd >= 0) close(ep->fd);
    ep->fd = -1;
    ep->in_use = 0;
}

static void complete(struct np_transport_ctx *c, uint64_t user, int64_t result, np_endpoint *ep) {
    struct np_completion *d = &c->done[c->n_done++];
    d->user = user;
    d->result = result;
    d->ep = ep;
    d->flags = 0;
    d->reserved = 0;
}

static int ctx_create(const struct np_ctx_params *p, np_transport_ctx **out, char *e, size_t elen) {
    struct np_transport_ctx *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    for (uint32_t i = 0; i < p->n_options; i++) {
        if (strcmp(p->options[i].name, "nodelay") == 0) {
            c->nodelay_default = strcmp(p->options[i].value, "1") == 0 || strcmp(p->options[i].value, "true") == 0;
        } else {
            err(e, elen, "example: unknown option '%s'", p->options[i].name);
            free(c);
            return -EINVAL;
        }
    }
    c->n_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->cap_queue = p->max_inflight ? p->max_inflight : 64;
    c->cap_done = c->cap_queue * 3 + c->n_eps;
    c->eps = calloc(c->n_eps, sizeof *c->eps);
    c->queue = calloc(c->cap_queue, sizeof *c->queue);
    c->done = calloc(c->cap_done, sizeof *c->done);
    c->pfds = calloc(c->n_eps, sizeof *c->pfds);
    c->pfd_ep = calloc(c->n_eps, sizeof *c->pfd_ep);
    if (!c->eps || !c->queue || !c->done || !c->pfds || !c->pfd_ep) {
        free(c->eps); free(c->queue); free(c->done); free(c->pfds); free(c->pfd_ep); free(c);
        err(e, elen, "example: out of memory");
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < c->n_eps; i++) c->eps[i].fd = -1;
    *out = c;
    return 0;
}

static void ctx_destroy(np_transport_ctx *c) {
    for (uint32_t i = 0; i < c->n_eps; i++)
        if (c->eps[i].in_use) ep_free(&c->eps[i]);
    free(c->eps); free(c->queue); free(c->done); free(c->pfds); free(c->pfd_ep); free(c);
}

/* A non-blocking TCP socket with the spec's options. */
static int make_socket(const struct np_endpoint_spec *s, int nodelay, char *e, size_t elen) {
    int one = 1;
    int fd = socket(s->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        err(e, elen, "example: socket: %s", strerror(errno));
        return -errno;
    }
    if (s->sndbuf > 0) setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, sizeof s->sndbuf);
    if (s->rcvbuf > 0) setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof s->rcvbuf);
    if (nodelay || (s->flags & NP_EP_NODELAY)) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (s->flags & NP_EP_REUSEADDR) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (s->local_len && bind(fd, (const struct sockaddr *)&s->local, s->local_len) < 0) {
        int r = -errno;
        err(e, elen, "example: bind: %s", strerror(errno));
        close(fd);
        return r;
    }
    return fd;
}

static int listen_ep(np_transport_ctx *c, const struct np_endpoint_spec *s, np_endpoint **out, char *e,
                     size_t elen) {
    if (s->socktype != SOCK_STREAM || (s->family != AF_INET && s->family != AF_INET6)) {
        err(e, elen, "example: only TCP over IPv4/IPv6");
        return -EPROTONOSUPPORT;
    }
    int fd = make_socket(s, c->nodelay_default, e, elen);
    if (fd < 0) return fd;
    if (listen(fd, 128) < 0) {
        int r = -errno;
        err(e, elen, "example: listen: %s", strerror(errno));
        close(fd);
        return r;
    }
    struct np_endpoint *ep = ep_new(c, fd);
    if (!ep) {
        close(fd);
        err(e, elen, "example: no free endpoint");
        return -EMFILE;
    }
    ep->listener = 1;
    *out = ep;
    return 0;
}

static int ep_info(np_transport_ctx *c, np_endpoint *ep, struct np_endpoint_info *o) {
    socklen_t l;
    (void)c;
    memset(o, 0, sizeof *o);
    o->struct_size = sizeof *o;
    l = sizeof o->local;
    if (getsockname(ep->fd, (struct sockaddr *)&o->local, &l) == 0) o->local_len = l;
    l = sizeof o->remote;
    if (getpeername(ep->fd, (struct sockaddr *)&o->remote, &l) == 0) o->remote_len = l;
    o->sndbuf = o->rcvbuf = o->mss = o->retransmits = -1;
    l = sizeof o->sndbuf;
    getsockopt(ep->fd, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, &l);
    l = sizeof o->rcvbuf;
    getsockopt(ep->fd, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, &l);
    l = sizeof o->mss;
    getsockopt(ep->fd, IPPROTO_TCP, TCP_MAXSEG, &o->mss, &l);
    return 0;
}

static void ep_close(np_transport_ctx *c, np_endpoint *ep) {
    (void)c;
    ep_free(ep);
}

/* Tries one op; returns 1 when it completed, 0 when it would block. */
static int attempt(struct np_transport_ctx *c, const struct np_op *op) {
    struct np_endpoint *ep = op->ep;
    ssize_t n;
    int fd, soerr;
    socklen_t l;
    switch (op->kind) {
    case NP_OP_SEND:
        n = send(ep->fd, op->buf, op->len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
        complete(c, op->user, n < 0 ? -errno : n, ep);
        return 1;
    case NP_OP_RECV:
        n = recv(ep->fd, op->buf, op->len, 0);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
        complete(c, op->user, n < 0 ? -errno : n, ep);
        return 1;
    case NP_OP_ACCEPT:
        fd = accept4(ep->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0 && (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)) return 0;
        if (fd < 0) {
            complete(c, op->user, -errno, ep);
            return 1;
        }
        if (c->nodelay_default) setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
        {
            struct np_endpoint *nep = ep_new(c, fd);
            if (!nep) close(fd);
            complete(c, op->user, nep ? 0 : -EMFILE, nep);
        }
        return 1;
    case NP_OP_CONNECT: /* parked connects finish here: check SO_ERROR */
        soerr = 0;
        l = sizeof soerr;
        getsockopt(ep->fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
        if (soerr == EINPROGRESS) return 0;
        ep->connecting = 0;
        if (soerr) {
            ep_free(ep);
            complete(c, op->user, -soerr, NULL);
        } else {
            complete(c, op->user, 0, ep);
        }
        return 1;
    default:
        complete(c, op->user, -EINVAL, ep);
        return 1;
    }
}

static void park(struct np_endpoint *ep, const struct np_op *op, int send_side) {
    if (send_side) {
        ep->parked_send = *op;
        ep->has_send = 1;
    } else {
        ep->parked_recv = *op;
        ep->has_recv = 1;
    }
}

static uint32_t stage(np_transport_ctx *c, const struct np_op *ops, uint32_t n) {
    uint32_t room = c->cap_queue - c->n_queue;
    if (n > room) n = room;
    memcpy(c->queue + c->n_queue, ops, n * sizeof *ops);
    c->n_queue += n;
    return n;
}

static int commit(np_transport_ctx *c) {
    for (uint32_t i = 0; i < c->n_queue; i++) {
        struct np_op op = c->queue[i];
        struct np_endpoint *ep = op.ep;
        int fd;
        switch (op.kind) {
        case NP_OP_CONNECT:
            fd = make_socket(op.spec, c->nodelay_default, NULL, 0);
            if (fd < 0) {
                complete(c, op.user, fd, NULL);
                break;
            }
            ep = ep_new(c, fd);
            if (!ep) {
                close(fd);
                complete(c, op.user, -EMFILE, NULL);
                break;
            }
            if (connect(fd, (const struct sockaddr *)&op.spec->remote, op.spec->remote_len) == 0) {
                complete(c, op.user, 0, ep);
            } else if (errno == EINPROGRESS) {
                ep->connecting = 1;
                op.ep = ep;
                park(ep, &op, 1);
            } else {
                int r = -errno;
                ep_free(ep);
                complete(c, op.user, r, NULL);
            }
            break;
        case NP_OP_CLOSE:
            if (ep->has_send) complete(c, ep->parked_send.user, -ECANCELED, ep->connecting ? NULL : ep);
            if (ep->has_recv) complete(c, ep->parked_recv.user, -ECANCELED, ep);
            ep_free(ep);
            complete(c, op.user, 0, NULL);
            break;
        case NP_OP_SHUTDOWN:
            complete(c, op.user, shutdown(ep->fd, SHUT_WR) < 0 ? -errno : 0, ep);
            break;
        default:
            if (!attempt(c, &op)) park(ep, &op, op.kind == NP_OP_SEND);
        }
    }
    c->n_queue = 0;
    return 0;
}

static uint32_t reap(np_transport_ctx *c, struct np_completion *out, uint32_t max, int64_t timeout_ns) {
    if (c->n_done == 0) {
        /* Nothing ready: poll every parked endpoint once. */
        nfds_t n = 0;
        for (uint32_t i = 0; i < c->n_eps; i++) {
            struct np_endpoint *ep = &c->eps[i];
            if (!ep->in_use || (!ep->has_send && !ep->has_recv)) continue;
            c->pfds[n].fd = ep->fd;
            c->pfds[n].events = (short)((ep->has_send ? POLLOUT : 0) | (ep->has_recv ? POLLIN : 0));
            c->pfd_ep[n++] = ep;
        }
        if (n) {
            int ms = (int)((timeout_ns + 999999) / 1000000);
            if (poll(c->pfds, n, ms) > 0) {
                for (nfds_t i = 0; i < n; i++) {
                    struct np_endpoint *ep = c->pfd_ep[i];
                    short re = c->pfds[i].revents;
                    if ((re & (POLLOUT | POLLERR | POLLHUP)) && ep->has_send && attempt(c, &ep->parked_send))
                        ep->has_send = 0;
                    if (ep->in_use && (re & (POLLIN | POLLERR | POLLHUP)) && ep->has_recv &&
                        attempt(c, &ep->parked_recv))
                        ep->has_recv = 0;
                }
            }
        }
    }
    uint32_t k = c->n_done < max ? c->n_done : max;
    memcpy(out, c->done, k * sizeof *out);
    memmove(c->done, c->done + k, (c->n_done - k) * sizeof *out);
    c->n_done -= k;
    return k;
}

static const struct np_transport_ops ops = {
    .abi_version = NP_TRANSPORT_ABI_VERSION,
    .struct_size = sizeof(struct np_transport_ops),
    .name = "example",
    .description = "example out-of-tree transport: TCP over poll(2) (the plugin SDK sample)",
    .caps = NP_CAP_STREAM | NP_CAP_CONNECT | NP_CAP_INET,
    .n_options = sizeof options / sizeof options[0],
    .options = options,
    .probe = probe,
    .ctx_create = ctx_create,
    .ctx_destroy = ctx_destroy,
    .listen = listen_ep,
    .ep_info = ep_info,
    .ep_close = ep_close,
    .stage = stage,
    .commit = commit,
    .reap = reap,
};

NP_TRANSPORT_EXPORT const struct np_transport_ops *np_transport_entry(void) { return &ops; }
