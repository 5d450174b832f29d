// netperf 2.x control messages: fixed 656-byte blobs, a two-word header and
// 162 words of test-specific data (../shared/legacy/PROTOCOL.md §2).
//
// Byte order, as 2.7 does it: every word up to a per-message cutoff is
// converted with htonl/ntohl (so integers and floats travel big-endian);
// words past the cutoff travel as raw bytes (strings).  The header is always
// converted.
#ifndef NETPERF_WIRE_H
#define NETPERF_WIRE_H

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

namespace netperf::wire {

inline constexpr size_t kMessageSize = 656;
inline constexpr size_t kDataWords = 162;
inline constexpr int kAllWords = -1;

// Request codes (netlib.h).
enum Code : int32_t {
    kCpuCalibrate = 5,
    kPassphrase = 6,
    kDoTcpStream = 10,
    kTcpStreamResponse = 11,
    kTcpStreamResults = 12,
    kDoTcpRR = 13,
    kTcpRRResponse = 14,
    kTcpRRResults = 15,
    kDoUdpStream = 16,
    kUdpStreamResponse = 17,
    kUdpStreamResults = 18,
    kDoUdpRR = 19,
    kUdpRRResponse = 20,
    kUdpRRResults = 21,
    kDoTcpCRR = 34,
    kTcpCRRResponse = 35,
    kTcpCRRResults = 36,
    kDoTcpMaerts = 94,
    kTcpMaertsResponse = 95,
    kTcpMaertsResults = 96,
    kDoOmni = 97,
    kOmniResponse = 98,
    kOmniResults = 99,
    kDoTcpCC = 300,
    kTcpCCResponse = 301,
    kTcpCCResults = 302,
    kDoSysinfo = 600,
    // netperf 3: the modern hello, a code 2.7 does not know (it answers 998).
    kModernHello = 700,
    kModernHelloReply = 701,
};

// serv_errno a stock netserver puts in its answer to an unknown request.
inline constexpr int32_t kUnknownTestErrno = 998;

// A decoded message: header and data in host order.  Words past the
// conversion cutoff hold the raw wire bytes (read them with bytes()).
struct Message {
    int32_t type = 0;   // request_type / response_type
    int32_t word1 = 0;  // request: remote CPU binding (-1 none); response: serv_errno
    std::array<uint32_t, kDataWords> data{};

    int32_t i32(size_t w) const { return int32_t(data[w]); }
    uint32_t u32(size_t w) const { return data[w]; }
    float f32(size_t w) const {
        float f;
        memcpy(&f, &data[w], 4);
        return f;
    }
    void set_i32(size_t w, int32_t v) { data[w] = uint32_t(v); }
    void set_u32(size_t w, uint32_t v) { data[w] = v; }
    void set_f32(size_t w, float v) { memcpy(&data[w], &v, 4); }
    // 64-bit counters travel as hi/lo words.
    uint64_t u64(size_t hi_word) const { return (uint64_t(data[hi_word]) << 32) | data[hi_word + 1]; }
    void set_u64(size_t hi_word, uint64_t v) {
        data[hi_word] = uint32_t(v >> 32);
        data[hi_word + 1] = uint32_t(v);
    }
    // Raw bytes of the data area (strings past the cutoff).
    const char *bytes(size_t word) const { return reinterpret_cast<const char *>(&data[word]); }
    char *bytes(size_t word) { return reinterpret_cast<char *>(&data[word]); }
    // A NUL-terminated string of at most max bytes at word.
    std::string str(size_t word, size_t max) const;
    void set_str(size_t word, size_t max, const std::string &s);
};

// Encodes m with the first `words` data words converted (-1 = all).
std::array<uint8_t, kMessageSize> encode(const Message &m, int words);
// Decodes with the first `words` data words converted (-1 = all).
Message decode(const uint8_t *buf, int words);
// Re-applies host/network conversion to words [from, to) of an already
// decoded message (2.7's fixup_request_n: netserver decodes everything, then
// OMNI restores the string area to its raw bytes).
void reconvert(Message &m, size_t from, size_t to);

}  // namespace netperf::wire

#endif
