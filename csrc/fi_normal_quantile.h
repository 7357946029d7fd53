/*
 * The float64 truncated normal: the vector-math quantile (Acklam's
 * approximation, fi_vecmath.h) refined to full double precision by one
 * Halley step on Phi(x) - p.  The step uses the C library's erfc and exp, so
 * this kernel is scalar on every path (and its bits follow the C library).
 */
#ifndef FI_NORMAL_QUANTILE_H
#define FI_NORMAL_QUANTILE_H

#include <math.h>

/* x ~ Phi^-1(p), p in (0, 1/2]: one Halley step towards Phi(x) = p. */
static inline double fi_normal_quantile_refine(double x, double p)
{
    double err = 0.5 * erfc(-x * 0.70710678118654752440) - p;
    double u = err * 2.50662827463100050242 * exp(0.5 * x * x);
    return x - u / (1.0 + 0.5 * x * u);
}

static inline double fi_clamp_f64(double v, double lo, double hi)
{
    return v < lo ? lo : (v > hi ? hi : v);
}

#endif
