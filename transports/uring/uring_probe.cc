// What the running kernel's io_uring can do: detected once per process by
// creating a small ring and trying what the opcode probe cannot tell
// (socket commands, buffer rings, DEFER_TASKRUN).  A missing required part
// makes the transport unusable with the reason; a missing optional part
// only disables the option that needs it.
#include "uring_internal.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <sys/socket.h>
#include <unistd.h>

namespace np_uring {

namespace {

// -1 when the sysctl does not exist (kernels before 6.6).
int io_uring_disabled_sysctl() {
    FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "r");
    if (!f) return -1;
    int v = -1;
    if (fscanf(f, "%d", &v) != 1) v = -1;
    fclose(f);
    return v;
}

void explain_setup_failure(Features &f, int r) {
    int sysctl = io_uring_disabled_sysctl();
    f.status = r;
    if (r == -ENOSYS) {
        snprintf(f.why, sizeof f.why,
                 "uring: io_uring_setup: ENOSYS (kernel built without io_uring, or a seccomp "
                 "filter blocks it)");
    } else if (r == -EPERM && sysctl == 2) {
        snprintf(f.why, sizeof f.why, "uring: io_uring is disabled (sysctl kernel.io_uring_disabled=2)");
    } else if (r == -EPERM && sysctl == 1) {
        snprintf(f.why, sizeof f.why,
                 "uring: kernel.io_uring_disabled=1 allows io_uring only to CAP_SYS_ADMIN or the "
                 "kernel.io_uring_group group");
    } else if (r == -EPERM) {
        snprintf(f.why, sizeof f.why,
                 "uring: io_uring_setup: EPERM (a seccomp filter or container policy forbids io_uring)");
    } else if (r == -ENOMEM) {
        snprintf(f.why, sizeof f.why, "uring: io_uring_setup: ENOMEM (RLIMIT_MEMLOCK too low for a ring?)");
    } else {
        snprintf(f.why, sizeof f.why, "uring: io_uring_setup: %s", strerror(-r));
    }
}

// Runs one SQE to completion on a private ring; its result or -errno.
int run_one(io_uring &ring) {
    io_uring_cqe *cqe = nullptr;
    int r = io_uring_submit_and_wait(&ring, 1);
    if (r < 0) return r;
    r = io_uring_peek_cqe(&ring, &cqe);
    if (r < 0) return r;
    int res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    return res;
}

bool setsockopt_command_works(io_uring &ring) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    static const int rcvbuf = 65536;
    io_uring_sqe *sqe = io_uring_get_sqe(&ring);
    prep_setsockopt(sqe, fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int r = run_one(ring);
    close(fd);
    return r == 0;
}

bool buf_ring_works(io_uring &ring) {
    void *mem = nullptr;
    if (posix_memalign(&mem, 4096, 4096) != 0) return false;
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<unsigned long>(mem);
    reg.ring_entries = 8;
    reg.bgid = 0;
    bool ok = io_uring_register_buf_ring(&ring, &reg, 0) == 0;
    if (ok) io_uring_unregister_buf_ring(&ring, 0);
    free(mem);
    return ok;
}

bool defer_taskrun_works() {
    io_uring r;
    io_uring_params p{};
    p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    if (io_uring_queue_init_params(4, &r, &p) != 0) return false;
    io_uring_queue_exit(&r);
    return true;
}

void append(char *buf, size_t len, const char *what) {
    size_t used = strlen(buf);
    if (used + 1 >= len) return;
    snprintf(buf + used, len - used, "%s%s", used ? ", " : "missing: ", what);
}

void detect(Features &f) {
    io_uring ring;
    io_uring_params params{};
    int r = io_uring_queue_init_params(8, &ring, &params);
    if (r < 0) return explain_setup_failure(f, r);

    // Required: the ring features and the network opcodes every pattern uses.
    struct {
        unsigned feat;
        const char *name;
    } feats[] = {
        {IORING_FEAT_NODROP, "IORING_FEAT_NODROP (5.5)"},
        {IORING_FEAT_FAST_POLL, "IORING_FEAT_FAST_POLL (5.7)"},
        {IORING_FEAT_EXT_ARG, "IORING_FEAT_EXT_ARG (5.11)"},
        {IORING_FEAT_CQE_SKIP, "IORING_FEAT_CQE_SKIP (5.17)"},
    };
    for (auto &ft : feats) {
        if (!(params.features & ft.feat)) {
            f.status = -EOPNOTSUPP;
            snprintf(f.why, sizeof f.why, "uring: the kernel's io_uring lacks %s", ft.name);
            io_uring_queue_exit(&ring);
            return;
        }
    }
    io_uring_probe *probe = io_uring_get_probe_ring(&ring);
    if (!probe) {
        f.status = -EOPNOTSUPP;
        snprintf(f.why, sizeof f.why, "uring: the kernel cannot list its io_uring opcodes (before 5.6)");
        io_uring_queue_exit(&ring);
        return;
    }
    struct {
        int op;
        const char *name;
    } ops[] = {
        {IORING_OP_SEND, "IORING_OP_SEND (5.6)"},         {IORING_OP_RECV, "IORING_OP_RECV (5.6)"},
        {IORING_OP_SENDMSG, "IORING_OP_SENDMSG (5.3)"},   {IORING_OP_RECVMSG, "IORING_OP_RECVMSG (5.3)"},
        {IORING_OP_ACCEPT, "IORING_OP_ACCEPT (5.5)"},     {IORING_OP_CONNECT, "IORING_OP_CONNECT (5.5)"},
        {IORING_OP_CLOSE, "IORING_OP_CLOSE (5.6)"},       {IORING_OP_SHUTDOWN, "IORING_OP_SHUTDOWN (5.11)"},
        {IORING_OP_SOCKET, "IORING_OP_SOCKET (5.19)"},    {IORING_OP_ASYNC_CANCEL, "IORING_OP_ASYNC_CANCEL (5.5)"},
        {IORING_OP_URING_CMD, "IORING_OP_URING_CMD (5.19)"},
        {IORING_OP_READ_FIXED, "IORING_OP_READ_FIXED (5.1)"},
        {IORING_OP_WRITE_FIXED, "IORING_OP_WRITE_FIXED (5.1)"},
    };
    for (auto &op : ops) {
        if (!io_uring_opcode_supported(probe, op.op)) {
            f.status = -EOPNOTSUPP;
            snprintf(f.why, sizeof f.why, "uring: the kernel's io_uring lacks %s", op.name);
            io_uring_free_probe(probe);
            io_uring_queue_exit(&ring);
            return;
        }
    }
    if (!setsockopt_command_works(ring)) {
        // Socket options of connections made on the data path are set with
        // this command, linked before the connect.
        f.status = -EOPNOTSUPP;
        snprintf(f.why, sizeof f.why,
                 "uring: the kernel's io_uring lacks socket setsockopt commands (SOCKET_URING_OP_SETSOCKOPT, 6.7)");
        io_uring_free_probe(probe);
        io_uring_queue_exit(&ring);
        return;
    }

    // Optional: each one backs an option and is reported when missing.
    f.send_zc = io_uring_opcode_supported(probe, IORING_OP_SEND_ZC);
    f.fixed_fd_install = probe->last_op >= kOpFixedFdInstall && io_uring_opcode_supported(probe, kOpFixedFdInstall);
    f.bind = probe->last_op >= kOpBind && io_uring_opcode_supported(probe, kOpBind);
    f.buf_ring = buf_ring_works(ring);
    f.defer_taskrun = defer_taskrun_works();
    io_uring_free_probe(probe);
    io_uring_queue_exit(&ring);
    if (!f.send_zc) append(f.why, sizeof f.why, "send_zc (IORING_OP_SEND_ZC, 6.0)");
    if (!f.buf_ring) append(f.why, sizeof f.why, "multishot (provided buffer rings, 5.19)");
    if (!f.fixed_fd_install) append(f.why, sizeof f.why, "fixed_files (IORING_OP_FIXED_FD_INSTALL, 6.8)");
    if (!f.bind) append(f.why, sizeof f.why, "fixed-file connect from a bound address (IORING_OP_BIND, 6.11)");
    if (!f.defer_taskrun) append(f.why, sizeof f.why, "single_issuer (IORING_SETUP_DEFER_TASKRUN, 6.1)");
}

}  // namespace

const Features &features() {
    static Features f;
    static std::once_flag once;
    std::call_once(once, [] { detect(f); });
    return f;
}

namespace {

void prep_sockopt_cmd(io_uring_sqe *sqe, uint32_t cmd, int fd, int level, int optname, const void *optval,
                      uint32_t optlen) {
    io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, nullptr, 0, 0);
    sqe->off = cmd;                                                     // cmd_op
    sqe->addr = uint64_t(uint32_t(level)) | (uint64_t(uint32_t(optname)) << 32);  // level, optname
    sqe->splice_fd_in = int32_t(optlen);                                // optlen
    sqe->addr3 = reinterpret_cast<uint64_t>(optval);                    // optval
}

}  // namespace

void prep_setsockopt(io_uring_sqe *sqe, int fd, int level, int optname, const void *optval,
                     uint32_t optlen) {
    prep_sockopt_cmd(sqe, kSocketCmdSetsockopt, fd, level, optname, optval, optlen);
}

void prep_getsockopt(io_uring_sqe *sqe, int fd, int level, int optname, void *optval, uint32_t optlen) {
    prep_sockopt_cmd(sqe, kSocketCmdGetsockopt, fd, level, optname, optval, optlen);
}

}  // namespace np_uring
