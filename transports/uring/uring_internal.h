// Private to the uring transport: what the kernel here can do (detected
// once per process) and the kernel ABI values Debian 12's liburing 2.3
// headers lack.  The transport targets the running kernel, not the headers:
// every value below is the kernel's uapi number, checked at run time by
// probe() before anything uses it.
#ifndef NETPERF_TRANSPORTS_URING_INTERNAL_H
#define NETPERF_TRANSPORTS_URING_INTERNAL_H

#include <netperf/transport_abi.h>

#include <cstdint>

#include <liburing.h>

// send_zc: ask the kernel to say, in each notification, whether it copied.
#ifndef IORING_SEND_ZC_REPORT_USAGE
#define IORING_SEND_ZC_REPORT_USAGE (1U << 3)
#endif
// Set in a send_zc notification's res when the data was copied after all
// (always over loopback).
#ifndef IORING_NOTIF_USAGE_ZC_COPIED
#define IORING_NOTIF_USAGE_ZC_COPIED (1U << 31)
#endif

namespace np_uring {

// Opcodes newer than the 2.3 headers' enum (kernel uapi values).
constexpr uint8_t kOpFixedFdInstall = 54;  // IORING_OP_FIXED_FD_INSTALL, 6.8
constexpr uint8_t kOpBind = 56;            // IORING_OP_BIND, 6.11
// IORING_OP_URING_CMD on a socket: SOCKET_URING_OP_GETSOCKOPT and
// SOCKET_URING_OP_SETSOCKOPT, both 6.7.
constexpr uint32_t kSocketCmdGetsockopt = 2;  // SOL_SOCKET only
constexpr uint32_t kSocketCmdSetsockopt = 3;
// io_uring_register opcode the 2.3 library declares but does not export
// (io_uring_enable_rings is missing from liburing.so.2.3).
constexpr unsigned kRegisterEnableRings = 12;

// What this kernel offers, probed once per process (probe() and
// ctx_create() share it).  usable = the transport can run at all; the other
// fields are optional features, each backing one option.
struct Features {
    int status = 0;            // 0 = usable, else -errno
    char why[NP_ERRLEN] = "";  // unusable: the reason; usable: what is missing
    bool send_zc = false;          // IORING_OP_SEND_ZC (6.0): option send_zc
    bool buf_ring = false;         // provided buffer rings (5.19): option multishot
    bool fixed_fd_install = false; // FIXED_FD_INSTALL (6.8): ep_info on direct sockets
    bool bind = false;             // IORING_OP_BIND (6.11): fixed-file connect from a bound address
    bool defer_taskrun = false;    // SINGLE_ISSUER|DEFER_TASKRUN (6.1): option single_issuer
};

// The features of the running kernel (detected on first call; thread-safe).
const Features &features();

// Fills the SQE of a socket setsockopt command (the 2.3 headers have no
// io_uring_prep_cmd_sock; the fields overlay addr/off/file_index/addr3).
void prep_setsockopt(io_uring_sqe *sqe, int fd, int level, int optname, const void *optval,
                     uint32_t optlen);
// The same for a getsockopt command: optval receives the value (the
// command's result is the length; the kernel takes SOL_SOCKET only).
void prep_getsockopt(io_uring_sqe *sqe, int fd, int level, int optname, void *optval, uint32_t optlen);

}  // namespace np_uring

#endif
