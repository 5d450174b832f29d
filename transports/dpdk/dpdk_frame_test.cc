// The DPDK transport's frames: every checksum against an independent
// RFC 1071 sum computed here byte by byte, templates, parsing of what we
// build (and of what we must refuse), ARP frames.  Needs no EAL.
#include "dpdk_frame.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <vector>

using namespace np_dpdk;

namespace {

// RFC 1071, written out: big-endian 16-bit words, end-around carry.
uint16_t rfc1071(const std::vector<uint8_t> &b) {
    uint32_t s = 0;
    for (size_t i = 0; i + 1 < b.size(); i += 2) s += uint32_t(b[i]) << 8 | b[i + 1];
    if (b.size() % 2) s += uint32_t(b.back()) << 8;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return uint16_t(~s);
}

uint32_t ip(const char *s) {
    in_addr a;
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

FlowAddr addr() {
    FlowAddr a;
    a.src_mac = {{0x02, 0x11, 0x22, 0x33, 0x44, 0x55}};
    a.dst_mac = {{0x02, 0x66, 0x77, 0x88, 0x99, 0xaa}};
    a.src_ip = ip("10.77.0.10");
    a.dst_ip = ip("10.77.0.2");
    a.src_port = htons(40000);
    a.dst_port = htons(12866);
    a.tos = 0x10;
    return a;
}

// A UDP/IPv4 frame built as the transport builds it.
std::vector<uint8_t> udp_frame(const FlowAddr &a, const std::vector<uint8_t> &payload, bool csum) {
    // Built in a fixed buffer, as in an mbuf (GCC 12 cannot see that a
    // vector sized here is never empty and warns).
    static uint8_t buf[2048];
    uint32_t sum = udp4_template(buf, a);
    std::copy(payload.begin(), payload.end(), buf + kUdp4HdrLen);
    udp4_finish(buf, sum, uint16_t(payload.size()), csum);
    return std::vector<uint8_t>(buf, buf + kUdp4HdrLen + payload.size());
}

// The UDP checksum over the pseudo-header, header and payload of f: 0 when
// the checksum in f is right.
uint16_t udp_residue(const std::vector<uint8_t> &f) {
    std::vector<uint8_t> ph(f.begin() + 26, f.begin() + 34);  // source, destination address
    ph.push_back(0);
    ph.push_back(IPPROTO_UDP);
    ph.push_back(f[38]);  // UDP length
    ph.push_back(f[39]);
    ph.insert(ph.end(), f.begin() + kEthLen + kIp4Len, f.end());
    return rfc1071(ph);
}

TEST(DpdkFrame, Ipv4HeaderChecksumIsRightForEveryLength) {
    FlowAddr a = addr();
    for (size_t len : {0u, 1u, 17u, 18u, 64u, 255u, 1000u, 1471u, 1472u}) {
        std::vector<uint8_t> payload(len, 0x5a);
        auto f = udp_frame(a, payload, true);
        std::vector<uint8_t> iph(f.begin() + kEthLen, f.begin() + kEthLen + kIp4Len);
        EXPECT_EQ(rfc1071(iph), 0) << "IPv4 header checksum wrong for payload " << len;
        EXPECT_EQ((f[16] << 8 | f[17]), int(kIp4Len + kUdpLen + len)) << "total length";
        EXPECT_EQ((f[38] << 8 | f[39]), int(kUdpLen + len)) << "UDP length";
    }
}

TEST(DpdkFrame, UdpChecksumMatchesAnIndependentSum) {
    FlowAddr a = addr();
    for (size_t len : {0u, 1u, 2u, 3u, 63u, 64u, 65u, 1000u, 1472u}) {
        std::vector<uint8_t> payload(len);
        for (size_t i = 0; i < len; i++) payload[i] = uint8_t(i * 37 + 11);
        auto f = udp_frame(a, payload, true);
        uint16_t stored = uint16_t(f[40] << 8 | f[41]);
        EXPECT_NE(stored, 0) << "a computed checksum of 0 must go out as 0xffff";
        EXPECT_TRUE(udp_residue(f) == 0 || udp_residue(f) == 0xffff) << "UDP checksum wrong for payload " << len;
    }
}

TEST(DpdkFrame, NoUdpChecksumWhenOff) {
    auto f = udp_frame(addr(), std::vector<uint8_t>(64, 1), false);
    EXPECT_EQ(f[40], 0);
    EXPECT_EQ(f[41], 0);
    std::vector<uint8_t> iph(f.begin() + kEthLen, f.begin() + kEthLen + kIp4Len);
    EXPECT_EQ(rfc1071(iph), 0);
}

TEST(DpdkFrame, TemplateCarriesAddressesPortsAndFlags) {
    FlowAddr a = addr();
    auto f = udp_frame(a, {1, 2, 3}, true);
    EXPECT_EQ(memcmp(f.data(), a.dst_mac.addr_bytes, 6), 0);
    EXPECT_EQ(memcmp(f.data() + 6, a.src_mac.addr_bytes, 6), 0);
    EXPECT_EQ(f[12], 0x08);
    EXPECT_EQ(f[13], 0x00);
    EXPECT_EQ(f[14], 0x45);
    EXPECT_EQ(f[15], 0x10) << "TOS";
    EXPECT_EQ(f[20] & 0x40, 0x40) << "DF";
    EXPECT_EQ(f[22], 64) << "TTL";
    EXPECT_EQ(f[23], IPPROTO_UDP);
    EXPECT_EQ(memcmp(f.data() + 26, &a.src_ip, 4), 0);
    EXPECT_EQ(memcmp(f.data() + 30, &a.dst_ip, 4), 0);
    EXPECT_EQ(memcmp(f.data() + 34, &a.src_port, 2), 0);
    EXPECT_EQ(memcmp(f.data() + 36, &a.dst_port, 2), 0);
}

TEST(DpdkFrame, ParsesWhatItBuilds) {
    FlowAddr a = addr();
    std::vector<uint8_t> payload{9, 8, 7, 6, 5};
    auto f = udp_frame(a, payload, true);
    f.resize(kMinFrame, 0);  // padded as on the wire
    RxMeta m{};
    ASSERT_EQ(parse_frame(f.data(), uint32_t(f.size()), m), Kind::kData);
    EXPECT_EQ(m.src_ip, a.src_ip);
    EXPECT_EQ(m.dst_ip, a.dst_ip);
    EXPECT_EQ(m.src_port, a.src_port);
    EXPECT_EQ(m.dst_port, a.dst_port);
    EXPECT_EQ(m.payload_off, kUdp4HdrLen);
    EXPECT_EQ(m.payload_len, payload.size()) << "the padding is not payload";
    EXPECT_TRUE(rte_is_same_ether_addr(&m.src_mac, &a.src_mac));
}

TEST(DpdkFrame, RefusesFragmentsOtherProtocolsAndShortFrames) {
    FlowAddr a = addr();
    auto f = udp_frame(a, std::vector<uint8_t>(100, 3), true);
    RxMeta m{};
    auto frag = f;
    frag[20] = 0x20;  // MF
    EXPECT_EQ(parse_frame(frag.data(), uint32_t(frag.size()), m), Kind::kFragment);
    frag = f;
    frag[20] = 0x00;
    frag[21] = 0x10;  // offset 128
    EXPECT_EQ(parse_frame(frag.data(), uint32_t(frag.size()), m), Kind::kFragment);
    auto tcp = f;
    tcp[23] = IPPROTO_TCP;
    EXPECT_EQ(parse_frame(tcp.data(), uint32_t(tcp.size()), m), Kind::kOther);
    EXPECT_EQ(parse_frame(f.data(), 30, m), Kind::kOther) << "truncated";
    auto lying = f;
    lying[16] = 0x7f;  // total length beyond the frame
    EXPECT_EQ(parse_frame(lying.data(), uint32_t(lying.size()), m), Kind::kOther);
    auto v6 = f;
    v6[12] = 0x86;
    v6[13] = 0xdd;
    EXPECT_EQ(parse_frame(v6.data(), uint32_t(v6.size()), m), Kind::kOther);
}

TEST(DpdkFrame, L2FramesCarryPortsAndLength) {
    FlowAddr a = addr();
    std::vector<uint8_t> f(kL2HdrLen + 10);
    l2_template(f.data(), a);
    for (int i = 0; i < 10; i++) f[kL2HdrLen + i] = uint8_t(i);
    l2_finish(f.data(), 10);
    EXPECT_EQ((f[12] << 8 | f[13]), kL2EtherType);
    f.resize(kMinFrame, 0);
    RxMeta m{};
    ASSERT_EQ(parse_frame(f.data(), uint32_t(f.size()), m), Kind::kData);
    EXPECT_EQ(m.src_port, a.src_port);
    EXPECT_EQ(m.dst_port, a.dst_port);
    EXPECT_EQ(m.payload_len, 10);
    EXPECT_EQ(m.payload_off, kL2HdrLen);
    EXPECT_EQ(m.src_ip, 0u);
    l2_finish(f.data(), 100);  // longer than the frame
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size()), m), Kind::kOther);
}

TEST(DpdkFrame, ArpRequestAndReply) {
    rte_ether_addr me{{0x02, 0, 0, 0, 0, 1}}, peer{{0x02, 0, 0, 0, 0, 2}}, zero{};
    std::vector<uint8_t> f(kArpFrameLen);
    arp_frame(f.data(), RTE_ARP_OP_REQUEST, me, ip("10.0.0.1"), zero, ip("10.0.0.2"));
    RxMeta m{};
    ASSERT_EQ(parse_frame(f.data(), uint32_t(f.size()), m), Kind::kArp);
    for (int i = 0; i < 6; i++) EXPECT_EQ(f[i], 0xff) << "a request is broadcast";
    auto *arp = reinterpret_cast<rte_arp_hdr *>(f.data() + kEthLen);
    EXPECT_EQ(ntohs(arp->arp_opcode), RTE_ARP_OP_REQUEST);
    EXPECT_EQ(arp->arp_data.arp_tip, ip("10.0.0.2"));
    EXPECT_EQ(arp->arp_data.arp_sip, ip("10.0.0.1"));

    arp_frame(f.data(), RTE_ARP_OP_REPLY, peer, ip("10.0.0.2"), me, ip("10.0.0.1"));
    EXPECT_EQ(memcmp(f.data(), me.addr_bytes, 6), 0) << "a reply goes to the asker";
    EXPECT_EQ(ntohs(arp->arp_opcode), RTE_ARP_OP_REPLY);
    EXPECT_TRUE(rte_is_same_ether_addr(&arp->arp_data.arp_sha, &peer));
    EXPECT_TRUE(rte_is_same_ether_addr(&arp->arp_data.arp_tha, &me));
    arp->arp_hlen = 8;  // not IPv4 over Ethernet
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size()), m), Kind::kOther);
}

}  // namespace
