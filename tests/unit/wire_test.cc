#include <netperf/wire.h>

#include <gtest/gtest.h>

using namespace netperf::wire;

TEST(Wire, HeaderAndConvertedWordsAreBigEndian) {
    Message m;
    m.type = kDoOmni;
    m.word1 = -1;
    m.set_u32(0, 0x01020304);
    m.set_f32(13, 100.0f);
    auto b = encode(m, 38);
    EXPECT_EQ(b[0], 0);
    EXPECT_EQ(b[3], 97);
    EXPECT_EQ(b[4], 0xff);
    EXPECT_EQ(b[8], 1);
    EXPECT_EQ(b[11], 4);
    // 100.0f = 42 c8 00 00 on the wire.
    EXPECT_EQ(b[8 + 4 * 13], 0x42);
    EXPECT_EQ(b[8 + 4 * 13 + 1], 0xc8);
}

TEST(Wire, WordsPastTheCutoffTravelRaw) {
    Message m;
    m.set_str(38, 16, "bbr");
    auto b = encode(m, 38);
    EXPECT_EQ(b[8 + 4 * 38], 'b');
    EXPECT_EQ(b[8 + 4 * 38 + 2], 'r');
    Message d = decode(b.data(), 38);
    EXPECT_EQ(d.str(38, 16), "bbr");
}

TEST(Wire, RoundTrip64BitCounters) {
    Message m;
    m.set_u64(0, 0x123456789abcdefull);
    Message d = decode(encode(m, -1).data(), -1);
    EXPECT_EQ(d.u64(0), 0x123456789abcdefull);
}

TEST(Wire, ReconvertRestoresRawStrings) {
    Message m;
    m.set_str(38, 16, "cubic");
    auto b = encode(m, 38);
    Message all = decode(b.data(), -1);  // as netserver reads: everything converted
    reconvert(all, 38, kDataWords);      // fixup_request_n(38)
    EXPECT_EQ(all.str(38, 16), "cubic");
}

TEST(Wire, StringsAreBounded) {
    Message m;
    m.set_str(160, 1000, std::string(100, 'x'));
    EXPECT_EQ(m.str(160, 1000).size(), 7u);  // 2 words = 8 bytes, NUL-terminated
}
