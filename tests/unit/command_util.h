// Test helper: a netperf command line parsed as the netperf tool parses it,
// and the result netperf's side builds for a test against 127.0.0.1.
#ifndef NETPERF_TESTS_COMMAND_UTIL_H
#define NETPERF_TESTS_COMMAND_UTIL_H

#include <netperf/cli.h>
#include <netperf/output.h>

#include <string>
#include <vector>

#include <netinet/in.h>

namespace command_util {

// parse({"-t", "TCP_RR", "--", "-r", "64"}): argv[0] is "netperf".
inline netperf::NetperfCommand parse(std::vector<std::string> args) {
    args.insert(args.begin(), "netperf");
    std::vector<char *> argv;
    for (auto &a : args) argv.push_back(a.data());
    return netperf::parse_netperf_command(int(argv.size()), argv.data());
}

// A result as netperf's side builds it for a test on 127.0.0.1.
inline netperf::TestResult result_for(const netperf::NetperfCommand &cmd) {
    netperf::TestResult r;
    r.spec = cmd.spec;
    r.local.present = r.remote.present = true;
    if (r.spec.family == AF_UNSPEC) r.spec.family = AF_INET;
    r.local_addr = "0.0.0.0";
    r.remote_addr = r.remote_name = "127.0.0.1";
    r.local_family = r.remote_family = AF_INET;
    return r;
}

}  // namespace command_util

#endif
