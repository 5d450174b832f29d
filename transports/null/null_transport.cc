// The "null" transport: no I/O at all.  Every op completes at once with the
// full length it asked for, so a test measures the engine alone: the cost of
// the worker loop, the pattern handlers, counters and histograms.  Used by
// the engine tests and by bench/ to report per-transaction overhead.
//
// Semantics: SEND and RECV complete with op.len bytes; a RECV flagged
// NP_OPF_EOF_WAIT completes with 0 (the peer "closed"); CONNECT and ACCEPT
// complete at once with a new endpoint; listeners report port 9 (discard).
#include <netperf/transport_abi.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include <netinet/in.h>

struct np_endpoint {
    uint32_t index;
    bool in_use;
    bool listener;
    int family;
};

struct np_transport_ctx {
    np_endpoint *eps = nullptr;
    uint32_t *free_list = nullptr;
    uint32_t n_free = 0, max_eps = 0;
    np_completion *done = nullptr;  // ring of completions
    uint32_t head = 0, count = 0, cap = 0;
    uint32_t inflight_cap = 0;
    np_transport_stats stats{};
};

namespace {

int probe(char *, size_t) { return 0; }

np_endpoint *ep_alloc(np_transport_ctx *c, int family) {
    if (!c->n_free) return nullptr;
    np_endpoint *ep = &c->eps[c->free_list[--c->n_free]];
    ep->in_use = true;
    ep->listener = false;
    ep->family = family;
    return ep;
}

void ep_free(np_transport_ctx *c, np_endpoint *ep) {
    if (!ep->in_use) return;
    ep->in_use = false;
    c->free_list[c->n_free++] = ep->index;
}

int ctx_create(const np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    auto *c = new (std::nothrow) np_transport_ctx();
    if (!c) return -ENOMEM;
    c->max_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->inflight_cap = p->max_inflight ? p->max_inflight : 64;
    c->cap = c->inflight_cap + c->max_eps;
    c->eps = new (std::nothrow) np_endpoint[c->max_eps];
    c->free_list = new (std::nothrow) uint32_t[c->max_eps];
    c->done = new (std::nothrow) np_completion[c->cap];
    if (!c->eps || !c->free_list || !c->done) {
        snprintf(err, elen, "null: out of memory");
        delete[] c->eps; delete[] c->free_list; delete[] c->done;
        delete c;
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < c->max_eps; i++) {
        c->eps[i] = np_endpoint{i, false, false, 0};
        c->free_list[i] = c->max_eps - 1 - i;
    }
    c->n_free = c->max_eps;
    c->stats.struct_size = sizeof c->stats;
    *out = c;
    return 0;
}

void ctx_destroy(np_transport_ctx *c) {
    if (!c) return;
    delete[] c->eps; delete[] c->free_list; delete[] c->done;
    delete c;
}

int listen_ep(np_transport_ctx *c, const np_endpoint_spec *s, np_endpoint **out, char *err,
              size_t elen) {
    np_endpoint *ep = ep_alloc(c, s->family);
    if (!ep) {
        snprintf(err, elen, "null: no free endpoint slot (max %u)", c->max_eps);
        return -EMFILE;
    }
    ep->listener = s->socktype != SOCK_DGRAM;
    *out = ep;
    return 0;
}

int ep_info(np_transport_ctx *, np_endpoint *ep, np_endpoint_info *o) {
    uint32_t sz = o->struct_size ? o->struct_size : sizeof *o;
    memset(o, 0, sizeof *o);
    o->struct_size = sz;
    if (ep->family == AF_INET6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&o->local);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(9);
        o->local_len = sizeof *a;
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&o->local);
        a->sin_family = AF_INET;
        a->sin_port = htons(9);
        o->local_len = sizeof *a;
    }
    o->sndbuf = o->rcvbuf = o->mss = o->retransmits = -1;
    return 0;
}

void ep_close(np_transport_ctx *c, np_endpoint *ep) { ep_free(c, ep); }

int ep_set_peer(np_transport_ctx *, np_endpoint *, const sockaddr *, uint32_t) { return 0; }

uint32_t stage(np_transport_ctx *c, const np_op *ops, uint32_t n) {
    uint32_t room = c->inflight_cap > c->count ? c->inflight_cap - c->count : 0;
    if (n > room) n = room;
    for (uint32_t i = 0; i < n; i++) {
        const np_op &op = ops[i];
        np_completion cm{op.user, 0, op.ep, 0, 0};
        switch (op.kind) {
        case NP_OP_SEND:
            cm.result = op.len;
            break;
        case NP_OP_RECV:
            cm.result = (op.flags & NP_OPF_EOF_WAIT) ? 0 : op.len;
            break;
        case NP_OP_CONNECT:
        case NP_OP_ACCEPT:
            cm.ep = ep_alloc(c, op.spec ? op.spec->family : AF_INET);
            if (!cm.ep) cm.result = -EMFILE;
            break;
        case NP_OP_CLOSE:
            ep_free(c, op.ep);
            cm.ep = nullptr;
            break;
        case NP_OP_SHUTDOWN:
            break;
        default:
            cm.result = -EINVAL;
        }
        c->done[(c->head + c->count) % c->cap] = cm;
        c->count++;
    }
    return n;
}

int commit(np_transport_ctx *c) {
    if (c->count) c->stats.batches++;
    return 0;
}

uint32_t reap(np_transport_ctx *c, np_completion *out, uint32_t max, int64_t) {
    uint32_t n = 0;
    while (n < max && c->count) {
        out[n++] = c->done[c->head];
        c->head = (c->head + 1) % c->cap;
        c->count--;
    }
    return n;
}

int stats(np_transport_ctx *c, np_transport_stats *out) {
    *out = c->stats;
    return 0;
}

np_transport_ops make_ops() {
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "null";
    ops.description = "no I/O: every op completes at once (engine tests, overhead benchmarks)";
    ops.caps = NP_CAP_STREAM | NP_CAP_DGRAM | NP_CAP_CONNECT | NP_CAP_INET | NP_CAP_UNIX |
               NP_CAP_BLOCKING;
    ops.n_options = 0;
    ops.options = nullptr;
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
