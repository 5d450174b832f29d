/* A transport for engine tests that, like the sockets transport in blocking
 * mode, runs every staged op inside reap(): an op the engine stages but never
 * reaps again is never carried out.  There is no I/O:
 *   - ACCEPT and CONNECT complete at once with a new connection;
 *   - SEND completes with its length;
 *   - RECV completes with 1 byte until the instant given by the option
 *     eof_at (CLOCK_MONOTONIC ns), and with 0 (the peer's EOF) from then on;
 *   - CLOSE frees the connection.
 * np_test_lazy_open_connections() says how many connections are still open,
 * so a test can check that every CLOSE the engine staged was carried out. */
#define _POSIX_C_SOURCE 200809L
#include <netperf/transport_abi.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_EPS 16
#define MAX_OPS 64

struct np_endpoint {
    int in_use;
    int listener;
};

struct np_transport_ctx {
    struct np_endpoint eps[MAX_EPS];
    struct np_op staged[MAX_OPS];
    uint32_t n_staged;
    uint64_t eof_at;
};

static int g_open_connections;

NP_TRANSPORT_EXPORT int np_test_lazy_open_connections(void) {
    return __atomic_load_n(&g_open_connections, __ATOMIC_SEQ_CST);
}

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static struct np_endpoint *ep_alloc(np_transport_ctx *c, int listener) {
    for (int i = 0; i < MAX_EPS; i++) {
        if (c->eps[i].in_use) continue;
        c->eps[i].in_use = 1;
        c->eps[i].listener = listener;
        if (!listener) __atomic_add_fetch(&g_open_connections, 1, __ATOMIC_SEQ_CST);
        return &c->eps[i];
    }
    return NULL;
}

static void ep_free(struct np_endpoint *ep) {
    if (!ep->in_use) return;
    ep->in_use = 0;
    if (!ep->listener) __atomic_sub_fetch(&g_open_connections, 1, __ATOMIC_SEQ_CST);
}

static int probe(char *why, size_t len) { (void)why; (void)len; return 0; }

static int ctx_create(const struct np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    (void)err; (void)elen;
    np_transport_ctx *c = calloc(1, sizeof *c);
    if (!c) return -ENOMEM;
    c->eof_at = UINT64_MAX;
    for (uint32_t i = 0; i < p->n_options; i++)
        if (strcmp(p->options[i].name, "eof_at") == 0) c->eof_at = strtoull(p->options[i].value, NULL, 10);
    *out = c;
    return 0;
}

static void ctx_destroy(np_transport_ctx *c) {
    for (int i = 0; i < MAX_EPS; i++) ep_free(&c->eps[i]);
    free(c);
}

static int listen_ep(np_transport_ctx *c, const struct np_endpoint_spec *s, np_endpoint **out, char *e, size_t l) {
    (void)s; (void)e; (void)l;
    *out = ep_alloc(c, 1);
    return *out ? 0 : -EMFILE;
}

static int ep_info(np_transport_ctx *c, np_endpoint *ep, struct np_endpoint_info *out) {
    (void)c; (void)ep;
    uint32_t size = out->struct_size;
    memset(out, 0, size);
    out->struct_size = size;
    return 0;
}

static void ep_close(np_transport_ctx *c, np_endpoint *ep) { (void)c; ep_free(ep); }

static uint32_t stage(np_transport_ctx *c, const struct np_op *ops, uint32_t n) {
    uint32_t room = MAX_OPS - c->n_staged;
    if (n > room) n = room;
    memcpy(c->staged + c->n_staged, ops, n * sizeof *ops);
    c->n_staged += n;
    return n;
}

static int commit(np_transport_ctx *c) { (void)c; return 0; }

static uint32_t reap(np_transport_ctx *c, struct np_completion *out, uint32_t max, int64_t timeout) {
    (void)timeout;
    uint32_t n = 0;
    while (n < max && n < c->n_staged) {
        const struct np_op *op = &c->staged[n];
        struct np_completion *cm = &out[n++];
        memset(cm, 0, sizeof *cm);
        cm->user = op->user;
        cm->ep = op->ep;
        switch (op->kind) {
        case NP_OP_ACCEPT:
        case NP_OP_CONNECT:
            cm->ep = ep_alloc(c, 0);
            cm->result = cm->ep ? 0 : -EMFILE;
            break;
        case NP_OP_SEND:
            cm->result = op->len;
            break;
        case NP_OP_RECV:
            cm->result = mono_ns() >= c->eof_at ? 0 : 1;
            break;
        case NP_OP_CLOSE:
            ep_free(op->ep);
            cm->ep = NULL;
            break;
        default:
            break;
        }
    }
    memmove(c->staged, c->staged + n, (c->n_staged - n) * sizeof *c->staged);
    c->n_staged -= n;
    return n;
}

static const struct np_option_desc options[] = {
    {"eof_at", NP_OPT_INT, "0", "CLOCK_MONOTONIC ns from which RECV reports the peer's EOF"},
};

static const struct np_transport_ops ops = {
    .abi_version = NP_TRANSPORT_ABI_VERSION,
    .struct_size = sizeof(struct np_transport_ops),
    .name = "lazy",
    .description = "engine tests: every op runs inside reap, no I/O",
    .caps = NP_CAP_STREAM | NP_CAP_CONNECT | NP_CAP_INET,
    .n_options = 1,
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
