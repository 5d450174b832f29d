// The "sctp" transport: SCTP associations for netperf's SCTP_STREAM and
// SCTP_RR and for OMNI's `-T sctp` (stream and request/response, CRR too),
// through the same engine patterns as TCP.
//
// Like netperf 2.7's SCTP_STREAM and SCTP_RR (nettest_sctp.c), every flow is
// one association on a one-to-one socket (SOCK_STREAM, IPPROTO_SCTP): each
// SEND is one SCTP message, a RECV returns at most one message, and the test
// ends the TCP way, which SCTP supports: the sender shuts down, the receiver
// reads EOF (SCTP_SHUTDOWN received) and closes, the sender drains to EOF.
//
// Two stacks, chosen per context by the option stack=auto|kernel|usrsctp:
//   kernel   the kernel's SCTP: the same system calls as the sockets
//            transport, so transports/common runs them (blocking or epoll);
//   usrsctp  libusrsctp in this process, over UDP (sctp_usrsctp.cc), for
//            kernels without SCTP.
// auto is the kernel when it can make an SCTP socket, else usrsctp; probe()
// and the description say which and why.  Each op of the table dispatches
// through the context to its stack: one indirect call per batch.
#include "sctp_internal.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../common/socket_transport.h"

namespace np_sctp {

void set_err(char *err, size_t len, const char *fmt, ...) {
    if (!err || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

namespace {

const np_option_desc kOptions[] = {
    {"stack", NP_OPT_STRING, "auto",
     "auto | kernel | usrsctp: auto = kernel SCTP where socket(IPPROTO_SCTP) works, else usrsctp over UDP"},
    {"server_udp_port", NP_OPT_INT, "9899",
     "usrsctp: UDP encapsulation port of netserver's stack; netperf sends to it"},
    {"client_udp_port", NP_OPT_INT, "0",
     "usrsctp: UDP encapsulation port of netperf's stack (0 = a free port; netserver answers the port it hears from)"},
    {"udp_rcvbuf", NP_OPT_INT, "4194304",
     "usrsctp: receive buffer of the stack's UDP socket, bytes, at most 64 MiB (0 = usrsctp's 128 KiB, which drops under load)"},
};

// Whether this kernel makes SCTP sockets, asked once per process.
struct KernelStatus {
    int err = 0;       // 0 = usable, else -errno of socket()
    char why[160] = "";
};

const KernelStatus &kernel_status() {
    static const KernelStatus s = [] {
        KernelStatus k;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
        if (fd >= 0) {
            close(fd);
            return k;
        }
        k.err = -errno;
        bool missing = errno == EPROTONOSUPPORT || errno == ESOCKTNOSUPPORT || errno == EAFNOSUPPORT;
        snprintf(k.why, sizeof k.why, "%s (socket: %s)",
                 missing ? "kernel has no SCTP support" : "kernel SCTP cannot be used", strerror(errno));
        return k;
    }();
    return s;
}

#ifdef NP_SCTP_HAVE_USRSCTP
constexpr bool kHaveUsrsctp = true;
#else
constexpr bool kHaveUsrsctp = false;
#endif

int probe(char *why, size_t len) {
    const KernelStatus &k = kernel_status();
    if (k.err == 0) {
        set_err(why, len, "sctp: stack=auto uses kernel SCTP");
        return 0;
    }
    if (kHaveUsrsctp) {
        set_err(why, len, "sctp: stack=auto uses usrsctp over UDP: %s", k.why);
        return 0;
    }
    set_err(why, len, "SCTP: %s, and this plugin was built without libusrsctp (install libusrsctp-dev and rebuild)",
            k.why);
    return k.err;
}

// ---- options --------------------------------------------------------------

int parse_port(const char *name, const char *v, long lo, uint16_t &out, char *err, size_t elen) {
    char *end = nullptr;
    errno = 0;
    long p = strtol(v, &end, 10);
    if (!*v || *end || errno || p < lo || p > 65535) {
        set_err(err, elen, "option %s=%s: want a UDP port %ld..65535%s", name, v, lo, lo == 0 ? " (0 = a free port)" : "");
        return -EINVAL;
    }
    out = uint16_t(p);
    return 0;
}

constexpr long kMaxUdpRcvbuf = 64L << 20;

int parse_options(const np_ctx_params *p, Options &o, char *err, size_t elen) {
    for (uint32_t i = 0; i < p->n_options; i++) {
        const np_option_value &v = p->options[i];
        int r = 0;
        if (strcmp(v.name, "stack") == 0) {
            if (strcmp(v.value, "auto") == 0) o.stack = Stack::Auto;
            else if (strcmp(v.value, "kernel") == 0) o.stack = Stack::Kernel;
            else if (strcmp(v.value, "usrsctp") == 0) o.stack = Stack::Usrsctp;
            else {
                set_err(err, elen, "option stack=%s: want auto, kernel or usrsctp", v.value);
                r = -EINVAL;
            }
        } else if (strcmp(v.name, "server_udp_port") == 0) {
            r = parse_port(v.name, v.value, 1, o.server_udp_port, err, elen);
        } else if (strcmp(v.name, "client_udp_port") == 0) {
            r = parse_port(v.name, v.value, 0, o.client_udp_port, err, elen);
        } else if (strcmp(v.name, "udp_rcvbuf") == 0) {
            char *end = nullptr;
            errno = 0;
            long b = strtol(v.value, &end, 10);
            // Capped: netserver takes this from its clients, and as root the
            // buffer is forced past net.core.rmem_max.
            if (!*v.value || *end || errno || b < 0 || b > kMaxUdpRcvbuf) {
                set_err(err, elen, "option udp_rcvbuf=%s: want bytes 0..%ld (0 = usrsctp's own)", v.value, kMaxUdpRcvbuf);
                r = -EINVAL;
            } else {
                o.udp_rcvbuf = int(b);
            }
        } else {
            set_err(err, elen, "unknown option '%s' (see --transport-help sctp)", v.name);
            r = -EINVAL;
        }
        if (r < 0) return r;
    }
    return 0;
}

// The stack a context will use, or -errno and why not.
int resolve_stack(Stack want, Stack &out, char *err, size_t elen) {
    const KernelStatus &k = kernel_status();
    switch (want) {
    case Stack::Kernel:
        if (k.err) {
            set_err(err, elen, "stack=kernel: %s", k.why);
            return k.err;
        }
        out = Stack::Kernel;
        return 0;
    case Stack::Usrsctp:
        if (!kHaveUsrsctp) {
            set_err(err, elen, "stack=usrsctp: this plugin was built without libusrsctp");
            return -EPROTONOSUPPORT;
        }
        out = Stack::Usrsctp;
        return 0;
    case Stack::Auto:
        if (k.err == 0) {
            out = Stack::Kernel;
            return 0;
        }
        if (kHaveUsrsctp) {
            out = Stack::Usrsctp;
            return 0;
        }
        set_err(err, elen, "SCTP: %s, and this plugin was built without libusrsctp", k.why);
        return k.err;
    }
    return -EINVAL;
}

// ---- the two stacks' tables -------------------------------------------------

np_transport_ops make_kernel_ops() {
    np_transport_ops o{};
    np_sock::fill_ops(o);
    return o;
}
const np_transport_ops kKernelOps = make_kernel_ops();

#ifdef NP_SCTP_HAVE_USRSCTP
np_transport_ops make_usr_ops() {
    np_transport_ops o{};
    usr_fill_ops(o);
    return o;
}
const np_transport_ops kUsrOps = make_usr_ops();
#endif

// What the engine holds: the chosen stack's table and its context.
struct SctpCtx {
    const np_transport_ops *impl;
    np_transport_ctx *inner;
};

SctpCtx *sctx(np_transport_ctx *c) { return reinterpret_cast<SctpCtx *>(c); }

int ctx_create(const np_ctx_params *p, np_transport_ctx **out, char *err, size_t elen) {
    if (!p || p->struct_size < offsetof(np_ctx_params, reserved)) {
        set_err(err, elen, "ctx_create: parameter block too small");
        return -EINVAL;
    }
    Options o;
    int r = parse_options(p, o, err, elen);
    if (r < 0) return r;
    Stack stack = Stack::Auto;
    r = resolve_stack(o.stack, stack, err, elen);
    if (r < 0) return r;
    auto *c = new (std::nothrow) SctpCtx{nullptr, nullptr};
    if (!c) return -ENOMEM;
    if (stack == Stack::Kernel) {
        // The kernel path takes none of the usrsctp options.
        np_ctx_params q = *p;
        q.options = nullptr;
        q.n_options = 0;
        c->impl = &kKernelOps;
        r = kKernelOps.ctx_create(&q, &c->inner, err, elen);
    } else {
#ifdef NP_SCTP_HAVE_USRSCTP
        c->impl = &kUsrOps;
        r = usr_ctx_create(p, o, &c->inner, err, elen);
#else
        r = -EPROTONOSUPPORT;  // resolve_stack() said so already
#endif
    }
    if (r < 0) {
        delete c;
        return r;
    }
    *out = reinterpret_cast<np_transport_ctx *>(c);
    return 0;
}

void ctx_destroy(np_transport_ctx *h) {
    if (!h) return;
    SctpCtx *c = sctx(h);
    c->impl->ctx_destroy(c->inner);
    delete c;
}

int listen_ep(np_transport_ctx *h, const np_endpoint_spec *s, np_endpoint **out, char *err, size_t elen) {
    SctpCtx *c = sctx(h);
    if (c->impl == &kKernelOps && s && s->struct_size >= offsetof(np_endpoint_spec, reserved) &&
        (s->socktype != SOCK_STREAM || s->protocol != IPPROTO_SCTP)) {
        // The usrsctp path checks its specs itself; the common socket code
        // would make whatever it is asked for.
        set_err(err, elen, "socket type %d, protocol %d: the sctp transport makes SCTP associations "
                "(SOCK_STREAM, IPPROTO_SCTP) only", s->socktype, s->protocol);
        return -EPROTONOSUPPORT;
    }
    return c->impl->listen(c->inner, s, out, err, elen);
}

int ep_info(np_transport_ctx *h, np_endpoint *ep, np_endpoint_info *o) {
    return sctx(h)->impl->ep_info(sctx(h)->inner, ep, o);
}

void ep_close(np_transport_ctx *h, np_endpoint *ep) { sctx(h)->impl->ep_close(sctx(h)->inner, ep); }

uint32_t stage(np_transport_ctx *h, const np_op *ops, uint32_t n) {
    return sctx(h)->impl->stage(sctx(h)->inner, ops, n);
}

int commit(np_transport_ctx *h) { return sctx(h)->impl->commit(sctx(h)->inner); }

uint32_t reap(np_transport_ctx *h, np_completion *out, uint32_t max, int64_t timeout_ns) {
    return sctx(h)->impl->reap(sctx(h)->inner, out, max, timeout_ns);
}

int stats(np_transport_ctx *h, np_transport_stats *out) {
    if (!h) return -EINVAL;
    return sctx(h)->impl->stats(sctx(h)->inner, out);
}

// The description names the stack auto picks here, so --list-transports and
// --transport-help show it.
char g_description[320];

np_transport_ops make_ops() {
    const KernelStatus &k = kernel_status();
    if (k.err == 0)
        snprintf(g_description, sizeof g_description,
                 "SCTP associations (SCTP_STREAM, SCTP_RR, -T sctp); here: kernel SCTP");
    else if (kHaveUsrsctp)
        snprintf(g_description, sizeof g_description,
                 "SCTP associations (SCTP_STREAM, SCTP_RR, -T sctp); here: usrsctp over UDP, as the %s", k.why);
    else
        snprintf(g_description, sizeof g_description,
                 "SCTP associations (SCTP_STREAM, SCTP_RR, -T sctp); unusable here: %s", k.why);
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "sctp";
    ops.description = g_description;
    ops.caps = NP_CAP_STREAM | NP_CAP_CONNECT | NP_CAP_INET | NP_CAP_BLOCKING;
    ops.n_options = sizeof kOptions / sizeof kOptions[0];
    ops.options = kOptions;
    ops.probe = probe;
    ops.ctx_create = ctx_create;
    ops.ctx_destroy = ctx_destroy;
    ops.listen = listen_ep;
    ops.ep_info = ep_info;
    ops.ep_close = ep_close;
    ops.stage = stage;
    ops.commit = commit;
    ops.reap = reap;
    ops.stats = stats;
    return ops;
}

}  // namespace
}  // namespace np_sctp

extern "C" NP_TRANSPORT_EXPORT const np_transport_ops *np_transport_entry(void) {
    static const np_transport_ops ops = np_sctp::make_ops();
    return &ops;
}
