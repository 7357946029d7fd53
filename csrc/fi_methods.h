/*
 * The one list of fill methods.  Everything that enumerates methods is
 * generated from FI_METHODS: the fi_method codes, the fi_fill_<name>
 * prototypes (fi_fill.h), each path's kernel table and fill drivers
 * (fi_fill_instances.h), the dispatch (fi_dispatch.c), the job runner
 * (fi_parallel.c) and the C harness's method loop.  fastinit/_cfill.pxd
 * mirrors it by hand for Cython; tests/test_method_table.py checks that the
 * two agree, and with fastinit._core.METHOD_CODES.
 *
 * X(CODE, name, out_t, params, elements_per_block, paths)
 *   CODE     the enum constant FI_<CODE> (its value is the table position:
 *            append new methods, never reorder)
 *   name     fi_fill_<name>, and each path's kernel batch_<name>
 *   out_t    the C type of one output element
 *   params   the parameter struct fi_<params> (field lists below)
 *   elements_per_block   output elements per Philox block (4 words)
 *   paths    VECTOR: every path has its own kernel; SCALAR: the vector paths
 *            use the scalar path's fill (fi_scalar_fill_<name>); AVX2: the
 *            AVX-512 path uses the AVX2 path's fill (fi_avx2_fill_<name>),
 *            which AVX-512 CPUs run, so that kernel is tested on AVX2-only
 *            hosts and the AVX-512 file compiles to the same code as before
 *            the method was added
 *
 * float16 and bfloat16 elements are stored as their uint16_t bit patterns.
 */
#ifndef FI_METHODS_H
#define FI_METHODS_H

#include <stdint.h>

#define FI_METHODS(X)                                                        \
    X(RAW_U32, raw_u32, uint32_t, no_params, 4, VECTOR)                      \
    X(UNIFORM_F32, uniform_f32, float, uniform_f32, 4, VECTOR)               \
    X(UNIFORM_F64, uniform_f64, double, uniform_f64, 2, VECTOR)              \
    X(NORMAL_F32, normal_f32, float, normal_f32, 4, VECTOR)                  \
    X(NORMAL_F64, normal_f64, double, normal_f64, 2, VECTOR)                 \
    X(TRUNCNORM_F32, truncnorm_f32, float, truncnorm, 4, VECTOR)             \
    X(TRUNCNORM_F64, truncnorm_f64, double, truncnorm, 2, SCALAR)            \
    X(UNIFORM_F16, uniform_f16, uint16_t, uniform_half, 4, AVX2)             \
    X(UNIFORM_BF16, uniform_bf16, uint16_t, uniform_half, 4, AVX2)           \
    X(NORMAL_F16, normal_f16, uint16_t, normal_f32, 4, AVX2)                 \
    X(NORMAL_BF16, normal_bf16, uint16_t, normal_f32, 4, AVX2)               \
    X(TRUNCNORM_F16, truncnorm_f16, uint16_t, truncnorm, 4, AVX2)            \
    X(TRUNCNORM_BF16, truncnorm_bf16, uint16_t, truncnorm, 4, AVX2)

/*
 * Parameter structs, F(type, field) per field in order: fi_params_set()
 * fills them from that many doubles (a float field takes a value already
 * rounded to float32, so the conversion is exact).
 */

/* value = min(fma(scale, U, low), cap) with cap the largest value below high. */
#define FI_PARAMS_uniform_f32(F) F(float, low) F(float, scale) F(float, cap)
#define FI_PARAMS_uniform_f64(F) F(double, low) F(double, scale) F(double, cap)

/* The float32 uniform, rounded to float16/bfloat16, then no higher than
 * half_cap (the largest value of the narrow dtype below high). */
#define FI_PARAMS_uniform_half(F) F(float, low) F(float, scale) F(float, cap) F(float, half_cap)

/* value = fma(std, z, mean) */
#define FI_PARAMS_normal_f32(F) F(float, mean) F(float, std)
#define FI_PARAMS_normal_f64(F) F(double, mean) F(double, std)

/*
 * Truncated normal by the inverse CDF, in standard units alpha..beta:
 *   p = cdf_alpha + R * span            (used when p <= 1/2)
 *   q = ccdf_beta + (1 - R) * span      (= 1 - p, used otherwise)
 * with span = Phi(beta) - Phi(alpha); 1 - R is exact, so both tails keep
 * their relative precision.  The value mean + std * x is clamped to
 * [out_low, out_high], the output-dtype values inside [a, b] (for float16
 * and bfloat16: clamped to them as float32, rounded, clamped again).  The
 * caller ensures span is a normal number (at least 2^-1022; fastinit asks
 * for more than 1e-280 and treats narrower masses as a point or a flat
 * interval).
 */
#define FI_PARAMS_truncnorm(F)                                                                  \
    F(double, mean) F(double, std) F(double, alpha) F(double, beta) F(double, cdf_alpha)        \
    F(double, ccdf_beta) F(double, span) F(double, out_low) F(double, out_high)

/* raw words take no parameters */
#define FI_PARAMS_no_params(F)

/* Every parameter struct but no_params (which has no fields to list). */
#define FI_PARAM_STRUCTS(P) P(uniform_f32) P(uniform_f64) P(uniform_half) P(normal_f32) P(normal_f64) P(truncnorm)

/* The most parameters of any method. */
#define FI_MAX_PARAMS 9

#endif
