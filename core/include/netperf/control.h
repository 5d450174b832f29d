// The control connection: netperf 2.x fixed-size messages and netperf 3's
// length-prefixed JSON frames over one TCP connection, with timeouts.
//
// Modern handshake (both protocols share port 12865):
//
//   client                                   server
//   hello  (656-byte legacy frame, code 700,
//           magic 'NP3!', protocol version) -->
//                                       <--  hello reply (code 701, magic,
//                                            version, capability bits)
//   ... from here on, JSON frames: 4-byte big-endian length + UTF-8 JSON ...
//   {"type":"auth", ...}   (only if the server asked for a passphrase)
//   {"type":"test","spec":{...}}       -->
//                                       <--  {"type":"ready","data":[addr per flow],...}
//                                            or {"type":"error","message":...}
//   {"type":"start","peers":[...]}     -->   both sides start traffic
//   {"type":"stop"}                    -->   (client's traffic is over)
//                                       <--  {"type":"results",...}
//   (next "test" for another iteration, or close)
//
// A stock netserver 2.7 answers the hello with serv_errno 998 (unknown test)
// and keeps the connection open, so the client falls back to the legacy
// protocol without reconnecting.
#ifndef NETPERF_CONTROL_H
#define NETPERF_CONTROL_H

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include <netperf/error.h>
#include <netperf/wire.h>

namespace netperf {

inline constexpr int kDefaultControlPort = 12865;
inline constexpr uint32_t kModernMagic = 0x4e503321;  // "NP3!"
inline constexpr uint32_t kModernVersion = 1;
inline constexpr uint32_t kCapAuthRequired = 1u << 0;
inline constexpr size_t kMaxJsonFrame = 4u << 20;  // 4 MiB

class ControlConn {
  public:
    explicit ControlConn(int fd) : fd_(fd) {}
    ~ControlConn();
    ControlConn(const ControlConn &) = delete;
    ControlConn &operator=(const ControlConn &) = delete;

    // Connects to host:port (netperf -H/-p/-L/-4/-6 semantics); throws Error
    // naming the host and the cause.
    static std::unique_ptr<ControlConn> connect(const std::string &host, int port, int family,
                                                const std::string &local_host, int local_port,
                                                int timeout_ms);

    int fd() const { return fd_; }

    void send_legacy(const wire::Message &m, int words);
    // Reads one whole 656-byte message; throws Error on EOF, timeout or a
    // partial message.
    wire::Message recv_legacy(int words, int timeout_ms);
    // Reads exactly n bytes; false on clean EOF before the first byte.
    bool recv_exact(uint8_t *buf, size_t n, int timeout_ms);

    void send_json(const nlohmann::json &j);
    nlohmann::json recv_json(int timeout_ms);

    // True when data (or EOF) is waiting.
    bool readable(int timeout_ms) const;
    // True when the peer has closed or reset the connection, also with
    // bytes of its still unread (a stream it sent past the protocol).
    bool peer_closed() const;
    void shutdown_write();

  private:
    void send_all(const void *p, size_t n);
    int fd_;
};

}  // namespace netperf

#endif
