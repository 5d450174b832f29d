#include <netperf/cpu.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <unistd.h>

namespace netperf {

std::vector<CpuTicks> read_proc_stat(const std::string &path) {
    std::vector<CpuTicks> out;
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
        // "cpu0 user nice system idle iowait irq softirq steal guest guest_nice"
        if (line.size() < 4 || line.compare(0, 3, "cpu") != 0 || line[3] < '0' || line[3] > '9')
            continue;
        std::istringstream ls(line);
        std::string name;
        CpuTicks t;
        ls >> name >> t.user >> t.nice >> t.sys >> t.idle >> t.iowait >> t.irq >> t.softirq >>
            t.steal >> t.guest >> t.guest_nice;
        out.push_back(t);
    }
    return out;
}

CpuUtil cpu_util_between(const std::vector<CpuTicks> &a, const std::vector<CpuTicks> &b) {
    CpuUtil u;
    if (a.empty() || a.size() != b.size()) return u;
    u.measured = true;
    u.num_cpus = int(a.size());
    u.util = 0;
    auto d = [](uint64_t x, uint64_t y) { return y >= x ? double(y - x) : 0.0; };
    for (size_t i = 0; i < a.size(); i++) {
        double total = d(a[i].total(), b[i].total());
        if (total <= 0) continue;
        double cpu = 100.0 - 100.0 * d(a[i].idle, b[i].idle) / total;
        u.util += cpu;
        u.user += 100.0 * d(a[i].user, b[i].user) / total;
        u.system += 100.0 * d(a[i].sys, b[i].sys) / total;
        u.iowait += 100.0 * d(a[i].iowait, b[i].iowait) / total;
        u.irq += 100.0 * d(a[i].irq, b[i].irq) / total;
        u.softirq += 100.0 * d(a[i].softirq, b[i].softirq) / total;
        if (u.peak_cpu < 0 || cpu > u.peak_util) {
            u.peak_util = cpu;
            u.peak_cpu = int(i);
        }
    }
    double n = double(a.size());
    u.util /= n;
    u.user /= n;
    u.system /= n;
    u.iowait /= n;
    u.irq /= n;
    u.softirq /= n;
    return u;
}

void CpuMeter::start() { start_ = read_proc_stat(); }

CpuUtil CpuMeter::stop() { return cpu_util_between(start_, read_proc_stat()); }

double service_demand(double util, double units, double elapsed_s, int num_cpus) {
    if (units <= 0 || elapsed_s <= 0 || util < 0) return -1;
    double rate = units / elapsed_s;
    return util * 10000.0 / rate * double(num_cpus);
}

int online_cpus() {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? int(n) : 1;
}

}  // namespace netperf
