/* Plugins the loader must refuse: built twice with -DBROKEN_ABI (declares
 * ABI version 2) and -DBROKEN_MISSING_OP (no reap op). */
#include <netperf/transport_abi.h>

#include <stddef.h>

static int probe(char *why, size_t len) { (void)why; (void)len; return 0; }
static int ctx_create(const struct np_ctx_params *p, np_transport_ctx **o, char *e, size_t l) {
    (void)p; (void)o; (void)e; (void)l; return -1;
}
static void ctx_destroy(np_transport_ctx *c) { (void)c; }
static int listen_ep(np_transport_ctx *c, const struct np_endpoint_spec *s, np_endpoint **o, char *e, size_t l) {
    (void)c; (void)s; (void)o; (void)e; (void)l; return -1;
}
static int ep_info(np_transport_ctx *c, np_endpoint *ep, struct np_endpoint_info *o) { (void)c; (void)ep; (void)o; return -1; }
static void ep_close(np_transport_ctx *c, np_endpoint *ep) { (void)c; (void)ep; }
static uint32_t stage(np_transport_ctx *c, const struct np_op *o, uint32_t n) { (void)c; (void)o; (void)n; return 0; }
static int commit(np_transport_ctx *c) { (void)c; return 0; }
static uint32_t reap(np_transport_ctx *c, struct np_completion *o, uint32_t m, int64_t t) {
    (void)c; (void)o; (void)m; (void)t; return 0;
}

static const struct np_transport_ops ops = {
#ifdef BROKEN_ABI
    .abi_version = 2,
#else
    .abi_version = NP_TRANSPORT_ABI_VERSION,
#endif
    .struct_size = sizeof(struct np_transport_ops),
    .name = "broken",
    .description = "a plugin the loader must refuse",
    .caps = NP_CAP_STREAM | NP_CAP_INET,
    .probe = probe,
    .ctx_create = ctx_create,
    .ctx_destroy = ctx_destroy,
    .listen = listen_ep,
    .ep_info = ep_info,
    .ep_close = ep_close,
    .stage = stage,
    .commit = commit,
#ifndef BROKEN_MISSING_OP
    .reap = reap,
#endif
};

NP_TRANSPORT_EXPORT const struct np_transport_ops *np_transport_entry(void) { return &ops; }
