// CPU utilisation from /proc/stat, as netperf 2.7 measures it on Linux
// (method "S"): per-CPU tick deltas between start and stop; utilisation is
// 100 - idle %, averaged over all CPUs; the peak is the busiest CPU.
// Service demand is CPU time per unit of work, netperf's definition:
//   SD = util% * 10000 / throughput(units/s) * num_cpus  [us per unit]
#ifndef NETPERF_CPU_H
#define NETPERF_CPU_H

#include <cstdint>
#include <string>
#include <vector>

namespace netperf {

// Tick counters of one CPU line of /proc/stat.
struct CpuTicks {
    uint64_t user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
             steal = 0, guest = 0, guest_nice = 0;
    uint64_t total() const {
        return user + nice + sys + idle + iowait + irq + softirq + steal + guest + guest_nice;
    }
};

// Utilisation over an interval.
struct CpuUtil {
    bool measured = false;
    double util = -1;   // % of the whole machine
    double user = 0, system = 0, iowait = 0, irq = 0, softirq = 0;
    int num_cpus = 0;
    int peak_cpu = -1;
    double peak_util = 0;
};

// Reads /proc/stat (or another file of the same format, for tests).
// Returns one entry per "cpuN" line; empty on error.
std::vector<CpuTicks> read_proc_stat(const std::string &path = "/proc/stat");

// Utilisation between two snapshots taken with read_proc_stat.
CpuUtil cpu_util_between(const std::vector<CpuTicks> &start, const std::vector<CpuTicks> &end);

// Starts and stops a measurement.
class CpuMeter {
  public:
    void start();
    CpuUtil stop();

  private:
    std::vector<CpuTicks> start_;
};

// Service demand in microseconds per unit (unit = KB of 1024 bytes or one
// transaction) given util in percent, units done and elapsed seconds.
double service_demand(double util, double units, double elapsed_s, int num_cpus);

// Number of online CPUs.
int online_cpus();

}  // namespace netperf

#endif
