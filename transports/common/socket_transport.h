// The BSD-socket data path shared by the sockets (TCP/UDP) and unix
// (AF_UNIX) transports.  Each plugin wraps it in its own ops table with its
// own name, capabilities and probe; the mechanics are the same syscalls.
//
// Two data paths, chosen once in ctx_create (never tested per op):
//   blocking  (NP_CTX_BLOCKING): one flow per worker; reap() runs the staged
//             ops in order as plain blocking syscalls.  The engine's slice
//             signal (NP_CTX_TICK) interrupts them every poll_slice_us so the
//             worker can check its deadline; without it each socket gets
//             SO_RCVTIMEO/SO_SNDTIMEO = poll_slice_us instead.  A ping-pong
//             costs exactly send + recv.
//   epoll     (many flows per worker): commit() tries every staged op at once
//             without blocking; ops that would block are parked on their
//             endpoint and retried when epoll (edge-triggered) reports it
//             ready.  reap() hands back completions in batches.
#ifndef NETPERF_TRANSPORTS_SOCKET_TRANSPORT_H
#define NETPERF_TRANSPORTS_SOCKET_TRANSPORT_H

#include <netperf/transport_abi.h>

namespace np_sock {

// Fills the data ops and control ops of `ops` (everything but the identity
// fields: name, description, caps, options, probe).
void fill_ops(np_transport_ops &ops);

}  // namespace np_sock

#endif
