// netperf 2.7's OMNI output selectors (-k/-o/-O): the selector table, the
// selection lists and files, every selector's value, and the three
// writers.  Headings, value formats and layouts follow 2.7.1
// (nettest_omni.c print_omni_init_list, print_omni_csv,
// print_omni_keyword, print_omni_human); the comments at the decisions say
// where we differ and why.
#include <netperf/omni.h>

#include <algorithm>
#include <cctype>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <netinet/in.h>

#include <netperf/addr.h>

namespace netperf {

namespace {

// Every selector with its four heading lines, in 2.7's order (the order of
// "all" and of `-k ?`).  P999_LATENCY (the 99.9th percentile of the
// merged histogram) and P50/P90/P99_LATENCY_CONFID (the percentiles'
// confidence widths) are ours; they sit after COMMAND_LINE so that "all"
// prints what 2.7 prints.
#define NETPERF_OMNI_SELECTORS(X) \
    X(OUTPUT_NONE, " ", "", "", "") \
    X(SOCKET_TYPE, "Socket", "Type", "", "") \
    X(PROTOCOL, "Protocol", "", "", "") \
    X(DIRECTION, "Direction", "", "", "") \
    X(ELAPSED_TIME, "Elapsed", "Time", "(sec)", "") \
    X(THROUGHPUT, "Throughput", "", "", "") \
    X(THROUGHPUT_UNITS, "Throughput", "Units", "", "") \
    X(LSS_SIZE_REQ, "Local", "Send Socket", "Size", "Requested") \
    X(LSS_SIZE, "Local", "Send Socket", "Size", "Initial") \
    X(LSS_SIZE_END, "Local", "Send Socket", "Size", "Final") \
    X(LSR_SIZE_REQ, "Local", "Recv Socket", "Size", "Requested") \
    X(LSR_SIZE, "Local", "Recv Socket", "Size", "Initial") \
    X(LSR_SIZE_END, "Local", "Recv Socket", "Size", "Final") \
    X(RSS_SIZE_REQ, "Remote", "Send Socket", "Size", "Requested") \
    X(RSS_SIZE, "Remote", "Send Socket", "Size", "Initial") \
    X(RSS_SIZE_END, "Remote", "Send Socket", "Size", "Final") \
    X(RSR_SIZE_REQ, "Remote", "Recv Socket", "Size", "Requested") \
    X(RSR_SIZE, "Remote", "Recv Socket", "Size", "Initial") \
    X(RSR_SIZE_END, "Remote", "Recv Socket", "Size", "Final") \
    X(LOCAL_SEND_SIZE, "Local", "Send", "Size", "") \
    X(LOCAL_RECV_SIZE, "Local", "Recv", "Size", "") \
    X(REMOTE_SEND_SIZE, "Remote", "Send", "Size", "") \
    X(REMOTE_RECV_SIZE, "Remote", "Recv", "Size", "") \
    X(REQUEST_SIZE, "Request", "Size", "Bytes", "") \
    X(RESPONSE_SIZE, "Response", "Size", "Bytes", "") \
    X(LOCAL_CPU_UTIL, "Local", "CPU", "Util", "%") \
    X(LOCAL_CPU_PERCENT_USER, "Local", "CPU", "User", "%") \
    X(LOCAL_CPU_PERCENT_SYSTEM, "Local", "CPU", "System", "%") \
    X(LOCAL_CPU_PERCENT_IOWAIT, "Local", "CPU", "I/O", "%") \
    X(LOCAL_CPU_PERCENT_IRQ, "Local", "CPU", "IRQ", "%") \
    X(LOCAL_CPU_PERCENT_SWINTR, "Local", "CPU", "swintr", "%") \
    X(LOCAL_CPU_METHOD, "Local", "CPU", "Util", "Method") \
    X(LOCAL_SD, "Local", "Service", "Demand", "") \
    X(REMOTE_CPU_UTIL, "Remote", "CPU", "Util", "%") \
    X(REMOTE_CPU_PERCENT_USER, "Remote", "CPU", "User", "%") \
    X(REMOTE_CPU_PERCENT_SYSTEM, "Remote", "CPU", "System", "%") \
    X(REMOTE_CPU_PERCENT_IOWAIT, "Remote", "CPU", "I/O", "%") \
    X(REMOTE_CPU_PERCENT_IRQ, "Remote", "CPU", "IRQ", "%") \
    X(REMOTE_CPU_PERCENT_SWINTR, "Remote", "CPU", "swintr", "%") \
    X(REMOTE_CPU_METHOD, "Remote", "CPU", "Util", "Method") \
    X(REMOTE_SD, "Remote", "Service", "Demand", "") \
    X(SD_UNITS, "Service", "Demand", "Units", "") \
    X(CONFIDENCE_LEVEL, "Confidence", "Level", "Percent", "") \
    X(CONFIDENCE_INTERVAL, "Confidence", "Width", "Target", "") \
    X(CONFIDENCE_ITERATION, "Confidence", "Iterations", "Run", "") \
    X(THROUGHPUT_CONFID, "Throughput", "Confidence", "Width (%)", "") \
    X(LOCAL_CPU_CONFID, "Local", "CPU", "Confidence", "Width (%)") \
    X(REMOTE_CPU_CONFID, "Remote", "CPU", "Confidence", "Width (%)") \
    X(TRANSACTION_RATE, "Transaction", "Rate", "Tran/s", "") \
    X(RT_LATENCY, "Round", "Trip", "Latency", "usec/tran") \
    X(BURST_SIZE, "Initial", "Burst", "Requests", "") \
    X(LOCAL_TRANSPORT_RETRANS, "Local", "Transport", "Retransmissions", "") \
    X(REMOTE_TRANSPORT_RETRANS, "Remote", "Transport", "Retransmissions", "") \
    X(TRANSPORT_MSS, "Transport", "MSS", "bytes", "") \
    X(LOCAL_SEND_THROUGHPUT, "Local", "Send", "Throughput", "") \
    X(LOCAL_RECV_THROUGHPUT, "Local", "Recv", "Throughput", "") \
    X(REMOTE_SEND_THROUGHPUT, "Remote", "Send", "Throughput", "") \
    X(REMOTE_RECV_THROUGHPUT, "Remote", "Recv", "Throughput", "") \
    X(LOCAL_CPU_BIND, "Local", "CPU", "Bind", "") \
    X(LOCAL_CPU_COUNT, "Local", "CPU", "Count", "") \
    X(LOCAL_CPU_PEAK_UTIL, "Local", "Peak", "Per CPU", "Util %") \
    X(LOCAL_CPU_PEAK_ID, "Local", "Peak", "Per CPU", "ID") \
    X(LOCAL_CPU_MODEL, "Local", "CPU", "Model", "") \
    X(LOCAL_CPU_FREQUENCY, "Local", "CPU", "Frequency", "MHz") \
    X(REMOTE_CPU_BIND, "Remote", "CPU", "Bind", "") \
    X(REMOTE_CPU_COUNT, "Remote", "CPU", "Count", "") \
    X(REMOTE_CPU_PEAK_UTIL, "Remote", "Peak", "Per CPU", "Util %") \
    X(REMOTE_CPU_PEAK_ID, "Remote", "Peak", "Per CPU", "ID") \
    X(REMOTE_CPU_MODEL, "Remote", "CPU", "Model", "") \
    X(REMOTE_CPU_FREQUENCY, "Remote", "CPU", "Frequency", "MHz") \
    X(SOURCE_PORT, "Source", "Port", "", "") \
    X(SOURCE_ADDR, "Source", "Address", "", "") \
    X(SOURCE_FAMILY, "Source", "Family", "", "") \
    X(DEST_PORT, "Destination", "Port", "", "") \
    X(DEST_ADDR, "Destination", "Address", "", "") \
    X(DEST_FAMILY, "Destination", "Family", "", "") \
    X(LOCAL_SEND_CALLS, "Local", "Send", "Calls", "") \
    X(LOCAL_RECV_CALLS, "Local", "Recv", "Calls", "") \
    X(LOCAL_BYTES_PER_RECV, "Local", "Bytes", "Per", "Recv") \
    X(LOCAL_BYTES_PER_SEND, "Local", "Bytes", "Per", "Send") \
    X(LOCAL_BYTES_SENT, "Local", "Bytes", "Sent", "") \
    X(LOCAL_BYTES_RECVD, "Local", "Bytes", "Received", "") \
    X(LOCAL_BYTES_XFERD, "Local", "Bytes", "Xferred", "") \
    X(LOCAL_SEND_OFFSET, "Local", "Send", "Offset", "") \
    X(LOCAL_RECV_OFFSET, "Local", "Recv", "Offset", "") \
    X(LOCAL_SEND_ALIGN, "Local", "Send", "Alignment", "") \
    X(LOCAL_RECV_ALIGN, "Local", "Recv", "Alignment", "") \
    X(LOCAL_SEND_WIDTH, "Local", "Send", "Width", "") \
    X(LOCAL_RECV_WIDTH, "Local", "Recv", "Width", "") \
    X(LOCAL_SEND_DIRTY_COUNT, "Local", "Send", "Dirty", "Count") \
    X(LOCAL_RECV_DIRTY_COUNT, "Local", "Recv", "Dirty", "Count") \
    X(LOCAL_RECV_CLEAN_COUNT, "Local", "Recv", "Clean", "Count") \
    X(LOCAL_NODELAY, "Local", "NODELAY", "", "") \
    X(LOCAL_CORK, "Local", "Cork", "", "") \
    X(REMOTE_SEND_CALLS, "Remote", "Send", "Calls", "") \
    X(REMOTE_RECV_CALLS, "Remote", "Recv", "Calls", "") \
    X(REMOTE_BYTES_PER_RECV, "Remote", "Bytes", "Per", "Recv") \
    X(REMOTE_BYTES_PER_SEND, "Remote", "Bytes", "Per", "Send") \
    X(REMOTE_BYTES_SENT, "Remote", "Bytes", "Sent", "") \
    X(REMOTE_BYTES_RECVD, "Remote", "Bytes", "Received", "") \
    X(REMOTE_BYTES_XFERD, "Remote", "Bytes", "Xferred", "") \
    X(REMOTE_SEND_OFFSET, "Remote", "Send", "Offset", "") \
    X(REMOTE_RECV_OFFSET, "Remote", "Recv", "Offset", "") \
    X(REMOTE_SEND_ALIGN, "Remote", "Send", "Alignment", "") \
    X(REMOTE_RECV_ALIGN, "Remote", "Recv", "Alignment", "") \
    X(REMOTE_SEND_WIDTH, "Remote", "Send", "Width", "") \
    X(REMOTE_RECV_WIDTH, "Remote", "Recv", "Width", "") \
    X(REMOTE_SEND_DIRTY_COUNT, "Remote", "Send", "Dirty", "Count") \
    X(REMOTE_RECV_DIRTY_COUNT, "Remote", "Recv", "Dirty", "Count") \
    X(REMOTE_RECV_CLEAN_COUNT, "Remote", "Recv", "Clean", "Count") \
    X(REMOTE_NODELAY, "Remote", "NODELAY", "", "") \
    X(REMOTE_CORK, "Remote", "Cork", "", "") \
    X(LOCAL_SYSNAME, "Local", "Sysname", "", "") \
    X(LOCAL_SYSTEM_MODEL, "Local", "System", "Model", "") \
    X(LOCAL_RELEASE, "Local", "Release", "", "") \
    X(LOCAL_VERSION, "Local", "Version", "", "") \
    X(LOCAL_MACHINE, "Local", "Machine", "", "") \
    X(REMOTE_SYSNAME, "Remote", "Sysname", "", "") \
    X(REMOTE_SYSTEM_MODEL, "Remote", "System", "Model", "") \
    X(REMOTE_RELEASE, "Remote", "Release", "", "") \
    X(REMOTE_VERSION, "Remote", "Version", "", "") \
    X(REMOTE_MACHINE, "Remote", "Machine", "", "") \
    X(LOCAL_INTERFACE_NAME, "Local", "Interface", "Name", "") \
    X(LOCAL_INTERFACE_VENDOR, "Local", "Interface", "Vendor", "") \
    X(LOCAL_INTERFACE_DEVICE, "Local", "Interface", "Device", "") \
    X(LOCAL_INTERFACE_SUBVENDOR, "Local", "Interface", "Subvendor", "") \
    X(LOCAL_INTERFACE_SUBDEVICE, "Local", "Interface", "Subdevice", "") \
    X(LOCAL_DRIVER_NAME, "Local", "Driver", "Name", "") \
    X(LOCAL_DRIVER_VERSION, "Local", "Driver", "Version", "") \
    X(LOCAL_DRIVER_FIRMWARE, "Local", "Driver", "Firmware", "") \
    X(LOCAL_DRIVER_BUS, "Local", "Driver", "Bus", "") \
    X(LOCAL_INTERFACE_SLOT, "Local", "Interface", "Slot", "") \
    X(REMOTE_INTERFACE_NAME, "Remote", "Interface", "Name", "") \
    X(REMOTE_INTERFACE_VENDOR, "Remote", "Interface", "Vendor", "") \
    X(REMOTE_INTERFACE_DEVICE, "Remote", "Interface", "Device", "") \
    X(REMOTE_INTERFACE_SUBVENDOR, "Remote", "Interface", "Subvendor", "") \
    X(REMOTE_INTERFACE_SUBDEVICE, "Remote", "Interface", "Subdevice", "") \
    X(REMOTE_DRIVER_NAME, "Remote", "Driver", "Name", "") \
    X(REMOTE_DRIVER_VERSION, "Remote", "Driver", "Version", "") \
    X(REMOTE_DRIVER_FIRMWARE, "Remote", "Driver", "Firmware", "") \
    X(REMOTE_DRIVER_BUS, "Remote", "Driver", "Bus", "") \
    X(REMOTE_INTERFACE_SLOT, "Remote", "Interface", "Slot", "") \
    X(LOCAL_INTERVAL_USECS, "Local", "Interval", "Usecs", "") \
    X(LOCAL_INTERVAL_BURST, "Local", "Interval", "Burst", "") \
    X(REMOTE_INTERVAL_USECS, "Remote", "Interval", "Usecs", "") \
    X(REMOTE_INTERVAL_BURST, "Remote", "Interval", "Burst", "") \
    X(LOCAL_SECURITY_TYPE_ID, "Local", "OS", "Security", "Type ID") \
    X(LOCAL_SECURITY_TYPE, "Local", "OS", "Security", "Type") \
    X(LOCAL_SECURITY_ENABLED_NUM, "Local", "OS", "Security", "Enabled Num") \
    X(LOCAL_SECURITY_ENABLED, "Local", "OS", "Security", "Enabled") \
    X(LOCAL_SECURITY_SPECIFIC, "Local", "OS", "Security", "Specific") \
    X(REMOTE_SECURITY_TYPE_ID, "Remote", "OS", "Security", "Type") \
    X(REMOTE_SECURITY_TYPE, "Remote", "OS", "Security", "Type") \
    X(REMOTE_SECURITY_ENABLED_NUM, "Remote", "OS", "Security", "Enabled") \
    X(REMOTE_SECURITY_ENABLED, "Remote", "OS", "Security", "Enabled") \
    X(REMOTE_SECURITY_SPECIFIC, "Remote", "OS", "Security", "Specific") \
    X(RESULT_BRAND, "Result", "Tag", "", "") \
    X(UUID, "Test", "UUID", "", "") \
    X(MIN_LATENCY, "Minimum", "Latency", "Microseconds", "") \
    X(MAX_LATENCY, "Maximum", "Latency", "Microseconds", "") \
    X(P50_LATENCY, "50th", "Percentile", "Latency", "Microseconds") \
    X(P90_LATENCY, "90th", "Percentile", "Latency", "Microseconds") \
    X(P99_LATENCY, "99th", "Percentile", "Latency", "Microseconds") \
    X(MEAN_LATENCY, "Mean", "Latency", "Microseconds", "") \
    X(STDDEV_LATENCY, "Stddev", "Latency", "Microseconds", "") \
    X(LOCAL_SOCKET_PRIO, "Local", "Socket", "Priority", "") \
    X(REMOTE_SOCKET_PRIO, "Remote", "Socket", "Priority", "") \
    X(LOCAL_SOCKET_TOS, "Local", "Socket", "TOS", "") \
    X(REMOTE_SOCKET_TOS, "Remote", "Socket", "TOS", "") \
    X(LOCAL_CONG_CONTROL, "Local", "Congestion", "Control", "Algorithm") \
    X(REMOTE_CONG_CONTROL, "Remote", "Congestion", "Control", "Algorithm") \
    X(LOCAL_FILL_FILE, "Local", "Fill", "File", "") \
    X(REMOTE_FILL_FILE, "Remote", "Fill", "File", "") \
    X(COMMAND_LINE, "Command", "Line", "", "") \
    X(P999_LATENCY, "99.9th", "Percentile", "Latency", "Microseconds") \
    X(P50_LATENCY_CONFID, "50th Pctl", "Latency", "Confidence", "Width (%)") \
    X(P90_LATENCY_CONFID, "90th Pctl", "Latency", "Confidence", "Width (%)") \
    X(P99_LATENCY_CONFID, "99th Pctl", "Latency", "Confidence", "Width (%)") \
    X(OUTPUT_END, "This", "Is", "The", "End")

enum Sel : int {
#define NETPERF_OMNI_ENUM(name, h0, h1, h2, h3) S_##name,
    NETPERF_OMNI_SELECTORS(NETPERF_OMNI_ENUM)
#undef NETPERF_OMNI_ENUM
    S_COUNT
};

std::string strf(const char *f, ...) __attribute__((format(printf, 1, 2)));
std::string strf(const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(nullptr, 0, f, ap);
    va_end(ap);
    std::string s;
    if (n > 0) {
        s.resize(size_t(n) + 1);
        vsnprintf(&s[0], size_t(n) + 1, f, ap2);
        s.resize(size_t(n));
    }
    va_end(ap2);
    return s;
}

std::string lower(std::string s) {
    for (auto &c : s) c = char(tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string trim(const std::string &s) {
    size_t a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return {};
    size_t b = s.find_last_not_of(" \t\r");
    return s.substr(a, b - a + 1);
}

// The heading as one line: the non-empty heading lines joined by spaces,
// up to the first empty one (2.7's CSV header and file matching).
std::string joined_heading(const OmniSelector &s) {
    std::string out;
    for (const char *h : s.heading) {
        if (!*h) break;
        if (!out.empty()) out += ' ';
        out += h;
    }
    return out;
}

// A selector named in a file: its name or its joined heading.
int find_in_file(const std::string &word) {
    int i = omni_find(word);
    if (i >= 0) return i;
    const auto &all = omni_selectors();
    std::string l = lower(word);
    for (size_t k = 0; k < all.size(); k++)
        if (lower(joined_heading(all[k])) == l) return int(k);
    return -1;
}

constexpr size_t kMaxBlocks = 4;  // 2.7's NETPERF_MAX_BLOCKS

// Adds one selector to a block: unknown names are dropped (2.7 drops them
// silently; we also report them so the caller can warn).  2.7 keeps an
// empty CSV field and a one-space column for each unknown name, which
// shifts a CSV header against its values; we keep nothing.
void add_word(std::vector<int> &block, const std::string &word, int sel, std::vector<std::string> *unknown) {
    if (word.empty()) return;
    if (sel < 0) {
        if (unknown) unknown->push_back(word);
        return;
    }
    block.push_back(sel);
}

OmniBlocks parse_direct(const std::string &spec, std::vector<std::string> *unknown) {
    OmniBlocks blocks;
    size_t pos = 0;
    while (pos <= spec.size()) {
        size_t semi = spec.find(';', pos);
        if (semi == std::string::npos) semi = spec.size();
        std::string line = spec.substr(pos, semi - pos);
        pos = semi + 1;
        // Blocks beyond the fourth are ignored, as 2.7 does.
        if (blocks.size() == kMaxBlocks) break;
        std::vector<int> block;
        size_t p = 0;
        while (p < line.size()) {
            size_t e = line.find_first_of(" ,\t", p);
            if (e == std::string::npos) e = line.size();
            std::string word = line.substr(p, e - p);
            add_word(block, word, word.empty() ? -1 : omni_find(word), unknown);
            p = e + 1;
        }
        blocks.push_back(std::move(block));
        if (semi == spec.size()) break;
    }
    return blocks;
}

OmniBlocks parse_file(const std::string &path, std::vector<std::string> *unknown) {
    std::ifstream in(path);
    if (!in) throw Error("output selection '" + path + "' is neither an output selector nor a readable file");
    OmniBlocks blocks;
    std::string line;
    while (blocks.size() < kMaxBlocks && std::getline(in, line)) {
        std::vector<int> block;
        std::stringstream ss(line);
        std::string word;
        // One block per line, selectors separated by commas; a selector is
        // its name or its heading ("Throughput Units").  We trim spaces
        // around each; 2.7 matches the text between commas exactly.
        while (std::getline(ss, word, ',')) {
            word = trim(word);
            add_word(block, word, word.empty() ? -1 : find_in_file(word), unknown);
        }
        blocks.push_back(std::move(block));
    }
    return blocks;
}

// The blocks of "all": 2.7's four ranges of selectors.
OmniBlocks all_blocks() {
    auto range = [](int a, int b) {
        std::vector<int> v;
        for (int i = a; i <= b; i++) v.push_back(i);
        return v;
    };
    return {range(S_SOCKET_TYPE, S_RESPONSE_SIZE), range(S_LOCAL_CPU_UTIL, S_TRANSPORT_MSS),
            range(S_LOCAL_SEND_THROUGHPUT, S_REMOTE_CORK), range(S_LOCAL_SYSNAME, S_COMMAND_LINE)};
}

const char *socket_type_name(int t) {
    switch (t) {
    case SOCK_STREAM: return "Stream";
    case SOCK_DGRAM: return "Datagram";
    case SOCK_SEQPACKET: return "Seqpacket";
    default: return "Unknown";
    }
}

std::string protocol_text(const TestSpec &s) {
    if (s.family == AF_UNIX) return protocol_name(s);
    switch (s.protocol) {
    case IPPROTO_TCP: return "TCP";
    case IPPROTO_UDP: return "UDP";
    case IPPROTO_SCTP: return "SCTP";
    case IPPROTO_UDPLITE: return "UDPLite";
    case IPPROTO_DCCP: return "DCCP";
    case IPPROTO_IP: return "IP Default";
    default: return "Unknown Protocol";
    }
}

const char *direction_text(const TestSpec &s) {
    switch (s.pattern) {
    case Pattern::Stream: return "Send";
    case Pattern::Maerts: return "Receive";
    case Pattern::RR: return "Send|Recv";
    case Pattern::CRR: return "Connect|Send|Recv";
    case Pattern::CC: return "Connection";
    }
    return "Send";
}

std::string i64(int64_t v) { return strf("%" PRId64, v); }
std::string u64(uint64_t v) { return strf("%" PRIu64, v); }
std::string f2(double v) { return strf("%.2f", v); }
std::string f3(double v) { return strf("%.3f", v); }
// 2.7 prints the NIC ids and TOS with "0x%.4x" / "0x%.2x" of an int, so
// its "unknown" -2 and -1 come out as 0xfffffffe and 0xffffffff.
std::string hex4(int v) { return strf("0x%.4x", unsigned(v)); }
std::string hex2(int v) { return strf("0x%.2x", unsigned(v)); }

// Microseconds of a histogram value in ns, as 2.7's integer latencies.
std::string us_int(double ns) { return strf("%d", int(ns / 1e3)); }


// Bytes per send() and recv() on each side, for the directions the test
// uses: a stream's sender sends -m bytes and its receiver reads -M; a
// request/response test sends requests one way and responses the other.
// A direction a side does not use prints -1.  (2.7 prints what its
// variables happened to hold: 0, -1, or 0 for RR's local sizes.)
struct IoSizes {
    int64_t lsend = -1, lrecv = -1, rsend = -1, rrecv = -1;
};

IoSizes io_sizes(const TestResult &r) {
    const TestSpec &s = r.spec;
    IoSizes z;
    switch (s.pattern) {
    case Pattern::Stream:
        z.lsend = r.local.send_size;
        z.rrecv = r.remote.recv_size;
        break;
    case Pattern::Maerts:
        z.lrecv = r.local.recv_size;
        z.rsend = r.remote.send_size;
        break;
    default:
        z.lsend = z.rrecv = s.request_size;
        z.lrecv = z.rsend = s.response_size;
        break;
    }
    return z;
}

}  // namespace

const std::vector<OmniSelector> &omni_selectors() {
    static const std::vector<OmniSelector> kAll = {
#define NETPERF_OMNI_ROW(name, h0, h1, h2, h3) {#name, {h0, h1, h2, h3}},
        NETPERF_OMNI_SELECTORS(NETPERF_OMNI_ROW)
#undef NETPERF_OMNI_ROW
    };
    return kAll;
}

int omni_find(const std::string &name) {
    const auto &all = omni_selectors();
    for (size_t i = 0; i < all.size(); i++)
        if (strcasecmp(all[i].name, name.c_str()) == 0) return int(i);
    return -1;
}

std::optional<OmniBlocks> omni_preset(const std::string &name) {
    if (strcasecmp(name.c_str(), "all") == 0) return all_blocks();
    // netperf 3's default: the figures most runs are read for, whatever
    // the test's direction (2.7's own per-direction list is "classic").
    static const char *const kDefault =
        "THROUGHPUT,THROUGHPUT_UNITS,MEAN_LATENCY,P50_LATENCY,P90_LATENCY,P99_LATENCY,LOCAL_CPU_UTIL,"
        "REMOTE_CPU_UTIL,LOCAL_SEND_CALLS,LOCAL_RECV_CALLS,ELAPSED_TIME,PROTOCOL,DIRECTION,SOCKET_TYPE";
    static const char *const kMinimal = "THROUGHPUT,THROUGHPUT_UNITS";
    // The default and what a report needs to be reproduced and compared:
    // sizes, every latency figure, CPU and service demand, confidence,
    // call and byte counts, the transport's view, the endpoints and the
    // command.  One block per theme, so -O stays readable.
    static const char *const kVerbose =
        "SOCKET_TYPE,PROTOCOL,DIRECTION,ELAPSED_TIME,THROUGHPUT,THROUGHPUT_UNITS,LSS_SIZE_END,LSR_SIZE_END,"
        "RSS_SIZE_END,RSR_SIZE_END,LOCAL_SEND_SIZE,LOCAL_RECV_SIZE,REMOTE_SEND_SIZE,REMOTE_RECV_SIZE,REQUEST_SIZE,"
        "RESPONSE_SIZE;"
        "TRANSACTION_RATE,RT_LATENCY,MIN_LATENCY,MEAN_LATENCY,P50_LATENCY,P90_LATENCY,P99_LATENCY,P999_LATENCY,"
        "MAX_LATENCY,STDDEV_LATENCY;"
        "LOCAL_CPU_UTIL,REMOTE_CPU_UTIL,LOCAL_SD,REMOTE_SD,SD_UNITS,CONFIDENCE_LEVEL,CONFIDENCE_INTERVAL,"
        "CONFIDENCE_ITERATION,THROUGHPUT_CONFID,LOCAL_CPU_CONFID,REMOTE_CPU_CONFID,P50_LATENCY_CONFID,"
        "P90_LATENCY_CONFID,P99_LATENCY_CONFID;"
        "LOCAL_SEND_CALLS,LOCAL_RECV_CALLS,REMOTE_SEND_CALLS,REMOTE_RECV_CALLS,LOCAL_BYTES_SENT,LOCAL_BYTES_RECVD,"
        "REMOTE_BYTES_SENT,REMOTE_BYTES_RECVD,LOCAL_TRANSPORT_RETRANS,REMOTE_TRANSPORT_RETRANS,TRANSPORT_MSS,"
        "LOCAL_CONG_CONTROL,REMOTE_CONG_CONTROL,SOURCE_ADDR,SOURCE_PORT,DEST_ADDR,DEST_PORT,UUID,COMMAND_LINE";
    if (strcasecmp(name.c_str(), "default") == 0) return parse_direct(kDefault, nullptr);
    if (strcasecmp(name.c_str(), "minimal") == 0) return parse_direct(kMinimal, nullptr);
    if (strcasecmp(name.c_str(), "verbose") == 0) return parse_direct(kVerbose, nullptr);
    return std::nullopt;
}

OmniBlocks parse_omni_selection(const std::string &spec, std::vector<std::string> *unknown) {
    if (auto preset = omni_preset(spec)) return *preset;
    if (spec.find_first_of(",;") != std::string::npos || omni_find(spec) >= 0) return parse_direct(spec, unknown);
    std::ifstream probe(spec);
    if (probe) return parse_file(spec, unknown);
    // A space-separated list with no file of that name: read it as a list
    // (2.7 tries it as a file name and exits).
    if (spec.find_first_of(" \t") != std::string::npos) return parse_direct(spec, unknown);
    return parse_file(spec, unknown);  // throws, naming the selection
}

OmniBlocks omni_default_selection(const TestSpec &s, bool cpu) {
    std::string list;
    switch (s.pattern) {
    case Pattern::Stream: list = "LSS_SIZE_END,RSR_SIZE_END,LOCAL_SEND_SIZE"; break;
    case Pattern::Maerts: list = "RSS_SIZE_END,LSR_SIZE_END,REMOTE_SEND_SIZE"; break;
    default: list = "LSS_SIZE_END,LSR_SIZE_END,RSR_SIZE_END,RSS_SIZE_END,REQUEST_SIZE,RESPONSE_SIZE"; break;
    }
    list += ",ELAPSED_TIME,THROUGHPUT,THROUGHPUT_UNITS";
    if (cpu)
        list += ",LOCAL_CPU_UTIL,LOCAL_CPU_PERCENT_USER,LOCAL_CPU_PERCENT_SYSTEM,LOCAL_CPU_PERCENT_IOWAIT,"
                "LOCAL_CPU_PERCENT_IRQ,LOCAL_CPU_PERCENT_SWINTR,LOCAL_CPU_METHOD,REMOTE_CPU_UTIL,"
                "REMOTE_CPU_PERCENT_USER,REMOTE_CPU_PERCENT_SYSTEM,REMOTE_CPU_PERCENT_IOWAIT,REMOTE_CPU_PERCENT_IRQ,"
                "REMOTE_CPU_PERCENT_SWINTR,REMOTE_CPU_METHOD,LOCAL_SD,REMOTE_SD,SD_UNITS";
    return parse_direct(list, nullptr);
}

OmniBlocks omni_selection_of(const NetperfCommand &cmd, std::vector<std::string> *unknown) {
    if (cmd.omni_selection.empty()) return *omni_preset("default");
    if (strcasecmp(cmd.omni_selection.c_str(), "classic") == 0)
        return omni_default_selection(cmd.spec, cmd.spec.measure_cpu.local || cmd.spec.measure_cpu.remote);
    return parse_omni_selection(cmd.omni_selection, unknown);
}

std::optional<std::string> omni_value(int sel, const TestResult &r, const OutputContext &ctx, const Metrics &m) {
    const TestSpec &s = r.spec;
    const NetperfCommand &cmd = ctx.cmd;
    const SideResult &L = r.local, &R = r.remote;
    const CounterSnapshot &lc = L.counters, &rc = R.counters;
    const ConfidenceInfo &conf = ctx.conf;
    const Histogram &h = L.latency;
    bool tcp = s.family != AF_UNIX && s.protocol == IPPROTO_TCP;
    double lcpu = conf.averaged ? conf.local_cpu : (L.cpu.measured ? L.cpu.util : -1);
    double rcpu = conf.averaged ? conf.remote_cpu : (R.cpu.measured ? R.cpu.util : -1);
    switch (Sel(sel)) {
    case S_OUTPUT_NONE: return std::string(" ");
    case S_SOCKET_TYPE: return std::string(socket_type_name(s.socktype));
    case S_PROTOCOL: return protocol_text(s);
    case S_DIRECTION: return std::string(direction_text(s));
    case S_ELAPSED_TIME: return f2(output_elapsed(r, ctx));
    case S_THROUGHPUT: return f2(m.throughput);
    case S_THROUGHPUT_UNITS: return m.units;
    case S_LSS_SIZE_REQ: return i64(L.sndbuf_req);
    case S_LSS_SIZE: return i64(L.sndbuf);
    case S_LSS_SIZE_END: return i64(L.sndbuf_end);
    case S_LSR_SIZE_REQ: return i64(L.rcvbuf_req);
    case S_LSR_SIZE: return i64(L.rcvbuf);
    case S_LSR_SIZE_END: return i64(L.rcvbuf_end);
    case S_RSS_SIZE_REQ: return i64(R.sndbuf_req);
    case S_RSS_SIZE: return i64(R.sndbuf);
    case S_RSS_SIZE_END: return i64(R.sndbuf_end);
    case S_RSR_SIZE_REQ: return i64(R.rcvbuf_req);
    case S_RSR_SIZE: return i64(R.rcvbuf);
    case S_RSR_SIZE_END: return i64(R.rcvbuf_end);
    case S_LOCAL_SEND_SIZE: return i64(io_sizes(r).lsend);
    case S_LOCAL_RECV_SIZE: return i64(io_sizes(r).lrecv);
    case S_REMOTE_SEND_SIZE: return i64(io_sizes(r).rsend);
    case S_REMOTE_RECV_SIZE: return i64(io_sizes(r).rrecv);
    // A stream test has no request or response: 2.7 prints -1.
    case S_REQUEST_SIZE: return i64(s.is_transactional() ? s.request_size : -1);
    case S_RESPONSE_SIZE: return i64(s.is_transactional() ? s.response_size : -1);
    case S_LOCAL_CPU_UTIL: return f2(lcpu);
    case S_LOCAL_CPU_PERCENT_USER: return f2(L.cpu.user);
    case S_LOCAL_CPU_PERCENT_SYSTEM: return f2(L.cpu.system);
    case S_LOCAL_CPU_PERCENT_IOWAIT: return f2(L.cpu.iowait);
    case S_LOCAL_CPU_PERCENT_IRQ: return f2(L.cpu.irq);
    case S_LOCAL_CPU_PERCENT_SWINTR: return f2(L.cpu.softirq);
    case S_LOCAL_CPU_METHOD: return std::string(1, L.cpu.measured ? 'S' : 'U');
    case S_LOCAL_SD: return f3(m.local_sd);
    case S_REMOTE_CPU_UTIL: return f2(rcpu);
    case S_REMOTE_CPU_PERCENT_USER: return f2(R.cpu.user);
    case S_REMOTE_CPU_PERCENT_SYSTEM: return f2(R.cpu.system);
    case S_REMOTE_CPU_PERCENT_IOWAIT: return f2(R.cpu.iowait);
    case S_REMOTE_CPU_PERCENT_IRQ: return f2(R.cpu.irq);
    case S_REMOTE_CPU_PERCENT_SWINTR: return f2(R.cpu.softirq);
    case S_REMOTE_CPU_METHOD: return std::string(1, R.cpu.measured ? 'S' : 'U');
    case S_REMOTE_SD: return f3(m.remote_sd);
    case S_SD_UNITS: return std::string(m.sd_units);
    // Without -i/-I 2.7 prints its initial values: level 0, width and
    // achieved intervals -1.
    case S_CONFIDENCE_LEVEL: return strf("%d", conf.requested ? conf.level : 0);
    case S_CONFIDENCE_INTERVAL: return strf("%f", conf.requested ? conf.width : -1.0);
    case S_CONFIDENCE_ITERATION: return strf("%d", conf.iterations);
    case S_THROUGHPUT_CONFID: return f3(conf.requested ? conf.throughput_width : -1.0);
    case S_LOCAL_CPU_CONFID: return f3(conf.requested ? conf.local_cpu_width : -1.0);
    case S_REMOTE_CPU_CONFID: return f3(conf.requested ? conf.remote_cpu_width : -1.0);
    // A stream test has no transactions.  2.7 prints its initial 1.000 for
    // TRANSACTION_RATE there; we print -1.000, its "not applicable" value
    // (as for RT_LATENCY), so no script takes 1 transaction/s for a result.
    case S_TRANSACTION_RATE: return f3(s.is_transactional() ? m.transaction_rate : -1.0);
    case S_RT_LATENCY: return f3(s.is_transactional() && lc.transactions ? m.rt_latency_us : -1.0);
    case S_BURST_SIZE: return strf("%d", s.burst);
    case S_LOCAL_TRANSPORT_RETRANS: return i64(L.retransmits);
    case S_REMOTE_TRANSPORT_RETRANS: return i64(R.retransmits);
    case S_TRANSPORT_MSS: return i64(L.mss);
    case S_LOCAL_SEND_THROUGHPUT: return f2(m.local_send_throughput);
    case S_LOCAL_RECV_THROUGHPUT: return f2(m.local_recv_throughput);
    case S_REMOTE_SEND_THROUGHPUT: return f2(m.remote_send_throughput);
    case S_REMOTE_RECV_THROUGHPUT: return f2(m.remote_recv_throughput);
    case S_LOCAL_CPU_BIND: return strf("%d", s.cpu.local);
    case S_LOCAL_CPU_COUNT: return strf("%d", L.cpu.num_cpus);
    case S_LOCAL_CPU_PEAK_UTIL: return f2(L.cpu.measured ? L.cpu.peak_util : -1.0);
    case S_LOCAL_CPU_PEAK_ID: return strf("%d", L.cpu.measured ? L.cpu.peak_cpu : -1);
    case S_LOCAL_CPU_FREQUENCY: return std::string("0");  // 2.7 on Linux never learns it
    case S_REMOTE_CPU_BIND: return strf("%d", s.cpu.remote);
    case S_REMOTE_CPU_COUNT: return strf("%d", R.cpu.num_cpus);
    case S_REMOTE_CPU_PEAK_UTIL: return f2(R.cpu.measured ? R.cpu.peak_util : -1.0);
    case S_REMOTE_CPU_PEAK_ID: return strf("%d", R.cpu.measured ? R.cpu.peak_cpu : -1);
    case S_REMOTE_CPU_FREQUENCY: return std::string("0");  // never sent by 2.7's netserver
    // Requested ports and the names as given; the family netperf was
    // asked for (0 = unspecified) and the family the data went over, as
    // raw AF numbers (QUIRKS.md 21).
    case S_SOURCE_PORT: return strf("%d", r.local_port_req);
    case S_SOURCE_ADDR: return r.local_name.empty() ? r.local_addr : r.local_name;
    case S_SOURCE_FAMILY: return strf("%d", cmd.spec.family);
    case S_DEST_PORT: return strf("%d", r.remote_port_req);
    case S_DEST_ADDR: return r.remote_name.empty() ? r.remote_addr : r.remote_name;
    case S_DEST_FAMILY: return strf("%d", r.remote_family);
    case S_LOCAL_SEND_CALLS: return u64(lc.send_calls);
    case S_LOCAL_RECV_CALLS: return u64(lc.recv_calls);
    case S_LOCAL_BYTES_PER_RECV: return f2(lc.recv_calls ? double(lc.bytes_received) / double(lc.recv_calls) : 0.0);
    case S_LOCAL_BYTES_PER_SEND: return f2(lc.send_calls ? double(lc.bytes_sent) / double(lc.send_calls) : 0.0);
    case S_LOCAL_BYTES_SENT: return u64(lc.bytes_sent);
    case S_LOCAL_BYTES_RECVD: return u64(lc.bytes_received);
    case S_LOCAL_BYTES_XFERD: return strf("%.0f", double(lc.bytes_sent) + double(lc.bytes_received));
    case S_LOCAL_SEND_OFFSET: return strf("%d", s.send_offset.local);
    case S_LOCAL_RECV_OFFSET: return strf("%d", s.recv_offset.local);
    case S_LOCAL_SEND_ALIGN: return strf("%d", s.send_align.local);
    case S_LOCAL_RECV_ALIGN: return strf("%d", s.recv_align.local);
    case S_LOCAL_SEND_WIDTH: return strf("%d", L.send_width);
    case S_LOCAL_RECV_WIDTH: return strf("%d", L.recv_width);
    // Dirty/clean buffer counts need 2.7's --enable-dirty: -1 = unused.
    case S_LOCAL_SEND_DIRTY_COUNT:
    case S_LOCAL_RECV_DIRTY_COUNT:
    case S_LOCAL_RECV_CLEAN_COUNT:
    case S_REMOTE_SEND_DIRTY_COUNT:
    case S_REMOTE_RECV_DIRTY_COUNT:
    case S_REMOTE_RECV_CLEAN_COUNT: return std::string("-1");
    case S_LOCAL_NODELAY:
    case S_REMOTE_NODELAY: return strf("%d", s.nodelay && tcp ? 1 : 0);
    case S_LOCAL_CORK:
    case S_REMOTE_CORK: return strf("%d", s.cork && tcp ? 1 : 0);
    case S_REMOTE_SEND_CALLS: return u64(rc.send_calls);
    case S_REMOTE_RECV_CALLS: return u64(rc.recv_calls);
    case S_REMOTE_BYTES_PER_RECV: return f2(rc.recv_calls ? double(rc.bytes_received) / double(rc.recv_calls) : 0.0);
    case S_REMOTE_BYTES_PER_SEND: return f2(rc.send_calls ? double(rc.bytes_sent) / double(rc.send_calls) : 0.0);
    case S_REMOTE_BYTES_SENT: return u64(rc.bytes_sent);
    case S_REMOTE_BYTES_RECVD: return u64(rc.bytes_received);
    case S_REMOTE_BYTES_XFERD: return strf("%.0f", double(rc.bytes_sent) + double(rc.bytes_received));
    case S_REMOTE_SEND_OFFSET: return strf("%d", s.send_offset.remote);
    case S_REMOTE_RECV_OFFSET: return strf("%d", s.recv_offset.remote);
    case S_REMOTE_SEND_ALIGN: return strf("%d", s.send_align.remote);
    case S_REMOTE_RECV_ALIGN: return strf("%d", s.recv_align.remote);
    case S_REMOTE_SEND_WIDTH: return strf("%d", R.send_width);
    case S_REMOTE_RECV_WIDTH: return strf("%d", R.recv_width);
    // Host and NIC descriptions: 2.7.1 prints the literal "Deprecated".
    case S_LOCAL_SYSNAME:
    case S_LOCAL_SYSTEM_MODEL:
    case S_LOCAL_RELEASE:
    case S_LOCAL_VERSION:
    case S_LOCAL_MACHINE:
    case S_REMOTE_SYSNAME:
    case S_REMOTE_SYSTEM_MODEL:
    case S_REMOTE_RELEASE:
    case S_REMOTE_VERSION:
    case S_REMOTE_MACHINE:
    case S_LOCAL_INTERFACE_NAME:
    case S_LOCAL_DRIVER_NAME:
    case S_LOCAL_DRIVER_VERSION:
    case S_LOCAL_DRIVER_FIRMWARE:
    case S_LOCAL_DRIVER_BUS:
    case S_LOCAL_INTERFACE_SLOT:
    case S_REMOTE_INTERFACE_NAME:
    case S_REMOTE_DRIVER_NAME:
    case S_REMOTE_DRIVER_VERSION:
    case S_REMOTE_DRIVER_FIRMWARE:
    case S_REMOTE_DRIVER_BUS:
    case S_REMOTE_INTERFACE_SLOT:
    case S_LOCAL_CPU_MODEL:
    case S_REMOTE_CPU_MODEL:
    case S_LOCAL_SECURITY_TYPE:
    case S_LOCAL_SECURITY_ENABLED:
    case S_LOCAL_SECURITY_SPECIFIC:
    case S_REMOTE_SECURITY_TYPE:
    case S_REMOTE_SECURITY_ENABLED:
    case S_REMOTE_SECURITY_SPECIFIC: return std::string("Deprecated");
    // PCI ids of the NIC: 2.7.1 never finds them on Linux and prints its
    // "unknown" -2.
    case S_LOCAL_INTERFACE_VENDOR:
    case S_LOCAL_INTERFACE_DEVICE:
    case S_LOCAL_INTERFACE_SUBVENDOR:
    case S_LOCAL_INTERFACE_SUBDEVICE:
    case S_REMOTE_INTERFACE_VENDOR:
    case S_REMOTE_INTERFACE_DEVICE:
    case S_REMOTE_INTERFACE_SUBVENDOR:
    case S_REMOTE_INTERFACE_SUBDEVICE: return hex4(-2);
    case S_LOCAL_INTERVAL_USECS: return i64(s.pace_interval_us.local);
    case S_LOCAL_INTERVAL_BURST: return strf("%d", s.pace_burst.local);
    case S_REMOTE_INTERVAL_USECS: return i64(s.pace_interval_us.remote);
    case S_REMOTE_INTERVAL_BURST: return strf("%d", s.pace_burst.remote);
    // Security module ids: not looked up (2.7.1 prints 0 on Linux).
    case S_LOCAL_SECURITY_TYPE_ID:
    case S_LOCAL_SECURITY_ENABLED_NUM:
    case S_REMOTE_SECURITY_TYPE_ID:
    case S_REMOTE_SECURITY_ENABLED_NUM: return std::string("0");
    case S_RESULT_BRAND:
        if (cmd.brand.empty()) return std::nullopt;  // 2.7: no -B, no value
        return "\"" + cmd.brand + "\"";
    case S_UUID: return ctx.uuid;
    // Per-operation times from the merged histogram, in whole
    // microseconds as 2.7 prints them (mean and deviation with 2 decimals).
    case S_MIN_LATENCY: return us_int(double(h.min()));
    case S_MAX_LATENCY: return us_int(double(h.max()));
    case S_P50_LATENCY: return us_int(h.count() ? h.percentile(50) : 0.0);
    case S_P90_LATENCY: return us_int(h.count() ? h.percentile(90) : 0.0);
    case S_P99_LATENCY: return us_int(h.count() ? h.percentile(99) : 0.0);
    case S_P999_LATENCY: return us_int(h.count() ? h.percentile(99.9) : 0.0);
    // Ours: the percentiles' interval widths over a confidence run, in %
    // of their mean like THROUGHPUT_CONFID (-1.000 without -i/-I or latency).
    case S_P50_LATENCY_CONFID: return f3(conf.requested && conf.latency ? conf.p50.width_percent : -1.0);
    case S_P90_LATENCY_CONFID: return f3(conf.requested && conf.latency ? conf.p90.width_percent : -1.0);
    case S_P99_LATENCY_CONFID: return f3(conf.requested && conf.latency ? conf.p99.width_percent : -1.0);
    case S_MEAN_LATENCY: return f2(h.mean() / 1e3);
    case S_STDDEV_LATENCY: return f2(h.stddev() / 1e3);
    case S_LOCAL_SOCKET_PRIO: return strf("%d", s.priority.local);
    case S_REMOTE_SOCKET_PRIO: return strf("%d", s.priority.remote);
    case S_LOCAL_SOCKET_TOS: return hex2(s.tos.local);
    case S_REMOTE_SOCKET_TOS: return hex2(s.tos.remote);
    case S_LOCAL_CONG_CONTROL: return L.cong_control;
    case S_REMOTE_CONG_CONTROL: return R.cong_control;
    case S_LOCAL_FILL_FILE: return s.fill_file.local;
    case S_REMOTE_FILL_FILE: return s.fill_file.remote;
    case S_COMMAND_LINE: return "\"" + cmd.command_line + "\"";
    case S_OUTPUT_END:
    case S_COUNT: break;
    }
    return std::nullopt;
}

namespace {

// The selectors of a block up to OUTPUT_END.
std::vector<int> block_items(const std::vector<int> &b) {
    std::vector<int> out;
    for (int sel : b) {
        if (sel == S_OUTPUT_END) break;
        out.push_back(sel);
    }
    return out;
}

}  // namespace

std::string omni_keyval(const OmniBlocks &blocks, const TestResult &r, const OutputContext &ctx, const Metrics &m) {
    const auto &all = omni_selectors();
    std::string out;
    for (const auto &b : blocks)
        for (int sel : block_items(b))
            if (auto v = omni_value(sel, r, ctx, m)) out += std::string(all[size_t(sel)].name) + "=" + *v + "\n";
    return out;
}

std::string omni_csv(const OmniBlocks &blocks, const TestResult &r, const OutputContext &ctx, const Metrics &m) {
    const auto &all = omni_selectors();
    std::string head, vals;
    bool any = false;
    // Every block on one line, as 2.7 does for CSV.
    for (const auto &b : blocks) {
        for (int sel : block_items(b)) {
            if (any) {
                head += ',';
                vals += ',';
            }
            any = true;
            head += joined_heading(all[size_t(sel)]);
            if (auto v = omni_value(sel, r, ctx, m)) vals += *v;
        }
    }
    if (!any) return {};
    std::string out;
    if (ctx.cmd.print_headers) out += head + "\n";
    return out + vals + "\n";
}

std::string omni_columns(const OmniBlocks &blocks, const TestResult &r, const OutputContext &ctx,
                         const Metrics &m) {
    const auto &all = omni_selectors();
    std::string out;
    for (size_t bi = 0; bi < blocks.size(); bi++) {
        std::vector<int> items = block_items(blocks[bi]);
        if (items.empty()) continue;
        // A column is as wide as its longest heading line or its value
        // plus one, then one space: 2.7's max_line_len + 1.
        std::string hdr[4], val;
        for (int sel : items) {
            const OmniSelector &s = all[size_t(sel)];
            std::optional<std::string> v = omni_value(sel, r, ctx, m);
            size_t w = v ? v->size() + 1 : 0;
            for (const char *h : s.heading) w = std::max(w, strlen(h));
            w += 1;
            for (int k = 0; k < 4; k++) {
                hdr[k] += s.heading[k];
                hdr[k].append(w - strlen(s.heading[k]), ' ');
            }
            std::string text = v ? *v : std::string();
            val += text;
            val.append(w - text.size(), ' ');
        }
        if (bi > 0) out += "\n";  // a blank line between blocks
        if (ctx.cmd.print_headers)
            for (auto &l : hdr) out += l + "\n";
        out += val + "\n";
    }
    return out;
}

std::string omni_output(const TestResult &r, const OutputContext &ctx) {
    OmniBlocks blocks = omni_selection_of(ctx.cmd);
    Metrics m = output_metrics(r, ctx);
    switch (ctx.cmd.omni_mode) {
    case OmniMode::KeyVal: return omni_keyval(blocks, r, ctx, m);
    case OmniMode::Csv: return omni_csv(blocks, r, ctx, m);
    default: return omni_columns(blocks, r, ctx, m);
    }
}

std::string omni_selector_list(bool csv) {
    std::string out;
    const auto &all = omni_selectors();
    for (size_t i = 0; i < all.size(); i++) {
        if (i) out += csv ? ',' : '\n';
        out += all[i].name;
    }
    return out + "\n";
}

std::string omni_test_uuid(const NetperfCommand &cmd) {
    if (!cmd.uuid.empty()) return cmd.uuid;
    std::ifstream in("/proc/sys/kernel/random/uuid");
    std::string u;
    std::getline(in, u);
    return u;
}

}  // namespace netperf
