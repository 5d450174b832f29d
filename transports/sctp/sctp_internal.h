// The sctp transport's two stacks behind one ops table.  Private to
// transports/sctp: sctp_transport.cc (options, probe, the dispatch to a
// stack, the kernel path over transports/common) and sctp_usrsctp.cc (the
// usrsctp path).
#ifndef NETPERF_TRANSPORTS_SCTP_INTERNAL_H
#define NETPERF_TRANSPORTS_SCTP_INTERNAL_H

#include <netperf/transport_abi.h>

#include <cstddef>
#include <cstdint>

namespace np_sctp {

// IANA's port for SCTP over UDP (RFC 6951): netserver's usrsctp stack
// listens on it unless told otherwise.
constexpr uint16_t kDefaultServerUdpPort = 9899;

// Writes a control-path error message into err (len bytes; nothing if null).
void set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// Which SCTP implementation a context uses.
enum class Stack { Auto, Kernel, Usrsctp };

// A context's resolved transport options (see kOptions in sctp_transport.cc).
struct Options {
    Stack stack = Stack::Auto;
    uint16_t server_udp_port = kDefaultServerUdpPort;  // netserver's encapsulation port
    uint16_t client_udp_port = 0;                       // netperf's; 0 = a free one
    int udp_rcvbuf = 4 << 20;  // receive buffer of the stack's UDP sockets; 0 = usrsctp's
};

#ifdef NP_SCTP_HAVE_USRSCTP
// Creates a usrsctp context (starting the process's usrsctp stack on first
// use); 0 or -errno with err naming the cause.
int usr_ctx_create(const np_ctx_params *p, const Options &o, np_transport_ctx **out, char *err,
                   size_t err_len);

// Fills every op of the usrsctp path but the identity fields, probe and
// ctx_create (which takes parsed options).
void usr_fill_ops(np_transport_ops &ops);

// The UDP port the process's usrsctp stack listens on; 0 while not started.
uint16_t usr_stack_port();
#endif

}  // namespace np_sctp

#endif
