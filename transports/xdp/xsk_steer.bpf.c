/*
 * The XDP program of the AF_XDP transport: steers the test's UDP datagrams
 * (and, when asked, ARP for the test's address) to the AF_XDP socket of
 * the receiving queue, and passes everything else to the kernel, so the
 * control connection, ARP for the kernel's own addresses, ICMP and other
 * traffic on the same interface are untouched.
 *
 * Built with clang -target bpf at build time and embedded in the plugin
 * (xdp_steer.cc loads it with libxdp).  The maps are the interface between
 * the plugin and this program:
 *   xsks_map   rx queue -> AF_XDP socket (xsk_socket__update_xskmap)
 *   udp_ports  UDP destination port -> 1 when a test endpoint owns it
 *   steer_cfg  the test's IPv4 address, whether ARP for it is ours to
 *              answer (an address the kernel does not own), and the
 *              address whose ARP reply we are waiting for
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Keep in step with SteerConfig in xdp_steer.cc. */
struct steer_config {
    __u32 ip;         /* the test's address, network order; 0 = steer nothing */
    __u32 arp_peer;   /* steer ARP replies from this address to us (resolving) */
    __u32 own_arp;    /* 1: ARP for ip is ours (the kernel does not own ip) */
};

/* Ethernet/IPv4 ARP body (RFC 826), unaligned fields read bytewise. */
struct arp_ipv4 {
    __be16 hrd;
    __be16 pro;
    __u8 hln;
    __u8 pln;
    __be16 op;
    __u8 sha[6];
    __u8 spa[4];
    __u8 tha[6];
    __u8 tpa[4];
};

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u32);
} xsks_map SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 65536);
    __type(key, __u32);
    __type(value, __u32);
} udp_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct steer_config);
} steer_cfg SEC(".maps");

static __always_inline __u32 load_ip(const __u8 *p) {
    __u32 v;
    __builtin_memcpy(&v, p, 4);
    return v;
}

SEC("xdp")
int np_xsk_steer(struct xdp_md *ctx) {
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    __u32 zero = 0;
    if ((void *)(eth + 1) > end) return XDP_PASS;
    struct steer_config *cfg = bpf_map_lookup_elem(&steer_cfg, &zero);
    if (!cfg || !cfg->ip) return XDP_PASS;

    if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
        struct arp_ipv4 *arp = (void *)(eth + 1);
        if ((void *)(arp + 1) > end) return XDP_PASS;
        if (arp->pro != bpf_htons(ETH_P_IP) || load_ip(arp->tpa) != cfg->ip) return XDP_PASS;
        /* An address the kernel owns keeps its ARP; we take only the
         * reply we asked for. */
        if (cfg->own_arp ||
            (arp->op == bpf_htons(2) && cfg->arp_peer && load_ip(arp->spa) == cfg->arp_peer))
            return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
        return XDP_PASS;
    }
    if (eth->h_proto != bpf_htons(ETH_P_IP)) return XDP_PASS;
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end) return XDP_PASS;
    if (ip->protocol != IPPROTO_UDP || ip->daddr != cfg->ip) return XDP_PASS;
    if (ip->frag_off & bpf_htons(0x3fff)) return XDP_PASS; /* fragments: the kernel reassembles */
    __u32 ihl = ip->ihl * 4;
    if (ihl < sizeof(*ip)) return XDP_PASS;
    struct udphdr *udp = (void *)ip + ihl;
    if ((void *)(udp + 1) > end) return XDP_PASS;
    __u32 port = bpf_ntohs(udp->dest);
    __u32 *owned = bpf_map_lookup_elem(&udp_ports, &port);
    if (!owned || !*owned) return XDP_PASS;
    return bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);
}

/* GPL-compatible for the kernel, MIT like the rest of netperf 3. */
char _license[] SEC("license") = "Dual MIT/GPL";
