// Private to the DPDK transport: the process-wide part (EAL, ports, their
// queues; dpdk_port.cc) that every worker context of the process shares.
//
// One EAL per process, initialised by the first context with its eal=
// option.  A port (ethdev) is configured and started once, by the first
// context that uses it, with one rx/tx queue pair per worker; a context
// claims one free pair for its life.  Frames for a UDP port that another
// queue's worker owns (RSS or af_packet fanout put them there, or a
// self-looping port such as net_ring) are handed over through that queue's
// inbox ring.
#ifndef NETPERF_TRANSPORTS_DPDK_INTERNAL_H
#define NETPERF_TRANSPORTS_DPDK_INTERNAL_H

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include <rte_ether.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

namespace np_dpdk {

// printf into a caller's error buffer (NULL or 0 length: nothing).
void set_err(char *err, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

// "a.b.c.d" of an IPv4 address in network order.
std::string ip_str(uint32_t ip);
// "aa:bb:cc:dd:ee:ff".
std::string mac_str(const rte_ether_addr &m);
// Parses "aa:bb:cc:dd:ee:ff"; false when malformed.
bool parse_mac(const char *s, rte_ether_addr *out);

// Queue pairs a port can have in this transport.
constexpr uint16_t kMaxQueues = 64;
// Largest rx burst (the burst= option's ceiling).
constexpr uint32_t kMaxBurst = 256;
// Neighbour entries a port remembers (peers it talks to: a handful).
constexpr uint32_t kNeighbours = 32;
// Value in Port::owner: the queue that owns a UDP port and the endpoint's
// slot in that queue's context.
constexpr uint32_t owner_value(uint16_t queue, uint32_t slot) { return (uint32_t(queue) + 1) << 16 | slot; }
constexpr uint16_t owner_queue(uint32_t v) { return uint16_t((v >> 16) - 1); }
constexpr uint32_t owner_slot(uint32_t v) { return v & 0xffff; }

// How a port is set up: fixed by the first context that uses it.
struct PortConfig {
    uint16_t queues = 0;    // 0 = auto: min(device maximum, max(2, CPUs))
    uint32_t mbufs = 8191;  // per queue pool
    uint16_t descs = 1024;  // rx and tx ring size (the device may adjust)
};

// One rx/tx queue pair.
//
// Who polls it: its worker, once the worker has started (its first stage or
// reap); before that (and with no context at all) the process's idle
// poller, every millisecond, so that ARP is answered while the control
// protocol still runs: a memif peer of ours asks for our MAC before our
// worker starts.  poll_lock decides between them (and the control thread
// resolving a peer): rx/tx bursts on one queue are not thread-safe.
struct Queue {
    rte_mempool *pool = nullptr;  // rx buffers and this queue's sends
    rte_ring *inbox = nullptr;    // frames other queues hand over (multi-producer, single consumer)
    bool claimed = false;         // a context owns it (changed under the process lock)
    bool worker_polls = false;    // its worker polls it: the idle poller keeps off (under poll_lock)
    rte_spinlock_t poll_lock = RTE_SPINLOCK_INITIALIZER;
};

// An ethdev as this process uses it.
struct Port {
    uint16_t id = 0;
    std::string name, driver;
    rte_ether_addr mac{};
    uint16_t mtu = 1500;
    uint16_t n_queues = 0;
    uint16_t max_payload_udp = 0;  // largest UDP payload in one frame
    uint16_t max_payload_l2 = 0;
    bool udp_csum_offload = false;  // RTE_ETH_TX_OFFLOAD_UDP_CKSUM enabled
    PortConfig cfg;
    // The port's IPv4 address (network order; 0 = none yet): set once, by
    // the ip= option or the first endpoint bound to a specific address.
    std::atomic<uint32_t> ip{0};
    // UDP (or mode=l2) port number -> owner_value(queue, slot); 0 = free.
    std::atomic<uint32_t> owner[65536];
    uint16_t next_ephemeral = 32768;  // control path, under the process lock
    // Neighbours learnt from ARP (any worker may write: ARP is rare).
    rte_spinlock_t neigh_lock;
    struct Neighbour {
        uint32_t ip;
        rte_ether_addr mac;
    } neigh[kNeighbours];
    uint32_t n_neigh = 0, neigh_next = 0;
    Queue q[kMaxQueues];
};

// What EAL is initialised with, from a context's options and flags.
struct EalRequest {
    std::string eal;   // the eal= option as given
    bool server = false;  // NP_CTX_SERVER: net_memif vdevs default to role=server
};

// Initialises EAL once per process (later calls check that eal= matches).
// 0 or -errno with err ("DPDK: EAL init failed: ...", "DPDK: no hugepages
// and --no-huge not given ...", "DPDK: no ethdev: ...").
int eal_ensure(const EalRequest &req, char *err, size_t elen);

// Why the transport cannot run in this process ("" if it may): the reason
// of a failed EAL init, or an EAL without any ethdev.
std::string eal_state();

// The lock every control-path change to EAL, ports and queues holds.
void process_lock();
void process_unlock();

// The port with this id (or ethdev name), configured and started with cfg
// on first use (later uses must ask for the same, or the default).
// Needs the process lock.  nullptr and err when it cannot.
Port *port_get(const std::string &which, const PortConfig &cfg, bool cfg_given_queues, bool cfg_given_mbufs,
               char *err, size_t elen);

// Claims a free queue pair of p (process lock held): its index, or -1 and err.
int queue_claim(Port *p, char *err, size_t elen);
// Gives a queue back: frees what waits in its inbox (process lock held).
void queue_release(Port *p, uint16_t q);

// Waits until p's link is up, at most ms; false if it stayed down.
bool link_wait(Port *p, int ms);

// Registers the calling thread as an EAL lcore (once per thread) so that
// mempool caches work for it; unregistered when the thread exits.
void thread_register();

// Starts the idle poller thread once per process (after EAL is up); it runs
// poll(port, queue) on every queue no worker polls, with poll_lock held.
// Stopped at exit before EAL is cleaned up.
void idle_poller_start(void (*poll)(Port *, uint16_t));

// Neighbour cache of a port (any thread).
bool neigh_lookup(Port *p, uint32_t ip, rte_ether_addr *mac);
void neigh_learn(Port *p, uint32_t ip, const rte_ether_addr &mac);

}  // namespace np_dpdk

#endif
