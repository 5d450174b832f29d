#include <netperf/confidence.h>

#include <cmath>

#include <boost/math/distributions/students_t.hpp>

namespace netperf {

double student_t_critical(double level_percent, double df) {
    boost::math::students_t dist(df);
    return boost::math::quantile(dist, 1.0 - (1.0 - level_percent / 100.0) / 2.0);
}

double ConfidenceTracker::mean(const std::vector<double> &v) {
    if (v.empty()) return 0;
    double s = 0;
    for (double x : v) s += x;
    return s / double(v.size());
}

void ConfidenceTracker::add(double t, double l, double r) {
    tput_.push_back(t);
    lcpu_.push_back(l);
    rcpu_.push_back(r);
}

// 2 * t(level, n-1) * sqrt(popvar / (n-1)) / mean, in percent.
double ConfidenceTracker::width_of(const std::vector<double> &v) const {
    size_t n = v.size();
    if (n < 2) return 0;
    double m = mean(v);
    double sq = 0;
    for (double x : v) sq += x * x;
    double var = sq / double(n) - m * m;
    if (var <= 0 || m == 0) return 0;
    return 100.0 * 2.0 * student_t_critical(level_, double(n - 1)) * std::sqrt(var / double(n - 1)) / std::fabs(m);
}

bool ConfidenceTracker::achieved() const {
    if (tput_.size() < 2) return false;
    if (throughput_width() > width_) return false;
    if (tput_only_) return true;
    return local_cpu_width() <= width_ && remote_cpu_width() <= width_;
}

bool ConfidenceTracker::done(int min_iter, int max_iter) const {
    int n = iterations();
    if (n < min_iter) return false;
    if (n >= max_iter) return true;
    return achieved();
}

}  // namespace netperf
