// Plain-ASCII plots of a sample for terminals: a histogram with one row per
// bin and a horizontal box plot (Tukey whiskers at 1.5 IQR, outliers as 'o').
//
//   std::fputs(netperf::stats::render_histogram(tput, 0, 40).c_str(), stdout);
//   std::fputs(netperf::stats::render_box_plot(tput, 60).c_str(), stdout);
#ifndef NETPERF_STATS_PLOT_H
#define NETPERF_STATS_PLOT_H

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace netperf::stats {

// Equal-width bins over [lo, hi] and how many values fall in each.
struct HistogramBins {
    std::vector<double> edges;   // bins + 1 edges, ascending
    std::vector<size_t> counts;  // one per bin
};

// Sturges' rule, ceil(log2 n) + 1 bins (numpy's 'sturges'); 1 for n <= 1.
int sturges_bins(size_t n);

// Counts x into `bins` equal-width bins from min to max, exactly as
// numpy.histogram(x, bins) does: every bin is half-open [a, b) except the
// last, which is closed; when min == max the range is min-0.5 .. max+0.5.
// Throws Error when x is empty or bins < 1.
HistogramBins histogram_bins(std::span<const double> x, int bins);

// One line per bin: "[lo, hi)  ####   count", bars scaled so the fullest bin
// is bar_width characters; bins = 0 picks sturges_bins(n).
std::string render_histogram(std::span<const double> x, int bins, int bar_width);

// A box plot `width` characters wide (at least 20) over min..max:
//   |-----[====|=====]-------|   o
// whiskers to the furthest values within 1.5 IQR of the box, '|' inside the
// box at the median, 'o' for each value beyond the whiskers, then an axis line
// with min and max and a line with the five numbers.
std::string render_box_plot(std::span<const double> x, int width);

}  // namespace netperf::stats

#endif
