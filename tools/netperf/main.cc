// netperf: runs one test against a netserver and prints netperf's output.
//
//   netperf -H 127.0.0.1 -l 10 -t TCP_RR
//   netperf -H 127.0.0.1 -t TCP_STREAM --flows 4
#include <csignal>
#include <cstdio>
#include <cstring>
#include <thread>

#include <netperf/addr.h>
#include <netperf/cli.h>
#include <netperf/confidence.h>
#include <netperf/omni.h>
#include <netperf/output.h>
#include <netperf/session.h>
#include <netperf/transport.h>

namespace {

void on_sigint(int) { netperf::g_interrupt.fetch_add(1); }

// The data addresses of a test as the banner and SOURCE_ADDR/DEST_ADDR
// show them.
struct TestResultNames {
    std::string local_name, local_addr, remote_name, remote_addr;
    int family = AF_INET;
};

int list_transports() {
    auto files = netperf::find_transport_files();
    if (files.empty()) {
        fprintf(stderr, "netperf: no transport plugins found (set NETPERF_PLUGIN_PATH)\n");
        return 1;
    }
    printf("%-10s %-9s %s\n", "NAME", "STATUS", "DESCRIPTION");
    for (auto &f : files) {
        try {
            auto t = netperf::Transport::open(f);
            std::string why = t->probe();
            printf("%-10s %-9s %s\n", t->name().c_str(), why.empty() ? "ok" : "unusable", t->ops().description);
            if (!why.empty()) printf("%-10s %-9s   (%s)\n", "", "", why.c_str());
        } catch (const netperf::Error &e) {
            printf("%-10s %-9s %s\n", "?", "refused", e.what());
        }
    }
    return 0;
}

int transport_help(const std::string &name) {
    auto t = netperf::load_transport(name);
    printf("%s: %s\n", t->name().c_str(), t->ops().description);
    std::string why = t->probe();
    printf("status: %s\n", why.empty() ? "usable here" : ("cannot run here: " + why).c_str());
    if (t->ops().n_options == 0) {
        printf("options: none\n");
        return 0;
    }
    printf("options (--transport-opt NAME=VALUE):\n");
    for (uint32_t i = 0; i < t->ops().n_options; i++) {
        const np_option_desc &o = t->ops().options[i];
        const char *type = o.type == NP_OPT_BOOL ? "bool" : o.type == NP_OPT_INT ? "int" : "string";
        printf("  %-16s %-6s default %-8s %s\n", o.name, type, o.default_value, o.help ? o.help : "");
    }
    return 0;
}

// What the banner names before the test runs: the data addresses as given
// and as resolved (2.7 prints "name (address)").  The run's own result
// carries the addresses the data connections used.
TestResultNames banner_names(const netperf::NetperfCommand &cmd) {
    using namespace netperf;
    TestResultNames n;
    n.remote_name = cmd.spec.data_remote_host.empty() ? cmd.client.host : cmd.spec.data_remote_host;
    n.remote_addr = n.remote_name;
    n.family = cmd.spec.family;
    if (cmd.spec.family == AF_UNIX) return n;
    try {
        sockaddr_storage ss = resolve(n.remote_name, 0, cmd.spec.family);
        n.remote_addr = addr_host(ss);
        n.family = ss.ss_family;
    } catch (const Error &) {
        // The session reports the failure; the banner shows the name.
        if (n.family == AF_UNSPEC) n.family = AF_INET;
    }
    n.local_name = n.family == AF_INET6 ? "::0" : "0.0.0.0";
    n.local_addr = n.family == AF_INET6 ? "::" : "0.0.0.0";
    if (!cmd.spec.data_local_host.empty()) {
        n.local_name = n.local_addr = cmd.spec.data_local_host;
        try {
            n.local_addr = addr_host(resolve(cmd.spec.data_local_host, 0, n.family));
        } catch (const Error &) {
        }
    }
    return n;
}

void apply_names(netperf::TestResult &r, const TestResultNames &n, bool addresses) {
    r.local_name = n.local_name;
    r.remote_name = n.remote_name;
    if (!addresses) return;
    r.local_addr = n.local_addr;
    r.remote_addr = n.remote_addr;
    r.local_family = r.remote_family = n.family;
}

int run(netperf::NetperfCommand &cmd) {
    using namespace netperf;
    if (cmd.spec.test_name == "LOC_CPU") {
        // netperf 2.7 on Linux: "calibration" is the clock tick rate.
        printf("%ld", sysconf(_SC_CLK_TCK));
        fflush(stdout);
        return 0;
    }
    if (cmd.omni_mode != OmniMode::None) {
        // -k ? / -o ? list the selectors (comma separated), -O ? one a line.
        if (cmd.omni_selection == "?") {
            fputs(omni_selector_list(cmd.omni_mode != OmniMode::Human).c_str(), stdout);
            return 0;
        }
        // Read the selection before the test (2.7 reads it after, and a
        // missing file loses the run); unknown names are dropped, as 2.7
        // does, but said.
        std::vector<std::string> unknown;
        omni_selection_of(cmd, &unknown);
        for (auto &u : unknown) fprintf(stderr, "netperf: ignoring unknown output selector '%s'\n", u.c_str());
    }
    const Transport &transport = cached_transport(cmd.spec.transport);
    transport.validate_options(cmd.spec.transport_options);
    auto session = ClientSession::open(cmd.client);
    char fmt = cmd.fmt ? cmd.fmt : default_format(cmd.spec);
    if (fmt == 'x' && cmd.spec.is_stream()) fmt = 'm';  // 2.7 resets 'x' silently for stream tests
    OutputContext ctx{cmd, fmt, {}, omni_test_uuid(cmd)};
    ctx.conf.requested = cmd.iter_max > 1;
    ctx.conf.level = cmd.conf_level;
    ctx.conf.width = cmd.conf_width;
    ctx.conf.throughput_only = cmd.conf_throughput_only;

    TestResultNames names = banner_names(cmd);
    TestResult banner_info;
    banner_info.spec = cmd.spec;
    apply_names(banner_info, names, true);
    banner_info.local_port_req = cmd.spec.data_port.local;
    banner_info.remote_port_req = cmd.spec.data_port.remote;
    fputs(human_banner(banner_info, ctx).c_str(), stdout);
    fflush(stdout);

    if (cmd.sleep_before_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(cmd.sleep_before_s));

    ConfidenceTracker ct(cmd.conf_level, cmd.conf_width, cmd.conf_throughput_only);
    TestResult last;
    std::vector<TestResult> all;
    // Interim lines are numbered across iterations, as 2.7's -k does.
    int interim_count = 0;
    auto sink = [&](const IntervalSample &s) {
        IntervalSample line;
        line.index = interim_count++;
        line.duration_s = s.duration_s;
        line.end_wall_ns = s.end_wall_ns;
        line.delta = s.delta;
        fputs(interim_line(line, banner_info, ctx).c_str(), stdout);
        fflush(stdout);
    };
    for (int it = 0; it < cmd.iter_max; it++) {
        TestResult r = session->run(cmd.spec, cmd.interval_s > 0 ? IntervalSink(sink) : IntervalSink());
        Metrics m = compute_metrics(r, fmt);
        ct.add(m.throughput, r.local.cpu.measured ? r.local.cpu.util : -1,
               r.remote.cpu.measured ? r.remote.cpu.util : -1);
        all.push_back(r);
        last = r;
        if (r.partial || g_interrupt.load()) break;
        if (cmd.iter_max > 1 && ct.done(cmd.iter_min, cmd.iter_max)) break;
    }
    session->close();
    apply_names(last, names, false);
    ctx.conf.iterations = ct.iterations();
    ctx.conf.achieved = ct.achieved() || cmd.iter_max <= 1;
    ctx.conf.throughput_width = ct.throughput_width();
    ctx.conf.local_cpu_width = ct.local_cpu_width();
    ctx.conf.remote_cpu_width = ct.remote_cpu_width();
    average_iterations(all, fmt, ctx.conf);
    fputs(human_result(last, ctx).c_str(), stdout);
    fflush(stdout);
    if (last.partial) {
        fprintf(stderr, "netperf: interrupted: results cover the part of the test that ran\n");
        return 130;
    }
    return 0;
}

}  // namespace

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    netperf::NetperfCommand cmd;
    try {
        cmd = netperf::parse_netperf_command(argc, argv);
    } catch (const netperf::UsageError &e) {
        if (*e.what()) {
            fprintf(stderr, "netperf: %s (netperf -h lists the options)\n", e.what());
        } else {
            fprintf(stderr, "%s", netperf::netperf_usage().c_str());
        }
        return 1;
    } catch (const netperf::Error &e) {
        fprintf(stderr, "netperf: %s\n", e.what());
        return 1;
    }
    try {
        if (cmd.show_version) {
            printf("Netperf version %s\n", NETPERF_VERSION);
            return 0;
        }
        if (cmd.list_transports) return list_transports();
        if (!cmd.transport_help.empty()) return transport_help(cmd.transport_help);
        return run(cmd);
    } catch (const netperf::Error &e) {
        fprintf(stderr, "netperf: %s\n", e.what());
        return 1;
    } catch (const std::exception &e) {
        fprintf(stderr, "netperf: internal error: %s\n", e.what());
        return 2;
    }
}
