// The XDP program on an interface, and the one worker context of this
// process that uses the interface (control path only, under one mutex).
//
// One context per interface: a datagram arrives on the queue the NIC (or,
// on veth, the sender's transmit queue) picks, and an AF_XDP socket only
// receives from its own queue, so a second worker's socket on another
// queue would get the first one's datagrams and lose them.  Several flows
// share one worker's socket instead (told apart by port).
//
// prog=steer (the default): our program (xsk_steer.bpf.c, embedded at
// build time) is attached through libxdp, which tries its multi-program
// dispatcher and falls back to attaching the program alone where the
// dispatcher cannot run (no bpffs, as inside `ip netns exec`).  Its maps
// say which UDP ports and which ARP packets go to the AF_XDP sockets;
// everything else passes to the kernel.
//
// prog=default: libxdp's own program (loaded by xsk_socket__create) sends
// everything arriving on the queue to the socket; the registry then only
// keeps a second context off the interface.
#include "xdp_internal.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#ifdef NP_XDP_HAVE_STEER_PROGRAM
#include "xsk_steer_obj.h"
#endif

namespace np_xdp {

// Mirrors struct steer_config in xsk_steer.bpf.c.
struct SteerConfig {
    uint32_t ip;
    uint32_t arp_peer;
    uint32_t own_arp;
};

struct Steer {
    int ifindex = 0;
    std::string ifname;
    bool program = false; // our program is attached (prog=steer)
    XdpMode mode = XdpMode::kSkb;
    bpf_object *obj = nullptr;
    xdp_program *prog = nullptr;
    int xsks_fd = -1, ports_fd = -1, cfg_fd = -1;
    SteerConfig cfg{};
    std::string note;
};

namespace {

std::mutex g_reg_mu;  // guards g_steers and every Steer (acquire, release, map updates)
std::vector<Steer *> g_steers;
std::mutex g_msg_mu;  // guards g_last_msg (taken inside libxdp/libbpf calls made under g_reg_mu)
std::string g_last_msg;

int capture(int level, const char *fmt, va_list ap) {
    if (level != 0) return 0;  // warnings only: info and debug say what libxdp tried
    char b[512];
    vsnprintf(b, sizeof b, fmt, ap);
    size_t n = strlen(b);
    while (n && (b[n - 1] == '\n' || b[n - 1] == ' ')) b[--n] = 0;
    std::lock_guard<std::mutex> g(g_msg_mu);
    g_last_msg = b;
    return 0;
}

int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap) {
    return capture(int(level), fmt, ap);
}

int libxdp_capture(enum libxdp_print_level level, const char *fmt, va_list ap) {
    return capture(int(level), fmt, ap);
}

enum xdp_attach_mode attach_mode(XdpMode m) { return m == XdpMode::kDrv ? XDP_MODE_NATIVE : XDP_MODE_SKB; }

const char *mode_name(XdpMode m) { return m == XdpMode::kDrv ? "drv" : m == XdpMode::kSkb ? "skb" : "auto"; }

// Opens the embedded object (not loaded yet).
bpf_object *open_program(char *err, size_t elen) {
#ifdef NP_XDP_HAVE_STEER_PROGRAM
    LIBBPF_OPTS(bpf_object_open_opts, o, .object_name = "np_xsk_steer");
    bpf_object *obj = bpf_object__open_mem(kSteerObj, kSteerObj_len, &o);
    if (!obj) {
        int e = errno;
        set_err(err, elen, "xdp: cannot open the embedded XDP program: %s", strerror(e));
    }
    return obj;
#else
    set_err(err, elen,
            "xdp: this plugin was built without clang, so without its steering XDP program: use prog=default "
            "on an interface that carries test data only");
    return nullptr;
#endif
}

// Attaches the program in one mode; 0 or -errno (the caller words the error).
int attach(Steer *s, XdpMode mode) {
    char scratch[NP_ERRLEN];
    s->obj = open_program(scratch, sizeof scratch);
    if (!s->obj) return -ENOENT;
    DECLARE_LIBXDP_OPTS(xdp_program_opts, po, .obj = s->obj, .prog_name = "np_xsk_steer");
    s->prog = xdp_program__create(&po);
    long e = libxdp_get_error(s->prog);
    if (e) {
        s->prog = nullptr;
        bpf_object__close(s->obj);
        s->obj = nullptr;
        return int(e);
    }
    int r = xdp_program__attach(s->prog, s->ifindex, attach_mode(mode), 0);
    if (r) {
        xdp_program__close(s->prog);
        bpf_object__close(s->obj);
        s->prog = nullptr;
        s->obj = nullptr;
        return r;
    }
    s->mode = mode;
    return 0;
}

void detach(Steer *s) {
    if (s->prog) {
        xdp_program__detach(s->prog, s->ifindex, attach_mode(s->mode), 0);
        xdp_program__close(s->prog);
    }
    if (s->obj) bpf_object__close(s->obj);
    s->prog = nullptr;
    s->obj = nullptr;
}

// " (the last library message)", or "".
std::string lib_msg() {
    std::lock_guard<std::mutex> g(g_msg_mu);
    return g_last_msg.empty() ? "" : " (" + g_last_msg + ")";
}

// Forgets the interface and detaches the program.  Under g_reg_mu.
void release_locked(Steer *s) {
    for (size_t i = 0; i < g_steers.size(); i++)
        if (g_steers[i] == s) g_steers.erase(g_steers.begin() + long(i));
    if (s->program) detach(s);
    delete s;
}

// Attaches our program on a new registry entry, in the requested mode or,
// for auto, in the driver first and generic second.
int attach_new(Steer *s, const SteerRequest &req, char *err, size_t elen) {
    clear_library_message();
    int r;
    if (req.mode == XdpMode::kAuto) {
        r = attach(s, XdpMode::kDrv);
        if (r) {
            int r2 = attach(s, XdpMode::kSkb);
            if (r2 == 0) s->note = std::string("driver-mode XDP refused (") + strerror(-r) + "): skb mode";
            r = r2;
        }
    } else {
        r = attach(s, req.mode);
    }
    if (r) {
        if (r == -EEXIST || r == -EBUSY)
            set_err(err, elen,
                    "xdp: %s already has an XDP program attached%s: remove it (ip link set dev %s xdp off) or use "
                    "another interface",
                    req.ifname, lib_msg().c_str(), req.ifname);
        else
            set_err(err, elen, "xdp: cannot attach the XDP program to %s in %s mode: %s%s", req.ifname,
                    mode_name(req.mode), strerror(-r), lib_msg().c_str());
        return r;
    }
    bpf_object *obj = xdp_program__bpf_obj(s->prog);
    s->xsks_fd = bpf_object__find_map_fd_by_name(obj, "xsks_map");
    s->ports_fd = bpf_object__find_map_fd_by_name(obj, "udp_ports");
    s->cfg_fd = bpf_object__find_map_fd_by_name(obj, "steer_cfg");
    s->cfg = SteerConfig{req.ip, 0, req.own_arp ? 1u : 0u};
    uint32_t zero = 0;
    if (s->xsks_fd < 0 || s->ports_fd < 0 || s->cfg_fd < 0 ||
        bpf_map_update_elem(s->cfg_fd, &zero, &s->cfg, BPF_ANY) != 0) {
        detach(s);
        set_err(err, elen, "xdp: the XDP program on %s lacks its maps (a broken build?)", req.ifname);
        return -ENOENT;
    }
    s->program = true;
    return 0;
}

}  // namespace

void quiet_libraries() {
    static std::once_flag once;
    std::call_once(once, [] {
        libbpf_set_print(libbpf_capture);
        libxdp_set_print(libxdp_capture);
    });
}

std::string last_library_message() {
    std::lock_guard<std::mutex> g(g_msg_mu);
    return g_last_msg;
}

void clear_library_message() {
    std::lock_guard<std::mutex> g(g_msg_mu);
    g_last_msg.clear();
}

bool steer_program_built() {
#ifdef NP_XDP_HAVE_STEER_PROGRAM
    return true;
#else
    return false;
#endif
}

int steer_program_check(char *why, size_t len) {
    quiet_libraries();
    clear_library_message();
    bpf_object *obj = open_program(why, len);
    if (!obj) return -ENOENT;
    int r = bpf_object__load(obj);
    bpf_object__close(obj);
    if (r) {
        std::string m = last_library_message();
        if (r == -EPERM)
            set_err(why, len, "AF_XDP: loading an XDP program needs root (CAP_BPF and CAP_NET_ADMIN)");
        else
            set_err(why, len, "AF_XDP: the kernel refused the steering XDP program: %s%s%s", strerror(-r),
                    m.empty() ? "" : ": ", m.c_str());
        return r;
    }
    return 0;
}

int steer_acquire(const SteerRequest &req, Steer **out, XdpMode *mode_used, std::string *note, char *err,
                  size_t elen) {
    quiet_libraries();
    std::lock_guard<std::mutex> g(g_reg_mu);
    for (Steer *x : g_steers)
        if (x->ifindex == req.ifindex) {
            set_err(err, elen,
                    "xdp: another worker of this process already has an AF_XDP socket on %s: one worker per "
                    "interface (each socket receives only from its own queue, and the sender picks the queue), "
                    "so give --threads 1 and the flows share it",
                    req.ifname);
            return -EBUSY;
        }
    Steer *s = new Steer();
    s->ifindex = req.ifindex;
    s->ifname = req.ifname;
    s->mode = req.mode == XdpMode::kAuto ? XdpMode::kSkb : req.mode;
    s->cfg.ip = req.ip;
    if (req.load_program) {
        int r = attach_new(s, req, err, elen);
        if (r) {
            delete s;
            return r;
        }
    }
    g_steers.push_back(s);
    *out = s;
    *mode_used = s->mode;
    *note = s->note;
    return 0;
}

void steer_release(Steer *s) {
    if (!s) return;
    std::lock_guard<std::mutex> g(g_reg_mu);
    release_locked(s);
}

int steer_add_socket(Steer *s, xsk_socket *xsk, char *err, size_t elen) {
    if (!s->program) return 0;  // libxdp's program: xsk_socket__create entered it
    int r = xsk_socket__update_xskmap(xsk, s->xsks_fd);
    if (r) set_err(err, elen, "xdp: cannot enter the AF_XDP socket in %s's XDP map: %s", s->ifname.c_str(), strerror(-r));
    return r;
}

int steer_port(Steer *s, uint16_t port, bool on) {
    if (!s || !s->program) return 0;
    std::lock_guard<std::mutex> g(g_reg_mu);
    uint32_t key = port, val = on ? 1 : 0;
    return bpf_map_update_elem(s->ports_fd, &key, &val, BPF_ANY) ? -errno : 0;
}

int steer_arp_peer(Steer *s, uint32_t peer) {
    if (!s || !s->program) return 0;
    std::lock_guard<std::mutex> g(g_reg_mu);
    s->cfg.arp_peer = peer;
    uint32_t zero = 0;
    return bpf_map_update_elem(s->cfg_fd, &zero, &s->cfg, BPF_ANY) ? -errno : 0;
}

}  // namespace np_xdp
