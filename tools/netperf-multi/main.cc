// netperf-multi: several netperf tests at once, started at one instant.
//
//   netperf-multi -H server -n 4                      # 4 OMNI stream tests
//   netperf-multi -H server -n 2 -t TCP_RR --affinity --aggregate
//   netperf-multi --config instances.yaml --aggregate --format json
#include <cmath>
#include <csignal>
#include <cstdio>
#include <mutex>

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <netperf/cli.h>
#include <netperf/multi.h>
#include <netperf/omni.h>
#include <netperf/output.h>
#include <netperf/report.h>

namespace {

void on_sigint(int) { netperf::g_interrupt.fetch_add(1); }

std::string fixed(double v, int prec) {
    char b[64];
    snprintf(b, sizeof b, "%.*f", prec, v);
    return b;
}

void print_human(const netperf::MultiResult &r, bool aggregate, const std::string &what) {
    using namespace netperf;
    const MultiAggregate &a = r.aggregate;
    printf("netperf-multi: %d instance%s of %s", a.instances, a.instances == 1 ? "" : "s", what.c_str());
    if (a.start_skew_us >= 0)
        printf(", start skew %.3f ms (%s)", a.start_skew_us / 1e3,
               a.synchronized ? "synchronized start"
               : a.skew_both_ends ? "loose start: not every server could synchronise"
                                  : "loose start: not every server could synchronise; skew of this host's ends only");
    printf("\n%-10s %-8s %12s %-11s %8s %12s %9s %9s  %s\n", "Instance", "Adapter", "Throughput", "Units",
           "Elapsed", "Trans/s", "Mean(us)", "P99(us)", "Status");
    for (const auto &i : r.instances) {
        if (!i.ok) {
            printf("%-10s %-8s %12s %-11s %8s %12s %9s %9s  FAILED after %d attempt%s: %s\n", i.name.c_str(),
                   i.adapter.empty() ? "-" : i.adapter.c_str(), "-", "-", "-", "-", "-", "-", i.attempts,
                   i.attempts == 1 ? "" : "s", i.error.c_str());
            continue;
        }
        const Metrics &m = i.metrics;
        printf("%-10s %-8s %12.2f %-11s %8.2f %12.2f %9.2f %9.2f  ok%s\n", i.name.c_str(),
               i.adapter.empty() ? "-" : i.adapter.c_str(), m.throughput, m.units.c_str(), i.result.elapsed_s,
               m.transaction_rate, m.lat_mean, m.lat_p99, i.result.synchronized ? "" : " (late start)");
    }
    if (!aggregate) return;
    printf("\nAggregate: %.2f %s over %d instance%s", a.throughput, a.units.c_str(), a.instances - a.failed,
           a.instances - a.failed == 1 ? "" : "s");
    if (a.failed) {
        printf(" (%d FAILED, not included:", a.failed);
        for (auto &f : a.failed_names) printf(" %s", f.c_str());
        printf(")");
    }
    printf("\n");
    if (a.instances - a.failed > 0)
        printf("  min %s %.2f, max %s %.2f\n", a.min_instance.c_str(), a.min_throughput, a.max_instance.c_str(),
               a.max_throughput);
    if (a.latency.count())
        printf("  latency (merged histograms%s): mean %.2f us, p50 %.2f, p90 %.2f, p99 %.2f, p99.9 %.2f us\n",
               a.latency_rr_only ? " of the request/response instances" : "", a.mean_latency_us, a.p50_us, a.p90_us, a.p99_us, a.p999_us);
    if (a.transaction_rate > 0) printf("  transactions: %.2f /s\n", a.transaction_rate);
    if (a.local_cpu >= 0 || a.remote_cpu >= 0)
        printf("  CPU: local %s %%, remote %s %%%s; service demand of the total work: local %s, remote %s %s\n",
               a.local_cpu >= 0 ? fixed(a.local_cpu, 2).c_str() : "-", a.remote_cpu >= 0 ? fixed(a.remote_cpu, 2).c_str() : "-",
               a.remote_hosts > 1 ? (" (mean of " + std::to_string(a.remote_hosts) + " servers)").c_str() : "",
               a.local_sd >= 0 ? fixed(a.local_sd, 3).c_str() : "-", a.remote_sd >= 0 ? fixed(a.remote_sd, 3).c_str() : "-",
               a.sd_units);
    if (a.per_adapter.size() > 1 || (a.per_adapter.size() == 1 && a.per_adapter[0].first != "-"))
        for (auto &[ad, tput] : a.per_adapter) {
            printf("  adapter %s: %.2f %s", ad.c_str(), tput, a.units.c_str());
            if (a.local_cpu > 0) printf(" (%.2f per %% local CPU)", tput / a.local_cpu);
            printf("\n");
        }
    if (!a.interval_rates.empty()) {
        printf("  aggregate intervals:");
        for (double v : a.interval_rates) printf(" %.2f", v);
        printf(" %s\n", a.units.c_str());
    }
}

// Each instance's netperf output (as netperf prints it: banner and result,
// honouring the instance's -P, -v and -k/-o/-O), in the run's units.
void print_instances_human(const netperf::MultiResult &r, const netperf::MultiPlan &plan) {
    using namespace netperf;
    for (size_t k = 0; k < r.instances.size(); k++) {
        const InstanceResult &i = r.instances[k];
        printf("--- %s: %s\n", i.name.c_str(), i.ok ? i.host.c_str() : ("FAILED: " + i.error).c_str());
        if (!i.ok) continue;
        const NetperfCommand &cmd = plan.instances[k].cmd;
        // In its own units, as netperf would print it.
        char fmt = cmd.fmt ? cmd.fmt : default_format(i.result.spec);
        if (fmt == 'x' && i.result.spec.is_stream()) fmt = 'm';
        OutputContext ctx{cmd, fmt, {}, omni_test_uuid(cmd)};
        TestResult t = charged_result(i);  // the CPU charged to it, and so its service demand
        t.remote_name = cmd.spec.data_remote_host.empty() ? cmd.client.host : cmd.spec.data_remote_host;
        t.local_name = cmd.spec.data_local_host.empty() ? t.local_addr : cmd.spec.data_local_host;
        fputs(human_banner(t, ctx).c_str(), stdout);
        fputs(human_result(t, ctx).c_str(), stdout);
    }
    printf("\n");
}

nlohmann::json to_json(const netperf::MultiResult &r, const std::string &command_line) {
    using namespace netperf;
    using nlohmann::json;
    auto share = [](double s) { return s >= 0 ? json(s) : json(nullptr); };
    json inst = json::array();
    for (const auto &i : r.instances) {
        json j{{"name", i.name}, {"adapter", i.adapter}, {"host", i.host}, {"ok", i.ok}, {"attempts", i.attempts}};
        if (!i.ok) {
            j["error"] = i.error;
        } else {
            j["synchronized"] = i.result.synchronized;
            j["local_cpu_share"] = share(i.local_cpu_share);
            j["remote_cpu_share"] = share(i.remote_cpu_share);
            j["result"] = report_to_json(instance_report(i, r.fmt, command_line));
        }
        inst.push_back(j);
    }
    const MultiAggregate &a = r.aggregate;
    json agg{{"instances", a.instances},
             {"failed", a.failed},
             {"failed_instances", a.failed_names},
             {"synchronized", a.synchronized},
             {"start_skew_us", a.start_skew_us >= 0 ? json(a.start_skew_us) : json(nullptr)},
             {"skew_from", a.skew_both_ends ? "both ends" : "this host's ends"},
             {"min", {{"instance", a.min_instance}, {"throughput", a.min_throughput}}},
             {"max", {{"instance", a.max_instance}, {"throughput", a.max_throughput}}},
             {"interval_rates", a.interval_rates},
             {"remote_hosts_measured", a.remote_hosts},
             {"latency_from", a.latency_rr_only ? "request/response instances" : "all instances"}};
    json ad = json::object();
    for (auto &[k, v] : a.per_adapter) ad[k] = v;
    agg["per_adapter"] = ad;
    if (a.instances > a.failed) agg["result"] = report_to_json(aggregate_report(r, command_line));
    return json{{"instances", inst}, {"aggregate", agg}};
}

// key=value: the writer's lines for every instance and the aggregate, then
// what only a multi run has.
std::string to_keyval(const netperf::MultiResult &r, const std::string &command_line) {
    using namespace netperf;
    const MultiAggregate &a = r.aggregate;
    std::string out = report_to_keyval(multi_report(r, command_line));
    std::string failed;
    for (auto &n : a.failed_names) failed += (failed.empty() ? "" : ",") + n;
    char b[512];
    snprintf(b, sizeof b,
             "MULTI_INSTANCES=%d\nMULTI_FAILED=%d\nMULTI_FAILED_INSTANCES=%s\nMULTI_SYNCHRONIZED=%d\n"
             "MULTI_START_SKEW_US=%.3f\nMULTI_SKEW_FROM=%s\n",
             a.instances, a.failed, failed.c_str(), a.synchronized ? 1 : 0, a.start_skew_us,
             a.skew_both_ends ? "both_ends" : "local_ends");
    return out + b;
}

}  // namespace

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa {};
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, nullptr);

    // Everything after "--" is netperf's own command line for each instance.
    std::vector<std::string> netperf_args{"netperf"};
    int split = argc;
    for (int i = 1; i < argc; i++)
        if (std::string(argv[i]) == "--") {
            split = i;
            break;
        }
    for (int i = split + 1; i < argc; i++) netperf_args.push_back(argv[i]);

    CLI::App app{"netperf-multi: several netperf tests at once, started at one instant.\n"
                 "Arguments after -- are netperf's (global options, then -- and test options)."};
    std::string host = "localhost", config, format = "human", test = "OMNI", fmt;
    int port = 12865, n = 4, retries = 0;
    double length = 10, delay = 0.5, interval = 0;
    bool affinity = false, aggregate = false, no_progress = false;
    app.add_option("-H,--host", host, "netserver host for every instance");
    app.add_option("-p,--port", port, "netserver control port")->check(CLI::Range(1, 65535));
    app.add_option("-n,--instances", n, "number of instances")->check(CLI::Range(1, 1024));
    app.add_option("-l,--length", length, "test length in seconds")->check(CLI::Range(0.1, 86400.0));
    app.add_option("-t,--test", test, "netperf test name");
    app.add_option("-f,--units", fmt, "netperf -f units letter");
    app.add_option("--config", config, "JSON or YAML file listing the instances");
    app.add_flag("--affinity", affinity, "pin each instance to its own core (hwloc, NUMA-aware)");
    app.add_flag("--aggregate", aggregate, "print the aggregate");
    app.add_option("--retries", retries, "retries per failed instance")->check(CLI::Range(0, 100));
    app.add_option("--start-delay", delay, "seconds between setup and the agreed start")->check(CLI::Range(0.05, 60.0));
    app.add_option("-D,--interval", interval, "interim results every S seconds (0 = off)")->check(CLI::Range(0.0, 3600.0));
    app.add_option("--format", format, "human, csv, json or keyval (every instance and the aggregate)")
        ->check(CLI::IsMember({"human", "csv", "json", "keyval"}));
    app.add_flag("--no-progress", no_progress, "no live progress line on a terminal");
    try {
        app.parse(split, argv);
    } catch (const CLI::ParseError &e) {
        if (e.get_exit_code() == 0) return app.exit(e);
        fprintf(stderr, "netperf-multi: %s\n", e.what());
        return 1;
    }

    try {
        using namespace netperf;
        std::vector<std::string> base_args = {"netperf", "-H", host, "-p", std::to_string(port), "-t", test,
                                              "-l", std::to_string(int(std::ceil(length)))};
        if (!fmt.empty()) base_args.insert(base_args.end(), {"-f", fmt});
        base_args.insert(base_args.end(), netperf_args.begin() + 1, netperf_args.end());
        std::vector<char *> av;
        for (auto &s : base_args) av.push_back(s.data());
        NetperfCommand base = parse_netperf_command(int(av.size()), av.data());
        MultiPlan plan = config.empty() ? MultiPlan::uniform(base, n) : MultiPlan::from_config(config, base);
        plan.affinity = affinity;
        plan.retries = retries;
        plan.start_delay_s = delay;
        bool tty = isatty(STDERR_FILENO) && !no_progress && format == "human";
        plan.interval_s = interval > 0 ? interval : (tty ? 1.0 : 0.0);
        char units = base.fmt ? base.fmt : default_format(plan.instances[0].spec);
        bool all_rr = true;
        for (auto &i : plan.instances) all_rr = all_rr && i.spec.is_transactional();
        if (!base.fmt) units = all_rr ? 'x' : 'm';

        // Live one-line progress: the latest interval of every instance.
        std::mutex m;
        std::vector<double> latest(plan.instances.size(), 0);
        MultiProgress progress;
        if (tty)
            progress = [&](size_t i, const IntervalSample &s) {
                std::lock_guard<std::mutex> g(m);
                latest[i] = interval_rate(s, plan.instances[i].spec, units);
                double total = 0;
                for (double x : latest) total += x;
                fprintf(stderr, "\r[%6.1fs] total %.2f %s/s across %zu instances   ", s.start_s + s.duration_s, total,
                        units_name(units), latest.size());
                fflush(stderr);
            };
        MultiResult r = run_multi(plan, units, progress);
        if (tty) fprintf(stderr, "\n");
        std::string command_line;
        for (int i = 0; i < argc; i++) command_line += (i ? " " : "") + std::string(argv[i]);
        if (format == "human") {
            print_instances_human(r, plan);
            std::string tests;
            for (auto &ip : plan.instances)
                if (("," + tests + ",").find("," + ip.spec.test_name + ",") == std::string::npos)
                    tests += (tests.empty() ? "" : ",") + ip.spec.test_name;
            print_human(r, aggregate, tests + " to " + (config.empty() ? host : "the configured hosts"));
        } else {
            // Machine formats on stdout; failures named on stderr too.
            for (auto &i : r.instances)
                if (!i.ok)
                    fprintf(stderr, "netperf-multi: instance %s FAILED after %d attempt%s: %s\n", i.name.c_str(),
                            i.attempts, i.attempts == 1 ? "" : "s", i.error.c_str());
            if (format == "json") printf("%s\n", to_json(r, command_line).dump(2).c_str());
            else if (format == "csv") fputs(report_to_csv(multi_report(r, command_line), interval > 0).c_str(), stdout);
            else fputs(to_keyval(r, command_line).c_str(), stdout);
        }
        return r.aggregate.failed ? 2 : 0;
    } catch (const netperf::Error &e) {
        fprintf(stderr, "netperf-multi: %s\n", e.what());
        return 1;
    }
}
