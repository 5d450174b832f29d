// ASCII histogram and box plot (netperf/stats_plot.h).
#include <netperf/stats_plot.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <netperf/error.h>
#include <netperf/stats.h>

namespace netperf::stats {

namespace {

// Decimals that show a difference of `step`: one significant digit of it.
int decimals_for(double step) {
    if (!(step > 0) || !std::isfinite(step)) return 2;
    return std::clamp(1 - int(std::floor(std::log10(step))), 0, 6);
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

}  // namespace

int sturges_bins(size_t n) {
    if (n <= 1) return 1;
    return int(std::ceil(std::log2(double(n)))) + 1;
}

HistogramBins histogram_bins(std::span<const double> x, int bins) {
    if (x.empty()) throw Error("no values to plot");
    if (bins < 1) throw Error("a histogram needs at least 1 bin");
    auto [mn, mx] = std::minmax_element(x.begin(), x.end());
    double first = *mn, last = *mx;
    if (first == last) {
        first -= 0.5;
        last += 0.5;
    }
    HistogramBins h;
    // Edges as numpy.linspace makes them: start + i * step, the last one exact.
    double step = (last - first) / bins;
    h.edges.resize(size_t(bins) + 1);
    for (int i = 0; i <= bins; i++) h.edges[size_t(i)] = double(i) * step + first;
    h.edges.back() = last;
    h.counts.assign(size_t(bins), 0);
    // The bin index as numpy.histogram finds it: scale, truncate, then fix
    // the rounding against the edges themselves.
    double norm = bins / (last - first);
    for (double v : x) {
        long i = long((v - first) * norm);
        if (i == bins) i--;
        if (v < h.edges[size_t(i)]) i--;
        if (i != bins - 1 && v >= h.edges[size_t(i) + 1]) i++;
        h.counts[size_t(i)]++;
    }
    return h;
}

std::string render_histogram(std::span<const double> x, int bins, int bar_width) {
    if (bins == 0) bins = sturges_bins(x.size());
    HistogramBins h = histogram_bins(x, bins);
    bar_width = std::max(bar_width, 1);
    int dec = decimals_for(h.edges[1] - h.edges[0]);
    size_t label = 0, count_w = 1;
    size_t peak = *std::max_element(h.counts.begin(), h.counts.end());
    for (size_t i = 0; i <= h.counts.size(); i++) label = std::max(label, fixed(h.edges[i], dec).size());
    count_w = std::to_string(peak).size();
    std::string out;
    for (size_t i = 0; i < h.counts.size(); i++) {
        bool last = i + 1 == h.counts.size();
        std::string lo = fixed(h.edges[i], dec), hi = fixed(h.edges[i + 1], dec);
        // Round half up so a bin with any value shows at least one '#'.
        int len = peak ? int((h.counts[i] * size_t(bar_width) + peak - 1) / peak) : 0;
        char line[512];
        std::snprintf(line, sizeof line, "[%*s, %*s%c %-*s %*zu\n", int(label), lo.c_str(), int(label), hi.c_str(),
                      last ? ']' : ')', bar_width, std::string(size_t(len), '#').c_str(), int(count_w), h.counts[i]);
        out += line;
    }
    return out;
}

std::string render_box_plot(std::span<const double> x, int width) {
    if (x.empty()) throw Error("no values to plot");
    width = std::max(width, 20);
    std::vector<double> s(x.begin(), x.end());
    if (!std::is_sorted(s.begin(), s.end())) std::sort(s.begin(), s.end());
    double q1 = percentile_sorted(s, 25), med = percentile_sorted(s, 50), q3 = percentile_sorted(s, 75);
    double lo_fence = q1 - 1.5 * (q3 - q1), hi_fence = q3 + 1.5 * (q3 - q1);
    double wlo = *std::find_if(s.begin(), s.end(), [&](double v) { return v >= lo_fence; });
    double whi = *std::find_if(s.rbegin(), s.rend(), [&](double v) { return v <= hi_fence; });
    double lo = s.front(), hi = s.back();
    auto col = [&](double v) {
        if (hi == lo) return size_t(width / 2);
        return size_t(std::lround((v - lo) / (hi - lo) * double(width - 1)));
    };
    std::string line(size_t(width), ' ');
    for (size_t c = col(wlo); c <= col(whi); c++) line[c] = '-';
    for (size_t c = col(q1); c <= col(q3); c++) line[c] = '=';
    line[col(wlo)] = '|';
    line[col(whi)] = '|';
    line[col(q1)] = '[';
    line[col(q3)] = ']';
    line[col(med)] = '|';
    size_t n_out = 0;
    for (double v : s) {
        if (v < wlo || v > whi) {
            line[col(v)] = 'o';
            n_out++;
        }
    }
    int dec = decimals_for((hi - lo) / 100);
    std::string axis = fixed(lo, dec), right = fixed(hi, dec);
    if (axis.size() + 1 + right.size() <= size_t(width))
        axis += std::string(size_t(width) - axis.size() - right.size(), ' ') + right;
    else
        axis += " " + right;
    std::string out = line + "\n" + axis + "\n";
    out += "min " + fixed(lo, dec) + "  q1 " + fixed(q1, dec) + "  median " + fixed(med, dec) + "  q3 " +
           fixed(q3, dec) + "  max " + fixed(hi, dec) + "  (" + std::to_string(n_out) +
           (n_out == 1 ? " value" : " values") + " beyond the 1.5 IQR whiskers)\n";
    return out;
}

}  // namespace netperf::stats
