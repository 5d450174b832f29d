#include <netperf/wire.h>

#include <arpa/inet.h>

namespace netperf::wire {

std::string Message::str(size_t word, size_t max) const {
    if (word >= kDataWords) return {};
    size_t room = (kDataWords - word) * 4;
    if (max > room) max = room;
    const char *p = bytes(word);
    return std::string(p, strnlen(p, max));
}

void Message::set_str(size_t word, size_t max, const std::string &s) {
    if (word >= kDataWords) return;
    size_t room = (kDataWords - word) * 4;
    if (max > room) max = room;
    char *p = bytes(word);
    memset(p, 0, max);
    memcpy(p, s.data(), s.size() < max ? s.size() : max - 1);
}

std::array<uint8_t, kMessageSize> encode(const Message &m, int words) {
    std::array<uint8_t, kMessageSize> out{};
    size_t n = words < 0 ? kDataWords : size_t(words);
    if (n > kDataWords) n = kDataWords;
    uint32_t w = htonl(uint32_t(m.type));
    memcpy(&out[0], &w, 4);
    w = htonl(uint32_t(m.word1));
    memcpy(&out[4], &w, 4);
    for (size_t i = 0; i < kDataWords; i++) {
        uint32_t v = i < n ? htonl(m.data[i]) : m.data[i];
        memcpy(&out[8 + 4 * i], &v, 4);
    }
    return out;
}

Message decode(const uint8_t *buf, int words) {
    Message m;
    size_t n = words < 0 ? kDataWords : size_t(words);
    if (n > kDataWords) n = kDataWords;
    uint32_t w;
    memcpy(&w, buf, 4);
    m.type = int32_t(ntohl(w));
    memcpy(&w, buf + 4, 4);
    m.word1 = int32_t(ntohl(w));
    for (size_t i = 0; i < kDataWords; i++) {
        memcpy(&w, buf + 8 + 4 * i, 4);
        m.data[i] = i < n ? ntohl(w) : w;
    }
    return m;
}

void reconvert(Message &m, size_t from, size_t to) {
    if (to > kDataWords) to = kDataWords;
    for (size_t i = from; i < to; i++) m.data[i] = htonl(m.data[i]);
}

}  // namespace netperf::wire
