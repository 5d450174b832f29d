// netperf 2.7's human output (minimal first cut: stream and RR tables).
#include <netperf/output.h>

#include <cstdarg>
#include <cstdio>

#include <netperf/addr.h>

namespace netperf {

namespace {

std::string fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char *f, ...) {
    char buf[4096];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return buf;
}

std::string title_of(const TestResult &r, const NetperfCommand &cmd) {
    const std::string &t = r.spec.test_name;
    std::string pre = cmd.migrated ? "MIGRATED " : "";
    if (t == "TCP_STREAM") return pre + "TCP STREAM TEST";
    if (t == "TCP_MAERTS") return pre + "TCP MAERTS TEST";
    if (t == "TCP_RR") return pre + "TCP REQUEST/RESPONSE TEST";
    if (t == "TCP_CRR") return pre + "TCP Connect/Request/Response TEST";
    if (t == "TCP_CC") return "TCP Connect/Close TEST";
    if (t == "UDP_STREAM") return pre + "UDP STREAM TEST";
    if (t == "UDP_RR") return pre + "UDP REQUEST/RESPONSE TEST";
    return "OMNI TEST";
}

}  // namespace

std::string human_banner(const TestResult &r, const OutputContext &ctx) {
    if (!ctx.cmd.print_headers) return {};
    std::string s = title_of(r, ctx.cmd) + " from " + r.local_addr + " (" + r.local_addr + ") port " +
                    std::to_string(r.local_port_req) + " " + family_name(r.local_family) + " to " +
                    r.remote_addr + " (" + r.remote_addr + ") port " + std::to_string(r.remote_port_req) + " " +
                    family_name(r.remote_family);
    if (r.spec.is_transactional() && !r.spec.is_connect_test()) s += fmt(" : first burst %d", r.spec.burst);
    return s + "\n";
}

std::string interim_line(const IntervalSample &s, const TestResult &r, const OutputContext &ctx) {
    double v;
    std::string units;
    if (ctx.fmt == 'x') {
        v = s.duration_s > 0 ? double(s.delta.transactions) / s.duration_s : 0;
        units = "Trans";
    } else {
        double bytes = double(r.spec.pattern == Pattern::Maerts ? s.delta.bytes_received : s.delta.bytes_sent);
        v = convert_rate(s.duration_s > 0 ? bytes / s.duration_s : 0, ctx.fmt);
        units = units_name(ctx.fmt);
    }
    uint64_t ms = s.end_wall_ns / 1000000;
    return fmt("Interim result: %7.2f %s/s over %.3f seconds ending at %llu.%03llu\n", v, units.c_str(),
               s.duration_s, (unsigned long long)(ms / 1000), (unsigned long long)(ms % 1000));
}

std::string human_result(const TestResult &r, const OutputContext &ctx) {
    const NetperfCommand &cmd = ctx.cmd;
    Metrics m = compute_metrics(r, ctx.fmt);
    std::string out;
    std::string brand = cmd.print_headers ? "" : cmd.brand;
    if (cmd.verbosity == 0) return fmt("%7.2f %s\n", m.throughput, brand.c_str());
    if (r.spec.is_stream()) {
        if (cmd.print_headers)
            out += fmt("Recv   Send    Send                          \n"
                       "Socket Socket  Message  Elapsed              \n"
                       "Size   Size    Size     Time     Throughput  \n"
                       "bytes  bytes   bytes    secs.    %s/sec  \n\n",
                       units_name(ctx.fmt));
        out += fmt("%6d %6d %6d    %-6.2f   %7.2f   %s\n", r.remote.rcvbuf, r.local.sndbuf,
                   int(r.local.send_size), r.elapsed_s, m.throughput, brand.c_str());
    } else {
        if (cmd.print_headers)
            out += "Local /Remote\n"
                   "Socket Size   Request  Resp.   Elapsed  Trans.\n"
                   "Send   Recv   Size     Size    Time     Rate         \n"
                   "bytes  Bytes  bytes    bytes   secs.    per sec   \n\n";
        out += fmt("%-6d %-6d %-6d   %-6d  %-6.2f   %-6.2f   %s\n", r.local.sndbuf, r.local.rcvbuf,
                   int(r.spec.request_size), int(r.spec.response_size), r.elapsed_s, m.throughput, brand.c_str());
        out += fmt("%-6d %-6d\n", r.remote.sndbuf, r.remote.rcvbuf);
    }
    return out;
}

}  // namespace netperf
