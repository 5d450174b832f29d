// Frames the DPDK transport puts on the wire and takes off it: Ethernet +
// IPv4 + UDP (mode=udp), Ethernet + a 6-byte flow header (mode=l2), and ARP.
// Plain functions over bytes, no mbufs and no EAL, so the unit test can
// check every checksum against an independent computation.
//
// A data endpoint keeps a ready-made header (its "template": addresses,
// ports, TTL, DF) and the one's-complement sum of its IPv4 header with the
// length fields zero; a send copies the template, fills the two lengths and
// finishes the IPv4 checksum from that sum (one add and a fold, not a pass
// over the header).
#ifndef NETPERF_TRANSPORTS_DPDK_FRAME_H
#define NETPERF_TRANSPORTS_DPDK_FRAME_H

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_udp.h>

namespace np_dpdk {

// Ethernet header, IPv4 header without options, UDP header.
constexpr uint16_t kEthLen = sizeof(rte_ether_hdr);
constexpr uint16_t kIp4Len = sizeof(rte_ipv4_hdr);
constexpr uint16_t kUdpLen = sizeof(rte_udp_hdr);
constexpr uint16_t kUdp4HdrLen = kEthLen + kIp4Len + kUdpLen;  // 42
// mode=l2: after the Ethernet header, source port, destination port and
// payload length (network order), then the payload.
constexpr uint16_t kL2FlowLen = 6;
constexpr uint16_t kL2HdrLen = kEthLen + kL2FlowLen;  // 20
// The ethertype of mode=l2 frames: IEEE 802 "local experimental" 1, which
// no stack claims, so a kernel sharing the link (af_packet) ignores them.
constexpr uint16_t kL2EtherType = 0x88b5;
// Shortest Ethernet frame without FCS; shorter ones are padded with zeros.
constexpr uint16_t kMinFrame = 60;
// Length of an ARP frame (Ethernet + ARP for IPv4 over Ethernet).
constexpr uint16_t kArpFrameLen = kEthLen + sizeof(rte_arp_hdr);

// What a data endpoint's frames carry; addresses and ports in network order.
struct FlowAddr {
    rte_ether_addr src_mac, dst_mac;
    uint32_t src_ip = 0, dst_ip = 0;
    uint16_t src_port = 0, dst_port = 0;
    uint8_t tos = 0;
};

// One's-complement sum of len bytes (16-bit words in memory order), not
// folded; add more with sum_add, finish with sum_fold.
inline uint32_t sum_bytes(const void *p, size_t len, uint32_t sum = 0) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    for (; len >= 2; b += 2, len -= 2) {
        uint16_t w;
        memcpy(&w, b, 2);
        sum += w;
    }
    if (len) {
        uint16_t w = 0;
        memcpy(&w, b, 1);
        sum += w;
    }
    return sum;
}

// Folds a 32-bit one's-complement sum to 16 bits and complements it: the
// checksum to store as is (memory order).
inline uint16_t sum_fold(uint32_t sum) {
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return uint16_t(~sum);
}

// Writes the UDP/IPv4 template of a flow into hdr (kUdp4HdrLen bytes) and
// returns the sum of its IPv4 header with total length and checksum zero.
inline uint32_t udp4_template(uint8_t *hdr, const FlowAddr &a) {
    memset(hdr, 0, kUdp4HdrLen);
    auto *eth = reinterpret_cast<rte_ether_hdr *>(hdr);
    eth->dst_addr = a.dst_mac;
    eth->src_addr = a.src_mac;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    auto *ip = reinterpret_cast<rte_ipv4_hdr *>(hdr + kEthLen);
    ip->version_ihl = RTE_IPV4_VHL_DEF;
    ip->type_of_service = a.tos;
    // DF with ID 0: an atomic datagram (RFC 6864) never fragmented, so the
    // ID need not change per packet and the checksum depends on the length
    // alone.
    ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
    ip->time_to_live = 64;
    ip->next_proto_id = IPPROTO_UDP;
    ip->src_addr = a.src_ip;
    ip->dst_addr = a.dst_ip;
    auto *udp = reinterpret_cast<rte_udp_hdr *>(hdr + kEthLen + kIp4Len);
    udp->src_port = a.src_port;
    udp->dst_port = a.dst_port;
    return sum_bytes(ip, kIp4Len);
}

// Completes a frame whose first kUdp4HdrLen bytes are a template copy and
// whose payload (payload_len bytes) follows: lengths, IPv4 checksum, and
// the UDP checksum unless udp_csum is false (0: "none", legal over IPv4).
inline void udp4_finish(uint8_t *frame, uint32_t ip_sum, uint16_t payload_len, bool udp_csum) {
    auto *ip = reinterpret_cast<rte_ipv4_hdr *>(frame + kEthLen);
    auto *udp = reinterpret_cast<rte_udp_hdr *>(frame + kEthLen + kIp4Len);
    uint16_t ip_len = uint16_t(kIp4Len + kUdpLen + payload_len);
    ip->total_length = rte_cpu_to_be_16(ip_len);
    ip->hdr_checksum = sum_fold(ip_sum + ip->total_length);
    udp->dgram_len = rte_cpu_to_be_16(uint16_t(kUdpLen + payload_len));
    udp->dgram_cksum = 0;
    if (udp_csum) udp->dgram_cksum = rte_ipv4_udptcp_cksum(ip, udp);
}

// Writes the mode=l2 template of a flow into hdr (kL2HdrLen bytes).
inline void l2_template(uint8_t *hdr, const FlowAddr &a) {
    memset(hdr, 0, kL2HdrLen);
    auto *eth = reinterpret_cast<rte_ether_hdr *>(hdr);
    eth->dst_addr = a.dst_mac;
    eth->src_addr = a.src_mac;
    eth->ether_type = rte_cpu_to_be_16(kL2EtherType);
    memcpy(hdr + kEthLen, &a.src_port, 2);
    memcpy(hdr + kEthLen + 2, &a.dst_port, 2);
}

// Completes a mode=l2 frame: the payload length.
inline void l2_finish(uint8_t *frame, uint16_t payload_len) {
    uint16_t be = rte_cpu_to_be_16(payload_len);
    memcpy(frame + kEthLen + 4, &be, 2);
}

// What parsing a received frame found.
enum class Kind : uint8_t {
    kOther,   // not for us (another ethertype, protocol, or malformed)
    kData,    // a datagram: ports, source and payload are filled in
    kArp,     // an ARP frame for IPv4 over Ethernet
    kFragment // an IPv4 fragment (not reassembled: dropped and counted)
};

// A received datagram's facts, kept with its mbuf until a RECV takes it.
struct RxMeta {
    uint32_t src_ip;       // network order; 0 in mode=l2
    uint32_t dst_ip;
    uint16_t src_port;     // network order
    uint16_t dst_port;
    uint16_t payload_off;  // from the start of the frame
    uint16_t payload_len;
    rte_ether_addr src_mac;
    uint16_t pad;
};
static_assert(sizeof(RxMeta) == 24, "RxMeta lives in the mbuf private area");

// Parses a frame of len bytes.  Data frames (UDP over IPv4 without
// fragmentation, or mode=l2 frames) fill m.  Checksums are not verified:
// the link is trusted, as a NIC with receive checksum offload would be.
inline Kind parse_frame(const uint8_t *f, uint32_t len, RxMeta &m) {
    if (len < kEthLen) return Kind::kOther;
    const auto *eth = reinterpret_cast<const rte_ether_hdr *>(f);
    uint16_t type = rte_be_to_cpu_16(eth->ether_type);
    if (type == RTE_ETHER_TYPE_IPV4) {
        if (len < uint32_t(kEthLen + kIp4Len)) return Kind::kOther;
        const auto *ip = reinterpret_cast<const rte_ipv4_hdr *>(f + kEthLen);
        uint32_t ihl = uint32_t(ip->version_ihl & 0x0f) * 4;
        uint32_t tot = rte_be_to_cpu_16(ip->total_length);
        if ((ip->version_ihl >> 4) != 4 || ihl < kIp4Len || tot < ihl + kUdpLen || kEthLen + tot > len ||
            ip->next_proto_id != IPPROTO_UDP)
            return Kind::kOther;
        if (rte_be_to_cpu_16(ip->fragment_offset) & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK))
            return Kind::kFragment;
        const auto *udp = reinterpret_cast<const rte_udp_hdr *>(f + kEthLen + ihl);
        uint32_t ulen = rte_be_to_cpu_16(udp->dgram_len);
        if (ulen < kUdpLen || ulen > tot - ihl) return Kind::kOther;
        m.src_ip = ip->src_addr;
        m.dst_ip = ip->dst_addr;
        m.src_port = udp->src_port;
        m.dst_port = udp->dst_port;
        m.payload_off = uint16_t(kEthLen + ihl + kUdpLen);
        m.payload_len = uint16_t(ulen - kUdpLen);
        m.src_mac = eth->src_addr;
        return Kind::kData;
    }
    if (type == kL2EtherType) {
        if (len < kL2HdrLen) return Kind::kOther;
        uint16_t plen;
        memcpy(&m.src_port, f + kEthLen, 2);
        memcpy(&m.dst_port, f + kEthLen + 2, 2);
        memcpy(&plen, f + kEthLen + 4, 2);
        plen = rte_be_to_cpu_16(plen);
        if (uint32_t(kL2HdrLen) + plen > len) return Kind::kOther;
        m.src_ip = m.dst_ip = 0;
        m.payload_off = kL2HdrLen;
        m.payload_len = plen;
        m.src_mac = eth->src_addr;
        return Kind::kData;
    }
    if (type == RTE_ETHER_TYPE_ARP) {
        if (len < kArpFrameLen) return Kind::kOther;
        const auto *arp = reinterpret_cast<const rte_arp_hdr *>(f + kEthLen);
        if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
            arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) || arp->arp_hlen != RTE_ETHER_ADDR_LEN ||
            arp->arp_plen != 4)
            return Kind::kOther;
        return Kind::kArp;
    }
    return Kind::kOther;
}

// Writes an ARP frame (kArpFrameLen bytes): a request for target_ip
// (broadcast, target MAC zero) or a reply to (target_mac, target_ip).
inline void arp_frame(uint8_t *f, uint16_t op, const rte_ether_addr &src_mac, uint32_t src_ip,
                      const rte_ether_addr &target_mac, uint32_t target_ip) {
    auto *eth = reinterpret_cast<rte_ether_hdr *>(f);
    auto *arp = reinterpret_cast<rte_arp_hdr *>(f + kEthLen);
    bool request = op == RTE_ARP_OP_REQUEST;
    memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
    if (!request) eth->dst_addr = target_mac;
    eth->src_addr = src_mac;
    eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
    arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
    arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
    arp->arp_hlen = RTE_ETHER_ADDR_LEN;
    arp->arp_plen = 4;
    arp->arp_opcode = rte_cpu_to_be_16(op);
    arp->arp_data.arp_sha = src_mac;
    arp->arp_data.arp_sip = src_ip;
    memset(&arp->arp_data.arp_tha, 0, RTE_ETHER_ADDR_LEN);
    if (!request) arp->arp_data.arp_tha = target_mac;
    arp->arp_data.arp_tip = target_ip;
}

}  // namespace np_dpdk

#endif
