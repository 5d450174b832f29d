// netserver's netperf 2.x protocol: requests dispatched by code.  Codes this
// netserver does not serve get serv_errno 998 and the session goes on, as a
// stock netserver does (PROTOCOL.md §3).
#include "sessions.h"

namespace netperf {

void serve_legacy(ControlConn &conn, const ServerOptions &, wire::Message first) {
    wire::Message m = first;
    for (;;) {
        wire::Message reply;
        reply.type = m.type;
        reply.word1 = wire::kUnknownTestErrno;
        conn.send_legacy(reply, -1);
        uint8_t buf[wire::kMessageSize];
        if (!conn.recv_exact(buf, sizeof buf, 600000)) return;
        m = wire::decode(buf, -1);
    }
}

}  // namespace netperf
