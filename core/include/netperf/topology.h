// Where workers run: CPUs, cores, NUMA nodes and the NUMA node a NIC hangs
// off, from hwloc.  Used to pin one worker per core near the NIC that
// carries the traffic; loads synthetic or XML topologies for tests.
//
//   auto topo = netperf::Topology::this_machine();
//   std::vector<int> cpus = topo->pick(4, topo->nic_numa("ens1f0"));
#ifndef NETPERF_TOPOLOGY_H
#define NETPERF_TOPOLOGY_H

#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>

#include <netperf/error.h>

namespace netperf {

// One processing unit (hardware thread).
struct Pu {
    int os_index = 0;  // the CPU number the kernel uses
    int core = 0;      // logical index of its core
    int numa = 0;      // NUMA node os_index (0 when the machine has none)
    int package = 0;
    bool first_of_core = true;  // the core's first PU (hyperthread siblings are not)
};

class Topology {
  public:
    virtual ~Topology() = default;
    // This machine, restricted to the CPUs this process may run on.
    static std::unique_ptr<Topology> this_machine();
    // A topology exported by lstopo/hwloc (tests, planning for other hosts).
    static std::unique_ptr<Topology> from_xml(const std::string &path);
    // hwloc's synthetic description, e.g. "pack:2 numa:1 core:4 pu:2".
    static std::unique_ptr<Topology> synthetic(const std::string &desc);

    const std::vector<Pu> &pus() const { return pus_; }
    int numa_nodes() const { return numa_nodes_; }
    int cores() const { return cores_; }
    // NUMA node the network interface is attached to; -1 when unknown
    // (virtual devices, single-node machines without I/O locality).
    int nic_numa(const std::string &ifname) const;
    // Network interfaces hwloc knows, with their NUMA node.
    std::vector<std::pair<std::string, int>> nics() const { return nics_; }
    // True when CPUs may be bound (not for XML/synthetic topologies).
    bool bindable() const { return bindable_; }

    // Chooses n CPUs for n workers: whole cores first (one PU each), those
    // on `numa` first when >= 0, then the remaining cores, then hyperthread
    // siblings; wraps around when n exceeds the PUs.
    std::vector<int> pick(int n, int numa = -1) const;

  protected:
    std::vector<Pu> pus_;
    std::vector<std::pair<std::string, int>> nics_;
    int numa_nodes_ = 1, cores_ = 1;
    bool bindable_ = false;
};

// The network interface that owns a local address ("" when none does).
std::string interface_of(const sockaddr_storage &local);

}  // namespace netperf

#endif
