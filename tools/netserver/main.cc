// netserver: serves netperf tests (netperf 3's protocol and netperf 2.x's on
// the same port), many clients at once.
//
//   netserver              # daemon on port 12865, all addresses
//   netserver -D -p 5000   # foreground, port 5000
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <fcntl.h>
#include <unistd.h>

#include <netperf/cli.h>
#include <netperf/session.h>

namespace {

const char *kUsage = R"(
Usage: netserver [options]

Options:
    -h                Display this text
    -D                Do not daemonize (stay in the foreground)
    -d                Increase debugging output
    -f                Accepted for compatibility (sessions never fork)
    -L name,family    Use name to pick listen address and family for family
    -N                No debugging output, even if netperf asks
    -p portnum        Listen for connect requests on portnum (12865)
    -4                Do IPv4
    -6                Do IPv6
    -v verbosity      Specify the verbosity level
    -V                Display version information and exit
    -Z passphrase     Expect passphrase as the first thing received
    --max-duration S  Longest test a client may ask for (3600 s)
    --max-flows N     Most flows one test may ask for (1024)
    --max-sessions N  Most concurrent control connections (256)
    --port-file FILE  Write the listening port to FILE (for -p 0)
    --fill-dir DIR    Let clients name fill files (netperf -F ,name) inside DIR
)";

long number(const char *opt, const char *v) {
    char *end = nullptr;
    long n = strtol(v, &end, 10);
    if (!*v || *end) {
        fprintf(stderr, "netserver: %s: '%s' is not a number\n", opt, v);
        exit(1);
    }
    return n;
}

}  // namespace

int main(int argc, char **argv) {
    netperf::ServerOptions opt;
    bool foreground = false;
    std::string port_file;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        auto value = [&](const char *name) -> const char * {
            if (a.size() > 2 && a[1] != '-') return argv[i] + 2;
            if (i + 1 >= argc) {
                fprintf(stderr, "netserver: option %s needs an argument\n", name);
                exit(1);
            }
            return argv[++i];
        };
        if (a == "-h" || a == "--help") {
            fprintf(stderr, "%s", kUsage);
            return 1;
        } else if (a == "-D") {
            foreground = true;
        } else if (a == "-d") {
            opt.verbose++;
        } else if (a == "-f" || a == "-N") {
        } else if (a == "-4") {
            opt.family = AF_INET;
        } else if (a == "-6") {
            opt.family = AF_INET6;
        } else if (a == "-V") {
            printf("Netperf version %s\n", NETPERF_VERSION);
            return 0;
        } else if (a.rfind("-p", 0) == 0) {
            long p = number("-p", value("-p"));
            if (p < 0 || p > 65535) {
                fprintf(stderr, "netserver: -p: port %ld out of range\n", p);
                return 1;
            }
            opt.port = int(p);
        } else if (a.rfind("-L", 0) == 0) {
            std::string h, f;
            netperf::split_pair(value("-L"), h, f, true);
            opt.listen_host = h;
            if (f.find('6') != std::string::npos) opt.family = AF_INET6;
            else if (!f.empty()) opt.family = AF_INET;
        } else if (a.rfind("-v", 0) == 0) {
            opt.verbose = int(number("-v", value("-v")));
        } else if (a.rfind("-Z", 0) == 0) {
            opt.passphrase = value("-Z");
        } else if (a == "--max-duration") {
            opt.limits.max_duration_s = double(number(a.c_str(), value(a.c_str())));
        } else if (a == "--max-flows") {
            opt.limits.max_flows = int(number(a.c_str(), value(a.c_str())));
        } else if (a == "--max-sessions") {
            opt.max_sessions = int(number(a.c_str(), value(a.c_str())));
        } else if (a == "--fill-dir") {
            opt.fill_dir = value(a.c_str());
        } else if (a == "--port-file") {
            port_file = value(a.c_str());
        } else {
            fprintf(stderr, "netserver: unknown option %s (netserver -h lists them)\n", a.c_str());
            return 1;
        }
    }
    try {
        return netperf::run_server(opt, [&](int port) {
            if (!port_file.empty()) {
                FILE *f = fopen(port_file.c_str(), "w");
                if (f) {
                    fprintf(f, "%d\n", port);
                    fclose(f);
                }
            }
            if (!foreground) {
                // Daemonize after the listener exists, so a failure to bind
                // is reported to whoever started us.
                if (daemon(0, opt.verbose > 0) != 0) {
                    perror("netserver: daemon");
                    exit(1);
                }
            } else {
                fprintf(stdout, "Starting netserver with host '%s' port '%d' and family %s\n",
                        opt.listen_host.empty() ? "IN(6)ADDR_ANY" : opt.listen_host.c_str(), port,
                        opt.family == AF_INET ? "AF_INET" : opt.family == AF_INET6 ? "AF_INET6" : "AF_UNSPEC");
                fflush(stdout);
            }
        });
    } catch (const netperf::Error &e) {
        fprintf(stderr, "netserver: %s\n", e.what());
        return 1;
    }
}
