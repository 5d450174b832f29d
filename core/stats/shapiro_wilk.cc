// The Shapiro-Wilk W test of normality (netperf/significance.h).
//
// Written from the published algorithm because no Debian C++ library has it
// (Boost.Math, GSL and the rest provide distributions, not this test):
//   P. Royston (1992), "Approximating the Shapiro-Wilk W-test for
//   non-normality", Statistics and Computing 2:117-119, and
//   P. Royston (1995), "Remark AS R94: A remark on Algorithm AS 181: The
//   W-test for normality", Applied Statistics 44(4):547-551,
// the algorithm SciPy's scipy.stats.shapiro and R's shapiro.test run.
// Differences from SciPy's build of it: SciPy computes in single precision
// (REAL) and with the AS 111 normal-deviate approximation; this one is in
// double precision with Boost.Math's normal quantile and tail, so it agrees
// with SciPy to about single precision (see tests/unit/stats_test.cc).
// Censored samples (AS R94's N1 < N) are not supported.
#include <netperf/significance.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <boost/math/distributions/normal.hpp>

#include <netperf/error.h>

namespace netperf::stats {

namespace {

// c[0] + c[1] x + c[2] x^2 + ... (AS 181.2 POLY).
template <size_t N>
double poly(const double (&c)[N], double x) {
    double r = 0;
    for (size_t i = N; i-- > 0;) r = r * x + c[i];
    return r;
}

// Royston (1992) polynomial approximations, as tabled in AS R94.
constexpr double kC1[] = {0.0, 0.221157, -0.147981, -2.071190, 4.434685, -2.706056};  // a_n
constexpr double kC2[] = {0.0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633};  // a_(n-1)
constexpr double kC3[] = {0.5440, -0.39978, 0.025054, -6.714e-4};   // mean, n <= 11
constexpr double kC4[] = {1.3822, -0.77857, 0.062767, -0.0020322};  // log sd, n <= 11
constexpr double kC5[] = {-1.5861, -0.31082, -0.083751, 0.0038915}; // mean, n >= 12
constexpr double kC6[] = {-0.4803, -0.082676, 0.0030302};           // log sd, n >= 12
constexpr double kG[] = {-2.273, 0.459};                            // gamma, n <= 11
constexpr double kSmall = 1e-19;  // AS R94's p-value floor for W beyond the n <= 11 bound

// The p-value for W = 1 - w1 and n >= 3 values. Taking 1 - W keeps the
// precision AS R94 computes it with when W is close to 1.
double p_value_of_w1(double w1, size_t n) {
    const double dn = double(n);
    if (n == 3) {
        // Exact for n = 3: p = 6/pi (asin(sqrt W) - asin(sqrt 3/4)).
        return std::max(0.0, 6 / std::numbers::pi * (std::asin(std::sqrt(1 - w1)) - std::numbers::pi / 3));
    }
    // Otherwise a normalising transformation of W: log(1 - W) (n >= 12) or
    // -log(gamma - log(1 - W)) (n <= 11) is close to normal with the mean and
    // sd Royston fitted as polynomials in n or log n.
    double y = std::log(w1);
    double mu, sigma;
    if (n <= 11) {
        double gamma = poly(kG, dn);
        if (y >= gamma) return kSmall;
        y = -std::log(gamma - y);
        mu = poly(kC3, dn);
        sigma = std::exp(poly(kC4, dn));
    } else {
        double ln = std::log(dn);
        mu = poly(kC5, ln);
        sigma = std::exp(poly(kC6, ln));
    }
    boost::math::normal norm;
    return boost::math::cdf(boost::math::complement(norm, (y - mu) / sigma));
}

}  // namespace

ShapiroWilkResult shapiro_wilk(std::span<const double> data) {
    const size_t n = data.size();
    if (n < 3) throw Error("the Shapiro-Wilk test needs at least 3 values, got " + std::to_string(n));
    std::vector<double> x(data.begin(), data.end());
    if (!std::is_sorted(x.begin(), x.end())) std::sort(x.begin(), x.end());
    double range = x.back() - x.front();
    if (!(range > 0)) throw Error("the Shapiro-Wilk test needs values that are not all equal");

    // Coefficients a_1..a_(n/2) for the upper half (the lower half mirrors
    // them with the opposite sign): normalised expected normal order
    // statistics m_i = Phi^-1((i - 3/8) / (n + 1/4)), with the two extreme
    // ones replaced by Royston's polynomials in 1/sqrt(n).
    const size_t half = n / 2;
    std::vector<double> a(half);
    const double dn = double(n);
    if (n == 3) {
        a[0] = std::numbers::sqrt2 / 2;
    } else {
        boost::math::normal norm;
        std::vector<double> m(half);
        double summ2 = 0;
        for (size_t i = 0; i < half; i++) {
            m[i] = boost::math::quantile(norm, (double(i + 1) - 0.375) / (dn + 0.25));  // negative
            summ2 += m[i] * m[i];
        }
        summ2 *= 2;
        double ssumm2 = std::sqrt(summ2);
        double rsn = 1 / std::sqrt(dn);
        double a1 = poly(kC1, rsn) - m[0] / ssumm2;
        size_t first_scaled;
        double fac;
        if (n > 5) {
            double a2 = -m[1] / ssumm2 + poly(kC2, rsn);
            fac = std::sqrt((summ2 - 2 * m[0] * m[0] - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
            a[1] = a2;
            first_scaled = 2;
        } else {
            fac = std::sqrt((summ2 - 2 * m[0] * m[0]) / (1 - 2 * a1 * a1));
            first_scaled = 1;
        }
        a[0] = a1;
        for (size_t i = first_scaled; i < half; i++) a[i] = -m[i] / fac;
    }

    // W is the squared correlation between the sorted data (scaled by its
    // range, as AS R94 does) and the full antisymmetric coefficient vector;
    // 1 - W is computed directly to keep precision when W is close to 1.
    auto coef = [&](size_t i) {  // full vector: -a_1 .. -a_h, (0), a_h .. a_1
        size_t j = n - 1 - i;
        if (i == j) return 0.0;
        return i < j ? -a[i] : a[j];
    };
    double sa = 0, sx = 0;
    for (size_t i = 0; i < n; i++) {
        sa += coef(i);
        sx += x[i] / range;
    }
    sa /= dn;
    sx /= dn;
    double ssa = 0, ssx = 0, sax = 0;
    for (size_t i = 0; i < n; i++) {
        double da = coef(i) - sa;
        double dx = x[i] / range - sx;
        ssa += da * da;
        ssx += dx * dx;
        sax += da * dx;
    }
    double ssassx = std::sqrt(ssa * ssx);
    double w1 = (ssassx - sax) * (ssassx + sax) / (ssa * ssx);  // 1 - W
    if (w1 < 0) w1 = 0;  // rounding when the data are exactly normal scores

    ShapiroWilkResult r;
    r.w = 1 - w1;
    r.p = p_value_of_w1(w1, n);
    r.p_accurate = n <= 5000;
    return r;
}

double shapiro_wilk_p_value(double w, size_t n) {
    if (n < 3) throw Error("the Shapiro-Wilk test needs at least 3 values, got " + std::to_string(n));
    if (!(w > 0 && w <= 1)) throw Error("a Shapiro-Wilk W must be in (0, 1], got " + std::to_string(w));
    return p_value_of_w1(1 - w, n);
}

}  // namespace netperf::stats
