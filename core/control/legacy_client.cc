// netperf's side of the netperf 2.x protocol.
#include "sessions.h"

namespace netperf {

std::unique_ptr<ClientSession> make_legacy_client(std::unique_ptr<ControlConn>, const ClientOptions &opt) {
    throw Error("the netserver at " + opt.host + " speaks only netperf 2.x's control protocol");
}

}  // namespace netperf
