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
#include <netinet/in.h>

#include <yaml-cpp/yaml.h>

#include <netperf/addr.h>
#include <netperf/cli.h>
#include <netperf/engine.h>
#include <netperf/topology.h>

namespace netperf {

MultiPlan MultiPlan::uniform(const TestSpec &spec, const ClientOptions &client, int n) {
    if (n < 1 || n > 1024) throw Error("instance count must be 1..1024");
    MultiPlan p;
    for (int i = 0; i < n; i++) {
        InstancePlan ip;
        ip.name = "i" + std::to_string(i);
        ip.client = client;
        ip.spec = spec;
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

MultiPlan MultiPlan::from_config(const std::string &path, const TestSpec &base, const ClientOptions &client) {
    (void)base;
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
        ip.adapter = in["adapter"] ? scalar(in["adapter"], "adapter") : "";
        ip.client = cmd.client;
        ip.client.passphrase = client.passphrase;
        ip.client.timeout_ms = client.timeout_ms;
        ip.spec = cmd.spec;
        plan.instances.push_back(ip);
        idx++;
    }
    if (auto r = top["retries"]) plan.retries = std::atoi(scalar(r, "retries").c_str());
    return plan;
}

MultiAggregate aggregate_instances(const std::vector<InstanceResult> &inst, char fmt) {
    MultiAggregate a;
    a.units = fmt == 'x' ? "Trans/s" : std::string(units_name(fmt)) + "/s";
    a.sd_units = fmt == 'x' ? "usec/Tran" : "usec/KB";
    double lat_weighted = 0;
    uint64_t trans = 0;
    double lcpu = 0, rcpu = 0, units_total = 0, elapsed_max = 0;
    int nl = 0, nr = 0, ncpu_l = 1, ncpu_r = 1;
    std::vector<uint64_t> starts;
    std::map<std::string, double> adapters;
    a.synchronized = true;
    bool first = true;
    for (const auto &i : inst) {
        a.instances++;
        if (!i.ok) {
            a.failed++;
            continue;
        }
        const TestResult &r = i.result;
        const Metrics &m = i.metrics;
        a.throughput += m.throughput;
        a.transaction_rate += m.transaction_rate;
        uint64_t t = r.local.counters.transactions;
        lat_weighted += r.local.latency.mean() * double(r.local.latency.count());
        trans += r.local.latency.count();
        a.latency.merge(r.local.latency);
        if (first || m.throughput < a.min_throughput) {
            a.min_throughput = m.throughput;
            a.min_instance = i.name;
        }
        if (first || m.throughput > a.max_throughput) {
            a.max_throughput = m.throughput;
            a.max_instance = i.name;
        }
        first = false;
        if (r.local.cpu.measured) {
            lcpu += r.local.cpu.util;
            ncpu_l = r.local.cpu.num_cpus;
            nl++;
        }
        if (r.remote.cpu.measured) {
            rcpu += r.remote.cpu.util;
            ncpu_r = r.remote.cpu.num_cpus;
            nr++;
        }
        // Work done, in service-demand units (KB or transactions).
        double bytes = r.spec.pattern == Pattern::Stream && r.remote.present
                           ? double(r.remote.counters.bytes_received)
                           : double(r.local.counters.bytes_sent + r.local.counters.bytes_received);
        units_total += fmt == 'x' ? double(t) : bytes / 1024.0;
        elapsed_max = std::max(elapsed_max, r.elapsed_s);
        a.synchronized = a.synchronized && r.synchronized;
        if (r.local_start_ns) starts.push_back(r.local_start_ns);
        if (r.remote_start_ns) starts.push_back(r.remote_start_ns);
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
    if (trans) a.mean_latency_us = lat_weighted / double(trans) / 1e3;
    if (a.latency.count()) {
        a.p50_us = a.latency.percentile(50) / 1e3;
        a.p90_us = a.latency.percentile(90) / 1e3;
        a.p99_us = a.latency.percentile(99) / 1e3;
        a.p999_us = a.latency.percentile(99.9) / 1e3;
    }
    // /proc/stat is machine-wide: every instance on one host saw the same
    // CPU, so average it; the service demand charges that CPU to the total
    // work of all instances (per-instance service demand would count the
    // same CPU once per instance).
    if (nl) {
        a.local_cpu = lcpu / nl;
        a.local_sd = service_demand(a.local_cpu, units_total, elapsed_max, ncpu_l);
    }
    if (nr) {
        a.remote_cpu = rcpu / nr;
        a.remote_sd = service_demand(a.remote_cpu, units_total, elapsed_max, ncpu_r);
    }
    if (starts.size() >= 2) {
        auto [lo, hi] = std::minmax_element(starts.begin(), starts.end());
        a.start_skew_us = double(*hi - *lo) / 1e3;
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
    auto open_one = [&](size_t i) {
        InstanceResult &r = out.instances[i];
        r.name = inst[i].name;
        r.adapter = inst[i].adapter;
        for (int a = 0; a <= plan.retries && !sessions[i]; a++) {
            r.attempts++;
            try {
                sessions[i] = ClientSession::open(inst[i].client);
            } catch (const Error &e) {
                r.error = e.what();
            }
        }
    };
    for (size_t i = 0; i < n; i++) threads.emplace_back(open_one, i);
    for (auto &t : threads) t.join();
    threads.clear();

    // Phase 2: one instant for all; an instance that fails is retried at
    // once (late, and marked as not synchronized).
    const uint64_t start_at = now_ns() + uint64_t(plan.start_delay_s * 1e9);
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

}  // namespace netperf
