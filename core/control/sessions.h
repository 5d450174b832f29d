// Session entry points shared inside core/control.
#ifndef NETPERF_CONTROL_SESSIONS_H
#define NETPERF_CONTROL_SESSIONS_H

#include <memory>

#include <netperf/session.h>

namespace netperf {

// netperf 2.x protocol on an open control connection (legacy_client.cc).
std::unique_ptr<ClientSession> make_legacy_client(std::unique_ptr<ControlConn> conn, const ClientOptions &opt);

// Serves one control connection whose first message has been read
// (server_modern.cc, server_legacy.cc).
void serve_modern(ControlConn &conn, const ServerOptions &opt, const wire::Message &hello);
void serve_legacy(ControlConn &conn, const ServerOptions &opt, wire::Message first);

}  // namespace netperf

#endif
