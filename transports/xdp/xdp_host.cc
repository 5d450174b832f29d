// Host facts for the AF_XDP transport, all on the control path: interface
// addresses and MACs (ioctl, getifaddrs), the kernel's route to a peer
// (netlink RTM_GETROUTE) and its neighbour table (/proc/net/arp).  The
// transport builds its own frames, so it needs what the kernel stack would
// otherwise have looked up for each datagram.
#include "xdp_internal.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace np_xdp {

void set_err(char *err, size_t len, const char *fmt, ...) {
    if (!err || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

std::string ip_str(uint32_t ip) {
    char b[INET_ADDRSTRLEN];
    in_addr a{ip};
    inet_ntop(AF_INET, &a, b, sizeof b);
    return b;
}

int iface_lookup(const std::string &name, Iface *out, char *err, size_t elen) {
    if (name.empty() || name.size() >= IFNAMSIZ) {
        set_err(err, elen, "xdp: interface name '%s' is not valid", name.c_str());
        return -EINVAL;
    }
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        int e = errno;
        set_err(err, elen, "xdp: socket for interface queries: %s", strerror(e));
        return -e;
    }
    ifreq ifr{};
    memcpy(ifr.ifr_name, name.c_str(), name.size());
    Iface f;
    f.name = name;
    int r = 0;
    if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
        r = -errno;
        set_err(err, elen, "xdp: interface %s: %s", name.c_str(),
                r == -ENODEV ? "no such interface in this network namespace" : strerror(-r));
    } else {
        f.ifindex = ifr.ifr_ifindex;
        if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0 || ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
            r = -EPROTONOSUPPORT;
            set_err(err, elen, "xdp: interface %s is not Ethernet (AF_XDP frames here are Ethernet/IPv4/UDP)",
                    name.c_str());
        } else {
            memcpy(f.mac, ifr.ifr_hwaddr.sa_data, 6);
            if (ioctl(fd, SIOCGIFMTU, &ifr) == 0) f.mtu = ifr.ifr_mtu;
            ethtool_channels ch{};
            ch.cmd = ETHTOOL_GCHANNELS;
            ifr.ifr_data = reinterpret_cast<char *>(&ch);
            if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
                f.rx_queues = int(ch.rx_count > ch.combined_count ? ch.rx_count : ch.combined_count);
        }
    }
    close(fd);
    if (r < 0) return r;
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) == 0) {
        for (ifaddrs *a = list; a; a = a->ifa_next)
            if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET && name == a->ifa_name) {
                f.ip = reinterpret_cast<sockaddr_in *>(a->ifa_addr)->sin_addr.s_addr;
                break;
            }
        freeifaddrs(list);
    }
    *out = f;
    return 0;
}

std::string iface_owning(uint32_t ip) {
    std::string name;
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) return name;
    for (ifaddrs *a = list; a; a = a->ifa_next)
        if (a->ifa_addr && a->ifa_addr->sa_family == AF_INET &&
            reinterpret_cast<sockaddr_in *>(a->ifa_addr)->sin_addr.s_addr == ip) {
            name = a->ifa_name;
            break;
        }
    freeifaddrs(list);
    return name;
}

int iface_only_one(std::string *name, char *err, size_t elen) {
    ifaddrs *list = nullptr;
    if (getifaddrs(&list) != 0) {
        int e = errno;
        set_err(err, elen, "xdp: getifaddrs: %s", strerror(e));
        return -e;
    }
    std::string found, all;
    int n = 0;
    for (ifaddrs *a = list; a; a = a->ifa_next) {
        if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
        if ((a->ifa_flags & IFF_LOOPBACK) || !(a->ifa_flags & IFF_UP)) continue;
        if (found == a->ifa_name) continue;  // a second address on the same interface
        n++;
        found = a->ifa_name;
        all += (all.empty() ? "" : ", ") + found;
    }
    freeifaddrs(list);
    if (n != 1) {
        set_err(err, elen, "xdp: give the data interface with the option ifname= (%s)",
                n == 0 ? "no interface is up with an IPv4 address" : ("candidates: " + all).c_str());
        return -ENODEV;
    }
    *name = found;
    return 0;
}

int route_lookup(uint32_t dst, Route *out, char *err, size_t elen) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        int e = errno;
        set_err(err, elen, "xdp: netlink socket for the route to %s: %s", ip_str(dst).c_str(), strerror(e));
        return -e;
    }
    struct {
        nlmsghdr nh;
        rtmsg rt;
        char attrs[64];
    } req{};
    req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
    req.nh.nlmsg_type = RTM_GETROUTE;
    req.nh.nlmsg_flags = NLM_F_REQUEST;
    req.nh.nlmsg_seq = 1;
    req.rt.rtm_family = AF_INET;
    req.rt.rtm_dst_len = 32;
    rtattr *a = reinterpret_cast<rtattr *>(reinterpret_cast<char *>(&req) + NLMSG_ALIGN(req.nh.nlmsg_len));
    a->rta_type = RTA_DST;
    a->rta_len = RTA_LENGTH(4);
    memcpy(RTA_DATA(a), &dst, 4);
    req.nh.nlmsg_len = NLMSG_ALIGN(req.nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
    char buf[8192];
    int r = 0;
    ssize_t n = -1;
    if (send(fd, &req, req.nh.nlmsg_len, 0) < 0 || (n = recv(fd, buf, sizeof buf, 0)) < 0) {
        r = -errno;
        set_err(err, elen, "xdp: netlink route query for %s: %s", ip_str(dst).c_str(), strerror(-r));
    }
    close(fd);
    if (r < 0) return r;
    Route rt;
    rt.next_hop = dst;
    for (nlmsghdr *h = reinterpret_cast<nlmsghdr *>(buf); NLMSG_OK(h, size_t(n)); h = NLMSG_NEXT(h, n)) {
        if (h->nlmsg_type == NLMSG_ERROR) {
            int e = reinterpret_cast<nlmsgerr *>(NLMSG_DATA(h))->error;
            set_err(err, elen, "xdp: no route to %s: %s", ip_str(dst).c_str(), strerror(-e));
            return e ? e : -EHOSTUNREACH;
        }
        if (h->nlmsg_type != RTM_NEWROUTE) continue;
        rtmsg *m = static_cast<rtmsg *>(NLMSG_DATA(h));
        int len = int(RTM_PAYLOAD(h));
        for (rtattr *x = RTM_RTA(m); RTA_OK(x, len); x = RTA_NEXT(x, len)) {
            if (x->rta_type == RTA_OIF) memcpy(&rt.oif, RTA_DATA(x), 4);
            else if (x->rta_type == RTA_GATEWAY) memcpy(&rt.next_hop, RTA_DATA(x), 4);
            else if (x->rta_type == RTA_PREFSRC) memcpy(&rt.src, RTA_DATA(x), 4);
        }
        if (m->rtm_type == RTN_LOCAL) {
            set_err(err, elen, "xdp: %s is an address of this host: AF_XDP frames leave through a NIC queue",
                    ip_str(dst).c_str());
            return -EHOSTUNREACH;
        }
    }
    if (!rt.oif) {
        set_err(err, elen, "xdp: the kernel gave no output interface for %s", ip_str(dst).c_str());
        return -EHOSTUNREACH;
    }
    *out = rt;
    return 0;
}

bool neigh_lookup(const std::string &ifname, uint32_t ip, uint8_t mac[6]) {
    FILE *f = fopen("/proc/net/arp", "re");
    if (!f) return false;
    char line[256];
    bool found = false;
    if (!fgets(line, sizeof line, f)) {  // header
        fclose(f);
        return false;
    }
    // IP address  HW type  Flags  HW address  Mask  Device
    while (!found && fgets(line, sizeof line, f)) {
        char addr[64], hw[64], mask[64], dev[IFNAMSIZ + 1];
        unsigned type, flags;
        if (sscanf(line, "%63s 0x%x 0x%x %63s %63s %16s", addr, &type, &flags, hw, mask, dev) != 6) continue;
        in_addr a{};
        if (inet_pton(AF_INET, addr, &a) != 1 || a.s_addr != ip || ifname != dev) continue;
        found = (flags & ATF_COM) && parse_mac(hw, mac);
    }
    fclose(f);
    return found;
}

bool parse_mac(const char *s, uint8_t mac[6]) {
    unsigned v[6];
    char tail;
    if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) return false;
    for (int i = 0; i < 6; i++) mac[i] = uint8_t(v[i]);
    return true;
}

}  // namespace np_xdp
