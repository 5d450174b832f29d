// Machine-readable writers: JSON, CSV (RFC 4180) and key=value, all from the
// same Report; and atomic file output.
#include <netperf/report.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netperf/confidence.h>
#include <netperf/result_json.h>
#include <netperf/spec_json.h>

namespace netperf {

using nlohmann::json;

Estimate estimate(const std::vector<double> &v, int level) {
    Estimate e;
    e.n = int(v.size());
    if (v.empty()) return e;
    double s = 0;
    for (double x : v) s += x;
    e.mean = s / double(v.size());
    e.low = e.high = e.mean;
    if (v.size() < 2) return e;
    double ss = 0;
    for (double x : v) ss += (x - e.mean) * (x - e.mean);
    e.stddev = std::sqrt(ss / double(v.size() - 1));
    e.half_width = student_t_critical(level, double(v.size() - 1)) * e.stddev / std::sqrt(double(v.size()));
    e.low = e.mean - e.half_width;
    e.high = e.mean + e.half_width;
    e.width_percent = e.mean != 0 ? 200.0 * e.half_width / std::fabs(e.mean) : 0;
    return e;
}

DirectionReport make_direction(const std::string &name, std::vector<TestResult> iterations, char fmt,
                               const ConfidenceReport &requested) {
    DirectionReport d;
    d.name = name;
    d.iterations = std::move(iterations);
    if (d.iterations.empty()) return d;
    d.result = d.iterations.back();
    d.metrics = compute_metrics(d.result, fmt);
    d.confidence = requested;
    d.confidence.iterations = int(d.iterations.size());
    std::vector<double> tput, lcpu, rcpu, p50, p90, p99;
    for (auto &it : d.iterations) {
        Metrics m = compute_metrics(it, fmt);
        tput.push_back(m.throughput);
        if (it.local.cpu.measured) lcpu.push_back(it.local.cpu.util);
        if (it.remote.cpu.measured) rcpu.push_back(it.remote.cpu.util);
        if (it.local.latency.count()) {
            p50.push_back(m.lat_p50);
            p90.push_back(m.lat_p90);
            p99.push_back(m.lat_p99);
        }
    }
    int lvl = requested.level;
    ConfidenceReport &c = d.confidence;
    c.throughput = estimate(tput, lvl);
    c.local_cpu = estimate(lcpu, lvl);
    c.remote_cpu = estimate(rcpu, lvl);
    c.p50_latency = estimate(p50, lvl);
    c.p90_latency = estimate(p90, lvl);
    c.p99_latency = estimate(p99, lvl);
    if (d.iterations.size() > 1) {
        // As netperf 2.7: the reported values are the means over iterations.
        d.metrics.throughput = c.throughput.mean;
        if (!lcpu.empty()) d.result.local.cpu.util = c.local_cpu.mean;
        if (!rcpu.empty()) d.result.remote.cpu.util = c.remote_cpu.mean;
        c.achieved = c.throughput.width_percent <= c.width_percent &&
                     (lcpu.empty() || c.local_cpu.width_percent <= c.width_percent) &&
                     (rcpu.empty() || c.remote_cpu.width_percent <= c.width_percent);
    }
    return d;
}

DirectionReport total_of(const DirectionReport &tx, const DirectionReport &rx, char fmt) {
    DirectionReport t;
    t.name = "total";
    t.result = tx.result;
    t.result.local.counters += rx.result.local.counters;
    t.result.remote.counters += rx.result.remote.counters;
    t.result.local.latency.merge(rx.result.local.latency);
    t.result.elapsed_s = std::max(tx.result.elapsed_s, rx.result.elapsed_s);
    t.result.flows.clear();
    t.result.intervals.clear();
    t.metrics = compute_metrics(t.result, fmt);
    // Each direction's own rate, added: the stream rate of a sender counts
    // what its receiver got, which a merged counter cannot express.
    t.metrics.throughput = tx.metrics.throughput + rx.metrics.throughput;
    t.metrics.transaction_rate = tx.metrics.transaction_rate + rx.metrics.transaction_rate;
    t.iterations = {t.result};
    t.confidence = tx.confidence;
    t.confidence.requested = false;
    return t;
}

std::string simultaneous_total(const DirectionReport &tx, const DirectionReport &rx, const DirectionReport &total,
                               bool keyval) {
    char b[256];
    if (keyval)
        snprintf(b, sizeof b, "TOTAL_THROUGHPUT=%.2f\nTOTAL_THROUGHPUT_UNITS=%s\n", total.metrics.throughput,
                 total.metrics.units.c_str());
    else
        snprintf(b, sizeof b, "Simultaneous total: %.2f %s (tx %.2f + rx %.2f)\n", total.metrics.throughput,
                 total.metrics.units.c_str(), tx.metrics.throughput, rx.metrics.throughput);
    return b;
}

namespace {

json num_or_null(double v, bool valid) { return valid ? json(v) : json(nullptr); }

json estimate_json(const Estimate &e) {
    if (e.n == 0) return nullptr;
    return json{{"n", e.n},           {"mean", e.mean}, {"stddev", e.stddev},
                {"half_width", e.half_width}, {"low", e.low},   {"high", e.high},
                {"width_percent", e.width_percent}};
}

std::string iso8601(uint64_t wall_ns) {
    time_t s = time_t(wall_ns / 1000000000ull);
    struct tm tm;
    gmtime_r(&s, &tm);
    char buf[64];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[96];
    snprintf(out, sizeof out, "%s.%03uZ", buf, unsigned(wall_ns / 1000000ull % 1000));
    return out;
}

json direction_json(const DirectionReport &d, char fmt) {
    const TestResult &r = d.result;
    const Metrics &m = d.metrics;
    bool rr = r.spec.is_transactional();
    json lat = json::object();
    if (r.local.latency.count())
        lat = json{{"count", r.local.latency.count()}, {"min", m.lat_min}, {"max", m.lat_max},
                   {"mean", m.lat_mean}, {"stddev", m.lat_stddev}, {"p50", m.lat_p50},
                   {"p90", m.lat_p90}, {"p99", m.lat_p99}, {"p999", m.lat_p999}};
    json flows = json::array();
    for (auto &f : r.flows) {
        double rate = r.elapsed_s > 0 ? 1.0 / (f.elapsed_s > 0 ? f.elapsed_s : r.elapsed_s) : 0;
        double tput = fmt == 'x' ? double(f.local.transactions) * rate
                      : r.spec.pattern == Pattern::Stream && f.remote_present
                          ? convert_rate(double(f.remote.bytes_received) * rate, fmt)
                          : convert_rate(double(f.local.bytes_sent + f.local.bytes_received) * rate, fmt);
        json fj{{"index", f.index},    {"worker", f.worker},         {"cpu", f.cpu},
                {"throughput", tput},  {"elapsed_s", f.elapsed_s},   {"local", counters_to_json(f.local)},
                {"remote", f.remote_present ? counters_to_json(f.remote) : json(nullptr)}};
        if (f.latency.count())
            fj["latency_us"] = {{"mean", f.latency.mean() / 1e3}, {"p50", f.latency.percentile(50) / 1e3},
                                {"p99", f.latency.percentile(99) / 1e3}};
        if (!f.error.empty()) fj["error"] = f.error;
        flows.push_back(fj);
    }
    json ints = json::array();
    for (auto &s : r.intervals)
        ints.push_back({{"index", s.index},
                        {"start_s", s.start_s},
                        {"duration_s", s.duration_s},
                        {"end_epoch_s", double(s.end_wall_ns) / 1e9},
                        {"throughput", interval_rate(s, r.spec, fmt)},
                        {"counters", counters_to_json(s.delta)}});
    json iters = json::array();
    int idx = 0;
    for (auto &it : d.iterations) {
        Metrics im = compute_metrics(it, fmt);
        json ij{{"index", idx++},
                {"throughput", im.throughput},
                {"elapsed_s", it.elapsed_s},
                {"local_cpu_util", num_or_null(it.local.cpu.util, it.local.cpu.measured)},
                {"remote_cpu_util", num_or_null(it.remote.cpu.util, it.remote.cpu.measured)}};
        if (it.local.latency.count()) ij["latency_us"] = {{"p50", im.lat_p50}, {"p90", im.lat_p90}, {"p99", im.lat_p99}};
        iters.push_back(ij);
    }
    const ConfidenceReport &c = d.confidence;
    json conf{{"requested", c.requested},
              {"level", c.level},
              {"width_percent", c.width_percent},
              {"iterations", c.iterations},
              {"achieved", c.achieved},
              {"throughput", estimate_json(c.throughput)},
              {"local_cpu_util", estimate_json(c.local_cpu)},
              {"remote_cpu_util", estimate_json(c.remote_cpu)},
              {"p50_latency_us", estimate_json(c.p50_latency)},
              {"p90_latency_us", estimate_json(c.p90_latency)},
              {"p99_latency_us", estimate_json(c.p99_latency)}};
    json out{{"test", r.spec.test_name},
             {"pattern", pattern_name(r.spec.pattern)},
             {"protocol", protocol_name(r.spec)},
             {"throughput", m.throughput},
             {"units", m.units},
             {"elapsed_s", r.elapsed_s},
             {"transaction_rate", rr ? json(m.transaction_rate) : json(nullptr)},
             {"rt_latency_us", rr ? json(m.rt_latency_us) : json(nullptr)},
             {"latency_us", lat},
             {"local", side_to_json(r.local)},
             {"remote", r.remote.present ? side_to_json(r.remote) : json(nullptr)},
             {"service_demand",
              {{"local", num_or_null(m.local_sd, m.local_sd >= 0)},
               {"remote", num_or_null(m.remote_sd, m.remote_sd >= 0)},
               {"units", m.sd_units}}},
             {"synchronized", r.synchronized},
             {"flows", flows},
             {"intervals", ints},
             {"iterations", iters},
             {"confidence", conf}};
    // The latency histogram itself is large; the per-side objects carry it.
    out["local"].erase("latency");
    if (out["remote"].is_object()) out["remote"].erase("latency");
    return out;
}

}  // namespace

json report_to_json(const Report &r) {
    json meta{{"netperf_version", r.netperf_version},
              {"timestamp", iso8601(r.timestamp_ns)},
              {"command_line", r.command_line},
              {"uuid", r.uuid},
              {"local_host", r.local_host},
              {"remote_host", r.remote_host},
              {"kernel", r.kernel},
              {"transport", r.transport},
              {"protocol", r.protocol},
              {"remote_version", r.remote_version}};
    json config = json::object();
    if (!r.directions.empty()) {
        const TestResult &t = r.directions.front().result;
        config = spec_to_json(t.spec);
        config["units"] = r.directions.front().metrics.units;
        config["local_sizes"] = {{"send", t.local.send_size}, {"recv", t.local.recv_size},
                                 {"sndbuf", t.local.sndbuf}, {"rcvbuf", t.local.rcvbuf}};
        if (t.remote.present)
            config["remote_sizes"] = {{"send", t.remote.send_size}, {"recv", t.remote.recv_size},
                                      {"sndbuf", t.remote.sndbuf}, {"rcvbuf", t.remote.rcvbuf}};
    }
    json results;
    if (r.mode == "single" && r.directions.size() == 1) {
        results = direction_json(r.directions.front(), r.fmt);
    } else if (r.mode == "simultaneous") {
        json sim = json::object();
        for (auto &d : r.directions) sim[d.name] = direction_json(d, r.fmt);
        results = json{{"simultaneous", sim}};
    } else {
        results = json::object();
        for (auto &d : r.directions) results[d.name] = direction_json(d, r.fmt);
    }
    return json{{"schema_version", 1}, {"metadata", meta},   {"configuration", config},
                {"mode", r.mode},      {"partial", r.partial}, {"results", results}};
}

std::string csv_field(const std::string &s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

namespace {

std::string num(double v, bool valid = true) {
    if (!valid) return "";
    char b[64];
    snprintf(b, sizeof b, "%.6g", v);
    // Large integers print exactly.
    if (std::fabs(v) >= 1e6 && std::fabs(v) < 1e15 && v == std::floor(v)) snprintf(b, sizeof b, "%.0f", v);
    else if (std::fabs(v) >= 1e5) snprintf(b, sizeof b, "%.3f", v);
    return b;
}

const char *kCsvHeader[] = {
    "row", "direction", "interval", "interval_start_s", "interval_duration_s", "test", "protocol", "throughput",
    "units", "elapsed_s", "transaction_rate", "mean_latency_us", "p50_latency_us", "p90_latency_us",
    "p99_latency_us", "local_cpu_util", "remote_cpu_util", "local_sd", "remote_sd", "sd_units", "bytes_sent",
    "bytes_received", "send_calls", "recv_calls", "transactions", "iterations", "confidence_achieved",
    "throughput_ci_low", "throughput_ci_high", "partial", "command_line", "confidence_level", "throughput_confid",
    "local_cpu_confid", "remote_cpu_confid", "p50_latency_ci_low", "p50_latency_ci_high", "p90_latency_ci_low",
    "p90_latency_ci_high", "p99_latency_ci_low", "p99_latency_ci_high",
};

// An estimate's interval ends, or two empty fields (one iteration, or no
// such figure).
std::vector<std::string> ci_fields(const Estimate &e) {
    bool ok = e.n > 1;
    return {num(e.low, ok), num(e.high, ok)};
}

}  // namespace

std::string report_to_csv(const Report &r, bool intervals) {
    std::ostringstream o;
    bool first = true;
    for (const char *h : kCsvHeader) {
        o << (first ? "" : ",") << h;
        first = false;
    }
    o << "\r\n";
    for (auto &d : r.directions) {
        if (d.iterations.empty()) {
            // A part that did not run (a failed netperf-multi instance):
            // named, nothing measured.
            std::vector<std::string> fr(std::size(kCsvHeader));
            fr[0] = "failed";
            fr[1] = d.name.empty() ? "-" : d.name;
            fr[25] = "0";
            fr[29] = r.partial ? "1" : "0";
            fr[30] = r.command_line;
            for (size_t i = 0; i < fr.size(); i++) o << (i ? "," : "") << csv_field(fr[i]);
            o << "\r\n";
            continue;
        }
        const TestResult &t = d.result;
        const Metrics &m = d.metrics;
        const CounterSnapshot &c = t.local.counters;
        bool lat = t.local.latency.count() > 0;
        std::vector<std::string> row = {
            "result", d.name.empty() ? "-" : d.name, "", "", "", t.spec.test_name, protocol_name(t.spec),
            num(m.throughput), m.units, num(t.elapsed_s), num(m.transaction_rate, t.spec.is_transactional()),
            num(m.lat_mean, lat), num(m.lat_p50, lat), num(m.lat_p90, lat), num(m.lat_p99, lat),
            num(t.local.cpu.util, t.local.cpu.measured), num(t.remote.cpu.util, t.remote.cpu.measured),
            num(m.local_sd, m.local_sd >= 0), num(m.remote_sd, m.remote_sd >= 0), m.sd_units,
            std::to_string(c.bytes_sent), std::to_string(c.bytes_received), std::to_string(c.send_calls),
            std::to_string(c.recv_calls), std::to_string(c.transactions), std::to_string(d.iterations.size()),
            d.confidence.achieved ? "1" : "0", num(d.confidence.throughput.low, d.iterations.size() > 1),
            num(d.confidence.throughput.high, d.iterations.size() > 1), r.partial ? "1" : "0", r.command_line};
        const ConfidenceReport &cr = d.confidence;
        bool many = d.iterations.size() > 1;
        row.push_back(many ? std::to_string(cr.level) : "");
        row.push_back(num(cr.throughput.width_percent, many));
        row.push_back(num(cr.local_cpu.width_percent, cr.local_cpu.n > 1));
        row.push_back(num(cr.remote_cpu.width_percent, cr.remote_cpu.n > 1));
        for (const Estimate *e : {&cr.p50_latency, &cr.p90_latency, &cr.p99_latency})
            for (auto &f : ci_fields(*e)) row.push_back(f);
        for (size_t i = 0; i < row.size(); i++) o << (i ? "," : "") << csv_field(row[i]);
        o << "\r\n";
        if (!intervals) continue;
        for (auto &s : t.intervals) {
            std::vector<std::string> ir(std::size(kCsvHeader));
            ir[0] = "interval";
            ir[1] = d.name.empty() ? "-" : d.name;
            ir[2] = std::to_string(s.index);
            ir[3] = num(s.start_s);
            ir[4] = num(s.duration_s);
            ir[5] = t.spec.test_name;
            ir[6] = protocol_name(t.spec);
            ir[7] = num(interval_rate(s, t.spec, r.fmt));
            ir[8] = m.units;
            ir[20] = std::to_string(s.delta.bytes_sent);
            ir[21] = std::to_string(s.delta.bytes_received);
            ir[22] = std::to_string(s.delta.send_calls);
            ir[23] = std::to_string(s.delta.recv_calls);
            ir[24] = std::to_string(s.delta.transactions);
            ir[29] = r.partial ? "1" : "0";
            for (size_t i = 0; i < ir.size(); i++) o << (i ? "," : "") << csv_field(ir[i]);
            o << "\r\n";
        }
    }
    return o.str();
}

std::string report_to_keyval(const Report &r) {
    std::ostringstream o;
    auto kv = [&](const std::string &prefix, const char *k, const std::string &v) {
        o << prefix << k << "=" << v << "\n";
    };
    kv("", "NETPERF_VERSION", r.netperf_version);
    kv("", "MODE", r.mode);
    kv("", "PARTIAL", r.partial ? "1" : "0");
    for (auto &d : r.directions) {
        std::string p = d.name.empty() ? std::string() : d.name + "_";
        for (auto &ch : p) ch = char(toupper(static_cast<unsigned char>(ch)));
        if (d.iterations.empty()) {  // a part that did not run (a failed netperf-multi instance)
            kv(p, "FAILED", "1");
            continue;
        }
        const TestResult &t = d.result;
        const Metrics &m = d.metrics;
        bool lat = t.local.latency.count() > 0;
        kv(p, "TEST", t.spec.test_name);
        kv(p, "PROTOCOL", protocol_name(t.spec));
        kv(p, "THROUGHPUT", num(m.throughput));
        kv(p, "THROUGHPUT_UNITS", m.units);
        kv(p, "ELAPSED_TIME", num(t.elapsed_s));
        if (t.spec.is_transactional()) kv(p, "TRANSACTION_RATE", num(m.transaction_rate));
        if (lat) {
            kv(p, "MEAN_LATENCY", num(m.lat_mean));
            kv(p, "P50_LATENCY", num(m.lat_p50));
            kv(p, "P90_LATENCY", num(m.lat_p90));
            kv(p, "P99_LATENCY", num(m.lat_p99));
        }
        if (t.local.cpu.measured) kv(p, "LOCAL_CPU_UTIL", num(t.local.cpu.util));
        if (t.remote.cpu.measured) kv(p, "REMOTE_CPU_UTIL", num(t.remote.cpu.util));
        if (m.local_sd >= 0) kv(p, "LOCAL_SD", num(m.local_sd));
        if (m.remote_sd >= 0) kv(p, "REMOTE_SD", num(m.remote_sd));
        kv(p, "LOCAL_SEND_CALLS", std::to_string(t.local.counters.send_calls));
        kv(p, "LOCAL_RECV_CALLS", std::to_string(t.local.counters.recv_calls));
        if (lat) kv(p, "P999_LATENCY", num(m.lat_p999));
        kv(p, "CONFIDENCE_ITERATION", std::to_string(d.iterations.size()));
        const ConfidenceReport &cr = d.confidence;
        if (d.iterations.size() > 1) {
            // Widths in % of the mean (2.7's *_CONFID), and the intervals.
            kv(p, "CONFIDENCE_LEVEL", std::to_string(cr.level));
            kv(p, "CONFIDENCE_ACHIEVED", cr.achieved ? "1" : "0");
            kv(p, "THROUGHPUT_CONFID", num(cr.throughput.width_percent));
            kv(p, "THROUGHPUT_CI_LOW", num(cr.throughput.low));
            kv(p, "THROUGHPUT_CI_HIGH", num(cr.throughput.high));
            if (cr.local_cpu.n > 1) kv(p, "LOCAL_CPU_CONFID", num(cr.local_cpu.width_percent));
            if (cr.remote_cpu.n > 1) kv(p, "REMOTE_CPU_CONFID", num(cr.remote_cpu.width_percent));
            const std::pair<const char *, const Estimate *> pct[] = {
                {"P50_LATENCY", &cr.p50_latency}, {"P90_LATENCY", &cr.p90_latency}, {"P99_LATENCY", &cr.p99_latency}};
            for (auto &[name, e] : pct) {
                if (e->n < 2) continue;
                std::string n = name;
                kv(p, (n + "_CONFID").c_str(), num(e->width_percent));
                kv(p, (n + "_CI_LOW").c_str(), num(e->low));
                kv(p, (n + "_CI_HIGH").c_str(), num(e->high));
            }
        }
        // The interim results with 2.7's -k keys.
        for (auto &s : t.intervals) {
            char idx[32], ending[64];
            snprintf(idx, sizeof idx, "[%d]", s.index);
            snprintf(ending, sizeof ending, "%llu.%.3llu", (unsigned long long)(s.end_wall_ns / 1000000000ull),
                     (unsigned long long)(s.end_wall_ns / 1000000ull % 1000));
            o << p << "NETPERF_INTERIM_RESULT" << idx << "=" << num(interval_rate(s, t.spec, r.fmt)) << "\n";
            o << p << "NETPERF_UNITS" << idx << "=" << m.units << "\n";
            o << p << "NETPERF_INTERVAL" << idx << "=" << num(s.duration_s) << "\n";
            o << p << "NETPERF_ENDING" << idx << "=" << ending << "\n";
        }
    }
    return o.str();
}

namespace {

std::string directory_of(const std::string &path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void check_output_path(const std::string &path) {
    std::string dir = directory_of(path);
    if (access(dir.c_str(), W_OK | X_OK) != 0)
        throw Error("output " + path + ": cannot write in " + dir + ": " + strerror(errno));
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) throw Error("output " + path + ": is a directory");
}

void write_file_atomically(const std::string &path, const std::string &content) {
    std::string dir = directory_of(path);
    std::string tmpl = dir + "/.netperf-XXXXXX";
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = mkstemp(name.data());
    if (fd < 0) throw Error("output " + path + ": cannot create a temporary file in " + dir + ": " + strerror(errno));
    size_t off = 0;
    while (off < content.size()) {
        ssize_t w = write(fd, content.data() + off, content.size() - off);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            unlink(name.data());
            throw Error("output " + path + ": write failed: " + strerror(e));
        }
        off += size_t(w);
    }
    fchmod(fd, 0644);
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(name.data());
        throw Error("output " + path + ": " + strerror(e));
    }
    if (rename(name.data(), path.c_str()) != 0) {
        int e = errno;
        unlink(name.data());
        throw Error("output " + path + ": rename failed: " + strerror(e));
    }
}

}  // namespace netperf
