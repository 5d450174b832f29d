// The "sockets" transport: TCP and UDP over BSD sockets, IPv4 and IPv6.
// This is the default transport and the reference every other one is
// compared against.
#include <netperf/transport_abi.h>

#include <cerrno>
#include <cstdio>

#include <sys/socket.h>
#include <unistd.h>

#include "../common/socket_transport.h"

namespace {

const np_option_desc kOptions[] = {
    {"busy_poll", NP_OPT_INT, "0", "SO_BUSY_POLL microseconds on every data socket (0 = off)"},
};

int probe(char *why, size_t len) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(why, len, "sockets: cannot create a TCP socket (errno %d)", errno);
        return -errno;
    }
    close(fd);
    return 0;
}

np_transport_ops make_ops() {
    np_transport_ops ops{};
    ops.abi_version = NP_TRANSPORT_ABI_VERSION;
    ops.struct_size = sizeof ops;
    ops.name = "sockets";
    ops.description = "BSD sockets: TCP and UDP, IPv4 and IPv6 (blocking or epoll)";
    ops.caps = NP_CAP_STREAM | NP_CAP_DGRAM | NP_CAP_CONNECT | NP_CAP_INET | NP_CAP_BLOCKING | NP_CAP_TICK;
    ops.n_options = sizeof kOptions / sizeof kOptions[0];
    ops.options = kOptions;
    ops.probe = probe;
    np_sock::fill_ops(ops);
    return ops;
}

const np_transport_ops kOps = make_ops();

}  // namespace

extern "C" NP_TRANSPORT_EXPORT const np_transport_ops *np_transport_entry(void) { return &kOps; }
