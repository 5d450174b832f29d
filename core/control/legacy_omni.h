// netperf 2.7's test messages, field by field: the OMNI request, response
// and results (nettest_bsd.h omni_*_struct) and the classic pre-OMNI ones
// (tcp_stream_*, tcp_maerts_*, tcp_rr_*, tcp_conn_rr_*, tcp_cc_*,
// udp_stream_*, udp_rr_*).  Word indexes are relative to the test-specific
// area (message byte 8); ../shared/legacy/PROTOCOL.md §4 and §8 list them.
// Private to core/control: the server (server_legacy.cc), the client
// (legacy_client.cc) and the conformance tests use these and nothing else
// to read or write a 2.x message.
//
// Byte order on the wire, per message kind:
//   OMNI request   38 words converted, then cong_control[16], fill_file[32] raw
//   OMNI response  18 words converted, the strings after them raw
//   OMNI results   27 words converted, ifname..cong_control raw (cong at word 67)
//   classic        every word converted; a double is a big-endian IEEE double
//                  in two words (high word first)
#ifndef NETPERF_CONTROL_LEGACY_OMNI_H
#define NETPERF_CONTROL_LEGACY_OMNI_H

#include <cstdint>
#include <string>

#include <sys/socket.h>

#include <netperf/wire.h>

namespace netperf::legacy {

// Conversion cutoffs (OMNI_*_CONV_CUTOFF).
inline constexpr int kOmniRequestConv = 38;
inline constexpr int kOmniResponseConv = 18;
inline constexpr int kOmniResultsConv = 27;

// Codes 2.7 answers without running a test.
inline constexpr int32_t kDebugOn = 1, kDebugOff = 2, kDebugOk = 3;
inline constexpr int32_t kSysinfoResponse = 601;
// 2.7's PAD_TIME: how much longer than the test its netserver waits.
inline constexpr int kPadTime = 4;
// cpu_method value of /proc/stat measurement (netlib.h PROC_STAT).
inline constexpr uint32_t kCpuMethodProcStat = 8;

// netperf's own address-family codes (NF_*): AF_* differ between systems.
inline constexpr uint32_t kNfUnspec = 0, kNfInet = 4, kNfInet6 = 6;
// AF_INET / AF_INET6 / AF_UNSPEC for an NF code; -1 for one we do not serve.
int nf_to_af(uint32_t nf);
uint32_t af_to_nf(int af);

// netperf's socket-type codes (NST_*).
inline constexpr uint32_t kNstStream = 1, kNstDgram = 2;
// SOCK_STREAM / SOCK_DGRAM for an NST code; -1 for others (DCCP, SEQPACKET).
int nst_to_socktype(uint32_t nst);
uint32_t socktype_to_nst(int socktype);

// OMNI direction bits, always from netserver's point of view.
inline constexpr uint32_t kDirXmit = 2, kDirRecv = 4;

// OMNI request flags (nettest_bsd.h OMNI_*).
enum OmniFlag : uint32_t {
    kOmniNoDelay = 0x1,
    kOmniUseSendfile = 0x2,
    kOmniConnectTest = 0x4,
    kOmniMeasureCpu = 0x8,
    kOmniChecksumOff = 0x10,
    // ROUTING_ALLOWED and, by 2.7's reuse of OMNI_WANT_REM_CONG, "send me
    // your congestion control": one bit, both meanings.
    kOmniRoutingAllowed = 0x20,
    kOmniWantIfname = 0x40,
    kOmniWantIfslot = 0x80,
    kOmniWantIfids = 0x100,
    kOmniWantDrvinfo = 0x200,
    kOmniFastopen = 0x800,
    kOmniUseConnected = 0x4000,
    kOmniWantKeepalive = 0x80000000u,
};

// The four address words of the OMNI request (netperf_ip, netserver_ip),
// as an x86 netperf 2.7 fills them: IPv4 as one word whose network-order
// form is the address; IPv6 as its 16 bytes read as four little-endian
// words (2.7 memcpy()s them into host words, then htonl()s each).
void address_to_words(const sockaddr_storage &a, uint32_t out[4]);
// The address in those words (family AF_INET or AF_INET6) with `port`.
sockaddr_storage address_from_words(const uint32_t in[4], int family, int port);
bool address_words_zero(const uint32_t w[4]);

// A control connection's own address (peer = false) or its peer's, as
// `family`: a v4 peer on a dual-stack socket (v4-mapped IPv6) becomes IPv4
// unless `family` is AF_INET6.  The wildcard of the family if unknown.
sockaddr_storage control_addr(int fd, bool peer, int family);

// DO_OMNI (struct omni_request_struct).  Header word 1 carries the remote
// CPU binding (-T ,N), -1 for none.
struct OmniRequest {
    int32_t cpu_bind = -1;
    int32_t send_buf_size = -1;
    uint32_t send_size = uint32_t(-1);
    uint32_t send_alignment = 8, send_offset = 0;
    uint32_t send_width = 0;
    int32_t request_size = -1;
    int32_t recv_buf_size = -1;
    uint32_t receive_size = uint32_t(-1);
    uint32_t recv_alignment = 8, recv_offset = 0;
    uint32_t recv_width = 0;
    int32_t response_size = -1;
    uint32_t flags = 0;
    float cpu_rate = 0;
    int32_t test_length = 0;  // > 0 seconds, 0 untimed, < 0 -(bytes or transactions)
    uint32_t so_rcvavoid = 0, so_sndavoid = 0;
    uint32_t send_dirty_count = uint32_t(-1), recv_dirty_count = uint32_t(-1), recv_clean_count = uint32_t(-1);
    uint32_t data_port = 0;
    uint32_t ipfamily = kNfInet;
    uint32_t socket_type = kNstStream;
    uint32_t protocol = 6;
    uint32_t direction = 0;
    uint32_t netperf_port = 0;
    uint32_t interval_burst = 0, interval_usecs = 0;
    uint32_t netperf_ip[4] = {0, 0, 0, 0};
    uint32_t netserver_ip[4] = {0, 0, 0, 0};
    int32_t socket_prio = -1, socket_tos = -1;
    std::string cong_control;  // at most 15 characters
    std::string fill_file;     // at most 31 characters

    // The message; send it with kOmniRequestConv words converted.
    wire::Message to_message() const;
    // From a message decoded with kOmniRequestConv words converted (strings
    // raw).  Strings are cut at their field size; no other check.
    static OmniRequest from_message(const wire::Message &m);
};

// OMNI_RESPONSE (struct omni_response_struct); header word 1 is serv_errno.
struct OmniResponse {
    int32_t serv_errno = 0;
    int32_t recv_buf_size = -1;
    uint32_t receive_size = 0;
    int32_t recv_width = 0;
    int32_t send_buf_size = -1;
    uint32_t send_size = 0;
    int32_t send_width = 0;
    uint32_t flags = 0;  // kOmniMeasureCpu, kOmniNoDelay, kOmniUseSendfile
    float cpu_rate = 0;
    uint32_t data_port = 0;
    uint32_t interval_burst = 0, interval_usecs = 0;
    int32_t socket_prio = -1, socket_tos = -1;

    wire::Message to_message() const;  // type OMNI_RESPONSE (98)
    static OmniResponse from_message(const wire::Message &m);
};

// OMNI_RESULTS (struct omni_results_struct).
struct OmniResults {
    int32_t serv_errno = 0;
    uint64_t bytes_received = 0;
    uint32_t recv_calls = 0;
    int32_t recv_buf_size = -1;  // at the end (Linux autotuning)
    uint64_t bytes_sent = 0;
    uint32_t send_calls = 0;
    int32_t send_buf_size = -1;
    uint32_t failed_sends = 0;
    uint32_t trans_received = 0;
    float elapsed_time = 0;
    float cpu_util = 0;
    float cpu_user = 0, cpu_system = 0, cpu_iowait = 0, cpu_irq = 0, cpu_swintr = 0;
    uint32_t cpu_method = 0;  // kCpuMethodProcStat when measured
    uint32_t num_cpus = 0;
    int32_t peak_cpu_id = 0;
    float peak_cpu_util = 0;
    int32_t transport_retrans = -1;
    std::string cong_control;  // word 67, raw

    wire::Message to_message() const;  // type OMNI_RESULTS (99)
    static OmniResults from_message(const wire::Message &m);
};

// ---- classic tests ---------------------------------------------------

// True for DO_TCP_STREAM, DO_TCP_MAERTS, DO_TCP_RR, DO_TCP_CRR, DO_TCP_CC,
// DO_UDP_STREAM, DO_UDP_RR.
bool is_classic_code(int32_t code);

// Any classic request, in one shape (each test fills the fields its struct
// has; the others keep these defaults).
struct ClassicRequest {
    int32_t code = 0;
    int32_t cpu_bind = -1;
    int32_t send_buf_size = -1, recv_buf_size = -1;
    int32_t send_size = 0, receive_size = 0;  // 0 = netserver chooses
    int32_t send_alignment = 8, send_offset = 0, recv_alignment = 8, recv_offset = 0;
    int32_t request_size = 1, response_size = 1;  // RR, CRR, CC, UDP_RR
    int32_t message_size = 0;                     // UDP_STREAM
    bool no_delay = false, measure_cpu = false;
    bool recv_connected = false;                  // UDP_STREAM
    float cpu_rate = 0;
    int32_t test_length = 0;
    int32_t port = 0;
    uint32_t ipfamily = kNfInet;

    // From a fully converted message; throws Error for a non-classic code.
    static ClassicRequest from_message(const wire::Message &m);
    wire::Message to_message() const;  // for tests: what a classic client sends
};

// The first answer (tcp_stream_response_struct and kin).
struct ClassicResponse {
    int32_t serv_errno = 0;
    int32_t recv_buf_size = -1, send_buf_size = -1;
    int32_t receive_size = 0, send_size = 0;
    bool no_delay = false, measure_cpu = false;
    int32_t test_length = 0;
    int32_t data_port = 0;
    float cpu_rate = 0;

    // Type code + 1 (TCP_STREAM_RESPONSE ...), every word converted.
    wire::Message to_message(int32_t request_code) const;
    static ClassicResponse from_message(int32_t request_code, const wire::Message &m);
};

// The results (tcp_stream_results_struct and kin).
struct ClassicResults {
    int32_t serv_errno = 0;
    uint64_t bytes_received = 0;  // stream: received; RR kin: both directions
    uint64_t bytes_sent = 0;      // maerts
    uint32_t recv_calls = 0, send_calls = 0;
    uint32_t trans_received = 0;
    uint32_t messages_recvd = 0;  // UDP_STREAM
    float elapsed_time = 0;
    float cpu_util = -1, serv_dem = -1;  // -1: not measured
    int32_t cpu_method = 0, num_cpus = 0;
    int32_t recv_buf_size = -1, send_buf_size = -1;  // TCP_STREAM only

    // Type code + 2 (TCP_STREAM_RESULTS ...), every word converted.
    wire::Message to_message(int32_t request_code) const;
    static ClassicResults from_message(int32_t request_code, const wire::Message &m);
};

}  // namespace netperf::legacy

#endif
