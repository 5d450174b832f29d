/*
 * netperf 3 transport plugin ABI.
 *
 * A transport is a shared object that exports one C symbol,
 * NP_TRANSPORT_ENTRY_SYMBOL, returning a pointer to a constant
 * struct np_transport_ops.  The table begins with abi_version and
 * struct_size; the loader refuses a version it does not know (naming both)
 * and checks that every mandatory op is present.
 *
 * Rules that keep the ABI stable:
 *   - C only, fixed-width types, no C++ in this header.
 *   - A new ABI version only appends fields; struct_size tells the loader
 *     which fields a plugin knows.  Reserved fields must be zero.
 *   - Control ops (probe, ctx_create, listen, ...) return 0 or -errno and
 *     fill a caller-supplied error string naming the object and the cause.
 *   - Data ops (stage, commit, reap) take arrays and counts and return counts;
 *     the core calls them once per batch, never per byte or per packet.
 *
 * The data path is completion based: the core stages operations (no system
 * call), commits them (the transport submits the batch: one io_uring_enter,
 * one rte_eth_tx_burst, or plain syscalls for BSD sockets) and reaps
 * completions, each carrying the caller's cookie and a byte count or -errno.
 *
 * Build a plugin against this header alone:
 *   cc -shared -fPIC $(pkg-config --cflags netperf-transport) my.c -o np-transport-my.so
 * and load it with NETPERF_PLUGIN_PATH=<dir> netperf --transport my ...
 */
#ifndef NETPERF_TRANSPORT_ABI_H
#define NETPERF_TRANSPORT_ABI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. */
#define NP_TRANSPORT_ABI_VERSION 1u

/* Name of the one symbol a plugin exports: const struct np_transport_ops *fn(void). */
#define NP_TRANSPORT_ENTRY_SYMBOL "np_transport_entry"

/* Error strings passed to control ops have at least this many bytes. */
#define NP_ERRLEN 256

/* Opaque per-worker transport state (one per pinned worker thread). */
typedef struct np_transport_ctx np_transport_ctx;
/* Opaque endpoint: a connection, a listener or a datagram socket. */
typedef struct np_endpoint np_endpoint;

/* ---- Option tables: each transport declares its options once. ---- */

enum np_option_type {
    NP_OPT_BOOL = 1,   /* "0"/"1"/"true"/"false"/"yes"/"no" */
    NP_OPT_INT = 2,    /* decimal integer */
    NP_OPT_STRING = 3, /* free text */
};

/* One transport option, as --transport-help prints it. */
struct np_option_desc {
    const char *name;          /* e.g. "sqpoll" */
    uint32_t type;             /* enum np_option_type */
    const char *default_value; /* textual default, never NULL */
    const char *help;          /* one line */
};

/* A resolved option passed to ctx_create: name=value. */
struct np_option_value {
    const char *name;
    const char *value;
};

/* ---- Capabilities (np_transport_ops.caps). ---- */
#define NP_CAP_STREAM (1u << 0)    /* connection-oriented byte stream (TCP-like) */
#define NP_CAP_DGRAM (1u << 1)     /* datagrams (UDP-like) */
#define NP_CAP_SEQPACKET (1u << 2) /* connection-oriented messages (SCTP-like) */
#define NP_CAP_CONNECT (1u << 3)   /* connect/accept per transaction (CRR, CC) */
#define NP_CAP_INET (1u << 4)      /* AF_INET / AF_INET6 addresses */
#define NP_CAP_UNIX (1u << 5)      /* AF_UNIX paths */
#define NP_CAP_BLOCKING (1u << 6)  /* honours NP_CTX_BLOCKING (one flow per worker) */
#define NP_CAP_MULTISHOT (1u << 7) /* honours NP_OPF_MULTISHOT on RECV */
#define NP_CAP_TICK (1u << 8)      /* in blocking mode, may rely on the engine's slice
                                      signal (NP_CTX_TICK) to end its waits */

/* ---- Endpoint description (control path). ---- */

#define NP_EP_NODELAY (1u << 0)       /* TCP_NODELAY */
#define NP_EP_CORK (1u << 1)          /* TCP_CORK */
#define NP_EP_KEEPALIVE (1u << 2)     /* SO_KEEPALIVE */
#define NP_EP_DONTROUTE (1u << 3)     /* SO_DONTROUTE */
#define NP_EP_DGRAM_CONNECT (1u << 4) /* connect() a datagram socket to .remote */
#define NP_EP_TRACK_PEER (1u << 5)    /* datagram: reply to the source of the last datagram */
#define NP_EP_REUSEADDR (1u << 6)     /* SO_REUSEADDR on listeners/bound sockets */
#define NP_EP_INITIAL_BUFFERS (1u << 7) /* CONNECT: read SO_SNDBUF/SO_RCVBUF once the
                                           socket is set up, before it connects, and
                                           report them in ep_info's *_initial fields
                                           (the engine asks on a flow's first
                                           connection only; may be ignored) */

/* What to create: a listener (listen op) or the template of connections
 * (CONNECT data op).  Addresses use struct sockaddr_storage: AF_INET,
 * AF_INET6 or AF_UNIX, whatever the transport's caps allow. */
struct np_endpoint_spec {
    uint32_t struct_size;  /* sizeof(struct np_endpoint_spec) */
    int32_t family;        /* AF_INET, AF_INET6, AF_UNIX */
    int32_t socktype;      /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
    int32_t protocol;      /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, 0 */
    struct sockaddr_storage local;  /* bind address; local_len 0 = none */
    uint32_t local_len;
    struct sockaddr_storage remote; /* peer (connect, datagram default destination) */
    uint32_t remote_len;
    int32_t sndbuf;        /* SO_SNDBUF bytes, -1 = system default */
    int32_t rcvbuf;        /* SO_RCVBUF bytes, -1 = system default */
    uint32_t flags;        /* NP_EP_* */
    int32_t priority;      /* SO_PRIORITY, -1 = leave */
    int32_t tos;           /* IP_TOS / IPV6_TCLASS, -1 = leave */
    char cong_control[16]; /* TCP_CONGESTION, "" = leave */
    uint32_t reserved[8];  /* must be zero */
};

/* What an endpoint turned out to be (ep_info). Fields a transport cannot
 * tell are -1 (numbers) or "" (strings). */
struct np_endpoint_info {
    uint32_t struct_size;
    struct sockaddr_storage local;
    uint32_t local_len;
    struct sockaddr_storage remote;
    uint32_t remote_len;
    int32_t sndbuf;        /* SO_SNDBUF in effect */
    int32_t rcvbuf;        /* SO_RCVBUF in effect */
    int32_t mss;           /* TCP_MAXSEG */
    int32_t retransmits;   /* tcp_info total retransmits */
    char cong_control[16];
    /* SO_SNDBUF / SO_RCVBUF as they were before the endpoint connected, for
     * a CONNECT whose spec had NP_EP_INITIAL_BUFFERS; 0 = not known (the
     * engine then reports sndbuf/rcvbuf).  netperf 2.7 reports these as
     * LSS_SIZE / LSR_SIZE: Linux grows a TCP socket's send buffer once it
     * connects. */
    int32_t sndbuf_initial;
    int32_t rcvbuf_initial;
    uint32_t reserved[6];
};

/* ---- Per-worker context parameters. ---- */

#define NP_CTX_BLOCKING (1u << 0) /* at most one active endpoint and one op in
                                     flight per direction: the transport may run
                                     ops synchronously (plain blocking syscalls) */
#define NP_CTX_SERVER (1u << 1)   /* this context serves a test (netserver's side);
                                     e.g. picks its default ports accordingly */
#define NP_CTX_TICK (1u << 2)     /* with NP_CTX_BLOCKING, for NP_CAP_TICK transports:
                                     the engine sends the worker thread a signal
                                     every poll_slice_us (a handler without
                                     SA_RESTART), so a blocking system call returns
                                     (EINTR, or a short count) at least that often;
                                     the transport need not bound its own waits
                                     (SO_RCVTIMEO, SO_SNDTIMEO), as netperf 2.7
                                     relies on SIGALRM */

struct np_ctx_params {
    uint32_t struct_size;
    uint32_t flags;            /* NP_CTX_* */
    uint32_t max_endpoints;    /* endpoints alive at once in this context */
    uint32_t max_inflight;     /* ops staged or pending at once */
    int32_t cpu;               /* CPU the worker is pinned to, -1 if none */
    int32_t poll_slice_us;     /* longest a blocking op may wait before reap returns */
    const struct np_option_value *options; /* transport options */
    uint32_t n_options;
    uint32_t reserved[8];
};

/* ---- Data path. ---- */

enum np_op_kind {
    NP_OP_SEND = 1,     /* send len bytes from buf on ep (datagram: one datagram) */
    NP_OP_RECV = 2,     /* receive up to len bytes into buf; result 0 = EOF or
                           empty datagram */
    NP_OP_CONNECT = 3,  /* open a connection described by spec; result 0 and
                           completion.ep = the new endpoint */
    NP_OP_ACCEPT = 4,   /* accept on listener ep; completion.ep = new endpoint */
    NP_OP_CLOSE = 5,    /* close ep; pending ops on it complete with -ECANCELED */
    NP_OP_SHUTDOWN = 6, /* shut the sending side of ep (stream EOF) */
};

/* np_op.flags. */
#define NP_OPF_EOF_WAIT (1u << 0)  /* hint: RECV that expects the peer's end of stream */
#define NP_OPF_MULTISHOT (1u << 1) /* RECV (NP_CAP_MULTISHOT only): stay armed, receiving
                                      into transport-owned buffers (buf is ignored); every
                                      completion but the last carries NP_CF_MORE */

/* One staged operation.  Buffers stay owned by the caller and must stay
 * valid until the op completes. */
struct np_op {
    uint8_t kind;                        /* enum np_op_kind */
    uint8_t flags;                       /* NP_OPF_* */
    uint16_t reserved;                   /* zero */
    uint32_t len;                        /* bytes (SEND/RECV) */
    np_endpoint *ep;                     /* target; NULL for CONNECT */
    void *buf;                           /* SEND/RECV buffer */
    const struct np_endpoint_spec *spec; /* CONNECT only; must outlive the op */
    uint64_t user;                       /* caller's cookie, echoed back */
};

/* np_completion.flags. */
#define NP_CF_MORE (1u << 0) /* a multishot op is still armed: more completions follow */

/* One completion. */
struct np_completion {
    uint64_t user;     /* the op's cookie */
    int64_t result;    /* bytes moved, 0, or -errno */
    np_endpoint *ep;   /* CONNECT/ACCEPT: the new endpoint; else the op's ep */
    uint32_t flags;    /* NP_CF_* */
    uint32_t reserved; /* zero */
};

/* Per-context counters a transport may keep (stats op). */
struct np_transport_stats {
    uint32_t struct_size;
    uint64_t syscalls;      /* system calls made on the data path */
    uint64_t batches;       /* commits that submitted at least one op */
    uint64_t wouldblock;    /* ops that had to wait for readiness */
    uint64_t reserved[8];
};

/* A buffer region the engine owns for the whole run (register_buffers). */
struct np_buffer_region {
    void *base;
    uint64_t len;
};

/* ---- The table. ---- */

struct np_transport_ops {
    uint32_t abi_version;  /* NP_TRANSPORT_ABI_VERSION the plugin was built for */
    uint32_t struct_size;  /* sizeof(struct np_transport_ops) at build time */
    const char *name;      /* "sockets", "uring", ... (matches --transport) */
    const char *description;
    uint32_t caps;         /* NP_CAP_* */
    uint32_t n_options;
    const struct np_option_desc *options;

    /* Control ops.  Mandatory: probe, ctx_create, ctx_destroy, listen,
     * ep_info, ep_close, stage, commit, reap, and ep_set_peer for datagram
     * transports.  Optional: stats, register_buffers. */

    /* Can this transport run here?  0 if yes; else -errno and a reason in why
     * ("SCTP: kernel has no SCTP support"). */
    int (*probe)(char *why, size_t why_len);

    /* Create the state of one worker. */
    int (*ctx_create)(const struct np_ctx_params *params, np_transport_ctx **out,
                      char *err, size_t err_len);
    void (*ctx_destroy)(np_transport_ctx *ctx);

    /* Create a listener (stream) or a bound datagram endpoint. */
    int (*listen)(np_transport_ctx *ctx, const struct np_endpoint_spec *spec,
                  np_endpoint **out, char *err, size_t err_len);

    /* Describe an endpoint (addresses, buffer sizes, MSS, ...). */
    int (*ep_info)(np_transport_ctx *ctx, np_endpoint *ep, struct np_endpoint_info *out);

    /* Close an endpoint on the control path (no completion is produced). */
    void (*ep_close)(np_transport_ctx *ctx, np_endpoint *ep);

    /* Set the default destination of a datagram endpoint (mandatory for
     * NP_CAP_DGRAM transports: a server learns where to send only after the
     * client has told it over the control connection). */
    int (*ep_set_peer)(np_transport_ctx *ctx, np_endpoint *ep, const struct sockaddr *addr,
                       uint32_t addr_len);

    /* Data ops.  stage() makes no system call and returns how many ops it
     * accepted (fewer than n only when max_inflight is reached).  commit()
     * submits everything staged: 0 or -errno for a failure of the context
     * itself.  reap() returns up to max completions, waiting at most
     * timeout_ns (0 = don't wait) when none is ready. */
    uint32_t (*stage)(np_transport_ctx *ctx, const struct np_op *ops, uint32_t n);
    int (*commit)(np_transport_ctx *ctx);
    uint32_t (*reap)(np_transport_ctx *ctx, struct np_completion *out, uint32_t max,
                     int64_t timeout_ns);

    /* Optional: data-path counters of this context. */
    int (*stats)(np_transport_ctx *ctx, struct np_transport_stats *out);

    /* Optional, appended in ABI version 1 (present when struct_size covers
     * it): the buffers the context's SEND/RECV ops will point into, given
     * once on the control path after ctx_create and before any data op.
     * They stay valid until ctx_destroy.  A transport may register them
     * (io_uring fixed buffers, DPDK external memory) so ops on them need no
     * per-op pinning; ops may still use other buffers.  0 or -errno and err. */
    int (*register_buffers)(np_transport_ctx *ctx, const struct np_buffer_region *regions,
                            uint32_t n, char *err, size_t err_len);

    uint64_t reserved[8]; /* must be zero */
};

/* The entry point a plugin exports (declare it with NP_TRANSPORT_EXPORT). */
typedef const struct np_transport_ops *(*np_transport_entry_fn)(void);

#if defined(__GNUC__)
#define NP_TRANSPORT_EXPORT __attribute__((visibility("default")))
#else
#define NP_TRANSPORT_EXPORT
#endif

#ifdef __cplusplus
}
#endif

#endif /* NETPERF_TRANSPORT_ABI_H */
