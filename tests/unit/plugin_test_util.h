// Test helpers for a transport plugin's own tests: loading an optional
// plugin (and why it cannot run here), and one np_op.
#ifndef NETPERF_TESTS_PLUGIN_TEST_UTIL_H
#define NETPERF_TESTS_PLUGIN_TEST_UTIL_H

#include <netperf/transport.h>
#include <netperf/transport_abi.h>

#include <memory>
#include <string>

namespace plugin_test {

// The transport `name`, loaded and probed once; nullptr when it was not
// built or cannot run here, with the reason in `why`.
inline const netperf::Transport *optional_transport(const char *name, std::string &why,
                                                    std::unique_ptr<netperf::Transport> &slot) {
    if (!slot && why.empty()) {
        try {
            slot = netperf::load_transport(name);
            why = slot->probe();
        } catch (const netperf::Error &e) {
            why = e.what();
        }
    }
    return why.empty() ? slot.get() : nullptr;
}

// An endpoint spec with the system's defaults (no buffer sizes, priority
// or TOS set) and no addresses.
inline np_endpoint_spec default_spec(int family, int socktype, int protocol) {
    np_endpoint_spec s{};
    s.struct_size = sizeof s;
    s.family = family;
    s.socktype = socktype;
    s.protocol = protocol;
    s.sndbuf = s.rcvbuf = -1;
    s.priority = s.tos = -1;
    return s;
}

inline np_op make_op(uint8_t kind, np_endpoint *ep, void *buf, uint32_t len, uint64_t user) {
    np_op o{};
    o.kind = kind;
    o.ep = ep;
    o.buf = buf;
    o.len = len;
    o.user = user;
    return o;
}

}  // namespace plugin_test

#endif
