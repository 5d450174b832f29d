#include <netperf/spec_json.h>

#include <limits>

namespace netperf {

using nlohmann::json;

namespace {

template <typename T>
json lr(const LocalRemote<T> &v) {
    return json{{"local", v.local}, {"remote", v.remote}};
}

// Reads an optional field, checking its type and range.
template <typename T>
void get(const json &j, const char *key, T &out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if constexpr (std::is_same_v<T, bool>) {
        if (!it->is_boolean()) throw Error(std::string("field '") + key + "' must be a boolean");
        out = it->get<bool>();
    } else if constexpr (std::is_integral_v<T>) {
        if (!it->is_number_integer()) throw Error(std::string("field '") + key + "' must be an integer");
        auto v = it->get<int64_t>();
        if (v < int64_t(std::numeric_limits<T>::min()) || v > int64_t(std::numeric_limits<T>::max()))
            throw Error(std::string("field '") + key + "' is out of range");
        out = T(v);
    } else if constexpr (std::is_floating_point_v<T>) {
        if (!it->is_number()) throw Error(std::string("field '") + key + "' must be a number");
        out = it->get<double>();
        if (!(out == out) || out > 1e12 || out < -1e12) throw Error(std::string("field '") + key + "' is out of range");
    } else {
        if (!it->is_string()) throw Error(std::string("field '") + key + "' must be a string");
        out = it->get<std::string>();
        if (out.size() > 4096) throw Error(std::string("field '") + key + "' is too long");
    }
}

template <typename T>
void get_lr(const json &j, const char *key, LocalRemote<T> &out) {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    if (!it->is_object()) throw Error(std::string("field '") + key + "' must be an object");
    get(*it, "local", out.local);
    get(*it, "remote", out.remote);
}

}  // namespace

json spec_to_json(const TestSpec &s) {
    json opts = json::array();
    for (auto &[k, v] : s.transport_options) opts.push_back(json{{"name", k}, {"value", v}});
    json ropts = json::array();
    for (auto &[k, v] : s.remote_transport_options) ropts.push_back(json{{"name", k}, {"value", v}});
    return json{
        {"test_name", s.test_name},
        {"pattern", pattern_name(s.pattern)},
        {"family", s.family},
        {"socktype", s.socktype},
        {"protocol", s.protocol},
        {"duration_s", s.duration_s},
        {"count", s.count},
        {"send_size", lr(s.send_size)},
        {"recv_size", lr(s.recv_size)},
        {"request_size", s.request_size},
        {"response_size", s.response_size},
        {"sndbuf", lr(s.sndbuf)},
        {"rcvbuf", lr(s.rcvbuf)},
        {"send_align", lr(s.send_align)},
        {"recv_align", lr(s.recv_align)},
        {"send_offset", lr(s.send_offset)},
        {"recv_offset", lr(s.recv_offset)},
        {"burst", s.burst},
        {"window", s.window},
        {"nodelay", s.nodelay},
        {"cork", s.cork},
        {"keepalive", s.keepalive},
        {"routing", s.routing},
        {"cong_control", lr(s.cong_control)},
        {"priority", lr(s.priority)},
        {"tos", lr(s.tos)},
        {"pace_interval_us", lr(s.pace_interval_us)},
        {"pace_burst", lr(s.pace_burst)},
        {"fill_file", lr(s.fill_file)},
        {"cpu", lr(s.cpu)},
        {"flows", s.flows},
        {"threads", s.threads},
        {"transport", s.transport},
        {"transport_options", opts},
        {"remote_transport", s.remote_transport},
        {"remote_transport_options", ropts},
        {"measure_cpu", lr(s.measure_cpu)},
        {"histogram", s.histogram},
        {"data_port", lr(s.data_port)},
    };
}

TestSpec spec_from_json(const json &j) {
    if (!j.is_object()) throw Error("test spec must be a JSON object");
    TestSpec s;
    get(j, "test_name", s.test_name);
    std::string pat = pattern_name(s.pattern);
    get(j, "pattern", pat);
    if (!parse_pattern(pat, s.pattern)) throw Error("unknown pattern '" + pat.substr(0, 40) + "'");
    get(j, "family", s.family);
    get(j, "socktype", s.socktype);
    get(j, "protocol", s.protocol);
    get(j, "duration_s", s.duration_s);
    get(j, "count", s.count);
    get_lr(j, "send_size", s.send_size);
    get_lr(j, "recv_size", s.recv_size);
    get(j, "request_size", s.request_size);
    get(j, "response_size", s.response_size);
    get_lr(j, "sndbuf", s.sndbuf);
    get_lr(j, "rcvbuf", s.rcvbuf);
    get_lr(j, "send_align", s.send_align);
    get_lr(j, "recv_align", s.recv_align);
    get_lr(j, "send_offset", s.send_offset);
    get_lr(j, "recv_offset", s.recv_offset);
    get(j, "burst", s.burst);
    get(j, "window", s.window);
    get(j, "nodelay", s.nodelay);
    get(j, "cork", s.cork);
    get(j, "keepalive", s.keepalive);
    get(j, "routing", s.routing);
    get_lr(j, "cong_control", s.cong_control);
    get_lr(j, "priority", s.priority);
    get_lr(j, "tos", s.tos);
    get_lr(j, "pace_interval_us", s.pace_interval_us);
    get_lr(j, "pace_burst", s.pace_burst);
    get_lr(j, "fill_file", s.fill_file);
    get_lr(j, "cpu", s.cpu);
    get(j, "flows", s.flows);
    get(j, "threads", s.threads);
    get(j, "transport", s.transport);
    auto read_options = [&](const char *key, std::vector<std::pair<std::string, std::string>> &out) {
        auto it = j.find(key);
        if (it == j.end()) return;
        if (!it->is_array() || it->size() > 64) throw Error(std::string("field '") + key + "' must be a short array");
        for (auto &o : *it) {
            if (!o.is_object()) throw Error("transport option must be an object");
            std::string k, v;
            get(o, "name", k);
            get(o, "value", v);
            out.emplace_back(k, v);
        }
    };
    read_options("transport_options", s.transport_options);
    get(j, "remote_transport", s.remote_transport);
    read_options("remote_transport_options", s.remote_transport_options);
    get_lr(j, "measure_cpu", s.measure_cpu);
    get(j, "histogram", s.histogram);
    get_lr(j, "data_port", s.data_port);
    s.validate();
    return s;
}

}  // namespace netperf
