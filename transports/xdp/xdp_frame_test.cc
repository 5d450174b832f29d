// Frames of the AF_XDP transport: checksums against a known IPv4 header
// and against a plain RFC 1071 sum computed here over a pseudo-header;
// parsing of what we build and refusal of what we must not take.
#include "xdp_frame.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <vector>

using namespace np_xdp;

namespace {

// RFC 1071, byte by byte: the reference the fast sum is checked against.
uint16_t reference_csum(const std::vector<uint8_t> &b) {
    uint32_t sum = 0;
    for (size_t i = 0; i < b.size(); i += 2) {
        uint32_t w = uint32_t(b[i]) << 8;
        if (i + 1 < b.size()) w |= b[i + 1];
        sum += w;
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    }
    return uint16_t(~sum);
}

const uint8_t kSrcMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
const uint8_t kDstMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};

uint32_t ip(const char *s) {
    in_addr a{};
    inet_pton(AF_INET, s, &a);
    return a.s_addr;
}

// The UDP checksum a receiver computes: pseudo-header + UDP header (its
// checksum field included) + payload must sum to 0xffff, i.e. the
// reference over all of it is 0.
uint16_t udp_verify(const uint8_t *frame, size_t len) {
    const uint8_t *ipp = frame + kEthLen;
    std::vector<uint8_t> b(ipp + 12, ipp + 20);  // addresses
    b.push_back(0);
    b.push_back(kIpProtoUdp);
    b.push_back(ipp[20 + 4]);
    b.push_back(ipp[20 + 5]);
    b.insert(b.end(), ipp + 20, frame + len);
    return reference_csum(b);
}

}  // namespace

TEST(XdpFrame, IpChecksumMatchesAKnownHeader) {
    // The worked example of RFC 1071 practice: 192.168.0.1 -> 192.168.0.199,
    // total length 0x73, DF, TTL 64, UDP: checksum 0xb861.
    const uint8_t hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                             0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    EXPECT_EQ(uint16_t(~csum_fold(csum_partial(hdr, sizeof hdr))), 0xb861);
}

TEST(XdpFrame, FastSumEqualsTheReferenceForEveryLength) {
    std::vector<uint8_t> b;
    for (int len = 0; len < 300; len++) {
        EXPECT_EQ(uint16_t(~csum_fold(csum_partial(b.data(), b.size()))), reference_csum(b)) << "length " << len;
        b.push_back(uint8_t(len * 37 + 11));
    }
}

TEST(XdpFrame, BuiltDatagramHasCorrectHeadersAndChecksums) {
    UdpTemplate t;
    t.set(kSrcMac, kDstMac, ip("10.77.0.1"), ip("10.77.0.2"), 40000, 12866, 0x10);
    for (uint32_t len : {0u, 1u, 18u, 63u, 64u, 1472u}) {
        std::vector<uint8_t> payload(len);
        for (uint32_t i = 0; i < len; i++) payload[i] = uint8_t(i * 7 + len);
        std::vector<uint8_t> f(kHdrLen + len);
        ASSERT_EQ(t.build(f.data(), payload.data(), len, uint16_t(len + 5)), kHdrLen + len);
        EXPECT_EQ(0, memcmp(f.data(), kDstMac, 6));
        EXPECT_EQ(0, memcmp(f.data() + 6, kSrcMac, 6));
        EXPECT_EQ(load16(f.data() + 12), kEthIPv4);
        const uint8_t *ipp = f.data() + kEthLen;
        EXPECT_EQ(ipp[0], 0x45);
        EXPECT_EQ(ipp[1], 0x10);
        EXPECT_EQ(load16(ipp + 2), kIpLen + kUdpLen + len);
        EXPECT_EQ(load16(ipp + 4), len + 5);
        EXPECT_EQ(ipp[9], kIpProtoUdp);
        // A header with its checksum sums to 0xffff.
        EXPECT_EQ(reference_csum(std::vector<uint8_t>(ipp, ipp + kIpLen)), 0) << "IP checksum, payload " << len;
        EXPECT_EQ(load16(ipp + 20 + 4), kUdpLen + len);
        EXPECT_NE(load16(ipp + 20 + 6), 0) << "UDP checksum present";
        EXPECT_EQ(udp_verify(f.data(), f.size()), 0) << "UDP checksum, payload " << len;
        EXPECT_EQ(0, memcmp(f.data() + kHdrLen, payload.data(), len));
    }
}

TEST(XdpFrame, ZeroUdpChecksumIsSentAsAllOnes) {
    // Find a two-byte payload whose checksum computes to 0: it must go out
    // as 0xffff (0 would mean "no checksum").
    UdpTemplate t;
    t.set(kSrcMac, kDstMac, ip("10.0.0.1"), ip("10.0.0.2"), 1000, 2000, 0);
    std::vector<uint8_t> f(kHdrLen + 2);
    bool seen = false;
    for (uint32_t v = 0; v < 65536 && !seen; v++) {
        uint8_t p[2] = {uint8_t(v >> 8), uint8_t(v)};
        t.build(f.data(), p, 2, 0);
        if (load16(f.data() + kEthLen + kIpLen + 6) == 0xffff) {
            seen = true;
            EXPECT_EQ(udp_verify(f.data(), f.size()), 0);
        }
        EXPECT_NE(load16(f.data() + kEthLen + kIpLen + 6), 0);
    }
    EXPECT_TRUE(seen);
}

TEST(XdpFrame, ParseReadsWhatBuildWrote) {
    UdpTemplate t;
    t.set(kSrcMac, kDstMac, ip("10.77.0.1"), ip("10.77.0.2"), 40000, 12866, 0);
    uint8_t payload[100] = {1, 2, 3};
    std::vector<uint8_t> f(kHdrLen + sizeof payload + 6);  // Ethernet padding after the datagram
    t.build(f.data(), payload, sizeof payload, 1);
    Parsed p = parse_frame(f.data(), uint32_t(f.size()));
    ASSERT_EQ(p.kind, Parsed::kUdp);
    EXPECT_EQ(p.src_ip, ip("10.77.0.1"));
    EXPECT_EQ(p.dst_ip, ip("10.77.0.2"));
    EXPECT_EQ(p.src_port, 40000);
    EXPECT_EQ(p.dst_port, 12866);
    EXPECT_EQ(p.payload_off, kHdrLen);
    EXPECT_EQ(p.payload_len, sizeof payload);
    EXPECT_EQ(0, memcmp(p.src_mac, kSrcMac, 6));
}

TEST(XdpFrame, ParseRefusesWhatIsNotAWholeUdpDatagram) {
    UdpTemplate t;
    t.set(kSrcMac, kDstMac, ip("10.77.0.1"), ip("10.77.0.2"), 1, 2, 0);
    uint8_t payload[64] = {};
    std::vector<uint8_t> good(kHdrLen + sizeof payload);
    t.build(good.data(), payload, sizeof payload, 0);
    ASSERT_EQ(parse_frame(good.data(), uint32_t(good.size())).kind, Parsed::kUdp);

    EXPECT_EQ(parse_frame(good.data(), uint32_t(good.size() - 1)).kind, Parsed::kOther) << "truncated";
    EXPECT_EQ(parse_frame(good.data(), 10).kind, Parsed::kOther) << "shorter than Ethernet";
    auto f = good;
    store16(f.data() + kEthLen + 6, 0x2000);  // more fragments
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "first fragment";
    f = good;
    store16(f.data() + kEthLen + 6, 0x0010);  // a fragment offset
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "later fragment";
    f = good;
    f[kEthLen + 9] = 6;  // TCP
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "not UDP";
    f = good;
    store16(f.data() + kEthLen + kIpLen + 4, 4);  // UDP length below its header
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "UDP length too small";
    f = good;
    store16(f.data() + kEthLen + kIpLen + 4, uint16_t(kUdpLen + sizeof payload + 1));
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "UDP length past IP";
    f = good;
    f[kEthLen] = 0x65;  // IPv6 version nibble
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "not IPv4";
    f = good;
    store16(f.data() + 12, 0x86dd);
    EXPECT_EQ(parse_frame(f.data(), uint32_t(f.size())).kind, Parsed::kOther) << "IPv6 ethertype";
}

TEST(XdpFrame, ParseHonoursIpOptions) {
    // A sender may use IP options: the UDP header follows the longer header.
    UdpTemplate t;
    t.set(kSrcMac, kDstMac, ip("10.0.0.1"), ip("10.0.0.2"), 7, 9, 0);
    uint8_t payload[5] = {9, 9, 9, 9, 9};
    std::vector<uint8_t> plain(kHdrLen + sizeof payload);
    t.build(plain.data(), payload, sizeof payload, 0);
    std::vector<uint8_t> f(plain.begin(), plain.begin() + kEthLen + kIpLen);
    f.insert(f.end(), {1, 1, 1, 0});  // NOP NOP NOP EOL
    f.insert(f.end(), plain.begin() + kEthLen + kIpLen, plain.end());
    f[kEthLen] = 0x46;
    store16(f.data() + kEthLen + 2, uint16_t(kIpLen + 4 + kUdpLen + sizeof payload));
    Parsed p = parse_frame(f.data(), uint32_t(f.size()));
    ASSERT_EQ(p.kind, Parsed::kUdp);
    EXPECT_EQ(p.payload_off, kHdrLen + 4);
    EXPECT_EQ(p.payload_len, sizeof payload);
    EXPECT_EQ(p.dst_port, 9);
}

TEST(XdpFrame, ArpRequestAndReply) {
    uint8_t f[kArpFrameLen];
    ASSERT_EQ(build_arp(f, 1, kSrcMac, ip("10.0.0.1"), nullptr, ip("10.0.0.2")), kArpFrameLen);
    for (int i = 0; i < 6; i++) EXPECT_EQ(f[i], 0xff) << "a request is broadcast";
    Parsed p = parse_frame(f, sizeof f);
    ASSERT_EQ(p.kind, Parsed::kArp);
    EXPECT_EQ(p.arp_op, 1);
    EXPECT_EQ(p.arp_spa, ip("10.0.0.1"));
    EXPECT_EQ(p.arp_tpa, ip("10.0.0.2"));
    EXPECT_EQ(0, memcmp(p.arp_sha, kSrcMac, 6));

    uint8_t r[kArpFrameLen];
    build_arp(r, 2, kDstMac, ip("10.0.0.2"), p.arp_sha, p.arp_spa);
    EXPECT_EQ(0, memcmp(r, kSrcMac, 6)) << "a reply goes to the asker";
    Parsed q = parse_frame(r, sizeof r);
    ASSERT_EQ(q.kind, Parsed::kArp);
    EXPECT_EQ(q.arp_op, 2);
    EXPECT_EQ(q.arp_spa, ip("10.0.0.2"));
    EXPECT_EQ(q.arp_tpa, ip("10.0.0.1"));
    EXPECT_EQ(0, memcmp(q.arp_sha, kDstMac, 6));
    EXPECT_EQ(0, memcmp(r + kEthLen + 18, kSrcMac, 6)) << "target hardware address";

    EXPECT_EQ(parse_frame(r, sizeof r - 1).kind, Parsed::kOther) << "truncated ARP";
}
