// Private to the AF_XDP transport: the host facts it needs on the control
// path (interfaces, routes, neighbours: xdp_host.cc) and the per-process
// registry of interfaces it has attached its XDP program to (xdp_steer.cc).
// Nothing here runs on the data path.
#ifndef NETPERF_TRANSPORTS_XDP_INTERNAL_H
#define NETPERF_TRANSPORTS_XDP_INTERNAL_H

#include <netperf/transport_abi.h>

#include <cstddef>
#include <cstdint>
#include <string>

struct xsk_socket;

namespace np_xdp {

// printf into a caller's error buffer (NULL or 0 length: nothing).
void set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// "a.b.c.d" of an address in network order.
std::string ip_str(uint32_t ip);

// ---- host facts (xdp_host.cc) -------------------------------------------

// What the transport needs to know about one interface.
struct Iface {
    std::string name;
    int ifindex = 0;
    uint8_t mac[6] = {};
    int mtu = 0;
    uint32_t ip = 0;     // its first IPv4 address (network order), 0 if none
    int rx_queues = -1;  // from ETHTOOL_GCHANNELS, -1 when the driver does not say
};

// Looks an interface up by name; 0 or -errno with err naming it and the cause.
int iface_lookup(const std::string &name, Iface *out, char *err, size_t elen);

// The interface that owns the IPv4 address ip, or "" if none does.
std::string iface_owning(uint32_t ip);

// The one interface that is up, not loopback and has an IPv4 address: the
// data interface of a host with one link (a netserver given no ifname).
// 0, or -errno with err listing the candidates when there is not exactly one.
int iface_only_one(std::string *name, char *err, size_t elen);

// The kernel's route to dst (netlink RTM_GETROUTE): output interface, next
// hop (the gateway, or dst itself on a link) and preferred source address.
struct Route {
    int oif = 0;
    uint32_t next_hop = 0;
    uint32_t src = 0;
};
int route_lookup(uint32_t dst, Route *out, char *err, size_t elen);

// The kernel's neighbour entry for ip on ifname (/proc/net/arp): true and
// mac when it has a complete one.
bool neigh_lookup(const std::string &ifname, uint32_t ip, uint8_t mac[6]);

// "aa:bb:cc:dd:ee:ff" -> mac; false when malformed.
bool parse_mac(const char *s, uint8_t mac[6]);

// ---- the XDP program on an interface (xdp_steer.cc) ----------------------

// How the program is attached: generic (skb) or in the driver.
enum class XdpMode { kAuto, kSkb, kDrv };

// One interface this process steers to its AF_XDP socket: the program,
// its maps, the mode it runs in.  One worker context per interface (see
// xdp_steer.cc for why); the program is detached when it lets go.
struct Steer;

// What acquire() is asked for.
struct SteerRequest {
    int ifindex = 0;
    const char *ifname = "";
    XdpMode mode = XdpMode::kAuto;
    bool load_program = true;  // false: prog=default (libxdp's own program, loaded by xsk_socket__create)
    uint32_t ip = 0;           // the test's address on this interface (network order)
    bool own_arp = false;      // the kernel does not own ip: we answer ARP for it
};

// Attaches the program (unless prog=default) and claims the interface for
// the caller; -EBUSY if another context of this process has it.
// *mode_used is the attach mode in effect, *note why auto fell back to skb
// ("" if it did not).
int steer_acquire(const SteerRequest &req, Steer **out, XdpMode *mode_used, std::string *note, char *err,
                  size_t elen);

// Gives the interface back and detaches the program.
void steer_release(Steer *s);

// Enters an AF_XDP socket in the program's queue -> socket map.
int steer_add_socket(Steer *s, xsk_socket *xsk, char *err, size_t elen);

// Steers UDP datagrams for port (host order) to the sockets, or stops.
int steer_port(Steer *s, uint16_t port, bool on);

// Steers ARP replies from peer (network order; 0 = none) to the sockets
// while we resolve it.
int steer_arp_peer(Steer *s, uint32_t peer);

// The last message libxdp or libbpf printed in this process (they print
// nothing: the transport quotes them in its errors).
std::string last_library_message();

// Forgets the last message (before a call whose own message is wanted).
void clear_library_message();

// Routes libxdp's and libbpf's messages to last_library_message (once).
void quiet_libraries();

// Whether the steering program was compiled into this plugin (clang was
// found at build time).
bool steer_program_built();

// Loads the steering program into the kernel and unloads it: 0, or -errno
// and why (probe()).
int steer_program_check(char *why, size_t len);

}  // namespace np_xdp

#endif
