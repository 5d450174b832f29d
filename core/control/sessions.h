// Session entry points shared inside core/control.
#ifndef NETPERF_CONTROL_SESSIONS_H
#define NETPERF_CONTROL_SESSIONS_H

#include <memory>

#include <sys/socket.h>

#include <netperf/session.h>

namespace netperf {

// The two ends of a control connection (getpeername, getsockname).
struct ControlEnds {
    sockaddr_storage peer{}, self{};
};
ControlEnds control_ends(int fd);

// This side's report of one flow (its remote counters are the caller's).
FlowReport local_flow_report(const FlowResult &f);

// Throws "the test moved no data: <error>" when this side failed before
// moving a byte (and was not interrupted): the result would be all zeros.
void check_moved_data(const TestResult &tr, const RunResult &run);

// netperf 2.x protocol on an open control connection (legacy_client.cc).
std::unique_ptr<ClientSession> make_legacy_client(std::unique_ptr<ControlConn> conn, const ClientOptions &opt);

// Serves one control connection whose first message has been read
// (server_modern.cc, server_legacy.cc).
void serve_modern(ControlConn &conn, const ServerOptions &opt, const wire::Message &hello);
void serve_legacy(ControlConn &conn, const ServerOptions &opt, wire::Message first);

}  // namespace netperf

#endif
