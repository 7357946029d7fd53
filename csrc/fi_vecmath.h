/*
 * Box-Muller building blocks written once for every instruction set.
 *
 * This header is a template: the including file defines the vector types and
 * primitive operations below, then includes it.  Every path therefore runs
 * the same sequence of IEEE operations in the same order; the only rounding
 * steps are the explicit ones here (each FMA is a single rounding), which is
 * what makes scalar, AVX2 and AVX-512 results equal bit for bit.  Integer and
 * conversion primitives must be exact (or, for VF_FROM_U32, correctly rounded).
 *
 * Required for float32:  FI_VF FI_VU VF_SET1 VU_SET1 VF_MUL
 *   VF_FMA(a,b,c)=a*b+c VF_SQRT VU_ADD VU_AND VU_XOR VU_SRL
 *   VU_SRA (arithmetic shift of the lanes as int32) VF_AS_VU VU_AS_VF
 *   VF_FROM_SMALL_I (int32 lanes, exact, |v| < 2^24) VF_FROM_U32 (round to nearest)
 *   VF_SELECT_BIT(u, bit, if_set, if_clear) VU_AND_OR(a, m, b) = (a & m) | b
 *   VU_XOR_AND(x, a, m) = x ^ (a & m), VF_MIN(a, b) = a < b ? a : b;
 *   optional: VF_MANTISSA_P75 (below)
 * Required for float64:  FI_VD FI_VU64 VD_SET1 VU64_SET1 VD_ADD VD_SUB VD_MUL
 *   VD_FMA VD_SQRT VU64_ADD VU64_AND VU64_SRL VD_AS_VU64 VU64_AS_VD
 *   VD_SELECT_BIT VU64_AND_OR VU64_XOR_AND,
 *   VD_FROM_SMALL_U (exact, < 2^52), VD_FROM_U53 (exact, < 2^53), VD_DIV,
 *   VD_TABLE16(table, index): table[index & 15] per lane (fi_ln_table.h),
 *   VD_MIN, VD_MAX, VD_SELECT_LE(a, b, t, f) = a <= b ? t : f,
 *   VD_ANY_LT(a, b): whether a < b in any lane.
 * FI_MATH(name) gives each instantiation its own function names.
 *
 * Polynomials (errors measured over every input against long double):
 * - float32 ln: -2 ln m = t + t^2 P(t) for m in [3/4, 3/2), t = 2 - 2m, with
 *   P a degree-7 fit evaluated in pairs of terms: -2 ln x within 1.2 ulp.
 * - float64 ln: m is narrowed further with a 16-entry table (fi_ln_table.h)
 *   to r = m c - 1 in [-0.0292, 0.0393], where ln(1+r) = r + r^2 Q(r) with Q
 *   a degree-7 Chebyshev fit (relative error below 6e-17), so that no
 *   division is needed.
 * - sin and cos of a quarter turn, with y = angle / (pi/2), |y| <= 1/2:
 *   float32 minimax-style fits of four terms each (sin within 1.7 ulp, cos
 *   within 1.4 ulp); float64 fits of seven terms (error below 2e-17).
 */

#ifdef FI_VF

#ifndef VF_MANTISSA_P75
/* The significand of a positive normal x scaled into [3/4, 3/2), given
 * ix = bits(x) - bits(3/4) (a path with an instruction for it defines this
 * itself; the result is the same) */
#define VF_MANTISSA_P75(x, ix) VU_AS_VF(VU_ADD(VU_AND(ix, VU_SET1(0x007fffffu)), VU_SET1(0x3f400000u)))
#endif

/* -2 ln x for x in [2^-33, 1]: the squared Box-Muller radius.  With
 * x = 2^e * m, m in [3/4, 3/2) and t = 2 - 2m (exact, in (-1, 1/2]),
 * -2 ln m = t + t^2 P(t), P a degree-7 fit for the least relative error. */
static inline FI_VF FI_MATH(neg2_ln_f32)(FI_VF x)
{
    /* the bits of x minus those of 3/4: exponent e above the mantissa
     * offset of m, negative below 3/4 */
    FI_VU ix = VU_ADD(VF_AS_VU(x), VU_SET1(0u - 0x3f400000u));
    FI_VF e = VF_FROM_SMALL_I(VU_SRA(ix, 23));
    FI_VF m = VF_MANTISSA_P75(x, ix);
    FI_VF t = VF_FMA(m, VF_SET1(-2.0f), VF_SET1(2.0f));
    /* pairs of coefficients in t, then Horner's rule in t^2: the same
     * operation count as Horner's rule in t, but a dependency chain of
     * five steps instead of eight, which the vector kernels need */
    FI_VF t2 = VF_MUL(t, t);
    FI_VF p01 = VF_FMA(VF_SET1(0x1.5555e6p-4f), t, VF_SET1(0x1.000014p-2f));
    FI_VF p23 = VF_FMA(VF_SET1(0x1.99216ep-7f), t, VF_SET1(0x1.ffdd9ep-6f));
    FI_VF p45 = VF_FMA(VF_SET1(0x1.32ded8p-9f), t, VF_SET1(0x1.588816p-8f));
    FI_VF p67 = VF_FMA(VF_SET1(0x1.bb7084p-13f), t, VF_SET1(0x1.ee45fap-11f));
    FI_VF p = VF_FMA(p67, t2, p45);
    p = VF_FMA(p, t2, p23);
    p = VF_FMA(p, t2, p01);
    FI_VF neg2_ln_m = VF_FMA(t2, p, t);
    return VF_FMA(e, VF_SET1(-0x1.62e430p+0f), neg2_ln_m);
}

/* cos and sin of 2*pi*U24(w), up to a sign they share.  The quarter-turn
 * reduction is exact in integers: with s = w + 2^29, the top two bits of s
 * are the quadrant q and the next 22 bits v give the remaining angle
 * y*pi/2, y = v/2^22 - 1/2.  Turning (cos, sin) of y*pi/2 by q quarter
 * turns gives (-sin, cos) in odd quadrants and negates both in quadrants
 * 2 and 3; that shared negation is left to the caller, as bit 31 of
 * *negate_both (the one bit of s that is q's bit 1). */
static inline void FI_MATH(cos_sin_2pi_unsigned_f32)(FI_VU w, FI_VF *cos_out, FI_VF *sin_out,
                                                     FI_VU *negate_both)
{
    FI_VU s = VU_ADD(w, VU_SET1(1u << 29));
    /* 1 + v * 2^-23 by placing v in the mantissa of 1.0f; 2x - 2.5 is exact */
    FI_VF one_plus = VU_AS_VF(VU_AND_OR(VU_SRL(s, 8), VU_SET1(0x003fffffu), VU_SET1(0x3f800000u)));
    FI_VF y = VF_FMA(one_plus, VF_SET1(2.0f), VF_SET1(-2.5f));
    FI_VF y2 = VF_MUL(y, y);
    FI_VF ps = VF_SET1(-0x1.2dc152p-8f);
    ps = VF_FMA(ps, y2, VF_SET1(0x1.465fbep-4f));
    ps = VF_FMA(ps, y2, VF_SET1(-0x1.4abbbep-1f));
    ps = VF_FMA(ps, y2, VF_SET1(0x1.921fb6p+0f));
    FI_VF sin_y = VF_MUL(y, ps);
    FI_VF pc = VF_SET1(-0x1.4eb0fap-6f);
    pc = VF_FMA(pc, y2, VF_SET1(0x1.03b18cp-2f));
    pc = VF_FMA(pc, y2, VF_SET1(-0x1.3bd3a2p+0f));
    FI_VF cos_y = VF_FMA(pc, y2, VF_SET1(1.0f));
    FI_VF neg_sin_y = VU_AS_VF(VU_XOR(VF_AS_VU(sin_y), VU_SET1(0x80000000u)));
    *cos_out = VF_SELECT_BIT(s, 1u << 30, neg_sin_y, cos_y);
    *sin_out = VF_SELECT_BIT(s, 1u << 30, cos_y, sin_y);
    *negate_both = s;
}

/* One Box-Muller pair per lane (radius word wr, angle word wf), scaled:
 * x = fma(std * r, cos, mean), y = fma(std * r, sin, mean), in two steps
 * that a kernel may run for several vectors each in turn.  The sign the
 * cosine and sine share goes on std * r instead: the products, and so the
 * results, are the same. */
static inline FI_VF FI_MATH(box_muller_squared_radius_f32)(FI_VU wr)
{
    FI_VF r32 = VF_FMA(VF_FROM_U32(wr), VF_SET1(0x1p-32f), VF_SET1(0x1p-33f));
    return FI_MATH(neg2_ln_f32)(r32);
}
static inline void FI_MATH(box_muller_finish_f32)(FI_VF squared_radius, FI_VU wf, FI_VF std, FI_VF mean,
                                                  FI_VF *x, FI_VF *y)
{
    FI_VF c, s;
    FI_VU negate_both;
    FI_MATH(cos_sin_2pi_unsigned_f32)(wf, &c, &s, &negate_both);
    FI_VF scaled = VF_MUL(VF_SQRT(squared_radius), std);
    scaled = VU_AS_VF(VU_XOR_AND(VF_AS_VU(scaled), negate_both, VU_SET1(0x80000000u)));
    *x = VF_FMA(scaled, c, mean);
    *y = VF_FMA(scaled, s, mean);
}
static inline void FI_MATH(box_muller_f32)(FI_VU wr, FI_VU wf, FI_VF std, FI_VF mean, FI_VF *x,
                                           FI_VF *y)
{
    FI_MATH(box_muller_finish_f32)(FI_MATH(box_muller_squared_radius_f32)(wr), wf, std, mean, x, y);
}

/* The uniform transform: min(fma(scale, U24(w), low), cap). */
static inline FI_VF FI_MATH(uniform_f32)(FI_VU w, FI_VF scale, FI_VF low, FI_VF cap)
{
    FI_VF u = VF_MUL(VF_FROM_SMALL_I(VU_SRL(w, 8)), VF_SET1(0x1p-24f));
    return VF_MIN(VF_FMA(scale, u, low), cap);
}

#endif /* FI_VF */

#ifdef FI_VD

#include "fi_ln_table.h"

/* -2 ln x for normal x in (0, 1], as the float32 version: t = -2r and the
 * polynomial P(t) = -Q(-t/2) / 2 of the fit ln(1+r) = r + r^2 Q(r). */
static inline FI_VD FI_MATH(neg2_ln_f64)(FI_VD x)
{
    FI_VU64 ix = VU64_ADD(VD_AS_VU64(x), VU64_SET1(0x3ff0000000000000ull - 0x3fe6a09e667f3bcdull));
    FI_VD e = VD_SUB(VD_FROM_SMALL_U(VU64_SRL(ix, 52)), VD_SET1(1023.0));
    FI_VD m = VU64_AS_VD(VU64_ADD(VU64_AND(ix, VU64_SET1(0x000fffffffffffffull)),
                                  VU64_SET1(0x3fe6a09e667f3bcdull)));
    /* bits 48..51 of ix: the bucket of m in fi_ln_table.h */
    FI_VU64 bucket = VU64_SRL(ix, 48);
    FI_VD t = VD_FMA(m, VD_TABLE16(FI_NEG2_LN_F64_SCALE, bucket), VD_SET1(2.0));
    FI_VD p = VD_SET1(0x1.b7dbad832fff9p-12);
    p = VD_FMA(p, t, VD_SET1(0x1.0055ca3a16bebp-10));
    p = VD_FMA(p, t, VD_SET1(0x1.2495734d24ed1p-9));
    p = VD_FMA(p, t, VD_SET1(0x1.555549aabc416p-8));
    p = VD_FMA(p, t, VD_SET1(0x1.9999993b3d36bp-7));
    p = VD_FMA(p, t, VD_SET1(0x1.0000000047089p-5));
    p = VD_FMA(p, t, VD_SET1(0x1.5555555556b03p-4));
    p = VD_FMA(p, t, VD_SET1(0x1.ffffffffffff6p-3));
    FI_VD neg2_ln_m = VD_ADD(VD_FMA(VD_MUL(t, t), p, t), VD_TABLE16(FI_NEG2_LN_F64_OFFSET, bucket));
    return VD_FMA(e, VD_SET1(-0x1.62e42fefa39efp+0), neg2_ln_m);
}

static inline void FI_MATH(cos_sin_2pi_f64)(FI_VU64 w, FI_VD *cos_out, FI_VD *sin_out)
{
    FI_VU64 s = VU64_ADD(w, VU64_SET1(1ull << 61));
    FI_VD one_plus = VU64_AS_VD(
        VU64_AND_OR(VU64_SRL(s, 11), VU64_SET1((1ull << 51) - 1u), VU64_SET1(0x3ff0000000000000ull)));
    FI_VD y = VD_FMA(one_plus, VD_SET1(2.0), VD_SET1(-2.5));
    FI_VD y2 = VD_MUL(y, y);
    FI_VD ps = VD_SET1(0x1.e3a7c3384e6b6p-25);
    ps = VD_FMA(ps, y2, VD_SET1(-0x1.e2ff7d3c85f1ep-19));
    ps = VD_FMA(ps, y2, VD_SET1(0x1.50782eab5fdc4p-13));
    ps = VD_FMA(ps, y2, VD_SET1(-0x1.32d2cce17f30dp-8));
    ps = VD_FMA(ps, y2, VD_SET1(0x1.466bc67756e56p-4));
    ps = VD_FMA(ps, y2, VD_SET1(-0x1.4abbce625be28p-1));
    ps = VD_FMA(ps, y2, VD_SET1(0x1.921fb54442d18p+0));
    FI_VD sin_y = VD_MUL(y, ps);
    FI_VD pc = VD_SET1(-0x1.b2785b313c7d8p-28);
    pc = VD_FMA(pc, y2, VD_SET1(0x1.f9cc88c60b8bcp-22));
    pc = VD_FMA(pc, y2, VD_SET1(-0x1.a6d1ece10b07cp-16));
    pc = VD_FMA(pc, y2, VD_SET1(0x1.e1f50683ee011p-11));
    pc = VD_FMA(pc, y2, VD_SET1(-0x1.55d3c7e3c984bp-6));
    pc = VD_FMA(pc, y2, VD_SET1(0x1.03c1f081b5ab2p-2));
    pc = VD_FMA(pc, y2, VD_SET1(-0x1.3bd3cc9be45dep+0));
    FI_VD cos_y = VD_FMA(pc, y2, VD_SET1(1.0));
    FI_VD c = VD_SELECT_BIT(s, 1ull << 62, sin_y, cos_y);
    FI_VD si = VD_SELECT_BIT(s, 1ull << 62, cos_y, sin_y);
    FI_VU64 sign = VU64_SET1(0x8000000000000000ull);
    *cos_out = VU64_AS_VD(VU64_XOR_AND(VD_AS_VU64(c), VU64_ADD(s, VU64_SET1(1ull << 62)), sign));
    *sin_out = VU64_AS_VD(VU64_XOR_AND(VD_AS_VU64(si), s, sign));
}

/* The uniform transform: min(fma(scale, U53(w), low), cap), w = hi * 2^32 + lo. */
static inline FI_VD FI_MATH(uniform_f64)(FI_VU64 w, FI_VD scale, FI_VD low, FI_VD cap)
{
    FI_VD u = VD_MUL(VD_FROM_U53(VU64_SRL(w, 11)), VD_SET1(0x1p-53));
    return VD_MIN(VD_FMA(scale, u, low), cap);
}

/* wr and wf hold 64-bit words hi * 2^32 + lo (the element's word pairs). */
static inline FI_VD FI_MATH(box_muller_squared_radius_f64)(FI_VU64 wr)
{
    FI_VD r64 = VD_FMA(VD_FROM_U53(VU64_SRL(wr, 11)), VD_SET1(0x1p-53), VD_SET1(0x1p-54));
    return FI_MATH(neg2_ln_f64)(r64);
}
static inline void FI_MATH(box_muller_finish_f64)(FI_VD squared_radius, FI_VU64 wf, FI_VD std, FI_VD mean,
                                                  FI_VD *x, FI_VD *y)
{
    FI_VD c, s;
    FI_MATH(cos_sin_2pi_f64)(wf, &c, &s);
    FI_VD scaled = VD_MUL(VD_SQRT(squared_radius), std);
    *x = VD_FMA(scaled, c, mean);
    *y = VD_FMA(scaled, s, mean);
}
static inline void FI_MATH(box_muller_f64)(FI_VU64 wr, FI_VU64 wf, FI_VD std, FI_VD mean, FI_VD *x,
                                           FI_VD *y)
{
    FI_MATH(box_muller_finish_f64)(FI_MATH(box_muller_squared_radius_f64)(wr), wf, std, mean, x, y);
}

/*
 * Phi^-1(p) for p in (0, 1/2]: P. J. Acklam's rational approximation ("An
 * algorithm for computing the inverse normal cumulative distribution
 * function", 2003; relative error below 1.15e-9), both of its branches
 * evaluated and the right one selected per lane.
 */
static inline FI_VD FI_MATH(normal_quantile_lower)(FI_VD p)
{
    const FI_VD tail_below = VD_SET1(0.02425);
    FI_VD q = VD_SUB(p, VD_SET1(0.5));
    FI_VD r = VD_MUL(q, q);
    FI_VD mid_num = VD_SET1(-3.969683028665376e+01);
    mid_num = VD_FMA(mid_num, r, VD_SET1(2.209460984245205e+02));
    mid_num = VD_FMA(mid_num, r, VD_SET1(-2.759285104469687e+02));
    mid_num = VD_FMA(mid_num, r, VD_SET1(1.383577518672690e+02));
    mid_num = VD_FMA(mid_num, r, VD_SET1(-3.066479806614716e+01));
    mid_num = VD_FMA(mid_num, r, VD_SET1(2.506628277459239e+00));
    FI_VD mid_den = VD_SET1(-5.447609879822406e+01);
    mid_den = VD_FMA(mid_den, r, VD_SET1(1.615858368580409e+02));
    mid_den = VD_FMA(mid_den, r, VD_SET1(-1.556989798598866e+02));
    mid_den = VD_FMA(mid_den, r, VD_SET1(6.680131188771972e+01));
    mid_den = VD_FMA(mid_den, r, VD_SET1(-1.328068155288572e+01));
    mid_den = VD_FMA(mid_den, r, VD_SET1(1.0));
    FI_VD mid = VD_DIV(VD_MUL(mid_num, q), mid_den);
    /* Skipping the tail branch when no lane needs it changes no value. */
    if (!VD_ANY_LT(p, tail_below))
        return mid;
    FI_VD t = VD_SQRT(FI_MATH(neg2_ln_f64)(p));
    FI_VD tail_num = VD_SET1(-7.784894002430293e-03);
    tail_num = VD_FMA(tail_num, t, VD_SET1(-3.223964580411365e-01));
    tail_num = VD_FMA(tail_num, t, VD_SET1(-2.400758277161838e+00));
    tail_num = VD_FMA(tail_num, t, VD_SET1(-2.549732539343734e+00));
    tail_num = VD_FMA(tail_num, t, VD_SET1(4.374664141464968e+00));
    tail_num = VD_FMA(tail_num, t, VD_SET1(2.938163982698783e+00));
    FI_VD tail_den = VD_SET1(7.784695709041462e-03);
    tail_den = VD_FMA(tail_den, t, VD_SET1(3.224671290700398e-01));
    tail_den = VD_FMA(tail_den, t, VD_SET1(2.445134137142996e+00));
    tail_den = VD_FMA(tail_den, t, VD_SET1(3.754408661907416e+00));
    tail_den = VD_FMA(tail_den, t, VD_SET1(1.0));
    FI_VD tail = VD_DIV(tail_num, tail_den);
    return VD_SELECT_LE(tail_below, p, mid, tail);
}

/* The probability handed to the quantile, on the side of 1/2 where it keeps
 * its relative precision: p = cdf_alpha + r * span when that is <= 1/2,
 * else q = ccdf_beta + (1 - r) * span = 1 - p (1 - r is exact).  *lower
 * receives p, which tells which (p > 1/2: the quantile of q is negated). */
static inline FI_VD FI_MATH(truncnorm_probability)(FI_VD r, FI_VD cdf_alpha, FI_VD ccdf_beta,
                                                   FI_VD span, FI_VD *lower)
{
    FI_VD p = VD_FMA(r, span, cdf_alpha);
    FI_VD q = VD_FMA(VD_SUB(VD_SET1(1.0), r), span, ccdf_beta);
    *lower = p;
    return VD_SELECT_LE(p, VD_SET1(0.5), p, q);
}

/* Standardized truncated-normal value for the uniform input r in (0, 1],
 * clamped to [alpha, beta]. */
static inline FI_VD FI_MATH(truncnorm_standard)(FI_VD r, FI_VD cdf_alpha, FI_VD ccdf_beta,
                                                FI_VD span, FI_VD alpha, FI_VD beta)
{
    FI_VD p;
    FI_VD pq = FI_MATH(truncnorm_probability)(r, cdf_alpha, ccdf_beta, span, &p);
    FI_VD x = FI_MATH(normal_quantile_lower)(pq);
    /* neg2_ln_f64 needs a normal number; a probability below that (r = 1 with a
     * bound in the far tail) has its quantile beyond any bound: -infinity
     * in effect, clamped below. */
    x = VD_SELECT_LE(VD_SET1(0x1p-1022), pq, x, VD_SET1(-0x1p1000));
    x = VD_SELECT_LE(p, VD_SET1(0.5), x, VD_SUB(VD_SET1(0.0), x));
    return VD_MIN(VD_MAX(x, alpha), beta);
}

#endif /* FI_VD */
