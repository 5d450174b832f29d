#include <netperf/result_json.h>

namespace netperf {

using nlohmann::json;

namespace {

uint64_t u64(const json &j, const char *k) {
    auto it = j.find(k);
    if (it == j.end()) return 0;
    if (!it->is_number_unsigned() && !(it->is_number_integer() && it->get<int64_t>() >= 0))
        throw Error(std::string("field '") + k + "' must be a non-negative integer");
    return it->get<uint64_t>();
}

int64_t i64(const json &j, const char *k, int64_t def) {
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_number_integer()) throw Error(std::string("field '") + k + "' must be an integer");
    return it->get<int64_t>();
}

double dbl(const json &j, const char *k, double def, double limit = 1e18) {
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) return def;
    if (!it->is_number()) throw Error(std::string("field '") + k + "' must be a number");
    double v = it->get<double>();
    if (!(v == v) || v > limit || v < -limit) throw Error(std::string("field '") + k + "' is out of range");
    return v;
}

std::string str(const json &j, const char *k) {
    auto it = j.find(k);
    if (it == j.end() || it->is_null()) return {};
    if (!it->is_string()) throw Error(std::string("field '") + k + "' must be a string");
    std::string s = it->get<std::string>();
    if (s.size() > 4096) s.resize(4096);
    return s;
}

int32_t i32(const json &j, const char *k, int32_t def) {
    int64_t v = i64(j, k, def);
    if (v < INT32_MIN || v > INT32_MAX) throw Error(std::string("field '") + k + "' is out of range");
    return int32_t(v);
}

}  // namespace

json counters_to_json(const CounterSnapshot &c) {
    return json{{"bytes_sent", c.bytes_sent},     {"bytes_received", c.bytes_received},
                {"send_calls", c.send_calls},     {"recv_calls", c.recv_calls},
                {"transactions", c.transactions}, {"send_errors", c.send_errors},
                {"connects", c.connects}};
}

CounterSnapshot counters_from_json(const json &j) {
    if (!j.is_object()) throw Error("counters must be an object");
    CounterSnapshot c;
    c.bytes_sent = u64(j, "bytes_sent");
    c.bytes_received = u64(j, "bytes_received");
    c.send_calls = u64(j, "send_calls");
    c.recv_calls = u64(j, "recv_calls");
    c.transactions = u64(j, "transactions");
    c.send_errors = u64(j, "send_errors");
    c.connects = u64(j, "connects");
    return c;
}

json cpu_to_json(const CpuUtil &c) {
    if (!c.measured) return json{{"measured", false}};
    return json{{"measured", true},      {"util", c.util},         {"user", c.user},
                {"system", c.system},    {"iowait", c.iowait},     {"irq", c.irq},
                {"softirq", c.softirq},  {"num_cpus", c.num_cpus}, {"peak_cpu", c.peak_cpu},
                {"peak_util", c.peak_util}};
}

CpuUtil cpu_from_json(const json &j) {
    CpuUtil c;
    if (!j.is_object()) throw Error("cpu must be an object");
    auto it = j.find("measured");
    if (it == j.end() || !it->is_boolean() || !it->get<bool>()) return c;
    c.measured = true;
    c.util = dbl(j, "util", -1);
    c.user = dbl(j, "user", 0);
    c.system = dbl(j, "system", 0);
    c.iowait = dbl(j, "iowait", 0);
    c.irq = dbl(j, "irq", 0);
    c.softirq = dbl(j, "softirq", 0);
    c.num_cpus = i32(j, "num_cpus", 1);
    if (c.num_cpus < 1 || c.num_cpus > 65536) throw Error("field 'num_cpus' is out of range");
    c.peak_cpu = i32(j, "peak_cpu", -1);
    c.peak_util = dbl(j, "peak_util", 0);
    return c;
}

json histogram_to_json(const Histogram &h) {
    json b = json::array();
    for (auto [i, n] : h.sparse()) b.push_back(json::array({i, n}));
    return json{{"count", h.count()}, {"min", h.min()}, {"max", h.max()}, {"sum", h.sum()},
                {"sumsq", h.sumsq()}, {"buckets", b}};
}

void histogram_from_json(const json &j, Histogram &h) {
    if (!j.is_object()) throw Error("histogram must be an object");
    auto it = j.find("buckets");
    std::vector<std::pair<uint32_t, uint64_t>> v;
    if (it != j.end()) {
        if (!it->is_array() || it->size() > Histogram::kBuckets) throw Error("histogram buckets malformed");
        for (auto &e : *it) {
            if (!e.is_array() || e.size() != 2 || !e[0].is_number_unsigned() || !e[1].is_number_unsigned())
                throw Error("histogram bucket must be [index, count]");
            v.emplace_back(e[0].get<uint32_t>(), e[1].get<uint64_t>());
        }
    }
    // sumsq sums squared nanoseconds: a million 1 ms sends already reach 1e18.
    if (!h.assign(v, u64(j, "min"), u64(j, "max"), u64(j, "sum"), dbl(j, "sumsq", 0, 1e36)))
        throw Error("histogram bucket index out of range");
}

json side_to_json(const SideResult &s) {
    return json{{"counters", counters_to_json(s.counters)},
                {"elapsed_s", s.elapsed_s},
                {"cpu", cpu_to_json(s.cpu)},
                {"sndbuf_req", s.sndbuf_req},
                {"rcvbuf_req", s.rcvbuf_req},
                {"sndbuf", s.sndbuf},
                {"rcvbuf", s.rcvbuf},
                {"sndbuf_end", s.sndbuf_end},
                {"rcvbuf_end", s.rcvbuf_end},
                {"send_size", s.send_size},
                {"recv_size", s.recv_size},
                {"send_width", s.send_width},
                {"recv_width", s.recv_width},
                {"mss", s.mss},
                {"retransmits", s.retransmits},
                {"cong_control", s.cong_control},
                {"cpu_bind", s.cpu_bind},
                {"latency", histogram_to_json(s.latency)},
                {"error", s.error}};
}

void side_from_json(const json &j, SideResult &s) {
    if (!j.is_object()) throw Error("side results must be an object");
    s.present = true;
    if (auto it = j.find("counters"); it != j.end()) s.counters = counters_from_json(*it);
    s.elapsed_s = dbl(j, "elapsed_s", 0);
    if (auto it = j.find("cpu"); it != j.end()) s.cpu = cpu_from_json(*it);
    s.sndbuf_req = i32(j, "sndbuf_req", -1);
    s.rcvbuf_req = i32(j, "rcvbuf_req", -1);
    s.sndbuf = i32(j, "sndbuf", -1);
    s.rcvbuf = i32(j, "rcvbuf", -1);
    s.sndbuf_end = i32(j, "sndbuf_end", -1);
    s.rcvbuf_end = i32(j, "rcvbuf_end", -1);
    s.send_size = i64(j, "send_size", -1);
    s.recv_size = i64(j, "recv_size", -1);
    s.send_width = i32(j, "send_width", -1);
    s.recv_width = i32(j, "recv_width", -1);
    s.mss = i32(j, "mss", -1);
    s.retransmits = i32(j, "retransmits", -1);
    s.cong_control = str(j, "cong_control");
    if (s.cong_control.size() > 15) s.cong_control.resize(15);
    s.cpu_bind = i32(j, "cpu_bind", -1);
    if (auto it = j.find("latency"); it != j.end()) histogram_from_json(*it, s.latency);
    s.error = str(j, "error");
}

}  // namespace netperf
