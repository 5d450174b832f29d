#include <netperf/result.h>

namespace netperf {

const char *units_name(char fmt) {
    switch (fmt) {
    case 'k': return "10^3bits";
    case 'm': return "10^6bits";
    case 'g': return "10^9bits";
    case 'K': return "KBytes";
    case 'M': return "MBytes";
    case 'G': return "GBytes";
    case 'x': return "Trans";
    case 'b': return "bits";
    case 'B': return "Bytes";
    default: return "10^6bits";
    }
}

double convert_rate(double bps, char fmt) {
    switch (fmt) {
    case 'k': return bps * 8 / 1e3;
    case 'm': return bps * 8 / 1e6;
    case 'g': return bps * 8 / 1e9;
    case 'K': return bps / 1024.0;
    case 'M': return bps / (1024.0 * 1024.0);
    case 'G': return bps / (1024.0 * 1024.0 * 1024.0);
    case 'b': return bps * 8;
    case 'B': return bps;
    default: return bps * 8 / 1e6;
    }
}

char default_format(const TestSpec &s) { return s.is_stream() ? 'm' : 'x'; }

double interval_rate(const IntervalSample &s, const TestSpec &spec, char fmt) {
    if (s.duration_s <= 0) return 0;
    if (fmt == 'x') return double(s.delta.transactions) / s.duration_s;
    double bytes = spec.pattern == Pattern::Maerts ? double(s.delta.bytes_received)
                   : spec.pattern == Pattern::Stream ? double(s.delta.bytes_sent)
                                                     : double(s.delta.bytes_sent + s.delta.bytes_received);
    return convert_rate(bytes / s.duration_s, fmt);
}

Metrics compute_metrics(const TestResult &r, char fmt) {
    Metrics m;
    const TestSpec &s = r.spec;
    double el = r.elapsed_s > 0 ? r.elapsed_s : 0;
    auto rate = [&](double v) { return el > 0 ? v / el : 0.0; };
    const CounterSnapshot &L = r.local.counters;
    const CounterSnapshot &R = r.remote.counters;

    // What moved, netperf's way: a sender reports what the receiver got
    // (what was actually delivered, which matters for UDP), a receiver its
    // own bytes, a request/response test its transactions.
    double bytes_xferd;
    if (s.pattern == Pattern::Stream)
        bytes_xferd = r.remote.present ? double(R.bytes_received + R.bytes_sent) : double(L.bytes_sent);
    else
        bytes_xferd = double(L.bytes_sent + L.bytes_received);

    m.transaction_rate = rate(double(L.transactions));
    if (fmt == 'x') {
        m.throughput = m.transaction_rate;
        m.units = "Trans/s";
    } else {
        m.throughput = convert_rate(rate(bytes_xferd), fmt);
        m.units = std::string(units_name(fmt)) + "/s";
    }
    if (s.is_transactional() && L.transactions > 0) {
        double per = 1e6 / m.transaction_rate;
        m.rt_latency_us = s.is_connect_test() ? per : per * double(1 + s.burst);
    }
    char tf = fmt == 'x' ? 'm' : fmt;
    m.local_send_throughput = convert_rate(rate(double(L.bytes_sent)), tf);
    m.local_recv_throughput = convert_rate(rate(double(L.bytes_received)), tf);
    // Remote rates over the remote's own elapsed time; against a netperf 2.x
    // netserver over ours, as 2.7 computes every rate (its netserver's time
    // may include the 4 s pad).
    double rel = r.remote.elapsed_s > 0 && !r.legacy_peer ? r.remote.elapsed_s : el;
    auto rrate = [&](double v) { return rel > 0 ? v / rel : 0.0; };
    m.remote_send_throughput = convert_rate(rrate(double(R.bytes_sent)), tf);
    m.remote_recv_throughput = convert_rate(rrate(double(R.bytes_received)), tf);

    // Service demand: CPU time per KB (1024 bytes) or per transaction.
    double units = fmt == 'x' ? double(L.transactions) : bytes_xferd / 1024.0;
    m.sd_units = fmt == 'x' ? "usec/Tran" : "usec/KB";
    if (r.local.cpu.measured)
        m.local_sd = service_demand(r.local.cpu.util, units, el, r.local.cpu.num_cpus);
    if (r.remote.cpu.measured)
        m.remote_sd = service_demand(r.remote.cpu.util, units, el, r.remote.cpu.num_cpus);

    const Histogram &h = r.local.latency;
    if (h.count()) {
        m.lat_min = double(h.min()) / 1e3;
        m.lat_max = double(h.max()) / 1e3;
        m.lat_mean = h.mean() / 1e3;
        m.lat_stddev = h.stddev() / 1e3;
        m.lat_p50 = h.percentile(50) / 1e3;
        m.lat_p90 = h.percentile(90) / 1e3;
        m.lat_p99 = h.percentile(99) / 1e3;
        m.lat_p999 = h.percentile(99.9) / 1e3;
    }
    return m;
}

}  // namespace netperf
