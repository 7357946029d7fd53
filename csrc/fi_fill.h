/*
 * fastinit fill entry points.
 *
 * Each fi_fill_<method>_<dtype> writes elements first .. first+n-1 of the
 * logical array described by the stream format to out[0 .. n-1].  Element i
 * depends only on (stream key, stream, block offset, i) and the parameters,
 * never on how a fill is split.  The functions cannot fail and return
 * nothing: the caller has validated every argument.  They run on the
 * instruction set selected in fi_dispatch.h.
 */
#ifndef FI_FILL_H
#define FI_FILL_H

#include <stdint.h>
#include "fi_philox.h"

/* Use non-temporal stores for the bulk of the output (large fills). */
#define FI_FLAG_STREAMING_STORES 1u

/* value = min(fma(scale, U, low), cap) with cap the largest value below high. */
typedef struct fi_uniform_f32 { float low, scale, cap; } fi_uniform_f32;
typedef struct fi_uniform_f64 { double low, scale, cap; } fi_uniform_f64;

/* value = fma(std, z, mean) */
typedef struct fi_normal_f32 { float mean, std; } fi_normal_f32;
typedef struct fi_normal_f64 { double mean, std; } fi_normal_f64;

/*
 * Truncated normal by the inverse CDF, in standard units alpha..beta:
 *   p = cdf_alpha + R * span            (used when p <= 1/2)
 *   q = ccdf_beta + (1 - R) * span      (= 1 - p, used otherwise)
 * with span = Phi(beta) - Phi(alpha); 1 - R is exact, so both tails keep
 * their relative precision.  The value mean + std * x is clamped to
 * [out_low, out_high], the output-dtype values inside [a, b].  The caller
 * ensures span is a normal number (at least 2^-1022; fastinit asks for more
 * than 1e-280 and treats narrower masses as a point or a flat interval).
 */
typedef struct fi_truncnorm {
    double mean, std, alpha, beta;
    double cdf_alpha, ccdf_beta, span;
    double out_low, out_high;
} fi_truncnorm;

void fi_fill_raw_u32(uint32_t *out, uint64_t n, const fi_stream *s, uint64_t first,
                     unsigned flags);
void fi_fill_uniform_f32(float *out, uint64_t n, const fi_stream *s, uint64_t first,
                         const fi_uniform_f32 *p, unsigned flags);
void fi_fill_uniform_f64(double *out, uint64_t n, const fi_stream *s, uint64_t first,
                         const fi_uniform_f64 *p, unsigned flags);
void fi_fill_normal_f32(float *out, uint64_t n, const fi_stream *s, uint64_t first,
                        const fi_normal_f32 *p, unsigned flags);
void fi_fill_normal_f64(double *out, uint64_t n, const fi_stream *s, uint64_t first,
                        const fi_normal_f64 *p, unsigned flags);
void fi_fill_truncnorm_f32(float *out, uint64_t n, const fi_stream *s, uint64_t first,
                           const fi_truncnorm *p, unsigned flags);
void fi_fill_truncnorm_f64(double *out, uint64_t n, const fi_stream *s, uint64_t first,
                           const fi_truncnorm *p, unsigned flags);

#endif
