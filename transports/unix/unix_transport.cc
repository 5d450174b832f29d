// The "unix" transport: AF_UNIX stream and datagram sockets, for netperf's
// STREAM_STREAM, STREAM_RR, DG_STREAM and DG_RR tests.  Same syscalls as the
// sockets transport; addresses are filesystem paths.
#include <netperf/transport_abi.h>

#include <cerrno>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

#include "../common/socket_transport.h"

namespace {

int probe(char *why, size_t len) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(why, len, "unix: cannot create an AF_UNIX socket (errno %d)", errno);
        return -errno;
    }
    close(fd);
    return 0;
}

np_transport_ops make_ops() {
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "unix";
    ops.description = "Unix-domain sockets: stream and datagram on a filesystem path";
    ops.caps = NP_CAP_STREAM | NP_CAP_DGRAM | NP_CAP_CONNECT | NP_CAP_UNIX | NP_CAP_BLOCKING | NP_CAP_TICK;
    ops.n_options = 0;
    ops.options = nullptr;
    ops.probe = probe;
    np_sock::fill_ops(ops);
    return ops;
}

const np_transport_ops kOps = make_ops();

}  // namespace

extern "C" NP_TRANSPORT_EXPORT const np_transport_ops *np_transport_entry(void) { return &kOps; }
