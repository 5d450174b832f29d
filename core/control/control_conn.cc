#include <netperf/control.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netperf/addr.h>

namespace netperf {

ControlConn::~ControlConn() {
    if (fd_ >= 0) close(fd_);
}

std::unique_ptr<ControlConn> ControlConn::connect(const std::string &host, int port, int family,
                                                  const std::string &local_host, int local_port,
                                                  int timeout_ms) {
    std::string last = "no address";
    for (const sockaddr_storage &ss : resolve_all(host, port, family)) {
        int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            last = strerror(errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (!local_host.empty() || local_port > 0) {
            sockaddr_storage la = local_host.empty() ? any_address(ss.ss_family, local_port)
                                                     : resolve(local_host, local_port, ss.ss_family);
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
            if (bind(fd, reinterpret_cast<sockaddr *>(&la), sockaddr_len(la)) < 0) {
                last = std::string("bind to local address: ") + strerror(errno);
                close(fd);
                continue;
            }
        }
        int r = ::connect(fd, reinterpret_cast<const sockaddr *>(&ss), sockaddr_len(ss));
        if (r < 0 && errno == EINPROGRESS) {
            pollfd p{fd, POLLOUT, 0};
            r = poll(&p, 1, timeout_ms);
            if (r == 0) {
                last = "connection timed out";
                close(fd);
                continue;
            }
            int soerr = 0;
            socklen_t sl = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
            if (soerr) {
                last = strerror(soerr);
                close(fd);
                continue;
            }
        } else if (r < 0) {
            last = strerror(errno);
            close(fd);
            continue;
        }
        // Back to blocking: every later read is bounded by poll().
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
        return std::make_unique<ControlConn>(fd);
    }
    throw Error("cannot connect to netserver at " + host + " port " + std::to_string(port) + ": " + last);
}

void ControlConn::send_all(const void *p, size_t n) {
    const char *c = static_cast<const char *>(p);
    while (n) {
        ssize_t r = send(fd_, c, n, MSG_NOSIGNAL);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw Error(std::string("control connection: send failed: ") + strerror(errno));
        }
        c += r;
        n -= size_t(r);
    }
}

bool ControlConn::readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    int r;
    do {
        r = poll(&p, 1, timeout_ms);
    } while (r < 0 && errno == EINTR);
    return r > 0;
}

bool ControlConn::peer_closed() const {
    pollfd p{fd_, POLLRDHUP, 0};
    int r;
    do {
        r = poll(&p, 1, 0);
    } while (r < 0 && errno == EINTR);
    return r > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

bool ControlConn::recv_exact(uint8_t *buf, size_t n, int timeout_ms) {
    size_t got = 0;
    while (got < n) {
        if (!readable(timeout_ms))
            throw Error("control connection: timed out waiting for the peer (" + std::to_string(got) + " of " +
                        std::to_string(n) + " bytes)");
        ssize_t r = recv(fd_, buf + got, n - got, 0);
        if (r < 0) {
            if (errno == EINTR) continue;
            throw Error(std::string("control connection: recv failed: ") + strerror(errno));
        }
        if (r == 0) {
            if (got == 0) return false;
            throw Error("control connection: partial message received: " + std::to_string(got) + " bytes");
        }
        got += size_t(r);
    }
    return true;
}

void ControlConn::send_legacy(const wire::Message &m, int words) {
    auto buf = wire::encode(m, words);
    send_all(buf.data(), buf.size());
}

wire::Message ControlConn::recv_legacy(int words, int timeout_ms) {
    uint8_t buf[wire::kMessageSize];
    if (!recv_exact(buf, sizeof buf, timeout_ms))
        throw Error("control connection closed by the peer (partial response received: 0 bytes)");
    return wire::decode(buf, words);
}

void ControlConn::send_json(const nlohmann::json &j) {
    std::string body = j.dump();
    if (body.size() > kMaxJsonFrame) throw Error("control message too large");
    uint32_t len = htonl(uint32_t(body.size()));
    std::string frame(reinterpret_cast<const char *>(&len), 4);
    frame += body;
    send_all(frame.data(), frame.size());
}

nlohmann::json ControlConn::recv_json(int timeout_ms) {
    uint8_t hdr[4];
    if (!recv_exact(hdr, 4, timeout_ms)) throw Error("control connection closed by the peer");
    uint32_t len;
    memcpy(&len, hdr, 4);
    len = ntohl(len);
    if (len == 0 || len > kMaxJsonFrame)
        throw Error("control message of " + std::to_string(len) + " bytes refused (limit " +
                    std::to_string(kMaxJsonFrame) + ")");
    std::string body(len, '\0');
    recv_exact(reinterpret_cast<uint8_t *>(body.data()), len, timeout_ms);
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("type") || !j["type"].is_string())
        throw Error("malformed control message (not a JSON object with a type)");
    return j;
}

void ControlConn::shutdown_write() { shutdown(fd_, SHUT_WR); }

}  // namespace netperf
