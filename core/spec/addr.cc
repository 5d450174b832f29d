#include <netperf/addr.h>

#include <cstddef>
#include <cstring>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/un.h>

namespace netperf {

uint32_t sockaddr_len(const sockaddr_storage &a) {
    switch (a.ss_family) {
    case AF_INET: return sizeof(sockaddr_in);
    case AF_INET6: return sizeof(sockaddr_in6);
    case AF_UNIX: {
        auto *u = reinterpret_cast<const sockaddr_un *>(&a);
        return uint32_t(offsetof(sockaddr_un, sun_path) + strnlen(u->sun_path, sizeof u->sun_path) + 1);
    }
    default: return 0;
    }
}

std::vector<sockaddr_storage> resolve_all(const std::string &host, int port, int family, int socktype) {
    addrinfo hints{};
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = AI_ADDRCONFIG;
    if (host == "localhost" || host.empty()) hints.ai_flags = 0;  // works without a configured address
    addrinfo *res = nullptr;
    std::string svc = std::to_string(port);
    int r = getaddrinfo(host.empty() ? nullptr : host.c_str(), svc.c_str(), &hints, &res);
    if (r == EAI_BADFLAGS || (r != 0 && hints.ai_flags)) {
        hints.ai_flags = 0;
        r = getaddrinfo(host.c_str(), svc.c_str(), &hints, &res);
    }
    if (r != 0)
        throw Error("could not resolve host '" + host + "' for " + family_name(family) + ": " + gai_strerror(r));
    std::vector<sockaddr_storage> out;
    for (addrinfo *ai = res; ai; ai = ai->ai_next) {
        sockaddr_storage ss{};
        memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
        out.push_back(ss);
    }
    freeaddrinfo(res);
    if (out.empty()) throw Error("could not resolve host '" + host + "': no addresses");
    return out;
}

sockaddr_storage resolve(const std::string &host, int port, int family, int socktype) {
    return resolve_all(host, port, family, socktype).front();
}

sockaddr_storage any_address(int family, int port) {
    sockaddr_storage ss{};
    if (family == AF_INET6) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_any;
        a->sin6_port = htons(uint16_t(port));
    } else {
        auto *a = reinterpret_cast<sockaddr_in *>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_ANY);
        a->sin_port = htons(uint16_t(port));
    }
    return ss;
}

sockaddr_storage unix_address(const std::string &path) {
    sockaddr_storage ss{};
    auto *u = reinterpret_cast<sockaddr_un *>(&ss);
    if (path.empty() || path.size() >= sizeof u->sun_path)
        throw Error("unix socket path '" + path + "' is empty or longer than " +
                    std::to_string(sizeof u->sun_path - 1) + " bytes");
    u->sun_family = AF_UNIX;
    memcpy(u->sun_path, path.c_str(), path.size() + 1);
    return ss;
}

std::string addr_host(const sockaddr_storage &a) {
    char buf[INET6_ADDRSTRLEN] = "";
    if (a.ss_family == AF_INET)
        inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in *>(&a)->sin_addr, buf, sizeof buf);
    else if (a.ss_family == AF_INET6)
        inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6 *>(&a)->sin6_addr, buf, sizeof buf);
    else if (a.ss_family == AF_UNIX) {
        auto *u = reinterpret_cast<const sockaddr_un *>(&a);
        return std::string(u->sun_path, strnlen(u->sun_path, sizeof u->sun_path));
    }
    return buf;
}

int addr_port(const sockaddr_storage &a) {
    if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in *>(&a)->sin_port);
    if (a.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6 *>(&a)->sin6_port);
    return 0;
}

void set_port(sockaddr_storage &a, int port) {
    if (a.ss_family == AF_INET) reinterpret_cast<sockaddr_in *>(&a)->sin_port = htons(uint16_t(port));
    if (a.ss_family == AF_INET6) reinterpret_cast<sockaddr_in6 *>(&a)->sin6_port = htons(uint16_t(port));
}

const char *family_name(int family) {
    switch (family) {
    case AF_INET: return "AF_INET";
    case AF_INET6: return "AF_INET6";
    case AF_UNIX: return "AF_UNIX";
    default: return "AF_UNSPEC";
    }
}

std::string format_addr(const sockaddr_storage &a) {
    switch (a.ss_family) {
    case AF_INET: return "inet:" + addr_host(a) + ":" + std::to_string(addr_port(a));
    case AF_INET6: return "inet6:[" + addr_host(a) + "]:" + std::to_string(addr_port(a));
    case AF_UNIX: return "unix:" + addr_host(a);
    default: return "none:";
    }
}

sockaddr_storage parse_addr(const std::string &s) {
    auto bad = [&] { return Error("malformed address '" + s.substr(0, 120) + "'"); };
    auto port_of = [&](const std::string &p) {
        if (p.empty() || p.size() > 5 || p.find_first_not_of("0123456789") != std::string::npos) throw bad();
        int v = std::stoi(p);
        if (v > 65535) throw bad();
        return v;
    };
    sockaddr_storage ss{};
    if (s.rfind("inet:", 0) == 0) {
        size_t c = s.rfind(':');
        if (c <= 5) throw bad();
        auto *a = reinterpret_cast<sockaddr_in *>(&ss);
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, s.substr(5, c - 5).c_str(), &a->sin_addr) != 1) throw bad();
        a->sin_port = htons(uint16_t(port_of(s.substr(c + 1))));
        return ss;
    }
    if (s.rfind("inet6:[", 0) == 0) {
        size_t e = s.find("]:");
        if (e == std::string::npos) throw bad();
        auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
        a->sin6_family = AF_INET6;
        if (inet_pton(AF_INET6, s.substr(7, e - 7).c_str(), &a->sin6_addr) != 1) throw bad();
        a->sin6_port = htons(uint16_t(port_of(s.substr(e + 2))));
        return ss;
    }
    if (s.rfind("unix:", 0) == 0) return unix_address(s.substr(5));
    throw bad();
}

}  // namespace netperf
