// netperf's confidence-interval iterations (-i max,min -I level,width):
// after each iteration n >= 2, the Student-t interval half-width of the
// throughput (and of local/remote CPU utilisation unless -r) is compared
// with width/2 % of the mean; iterations continue until every one is
// within, or max iterations have run (netlib.c calculate_confidence).
//
//   ConfidenceTracker ct(99, 5.0, /*throughput_only=*/false);
//   ct.add(tput, lcpu, rcpu);  ...  if (ct.done(n, min, max)) break;
#ifndef NETPERF_CONFIDENCE_H
#define NETPERF_CONFIDENCE_H

#include <vector>

namespace netperf {

// Two-sided Student-t critical value for `level` percent and df degrees of
// freedom (Boost.Math).
double student_t_critical(double level_percent, double df);

class ConfidenceTracker {
  public:
    ConfidenceTracker(int level, double width_percent, bool throughput_only)
        : level_(level), width_(width_percent), tput_only_(throughput_only) {}

    // One iteration's values (CPU utilisation -1 when not measured).
    void add(double throughput, double local_cpu, double remote_cpu);
    int iterations() const { return int(tput_.size()); }
    // Achieved full interval width in % of the mean (netperf's printout).
    double throughput_width() const { return width_of(tput_); }
    double local_cpu_width() const { return width_of(lcpu_); }
    double remote_cpu_width() const { return width_of(rcpu_); }
    // True when the interval is within the requested width.
    bool achieved() const;
    // True when no more iterations are needed.
    bool done(int min_iter, int max_iter) const;
    double mean_throughput() const { return mean(tput_); }
    double mean_local_cpu() const { return mean(lcpu_); }
    double mean_remote_cpu() const { return mean(rcpu_); }

    static double mean(const std::vector<double> &v);

  private:
    double width_of(const std::vector<double> &v) const;
    int level_;
    double width_;
    bool tput_only_;
    std::vector<double> tput_, lcpu_, rcpu_;
};

}  // namespace netperf

#endif
