// The process-wide part of the DPDK transport: EAL (once per process),
// ports and their queue pairs.  Control path only, under one lock; nothing
// here runs per packet except neigh_lookup/neigh_learn (ARP frames).
#include "dpdk_internal.h"
#include "dpdk_frame.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <memory>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

#include <arpa/inet.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_mbuf.h>

namespace np_dpdk {

void set_err(char *err, size_t len, const char *fmt, ...) {
    if (!err || !len) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

std::string ip_str(uint32_t ip) {
    char b[INET_ADDRSTRLEN] = "";
    inet_ntop(AF_INET, &ip, b, sizeof b);
    return b;
}

std::string mac_str(const rte_ether_addr &m) {
    char b[RTE_ETHER_ADDR_FMT_SIZE];
    rte_ether_format_addr(b, sizeof b, &m);
    return b;
}

bool parse_mac(const char *s, rte_ether_addr *out) {
    unsigned v[6];
    char tail;
    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &tail) != 6) return false;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 0xff) return false;
        out->addr_bytes[i] = uint8_t(v[i]);
    }
    return true;
}

namespace {

std::mutex g_lock;
bool g_eal_up = false;
std::string g_eal_args;     // the eal= EAL was initialised with
std::string g_eal_failure;  // why the last EAL init failed ("" if none)
std::string g_own_runtime;  // runtime directory to remove at exit ("" if not ours)
Port *g_ports[RTE_MAX_ETHPORTS] = {};

// Splits the eal= option on blanks; single or double quotes group.
std::vector<std::string> split_args(const std::string &s) {
    std::vector<std::string> out;
    std::string cur;
    bool have = false;
    char quote = 0;
    for (char ch : s) {
        if (quote) {
            if (ch == quote) quote = 0;
            else cur += ch;
        } else if (ch == '\'' || ch == '"') {
            quote = ch;
            have = true;
        } else if (ch == ' ' || ch == '\t' || ch == '\n') {
            if (have || !cur.empty()) out.push_back(cur);
            cur.clear();
            have = false;
        } else {
            cur += ch;
        }
    }
    if (have || !cur.empty()) out.push_back(cur);
    return out;
}

// Whether args hold an option: "--long", "--long=v", "-s", "-sVALUE".
bool has_opt(const std::vector<std::string> &args, const char *opt) {
    size_t n = strlen(opt);
    for (auto &a : args) {
        if (a.compare(0, n, opt) != 0) continue;
        if (a.size() == n) return true;
        if (opt[1] == '-' ? a[n] == '=' : true) return true;
    }
    return false;
}

// Free hugepages of any size, and a hugetlbfs mount to use them.
bool hugepages_usable(bool huge_dir_given) {
    bool free_pages = false;
    if (DIR *d = opendir("/sys/kernel/mm/hugepages")) {
        while (dirent *e = readdir(d)) {
            if (strncmp(e->d_name, "hugepages-", 10) != 0) continue;
            std::string path = std::string("/sys/kernel/mm/hugepages/") + e->d_name + "/free_hugepages";
            if (FILE *f = fopen(path.c_str(), "r")) {
                long n = 0;
                if (fscanf(f, "%ld", &n) == 1 && n > 0) free_pages = true;
                fclose(f);
            }
        }
        closedir(d);
    }
    if (!free_pages) return false;
    if (huge_dir_given) return true;
    bool mounted = false;
    if (FILE *f = fopen("/proc/mounts", "r")) {
        char line[512];
        while (fgets(line, sizeof line, f))
            if (strstr(line, " hugetlbfs ")) mounted = true;
        fclose(f);
    }
    return mounted;
}

// Removes a runtime directory EAL made for us (files, then the directory).
void remove_runtime_dir(const std::string &dir) {
    if (DIR *d = opendir(dir.c_str())) {
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            unlink((dir + "/" + e->d_name).c_str());
        }
        closedir(d);
    }
    rmdir(dir.c_str());
}

// Removes the runtime directories of earlier processes of ours that died
// without cleaning up: "np3-<pid>" next to ours, with no such process.
void remove_stale_runtime_dirs(const std::string &own) {
    size_t slash = own.rfind('/');
    if (slash == std::string::npos) return;
    std::string parent = own.substr(0, slash);
    DIR *d = opendir(parent.c_str());
    if (!d) return;
    std::vector<std::string> stale;
    while (dirent *e = readdir(d)) {
        if (strncmp(e->d_name, "np3-", 4) != 0) continue;
        char *end = nullptr;
        long pid = strtol(e->d_name + 4, &end, 10);
        if (*end || pid <= 0 || pid == getpid()) continue;
        if (kill(pid_t(pid), 0) != 0 && errno == ESRCH) stale.push_back(parent + "/" + e->d_name);
    }
    closedir(d);
    for (auto &s : stale) remove_runtime_dir(s);
}

// At exit: with no context left, ports are stopped and closed (memif says
// goodbye to its peer and removes its socket) and EAL is cleaned up; the
// runtime directory we asked for is removed either way.
void eal_atexit() {
    std::lock_guard<std::mutex> g(g_lock);
    bool busy = false;
    for (Port *p : g_ports)
        if (p)
            for (uint16_t q = 0; q < p->n_queues; q++) busy |= p->q[q].claimed;
    if (g_eal_up && !busy) {
        for (Port *p : g_ports) {
            if (!p) continue;
            rte_eth_dev_stop(p->id);
            rte_eth_dev_close(p->id);
        }
        rte_eal_cleanup();
    }
    if (!g_own_runtime.empty()) remove_runtime_dir(g_own_runtime);
}

// Keeps this plugin mapped for the life of the process: EAL's threads run
// code of the DPDK libraries it pulled in, and the loader would otherwise
// unload them at exit while those threads still run.
void pin_plugin() {
    Dl_info info;
    if (dladdr(reinterpret_cast<void *>(&eal_ensure), &info) && info.dli_fname)
        dlopen(info.dli_fname, RTLD_NOW | RTLD_NODELETE | RTLD_NOLOAD);
}

// ---- the idle poller -------------------------------------------------------------

std::atomic<bool> g_poller_stop{false};
bool g_poller_started = false;  // under g_lock
pthread_t g_poller;
void (*g_poll_fn)(Port *, uint16_t) = nullptr;

void *poller_main(void *) {
    Port *ports[RTE_MAX_ETHPORTS];
    while (!g_poller_stop.load(std::memory_order_relaxed)) {
        uint16_t n = 0;
        {
            std::lock_guard<std::mutex> g(g_lock);  // ports are added, never removed, under it
            for (Port *p : g_ports)
                if (p) ports[n++] = p;
        }
        for (uint16_t i = 0; i < n; i++) {
            Port *p = ports[i];
            for (uint16_t q = 0; q < p->n_queues; q++) {
                Queue &qu = p->q[q];
                if (!rte_spinlock_trylock(&qu.poll_lock)) continue;
                if (!qu.worker_polls) g_poll_fn(p, q);
                rte_spinlock_unlock(&qu.poll_lock);
            }
        }
        usleep(1000);
    }
    return nullptr;
}

// Registered after eal_atexit, so it runs first: no poll once ports close.
void poller_stop() {
    g_poller_stop.store(true);
    pthread_join(g_poller, nullptr);
}

}  // namespace

void idle_poller_start(void (*poll)(Port *, uint16_t)) {
    std::lock_guard<std::mutex> g(g_lock);
    if (g_poller_started || !g_eal_up) return;
    g_poll_fn = poll;
    if (pthread_create(&g_poller, nullptr, poller_main, nullptr) != 0) return;  // ARP then waits for the workers
    pthread_setname_np(g_poller, "np3-dpdk-idle");
    g_poller_started = true;
    atexit(poller_stop);
}

void process_lock() { g_lock.lock(); }
void process_unlock() { g_lock.unlock(); }

std::string eal_state() {
    std::lock_guard<std::mutex> g(g_lock);
    if (!g_eal_failure.empty()) return g_eal_failure;
    if (g_eal_up && rte_eth_dev_count_avail() == 0)
        return "DPDK: no ethdev in this process's EAL (it was initialised with eal=\"" + g_eal_args + "\")";
    return {};
}

int eal_ensure(const EalRequest &req, char *err, size_t elen) {
    if (g_eal_up) {
        if (!req.eal.empty() && req.eal != g_eal_args) {
            set_err(err, elen,
                    "DPDK: EAL is already initialised in this process with eal=\"%s\"; it cannot be "
                    "initialised again with eal=\"%s\" (give the same, or none)",
                    g_eal_args.c_str(), req.eal.c_str());
            return -EALREADY;
        }
        if (rte_eth_dev_count_avail() == 0) {
            set_err(err, elen, "DPDK: no ethdev: give --vdev in eal=... (this process's EAL has none)");
            return -ENODEV;
        }
        return 0;
    }
    std::vector<std::string> args = split_args(req.eal);
    // Defaults EAL would otherwise get wrong for a tool: its own runtime
    // directory (two processes of ours, netperf and netserver, run side by
    // side), one lcore (the workers register themselves), no telemetry
    // socket, and only warnings from its logs.
    std::vector<std::string> full{"netperf-dpdk"};
    full.insert(full.end(), args.begin(), args.end());
    bool own_prefix = !has_opt(args, "--file-prefix") && !has_opt(args, "--in-memory");
    if (own_prefix) full.push_back("--file-prefix=np3-" + std::to_string(getpid()));
    if (!has_opt(args, "-l") && !has_opt(args, "-c") && !has_opt(args, "--lcores")) {
        cpu_set_t set;
        int first = 0;
        if (sched_getaffinity(0, sizeof set, &set) == 0)
            for (int i = 0; i < CPU_SETSIZE; i++)
                if (CPU_ISSET(i, &set)) {
                    first = i;
                    break;
                }
        full.push_back("-l");
        full.push_back(std::to_string(first));
    }
    if (!has_opt(args, "--telemetry") && !has_opt(args, "--no-telemetry")) full.push_back("--no-telemetry");
    if (!has_opt(args, "--log-level")) full.push_back("--log-level=*:warning");
    // net_memif: the side that serves a test is the memif server unless the
    // vdev says otherwise, so netserver and netperf pair up by default.
    for (size_t i = 1; i < full.size(); i++) {
        std::string &a = full[i];
        bool vdev = a.compare(0, 7, "--vdev=") == 0 || full[i - 1] == "--vdev";
        if (vdev && a.find("net_memif") != std::string::npos && a.find("role=") == std::string::npos)
            a += std::string(",role=") + (req.server ? "server" : "client");
    }
    bool no_huge = has_opt(args, "--no-huge");
    if (!no_huge && !hugepages_usable(has_opt(args, "--huge-dir"))) {
        g_eal_failure.clear();
        set_err(err, elen,
                "DPDK: no hugepages and --no-huge not given: add --no-huge -m 256 to eal=..., or reserve "
                "some (echo 256 > /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages; mount -t hugetlbfs "
                "none /dev/hugepages)");
        return -ENOMEM;
    }
    std::vector<char *> argv;
    for (auto &a : full) argv.push_back(a.data());
    argv.push_back(nullptr);

    // EAL logs to stdout and prints its usage there; netperf's stdout is
    // its report, so both go to stderr while EAL starts.  EAL also pins the
    // calling thread to its main lcore: the control thread gets its CPUs
    // back afterwards (workers pin themselves).
    rte_openlog_stream(stderr);
    cpu_set_t saved;
    bool have_saved = sched_getaffinity(0, sizeof saved, &saved) == 0;
    fflush(stdout);
    int saved_out = dup(STDOUT_FILENO);
    if (saved_out >= 0) dup2(STDERR_FILENO, STDOUT_FILENO);
    int r = rte_eal_init(int(argv.size() - 1), argv.data());
    int e = rte_errno;
    fflush(stdout);
    if (saved_out >= 0) {
        dup2(saved_out, STDOUT_FILENO);
        close(saved_out);
    }
    if (have_saved) sched_setaffinity(0, sizeof saved, &saved);
    std::string joined;
    for (size_t i = 1; i < full.size(); i++) joined += (i > 1 ? " " : "") + full[i];
    if (r < 0) {
        set_err(err, elen, "DPDK: EAL init failed: %s (EAL arguments: %s; EAL's own messages above say more)",
                rte_strerror(e), joined.c_str());
        g_eal_failure = err ? err : "DPDK: EAL init failed";
        return e > 0 ? -e : -EINVAL;
    }
    g_eal_up = true;
    g_eal_args = req.eal;
    g_eal_failure.clear();
    pin_plugin();
    if (own_prefix) {
        g_own_runtime = rte_eal_get_runtime_dir();
        remove_stale_runtime_dirs(g_own_runtime);
    }
    atexit(eal_atexit);
    if (rte_eth_dev_count_avail() == 0) {
        // Fits NP_ERRLEN: the EAL arguments are the caller's own eal= and
        // our defaults, which verbose=1 and EAL's messages already show.
        set_err(err, elen,
                "DPDK: no ethdev: no PCI device is bound to a DPDK driver here; add one to eal=, e.g. "
                "--vdev=net_af_packet0,iface=IFNAME or --vdev=net_memif0,socket=PATH,socket-abstract=no");
        return -ENODEV;
    }
    return 0;
}

Port *port_get(const std::string &which, const PortConfig &cfg, bool given_queues, bool given_mbufs, char *err,
               size_t elen) {
    uint16_t id = 0;
    char *end = nullptr;
    long n = strtol(which.c_str(), &end, 10);
    if (!which.empty() && *end == 0) {
        if (n < 0 || n >= RTE_MAX_ETHPORTS || !rte_eth_dev_is_valid_port(uint16_t(n))) {
            set_err(err, elen, "DPDK: port=%s: no such ethdev (this process has %u)", which.c_str(),
                    rte_eth_dev_count_avail());
            return nullptr;
        }
        id = uint16_t(n);
    } else if (!which.empty()) {
        if (rte_eth_dev_get_port_by_name(which.c_str(), &id) != 0) {
            set_err(err, elen, "DPDK: port=%s: no ethdev of that name", which.c_str());
            return nullptr;
        }
    }
    char name[RTE_ETH_NAME_MAX_LEN] = "";
    rte_eth_dev_get_name_by_port(id, name);
    if (Port *p = g_ports[id]) {
        if ((given_queues && cfg.queues != 0 && cfg.queues != p->n_queues) ||
            (given_mbufs && cfg.mbufs != p->cfg.mbufs)) {
            set_err(err, elen,
                    "DPDK: port %u (%s) is already set up in this process with queues=%u mbufs=%u; a later "
                    "test cannot change that (restart the process)",
                    id, name, p->n_queues, p->cfg.mbufs);
            return nullptr;
        }
        return p;
    }

    rte_eth_dev_info info;
    int r = rte_eth_dev_info_get(id, &info);
    if (r != 0) {
        set_err(err, elen, "DPDK: port %u (%s): device info: %s", id, name, rte_strerror(-r));
        return nullptr;
    }
    uint16_t dev_max = std::min<uint16_t>(std::min(info.max_rx_queues, info.max_tx_queues), kMaxQueues);
    uint16_t nq = cfg.queues;
    if (nq == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        nq = uint16_t(std::min<long>(dev_max, std::max<long>(2, cpus)));
    }
    if (nq < 1 || nq > dev_max) {
        set_err(err, elen,
                "DPDK: port %u (%s, driver %s) has at most %u queue pair(s); queues=%u asked%s", id, name,
                info.driver_name, dev_max, nq,
                strcmp(info.driver_name, "net_af_packet") == 0 ? " (net_af_packet: add qpairs=N to its --vdev)" : "");
        return nullptr;
    }
    auto p = std::make_unique<Port>();
    p->id = id;
    p->name = name;
    p->driver = info.driver_name;
    p->cfg = cfg;
    p->cfg.queues = nq;
    p->n_queues = nq;
    rte_spinlock_init(&p->neigh_lock);
    for (auto &o : p->owner) o.store(0, std::memory_order_relaxed);

    rte_eth_conf conf{};
    // UDP checksums on the port where it offers them (no virtual device
    // here does: they are computed in software then); the IPv4 header
    // checksum is always ours (one add from the template's sum).
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_UDP_CKSUM) {
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_UDP_CKSUM;
        p->udp_csum_offload = true;
    }
    r = rte_eth_dev_configure(id, nq, nq, &conf);
    if (r != 0) {
        set_err(err, elen, "DPDK: port %u (%s): configure with %u queue pair(s): %s", id, name, nq, rte_strerror(-r));
        return nullptr;
    }
    uint16_t nrx = cfg.descs, ntx = cfg.descs;
    rte_eth_dev_adjust_nb_rx_tx_desc(id, &nrx, &ntx);
    int socket = rte_eth_dev_socket_id(id);
    if (socket < 0) socket = SOCKET_ID_ANY;
    // The mbuf's private area holds a received datagram's parsed facts
    // (RxMeta) until a RECV takes it.
    const uint16_t priv = uint16_t(RTE_ALIGN(sizeof(RxMeta), RTE_MBUF_PRIV_ALIGN));
    auto rollback = [&] {
        for (uint16_t q = 0; q < nq; q++) {
            if (p->q[q].inbox) rte_ring_free(p->q[q].inbox);
            if (p->q[q].pool) rte_mempool_free(p->q[q].pool);
            p->q[q] = Queue{};
        }
    };
    for (uint16_t q = 0; q < nq; q++) {
        char pname[RTE_MEMPOOL_NAMESIZE];
        snprintf(pname, sizeof pname, "np3_p%u_q%u", id, q);
        unsigned cache = std::min<unsigned>(256, cfg.mbufs / 4);
        p->q[q].pool = rte_pktmbuf_pool_create(pname, cfg.mbufs, cache, priv, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
        if (!p->q[q].pool) {
            set_err(err, elen, "DPDK: port %u (%s): mbuf pool of %u for queue %u: %s (raise -m in eal=, or lower mbufs=)",
                    id, name, cfg.mbufs, q, rte_strerror(rte_errno));
            rollback();
            return nullptr;
        }
        snprintf(pname, sizeof pname, "np3_in_p%u_q%u", id, q);
        p->q[q].inbox = rte_ring_create(pname, 1024, socket, RING_F_SC_DEQ);
        if (!p->q[q].inbox) {
            set_err(err, elen, "DPDK: port %u (%s): inbox ring of queue %u: %s", id, name, q, rte_strerror(rte_errno));
            rollback();
            return nullptr;
        }
        r = rte_eth_rx_queue_setup(id, q, nrx, unsigned(socket), nullptr, p->q[q].pool);
        if (r == 0) r = rte_eth_tx_queue_setup(id, q, ntx, unsigned(socket), nullptr);
        if (r != 0) {
            set_err(err, elen, "DPDK: port %u (%s): queue %u setup (%u rx / %u tx descriptors): %s", id, name, q, nrx,
                    ntx, rte_strerror(-r));
            rollback();
            return nullptr;
        }
    }
    r = rte_eth_dev_start(id);
    if (r != 0) {
        set_err(err, elen, "DPDK: port %u (%s): start: %s", id, name, rte_strerror(-r));
        rollback();
        return nullptr;
    }
    rte_eth_macaddr_get(id, &p->mac);
    if (rte_is_zero_ether_addr(&p->mac)) {
        // net_ring has no address: a locally administered one of our own.
        p->mac.addr_bytes[0] = 0x02;
        p->mac.addr_bytes[1] = 0x6e;  // 'n'
        p->mac.addr_bytes[2] = 0x70;  // 'p'
        p->mac.addr_bytes[3] = 0x33;  // '3'
        p->mac.addr_bytes[4] = uint8_t(getpid());
        p->mac.addr_bytes[5] = uint8_t(id);
    }
    uint16_t mtu = 1500;
    if (rte_eth_dev_get_mtu(id, &mtu) == 0 && mtu >= 576) p->mtu = mtu;
    // One frame per datagram: the MTU and the mbuf's data room bound it.
    uint32_t room = RTE_MBUF_DEFAULT_BUF_SIZE - RTE_PKTMBUF_HEADROOM - kEthLen;
    uint32_t l3 = std::min<uint32_t>(p->mtu, room);
    p->max_payload_udp = uint16_t(l3 - kIp4Len - kUdpLen);
    p->max_payload_l2 = uint16_t(l3 - kL2FlowLen);
    g_ports[id] = p.get();
    return p.release();
}

int queue_claim(Port *p, char *err, size_t elen) {
    for (uint16_t q = 0; q < p->n_queues; q++) {
        if (p->q[q].claimed) continue;
        p->q[q].claimed = true;
        // Frames handed to this queue's previous owner after it left.
        rte_mbuf *m[64];
        unsigned n;
        while ((n = rte_ring_dequeue_burst(p->q[q].inbox, reinterpret_cast<void **>(m), 64, nullptr)) > 0)
            rte_pktmbuf_free_bulk(m, n);
        return q;
    }
    set_err(err, elen,
            "DPDK: port %u (%s): all %u queue pair(s) are taken by other workers of this process (one per "
            "worker: give queues=N, or fewer --threads)",
            p->id, p->name.c_str(), p->n_queues);
    return -1;
}

void queue_release(Port *p, uint16_t q) {
    while (!rte_spinlock_trylock(&p->q[q].poll_lock)) sched_yield();
    p->q[q].worker_polls = false;  // the idle poller may take it again
    rte_spinlock_unlock(&p->q[q].poll_lock);
    rte_mbuf *m[64];
    unsigned n;
    while ((n = rte_ring_dequeue_burst(p->q[q].inbox, reinterpret_cast<void **>(m), 64, nullptr)) > 0)
        rte_pktmbuf_free_bulk(m, n);
    p->q[q].claimed = false;
}

bool link_wait(Port *p, int ms) {
    for (int waited = 0;; waited += 5) {
        rte_eth_link link{};
        if (rte_eth_link_get_nowait(p->id, &link) == 0 && link.link_status == RTE_ETH_LINK_UP) return true;
        if (waited >= ms) return false;
        usleep(5000);
    }
}

namespace {

// A worker thread's EAL lcore, given back when the thread ends.
struct LcoreRegistration {
    bool tried = false, registered = false;
    ~LcoreRegistration() {
        if (registered) rte_thread_unregister();
    }
};
thread_local LcoreRegistration tl_lcore;

}  // namespace

void thread_register() {
    if (tl_lcore.tried || rte_lcore_id() != LCORE_ID_ANY) return;
    tl_lcore.tried = true;
    // Without an lcore id mempool caches are off (every mbuf alloc and free
    // goes to the shared ring); the transport still works if EAL has no
    // lcore left to give.
    tl_lcore.registered = rte_thread_register() == 0;
}

bool neigh_lookup(Port *p, uint32_t ip, rte_ether_addr *mac) {
    bool found = false;
    rte_spinlock_lock(&p->neigh_lock);
    for (uint32_t i = 0; i < p->n_neigh; i++)
        if (p->neigh[i].ip == ip) {
            *mac = p->neigh[i].mac;
            found = true;
            break;
        }
    rte_spinlock_unlock(&p->neigh_lock);
    return found;
}

void neigh_learn(Port *p, uint32_t ip, const rte_ether_addr &mac) {
    if (ip == 0) return;
    rte_spinlock_lock(&p->neigh_lock);
    uint32_t i = 0;
    while (i < p->n_neigh && p->neigh[i].ip != ip) i++;
    if (i == p->n_neigh) {
        if (p->n_neigh < kNeighbours) {
            p->n_neigh++;
        } else {
            i = p->neigh_next;  // full: replace the oldest
            p->neigh_next = (p->neigh_next + 1) % kNeighbours;
        }
    }
    p->neigh[i].ip = ip;
    p->neigh[i].mac = mac;
    rte_spinlock_unlock(&p->neigh_lock);
}

}  // namespace np_dpdk
