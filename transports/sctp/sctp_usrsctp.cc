// The usrsctp path: SCTP in user space (libusrsctp), carried in UDP
// datagrams (RFC 6951 encapsulation) so it runs where the kernel has no SCTP.
//
// One stack per process.  usrsctp_init() starts it once, on the first
// context, bound to one UDP port; netserver's stack and netperf's stack are
// two processes and need two ports (server_udp_port, client_udp_port).  It is
// finished once, when the process exits.
//
// Threads.  usrsctp runs its own threads: a timer thread and a receive thread
// per UDP socket.  Incoming packets are processed there: they land in socket
// buffers and the socket's upcall is called.  The worker never blocks inside
// usrsctp; every socket is non-blocking, and
//   stage   copies ops (no call into usrsctp);
//   commit  tries each op once (usrsctp_sendv, recvv, accept, connect);
//           an op that would block is parked on its endpoint;
//   reap    retries the parked ops of endpoints whose upcall has fired and,
//           when nothing has completed, sleeps on the context's doorbell
//           until an upcall rings it or the engine's timeout passes, in
//           slices of 2 ms after which it asks usrsctp about parked ops
//           itself (see "Lost upcalls").
// NP_CTX_BLOCKING is accepted and changes nothing: usrsctp has no
// SO_RCVTIMEO, so a blocking recv could not be bounded by the poll slice and
// the worker would miss its deadline.  The doorbell is a futex, not an
// eventfd: an upcall runs for every packet on usrsctp's thread, and a futex
// costs it one atomic increment (plus FUTEX_WAKE only while the worker
// sleeps); the worker's wait is one system call where an eventfd needs poll
// and read.
//
// Accepting.  A listener's upcall accepts new associations itself, on the
// receive thread that has just completed them, and queues them for the
// worker's ACCEPT.  libusrsctp 0.9.5 (Debian 12) reads a queued
// association's so_head (its listener) twice without the accept lock when a
// packet for it comes in, while usrsctp_accept() clears it (usrsctp issue
// #697, fixed upstream in 5335d225, 2024): a worker accepting as the
// client's first DATA arrives crashes the receive thread.  On the receive
// thread no packet is being processed while it accepts.
//
// Closing.  usrsctp_close() of a socket whose association is alive races
// with usrsctp's own threads, which check that the socket is still there
// without the lock that close takes and then touch freed memory (usrsctp
// issues #676 and #709, open).  So CLOSE only shuts the association down
// (usrsctp_shutdown: SCTP's graceful SHUTDOWN, which the peer completes on
// its own) and hands the socket to the reaper, a thread of this plugin that
// reads and drops what still arrives and closes the socket once usrsctp
// says the association is gone; then no usrsctp thread can reach it.  A
// listener is closed after a second of rest.
//
// Lifetimes.  An upcall can run on a usrsctp thread after usrsctp_close()
// (the input path holds its own reference to the socket), so what an upcall
// touches (the endpoint, and through it the doorbell) is never freed: both
// come from process-wide pools and are recycled.  A late upcall on a
// recycled endpoint costs one spurious retry, nothing more.
#include "sctp_internal.h"

#include <usrsctp.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <mutex>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include <dirent.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace np_sctp {
namespace {

// ---- the doorbell ------------------------------------------------------------

// What a worker sleeps on.  ring() is called by upcalls on usrsctp's
// threads; wait() only by the worker that owns the context.  The worker reads
// seq before it looks at its endpoints and sleeps only while seq still has
// that value, so a ring between the look and the sleep is never lost.
struct alignas(64) Doorbell {
    std::atomic<uint32_t> seq{0};
    std::atomic<uint32_t> sleeping{0};

    void ring() {
        seq.fetch_add(1);
        if (sleeping.load()) syscall(SYS_futex, &seq, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
    }
    void wait(uint32_t seen, int64_t timeout_ns) {
        timespec ts{time_t(timeout_ns / 1000000000), long(timeout_ns % 1000000000)};
        sleeping.store(1);
        syscall(SYS_futex, &seq, FUTEX_WAIT_PRIVATE, seen, &ts, nullptr, 0);
        sleeping.store(0);
    }
};

// ---- endpoints -----------------------------------------------------------------

// One SCTP socket (listener or association).  The first two fields (and a
// listener's accept queue) are written by upcalls; the rest belong to the
// worker that owns the context.
struct alignas(64) UsrEp {
    std::atomic<uint32_t> ready{0};         // an upcall fired since the last retry
    std::atomic<Doorbell *> bell{nullptr};  // the owning context's doorbell

    struct socket *so = nullptr;
    uint32_t index = 0;  // slot in the context
    bool in_use = false;
    bool listener = false;
    bool connecting = false;  // CONNECT parked in the send slot
    bool has_send = false;    // parked SEND or CONNECT (the engine keeps one send per endpoint)
    bool has_recv = false;    // parked RECV or ACCEPT
    np_op send_op{};
    np_op recv_op{};
    sockaddr_storage bound{};  // listener: the address it was bound to
    socklen_t bound_len = 0;

    // Listener: associations its upcall accepted, waiting for an ACCEPT.
    // Filled on receive threads, drained by the worker; `acc_listener` is
    // the listening socket the queue belongs to (null once it is closed, so
    // a late upcall closes what it accepts instead of queueing it).
    static constexpr uint32_t kAcceptQueue = 64;
    std::mutex acc_m;
    struct socket *acc_listener = nullptr;
    struct socket *acc_q[kAcceptQueue];
    uint32_t acc_head = 0, acc_count = 0;
};

// Process-wide pools of what upcalls may touch: allocated on demand, never
// freed (see "Lifetimes" above).  Reached through a pointer that is never
// destroyed either, so an upcall during exit finds them intact.
struct Pools {
    std::mutex m;
    std::vector<Doorbell *> bells;
    std::vector<UsrEp *> eps;
};
Pools &pools() {
    static Pools *p = new Pools;
    return *p;
}

// Upcalls.  usrsctp reads a socket's upcall pointer and its argument apart
// and without a lock, and calls the pointer it read after testing it for
// null once more (sctp_input.c): an upcall is therefore only ever replaced,
// never removed, and every upcall accepts any argument another one was
// installed with (null, or an endpoint).

// An association's (or listener's) events: flag the endpoint, wake its worker.
void on_upcall(struct socket *, void *arg, int) {
    auto *ep = static_cast<UsrEp *>(arg);
    if (!ep) return;
    ep->ready.store(1);
    if (Doorbell *b = ep->bell.load()) b->ring();
}

// ---- the reaper (see "Closing" above) ----------------------------------------------

struct Retired {
    struct socket *so;
    bool listener;
    bool aborted;  // the shutdown took too long: the association was aborted
    uint64_t since_ns;
};

struct Reaper {
    std::mutex m;
    std::condition_variable cv;
    std::vector<Retired> list;  // sockets waiting for their association to end
    std::thread thread;
    bool running = false, stop = false;
    bool draining = false;  // at exit: listeners need no rest
};
Reaper &reaper() {
    static Reaper *r = new Reaper;
    return *r;
}

// How long an association may take to shut down before it is aborted (a
// peer that vanished never answers SHUTDOWN, and usrsctp would retransmit
// it for minutes), and how long a retired listener rests before it is
// closed.
constexpr uint64_t kShutdownPatienceNs = 10'000'000'000ull;
constexpr uint64_t kListenerRestNs = 1'000'000'000ull;

uint64_t mono_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

// True once usrsctp has freed the socket's association (SCTP_STATUS then
// fails with EINVAL), after reading and dropping what it still holds.
bool association_over(struct socket *so) {
    static char sink[65536];  // only the reaper thread reads into it
    for (int i = 0; i < 64; i++) {
        int flags = 0;
        sctp_rcvinfo info;
        socklen_t info_len = sizeof info;
        unsigned int info_type = 0;
        if (usrsctp_recvv(so, sink, sizeof sink, nullptr, nullptr, &info, &info_len, &info_type, &flags) <= 0) break;
    }
    sctp_status st{};
    socklen_t l = sizeof st;
    return usrsctp_getsockopt(so, IPPROTO_SCTP, SCTP_STATUS, &st, &l) < 0 || st.sstat_state == SCTP_CLOSED;
}

// Aborts the association and keeps the socket (closing it now would race):
// usrsctp frees the association, and the reaper closes the socket after.
void abort_association(struct socket *so) {
    sctp_sndinfo info{};
    info.snd_flags = SCTP_ABORT;
    usrsctp_sendv(so, nullptr, 0, nullptr, 0, &info, sizeof info, SCTP_SENDV_SNDINFO, 0);
}

void reaper_loop() {
    Reaper &r = reaper();
    std::vector<Retired> work, keep;
    std::unique_lock<std::mutex> g(r.m);
    while (!r.stop) {
        if (r.list.empty()) r.cv.wait(g, [&] { return r.stop || !r.list.empty(); });
        else r.cv.wait_for(g, std::chrono::milliseconds(10), [&] { return r.stop; });
        if (r.stop) break;
        work.swap(r.list);
        bool draining = r.draining;
        g.unlock();
        uint64_t now = mono_ns();
        keep.clear();
        for (Retired x : work) {
            bool done = x.listener ? draining || now - x.since_ns >= kListenerRestNs : association_over(x.so);
            if (done) {
                usrsctp_close(x.so);
                continue;
            }
            if (!x.aborted && now - x.since_ns >= kShutdownPatienceNs) {
                abort_association(x.so);
                x.aborted = true;
            }
            keep.push_back(x);
        }
        work.clear();
        g.lock();
        r.list.insert(r.list.end(), keep.begin(), keep.end());
    }
}

void on_retired_listener_upcall(struct socket *so, void *, int);

// A retired association's upcall: nobody waits for its events any more.
void on_quiet_upcall(struct socket *, void *, int) {}

// Hands a socket to the reaper: an association is shut down gracefully, a
// listener keeps accepting only to shut down what still arrives.
void retire(struct socket *so, bool listener) {
    if (listener) {
        usrsctp_set_upcall(so, on_retired_listener_upcall, nullptr);
    } else {
        usrsctp_set_upcall(so, on_quiet_upcall, nullptr);
        usrsctp_shutdown(so, SHUT_WR);  // fails harmlessly when it is over already
    }
    Reaper &r = reaper();
    std::lock_guard<std::mutex> g(r.m);
    r.list.push_back({so, listener, false, mono_ns()});
    if (!r.running) {
        r.running = true;
        r.thread = std::thread(reaper_loop);
    }
    r.cv.notify_one();
}

// At exit: gives the reaper up to `patience_ns` to see the last
// associations end, then stops it.  True if it closed everything; what is
// left is not closed (that would race, see "Closing") but dies with the
// process.
bool reaper_finish(uint64_t patience_ns) {
    Reaper &r = reaper();
    std::unique_lock<std::mutex> g(r.m);
    if (!r.running) return true;
    r.draining = true;
    uint64_t until = mono_ns() + patience_ns;
    while (!r.list.empty() && mono_ns() < until) {
        g.unlock();
        usleep(5000);
        g.lock();
    }
    r.stop = true;
    r.cv.notify_one();
    g.unlock();
    r.thread.join();
    g.lock();
    return r.list.empty();
}

// A retired listener's upcall, on a receive thread: what completes now is
// accepted there (see "Accepting") and retired at once.
void on_retired_listener_upcall(struct socket *so, void *, int) {
    while (struct socket *n = usrsctp_accept(so, nullptr, nullptr)) retire(n, false);
}

// A listener's upcall: accepts what is complete (see "Accepting" above).
// Until the worker adopts an association, its events wake the listener's
// worker too.
void on_listener_upcall(struct socket *so, void *arg, int flags) {
    auto *ep = static_cast<UsrEp *>(arg);
    if (!ep) return;
    for (;;) {
        {
            std::lock_guard<std::mutex> g(ep->acc_m);
            if (ep->acc_listener != so || ep->acc_count == UsrEp::kAcceptQueue) break;
        }
        struct socket *n = usrsctp_accept(so, nullptr, nullptr);
        if (!n) break;
        usrsctp_set_upcall(n, on_upcall, ep);
        std::unique_lock<std::mutex> g(ep->acc_m);
        if (ep->acc_listener != so || ep->acc_count == UsrEp::kAcceptQueue) {
            g.unlock();
            retire(n, false);
            break;
        }
        ep->acc_q[(ep->acc_head + ep->acc_count) % UsrEp::kAcceptQueue] = n;
        ep->acc_count++;
    }
    on_upcall(so, arg, flags);
}

// The next association the listener's upcall accepted, or null.
struct socket *accepted_pop(UsrEp *ep) {
    std::lock_guard<std::mutex> g(ep->acc_m);
    if (!ep->acc_count) return nullptr;
    struct socket *n = ep->acc_q[ep->acc_head];
    ep->acc_head = (ep->acc_head + 1) % UsrEp::kAcceptQueue;
    ep->acc_count--;
    return n;
}

// ---- the process's stack ---------------------------------------------------------

struct StackState {
    std::mutex m;
    uint16_t port = 0;  // 0 = not started
    std::string failed; // set when usrsctp could not take its port: no retry
};
StackState &stack_state() {
    static StackState *s = new StackState;
    return *s;
}

// Finishes the stack at exit, once the reaper has closed every socket
// (usrsctp_finish() refuses while any is open).  An association still
// shutting down after a second (its peer gone) is left to the exit: the
// process ends with usrsctp's threads running, which only costs the peer a
// retransmitted SHUTDOWN.
struct StackFinisher {
    ~StackFinisher() {
        if (!stack_state().port || !reaper_finish(1'000'000'000ull)) return;
        for (int i = 0; i < 100 && usrsctp_finish() != 0; i++) usleep(10000);
    }
};
StackFinisher g_finisher;

// 0 if nothing holds UDP port `port` (IPv4, any address); else -errno.
int udp_port_taken(uint16_t port) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    int r = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) < 0 ? -errno : 0;
    close(fd);
    return r;
}

// A UDP port nothing holds now (the kernel's choice of an ephemeral port).
int free_udp_port() {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -errno;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    socklen_t l = sizeof a;
    int r = bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a);
    if (r == 0) r = getsockname(fd, reinterpret_cast<sockaddr *>(&a), &l);
    int e = errno;
    close(fd);
    return r < 0 ? -e : ntohs(a.sin_port);
}

// usrsctp gives its UDP sockets 128 KiB of receive buffer and no way to
// change it.  Several associations sending at once overflow that: the
// kernel drops datagrams at the socket, and SCTP then waits out its minimum
// retransmission timeout (1 s) to resend.  The sockets are found by their
// port among this process's descriptors and given `bytes` (SO_RCVBUFFORCE as
// root, else SO_RCVBUF up to net.core.rmem_max).  Returns how many it found.
int enlarge_udp_rcvbuf(uint16_t port, int bytes) {
    DIR *d = opendir("/proc/self/fd");
    if (!d) return 0;
    int found = 0;
    while (dirent *e = readdir(d)) {
        char *end = nullptr;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || fd < 0 || fd == dirfd(d)) continue;
        int type = 0;
        socklen_t l = sizeof type;
        if (getsockopt(int(fd), SOL_SOCKET, SO_TYPE, &type, &l) < 0 || type != SOCK_DGRAM) continue;
        sockaddr_storage a{};
        l = sizeof a;
        if (getsockname(int(fd), reinterpret_cast<sockaddr *>(&a), &l) < 0) continue;
        uint16_t p = a.ss_family == AF_INET    ? ntohs(reinterpret_cast<sockaddr_in *>(&a)->sin_port)
                     : a.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&a)->sin6_port)
                                               : 0;
        if (p != port) continue;
        if (setsockopt(int(fd), SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0)
            setsockopt(int(fd), SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
        found++;
    }
    closedir(d);
    return found;
}

// Starts the process's stack on UDP port `want` (0 = any: a free port, or
// the running stack's).  `strict`: a running stack on another port is an
// error (netserver's port is what its clients send to).
int stack_start(uint16_t want, bool strict, const char *what, int udp_rcvbuf, char *err, size_t elen) {
    StackState &s = stack_state();
    std::lock_guard<std::mutex> g(s.m);
    if (!s.failed.empty()) {
        set_err(err, elen, "%s", s.failed.c_str());
        return -EADDRINUSE;
    }
    if (s.port) {
        if (strict && want && want != s.port) {
            set_err(err, elen,
                    "usrsctp: this process's stack already runs on UDP port %u (one stack per process); "
                    "%s=%u cannot be honoured",
                    s.port, what, want);
            return -EADDRINUSE;
        }
        return 0;
    }
    int port = want;
    if (!port) {
        port = free_udp_port();
        if (port < 0) {
            set_err(err, elen, "usrsctp: no free UDP port for the encapsulation socket: %s", strerror(-port));
            return port;
        }
    }
    int r = udp_port_taken(uint16_t(port));
    if (r < 0) {
        set_err(err, elen,
                "usrsctp: UDP port %d (%s) cannot be bound: %s (another netserver or netperf running "
                "usrsctp there? choose another with --transport-opt %s=PORT)",
                port, what, strerror(-r), what);
        return r;
    }
    usrsctp_init(uint16_t(port), nullptr, nullptr);
    // usrsctp_init() reports nothing: if its UDP socket could not take the
    // port, binding the port ourselves still succeeds.
    if (udp_port_taken(uint16_t(port)) == 0) {
        char buf[NP_ERRLEN];
        snprintf(buf, sizeof buf, "usrsctp: the stack could not bind its UDP encapsulation port %d", port);
        s.failed = buf;
        set_err(err, elen, "%s", buf);
        return -EADDRINUSE;
    }
    if (udp_rcvbuf > 0) enlarge_udp_rcvbuf(uint16_t(port), udp_rcvbuf);
    s.port = uint16_t(port);
    return 0;
}

// ---- the context ---------------------------------------------------------------

struct UsrCtx {
    Doorbell *bell = nullptr;
    uint16_t remote_udp_port = 0;  // encapsulation port of the peers we connect to
    uint32_t max_eps = 0, max_inflight = 0;
    UsrEp **eps = nullptr;
    uint32_t *free_list = nullptr;
    uint32_t n_free = 0;
    np_op *staged = nullptr;  // FIFO ring of max_inflight
    uint32_t staged_head = 0, staged_count = 0;
    np_completion *done = nullptr;  // FIFO ring of completions
    uint32_t done_head = 0, done_count = 0, done_cap = 0;
    uint32_t parked = 0;  // ops waiting for an upcall
    np_transport_stats stats{};
};

UsrCtx *ctx_of(np_transport_ctx *c) { return reinterpret_cast<UsrCtx *>(c); }
UsrEp *ep_of(np_endpoint *e) { return reinterpret_cast<UsrEp *>(e); }
np_endpoint *handle(UsrEp *e) { return reinterpret_cast<np_endpoint *>(e); }

void push_done(UsrCtx *c, uint64_t user, int64_t result, UsrEp *ep) {
    // Capacity is max_inflight * 2 + max_eps + 8: every op completes once.
    uint32_t slot = (c->done_head + c->done_count) % c->done_cap;
    c->done[slot] = np_completion{user, result, ep ? handle(ep) : nullptr, 0, 0};
    c->done_count++;
}

UsrEp *ep_alloc(UsrCtx *c) {
    if (c->n_free == 0) return nullptr;
    UsrEp *ep = c->eps[c->free_list[--c->n_free]];
    ep->so = nullptr;
    ep->in_use = true;
    ep->listener = ep->connecting = ep->has_send = ep->has_recv = false;
    ep->bound_len = 0;
    ep->ready.store(0);
    return ep;
}

// Shuts the socket's association down and hands the socket to the reaper
// (see "Closing"); returns the slot.  Ops still parked are the caller's.  A
// listener also retires what it accepted but nobody adopted.
void ep_free(UsrCtx *c, UsrEp *ep) {
    if (ep->so && ep->listener) {
        {
            std::lock_guard<std::mutex> g(ep->acc_m);
            ep->acc_listener = nullptr;
        }
        retire(ep->so, true);
        while (struct socket *q = accepted_pop(ep)) retire(q, false);
    } else if (ep->so) {
        retire(ep->so, false);
    }
    c->stats.syscalls += ep->so ? 2 : 0;
    ep->so = nullptr;
    ep->in_use = false;
    c->free_list[c->n_free++] = ep->index;
}

// The socket options of a spec, as far as SCTP has them.  0 or -errno with
// err naming the option.
int apply_options(UsrCtx *c, struct socket *so, const np_endpoint_spec *s, bool connecting, char *err,
                  size_t elen) {
    if (s->flags & NP_EP_CORK) {
        set_err(err, elen, "TCP_CORK (-C) has no SCTP equivalent");
        return -EOPNOTSUPP;
    }
    if (s->cong_control[0]) {
        set_err(err, elen, "congestion control '%.15s': usrsctp has no TCP_CONGESTION", s->cong_control);
        return -EOPNOTSUPP;
    }
    if (s->flags & NP_EP_DONTROUTE) {
        set_err(err, elen, "SO_DONTROUTE: usrsctp sends through its own UDP socket, not a routed one");
        return -EOPNOTSUPP;
    }
    if (s->priority >= 0) {
        set_err(err, elen, "SO_PRIORITY %d: usrsctp sockets are not kernel sockets", s->priority);
        return -EOPNOTSUPP;
    }
    if (s->tos >= 0) {
        set_err(err, elen, "IP_TOS 0x%x: not supported on usrsctp sockets", s->tos);
        return -EOPNOTSUPP;
    }
    // SO_KEEPALIVE needs nothing: SCTP heartbeats are on by default.
    // SO_REUSEADDR needs nothing: SCTP leaves no TIME_WAIT behind.
    if (s->sndbuf > 0 && usrsctp_setsockopt(so, SOL_SOCKET, SO_SNDBUF, &s->sndbuf, sizeof(int)) < 0) {
        int e = errno;
        set_err(err, elen, "usrsctp SO_SNDBUF %d: %s", s->sndbuf, strerror(e));
        return -e;
    }
    if (s->rcvbuf > 0 && usrsctp_setsockopt(so, SOL_SOCKET, SO_RCVBUF, &s->rcvbuf, sizeof(int)) < 0) {
        int e = errno;
        set_err(err, elen, "usrsctp SO_RCVBUF %d: %s", s->rcvbuf, strerror(e));
        return -e;
    }
    int one = 1;
    if ((s->flags & NP_EP_NODELAY) && usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof one) < 0) {
        int e = errno;
        set_err(err, elen, "usrsctp SCTP_NODELAY: %s", strerror(e));
        return -e;
    }
    // A listener needs no remote port: an association it accepts answers
    // the port the peer's packets came from.
    if (connecting && c->remote_udp_port) {
        sctp_udpencaps enc{};
        enc.sue_address.ss_family = sa_family_t(s->family);
        enc.sue_assoc_id = SCTP_FUTURE_ASSOC;
        enc.sue_port = htons(c->remote_udp_port);
        if (usrsctp_setsockopt(so, IPPROTO_SCTP, SCTP_REMOTE_UDP_ENCAPS_PORT, &enc, sizeof enc) < 0) {
            int e = errno;
            set_err(err, elen, "usrsctp SCTP_REMOTE_UDP_ENCAPS_PORT %u: %s", c->remote_udp_port, strerror(e));
            return -e;
        }
    }
    return 0;
}

// Checks that a spec asks for what this path makes: one-to-one SCTP over IP.
int check_spec(const np_endpoint_spec *s, char *err, size_t elen) {
    if (s->family != AF_INET && s->family != AF_INET6) {
        set_err(err, elen, "usrsctp: address family %d: want AF_INET or AF_INET6", s->family);
        return -EAFNOSUPPORT;
    }
    if (s->socktype != SOCK_STREAM || (s->protocol != IPPROTO_SCTP && s->protocol != 0)) {
        set_err(err, elen, "socket type %d, protocol %d: the sctp transport makes SCTP associations "
                "(SOCK_STREAM, IPPROTO_SCTP) only", s->socktype, s->protocol);
        return -EPROTONOSUPPORT;
    }
    return 0;
}

// Creates a non-blocking SCTP socket for spec with its options, bound if the
// spec says so, its upcall pointing at ep.
int open_socket(UsrCtx *c, UsrEp *ep, const np_endpoint_spec *s, bool connecting, char *err, size_t elen) {
    int r = check_spec(s, err, elen);
    if (r < 0) return r;
    c->stats.syscalls++;
    struct socket *so = usrsctp_socket(s->family, SOCK_STREAM, IPPROTO_SCTP, nullptr, nullptr, 0, nullptr);
    if (!so) {
        int e = errno;
        set_err(err, elen, "usrsctp_socket(family %d): %s", s->family, strerror(e));
        return -e;
    }
    ep->so = so;
    if (usrsctp_set_non_blocking(so, 1) < 0) {
        r = -errno;
        set_err(err, elen, "usrsctp_set_non_blocking: %s", strerror(-r));
        return r;
    }
    r = apply_options(c, so, s, connecting, err, elen);
    if (r < 0) return r;
    if (s->local_len > 0) {
        c->stats.syscalls++;
        if (usrsctp_bind(so, const_cast<sockaddr *>(reinterpret_cast<const sockaddr *>(&s->local)), s->local_len) < 0) {
            r = -errno;
            set_err(err, elen, "usrsctp_bind: %s", strerror(-r));
            return r;
        }
    }
    // Before connect/listen: an event can then only be early, never lost.
    usrsctp_set_upcall(so, on_upcall, ep);
    return 0;
}

// ---- single-op executors: true when the op completed ---------------------------

// A non-blocking SCTP socket cannot queue a message larger than its send
// buffer at all (EMSGSIZE; netperf 2.7's blocking sender waits for room
// instead): grow the buffer to one message.  True if it now holds one.
bool grow_sndbuf(UsrCtx *c, UsrEp *ep, uint32_t len) {
    int have = 0, want = len > INT_MAX ? INT_MAX : int(len);
    socklen_t l = sizeof have;
    c->stats.syscalls += 3;
    usrsctp_getsockopt(ep->so, SOL_SOCKET, SO_SNDBUF, &have, &l);
    if (have >= want || usrsctp_setsockopt(ep->so, SOL_SOCKET, SO_SNDBUF, &want, sizeof want) < 0) return false;
    l = sizeof have;
    usrsctp_getsockopt(ep->so, SOL_SOCKET, SO_SNDBUF, &have, &l);
    return have >= want;
}

bool try_send(UsrCtx *c, UsrEp *ep, const np_op &op) {
    c->stats.syscalls++;
    ssize_t n = usrsctp_sendv(ep->so, op.buf, op.len, nullptr, 0, nullptr, 0, SCTP_SENDV_NOINFO, 0);
    if (n >= 0) {
        push_done(c, op.user, n, ep);
        return true;
    }
    int e = errno;
    if (e == EWOULDBLOCK || e == EAGAIN) return false;
    if (e == EMSGSIZE && grow_sndbuf(c, ep, op.len)) return try_send(c, ep, op);
    push_done(c, op.user, -e, ep);
    return true;
}

bool try_recv(UsrCtx *c, UsrEp *ep, const np_op &op) {
    for (;;) {
        int flags = 0;
        sctp_rcvinfo info;
        socklen_t info_len = sizeof info;
        unsigned int info_type = 0;
        c->stats.syscalls++;
        ssize_t n = usrsctp_recvv(ep->so, op.buf, op.len, nullptr, nullptr, &info, &info_len, &info_type, &flags);
        if (n < 0) {
            int e = errno;
            if (e == EWOULDBLOCK || e == EAGAIN) return false;
            push_done(c, op.user, -e, ep);
            return true;
        }
        // No event is subscribed to, but a notification must never be
        // counted as payload.  The end of the association shows as EOF
        // (n == 0), the way netperf 2.7's receiver sees it.
        if (flags & MSG_NOTIFICATION) continue;
        push_done(c, op.user, n, ep);
        return true;
    }
}

bool try_accept(UsrCtx *c, UsrEp *lep, const np_op &op) {
    struct socket *so = accepted_pop(lep);
    if (!so) return false;
    UsrEp *ep = ep_alloc(c);
    if (!ep) {
        retire(so, false);
        push_done(c, op.user, -EMFILE, lep);
        return true;
    }
    ep->so = so;
    // It inherited the listener's non-blocking mode; its events now wake
    // this endpoint (anything that came before is found by trying first).
    c->stats.syscalls++;
    usrsctp_set_upcall(so, on_upcall, ep);
    push_done(c, op.user, 0, ep);
    return true;
}

// A parked connect is done when the socket turns writable (associated) or
// carries an error.
bool finish_connect(UsrCtx *c, UsrEp *ep) {
    int soerr = 0;
    socklen_t l = sizeof soerr;
    c->stats.syscalls += 2;
    usrsctp_getsockopt(ep->so, SOL_SOCKET, SO_ERROR, &soerr, &l);
    if (soerr) {
        uint64_t user = ep->send_op.user;
        ep_free(c, ep);
        push_done(c, user, -soerr, nullptr);
        return true;
    }
    if (!(usrsctp_get_events(ep->so) & SCTP_EVENT_WRITE)) return false;
    ep->connecting = false;
    push_done(c, ep->send_op.user, 0, ep);
    return true;
}

void start_connect(UsrCtx *c, const np_op &op) {
    UsrEp *ep = ep_alloc(c);
    if (!ep) {
        push_done(c, op.user, -EMFILE, nullptr);
        return;
    }
    int r = open_socket(c, ep, op.spec, true, nullptr, 0);
    if (r == 0) {
        c->stats.syscalls++;
        const sockaddr *to = reinterpret_cast<const sockaddr *>(&op.spec->remote);
        if (usrsctp_connect(ep->so, const_cast<sockaddr *>(to), op.spec->remote_len) == 0) {
            push_done(c, op.user, 0, ep);
            return;
        }
        r = -errno;
    }
    if (r == -EINPROGRESS) {
        ep->connecting = ep->has_send = true;
        ep->send_op = op;
        c->parked++;
        c->stats.wouldblock++;
        return;
    }
    ep_free(c, ep);
    push_done(c, op.user, r, nullptr);
}

// Completes the parked ops of ep with -ECANCELED (close).
void cancel_parked(UsrCtx *c, UsrEp *ep) {
    if (ep->has_send) {
        c->parked--;
        push_done(c, ep->send_op.user, -ECANCELED, ep->connecting ? nullptr : ep);
    }
    if (ep->has_recv) {
        c->parked--;
        push_done(c, ep->recv_op.user, -ECANCELED, ep);
    }
    ep->has_send = ep->has_recv = ep->connecting = false;
}

// Parks op in slot `has`/`slot` of ep, or refuses a second one: the engine
// keeps at most one send and one receive per SCTP endpoint.
void park(UsrCtx *c, UsrEp *ep, bool &has, np_op &slot, const np_op &op) {
    if (has) {
        push_done(c, op.user, -EBUSY, ep);
        return;
    }
    has = true;
    slot = op;
    c->parked++;
    c->stats.wouldblock++;
}

void run_op(UsrCtx *c, const np_op &op) {
    UsrEp *ep = ep_of(op.ep);
    if (op.kind != NP_OP_CONNECT && (!ep || !ep->in_use)) {
        // An endpoint already closed: never close (or free) it twice.
        push_done(c, op.user, -EBADF, nullptr);
        return;
    }
    switch (op.kind) {
    case NP_OP_SEND:
        if (ep->has_send || !try_send(c, ep, op)) park(c, ep, ep->has_send, ep->send_op, op);
        return;
    case NP_OP_RECV:
        if (ep->has_recv || !try_recv(c, ep, op)) park(c, ep, ep->has_recv, ep->recv_op, op);
        return;
    case NP_OP_ACCEPT:
        if (ep->has_recv || !try_accept(c, ep, op)) park(c, ep, ep->has_recv, ep->recv_op, op);
        return;
    case NP_OP_CONNECT:
        start_connect(c, op);
        return;
    case NP_OP_SHUTDOWN:
        // SCTP has no half-close: SHUTDOWN is sent once everything queued is
        // acknowledged, and the peer's receiver then reads EOF.
        c->stats.syscalls++;
        push_done(c, op.user, usrsctp_shutdown(ep->so, SHUT_WR) < 0 ? -errno : 0, ep);
        return;
    case NP_OP_CLOSE:
        cancel_parked(c, ep);
        ep_free(c, ep);
        push_done(c, op.user, 0, nullptr);
        return;
    default:
        push_done(c, op.user, -EINVAL, ep);
    }
}

// Retries the parked ops of every endpoint an upcall has flagged.
void service(UsrCtx *c) {
    for (uint32_t i = 0; i < c->max_eps && c->parked; i++) {
        UsrEp *ep = c->eps[i];
        if (!ep->in_use || !(ep->has_send || ep->has_recv)) continue;
        if (!ep->ready.load() || !ep->ready.exchange(0)) continue;
        if (ep->has_send) {
            bool done = ep->connecting ? finish_connect(c, ep) : try_send(c, ep, ep->send_op);
            if (done) {
                ep->has_send = false;
                c->parked--;
                if (!ep->in_use) continue;  // a failed connect freed it
            }
        }
        if (ep->has_recv) {
            bool done = ep->listener ? try_accept(c, ep, ep->recv_op) : try_recv(c, ep, ep->recv_op);
            if (done) {
                ep->has_recv = false;
                c->parked--;
            }
        }
    }
}

// Lost upcalls.  libusrsctp 0.9.5 now and then leaves an association
// readable (its peer's response or SHUTDOWN queued) without calling the
// socket's upcall for it: seen in TCP_CRR -T sctp, where one transaction in
// a few hundred then waited for the end of the test, with no packet left in
// flight.  So a worker that has slept kRecheckNs without a ring asks usrsctp
// itself whether a parked op can proceed (usrsctp_get_events: one lock, no
// system call) and flags the endpoints that can.  Listeners are left out:
// their upcall accepts (see "Accepting"), and accepting on the worker is
// what usrsctp issue #697 crashes on.
constexpr uint64_t kRecheckNs = 2'000'000;

void recheck(UsrCtx *c) {
    for (uint32_t i = 0; i < c->max_eps; i++) {
        UsrEp *ep = c->eps[i];
        if (!ep->in_use || ep->listener || !ep->so || !(ep->has_send || ep->has_recv) || ep->ready.load()) continue;
        int want = SCTP_EVENT_ERROR | (ep->has_send ? SCTP_EVENT_WRITE : 0) | (ep->has_recv ? SCTP_EVENT_READ : 0);
        c->stats.syscalls++;
        if (usrsctp_get_events(ep->so) & want) ep->ready.store(1);
    }
}

// ---- the ops -------------------------------------------------------------------

void ctx_destroy(np_transport_ctx *h) {
    UsrCtx *c = ctx_of(h);
    if (!c) return;
    Pools &p = pools();
    std::lock_guard<std::mutex> g(p.m);
    for (uint32_t i = 0; i < c->max_eps && c->eps; i++) {
        UsrEp *ep = c->eps[i];
        if (!ep) continue;
        if (ep->in_use) ep_free(c, ep);
        ep->bell.store(nullptr);
        p.eps.push_back(ep);
    }
    if (c->bell) p.bells.push_back(c->bell);
    delete[] c->eps;
    delete[] c->free_list;
    delete[] c->staged;
    delete[] c->done;
    delete c;
}

int listen_ep(np_transport_ctx *h, const np_endpoint_spec *s, np_endpoint **out, char *err, size_t elen) {
    UsrCtx *c = ctx_of(h);
    if (!s || s->struct_size < offsetof(np_endpoint_spec, reserved)) {
        set_err(err, elen, "listen: endpoint spec too small");
        return -EINVAL;
    }
    UsrEp *ep = ep_alloc(c);
    if (!ep) {
        set_err(err, elen, "listen: no free endpoint slot (max %u)", c->max_eps);
        return -EMFILE;
    }
    np_endpoint_spec spec = *s;
    if (spec.local_len == 0) {
        // usrsctp needs a bound port to report: bind the wildcard, port 0.
        memset(&spec.local, 0, sizeof spec.local);
        spec.local.ss_family = sa_family_t(spec.family);
        spec.local_len = spec.family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
    }
    int r = open_socket(c, ep, &spec, false, err, elen);
    if (r == 0) {
        {
            std::lock_guard<std::mutex> g(ep->acc_m);
            ep->acc_listener = ep->so;
            ep->acc_head = ep->acc_count = 0;
        }
        ep->listener = true;
        usrsctp_set_upcall(ep->so, on_listener_upcall, ep);
    }
    if (r == 0 && usrsctp_listen(ep->so, 128) < 0) {
        r = -errno;
        set_err(err, elen, "usrsctp_listen: %s", strerror(-r));
    }
    if (r < 0) {
        ep_free(c, ep);
        return r;
    }
    memcpy(&ep->bound, &spec.local, spec.local_len);
    ep->bound_len = spec.local_len;
    *out = handle(ep);
    return 0;
}

// The port of the first local address usrsctp reports for so; -1 if none.
int local_port(struct socket *so) {
    sockaddr *addrs = nullptr;
    int n = usrsctp_getladdrs(so, 0, &addrs);
    int port = -1;
    if (n > 0 && addrs) {
        if (addrs->sa_family == AF_INET) port = ntohs(reinterpret_cast<sockaddr_in *>(addrs)->sin_port);
        else if (addrs->sa_family == AF_INET6) port = ntohs(reinterpret_cast<sockaddr_in6 *>(addrs)->sin6_port);
    }
    if (addrs) usrsctp_freeladdrs(addrs);
    return port;
}

// Copies the first address of a usrsctp address list.
uint32_t first_addr(const sockaddr *a, int n, sockaddr_storage *out) {
    if (n <= 0 || !a) return 0;
    uint32_t len = a->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : a->sa_family == AF_INET ? sizeof(sockaddr_in) : 0;
    memcpy(out, a, len);
    return len;
}

int ep_info(np_transport_ctx *, np_endpoint *h, np_endpoint_info *o) {
    UsrEp *ep = ep_of(h);
    if (!ep || !o || !ep->so) return -EINVAL;
    uint32_t sz = o->struct_size ? o->struct_size : sizeof *o;
    memset(o, 0, sizeof *o);
    o->struct_size = sz;
    o->sndbuf = o->rcvbuf = o->mss = o->retransmits = -1;
    if (ep->listener) {
        // The address it was bound to (the wildcard stays the wildcard),
        // with the port usrsctp chose.
        memcpy(&o->local, &ep->bound, ep->bound_len);
        o->local_len = ep->bound_len;
        int port = local_port(ep->so);
        if (port >= 0) {
            if (o->local.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6 *>(&o->local)->sin6_port = htons(uint16_t(port));
            else reinterpret_cast<sockaddr_in *>(&o->local)->sin_port = htons(uint16_t(port));
        }
    } else {
        sockaddr *addrs = nullptr;
        int n = usrsctp_getladdrs(ep->so, 0, &addrs);
        o->local_len = first_addr(addrs, n, &o->local);
        if (addrs) usrsctp_freeladdrs(addrs);
        addrs = nullptr;
        n = usrsctp_getpaddrs(ep->so, 0, &addrs);
        o->remote_len = first_addr(addrs, n, &o->remote);
        if (addrs) usrsctp_freepaddrs(addrs);
        sctp_assoc_value av{};
        socklen_t l = sizeof av;
        if (usrsctp_getsockopt(ep->so, IPPROTO_SCTP, SCTP_MAXSEG, &av, &l) == 0) o->mss = int32_t(av.assoc_value);
    }
    socklen_t l = sizeof(int);
    usrsctp_getsockopt(ep->so, SOL_SOCKET, SO_SNDBUF, &o->sndbuf, &l);
    l = sizeof(int);
    usrsctp_getsockopt(ep->so, SOL_SOCKET, SO_RCVBUF, &o->rcvbuf, &l);
    return 0;
}

void ep_close(np_transport_ctx *h, np_endpoint *e) {
    UsrCtx *c = ctx_of(h);
    UsrEp *ep = ep_of(e);
    if (!ep || !ep->in_use) return;
    if (ep->has_send) c->parked--;
    if (ep->has_recv) c->parked--;
    ep->has_send = ep->has_recv = ep->connecting = false;
    ep_free(c, ep);
}

uint32_t stage(np_transport_ctx *h, const np_op *ops, uint32_t n) {
    UsrCtx *c = ctx_of(h);
    uint32_t room = c->max_inflight - c->staged_count;
    if (n > room) n = room;
    for (uint32_t i = 0; i < n; i++) c->staged[(c->staged_head + c->staged_count + i) % c->max_inflight] = ops[i];
    c->staged_count += n;
    return n;
}

int commit(np_transport_ctx *h) {
    UsrCtx *c = ctx_of(h);
    if (c->staged_count == 0) return 0;
    c->stats.batches++;
    while (c->staged_count) {
        np_op op = c->staged[c->staged_head];
        c->staged_head = (c->staged_head + 1) % c->max_inflight;
        c->staged_count--;
        run_op(c, op);
    }
    return 0;
}

uint32_t reap(np_transport_ctx *h, np_completion *out, uint32_t max, int64_t timeout_ns) {
    UsrCtx *c = ctx_of(h);
    uint64_t deadline = 0;
    while (c->parked) {
        uint32_t seen = c->bell->seq.load();
        service(c);
        if (c->done_count || !c->parked || timeout_ns <= 0) break;
        uint64_t now = mono_ns();
        if (!deadline) deadline = now + uint64_t(timeout_ns);
        if (now >= deadline) break;
        c->stats.syscalls++;
        uint64_t slice = deadline - now < kRecheckNs ? deadline - now : kRecheckNs;
        c->bell->wait(seen, int64_t(slice));
        if (c->bell->seq.load() == seen) recheck(c);
    }
    uint32_t n = 0;
    while (n < max && c->done_count) {
        out[n++] = c->done[c->done_head];
        c->done_head = (c->done_head + 1) % c->done_cap;
        c->done_count--;
    }
    return n;
}

int stats(np_transport_ctx *h, np_transport_stats *out) {
    if (!h || !out) return -EINVAL;
    *out = ctx_of(h)->stats;
    return 0;
}

}  // namespace

uint16_t usr_stack_port() {
    StackState &s = stack_state();
    std::lock_guard<std::mutex> g(s.m);
    return s.port;
}

int usr_ctx_create(const np_ctx_params *p, const Options &o, np_transport_ctx **out, char *err, size_t elen) {
    bool server = p->flags & NP_CTX_SERVER;
    int r = server ? stack_start(o.server_udp_port, true, "server_udp_port", o.udp_rcvbuf, err, elen)
                   : stack_start(o.client_udp_port, o.client_udp_port != 0, "client_udp_port", o.udp_rcvbuf, err,
                                 elen);
    if (r < 0) return r;
    auto *c = new (std::nothrow) UsrCtx();
    if (!c) return -ENOMEM;
    c->remote_udp_port = server ? 0 : o.server_udp_port;
    c->max_eps = p->max_endpoints ? p->max_endpoints : 4;
    c->max_inflight = p->max_inflight ? p->max_inflight : 64;
    c->done_cap = c->max_inflight * 2 + c->max_eps + 8;
    c->eps = new (std::nothrow) UsrEp *[c->max_eps]();
    c->free_list = new (std::nothrow) uint32_t[c->max_eps];
    c->staged = new (std::nothrow) np_op[c->max_inflight];
    c->done = new (std::nothrow) np_completion[c->done_cap];
    c->stats.struct_size = sizeof c->stats;
    if (!c->eps || !c->free_list || !c->staged || !c->done) {
        set_err(err, elen, "usrsctp: out of memory for a context of %u endpoints", c->max_eps);
        ctx_destroy(reinterpret_cast<np_transport_ctx *>(c));
        return -ENOMEM;
    }
    {
        Pools &pl = pools();
        std::lock_guard<std::mutex> g(pl.m);
        if (!pl.bells.empty()) {
            c->bell = pl.bells.back();
            pl.bells.pop_back();
        } else {
            c->bell = new (std::nothrow) Doorbell;
        }
        for (uint32_t i = 0; i < c->max_eps && c->bell; i++) {
            UsrEp *ep;
            if (!pl.eps.empty()) {
                ep = pl.eps.back();
                pl.eps.pop_back();
            } else {
                ep = new (std::nothrow) UsrEp;
                if (!ep) break;
            }
            ep->index = i;
            ep->in_use = false;
            ep->bell.store(c->bell);
            c->eps[i] = ep;
            c->free_list[i] = c->max_eps - 1 - i;
        }
    }
    if (!c->bell || !c->eps[c->max_eps - 1]) {
        set_err(err, elen, "usrsctp: out of memory for a context of %u endpoints", c->max_eps);
        ctx_destroy(reinterpret_cast<np_transport_ctx *>(c));
        return -ENOMEM;
    }
    c->n_free = c->max_eps;
    *out = reinterpret_cast<np_transport_ctx *>(c);
    return 0;
}

void usr_fill_ops(np_transport_ops &ops) {
    ops.ctx_destroy = ctx_destroy;
    ops.listen = listen_ep;
    ops.ep_info = ep_info;
    ops.ep_close = ep_close;
    ops.stage = stage;
    ops.commit = commit;
    ops.reap = reap;
    ops.stats = stats;
}

}  // namespace np_sctp
