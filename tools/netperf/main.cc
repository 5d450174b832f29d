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
#include <netperf/output.h>
#include <netperf/session.h>
#include <netperf/transport.h>

namespace {

void on_sigint(int) { netperf::g_interrupt.fetch_add(1); }

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

int run(netperf::NetperfCommand &cmd) {
    using namespace netperf;
    if (cmd.spec.test_name == "LOC_CPU") {
        // netperf 2.7 on Linux: "calibration" is the clock tick rate.
        printf("%ld", sysconf(_SC_CLK_TCK));
        fflush(stdout);
        return 0;
    }
    const Transport &transport = cached_transport(cmd.spec.transport);
    transport.validate_options(cmd.spec.transport_options);
    auto session = ClientSession::open(cmd.client);
    char fmt = cmd.fmt ? cmd.fmt : default_format(cmd.spec);
    if (fmt == 'x' && cmd.spec.is_stream()) fmt = 'm';  // 2.7 resets 'x' silently for stream tests
    OutputContext ctx{cmd, fmt, {}};
    ctx.conf.requested = cmd.iter_max > 1;
    ctx.conf.level = cmd.conf_level;
    ctx.conf.width = cmd.conf_width;

    TestResult banner_info;
    banner_info.spec = cmd.spec;
    int fam = cmd.spec.family == AF_UNSPEC ? AF_INET : cmd.spec.family;
    banner_info.local_family = banner_info.remote_family = fam;
    banner_info.local_addr = fam == AF_INET6 ? "::0" : "0.0.0.0";
    if (!cmd.spec.data_local_host.empty()) banner_info.local_addr = cmd.spec.data_local_host;
    banner_info.remote_addr = cmd.spec.data_remote_host.empty() ? cmd.client.host : cmd.spec.data_remote_host;
    banner_info.local_port_req = cmd.spec.data_port.local;
    banner_info.remote_port_req = cmd.spec.data_port.remote;
    fputs(human_banner(banner_info, ctx).c_str(), stdout);
    fflush(stdout);

    if (cmd.sleep_before_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(cmd.sleep_before_s));

    ConfidenceTracker ct(cmd.conf_level, cmd.conf_width, cmd.conf_throughput_only);
    TestResult last;
    std::vector<TestResult> all;
    auto sink = [&](const IntervalSample &s) {
        fputs(interim_line(s, banner_info, ctx).c_str(), stdout);
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
    ctx.conf.iterations = ct.iterations();
    ctx.conf.achieved = ct.achieved() || cmd.iter_max <= 1;
    ctx.conf.throughput_width = ct.throughput_width();
    ctx.conf.local_cpu_width = ct.local_cpu_width();
    ctx.conf.remote_cpu_width = ct.remote_cpu_width();
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
