#include "legacy_omni.h"

#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <netperf/addr.h>
#include <netperf/error.h>

namespace netperf::legacy {

namespace {

// omni_request_struct word indexes.
namespace rq {
enum : size_t {
    send_buf_size = 0, send_size, send_alignment, send_offset, send_width, request_size,
    recv_buf_size, receive_size, recv_alignment, recv_offset, recv_width, response_size,
    flags, cpu_rate, test_length, so_rcvavoid, so_sndavoid, send_dirty_count, recv_dirty_count,
    recv_clean_count, data_port, ipfamily, socket_type, protocol, direction, netperf_port,
    interval_burst, interval_usecs, netperf_ip, netserver_ip = 32, socket_prio = 36, socket_tos,
    cong_control = 38, fill_file = 42,
};
}

// omni_response_struct word indexes.
namespace rs {
enum : size_t {
    recv_buf_size = 0, receive_size, recv_width, send_buf_size, send_size, send_width, flags,
    cpu_rate, test_length, so_rcvavoid, so_sndavoid, data_port, interval_burst, interval_usecs,
    cpu_frequency, security_info, socket_prio, socket_tos,
};
}

// omni_results_struct word indexes.
namespace rr {
enum : size_t {
    bytes_received = 0, recv_calls = 2, recv_buf_size, bytes_sent, send_calls = 6, send_buf_size,
    failed_sends, trans_received, elapsed_time, cpu_util, cpu_user, cpu_system, cpu_iowait, cpu_irq,
    cpu_swintr, serv_dem, cpu_method, num_cpus, peak_cpu_id, peak_cpu_util, vendor, device,
    subvendor, subdevice, transport_retrans, ifname = 27, cong_control = 67,
};
}

// A double the way 2.7's htond() + per-word htonl() puts it on the wire:
// big-endian IEEE, high word first.
void set_double(wire::Message &m, size_t w, double v) {
    uint64_t bits;
    memcpy(&bits, &v, 8);
    m.set_u64(w, bits);
}

double get_double(const wire::Message &m, size_t w) {
    uint64_t bits = m.u64(w);
    double v;
    memcpy(&v, &bits, 8);
    return v;
}

}  // namespace

int nf_to_af(uint32_t nf) {
    switch (nf) {
    case kNfUnspec: return AF_UNSPEC;
    case kNfInet: return AF_INET;
    case kNfInet6: return AF_INET6;
    default: return -1;
    }
}

uint32_t af_to_nf(int af) { return af == AF_INET ? kNfInet : af == AF_INET6 ? kNfInet6 : kNfUnspec; }

int nst_to_socktype(uint32_t nst) {
    switch (nst) {
    case kNstStream: return SOCK_STREAM;
    case kNstDgram: return SOCK_DGRAM;
    default: return -1;
    }
}

uint32_t socktype_to_nst(int socktype) {
    return socktype == SOCK_STREAM ? kNstStream : socktype == SOCK_DGRAM ? kNstDgram : uint32_t(-1);
}

void address_to_words(const sockaddr_storage &a, uint32_t out[4]) {
    out[0] = out[1] = out[2] = out[3] = 0;
    if (a.ss_family == AF_INET) {
        out[0] = ntohl(reinterpret_cast<const sockaddr_in &>(a).sin_addr.s_addr);
    } else if (a.ss_family == AF_INET6) {
        const uint8_t *b = reinterpret_cast<const sockaddr_in6 &>(a).sin6_addr.s6_addr;
        for (int g = 0; g < 4; g++)
            out[g] = uint32_t(b[4 * g]) | uint32_t(b[4 * g + 1]) << 8 | uint32_t(b[4 * g + 2]) << 16 |
                     uint32_t(b[4 * g + 3]) << 24;
    }
}

sockaddr_storage address_from_words(const uint32_t in[4], int family, int port) {
    sockaddr_storage a{};
    if (family == AF_INET) {
        auto &s = reinterpret_cast<sockaddr_in &>(a);
        s.sin_family = AF_INET;
        s.sin_addr.s_addr = htonl(in[0]);
        s.sin_port = htons(uint16_t(port));
    } else if (family == AF_INET6) {
        auto &s = reinterpret_cast<sockaddr_in6 &>(a);
        s.sin6_family = AF_INET6;
        for (int g = 0; g < 4; g++)
            for (int i = 0; i < 4; i++) s.sin6_addr.s6_addr[4 * g + i] = uint8_t(in[g] >> (8 * i));
        s.sin6_port = htons(uint16_t(port));
    }
    return a;
}

bool address_words_zero(const uint32_t w[4]) { return !(w[0] | w[1] | w[2] | w[3]); }

sockaddr_storage control_addr(int fd, bool peer, int family) {
    sockaddr_storage a{};
    socklen_t l = sizeof a;
    if ((peer ? getpeername(fd, reinterpret_cast<sockaddr *>(&a), &l)
              : getsockname(fd, reinterpret_cast<sockaddr *>(&a), &l)) != 0)
        return any_address(family == AF_UNSPEC ? AF_INET : family, 0);
    if (a.ss_family == AF_INET6 && family != AF_INET6) {
        auto &s6 = reinterpret_cast<sockaddr_in6 &>(a);
        if (IN6_IS_ADDR_V4MAPPED(&s6.sin6_addr)) {
            sockaddr_storage v4{};
            auto &s4 = reinterpret_cast<sockaddr_in &>(v4);
            s4.sin_family = AF_INET;
            memcpy(&s4.sin_addr, &s6.sin6_addr.s6_addr[12], 4);
            s4.sin_port = s6.sin6_port;
            return v4;
        }
    }
    return a;
}

// ---- OMNI --------------------------------------------------------------

wire::Message OmniRequest::to_message() const {
    wire::Message m;
    m.type = wire::kDoOmni;
    m.word1 = cpu_bind;
    m.set_i32(rq::send_buf_size, send_buf_size);
    m.set_u32(rq::send_size, send_size);
    m.set_u32(rq::send_alignment, send_alignment);
    m.set_u32(rq::send_offset, send_offset);
    m.set_u32(rq::send_width, send_width);
    m.set_i32(rq::request_size, request_size);
    m.set_i32(rq::recv_buf_size, recv_buf_size);
    m.set_u32(rq::receive_size, receive_size);
    m.set_u32(rq::recv_alignment, recv_alignment);
    m.set_u32(rq::recv_offset, recv_offset);
    m.set_u32(rq::recv_width, recv_width);
    m.set_i32(rq::response_size, response_size);
    m.set_u32(rq::flags, flags);
    m.set_f32(rq::cpu_rate, cpu_rate);
    m.set_i32(rq::test_length, test_length);
    m.set_u32(rq::so_rcvavoid, so_rcvavoid);
    m.set_u32(rq::so_sndavoid, so_sndavoid);
    m.set_u32(rq::send_dirty_count, send_dirty_count);
    m.set_u32(rq::recv_dirty_count, recv_dirty_count);
    m.set_u32(rq::recv_clean_count, recv_clean_count);
    m.set_u32(rq::data_port, data_port);
    m.set_u32(rq::ipfamily, ipfamily);
    m.set_u32(rq::socket_type, socket_type);
    m.set_u32(rq::protocol, protocol);
    m.set_u32(rq::direction, direction);
    m.set_u32(rq::netperf_port, netperf_port);
    m.set_u32(rq::interval_burst, interval_burst);
    m.set_u32(rq::interval_usecs, interval_usecs);
    for (size_t i = 0; i < 4; i++) {
        m.set_u32(rq::netperf_ip + i, netperf_ip[i]);
        m.set_u32(rq::netserver_ip + i, netserver_ip[i]);
    }
    m.set_i32(rq::socket_prio, socket_prio);
    m.set_i32(rq::socket_tos, socket_tos);
    m.set_str(rq::cong_control, 16, cong_control);
    m.set_str(rq::fill_file, 32, fill_file);
    return m;
}

OmniRequest OmniRequest::from_message(const wire::Message &m) {
    OmniRequest r;
    r.cpu_bind = m.word1;
    r.send_buf_size = m.i32(rq::send_buf_size);
    r.send_size = m.u32(rq::send_size);
    r.send_alignment = m.u32(rq::send_alignment);
    r.send_offset = m.u32(rq::send_offset);
    r.send_width = m.u32(rq::send_width);
    r.request_size = m.i32(rq::request_size);
    r.recv_buf_size = m.i32(rq::recv_buf_size);
    r.receive_size = m.u32(rq::receive_size);
    r.recv_alignment = m.u32(rq::recv_alignment);
    r.recv_offset = m.u32(rq::recv_offset);
    r.recv_width = m.u32(rq::recv_width);
    r.response_size = m.i32(rq::response_size);
    r.flags = m.u32(rq::flags);
    r.cpu_rate = m.f32(rq::cpu_rate);
    r.test_length = m.i32(rq::test_length);
    r.so_rcvavoid = m.u32(rq::so_rcvavoid);
    r.so_sndavoid = m.u32(rq::so_sndavoid);
    r.send_dirty_count = m.u32(rq::send_dirty_count);
    r.recv_dirty_count = m.u32(rq::recv_dirty_count);
    r.recv_clean_count = m.u32(rq::recv_clean_count);
    r.data_port = m.u32(rq::data_port);
    r.ipfamily = m.u32(rq::ipfamily);
    r.socket_type = m.u32(rq::socket_type);
    r.protocol = m.u32(rq::protocol);
    r.direction = m.u32(rq::direction);
    r.netperf_port = m.u32(rq::netperf_port);
    r.interval_burst = m.u32(rq::interval_burst);
    r.interval_usecs = m.u32(rq::interval_usecs);
    for (size_t i = 0; i < 4; i++) {
        r.netperf_ip[i] = m.u32(rq::netperf_ip + i);
        r.netserver_ip[i] = m.u32(rq::netserver_ip + i);
    }
    r.socket_prio = m.i32(rq::socket_prio);
    r.socket_tos = m.i32(rq::socket_tos);
    r.cong_control = m.str(rq::cong_control, 15);
    r.fill_file = m.str(rq::fill_file, 31);
    return r;
}

wire::Message OmniResponse::to_message() const {
    wire::Message m;
    m.type = wire::kOmniResponse;
    m.word1 = serv_errno;
    m.set_i32(rs::recv_buf_size, recv_buf_size);
    m.set_u32(rs::receive_size, receive_size);
    m.set_i32(rs::recv_width, recv_width);
    m.set_i32(rs::send_buf_size, send_buf_size);
    m.set_u32(rs::send_size, send_size);
    m.set_i32(rs::send_width, send_width);
    m.set_u32(rs::flags, flags);
    m.set_f32(rs::cpu_rate, cpu_rate);
    m.set_u32(rs::data_port, data_port);
    m.set_u32(rs::interval_burst, interval_burst);
    m.set_u32(rs::interval_usecs, interval_usecs);
    m.set_i32(rs::socket_prio, socket_prio);
    m.set_i32(rs::socket_tos, socket_tos);
    return m;
}

OmniResponse OmniResponse::from_message(const wire::Message &m) {
    OmniResponse r;
    r.serv_errno = m.word1;
    r.recv_buf_size = m.i32(rs::recv_buf_size);
    r.receive_size = m.u32(rs::receive_size);
    r.recv_width = m.i32(rs::recv_width);
    r.send_buf_size = m.i32(rs::send_buf_size);
    r.send_size = m.u32(rs::send_size);
    r.send_width = m.i32(rs::send_width);
    r.flags = m.u32(rs::flags);
    r.cpu_rate = m.f32(rs::cpu_rate);
    r.data_port = m.u32(rs::data_port);
    r.interval_burst = m.u32(rs::interval_burst);
    r.interval_usecs = m.u32(rs::interval_usecs);
    r.socket_prio = m.i32(rs::socket_prio);
    r.socket_tos = m.i32(rs::socket_tos);
    return r;
}

wire::Message OmniResults::to_message() const {
    wire::Message m;
    m.type = wire::kOmniResults;
    m.word1 = serv_errno;
    m.set_u64(rr::bytes_received, bytes_received);
    m.set_u32(rr::recv_calls, recv_calls);
    m.set_i32(rr::recv_buf_size, recv_buf_size);
    m.set_u64(rr::bytes_sent, bytes_sent);
    m.set_u32(rr::send_calls, send_calls);
    m.set_i32(rr::send_buf_size, send_buf_size);
    m.set_u32(rr::failed_sends, failed_sends);
    m.set_u32(rr::trans_received, trans_received);
    m.set_f32(rr::elapsed_time, elapsed_time);
    m.set_f32(rr::cpu_util, cpu_util);
    m.set_f32(rr::cpu_user, cpu_user);
    m.set_f32(rr::cpu_system, cpu_system);
    m.set_f32(rr::cpu_iowait, cpu_iowait);
    m.set_f32(rr::cpu_irq, cpu_irq);
    m.set_f32(rr::cpu_swintr, cpu_swintr);
    m.set_u32(rr::cpu_method, cpu_method);
    m.set_u32(rr::num_cpus, num_cpus);
    m.set_i32(rr::peak_cpu_id, peak_cpu_id);
    m.set_f32(rr::peak_cpu_util, peak_cpu_util);
    m.set_i32(rr::transport_retrans, transport_retrans);
    m.set_str(rr::cong_control, 16, cong_control);
    return m;
}

OmniResults OmniResults::from_message(const wire::Message &m) {
    OmniResults r;
    r.serv_errno = m.word1;
    r.bytes_received = m.u64(rr::bytes_received);
    r.recv_calls = m.u32(rr::recv_calls);
    r.recv_buf_size = m.i32(rr::recv_buf_size);
    r.bytes_sent = m.u64(rr::bytes_sent);
    r.send_calls = m.u32(rr::send_calls);
    r.send_buf_size = m.i32(rr::send_buf_size);
    r.failed_sends = m.u32(rr::failed_sends);
    r.trans_received = m.u32(rr::trans_received);
    r.elapsed_time = m.f32(rr::elapsed_time);
    r.cpu_util = m.f32(rr::cpu_util);
    r.cpu_user = m.f32(rr::cpu_user);
    r.cpu_system = m.f32(rr::cpu_system);
    r.cpu_iowait = m.f32(rr::cpu_iowait);
    r.cpu_irq = m.f32(rr::cpu_irq);
    r.cpu_swintr = m.f32(rr::cpu_swintr);
    r.cpu_method = m.u32(rr::cpu_method);
    r.num_cpus = m.u32(rr::num_cpus);
    r.peak_cpu_id = m.i32(rr::peak_cpu_id);
    r.peak_cpu_util = m.f32(rr::peak_cpu_util);
    r.transport_retrans = m.i32(rr::transport_retrans);
    r.cong_control = m.str(rr::cong_control, 15);
    return r;
}

// ---- classic -------------------------------------------------------------

bool is_classic_code(int32_t code) {
    switch (code) {
    case wire::kDoTcpStream:
    case wire::kDoTcpMaerts:
    case wire::kDoTcpRR:
    case wire::kDoTcpCRR:
    case wire::kDoTcpCC:
    case wire::kDoUdpStream:
    case wire::kDoUdpRR:
        return true;
    default:
        return false;
    }
}

// The classic layouts, word by word (nettest_bsd.h):
//   tcp_stream_request  0 send_buf_size 1 recv_buf_size 2 receive_size 3 recv_alignment
//                       4 recv_offset 5 no_delay 6 measure_cpu 7 cpu_rate 8 test_length
//                       9 so_rcvavoid 10 so_sndavoid 11 dirty_count 12 clean_count 13 port
//                       14 ipfamily 15 recv_aio
//   tcp_maerts_request  0 send_buf_size 1 recv_buf_size 2 send_size 3 send_alignment
//                       4 send_offset 5 no_delay 6 measure_cpu 7 cpu_rate 8 test_length
//                       9,10 avoid 11,12 dirty/clean 13 port 14 ipfamily
//   rr/crr/cc/udp_rr    0 recv_buf_size 1 send_buf_size 2 recv_alignment 3 recv_offset
//                       4 send_alignment 5 send_offset 6 request_size 7 response_size
//                       8 no_delay 9 measure_cpu 10 cpu_rate 11 test_length 12,13 avoid
//                       14 port 15 ipfamily
//   udp_stream_request  0 recv_buf_size 1 message_size 2 recv_connected 3 recv_alignment
//                       4 recv_offset 5 checksum_off 6 measure_cpu 7 cpu_rate 8 test_length
//                       9,10 avoid 11 port 12 ipfamily
ClassicRequest ClassicRequest::from_message(const wire::Message &m) {
    ClassicRequest r;
    r.code = m.type;
    r.cpu_bind = m.word1;
    switch (m.type) {
    case wire::kDoTcpStream:
        r.send_buf_size = m.i32(0);
        r.recv_buf_size = m.i32(1);
        r.receive_size = m.i32(2);
        r.recv_alignment = m.i32(3);
        r.recv_offset = m.i32(4);
        r.no_delay = m.i32(5) != 0;
        r.measure_cpu = m.i32(6) != 0;
        r.cpu_rate = m.f32(7);
        r.test_length = m.i32(8);
        r.port = m.i32(13);
        r.ipfamily = m.u32(14);
        break;
    case wire::kDoTcpMaerts:
        r.send_buf_size = m.i32(0);
        r.recv_buf_size = m.i32(1);
        r.send_size = m.i32(2);
        r.send_alignment = m.i32(3);
        r.send_offset = m.i32(4);
        r.no_delay = m.i32(5) != 0;
        r.measure_cpu = m.i32(6) != 0;
        r.cpu_rate = m.f32(7);
        r.test_length = m.i32(8);
        r.port = m.i32(13);
        r.ipfamily = m.u32(14);
        break;
    case wire::kDoTcpRR:
    case wire::kDoTcpCRR:
    case wire::kDoTcpCC:
    case wire::kDoUdpRR:
        r.recv_buf_size = m.i32(0);
        r.send_buf_size = m.i32(1);
        r.recv_alignment = m.i32(2);
        r.recv_offset = m.i32(3);
        r.send_alignment = m.i32(4);
        r.send_offset = m.i32(5);
        r.request_size = m.i32(6);
        r.response_size = m.i32(7);
        r.no_delay = m.i32(8) != 0;
        r.measure_cpu = m.i32(9) != 0;
        r.cpu_rate = m.f32(10);
        r.test_length = m.i32(11);
        r.port = m.i32(14);
        r.ipfamily = m.u32(15);
        break;
    case wire::kDoUdpStream:
        r.recv_buf_size = m.i32(0);
        r.message_size = m.i32(1);
        r.recv_connected = m.i32(2) != 0;
        r.recv_alignment = m.i32(3);
        r.recv_offset = m.i32(4);
        r.measure_cpu = m.i32(6) != 0;
        r.cpu_rate = m.f32(7);
        r.test_length = m.i32(8);
        r.port = m.i32(11);
        r.ipfamily = m.u32(12);
        break;
    default:
        throw Error("request " + std::to_string(m.type) + " is not a classic test");
    }
    return r;
}

wire::Message ClassicRequest::to_message() const {
    wire::Message m;
    m.type = code;
    m.word1 = cpu_bind;
    switch (code) {
    case wire::kDoTcpStream:
        m.set_i32(0, send_buf_size);
        m.set_i32(1, recv_buf_size);
        m.set_i32(2, receive_size);
        m.set_i32(3, recv_alignment);
        m.set_i32(4, recv_offset);
        m.set_i32(5, no_delay);
        m.set_i32(6, measure_cpu);
        m.set_f32(7, cpu_rate);
        m.set_i32(8, test_length);
        m.set_i32(13, port);
        m.set_u32(14, ipfamily);
        break;
    case wire::kDoTcpMaerts:
        m.set_i32(0, send_buf_size);
        m.set_i32(1, recv_buf_size);
        m.set_i32(2, send_size);
        m.set_i32(3, send_alignment);
        m.set_i32(4, send_offset);
        m.set_i32(5, no_delay);
        m.set_i32(6, measure_cpu);
        m.set_f32(7, cpu_rate);
        m.set_i32(8, test_length);
        m.set_i32(13, port);
        m.set_u32(14, ipfamily);
        break;
    case wire::kDoTcpRR:
    case wire::kDoTcpCRR:
    case wire::kDoTcpCC:
    case wire::kDoUdpRR:
        m.set_i32(0, recv_buf_size);
        m.set_i32(1, send_buf_size);
        m.set_i32(2, recv_alignment);
        m.set_i32(3, recv_offset);
        m.set_i32(4, send_alignment);
        m.set_i32(5, send_offset);
        m.set_i32(6, request_size);
        m.set_i32(7, response_size);
        m.set_i32(8, no_delay);
        m.set_i32(9, measure_cpu);
        m.set_f32(10, cpu_rate);
        m.set_i32(11, test_length);
        m.set_i32(14, port);
        m.set_u32(15, ipfamily);
        break;
    case wire::kDoUdpStream:
        m.set_i32(0, recv_buf_size);
        m.set_i32(1, message_size);
        m.set_i32(2, recv_connected);
        m.set_i32(3, recv_alignment);
        m.set_i32(4, recv_offset);
        m.set_i32(6, measure_cpu);
        m.set_f32(7, cpu_rate);
        m.set_i32(8, test_length);
        m.set_i32(11, port);
        m.set_u32(12, ipfamily);
        break;
    default:
        throw Error("request " + std::to_string(code) + " is not a classic test");
    }
    return m;
}

//   tcp_stream_response  0 recv_buf_size 1 receive_size 2 no_delay 3 measure_cpu
//                        4 test_length 5 send_buf_size 6 data_port 7 cpu_rate 8,9 avoid
//   tcp_maerts_response  0 recv_buf_size 1 send_size 2 no_delay 3 measure_cpu
//                        4 test_length 5 send_buf_size 6 data_port 7 cpu_rate 8,9 avoid
//   rr/crr/cc/udp_rr     0 recv_buf_size 1 no_delay 2 measure_cpu 3 test_length
//                        4 send_buf_size 5 data_port 6 cpu_rate 7,8 avoid
//   udp_stream_response  0 recv_buf_size 1 send_buf_size 2 measure_cpu 3 test_length
//                        4 data_port 5 cpu_rate 6,7 avoid
wire::Message ClassicResponse::to_message(int32_t code) const {
    wire::Message m;
    m.type = code + 1;
    m.word1 = serv_errno;
    switch (code) {
    case wire::kDoTcpStream:
    case wire::kDoTcpMaerts:
        m.set_i32(0, recv_buf_size);
        m.set_i32(1, code == wire::kDoTcpStream ? receive_size : send_size);
        m.set_i32(2, no_delay);
        m.set_i32(3, measure_cpu);
        m.set_i32(4, test_length);
        m.set_i32(5, send_buf_size);
        m.set_i32(6, data_port);
        m.set_f32(7, cpu_rate);
        break;
    case wire::kDoUdpStream:
        m.set_i32(0, recv_buf_size);
        m.set_i32(1, send_buf_size);
        m.set_i32(2, measure_cpu);
        m.set_i32(3, test_length);
        m.set_i32(4, data_port);
        m.set_f32(5, cpu_rate);
        break;
    default:
        m.set_i32(0, recv_buf_size);
        m.set_i32(1, no_delay);
        m.set_i32(2, measure_cpu);
        m.set_i32(3, test_length);
        m.set_i32(4, send_buf_size);
        m.set_i32(5, data_port);
        m.set_f32(6, cpu_rate);
        break;
    }
    return m;
}

ClassicResponse ClassicResponse::from_message(int32_t code, const wire::Message &m) {
    ClassicResponse r;
    r.serv_errno = m.word1;
    switch (code) {
    case wire::kDoTcpStream:
    case wire::kDoTcpMaerts:
        r.recv_buf_size = m.i32(0);
        (code == wire::kDoTcpStream ? r.receive_size : r.send_size) = m.i32(1);
        r.no_delay = m.i32(2) != 0;
        r.measure_cpu = m.i32(3) != 0;
        r.test_length = m.i32(4);
        r.send_buf_size = m.i32(5);
        r.data_port = m.i32(6);
        r.cpu_rate = m.f32(7);
        break;
    case wire::kDoUdpStream:
        r.recv_buf_size = m.i32(0);
        r.send_buf_size = m.i32(1);
        r.measure_cpu = m.i32(2) != 0;
        r.test_length = m.i32(3);
        r.data_port = m.i32(4);
        r.cpu_rate = m.f32(5);
        break;
    default:
        r.recv_buf_size = m.i32(0);
        r.no_delay = m.i32(1) != 0;
        r.measure_cpu = m.i32(2) != 0;
        r.test_length = m.i32(3);
        r.send_buf_size = m.i32(4);
        r.data_port = m.i32(5);
        r.cpu_rate = m.f32(6);
        break;
    }
    return r;
}

//   tcp_stream_results  0,1 bytes_received (double) 2 recv_calls 3 elapsed_time 4 cpu_util
//                       5 serv_dem 6 cpu_method 7 num_cpus 8 recv_buf_size 9 send_buf_size
//   tcp_maerts_results  0,1 bytes_sent (double) 2 send_calls 3 elapsed_time 4 cpu_util
//                       5 serv_dem 6 cpu_method 7 num_cpus
//   rr/crr/cc/udp_rr    0 bytes_received 1 recv_calls 2 trans_received 3 elapsed_time
//                       4 cpu_util 5 serv_dem 6 cpu_method 7 num_cpus
//   udp_stream_results  0 messages_recvd 1 bytes_received 2 elapsed_time 3 cpu_util
//                       4 cpu_method 5 num_cpus
wire::Message ClassicResults::to_message(int32_t code) const {
    wire::Message m;
    m.type = code + 2;
    m.word1 = serv_errno;
    switch (code) {
    case wire::kDoTcpStream:
    case wire::kDoTcpMaerts:
        set_double(m, 0, double(code == wire::kDoTcpStream ? bytes_received : bytes_sent));
        m.set_u32(2, code == wire::kDoTcpStream ? recv_calls : send_calls);
        m.set_f32(3, elapsed_time);
        m.set_f32(4, cpu_util);
        m.set_f32(5, serv_dem);
        m.set_i32(6, cpu_method);
        m.set_i32(7, num_cpus);
        if (code == wire::kDoTcpStream) {
            m.set_i32(8, recv_buf_size);
            m.set_i32(9, send_buf_size);
        }
        break;
    case wire::kDoUdpStream:
        m.set_u32(0, messages_recvd);
        m.set_u32(1, uint32_t(bytes_received));
        m.set_f32(2, elapsed_time);
        m.set_f32(3, cpu_util);
        m.set_i32(4, cpu_method);
        m.set_i32(5, num_cpus);
        break;
    default:
        m.set_u32(0, uint32_t(bytes_received));
        m.set_u32(1, recv_calls);
        m.set_u32(2, trans_received);
        m.set_f32(3, elapsed_time);
        m.set_f32(4, cpu_util);
        m.set_f32(5, serv_dem);
        m.set_i32(6, cpu_method);
        m.set_i32(7, num_cpus);
        break;
    }
    return m;
}

ClassicResults ClassicResults::from_message(int32_t code, const wire::Message &m) {
    ClassicResults r;
    r.serv_errno = m.word1;
    switch (code) {
    case wire::kDoTcpStream:
    case wire::kDoTcpMaerts: {
        uint64_t bytes = uint64_t(get_double(m, 0));
        (code == wire::kDoTcpStream ? r.bytes_received : r.bytes_sent) = bytes;
        (code == wire::kDoTcpStream ? r.recv_calls : r.send_calls) = m.u32(2);
        r.elapsed_time = m.f32(3);
        r.cpu_util = m.f32(4);
        r.serv_dem = m.f32(5);
        r.cpu_method = m.i32(6);
        r.num_cpus = m.i32(7);
        if (code == wire::kDoTcpStream) {
            r.recv_buf_size = m.i32(8);
            r.send_buf_size = m.i32(9);
        }
        break;
    }
    case wire::kDoUdpStream:
        r.messages_recvd = m.u32(0);
        r.bytes_received = m.u32(1);
        r.elapsed_time = m.f32(2);
        r.cpu_util = m.f32(3);
        r.cpu_method = m.i32(4);
        r.num_cpus = m.i32(5);
        break;
    default:
        r.bytes_received = m.u32(0);
        r.recv_calls = m.u32(1);
        r.trans_received = m.u32(2);
        r.elapsed_time = m.f32(3);
        r.cpu_util = m.f32(4);
        r.serv_dem = m.f32(5);
        r.cpu_method = m.i32(6);
        r.num_cpus = m.i32(7);
        break;
    }
    return r;
}

}  // namespace netperf::legacy
