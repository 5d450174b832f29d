#include <netperf/topology.h>

#include <algorithm>
#include <cstring>

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <unistd.h>

#ifdef NETPERF_HAVE_HWLOC
#include <hwloc.h>
#endif

#include <netperf/addr.h>

namespace netperf {

namespace {

#ifdef NETPERF_HAVE_HWLOC

class HwlocTopology : public Topology {
  public:
    enum class Source { Machine, Xml, Synthetic };

    HwlocTopology(Source src, const std::string &arg) {
        if (hwloc_topology_init(&t_) != 0) throw Error("hwloc: cannot initialise a topology");
        hwloc_topology_set_io_types_filter(t_, HWLOC_TYPE_FILTER_KEEP_IMPORTANT);
        int r = 0;
        if (src == Source::Xml) r = hwloc_topology_set_xml(t_, arg.c_str());
        if (src == Source::Synthetic) r = hwloc_topology_set_synthetic(t_, arg.c_str());
        if (r != 0) {
            hwloc_topology_destroy(t_);
            throw Error("hwloc: cannot read topology '" + arg + "': " + strerror(errno));
        }
        if (hwloc_topology_load(t_) != 0) {
            hwloc_topology_destroy(t_);
            throw Error("hwloc: cannot load the topology: " + std::string(strerror(errno)));
        }
        bindable_ = src == Source::Machine && hwloc_topology_is_thissystem(t_);
        build(src == Source::Machine);
    }
    ~HwlocTopology() override { hwloc_topology_destroy(t_); }

  private:
    void build(bool restrict_to_allowed) {
        hwloc_bitmap_t allowed = hwloc_bitmap_alloc();
        if (restrict_to_allowed && hwloc_get_cpubind(t_, allowed, HWLOC_CPUBIND_PROCESS) != 0)
            hwloc_bitmap_copy(allowed, hwloc_topology_get_allowed_cpuset(t_));
        if (!restrict_to_allowed) hwloc_bitmap_copy(allowed, hwloc_topology_get_topology_cpuset(t_));
        int npu = hwloc_get_nbobjs_by_type(t_, HWLOC_OBJ_PU);
        for (int i = 0; i < npu; i++) {
            hwloc_obj_t pu = hwloc_get_obj_by_type(t_, HWLOC_OBJ_PU, unsigned(i));
            if (!hwloc_bitmap_isset(allowed, pu->os_index)) continue;
            Pu p;
            p.os_index = int(pu->os_index);
            hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(t_, HWLOC_OBJ_CORE, pu);
            p.core = core ? int(core->logical_index) : i;
            p.first_of_core = !core || hwloc_bitmap_first(core->cpuset) == int(pu->os_index);
            hwloc_obj_t pkg = hwloc_get_ancestor_obj_by_type(t_, HWLOC_OBJ_PACKAGE, pu);
            p.package = pkg ? int(pkg->logical_index) : 0;
            p.numa = 0;
            hwloc_obj_t numa = nullptr;
            while ((numa = hwloc_get_next_obj_by_type(t_, HWLOC_OBJ_NUMANODE, numa)))
                if (hwloc_bitmap_isset(numa->cpuset, pu->os_index)) {
                    p.numa = int(numa->os_index);
                    break;
                }
            pus_.push_back(p);
        }
        hwloc_bitmap_free(allowed);
        numa_nodes_ = std::max(1, hwloc_get_nbobjs_by_type(t_, HWLOC_OBJ_NUMANODE));
        cores_ = std::max(1, hwloc_get_nbobjs_by_type(t_, HWLOC_OBJ_CORE));
        hwloc_obj_t os = nullptr;
        while ((os = hwloc_get_next_osdev(t_, os))) {
            if (os->attr->osdev.type != HWLOC_OBJ_OSDEV_NETWORK || !os->name) continue;
            // The NUMA node of the nearest ancestor with a cpuset.
            hwloc_obj_t anc = hwloc_get_non_io_ancestor_obj(t_, os);
            int node = -1;
            if (anc && anc->nodeset && numa_nodes_ > 1) {
                int first = hwloc_bitmap_first(anc->nodeset);
                if (first >= 0 && hwloc_bitmap_weight(anc->nodeset) == 1) node = first;
            }
            nics_.emplace_back(os->name, node);
        }
    }

    hwloc_topology_t t_ = nullptr;
};

#endif  // NETPERF_HAVE_HWLOC

// Without hwloc: every online CPU is its own core on node 0.
class FlatTopology : public Topology {
  public:
    FlatTopology() {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        for (int i = 0; i < (n > 0 ? int(n) : 1); i++) pus_.push_back(Pu{i, i, 0, 0, true});
        cores_ = int(pus_.size());
        bindable_ = true;
    }
};

}  // namespace

std::unique_ptr<Topology> Topology::this_machine() {
#ifdef NETPERF_HAVE_HWLOC
    try {
        return std::make_unique<HwlocTopology>(HwlocTopology::Source::Machine, "");
    } catch (const Error &) {
        return std::make_unique<FlatTopology>();
    }
#else
    return std::make_unique<FlatTopology>();
#endif
}

std::unique_ptr<Topology> Topology::from_xml(const std::string &path) {
#ifdef NETPERF_HAVE_HWLOC
    return std::make_unique<HwlocTopology>(HwlocTopology::Source::Xml, path);
#else
    throw Error("topology " + path + ": this build has no hwloc");
#endif
}

std::unique_ptr<Topology> Topology::synthetic(const std::string &desc) {
#ifdef NETPERF_HAVE_HWLOC
    return std::make_unique<HwlocTopology>(HwlocTopology::Source::Synthetic, desc);
#else
    throw Error("synthetic topology: this build has no hwloc");
#endif
}

int Topology::nic_numa(const std::string &ifname) const {
    for (auto &[name, node] : nics_)
        if (name == ifname) return node;
    return -1;
}

std::vector<int> Topology::pick(int n, int numa) const {
    // Order: first PUs of cores on the preferred node, first PUs elsewhere,
    // then siblings (preferred node first).  Stable within each class.
    std::vector<const Pu *> order;
    for (int pass = 0; pass < 4; pass++) {
        bool want_first = pass < 2;
        bool want_local = pass % 2 == 0;
        for (auto &p : pus_) {
            if (p.first_of_core != want_first) continue;
            bool local = numa < 0 || p.numa == numa;
            if (local != want_local) continue;
            if (numa < 0 && !want_local) continue;  // no preference: one pass per class
            order.push_back(&p);
        }
    }
    std::vector<int> out;
    if (order.empty()) return out;
    for (int i = 0; i < n; i++) out.push_back(order[size_t(i) % order.size()]->os_index);
    return out;
}

std::string interface_of(const sockaddr_storage &local) {
    ifaddrs *ifs = nullptr;
    if (getifaddrs(&ifs) != 0) return {};
    std::string name;
    std::string want = addr_host(local);
    for (ifaddrs *i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != local.ss_family) continue;
        sockaddr_storage ss{};
        memcpy(&ss, i->ifa_addr, local.ss_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
        if (addr_host(ss) == want) {
            name = i->ifa_name;
            break;
        }
    }
    freeifaddrs(ifs);
    return name;
}

}  // namespace netperf
