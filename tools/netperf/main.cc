// netperf: runs one test against a netserver and prints netperf's output.
//
//   netperf -H 127.0.0.1 -l 10 -t TCP_RR
//   netperf -H 127.0.0.1 -t TCP_STREAM --flows 4
//   netperf -H 127.0.0.1 --direction simul --format json --output run.json
#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include <sys/utsname.h>
#include <unistd.h>

#include <netperf/addr.h>
#include <netperf/cli.h>
#include <netperf/confidence.h>
#include <netperf/omni.h>
#include <netperf/output.h>
#include <netperf/report.h>
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

// Where the human output goes: standard output, a buffer for --output
// FILE, or nowhere (a machine format on standard output).  Shared by the
// two directions of a simultaneous run, hence the lock.
class HumanSink {
  public:
    enum class To { Stdout, Buffer, None };
    explicit HumanSink(To to) : to_(to) {}
    void put(const std::string &text) {
        std::lock_guard<std::mutex> lock(mu_);
        if (to_ == To::Stdout) {
            fputs(text.c_str(), stdout);
            fflush(stdout);
        } else if (to_ == To::Buffer) {
            buffer_ += text;
        }
    }
    To to() const { return to_; }
    const std::string &buffer() const { return buffer_; }

  private:
    To to_;
    std::mutex mu_;
    std::string buffer_;
};

// One direction of a run ("" for a plain test, "tx" or "rx"): its command
// (the test of that direction), iterations and confidence state.
struct DirectionRun {
    std::string name;
    netperf::NetperfCommand cmd;
    netperf::TestResult banner_info;
    std::vector<netperf::TestResult> all;
    netperf::ConfidenceInfo conf;
    netperf::ConfidenceTracker tracker;
    bool modern = false;
    std::string server_version;
    std::string error;  // a failure in a simultaneous direction's thread
};

// A direction's output when a run has two: every line tagged
// ("[tx] Interim result: ..."), or with -k every key prefixed
// ("TX_THROUGHPUT=...") so that the keys stay unique.  `tag` "" = as is.
std::string labelled(const std::string &tag, const std::string &text, bool keyval) {
    if (tag.empty()) return text;
    std::string prefix;
    if (keyval) {
        for (char ch : tag) prefix += char(toupper(static_cast<unsigned char>(ch)));
        prefix += "_";
    } else {
        prefix = "[" + tag + "] ";
    }
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos) nl = text.size() - 1;
        out += (nl > pos ? prefix : std::string()) + text.substr(pos, nl - pos + 1);
        pos = nl + 1;
    }
    return out;
}

// Runs one direction's iterations (one, or until -i/-I's confidence).
void run_direction(DirectionRun &d, HumanSink &human, bool print_interim, const std::string &tag) {
    using namespace netperf;
    NetperfCommand &cmd = d.cmd;
    auto session = ClientSession::open(cmd.client);
    d.modern = session->modern();
    d.server_version = session->server_version();
    OutputContext ctx{cmd, cmd.fmt, d.conf, {}};
    // Interim lines are numbered across iterations, as 2.7's -k does.
    int interim_count = 0;
    // As 2.7's demo mode, a line is printed only when something moved: an
    // interval with nothing (a stall, or a boundary sampled just after a late
    // one) is folded into the next line, which spans both.  flent turns a
    // UDP_RR rate of 0 into no value and then fails interpolating next to it.
    double folded_s = 0;
    auto sink = [&](const IntervalSample &s) {
        if (!s.delta.bytes_sent && !s.delta.bytes_received && !s.delta.transactions) {
            folded_s += s.duration_s;
            return;
        }
        IntervalSample line;
        line.index = interim_count++;
        line.duration_s = folded_s + s.duration_s;
        folded_s = 0;
        line.end_wall_ns = s.end_wall_ns;
        line.delta = s.delta;
        human.put(labelled(tag, interim_line(line, d.banner_info, ctx), cmd.omni_mode == OmniMode::KeyVal));
    };
    for (int it = 0; it < cmd.iter_max; it++) {
        folded_s = 0;
        TestResult r = session->run(cmd.spec, print_interim ? IntervalSink(sink) : IntervalSink());
        Metrics m = compute_metrics(r, cmd.fmt);
        d.tracker.add(m.throughput, r.local.cpu.measured ? r.local.cpu.util : -1,
                      r.remote.cpu.measured ? r.remote.cpu.util : -1);
        d.all.push_back(r);
        if (r.partial || g_interrupt.load()) break;
        if (cmd.iter_max > 1 && d.tracker.done(cmd.iter_min, cmd.iter_max)) break;
    }
    session->close();
}

// Fills a direction's confidence state from its iterations (what 2.7
// prints: the means, the achieved widths) plus the latency percentiles'.
void finish_confidence(DirectionRun &d) {
    using namespace netperf;
    ConfidenceInfo &c = d.conf;
    c.iterations = d.tracker.iterations();
    c.achieved = d.tracker.achieved() || d.cmd.iter_max <= 1;
    c.throughput_width = d.tracker.throughput_width();
    c.local_cpu_width = d.tracker.local_cpu_width();
    c.remote_cpu_width = d.tracker.remote_cpu_width();
    average_iterations(d.all, d.cmd.fmt, c);
    latency_confidence(d.all, c);
}

std::string uname_release() {
    struct utsname u {};
    if (uname(&u) != 0) return {};
    return std::string(u.sysname) + " " + u.release;
}

std::string host_name() {
    char b[256] = {};
    gethostname(b, sizeof b - 1);
    return b;
}

int run(netperf::NetperfCommand &cmd) {
    using namespace netperf;
    if (cmd.spec.test_name == "LOC_CPU") {
        // netperf 2.7 on Linux: "calibration" is the clock tick rate.
        printf("%ld", sysconf(_SC_CLK_TCK));
        fflush(stdout);
        return 0;
    }
    if (cmd.spec.test_name == "REM_CPU") {
        int cpus = 0;
        printf("%g", remote_cpu_rate(cmd.client, &cpus));
        if (cmd.verbosity > 1) printf("\nThere %s %d remote %s\n", cpus > 1 ? "are" : "is", cpus, cpus > 1 ? "cpus" : "cpu");
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
    check_transport_caps(transport, cmd.spec, cmd.spec.family);
    if (!cmd.output_path.empty()) check_output_path(cmd.output_path);
    uint64_t started_wall = wall_ns();

    // The human output goes to standard output, unless a machine format
    // takes it (then only with --output FILE it stays there), or --output
    // FILE takes the human output itself.
    bool human_format = cmd.format == "human";
    HumanSink human(human_format ? (cmd.output_path.empty() ? HumanSink::To::Stdout : HumanSink::To::Buffer)
                                 : (cmd.output_path.empty() ? HumanSink::To::None : HumanSink::To::Stdout));
    // Interim lines: as -D says; without -D, when a person is watching.
    bool print_interim = cmd.interval_given ? cmd.interval_s > 0
                                            : human.to() == HumanSink::To::Stdout && isatty(STDOUT_FILENO);

    // The directions to run.
    std::vector<std::string> names;
    if (cmd.direction.empty()) names = {""};
    else if (cmd.direction == "tx" || cmd.direction == "rx") names = {cmd.direction};
    else names = {"tx", "rx"};
    bool simultaneous = cmd.direction == "simul";
    TestResultNames addr_names = banner_names(cmd);
    std::vector<std::unique_ptr<DirectionRun>> runs;
    for (auto &n : names) {
        auto d = std::make_unique<DirectionRun>(DirectionRun{
            n, cmd, {}, {}, {}, ConfidenceTracker(cmd.conf_level, cmd.conf_width, cmd.conf_throughput_only)});
        if (!n.empty()) d->cmd.spec = direction_spec(cmd.spec, n);
        NetperfCommand &c = d->cmd;
        if (!c.fmt) c.fmt = default_format(c.spec);
        if (c.fmt == 'x' && c.spec.is_stream()) c.fmt = 'm';  // 2.7 resets 'x' silently for stream tests
        d->conf.requested = c.iter_max > 1;
        d->conf.level = c.conf_level;
        d->conf.width = c.conf_width;
        d->conf.throughput_only = c.conf_throughput_only;
        d->banner_info.spec = c.spec;
        apply_names(d->banner_info, addr_names, true);
        d->banner_info.local_port_req = c.spec.data_port.local;
        d->banner_info.remote_port_req = c.spec.data_port.remote;
        runs.push_back(std::move(d));
    }
    std::string uuid = omni_test_uuid(cmd);
    auto banner_of = [&](DirectionRun &d) {
        OutputContext ctx{d.cmd, d.cmd.fmt, d.conf, uuid};
        return human_banner(d.banner_info, ctx);
    };

    // Two directions: their lines are labelled.
    auto tag_of = [multi = runs.size() > 1](const DirectionRun &d) { return multi ? d.name : std::string(); };

    if (cmd.sleep_before_s > 0) std::this_thread::sleep_for(std::chrono::duration<double>(cmd.sleep_before_s));
    if (simultaneous) {
        // Both directions at once, each on its own control connection.
        for (auto &d : runs) human.put(banner_of(*d));
        std::vector<std::thread> threads;
        for (auto &d : runs)
            threads.emplace_back([&human, &tag_of, print_interim, dp = d.get()] {
                try {
                    run_direction(*dp, human, print_interim, tag_of(*dp));
                } catch (const std::exception &e) {
                    dp->error = e.what();
                    g_interrupt.fetch_add(1);  // stop the other direction too
                }
            });
        for (auto &t : threads) t.join();
        for (auto &d : runs)
            if (!d->error.empty()) throw Error(d->name + ": " + d->error);
    }

    // Then the results, direction by direction (after its run, or after
    // both of a simultaneous run).
    std::vector<DirectionReport> reports;
    ConfidenceReport requested;
    requested.requested = cmd.iter_max > 1;
    requested.level = cmd.conf_level;
    requested.width_percent = cmd.conf_width;
    bool partial = false;
    for (auto &d : runs) {
        if (!simultaneous) {
            if (partial) break;  // interrupted: rx of bx does not start
            human.put(banner_of(*d));
            run_direction(*d, human, print_interim, tag_of(*d));
        }
        finish_confidence(*d);
        TestResult last = d->all.back();
        apply_names(last, addr_names, false);
        OutputContext ctx{d->cmd, d->cmd.fmt, d->conf, uuid};
        bool keyval = cmd.omni_mode == OmniMode::KeyVal;
        human.put(labelled(tag_of(*d), human_result(last, ctx) + latency_confidence_note(last, ctx), keyval));
        for (auto &r : d->all) partial = partial || r.partial;
        partial = partial || g_interrupt.load() > 0;
        reports.push_back(make_direction(d->name, d->all, d->cmd.fmt, requested));
        reports.back().result.local_name = last.local_name;
        reports.back().result.remote_name = last.remote_name;
    }
    if (simultaneous && reports.size() == 2) {
        reports.push_back(total_of(reports[0], reports[1], runs[0]->cmd.fmt));
        human.put(simultaneous_total(reports[0], reports[1], reports[2], cmd.omni_mode == OmniMode::KeyVal));
    }

    Report rep;
    rep.mode = simultaneous ? "simultaneous" : names.size() > 1 ? "sequential" : "single";
    rep.directions = std::move(reports);
    rep.fmt = runs.front()->cmd.fmt;
    rep.partial = partial;
    rep.netperf_version = NETPERF_VERSION;
    rep.command_line = cmd.command_line;
    rep.uuid = uuid;
    rep.local_host = host_name();
    rep.remote_host = cmd.client.host;
    rep.kernel = uname_release();
    rep.transport = cmd.spec.transport;
    rep.protocol = runs.front()->modern ? "netperf3" : "netperf2";
    rep.remote_version = runs.front()->server_version;
    rep.timestamp_ns = started_wall;

    std::string doc;
    if (cmd.format == "json") doc = report_to_json(rep).dump(2) + "\n";
    else if (cmd.format == "csv") doc = report_to_csv(rep, cmd.csv_intervals);
    else if (cmd.format == "keyval") doc = report_to_keyval(rep);
    else doc = human.buffer();
    if (!cmd.output_path.empty()) {
        write_file_atomically(cmd.output_path, doc);
    } else if (!human_format) {
        fputs(doc.c_str(), stdout);
        fflush(stdout);
    }
    if (partial) {
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
