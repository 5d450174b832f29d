// netperf 2.7's human output: banners, interim lines, the classic result
// tables of every test (with their -P, -v, -c/-C, -B and -f variants), the
// confidence warning, the -v 2 detail and histogram, and netperf 3's
// per-flow report.  The layouts reproduce 2.7.1's bytes (its printf formats
// in nettest_omni.c send_tcp_stream..send_udp_rr, nettest_bsd.c
// send_tcp_cc, nettest_unix.c, netlib.c); where 2.7 prints something that
// is plainly a bug, the comment at the decision says what differs and why.
#include <netperf/output.h>

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include <netperf/addr.h>
#include <netperf/omni.h>
#include <netperf/report.h>

namespace netperf {

namespace {

void appendf(std::string &out, const char *f, ...) __attribute__((format(printf, 2, 3)));
void appendf(std::string &out, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(nullptr, 0, f, ap);
    va_end(ap);
    if (n > 0) {
        size_t old = out.size();
        out.resize(old + size_t(n) + 1);
        vsnprintf(&out[old], size_t(n) + 1, f, ap2);
        out.resize(old + size_t(n));
    }
    va_end(ap2);
}

// The classic tables, one per result layout of 2.7.
enum class Table { Stream, Maerts, RR, CRR, CC, UdpStream, UnixStream, UnixRR, UnixDgStream };

Table table_of(const TestSpec &s) {
    bool unix_domain = s.family == AF_UNIX;
    switch (s.pattern) {
    case Pattern::Stream:
        if (unix_domain) return s.is_dgram() ? Table::UnixDgStream : Table::UnixStream;
        return s.is_dgram() ? Table::UdpStream : Table::Stream;
    case Pattern::Maerts: return Table::Maerts;
    case Pattern::RR: return unix_domain ? Table::UnixRR : Table::RR;
    case Pattern::CRR: return Table::CRR;
    case Pattern::CC: return Table::CC;
    }
    return Table::Stream;
}

bool is_unix_table(Table t) { return t == Table::UnixStream || t == Table::UnixRR || t == Table::UnixDgStream; }

// An OMNI test, or any test given -k/-o/-O, prints the selector output
// instead of a classic table (2.7: `legacy` is cleared by -k/-o/-O).
bool uses_omni(const TestResult &r, const OutputContext &ctx) {
    return ctx.cmd.omni_mode != OmniMode::None || r.spec.test_name == "OMNI";
}

const char *direction_word(const TestSpec &s) {
    switch (s.pattern) {
    case Pattern::Stream: return "Send";
    case Pattern::Maerts: return "Receive";
    case Pattern::RR: return "Send|Recv";
    case Pattern::CRR: return "Connect|Send|Recv";
    case Pattern::CC: return "Connection";
    }
    return "Send";
}

// Sizes as the tables print them: a side that reported nothing shows -1.
struct Sizes {
    int lss, lsr, rss, rsr;
};

Sizes sizes_of(const TestResult &r) {
    return {r.local.sndbuf, r.local.rcvbuf, r.remote.sndbuf, r.remote.rcvbuf};
}

double local_util(const TestResult &r, const OutputContext &ctx) {
    if (ctx.conf.averaged) return ctx.conf.local_cpu;
    return r.local.cpu.measured ? r.local.cpu.util : -1;
}

double remote_util(const TestResult &r, const OutputContext &ctx) {
    if (ctx.conf.averaged) return ctx.conf.remote_cpu;
    return r.remote.cpu.measured ? r.remote.cpu.util : -1;
}

// 2.7's CPU method letter: S = /proc/stat, U = not measured.
char method_of(const CpuUtil &c) { return c.measured ? 'S' : 'U'; }

double per_call(double bytes, uint64_t calls) { return calls ? bytes / double(calls) : 0.0; }

// ---- column titles ------------------------------------------------------

std::string stream_titles(bool cpu, bool maerts, const char *units, char lm, char rm) {
    std::string s;
    if (!cpu) {
        appendf(s,
                "Recv   Send    Send                          \n"
                "Socket Socket  Message  Elapsed              \n"
                "Size   Size    Size     Time     Throughput  \n"
                "bytes  bytes   bytes    secs.    %s/sec  \n\n",
                units);
        return s;
    }
    appendf(s,
            "Recv   Send    Send                          Utilization       Service Demand\n"
            "%s"
            "Size   Size    Size     Time     Throughput  local    remote   local   remote\n"
            "bytes  bytes   bytes    secs.    %-8.8s/s  %% %c      %% %c      us/KB   us/KB\n\n",
            maerts ? "Socket Socket  Message  Elapsed              Recv     Send     Recv    Send\n"
                   : "Socket Socket  Message  Elapsed              Send     Recv     Send    Recv\n",
            units, lm, rm);
    return s;
}

std::string rr_titles(bool cpu, char fmt, const char *units, char lm, char rm) {
    std::string s;
    if (!cpu) {
        if (fmt == 'x')
            return "Local /Remote\n"
                   "Socket Size   Request  Resp.   Elapsed  Trans.\n"
                   "Send   Recv   Size     Size    Time     Rate         \n"
                   "bytes  Bytes  bytes    bytes   secs.    per sec   \n\n";
        appendf(s,
                "Local /Remote\n"
                "Socket Size   Request  Resp.   Elapsed  \n"
                "Send   Recv   Size     Size    Time     Throughput \n"
                "bytes  Bytes  bytes    bytes   secs.    %s/sec   \n\n",
                units);
        return s;
    }
    if (fmt == 'x')
        appendf(s,
                "Local /Remote\n"
                "Socket Size   Request Resp.  Elapsed Trans.   CPU    CPU    S.dem   S.dem\n"
                "Send   Recv   Size    Size   Time    Rate     local  remote local   remote\n"
                "bytes  bytes  bytes   bytes  secs.   per sec  %% %c    %% %c    us/Tr   us/Tr\n\n",
                lm, rm);
    else
        appendf(s,
                "Local /Remote\n"
                "Socket Size   Request Resp.  Elapsed Tput     CPU    CPU    S.dem   S.dem\n"
                "Send   Recv   Size    Size   Time    %-8.8s local  remote local   remote\n"
                "bytes  bytes  bytes   bytes  secs.   per sec  %% %c    %% %c    us/KB   us/KB\n\n",
                units, lm, rm);
    return s;
}

// TCP_CRR, TCP_CC and the Unix request/response tests: always "Trans.
// Rate", no CPU method letters.
std::string transaction_titles(bool cpu) {
    if (!cpu)
        return "Local /Remote\n"
               "Socket Size   Request  Resp.   Elapsed  Trans.\n"
               "Send   Recv   Size     Size    Time     Rate         \n"
               "bytes  Bytes  bytes    bytes   secs.    per sec   \n\n";
    return "Local /Remote\n"
           "Socket Size   Request Resp.  Elapsed Trans.   CPU    CPU    S.dem   S.dem\n"
           "Send   Recv   Size    Size   Time    Rate     local  remote local   remote\n"
           "bytes  bytes  bytes   bytes  secs.   per sec  %      %      us/Tr   us/Tr\n\n";
}

std::string udp_stream_titles(bool cpu, const char *units, char lm, char rm) {
    std::string s;
    if (!cpu)
        appendf(s,
                "Socket  Message  Elapsed      Messages                \n"
                "Size    Size     Time         Okay Errors   Throughput\n"
                "bytes   bytes    secs            #      #   %s/sec\n\n",
                units);
    else
        appendf(s,
                "Socket  Message  Elapsed      Messages                   CPU      Service\n"
                "Size    Size     Time         Okay Errors   Throughput   Util     Demand\n"
                "bytes   bytes    secs            #      #   %s/sec %% %c%c     us/KB\n\n",
                units, lm, rm);
    return s;
}

std::string unix_titles(Table t, bool cpu, const char *units) {
    std::string s;
    switch (t) {
    case Table::UnixStream:
        if (!cpu)
            return stream_titles(false, false, units, 'U', 'U');
        appendf(s,
                "Recv   Send    Send                          Utilization    Service Demand\n"
                "Socket Socket  Message  Elapsed              Send   Recv    Send    Recv\n"
                "Size   Size    Size     Time     Throughput  local  remote  local   remote\n"
                "bytes  bytes   bytes    secs.    %-8.8s/s  %%      %%       us/KB   us/KB\n\n",
                units);
        return s;
    case Table::UnixDgStream:
        if (!cpu)
            appendf(s,
                    "Socket  Message  Elapsed      Messages                \n"
                    "Size    Size     Time         Okay Errors   Throughput\n"
                    "bytes   bytes    secs            #      #   %s/sec\n\n",
                    units);
        else
            appendf(s,
                    "Socket  Message  Elapsed      Messages                   CPU     Service\n"
                    "Size    Size     Time         Okay Errors   Throughput   Util    Demand\n"
                    "bytes   bytes    secs            #      #   %s/sec   %%       us/KB\n\n",
                    units);
        return s;
    default:
        return transaction_titles(cpu);
    }
}

// ---- the classic result blocks ------------------------------------------

struct Row {
    const TestResult &r;
    const OutputContext &ctx;
    Metrics m;
    Sizes sz;
    double elapsed;
    double lcpu, rcpu;
    char lm, rm;
    bool cpu;       // -c or -C: the CPU variant of the table
    int verbosity;  // 0, 1 or 2 (2.7 has no more levels)
    const char *brand;
    const char *units;
};

std::string stream_block(const Row &w, bool maerts) {
    const TestResult &r = w.r;
    const TestSpec &s = r.spec;
    std::string out;
    if (w.verbosity == 0) {
        if (w.cpu) {
            bool local = s.measure_cpu.local;
            appendf(out, "%6.3f %c %s\n", local ? w.m.local_sd : w.m.remote_sd, local ? w.lm : w.rm, w.brand);
        } else {
            appendf(out, "%7.2f %s\n", w.m.throughput, w.brand);
        }
        return out;
    }
    if (w.ctx.cmd.print_headers) out += stream_titles(w.cpu, maerts, w.units, w.lm, w.rm);
    // The receiving socket, the sending socket and the message size: for
    // MAERTS the receiver is local.  (2.7's CPU variant of MAERTS prints the
    // remote receive and local send sockets, which the test does not use.)
    int recv_sock = maerts ? w.sz.lsr : w.sz.rsr;
    int send_sock = maerts ? w.sz.rss : w.sz.lss;
    int msg = int(maerts ? r.remote.send_size : r.local.send_size);
    if (w.cpu)
        appendf(out, "%6d %6d %6d    %-6.2f     %7.2f   %-6.2f   %-6.2f   %-6.3f  %-6.3f %s\n", recv_sock, send_sock,
                msg, w.elapsed, w.m.throughput, w.lcpu, w.rcpu, w.m.local_sd, w.m.remote_sd, w.brand);
    else
        appendf(out, "%6d %6d %6d    %-6.2f   %7.2f   %s\n", recv_sock, send_sock, msg, w.elapsed, w.m.throughput,
                w.brand);
    if (w.verbosity < 2) return out;
    const CounterSnapshot &L = r.local.counters, &R = r.remote.counters;
    if (!maerts) {
        appendf(out,
                "\nAlignment      Offset         %-8.8s %-8.8s    Sends   %-8.8s Recvs\n"
                "Local  Remote  Local  Remote  Xfered   Per                 Per\n"
                "Send   Recv    Send   Recv             Send (avg)          Recv (avg)\n"
                "%5d   %5d  %5d   %5d %6" PRIu64 "  %6.2f    %6" PRIu64 "   %6.2f %6" PRIu64 "\n",
                "Bytes", "Bytes", "Bytes", s.send_align.local, s.recv_align.remote, s.send_offset.local,
                s.recv_offset.remote, L.bytes_sent, per_call(double(L.bytes_sent), L.send_calls), L.send_calls,
                per_call(double(L.bytes_sent), R.recv_calls), R.recv_calls);
    } else {
        // 2.7 labels the remote columns "Send" but prints the remote
        // receive alignment and offset; we print the send ones the
        // headings name.
        appendf(out,
                "\nAlignment      Offset         %-8.8s %-8.8s    Recvs   %-8.8s Sends\n"
                "Local  Remote  Local  Remote  Xfered   Per                 Per\n"
                "Recv   Send    Recv   Send             Recv (avg)          Send (avg)\n"
                "%5d   %5d  %5d   %5d %6" PRIu64 "  %6.2f    %6d   %6.2f %6d\n",
                "Bytes", "Bytes", "Bytes", s.recv_align.local, s.send_align.remote, s.recv_offset.local,
                s.send_offset.remote, L.bytes_received, per_call(double(L.bytes_received), L.recv_calls),
                int(L.recv_calls), per_call(double(R.bytes_sent), R.send_calls), int(R.send_calls));
    }
    appendf(out, "\nMaximum\nSegment\nSize (bytes)\n%6d\n", r.local.mss);
    out += maerts ? "\n\nHistogram of time spent in recv() call.\n" : "\n\nHistogram of time spent in send() call.\n";
    out += histogram_report(r.local.latency);
    return out;
}

std::string rr_block(const Row &w, bool udp) {
    const TestResult &r = w.r;
    const TestSpec &s = r.spec;
    std::string out;
    if (w.verbosity == 0) {
        if (w.cpu) {
            bool local = s.measure_cpu.local;
            appendf(out, "%6.3f %c %s\n", local ? w.m.local_sd : w.m.remote_sd, local ? w.lm : w.rm, w.brand);
        } else {
            appendf(out, "%7.2f %s\n", w.m.throughput, w.brand);
        }
        return out;
    }
    if (w.ctx.cmd.print_headers) out += rr_titles(w.cpu, w.ctx.fmt, w.units, w.lm, w.rm);
    int req = int(s.request_size), rsp = int(s.response_size);
    if (w.cpu)
        // UDP_RR's format has one space more before the local CPU than TCP_RR's.
        appendf(out,
                udp ? "%-6d %-6d %-6d  %-6d %-6.2f  %-6.2f   %-6.2f %-6.2f %-6.3f  %-6.3f %s\n"
                    : "%-6d %-6d %-6d  %-6d %-6.2f  %-6.2f  %-6.2f %-6.2f %-6.3f  %-6.3f %s\n",
                w.sz.lss, w.sz.lsr, req, rsp, w.elapsed, w.m.throughput, w.lcpu, w.rcpu, w.m.local_sd,
                w.m.remote_sd, w.brand);
    else
        appendf(out, "%-6d %-6d %-6d   %-6d  %-6.2f   %7.2f   %s\n", w.sz.lss, w.sz.lsr, req, rsp, w.elapsed,
                w.m.throughput, w.brand);
    appendf(out, "%-6d %-6d\n", w.sz.rss, w.sz.rsr);
    if (w.verbosity < 2) return out;
    if (udp) {
        out += "\nHistogram of request/reponse times.\n";  // sic: 2.7's spelling
        out += histogram_report(r.local.latency);
        return out;
    }
    // Outbound and inbound rates in the -f units; megabits when -f x.
    char bf = w.ctx.fmt == 'x' ? 'm' : w.ctx.fmt;
    double rate = w.m.transaction_rate;
    double rtt = rate > 0 ? 1e6 / rate * double(1 + (s.burst > 0 ? s.burst : 0)) : 0;
    // 2.7 prints the remote receive offset in the "Remote Recv"
    // alignment column; we print the alignment the heading names.
    appendf(out,
            "Alignment      Offset         RoundTrip  Trans    Throughput\n"
            "Local  Remote  Local  Remote  Latency    Rate     %-8.8s/s\n"
            "Send   Recv    Send   Recv    usec/Tran  per sec  Outbound   Inbound\n"
            "%5d  %5d   %5d  %5d   %-6.3f   %-6.3f %-6.3f    %-6.3f\n",
            units_name(bf), s.send_align.local, s.recv_align.remote, s.send_offset.local, s.recv_offset.remote, rtt,
            rate, convert_rate(rate * double(s.request_size), bf), convert_rate(rate * double(s.response_size), bf));
    out += "\nHistogram of request/response times\n";
    out += histogram_report(r.local.latency);
    return out;
}

// TCP_CRR, TCP_CC, STREAM_RR and DG_RR: the transaction-rate table with no
// brand.  `rate` is what 2.7 prints in the rate column: the -f throughput
// for TCP_CRR (whatever its heading says), transactions/s for the others.
std::string transaction_block(const Row &w, double rate, bool titles, bool align_block, bool histogram,
                              bool leading_newline) {
    const TestResult &r = w.r;
    const TestSpec &s = r.spec;
    std::string out;
    if (w.verbosity == 0) {
        if (w.cpu)
            appendf(out, "%6.3f\n", s.measure_cpu.local ? w.m.local_sd : w.m.remote_sd);
        else
            appendf(out, "%7.2f\n", rate);
        return out;
    }
    if (titles && w.ctx.cmd.print_headers) out += transaction_titles(w.cpu);
    int req = int(s.request_size), rsp = int(s.response_size);
    if (w.cpu)
        appendf(out, "%-6d %-6d %-6d  %-6d %-6.2f  %-6.2f   %-6.2f %-6.2f %-6.3f  %-6.3f\n", w.sz.lss, w.sz.lsr, req,
                rsp, w.elapsed, rate, w.lcpu, w.rcpu, w.m.local_sd, w.m.remote_sd);
    else
        appendf(out, "%-6d %-6d %-6d   %-6d  %-6.2f   %7.2f   \n", w.sz.lss, w.sz.lsr, req, rsp, w.elapsed, rate);
    appendf(out, "%-6d %-6d\n", w.sz.rss, w.sz.rsr);
    if (w.verbosity < 2) return out;
    if (align_block)
        // 2.7's TCP_CC prints the remote receive offset under "Remote Recv"
        // alignment, and STREAM_RR prints this block's printf format
        // unformatted; we print the values the headings name.
        appendf(out,
                "%sAlignment      Offset\n"
                "Local  Remote  Local  Remote\n"
                "Send   Recv    Send   Recv\n"
                "%5d  %5d   %5d  %5d\n",
                leading_newline ? "\n" : "", s.send_align.local, s.recv_align.remote, s.send_offset.local,
                s.recv_offset.remote);
    if (histogram) {
        out += "\nHistogram of request/response times\n";
        out += histogram_report(r.local.latency);
    }
    return out;
}

std::string udp_stream_block(const Row &w) {
    const TestResult &r = w.r;
    const CounterSnapshot &L = r.local.counters, &R = r.remote.counters;
    std::string out;
    if (w.verbosity == 0) {
        // 2.7 prints the local method letter even for the remote service
        // demand; we print the letter of the side measured.
        if (w.cpu)
            appendf(out, "%6.2f %c\n", r.spec.measure_cpu.local ? w.m.local_sd : w.m.remote_sd,
                    r.spec.measure_cpu.local ? w.lm : w.rm);
        else
            appendf(out, "%7.2f\n", w.m.local_send_throughput);  // the send side, as 2.7 (QUIRKS 25)
        return out;
    }
    if (w.ctx.cmd.print_headers) out += udp_stream_titles(w.cpu, w.units, w.lm, w.rm);
    int msg = int(r.local.send_size);
    if (w.cpu)
        appendf(out,
                "%6d  %6d   %-7.2f   %7" PRIu64 " %6d    %7.1f     %-6.2f   %-6.3f\n"
                "%6d           %-7.2f   %7" PRIu64 "           %7.1f     %-6.2f   %-6.3f\n\n",
                w.sz.lss, msg, w.elapsed, L.send_calls, int(L.send_errors), w.m.local_send_throughput, w.lcpu,
                w.m.local_sd, w.sz.rsr, w.elapsed, R.recv_calls, w.m.remote_recv_throughput, w.rcpu,
                w.m.remote_sd);
    else
        appendf(out,
                "%6d  %6d   %-7.2f   %7" PRIu64 " %6d    %7.2f\n"
                "%6d           %-7.2f   %7" PRIu64 "           %7.2f\n\n",
                w.sz.lss, msg, w.elapsed, L.send_calls, int(L.send_errors), w.m.local_send_throughput, w.sz.rsr,
                w.elapsed, R.recv_calls, w.m.remote_recv_throughput);
    if (w.verbosity < 2) return out;
    out += "\nHistogram of time spent in send() call\n";
    out += histogram_report(r.local.latency);
    return out;
}

// The Unix-domain tests print their titles with the banner (2.7 does so
// before the test): here only the values.  2.7 prints nothing at all for
// STREAM_RR and DG_STREAM at -v 2 (their switch has no case 2); we print the
// -v 1 lines and the detail block.
std::string unix_block(const Row &w, Table t) {
    const TestResult &r = w.r;
    const TestSpec &s = r.spec;
    const CounterSnapshot &L = r.local.counters, &R = r.remote.counters;
    std::string out;
    if (t == Table::UnixRR)
        return transaction_block(w, w.m.transaction_rate, false, s.socktype == SOCK_STREAM, false, false);
    if (t == Table::UnixStream) {
        if (w.verbosity == 0) {
            appendf(out, w.cpu ? "%6.3f\n" : "%7.2f\n",
                    w.cpu ? (s.measure_cpu.local ? w.m.local_sd : w.m.remote_sd) : w.m.throughput);
            return out;
        }
        if (w.cpu)
            appendf(out, "%5d  %5d  %6d    %-6.2f     %7.2f   %-6.2f %-6.2f  %-6.3f  %-6.3f\n", w.sz.rsr, w.sz.lss,
                    int(r.local.send_size), w.elapsed, w.m.throughput, w.lcpu, w.rcpu, w.m.local_sd, w.m.remote_sd);
        else
            appendf(out, "%5d  %5d  %6d    %-6.2f   %7.2f   \n", w.sz.rsr, w.sz.lss, int(r.local.send_size),
                    w.elapsed, w.m.throughput);
        if (w.verbosity >= 2)
            appendf(out,
                    "\nAlignment      Offset         %-8.8s %-8.8s    Sends   %-8.8s Recvs\n"
                    "Local  Remote  Local  Remote  Xfered   Per                 Per\n"
                    "Send   Recv    Send   Recv             Send (avg)          Recv (avg)\n"
                    "%5d   %5d  %5d   %5d %6.4g  %6.2f     %6d %6.2f   %6d\n",
                    "Bytes", "Bytes", "Bytes", s.send_align.local, s.recv_align.remote, s.send_offset.local,
                    s.recv_offset.remote, double(L.bytes_sent), per_call(double(L.bytes_sent), L.send_calls),
                    int(L.send_calls), per_call(double(L.bytes_sent), R.recv_calls), int(R.recv_calls));
        return out;
    }
    // DG_STREAM
    if (w.verbosity == 0) {
        appendf(out, w.cpu ? "%6.2f\n" : "%7.2f\n",
                w.cpu ? (s.measure_cpu.local ? w.m.local_sd : w.m.remote_sd) : w.m.local_send_throughput);
        return out;
    }
    if (w.cpu)
        appendf(out,
                "%5d   %5d    %-7.2f   %7d %6d    %7.1f      %-6.2f  %-6.3f\n"
                "%5d            %-7.2f   %7d           %7.1f      %-6.2f  %-6.3f\n\n",
                w.sz.lss, int(r.local.send_size), w.elapsed, int(L.send_calls), int(L.send_errors),
                w.m.local_send_throughput, w.lcpu, w.m.local_sd, w.sz.rsr, w.elapsed, int(R.recv_calls),
                w.m.remote_recv_throughput, w.rcpu, w.m.remote_sd);
    else
        appendf(out,
                "%5d   %5d    %-7.2f   %7d %6d    %7.2f\n"
                "%5d            %-7.2f   %7d           %7.2f\n\n",
                w.sz.lss, int(r.local.send_size), w.elapsed, int(L.send_calls), int(L.send_errors),
                w.m.local_send_throughput, w.sz.rsr, w.elapsed, int(R.recv_calls), w.m.remote_recv_throughput);
    return out;
}

std::string classic_result(const TestResult &r, const OutputContext &ctx) {
    Table t = table_of(r.spec);
    int v = ctx.cmd.verbosity;
    Row w{r,
          ctx,
          output_metrics(r, ctx),
          sizes_of(r),
          output_elapsed(r, ctx),
          local_util(r, ctx),
          remote_util(r, ctx),
          method_of(r.local.cpu),
          method_of(r.remote.cpu),
          r.spec.measure_cpu.local || r.spec.measure_cpu.remote,
          v <= 0 ? 0 : v >= 2 ? 2 : 1,
          ctx.cmd.print_headers ? "" : ctx.cmd.brand.c_str(),
          units_name(ctx.fmt)};
    std::string out;
    if (!is_unix_table(t)) out += confidence_warning(ctx.conf);
    switch (t) {
    case Table::Stream: return out + stream_block(w, false);
    case Table::Maerts: return out + stream_block(w, true);
    case Table::RR: return out + rr_block(w, r.spec.is_dgram());
    case Table::CRR: return out + transaction_block(w, w.m.throughput, true, true, true, true);
    case Table::CC: return out + transaction_block(w, w.m.transaction_rate, true, true, true, true);
    case Table::UdpStream: return out + udp_stream_block(w);
    default: return out + unix_block(w, t);
    }
}

const char *histogram_subject(const TestSpec &s) {
    switch (s.pattern) {
    case Pattern::Stream: return "send";
    case Pattern::Maerts: return "recv";
    case Pattern::RR: return "request/response";
    case Pattern::CRR: return "connect/request/response/close";
    case Pattern::CC: return "connect/close";
    }
    return "send";
}

}  // namespace

std::string test_title(const TestSpec &s) {
    struct Name {
        const char *test, *title;
    };
    static const Name kTitles[] = {
        {"TCP_STREAM", "MIGRATED TCP STREAM TEST"},
        {"TCP_MAERTS", "MIGRATED TCP MAERTS TEST"},
        {"TCP_RR", "MIGRATED TCP REQUEST/RESPONSE TEST"},
        {"TCP_CRR", "MIGRATED TCP Connect/Request/Response TEST"},
        {"TCP_CC", "TCP Connect/Close TEST"},
        {"UDP_STREAM", "MIGRATED UDP STREAM TEST"},
        {"UDP_RR", "MIGRATED UDP REQUEST/RESPONSE TEST"},
        {"STREAM_STREAM", "STREAM STREAM TEST"},
        {"STREAM_RR", "STREAM REQUEST/RESPONSE TEST"},
        {"DG_STREAM", "DG UNIDIRECTIONAL SEND TEST"},
        {"DG_RR", "DG REQUEST/RESPONSE TEST"},
        {"SCTP_STREAM", "SCTP STREAM TEST"},
        {"SCTP_RR", "SCTP REQUEST/RESPONSE TEST"},
    };
    for (auto &n : kTitles)
        if (s.test_name == n.test) return n.title;
    return std::string("OMNI ") + direction_word(s) + " TEST";
}

std::string human_banner(const TestResult &r, const OutputContext &ctx) {
    const NetperfCommand &cmd = ctx.cmd;
    if (!cmd.print_headers) return {};
    const TestSpec &s = r.spec;
    std::string out = test_title(s);
    Table t = table_of(s);
    if (is_unix_table(t) && s.family == AF_UNIX) {
        // 2.7's Unix-domain tests print the title alone, and then their
        // column titles before the test runs.
        out += "\n";
        if (!uses_omni(r, ctx))
            out += unix_titles(t, s.measure_cpu.local || s.measure_cpu.remote, units_name(ctx.fmt));
        return out;
    }
    // Deliberate difference: 2.7 formats the numeric address into an
    // 8-byte buffer, so any address longer than 7 characters prints as
    // "()" (QUIRKS.md 20); we print the whole address.
    const std::string &lname = r.local_name.empty() ? r.local_addr : r.local_name;
    const std::string &rname = r.remote_name.empty() ? r.remote_addr : r.remote_name;
    appendf(out, " from %s (%s) port %u %s to %s (%s) port %u %s", lname.c_str(), r.local_addr.c_str(),
            unsigned(r.local_port_req), family_name(r.local_family), rname.c_str(), r.remote_addr.c_str(),
            unsigned(r.remote_port_req), family_name(r.remote_family));
    if (ctx.conf.requested)
        appendf(out, " : +/-%.3f%% @ %2d%% conf. %s", ctx.conf.width / 2.0, ctx.conf.level,
                ctx.conf.throughput_only ? " on result only" : "");
    if (s.nodelay) out += " : nodelay";
    // Deliberate difference: no build-feature suffixes (" : histogram",
    // " : spin interval", " : demo"): the banner reads like a 2.7 built
    // with the default configure options.  The first burst stays, as in
    // that build, for the tests whose title says REQUEST/RESPONSE.
    if (out.find("REQUEST/RESPONSE") != std::string::npos) appendf(out, " : first burst %d", s.burst);
    if (s.cpu.local >= 0 || s.cpu.remote >= 0) out += " : cpu bind";
    return out + "\n";
}

std::string interim_line(const IntervalSample &s, const TestResult &r, const OutputContext &ctx) {
    double v = interval_rate(s, r.spec, ctx.fmt);
    const char *units = units_name(ctx.fmt);
    unsigned long long ms = s.end_wall_ns / 1000000;
    unsigned long long sec = ms / 1000, frac = ms % 1000;
    std::string out;
    switch (ctx.cmd.omni_mode) {
    case OmniMode::Csv:
        appendf(out, "%7.2f,%s/s,%.3f,%llu.%.3llu\n", v, units, s.duration_s, sec, frac);
        break;
    case OmniMode::KeyVal:
        appendf(out,
                "NETPERF_INTERIM_RESULT[%d]=%.2f\n"
                "NETPERF_UNITS[%d]=%s/s\n"
                "NETPERF_INTERVAL[%d]=%.3f\n"
                "NETPERF_ENDING[%d]=%llu.%.3llu\n",
                s.index, v, s.index, units, s.index, s.duration_s, s.index, sec, frac);
        break;
    default:
        appendf(out, "Interim result: %7.2f %s/s over %.3f seconds ending at %llu.%.3llu\n", v, units, s.duration_s,
                sec, frac);
    }
    return out;
}

Metrics output_metrics(const TestResult &r, const OutputContext &ctx) {
    Metrics m = compute_metrics(r, ctx.fmt);
    if (ctx.conf.averaged) {
        m.throughput = ctx.conf.throughput;
        if (ctx.fmt == 'x') m.transaction_rate = ctx.conf.throughput;
        m.local_sd = ctx.conf.local_sd;
        m.remote_sd = ctx.conf.remote_sd;
    }
    return m;
}

double output_elapsed(const TestResult &r, const OutputContext &ctx) {
    return ctx.conf.averaged ? ctx.conf.elapsed_s : r.elapsed_s;
}

void average_iterations(const std::vector<TestResult> &all, char fmt, ConfidenceInfo &conf) {
    conf.averaged = all.size() > 1;
    if (!conf.averaged) return;
    double n = double(all.size());
    double el = 0, tput = 0, lcpu = 0, rcpu = 0, lsd = 0, rsd = 0;
    bool have_l = true, have_r = true;
    for (const TestResult &r : all) {
        Metrics m = compute_metrics(r, fmt);
        el += r.elapsed_s;
        tput += m.throughput;
        have_l = have_l && r.local.cpu.measured;
        have_r = have_r && r.remote.cpu.measured;
        lcpu += r.local.cpu.util;
        rcpu += r.remote.cpu.util;
        lsd += m.local_sd;
        rsd += m.remote_sd;
    }
    conf.elapsed_s = el / n;
    conf.throughput = tput / n;
    conf.local_cpu = have_l ? lcpu / n : -1;
    conf.remote_cpu = have_r ? rcpu / n : -1;
    conf.local_sd = have_l ? lsd / n : -1;
    conf.remote_sd = have_r ? rsd / n : -1;
}

std::string confidence_warning(const ConfidenceInfo &conf) {
    if (!conf.requested || conf.achieved) return {};
    std::string out;
    appendf(out,
            "!!! WARNING\n"
            "!!! Desired confidence was not achieved within the specified iterations.\n"
            "!!! This implies that there was variability in the test environment that\n"
            "!!! must be investigated before going further.\n"
            "!!! Confidence intervals: Throughput      : %4.3f%%\n"
            "!!!                       Local CPU util  : %4.3f%%\n"
            "!!!                       Remote CPU util : %4.3f%%\n\n",
            conf.throughput_width, conf.local_cpu_width, conf.remote_cpu_width);
    return out;
}

void latency_confidence(const std::vector<TestResult> &all, ConfidenceInfo &conf) {
    std::vector<double> p50, p90, p99;
    for (auto &r : all) {
        if (!r.local.latency.count()) continue;
        p50.push_back(r.local.latency.percentile(50) / 1e3);
        p90.push_back(r.local.latency.percentile(90) / 1e3);
        p99.push_back(r.local.latency.percentile(99) / 1e3);
    }
    conf.latency = !p50.empty();
    auto fill = [&](const std::vector<double> &v, ConfidenceInfo::Interval &out) {
        Estimate e = estimate(v, conf.level);
        out = {e.mean, e.half_width, e.width_percent};
    };
    fill(p50, conf.p50);
    fill(p90, conf.p90);
    fill(p99, conf.p99);
}

std::string latency_confidence_note(const TestResult &r, const OutputContext &ctx) {
    const ConfidenceInfo &c = ctx.conf;
    const NetperfCommand &cmd = ctx.cmd;
    if (!c.requested || !c.latency || !r.spec.is_transactional() || !cmd.print_headers || cmd.verbosity < 1 ||
        cmd.omni_mode != OmniMode::None)
        return {};
    std::string out;
    appendf(out, "Latency confidence (%d%%, %d iterations), usec:", c.level, c.iterations);
    const std::pair<const char *, const ConfidenceInfo::Interval *> rows[] = {
        {"P50", &c.p50}, {"P90", &c.p90}, {"P99", &c.p99}};
    for (auto &[name, iv] : rows)
        appendf(out, " %s %.2f +/- %.2f (%.3f%%)", name, iv->mean, iv->half_width, iv->width_percent);
    return out + "\n";
}

std::string histogram_report(const Histogram &h) {
    // rows[d][g]: 2.7's decade d (1 us, 10 us, ... 10 s), tenth g of it.
    uint64_t rows[8][10] = {};
    uint64_t beyond = 0;  // >= 100 s
    for (size_t i = 0; i < Histogram::kBuckets; i++) {
        uint64_t n = h.bucket_count(i);
        if (!n) continue;
        // 2.7 counts whole microseconds; a bucket counts where its middle is.
        uint64_t mid = (Histogram::bucket_lower(i) + Histogram::bucket_upper(i)) / 2;
        uint64_t v = mid / 1000;
        int decade = 0;
        while (v >= 10 && decade < 8) {
            v /= 10;
            decade++;
        }
        if (decade == 8)
            beyond += n;
        else
            rows[decade][v] += n;
    }
    static const char *const kRow[8] = {"UNIT_USEC     ", "TEN_USEC      ", "HUNDRED_USEC  ", "UNIT_MSEC     ",
                                        "TEN_MSEC      ", "HUNDRED_MSEC  ", "UNIT_SEC      ", "TEN_SEC       "};
    std::string out;
    for (int d = 0; d < 8; d++) {
        out += kRow[d];
        for (int g = 0; g < 10; g++) appendf(out, ": %4" PRIu64, rows[d][g]);
        out += "\n";
    }
    appendf(out, ">100_SECS: %" PRIu64 "\n", beyond);
    appendf(out, "HIST_TOTAL:      %" PRIu64 "\n", h.count());
    return out;
}

// The per-flow report.  One line per flow: its index, the worker that ran
// it, the CPU that worker was pinned to ("-" when unpinned), its rate in
// the table's units and, for transactional tests, its mean and 99th
// percentile latency; then an "All" line with the numbers of the table
// above (the aggregate rate, and latency from the merged histogram, not an
// average of percentiles).  Every flow's rate is over the test's elapsed
// time, so the flow lines add up to the aggregate.  Right-aligned numbers
// in fixed columns read down easily and split on whitespace for scripts.
std::string flow_report(const TestResult &r, const OutputContext &ctx) {
    if (r.flows.size() < 2) return {};
    const TestSpec &s = r.spec;
    Metrics m = output_metrics(r, ctx);
    bool rr = s.is_transactional();
    double el = r.elapsed_s > 0 ? r.elapsed_s : 0;
    int workers = 0;
    for (auto &f : r.flows) workers = std::max(workers, f.worker + 1);
    std::string units = m.units;
    std::string out;
    appendf(out, "\nPer-flow results: %zu flows on %d worker%s\n", r.flows.size(), workers, workers == 1 ? "" : "s");
    // Units is the last column of a stream test: no padding after it.
    const char *ufmt = rr ? " %-10s" : " %s";
    appendf(out, "%4s %6s %4s %12s", "Flow", "Worker", "CPU", "Throughput");
    appendf(out, ufmt, "Units");
    if (rr) appendf(out, " %9s %9s", "Mean us", "P99 us");
    out += "\n";
    for (const FlowReport &f : r.flows) {
        double rate = 0;
        if (el > 0) {
            if (ctx.fmt == 'x') {
                rate = double(f.local.transactions) / el;
            } else {
                double bytes = s.pattern == Pattern::Stream
                                   ? (f.remote_present ? double(f.remote.bytes_received + f.remote.bytes_sent)
                                                       : double(f.local.bytes_sent))
                                   : double(f.local.bytes_sent + f.local.bytes_received);
                rate = convert_rate(bytes / el, ctx.fmt);
            }
        }
        std::string cpu = f.cpu >= 0 ? std::to_string(f.cpu) : "-";
        appendf(out, "%4d %6d %4s %12.2f", f.index, f.worker, cpu.c_str(), rate);
        appendf(out, ufmt, units.c_str());
        if (rr)
            appendf(out, " %9.2f %9.2f", f.latency.mean() / 1e3,
                    f.latency.count() ? f.latency.percentile(99) / 1e3 : 0.0);
        if (!f.error.empty()) out += "  error: " + f.error;
        out += "\n";
    }
    appendf(out, "%4s %6s %4s %12.2f", "All", "", "", m.throughput);
    appendf(out, ufmt, units.c_str());
    if (rr) appendf(out, " %9.2f %9.2f", m.lat_mean, m.lat_p99);
    out += "\n";
    return out;
}

std::string human_result(const TestResult &r, const OutputContext &ctx) {
    const NetperfCommand &cmd = ctx.cmd;
    std::string out;
    if (uses_omni(r, ctx)) {
        out = omni_output(r, ctx);
        if (cmd.verbosity > 1) {
            appendf(out, "\nHistogram of %s times\n", histogram_subject(r.spec));
            out += histogram_report(r.local.latency);
        }
        // The machine formats stay one record: no per-flow table after them.
        if (cmd.omni_mode == OmniMode::KeyVal || cmd.omni_mode == OmniMode::Csv) return out;
    } else {
        out = classic_result(r, ctx);
    }
    // -P 0 and -v 0 output is for scripts: only the classic value lines.
    if (cmd.print_headers && cmd.verbosity > 0) out += flow_report(r, ctx);
    return out;
}

}  // namespace netperf
