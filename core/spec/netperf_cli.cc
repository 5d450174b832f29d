// netperf's command line.  Global options follow netperf 2.7's getopt string
// "A:a:b:B:CcdD:f:F:H:hi:I:jk:K:l:L:n:NO:o:P:p:rSs:t:T:v:VW:w:y:Y:Z:46"; the
// test's options (after `--`) follow its OMNI parser.  Where 2.7 silently
// accepts nonsense (an unknown test option falling through to -4, a
// non-number where a number is due), we say what is wrong and exit 1.
#include <netperf/cli.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>

#include <netinet/in.h>

namespace netperf {

namespace {

std::string upper(std::string s) {
    for (auto &c : s) c = char(toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string lower(std::string s) {
    for (auto &c : s) c = char(tolower(static_cast<unsigned char>(c)));
    return s;
}

long long parse_int(const std::string &s, const char *what) {
    if (s.empty()) throw UsageError(std::string(what) + ": missing number");
    char *end = nullptr;
    errno = 0;
    long long v = strtoll(s.c_str(), &end, 10);
    if (errno || end == s.c_str() || *end) throw UsageError(std::string(what) + ": '" + s + "' is not a number");
    return v;
}

double parse_double(const std::string &s, const char *what) {
    char *end = nullptr;
    errno = 0;
    double v = strtod(s.c_str(), &end);
    if (errno || end == s.c_str() || *end || !(v == v))
        throw UsageError(std::string(what) + ": '" + s + "' is not a number");
    return v;
}

// 2.7's -w: m = ms (default), u = us, s = seconds.
int64_t parse_timespec_us(const std::string &s, const char *what) {
    if (s.empty()) throw UsageError(std::string(what) + ": missing time");
    std::string num = s;
    int64_t mult = 1000;
    char last = s.back();
    if (last == 'm' || last == 'u' || last == 's') {
        num = s.substr(0, s.size() - 1);
        mult = last == 'u' ? 1 : last == 's' ? 1000000 : 1000;
    }
    long long v = parse_int(num, what);
    if (v < 0) throw UsageError(std::string(what) + ": must not be negative");
    return v * mult;
}

int parse_family(const std::string &s, const char *what) {
    std::string l = lower(s);
    if (l.find('6') != std::string::npos) return AF_INET6;
    if (l == "inet" || l.find('4') != std::string::npos) return AF_INET;
    if (l == "0" || l == "unspec") return AF_UNSPEC;
    throw UsageError(std::string(what) + ": unknown address family '" + s + "'");
}

int parse_protocol(const std::string &s) {
    std::string l = lower(s);
    if (l == "tcp") return IPPROTO_TCP;
    if (l == "udp") return IPPROTO_UDP;
    if (l == "sctp") return IPPROTO_SCTP;
    if (l == "dccp") return 33;
    if (l == "udplite") return 136;
    if (l == "sdp") return IPPROTO_TCP;
    throw UsageError("-T: unknown protocol '" + s + "' (tcp, udp, sctp)");
}

// OMNI direction bits, netserver-neutral: what netperf does.
constexpr int kXmit = 2, kRecv = 4;

int parse_direction(const std::string &s) {
    int d = 0;
    size_t pos = 0;
    while (pos <= s.size()) {
        size_t bar = s.find('|', pos);
        if (bar == std::string::npos) bar = s.size();
        std::string w = lower(s.substr(pos, bar - pos));
        if (w == "send" || w == "xmit" || w == "stream" || w == "transmit")
            d |= kXmit;
        else if (w == "recv" || w == "receive" || w == "maerts")
            d |= kRecv;
        else if (w == "rr")
            d |= kXmit | kRecv;
        else if (!w.empty() && w.find_first_not_of("0123456789") == std::string::npos)
            d |= int(parse_int(w, "-d")) & (kXmit | kRecv);
        else
            throw UsageError("-d: unknown direction '" + w + "' (send, recv, rr)");
        pos = bar + 1;
    }
    return d;
}

// A tiny getopt: short options (clustered, attached or separate argument),
// long options handled by the caller.  `spec` is getopt's string.
class Scanner {
  public:
    Scanner(std::vector<std::string> args, std::string spec) : args_(std::move(args)), spec_(std::move(spec)) {}

    // Next option letter, or 0 at the end / at "--"; `arg` gets its argument.
    char next(std::string &arg) {
        arg.clear();
        if (cluster_.empty()) {
            if (i_ >= args_.size()) return 0;
            const std::string &a = args_[i_];
            if (a == "--") {
                i_++;
                ended_ = true;
                return 0;
            }
            if (a.size() < 2 || a[0] != '-') throw UsageError("unexpected argument '" + a + "'");
            if (a[1] == '-') {
                long_ = a.substr(2);
                i_++;
                return '-';
            }
            cluster_ = a.substr(1);
            i_++;
        }
        char c = cluster_[0];
        cluster_.erase(0, 1);
        size_t p = spec_.find(c);
        if (p == std::string::npos || c == ':') throw UsageError(std::string("unknown option -") + c);
        if (p + 1 < spec_.size() && spec_[p + 1] == ':') {
            if (!cluster_.empty()) {
                arg = cluster_;
                cluster_.clear();
            } else if (i_ < args_.size()) {
                arg = args_[i_++];
            } else {
                throw UsageError(std::string("option -") + c + " needs an argument");
            }
        }
        return c;
    }
    // Takes the next argument if it does not start with '-' and (when
    // digit_only) starts with a digit: 2.7's optional arguments.
    bool optional(std::string &arg, bool digit_only) {
        if (!cluster_.empty()) {
            if (digit_only && !isdigit(static_cast<unsigned char>(cluster_[0]))) return false;
            arg = cluster_;
            cluster_.clear();
            return true;
        }
        if (i_ >= args_.size()) return false;
        const std::string &a = args_[i_];
        if (a.empty() || a[0] == '-') return false;
        if (digit_only && !isdigit(static_cast<unsigned char>(a[0]))) return false;
        arg = a;
        i_++;
        return true;
    }
    // The long option just seen ("name" or "name=value").
    const std::string &long_opt() const { return long_; }
    // The value of a long option: after '=' or the next argument.
    std::string long_value(const std::string &name) {
        size_t eq = long_.find('=');
        if (eq != std::string::npos) return long_.substr(eq + 1);
        if (i_ >= args_.size()) throw UsageError("--" + name + " needs a value");
        return args_[i_++];
    }
    bool ended() const { return ended_; }
    std::vector<std::string> rest() const { return {args_.begin() + long(i_), args_.end()}; }

  private:
    std::vector<std::string> args_;
    std::string spec_;
    size_t i_ = 0;
    std::string cluster_;
    std::string long_;
    bool ended_ = false;
};

bool is_direction_word(const std::string &w) { return w == "tx" || w == "rx" || w == "bx" || w == "simul"; }

struct TestDef {
    const char *name;
    Pattern pattern;
    int family;  // AF_UNSPEC: from -H / -4 / -6
    int socktype;
    int protocol;
    const char *transport;
    bool migrated;
};

const TestDef kTests[] = {
    {"TCP_STREAM", Pattern::Stream, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", true},
    {"TCP_MAERTS", Pattern::Maerts, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", true},
    {"TCP_RR", Pattern::RR, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", true},
    {"TCP_CRR", Pattern::CRR, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", true},
    {"TCP_CC", Pattern::CC, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", false},
    {"UDP_STREAM", Pattern::Stream, AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, "sockets", true},
    {"UDP_RR", Pattern::RR, AF_UNSPEC, SOCK_DGRAM, IPPROTO_UDP, "sockets", true},
    {"OMNI", Pattern::Stream, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", false},
    {"STREAM_STREAM", Pattern::Stream, AF_UNIX, SOCK_STREAM, 0, "unix", false},
    {"STREAM_RR", Pattern::RR, AF_UNIX, SOCK_STREAM, 0, "unix", false},
    {"DG_STREAM", Pattern::Stream, AF_UNIX, SOCK_DGRAM, 0, "unix", false},
    {"DG_RR", Pattern::RR, AF_UNIX, SOCK_DGRAM, 0, "unix", false},
    {"SCTP_STREAM", Pattern::Stream, AF_UNSPEC, SOCK_STREAM, IPPROTO_SCTP, "sctp", false},
    {"SCTP_RR", Pattern::RR, AF_UNSPEC, SOCK_STREAM, IPPROTO_SCTP, "sctp", false},  // one-to-one, as 2.7
    {"LOC_CPU", Pattern::Stream, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", false},
    {"REM_CPU", Pattern::Stream, AF_UNSPEC, SOCK_STREAM, IPPROTO_TCP, "sockets", false},
};

const TestDef *find_test(const std::string &name) {
    for (auto &t : kTests)
        if (name == t.name) return &t;
    return nullptr;
}

// Test-specific options (after --).
void parse_test_options(NetperfCommand &cmd, const std::vector<std::string> &args, bool omni) {
    TestSpec &s = cmd.spec;
    Scanner sc(args, "aBb:cCd:De:fFgG:hH:i:Ij:kK:l:L:m:M:nNoOp:P:q:r:R:s:S:t:T:u:UVw:W:46");
    int direction = 0;
    int implicit_direction = 0;  // from -m/-M/-r; an explicit -d overrides it (2.7)
    bool explicit_direction = false, connection_test = false, have_R = false;
    bool have_r = false;
    std::string a, b, arg;
    for (char c; (c = sc.next(arg)) != 0;) {
        switch (c) {
        case '-':
            throw UsageError("unknown test option --" + sc.long_opt());
        case '4':
            s.family = AF_INET;
            break;
        case '6':
            s.family = AF_INET6;
            break;
        case 'h':
            throw UsageError("test options: see netperf -h");
        case 'b':
            s.burst = int(parse_int(arg, "-b"));
            if (s.burst < 0) throw UsageError("-b: burst must not be negative");
            break;
        case 'c':
            connection_test = true;
            break;
        case 'C':
            s.cork = true;
            break;
        case 'd':
            if (omni) {
                direction = parse_direction(arg);
                explicit_direction = true;
            }
            break;
        case 'D':
            s.nodelay = true;
            break;
        case 'H': {
            split_pair(arg, a, b, true);
            std::string host = a.substr(0, a.find('/'));
            if (!host.empty()) s.data_remote_host = host;
            if (!b.empty()) s.family = parse_family(b, "-H");
            break;
        }
        case 'L': {
            split_pair(arg, a, b, true);
            std::string host = a.substr(0, a.find('/'));
            if (!host.empty()) s.data_local_host = host;
            if (!b.empty()) s.family = parse_family(b, "-L");
            break;
        }
        case 'K':
            split_pair(arg, a, b);
            if (a.size() > 15 || b.size() > 15) throw UsageError("-K: congestion control name too long");
            s.cong_control.local = a;
            s.cong_control.remote = b;
            break;
        case 'k':
        case 'o':
        case 'O': {
            cmd.omni_mode = c == 'k' ? OmniMode::KeyVal : c == 'o' ? OmniMode::Csv : OmniMode::Human;
            cmd.omni_selection.clear();
            std::string list;
            if (sc.optional(list, false)) cmd.omni_selection = list;
            break;
        }
        case 'm':
            split_pair(arg, a, b, true);
            if (!a.empty()) {
                s.send_size.local = parse_size(a, "-m");
                implicit_direction |= kXmit;
            }
            if (!b.empty()) {
                s.send_size.remote = parse_size(b, "-m");
                implicit_direction |= kRecv;
            }
            break;
        case 'M':
            // Remote first, then local (2.7's order).
            split_pair(arg, a, b, true);
            if (!a.empty()) {
                s.recv_size.remote = parse_size(a, "-M");
                implicit_direction |= kXmit;
            }
            if (!b.empty()) {
                s.recv_size.local = parse_size(b, "-M");
                implicit_direction |= kRecv;
            }
            break;
        case 'P':
            split_pair(arg, a, b);
            if (!a.empty()) s.data_port.local = int(parse_int(a, "-P"));
            if (!b.empty()) s.data_port.remote = int(parse_int(b, "-P"));
            for (int p : {s.data_port.local, s.data_port.remote})
                if (p < 0 || p > 65535) throw UsageError("-P: port out of range");
            break;
        case 'r':
            split_pair(arg, a, b);
            if (!a.empty()) s.request_size = parse_size(a, "-r");
            if (!b.empty()) s.response_size = parse_size(b, "-r");
            implicit_direction |= kXmit | kRecv;
            have_r = true;
            break;
        case 'R':
            s.routing = parse_int(arg, "-R") != 0;
            have_R = true;
            break;
        case 's':
            split_pair(arg, a, b);
            if (!a.empty()) s.sndbuf.local = int32_t(parse_size(a, "-s"));
            if (!b.empty()) s.rcvbuf.local = int32_t(parse_size(b, "-s"));
            break;
        case 'S':
            split_pair(arg, a, b);
            if (!a.empty()) s.sndbuf.remote = int32_t(parse_size(a, "-S"));
            if (!b.empty()) s.rcvbuf.remote = int32_t(parse_size(b, "-S"));
            break;
        case 't': {
            std::string l = lower(arg);
            if (l == "stream") s.socktype = SOCK_STREAM;
            else if (l == "dgram") s.socktype = SOCK_DGRAM;
            else if (l == "seqpacket") s.socktype = SOCK_SEQPACKET;
            else throw UsageError("-t: unknown socket type '" + arg + "' (stream, dgram)");
            break;
        }
        case 'T':
            s.protocol = parse_protocol(arg);
            if (s.protocol == IPPROTO_UDP) s.socktype = SOCK_DGRAM;
            if (s.protocol == IPPROTO_TCP) s.socktype = SOCK_STREAM;
            if (s.protocol == IPPROTO_SCTP) s.transport = "sctp";
            break;
        case 'u':
            cmd.uuid = arg;
            break;
        case 'W':
            parse_size(arg, "-W");
            break;
        case 'p':  // client port range for connection tests: accepted, the kernel picks ports
            split_pair(arg, a, b);
            break;
        case 'e':
        case 'G':
        case 'j':
        case 'l':
        case 'q':
        case 'w':
            parse_int(arg, (std::string("-") + c).c_str());
            break;
        case 'i':
            throw UsageError("-i: the check_interval option was removed in netperf 2.7");
        default:
            // a, B, f, F, g, I, n, N, U, V: socket tweaks 2.7 accepts; no effect here.
            break;
        }
    }
    if (omni) {
        if (!explicit_direction) direction |= implicit_direction;
        if (!explicit_direction && direction == 0 && !connection_test) direction = kXmit;
        if (explicit_direction && (direction & kXmit) && (direction & kRecv) && !have_r) {
            s.request_size = s.response_size = 1;
        }
        if (connection_test)
            s.pattern = (direction & (kXmit | kRecv)) ? Pattern::CRR : Pattern::CC;
        else if ((direction & kXmit) && (direction & kRecv))
            s.pattern = Pattern::RR;
        else if (direction & kRecv)
            s.pattern = Pattern::Maerts;
        else
            s.pattern = Pattern::Stream;
    }
    // UDP stream tests do not allow routing unless asked (2.7's safety latch).
    if (!have_R && s.socktype == SOCK_DGRAM && s.is_stream()) s.routing = false;
    // An OMNI connect-only test moves no data and reports no sizes.  TCP_CC
    // keeps -r's sizes (default 1), which 2.7's table prints though no data
    // moves; the engine's plan leaves them out (plan.cc).
    if (omni && s.pattern == Pattern::CC) s.request_size = s.response_size = 0;
}

}  // namespace

int64_t parse_size(const std::string &s, const char *what) {
    if (s.empty()) throw UsageError(std::string(what) + ": missing size");
    size_t digits = 0;
    if (s[0] == '-') digits = 1;
    while (digits < s.size() && isdigit(static_cast<unsigned char>(s[digits]))) digits++;
    if (digits == 0 || (s[0] == '-' && digits == 1))
        throw UsageError(std::string(what) + ": '" + s + "' is not a size");
    long long v = parse_int(s.substr(0, digits), what);
    std::string suf = s.substr(digits);
    if (suf.size() > 1) throw UsageError(std::string(what) + ": '" + s + "' has an unknown suffix");
    if (!suf.empty()) {
        switch (suf[0]) {
        case 'K': v <<= 10; break;
        case 'M': v <<= 20; break;
        case 'G': v <<= 30; break;
        case 'k': v *= 1000; break;
        case 'm': v *= 1000000; break;
        case 'g': v *= 1000000000; break;
        default: throw UsageError(std::string(what) + ": '" + s + "' has an unknown suffix");
        }
    }
    return v;
}

void split_pair(const std::string &s, std::string &a, std::string &b, bool explicit_pair) {
    size_t c = s.find(',');
    if (c == std::string::npos) {
        a = s;
        b = explicit_pair ? "" : s;
        return;
    }
    a = s.substr(0, c);
    b = s.substr(c + 1);
}

TestSpec direction_spec(const TestSpec &s, const std::string &dir) {
    TestSpec d = s;
    bool rx = dir == "rx";
    d.pattern = rx ? Pattern::Maerts : Pattern::Stream;
    if (s.test_name == "TCP_STREAM" || s.test_name == "TCP_MAERTS")
        d.test_name = rx ? "TCP_MAERTS" : "TCP_STREAM";
    else if (rx && s.family != AF_UNIX)
        d.test_name = "OMNI";  // 2.7 names no receive test for UDP or SCTP: OMNI -d recv
    return d;
}

std::string netperf_usage() {
    return R"(
Usage: netperf [global options] -- [test options]

Global options:
    -a send,recv      Set the local send,recv buffer alignment
    -A send,recv      Set the remote send,recv buffer alignment
    -B brandstr       Specify a string to be emitted with brief output
    -c [cpu_rate]     Report local CPU usage
    -C [cpu_rate]     Report remote CPU usage
    -d                Increase debugging output
    -D time,[units] * Display interim results at least every time interval
                      (default: sampled every 1 s, printed when the output
                      is a terminal; -D 0 turns them off)
    -f G|M|K|g|m|k|x  Set the output units
    -F lfill[,rfill]* Pre-fill buffers with data from specified file
    -h                Display this text
    -H name|ip,fam *  Specify the target machine and/or local ip and family
    -i max,min        Specify the max and min number of iterations (15,1)
    -I lvl[,intvl]    Specify confidence level (95 or 99) (99)
                      and confidence interval in percentage (10)
    -j                Keep additional timing statistics
    -l testlen        Specify test duration (>0 secs) (<0 bytes|trans)
    -L name|ip,fam *  Specify the local ip|name and address family
    -o send,recv      Set the local send,recv buffer offsets
    -O send,recv      Set the remote send,recv buffer offset
    -n numcpu         Set the number of processors for CPU util
    -N                Establish no control connection, do 'send' side only
    -p port,lport*    Specify netserver port number and/or local port
    -P 0|1            Don't/Do display test headers
    -r                Allow confidence to be hit on result only
    -s seconds        Wait seconds between test setup and test start
    -S                Set SO_KEEPALIVE on the data connection
    -t testname       Specify test to perform
    -T lcpu,rcpu      Request netperf/netserver be bound to local/remote cpu
    -T tx|rx|bx|simul The same as --direction (a word, not a number)
    -v verbosity      Specify the verbosity level
    -W send,recv      Set the number of send,recv buffers
    -v level          Set the verbosity level (default 1, min 0)
    -V                Display the netperf version and exit
    -w time           Pacing interval (m = ms, u = us, s = s)
    -b burst          Sends (or transactions) per pacing interval
    -y local,remote   Set the socket priority
    -Y local,remote   Set the IP_TOS. Use hexadecimal.
    -Z passphrase     Set and pass to netserver a passphrase

netperf 3 options:
    --flows N         Run N flows at once (default 1)
    --threads T       Drive them from T pinned workers (default: one per CPU)
    --transport L[,R] Data transport plugin: netperf's [, netserver's] (default sockets)
    --transport-opt K=V   A transport option (repeatable)
    --remote-transport-opt K=V  An option of netserver's transport (repeatable)
    --window N        Datagram sends in flight per flow (default 16)
    --list-transports List the transport plugins and whether they run here
    --transport-help NAME Show a transport's options
    --legacy          Speak netperf 2.x's control protocol only
    --format F        Report as human (default), csv, json or keyval
    --output FILE     Write the report to FILE (atomically) instead of stdout
    --csv-intervals   With --format csv: a row per interim interval too
    --direction D     tx, rx, bx (tx then rx) or simul (both at once)

For those options taking two parms, at least one must be specified;
specifying one value without a comma will set both parms to that
value, specifying a value with a leading comma will set just the second
parm, a value with a trailing comma will set just the first. To set
each parm to unique values, specify both and separate them with a
comma.

* For these options taking two parms, specifying one value with no comma
will only set the first parms and will leave the second at the default
value. To set the second value it must be preceded with a comma or be a
comma-separated pair. This is to retain previous netperf behaviour.
)";
}

NetperfCommand parse_netperf_command(int argc, char **argv) {
    NetperfCommand cmd;
    for (int i = 0; i < argc; i++) {
        if (i) cmd.command_line += ' ';
        cmd.command_line += argv[i];
    }
    std::vector<std::string> args(argv + 1, argv + argc);
    Scanner sc(args, "A:a:b:B:CcdD:f:F:H:hi:I:jk:K:l:L:n:NO:o:P:p:rSs:t:T:v:VW:w:y:Y:Z:46");
    TestSpec &s = cmd.spec;
    std::string test = "OMNI";
    bool test_given = false;
    int control_family = AF_UNSPEC;
    std::string host = "localhost", a, b, arg;
    bool host_given = false;
    bool interval_given_w = false;
    std::vector<std::pair<std::string, std::string>> topts;
    std::string transport_override, remote_transport_override;
    std::vector<std::pair<std::string, std::string>> remote_topts;
    int flows = 1, threads = 0, window = 0;
    for (char c; (c = sc.next(arg)) != 0;) {
        switch (c) {
        case '-': {
            std::string name = sc.long_opt().substr(0, sc.long_opt().find('='));
            if (name == "flows") {
                flows = int(parse_int(sc.long_value(name), "--flows"));
                if (flows < 1 || flows > 100000) throw UsageError("--flows: want 1..100000");
            } else if (name == "threads") {
                threads = int(parse_int(sc.long_value(name), "--threads"));
                if (threads < 1 || threads > 4096) throw UsageError("--threads: want 1..4096");
            } else if (name == "window") {
                window = int(parse_int(sc.long_value(name), "--window"));
                if (window < 1 || window > 4096) throw UsageError("--window: want 1..4096");
            } else if (name == "transport") {
                std::string a2, b2;
                split_pair(sc.long_value(name), a2, b2);
                transport_override = a2;
                remote_transport_override = b2;
            } else if (name == "remote-transport-opt") {
                std::string kv = sc.long_value(name);
                size_t eq = kv.find('=');
                if (eq == std::string::npos || eq == 0)
                    throw UsageError("--remote-transport-opt: want NAME=VALUE, got '" + kv + "'");
                remote_topts.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
            } else if (name == "transport-opt" || name == "transport-option") {
                std::string kv = sc.long_value(name);
                size_t eq = kv.find('=');
                if (eq == std::string::npos || eq == 0)
                    throw UsageError("--transport-opt: want NAME=VALUE, got '" + kv + "'");
                topts.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
            } else if (name == "list-transports") {
                cmd.list_transports = true;
            } else if (name == "transport-help") {
                cmd.transport_help = sc.long_value(name);
            } else if (name == "format") {
                cmd.format = lower(sc.long_value(name));
                if (cmd.format != "human" && cmd.format != "csv" && cmd.format != "json" && cmd.format != "keyval")
                    throw UsageError("--format: unknown format '" + cmd.format + "' (human, csv, json, keyval)");
            } else if (name == "output") {
                cmd.output_path = sc.long_value(name);
                if (cmd.output_path.empty()) throw UsageError("--output: missing file name");
            } else if (name == "csv-intervals") {
                cmd.csv_intervals = true;
            } else if (name == "direction") {
                cmd.direction = lower(sc.long_value(name));
                if (!is_direction_word(cmd.direction))
                    throw UsageError("--direction: unknown direction '" + cmd.direction + "' (tx, rx, bx, simul)");
            } else if (name == "legacy") {
                cmd.client.force_legacy = true;
            } else if (name == "help") {
                throw UsageError("");
            } else if (name == "version") {
                cmd.show_version = true;
            } else {
                throw UsageError("unknown option --" + name);
            }
            break;
        }
        case '4':
            control_family = AF_INET;
            break;
        case '6':
            control_family = AF_INET6;
            break;
        case 'a':
            split_pair(arg, a, b);
            if (!a.empty()) s.send_align.local = int32_t(parse_size(a, "-a"));
            if (!b.empty()) s.recv_align.local = int32_t(parse_size(b, "-a"));
            break;
        case 'A':
            split_pair(arg, a, b);
            if (!a.empty()) s.send_align.remote = int32_t(parse_size(a, "-A"));
            if (!b.empty()) s.recv_align.remote = int32_t(parse_size(b, "-A"));
            break;
        case 'o':
            split_pair(arg, a, b);
            if (!a.empty()) s.send_offset.local = int32_t(parse_size(a, "-o"));
            if (!b.empty()) s.recv_offset.local = int32_t(parse_size(b, "-o"));
            break;
        case 'O':
            split_pair(arg, a, b);
            if (!a.empty()) s.send_offset.remote = int32_t(parse_size(a, "-O"));
            if (!b.empty()) s.recv_offset.remote = int32_t(parse_size(b, "-O"));
            break;
        case 'b':
            split_pair(arg, a, b);
            if (!a.empty()) s.pace_burst.local = int32_t(parse_int(a, "-b"));
            if (!b.empty()) s.pace_burst.remote = int32_t(parse_int(b, "-b"));
            if (s.pace_burst.local < 0 || s.pace_burst.remote < 0) throw UsageError("-b: must not be negative");
            break;
        case 'w':
            split_pair(arg, a, b);
            if (!a.empty()) s.pace_interval_us.local = parse_timespec_us(a, "-w");
            if (!b.empty()) s.pace_interval_us.remote = parse_timespec_us(b, "-w");
            interval_given_w = true;
            break;
        case 'B':
            cmd.brand = arg;
            break;
        case 'c': {
            s.measure_cpu.local = true;
            std::string rate;
            if (sc.optional(rate, true)) {
                parse_double(rate, "-c");
                cmd.cpu_rate_given_local = true;
            }
            break;
        }
        case 'C': {
            s.measure_cpu.remote = true;
            std::string rate;
            if (sc.optional(rate, true)) {
                parse_double(rate, "-C");
                cmd.cpu_rate_given_remote = true;
            }
            break;
        }
        case 'd':
            cmd.debug = true;
            break;
        case 'D': {
            split_pair(arg, a, b, true);
            double v = parse_double(a, "-D");
            cmd.interval_s = v < 0 ? -v : v;
            cmd.interval_given = true;
            if (!b.empty()) parse_int(b, "-D");
            break;
        }
        case 'f':
            if (arg.size() != 1 || std::string("kmgKMGxbB").find(arg[0]) == std::string::npos)
                throw UsageError("-f: unknown unit '" + arg + "' (k m g K M G x)");
            cmd.fmt = arg[0];
            break;
        case 'F':
            split_pair(arg, a, b, true);
            s.fill_file.local = a;
            if (!b.empty()) {
                if (b.size() > 31) throw UsageError("-F: remote fill file name longer than 31 characters");
                s.fill_file.remote = b;
            }
            break;
        case 'h':
            throw UsageError("");
        case 'H':
            split_pair(arg, a, b, true);
            if (!a.empty()) {
                host = a;
                host_given = true;
            }
            if (!b.empty()) control_family = parse_family(b, "-H");
            break;
        case 'i': {
            split_pair(arg, a, b);
            if (!a.empty()) cmd.iter_max = int(parse_int(a, "-i"));
            if (!b.empty()) cmd.iter_min = int(parse_int(b, "-i"));
            // 2.7 clamps both into [3, 30] and sets level 99 / width 5 %.
            cmd.iter_max = std::clamp(cmd.iter_max, 3, 30);
            cmd.iter_min = std::clamp(cmd.iter_min, 3, 30);
            if (cmd.iter_min > cmd.iter_max) cmd.iter_min = cmd.iter_max;
            break;
        }
        case 'I': {
            split_pair(arg, a, b, true);
            int lvl = int(parse_int(a, "-I"));
            if (lvl != 95 && lvl != 99)
                throw UsageError("-I: only 95 and 99 percent confidence levels are supported");
            cmd.conf_level = lvl;
            if (!b.empty()) cmd.conf_width = parse_double(b, "-I");
            if (cmd.iter_max == 1) {
                cmd.iter_max = 10;
                cmd.iter_min = 3;
            }
            break;
        }
        case 'j':
            cmd.keep_histogram = true;
            break;
        case 'k':
        case 'K':
            // --enable-dirty is not part of this netperf: accepted, no effect.
            break;
        case 'l': {
            long long v = parse_int(arg, "-l");
            if (v > 0) {
                s.duration_s = double(v);
                s.count = 0;
            } else if (v < 0) {
                s.count = -v;
            } else {
                s.duration_s = 0;  // until interrupted
                s.count = 0;
            }
            break;
        }
        case 'L':
            split_pair(arg, a, b, true);
            if (!a.empty()) cmd.client.local_host = a;
            if (!b.empty()) control_family = parse_family(b, "-L");
            break;
        case 'n':
            parse_int(arg, "-n");
            break;
        case 'N':
            throw UsageError("-N (no control connection) is not supported by this netperf");
        case 'p':
            split_pair(arg, a, b, true);
            if (!a.empty()) cmd.client.port = int(parse_int(a, "-p"));
            if (!b.empty()) cmd.client.local_port = int(parse_int(b, "-p"));
            if (cmd.client.port < 1 || cmd.client.port > 65535 || cmd.client.local_port < 0 ||
                cmd.client.local_port > 65535)
                throw UsageError("-p: port out of range");
            break;
        case 'P':
            cmd.print_headers = parse_int(arg, "-P") != 0;
            break;
        case 'r':
            cmd.conf_throughput_only = true;
            break;
        case 's':
            cmd.sleep_before_s = double(parse_int(arg, "-s"));
            break;
        case 'S':
            s.keepalive = true;
            break;
        case 't':
            test = upper(arg);
            test_given = true;
            break;
        case 'T':
            // A word is a direction (tx, rx, bx, simul); numbers are 2.7's
            // CPU binding: the two never look alike.
            if (is_direction_word(lower(arg))) {
                cmd.direction = lower(arg);
                break;
            }
            split_pair(arg, a, b);
            if (!a.empty()) s.cpu.local = int(parse_int(a, "-T"));
            if (!b.empty()) s.cpu.remote = int(parse_int(b, "-T"));
            break;
        case 'v':
            cmd.verbosity = int(parse_int(arg, "-v"));
            break;
        case 'V':
            cmd.show_version = true;
            break;
        case 'W':
            split_pair(arg, a, b);
            if (!a.empty()) parse_size(a, "-W");
            if (!b.empty()) parse_size(b, "-W");
            break;
        case 'y':
            split_pair(arg, a, b);
            if (!a.empty()) s.priority.local = int32_t(parse_int(a, "-y"));
            if (!b.empty()) s.priority.remote = int32_t(parse_int(b, "-y"));
            break;
        case 'Y': {
            split_pair(arg, a, b);
            // As 2.7's parse_ipqos (openssh's table): a DSCP or TOS name in
            // any case, else a number in C notation (0x hex, 0 octal, decimal).
            auto ipqos = [](const std::string &v) {
                static const std::pair<const char *, int32_t> names[] = {
                    {"af11", 0x28}, {"af12", 0x30}, {"af13", 0x38}, {"af21", 0x48}, {"af22", 0x50},
                    {"af23", 0x58}, {"af31", 0x68}, {"af32", 0x70}, {"af33", 0x78}, {"af41", 0x88},
                    {"af42", 0x90}, {"af43", 0x98}, {"cs0", 0x00},  {"cs1", 0x20},  {"cs2", 0x40},
                    {"cs3", 0x60},  {"cs4", 0x80},  {"cs5", 0xa0},  {"cs6", 0xc0},  {"cs7", 0xe0},
                    {"ef", 0xb8},   {"lowdelay", 0x10}, {"throughput", 0x08}, {"reliability", 0x04}};
                for (const auto &[name, value] : names)
                    if (strcasecmp(v.c_str(), name) == 0) return value;
                char *end = nullptr;
                long r = strtol(v.c_str(), &end, 0);
                if (v.empty() || *end || r < 0 || r > 255)
                    throw UsageError("-Y: '" + v + "' is neither a DSCP/TOS name (ef, cs0-cs7, af11-af43, lowdelay, throughput, reliability) nor a TOS byte 0-255");
                return int32_t(r);
            };
            if (!a.empty()) s.tos.local = ipqos(a);
            if (!b.empty()) s.tos.remote = ipqos(b);
            break;
        }
        case 'Z':
            cmd.client.passphrase = arg;
            break;
        default:
            throw UsageError(std::string("unknown option -") + c);
        }
    }
    if (!sc.ended() && !sc.rest().empty()) throw UsageError("unexpected argument '" + sc.rest()[0] + "'");

    const TestDef *def = find_test(test);
    if (!def)
        throw Error("the test you requested (" + test + ") is unknown to this netperf");
    s.test_name = test;
    s.pattern = def->pattern;
    if (def->family != AF_UNSPEC) s.family = def->family;
    s.socktype = def->socktype;
    s.protocol = def->protocol;
    s.transport = def->transport;
    cmd.migrated = def->migrated;
    bool omni = test == "OMNI";
    parse_test_options(cmd, sc.ended() ? sc.rest() : std::vector<std::string>{}, omni);
    if (!transport_override.empty()) s.transport = transport_override;
    if (!remote_transport_override.empty() && remote_transport_override != s.transport)
        s.remote_transport = remote_transport_override;
    s.remote_transport_options = remote_topts;
    s.transport_options = topts;
    s.flows = flows;
    s.threads = threads;
    s.window = window;
    // The data family follows the control family unless the test says.
    if (s.family == AF_UNSPEC) s.family = control_family;
    cmd.client.family = control_family;
    if (!host_given && control_family == AF_INET6) host = "::1";
    cmd.client.host = host;
    // Interim results are sampled every second unless -D says otherwise
    // (-D 0: none); whether they are printed is the tool's decision.
    cmd.client.interval_s = cmd.interval_given ? cmd.interval_s : 1.0;
    if (!cmd.direction.empty() && s.pattern != Pattern::Stream && s.pattern != Pattern::Maerts)
        throw UsageError("--direction " + cmd.direction + ": " + test +
                         " is not a stream test (use TCP_STREAM, UDP_STREAM or OMNI -d send)");
    if (s.pattern == Pattern::CC && s.socktype == SOCK_DGRAM)
        throw UsageError("a connect/close test needs TCP, not UDP");
    if (s.pace_burst.local > 0 && s.pace_interval_us.local == 0) s.pace_interval_us.local = 1000;
    if (s.pace_burst.remote > 0 && s.pace_interval_us.remote == 0) s.pace_interval_us.remote = 1000;
    if (interval_given_w && s.pace_burst.local == 0 && s.pace_interval_us.local > 0) s.pace_burst.local = 1;
    (void)test_given;
    try {
        if (test != "LOC_CPU" && test != "REM_CPU") s.validate();
    } catch (const Error &e) {
        throw UsageError(e.what());
    }
    return cmd;
}

}  // namespace netperf
