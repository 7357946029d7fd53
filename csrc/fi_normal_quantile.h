/*
 * The standard normal quantile Phi^-1(p) for 0 < p <= 1/2, and the
 * truncated-normal element it serves.  Scalar code shared by every path
 * (the inverse CDF is evaluated per element, so all paths agree trivially).
 *
 * Initial value: P. J. Acklam's rational approximation (2003, "An algorithm
 * for computing the inverse normal cumulative distribution function"),
 * relative error below 1.15e-9 -- enough for float32 output.  For float64 one
 * Halley step on Phi(x) - p (with erfc) brings it to full double precision.
 */
#ifndef FI_NORMAL_QUANTILE_H
#define FI_NORMAL_QUANTILE_H

#include <math.h>
#include "fi_fill.h"

static inline double fi_normal_quantile_lower(double p, int refine)
{
    if (!(p > 0.0))
        return -HUGE_VAL;
    double x;
    if (p < 0.02425) {
        double t = sqrt(-2.0 * log(p));
        double num = -7.784894002430293e-03;
        num = num * t - 3.223964580411365e-01;
        num = num * t - 2.400758277161838e+00;
        num = num * t - 2.549732539343734e+00;
        num = num * t + 4.374664141464968e+00;
        num = num * t + 2.938163982698783e+00;
        double den = 7.784695709041462e-03;
        den = den * t + 3.224671290700398e-01;
        den = den * t + 2.445134137142996e+00;
        den = den * t + 3.754408661907416e+00;
        den = den * t + 1.0;
        x = num / den;
    } else {
        double q = p - 0.5;
        double r = q * q;
        double num = -3.969683028665376e+01;
        num = num * r + 2.209460984245205e+02;
        num = num * r - 2.759285104469687e+02;
        num = num * r + 1.383577518672690e+02;
        num = num * r - 3.066479806614716e+01;
        num = num * r + 2.506628277459239e+00;
        double den = -5.447609879822406e+01;
        den = den * r + 1.615858368580409e+02;
        den = den * r - 1.556989798598866e+02;
        den = den * r + 6.680131188771972e+01;
        den = den * r - 1.328068155288572e+01;
        den = den * r + 1.0;
        x = num * q / den;
    }
    if (refine) {
        double err = 0.5 * erfc(-x * 0.70710678118654752440) - p;
        double u = err * 2.50662827463100050242 * exp(0.5 * x * x);
        x = x - u / (1.0 + 0.5 * x * u);
    }
    return x;
}

/* Standardized truncated-normal value for the uniform input r in (0, 1]. */
static inline double fi_truncnorm_standard(const fi_truncnorm *t, double r, int refine)
{
    double p = t->cdf_alpha + r * t->span;
    double x;
    if (p <= 0.5)
        x = fi_normal_quantile_lower(p, refine);
    else
        x = -fi_normal_quantile_lower(t->ccdf_beta + (1.0 - r) * t->span, refine);
    if (x < t->alpha)
        x = t->alpha;
    if (x > t->beta)
        x = t->beta;
    return x;
}

static inline double fi_clamp_f64(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

#endif
