// netperf-multi's engine: instances set up in parallel, one agreed start
// instant, retries, and an aggregate computed from raw counters and merged
// histograms (never from averaged percentiles).
#include <netperf/multi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>

#include <ifaddrs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <netinet/in.h>

#include <yaml-cpp/yaml.h>

#include <netperf/addr.h>
#include <netperf/cli.h>
#include <netperf/engine.h>
#include <netperf/omni.h>
#include <netperf/topology.h>

namespace netperf {

MultiPlan MultiPlan::uniform(const NetperfCommand &cmd, int n) {
    if (n < 1 || n > 1024) throw Error("instance count must be 1..1024");
    MultiPlan p;
    for (int i = 0; i < n; i++) {
        InstancePlan ip;
        ip.name = "i" + std::to_string(i);
        ip.client = cmd.client;
        ip.spec = cmd.spec;
        ip.cmd = cmd;
        p.instances.push_back(ip);
    }
    return p;
}

namespace {

// The first address of an interface in the wanted family ("" if none).
std::string address_of(const std::string &ifname, int family) {
    ifaddrs *ifs = nullptr;
    if (getifaddrs(&ifs) != 0) return {};
    std::string out;
    for (ifaddrs *i = ifs; i && out.empty(); i = i->ifa_next) {
        if (!i->ifa_addr || ifname != i->ifa_name) continue;
        int f = i->ifa_addr->sa_family;
        if (f != AF_INET && f != AF_INET6) continue;
        if (family != AF_UNSPEC && f != family) continue;
        sockaddr_storage ss{};
        memcpy(&ss, i->ifa_addr, f == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
        out = addr_host(ss);
    }
    freeifaddrs(ifs);
    return out;
}

std::string scalar(const YAML::Node &n, const std::string &what) {
    if (!n.IsScalar()) throw Error(what + " must be a single value");
    return n.as<std::string>();
}

// netperf arguments for one configured instance.
std::vector<std::string> instance_args(const YAML::Node &top, const YAML::Node &in, size_t idx,
                                       const ClientOptions &client) {
    std::vector<std::string> a{"netperf"};
    auto field = [&](const char *k) -> YAML::Node {
        if (in[k]) return in[k];
        return top[k];
    };
    std::string where = "instance " + std::to_string(idx) + ": ";
    std::string host = in["remote_host"] ? scalar(in["remote_host"], where + "remote_host") : client.host;
    a.insert(a.end(), {"-H", host});
    int port = client.port;
    if (in["remote_port"]) {
        std::string p = scalar(in["remote_port"], where + "remote_port");
        port = std::atoi(p.c_str());
        if (port < 1 || port > 65535) throw Error(where + "remote_port '" + p + "' out of range");
    }
    a.insert(a.end(), {"-p", std::to_string(port)});
    if (auto d = field("duration")) a.insert(a.end(), {"-l", scalar(d, where + "duration")});
    std::string test = "OMNI";
    if (auto t = field("test_type")) test = scalar(t, where + "test_type");
    a.insert(a.end(), {"-t", test});
    std::vector<std::string> test_opts;
    if (auto d = field("direction")) {
        if (test != "OMNI") throw Error(where + "direction applies to OMNI tests only");
        test_opts.insert(test_opts.end(), {"-d", scalar(d, where + "direction")});
    }
    std::string local_ip;
    if (in["local_ip"]) local_ip = scalar(in["local_ip"], where + "local_ip");
    else if (in["adapter"]) local_ip = address_of(scalar(in["adapter"], where + "adapter"), AF_UNSPEC);
    if (!local_ip.empty()) test_opts.insert(test_opts.end(), {"-L", local_ip});
    // Free-form netperf arguments: "args" (global) and "test_args" (after --).
    auto split = [](const std::string &s) {
        std::vector<std::string> v;
        size_t p = 0;
        while (p < s.size()) {
            size_t q = s.find(' ', p);
            if (q == std::string::npos) q = s.size();
            if (q > p) v.push_back(s.substr(p, q - p));
            p = q + 1;
        }
        return v;
    };
    if (auto g = field("args")) {
        auto v = split(scalar(g, where + "args"));
        a.insert(a.end(), v.begin(), v.end());
    }
    if (auto t = field("test_args")) {
        auto v = split(scalar(t, where + "test_args"));
        test_opts.insert(test_opts.end(), v.begin(), v.end());
    }
    if (!test_opts.empty()) {
        a.push_back("--");
        a.insert(a.end(), test_opts.begin(), test_opts.end());
    }
    return a;
}

}  // namespace

MultiPlan MultiPlan::from_config(const std::string &path, const NetperfCommand &base) {
    const ClientOptions &client = base.client;
    YAML::Node top;
    try {
        top = YAML::LoadFile(path);  // YAML is a superset of JSON: one parser for both
    } catch (const std::exception &e) {
        throw Error("config " + path + ": " + e.what());
    }
    if (!top.IsMap() || !top["instances"] || !top["instances"].IsSequence() || top["instances"].size() == 0)
        throw Error("config " + path + ": needs a non-empty 'instances' list");
    MultiPlan plan;
    size_t idx = 0;
    for (const auto &in : top["instances"]) {
        if (!in.IsMap()) throw Error("config " + path + ": instance " + std::to_string(idx) + " is not a map");
        std::vector<std::string> args = instance_args(top, in, idx, client);
        std::vector<char *> argv;
        for (auto &s : args) argv.push_back(s.data());
        NetperfCommand cmd;
        try {
            cmd = parse_netperf_command(int(argv.size()), argv.data());
        } catch (const Error &e) {
            throw Error("config " + path + ": instance " + std::to_string(idx) + ": " + e.what());
        }
        InstancePlan ip;
        ip.name = in["name"] ? scalar(in["name"], "name") : "i" + std::to_string(idx);
        // Names label CSV rows and prefix key=value keys: unique, and not
        // the aggregate's.
        if (ip.name.empty() || ip.name == "aggregate")
            throw Error("config " + path + ": instance " + std::to_string(idx) + ": name '" + ip.name +
                        "' is reserved or empty");
        for (const auto &other : plan.instances)
            if (other.name == ip.name)
                throw Error("config " + path + ": instance name '" + ip.name + "' appears twice");
        ip.adapter = in["adapter"] ? scalar(in["adapter"], "adapter") : "";
        ip.client = cmd.client;
        ip.client.passphrase = client.passphrase;
        ip.client.timeout_ms = client.timeout_ms;
        ip.spec = cmd.spec;
        ip.cmd = cmd;
        ip.cmd.client = ip.client;
        plan.instances.push_back(ip);
        idx++;
    }
    if (auto r = top["retries"]) plan.retries = std::atoi(scalar(r, "retries").c_str());
    return plan;
}

TestResult charged_result(const InstanceResult &i) {
    TestResult t = i.result;
    if (i.local_cpu_charged >= 0) t.local.cpu.util = i.local_cpu_charged;
    if (i.remote_cpu_charged >= 0) t.remote.cpu.util = i.remote_cpu_charged;
    return t;
}

MultiAggregate aggregate_instances(std::vector<InstanceResult> &inst, char fmt) {
    MultiAggregate a;
    a.units = fmt == 'x' ? "Trans/s" : std::string(units_name(fmt)) + "/s";
    a.sd_units = fmt == 'x' ? "usec/Tran" : "usec/KB";
    double lat_weighted = 0;
    uint64_t trans = 0;
    double units_total = 0, elapsed_max = 0;
    std::vector<uint64_t> starts;
    bool both_ends = true;
    std::map<std::string, double> adapters;
    // Machine-wide CPU, per machine: every instance on one host saw the
    // same CPU, so its figures are averaged, never added.
    struct Machine {
        double util = 0, tput = 0, elapsed = 0;
        int n = 0, ncpu = 1;
    };
    Machine local;
    std::map<std::string, Machine> servers;
    a.synchronized = true;
    bool first = true;
    // Latency: a request/response test's histogram holds transactions, a
    // stream test's its send calls; with both kinds, only transactions.
    bool any_rr = false;
    for (const auto &i : inst) any_rr = any_rr || (i.ok && i.result.spec.is_transactional());
    for (const auto &i : inst) {
        a.instances++;
        if (!i.ok) {
            a.failed++;
            a.failed_names.push_back(i.name);
            continue;
        }
        const TestResult &r = i.result;
        const Metrics &m = i.metrics;
        a.throughput += m.throughput;
        a.transaction_rate += m.transaction_rate;
        uint64_t t = r.local.counters.transactions;
        if (r.spec.is_transactional() == any_rr) {
            lat_weighted += r.local.latency.mean() * double(r.local.latency.count());
            trans += r.local.latency.count();
            a.latency.merge(r.local.latency);
        }
        if (first || m.throughput < a.min_throughput) {
            a.min_throughput = m.throughput;
            a.min_instance = i.name;
        }
        if (first || m.throughput > a.max_throughput) {
            a.max_throughput = m.throughput;
            a.max_instance = i.name;
        }
        first = false;
        auto add = [&](Machine &mc, const CpuUtil &c) {
            mc.util += c.util;
            mc.ncpu = c.num_cpus;
            mc.tput += m.throughput;
            mc.elapsed = std::max(mc.elapsed, r.elapsed_s);
            mc.n++;
        };
        if (r.local.cpu.measured) add(local, r.local.cpu);
        if (r.remote.cpu.measured) add(servers[i.host], r.remote.cpu);
        // Work done, in service-demand units (KB or transactions).
        double bytes = r.spec.pattern == Pattern::Stream && r.remote.present
                           ? double(r.remote.counters.bytes_received)
                           : double(r.local.counters.bytes_sent + r.local.counters.bytes_received);
        units_total += fmt == 'x' ? double(t) : bytes / 1024.0;
        elapsed_max = std::max(elapsed_max, r.elapsed_s);
        a.synchronized = a.synchronized && r.synchronized;
        if (r.local_start_ns) starts.push_back(r.local_start_ns);
        if (r.remote_start_ns) starts.push_back(r.remote_start_ns);
        else both_ends = false;
        adapters[i.adapter.empty() ? "-" : i.adapter] += m.throughput;
        // Intervals share boundaries (start + k * interval): add them up.
        // Each sample may be taken a little late, so rates (each over its
        // own duration) are summed, not raw counters over one duration.
        for (size_t k = 0; k < r.intervals.size(); k++) {
            if (a.interval_rates.size() <= k) a.interval_rates.resize(k + 1, 0.0);
            a.interval_rates[k] += interval_rate(r.intervals[k], r.spec, fmt);
            if (a.intervals.size() <= k) {
                IntervalSample s = r.intervals[k];
                s.flows.clear();
                a.intervals.push_back(s);
            } else {
                a.intervals[k].delta += r.intervals[k].delta;
                a.intervals[k].duration_s = std::max(a.intervals[k].duration_s, r.intervals[k].duration_s);
            }
        }
    }
    for (const auto &i : inst)
        a.latency_rr_only = a.latency_rr_only || (any_rr && i.ok && !i.result.spec.is_transactional());
    if (trans) a.mean_latency_us = lat_weighted / double(trans) / 1e3;
    if (a.latency.count()) {
        a.p50_us = a.latency.percentile(50) / 1e3;
        a.p90_us = a.latency.percentile(90) / 1e3;
        a.p99_us = a.latency.percentile(99) / 1e3;
        a.p999_us = a.latency.percentile(99.9) / 1e3;
    }
    // The service demand charges each machine's CPU time to the total work
    // of all instances (per-instance figures from machine-wide CPU would
    // count the same CPU once per instance).
    auto cpu_seconds = [](const Machine &mc) { return mc.util / mc.n / 100.0 * mc.ncpu * mc.elapsed; };
    if (local.n) {
        a.local_cpu = local.util / local.n;
        a.local_sd = service_demand(a.local_cpu, units_total, elapsed_max, local.ncpu);
    }
    if (!servers.empty()) {
        double util = 0, secs = 0;
        for (auto &[h, mc] : servers) {
            util += mc.util / mc.n;
            secs += cpu_seconds(mc);
        }
        a.remote_hosts = int(servers.size());
        a.remote_cpu = util / double(servers.size());
        a.remote_sd = units_total > 0 ? secs * 1e6 / units_total : -1;
    }
    if (starts.size() >= 2) {
        auto [lo, hi] = std::minmax_element(starts.begin(), starts.end());
        a.start_skew_us = double(*hi - *lo) / 1e3;
        a.skew_both_ends = both_ends;
    }
    // Each instance's part of a machine's CPU is its share of the
    // throughput through that machine: the shares add up to the measured
    // CPU, and the instances' service demands equal the aggregate's when
    // they run the same test.
    for (auto &i : inst) {
        if (!i.ok) continue;
        if (i.result.local.cpu.measured) {
            i.local_cpu_share = local.tput > 0 ? i.metrics.throughput / local.tput : 0;
            i.local_cpu_charged = local.util / local.n * i.local_cpu_share;
        }
        if (i.result.remote.cpu.measured) {
            const Machine &mc = servers[i.host];
            i.remote_cpu_share = mc.tput > 0 ? i.metrics.throughput / mc.tput : 0;
            i.remote_cpu_charged = mc.util / mc.n * i.remote_cpu_share;
        }
        Metrics m = compute_metrics(charged_result(i), fmt);
        i.metrics.local_sd = m.local_sd;
        i.metrics.remote_sd = m.remote_sd;
    }
    a.synchronized = a.synchronized && a.failed < a.instances;
    for (auto &[k, v] : adapters) a.per_adapter.emplace_back(k, v);
    return a;
}

MultiResult run_multi(const MultiPlan &plan, char fmt, const MultiProgress &progress) {
    const size_t n = plan.instances.size();
    if (n == 0) throw Error("no instances to run");
    MultiResult out;
    out.fmt = fmt;
    out.instances.resize(n);
    std::vector<InstancePlan> inst = plan.instances;
    if (plan.affinity) {
        // One core each, NUMA-aware: an instance's adapter pulls it to its node.
        auto topo = Topology::this_machine();
        for (size_t i = 0; i < n; i++) {
            if (inst[i].spec.cpu.local >= 0) continue;
            int numa = inst[i].adapter.empty() ? -1 : topo->nic_numa(inst[i].adapter);
            std::vector<int> cpus = topo->pick(int(n), numa);
            inst[i].spec.cpu.local = cpus[i];
        }
    }
    for (auto &ip : inst) ip.client.interval_s = plan.interval_s;

    // Phase 1: every instance connects and negotiates.
    std::vector<std::unique_ptr<ClientSession>> sessions(n);
    std::vector<std::thread> threads;
    std::vector<uint64_t> open_ns(n, 0);
    auto open_one = [&](size_t i) {
        uint64_t t0 = now_ns();
        InstanceResult &r = out.instances[i];
        r.name = inst[i].name;
        r.adapter = inst[i].adapter;
        r.host = inst[i].client.host;
        for (int a = 0; a <= plan.retries && !sessions[i]; a++) {
            r.attempts++;
            try {
                sessions[i] = ClientSession::open(inst[i].client);
            } catch (const Error &e) {
                r.error = e.what();
            }
        }
        open_ns[i] = now_ns() - t0;
    };
    for (size_t i = 0; i < n; i++) threads.emplace_back(open_one, i);
    for (auto &t : threads) t.join();
    threads.clear();

    // Phase 2: one instant for all; an instance that fails is retried at
    // once (late, and marked as not synchronized).
    // The rest of the setup (clock offset, data connections) happens before
    // the start and takes about as long as connecting did: on a loaded
    // machine the delay grows to four times the slowest connection (at
    // most 30 s), so that no instance arrives after the agreed instant.
    uint64_t slowest = *std::max_element(open_ns.begin(), open_ns.end());
    double delay_s = std::max(plan.start_delay_s, std::min(30.0, 4.0 * double(slowest) / 1e9));
    const uint64_t start_at = now_ns() + uint64_t(delay_s * 1e9);
    auto run_one = [&](size_t i) {
        InstanceResult &r = out.instances[i];
        uint64_t when = start_at;
        while (sessions[i]) {
            try {
                IntervalSink sink;
                if (progress) sink = [&, i](const IntervalSample &s) { progress(i, s); };
                r.result = sessions[i]->run_at(inst[i].spec, sink, when);
                if (when != start_at) r.result.synchronized = false;
                r.metrics = compute_metrics(r.result, fmt);
                r.ok = true;
                r.error.clear();
                sessions[i]->close();
                return;
            } catch (const Error &e) {
                r.error = e.what();
                sessions[i].reset();
                if (r.attempts > plan.retries) return;
                r.attempts++;
                try {
                    sessions[i] = ClientSession::open(inst[i].client);
                    when = now_ns() + 100000000ull;
                } catch (const Error &e2) {
                    r.error = e2.what();
                }
            }
        }
    };
    for (size_t i = 0; i < n; i++) threads.emplace_back(run_one, i);
    for (auto &t : threads) t.join();
    out.aggregate = aggregate_instances(out.instances, fmt);
    return out;
}

namespace {

// What every document of the run says about where it ran.
Report report_skeleton(const std::string &command_line, char fmt) {
    Report rep;
    rep.fmt = fmt;
    rep.netperf_version = NETPERF_VERSION;
    rep.command_line = command_line;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    rep.local_host = host;
    utsname u{};
    if (uname(&u) == 0) rep.kernel = std::string(u.sysname) + " " + u.release;
    rep.protocol = "netperf3";
    return rep;
}

void describe_peer(Report &rep, const InstanceResult &i) {
    rep.remote_host = i.host;
    rep.transport = i.result.transport;
    rep.remote_version = i.result.remote_version;
    rep.protocol = i.result.legacy_peer ? "netperf2" : "netperf3";
    rep.timestamp_ns = i.result.start_wall_ns;
    rep.partial = i.result.partial;
}

// An instance's direction, with the CPU charged to it (cpu shares).
DirectionReport instance_direction(const InstanceResult &i, char fmt) {
    if (!i.ok) {
        // Named, nothing measured: the writers print it as failed.
        DirectionReport d;
        d.name = i.name;
        return d;
    }
    return make_direction(i.name, {charged_result(i)}, fmt, ConfidenceReport{});
}

// The aggregate as one test: counters added, histograms merged, the
// machines' CPU; rates and service demands are the aggregate's own (a
// sum of rates is not the summed counters over the longest elapsed time).
DirectionReport aggregate_direction(const MultiResult &r) {
    const MultiAggregate &a = r.aggregate;
    TestResult t;
    bool have = false, same_test = true;
    double rt_weighted = 0, rate = 0;
    for (const auto &i : r.instances) {
        if (!i.ok) continue;
        const TestResult &x = i.result;
        if (!have) {
            t.spec = x.spec;
            t.local.present = true;
            t.remote.present = x.remote.present;
            t.transport = x.transport;
            t.start_wall_ns = x.start_wall_ns;
            have = true;
        } else {
            same_test = same_test && x.spec.test_name == t.spec.test_name;
            t.remote.present = t.remote.present && x.remote.present;
            t.start_wall_ns = std::min(t.start_wall_ns, x.start_wall_ns);
        }
        t.local.counters += x.local.counters;
        t.remote.counters += x.remote.counters;
        t.elapsed_s = std::max(t.elapsed_s, x.elapsed_s);
        t.remote.elapsed_s = std::max(t.remote.elapsed_s, x.remote.elapsed_s);
        if (x.local.cpu.measured) t.local.cpu = x.local.cpu;
        if (x.remote.cpu.measured) t.remote.cpu = x.remote.cpu;
        t.partial = t.partial || x.partial;
        rt_weighted += i.metrics.rt_latency_us * i.metrics.transaction_rate;
        rate += i.metrics.transaction_rate;
    }
    if (!same_test) t.spec.test_name = "mixed";
    t.local.latency = a.latency;
    t.synchronized = a.synchronized;
    t.intervals = a.intervals;
    if (a.local_cpu >= 0) t.local.cpu.util = a.local_cpu;
    if (a.remote_cpu >= 0) t.remote.cpu.util = a.remote_cpu;
    DirectionReport d = make_direction("aggregate", {t}, r.fmt, ConfidenceReport{});
    if (!have) d.iterations.clear();  // nothing ran: the writers print it as failed
    d.metrics.throughput = a.throughput;
    d.metrics.transaction_rate = a.transaction_rate;
    d.metrics.rt_latency_us = rate > 0 ? rt_weighted / rate : 0;
    d.metrics.local_sd = a.local_sd;
    d.metrics.remote_sd = a.remote_sd;
    return d;
}

}  // namespace

Report instance_report(const InstanceResult &i, char fmt, const std::string &command_line) {
    Report rep = report_skeleton(command_line, fmt);
    rep.directions.push_back(instance_direction(i, fmt));
    describe_peer(rep, i);
    return rep;
}

Report aggregate_report(const MultiResult &r, const std::string &command_line) {
    Report rep = report_skeleton(command_line, r.fmt);
    rep.directions.push_back(aggregate_direction(r));
    std::string hosts;
    for (const auto &i : r.instances) {
        if (hosts.find(i.host) == std::string::npos) hosts += (hosts.empty() ? "" : ",") + i.host;
        if (i.ok) {
            rep.transport = i.result.transport;
            if (i.result.legacy_peer) rep.protocol = "netperf2";
            rep.timestamp_ns = rep.timestamp_ns ? std::min(rep.timestamp_ns, i.result.start_wall_ns)
                                                : i.result.start_wall_ns;
            rep.partial = rep.partial || i.result.partial;
        }
    }
    rep.remote_host = hosts;
    return rep;
}

Report multi_report(const MultiResult &r, const std::string &command_line) {
    Report rep = aggregate_report(r, command_line);
    rep.mode = "multi";
    DirectionReport agg = std::move(rep.directions.front());
    rep.directions.clear();
    for (const auto &i : r.instances) rep.directions.push_back(instance_direction(i, r.fmt));
    rep.directions.push_back(std::move(agg));
    return rep;
}

}  // namespace netperf
