// Ethernet/IPv4/UDP and ARP frames built and parsed by hand: the AF_XDP
// transport owns the wire format, so every header and checksum is ours.
// Pure functions over byte buffers (no sockets), tested in xdp_frame_test.cc.
//
// Checksums are Internet ones'-complement sums (RFC 1071).  A header that
// does not change between datagrams of an endpoint is summed once
// (UdpTemplate); each datagram then adds only its length, IP id and payload.
#ifndef NETPERF_TRANSPORTS_XDP_FRAME_H
#define NETPERF_TRANSPORTS_XDP_FRAME_H

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace np_xdp {

constexpr uint16_t kEthIPv4 = 0x0800;
constexpr uint16_t kEthArp = 0x0806;
constexpr size_t kEthLen = 14;
constexpr size_t kIpLen = 20;  // we send no IP options
constexpr size_t kUdpLen = 8;
constexpr size_t kHdrLen = kEthLen + kIpLen + kUdpLen;  // 42: payload offset of our frames
constexpr size_t kArpFrameLen = kEthLen + 28;
constexpr uint8_t kIpProtoUdp = 17;

inline uint16_t load16(const uint8_t *p) { return uint16_t(p[0] << 8 | p[1]); }  // network order
inline uint32_t load32n(const uint8_t *p) {  // raw 4 bytes, kept in network order
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}
inline void store16(uint8_t *p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}

// Ones'-complement partial sum of len bytes, as 16-bit big-endian words
// (an odd last byte is the high half of a word).  Partial sums add.
inline uint64_t csum_partial(const void *data, size_t len, uint64_t sum = 0) {
    const uint8_t *p = static_cast<const uint8_t *>(data);
    // 32-bit big-endian words into a 64-bit accumulator: no carry is lost
    // below 2^32 words, and folding at the end gives the 16-bit sum.
    while (len >= 4) {
        sum += uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        sum += uint32_t(p[0]) << 8 | p[1];
        p += 2;
        len -= 2;
    }
    if (len) sum += uint32_t(p[0]) << 8;
    return sum;
}

// Folds a partial sum to 16 bits (not complemented).
inline uint16_t csum_fold(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(sum);
}

// The constant part of an endpoint's datagrams: addresses, ports, TOS, TTL,
// and the partial checksums over them.  build() fills one frame.
struct UdpTemplate {
    uint8_t hdr[kHdrLen]{};  // Ethernet + IPv4 + UDP, lengths/id/checksums zero
    uint64_t ip_sum = 0;     // partial sum of hdr's IPv4 header as stored
    uint64_t udp_sum = 0;    // partial sum of pseudo-header addresses + proto + ports

    // Addresses in network byte order (as on the wire); MACs are 6 bytes.
    void set(const uint8_t src_mac[6], const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
             uint16_t src_port, uint16_t dst_port, uint8_t tos) {
        memset(hdr, 0, sizeof hdr);
        memcpy(hdr, dst_mac, 6);
        memcpy(hdr + 6, src_mac, 6);
        store16(hdr + 12, kEthIPv4);
        uint8_t *ip = hdr + kEthLen;
        ip[0] = 0x45;  // version 4, 5 words
        ip[1] = tos;
        store16(ip + 6, 0x4000);  // DF: we never fragment, as Linux UDP does below the path MTU
        ip[8] = 64;               // TTL
        ip[9] = kIpProtoUdp;
        memcpy(ip + 12, &src_ip, 4);
        memcpy(ip + 16, &dst_ip, 4);
        uint8_t *udp = ip + kIpLen;
        store16(udp, src_port);
        store16(udp + 2, dst_port);
        ip_sum = csum_partial(ip, kIpLen);
        udp_sum = csum_partial(ip + 12, 8) + kIpProtoUdp + src_port + dst_port;
    }

    // Writes headers and payload into frame (room for kHdrLen + len bytes);
    // returns the frame length.  The payload is copied and summed in one
    // pass over the source.
    size_t build(uint8_t *frame, const void *payload, uint32_t len, uint16_t ip_id) const {
        memcpy(frame, hdr, kHdrLen);
        uint8_t *ip = frame + kEthLen;
        uint8_t *udp = ip + kIpLen;
        uint16_t tot = uint16_t(kIpLen + kUdpLen + len), ulen = uint16_t(kUdpLen + len);
        store16(ip + 2, tot);
        store16(ip + 4, ip_id);
        store16(ip + 10, uint16_t(~csum_fold(ip_sum + tot + ip_id)));
        store16(udp + 4, ulen);
        memcpy(udp + kUdpLen, payload, len);
        // The UDP length counts twice: pseudo-header and UDP header.
        uint16_t c = uint16_t(~csum_fold(csum_partial(udp + kUdpLen, len, udp_sum + 2u * ulen)));
        store16(udp + 6, c ? c : 0xffff);  // 0 means "no checksum": send its other form
        return kHdrLen + len;
    }
};

// What parse_frame found in a received frame.
struct Parsed {
    enum Kind { kOther, kUdp, kArp } kind = kOther;
    const uint8_t *src_mac = nullptr;
    // UDP
    uint32_t src_ip = 0, dst_ip = 0;  // network order
    uint16_t src_port = 0, dst_port = 0;  // host order
    uint32_t payload_off = 0, payload_len = 0;
    // ARP (Ethernet/IPv4 only)
    uint16_t arp_op = 0;
    const uint8_t *arp_sha = nullptr;
    uint32_t arp_spa = 0, arp_tpa = 0;  // network order
};

// Classifies a frame: an unfragmented IPv4/UDP datagram (lengths checked
// against the frame), an Ethernet/IPv4 ARP packet, or anything else.
// Received checksums are not verified: a veth peer hands frames over with
// CHECKSUM_PARTIAL, whose UDP checksum holds only the pseudo-header sum.
inline Parsed parse_frame(const uint8_t *f, uint32_t len) {
    Parsed p;
    if (len < kEthLen) return p;
    p.src_mac = f + 6;
    uint16_t type = load16(f + 12);
    if (type == kEthArp) {
        const uint8_t *a = f + kEthLen;
        if (len < kArpFrameLen || load16(a) != 1 || load16(a + 2) != kEthIPv4 || a[4] != 6 || a[5] != 4)
            return p;
        p.kind = Parsed::kArp;
        p.arp_op = load16(a + 6);
        p.arp_sha = a + 8;
        p.arp_spa = load32n(a + 14);
        p.arp_tpa = load32n(a + 24);
        return p;
    }
    if (type != kEthIPv4 || len < kEthLen + kIpLen) return p;
    const uint8_t *ip = f + kEthLen;
    uint32_t ihl = uint32_t(ip[0] & 0x0f) * 4;
    uint32_t tot = load16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < kIpLen || ip[9] != kIpProtoUdp) return p;
    if (load16(ip + 6) & 0x3fff) return p;  // a fragment: not ours to reassemble
    if (tot < ihl + kUdpLen || kEthLen + tot > len) return p;
    const uint8_t *udp = ip + ihl;
    uint32_t ulen = load16(udp + 4);
    if (ulen < kUdpLen || ulen > tot - ihl) return p;
    p.kind = Parsed::kUdp;
    p.src_ip = load32n(ip + 12);
    p.dst_ip = load32n(ip + 16);
    p.src_port = load16(udp);
    p.dst_port = load16(udp + 2);
    p.payload_off = uint32_t(kEthLen + ihl + kUdpLen);
    p.payload_len = ulen - uint32_t(kUdpLen);
    return p;
}

// Writes an Ethernet/IPv4 ARP frame (op 1 request, 2 reply) into f
// (kArpFrameLen bytes); returns its length.  A request goes to broadcast
// with an all-zero target hardware address.
inline size_t build_arp(uint8_t *f, uint16_t op, const uint8_t sha[6], uint32_t spa, const uint8_t *tha,
                        uint32_t tpa) {
    static const uint8_t kBroadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t kZero[6] = {};
    memcpy(f, op == 1 ? kBroadcast : tha, 6);
    memcpy(f + 6, sha, 6);
    store16(f + 12, kEthArp);
    uint8_t *a = f + kEthLen;
    store16(a, 1);  // Ethernet
    store16(a + 2, kEthIPv4);
    a[4] = 6;
    a[5] = 4;
    store16(a + 6, op);
    memcpy(a + 8, sha, 6);
    memcpy(a + 14, &spa, 4);
    memcpy(a + 18, op == 1 ? kZero : tha, 6);
    memcpy(a + 24, &tpa, 4);
    return kArpFrameLen;
}

}  // namespace np_xdp

#endif
