/*
 * The scalar reference path: one Philox block per batch.  Every vector path
 * must produce exactly these bits.  Compiled without any ISA target, so it
 * runs on every CPU; fmaf/fma are the C library's correctly rounded FMAs.
 */
#include <math.h>
#include <stdint.h>
#include "fi_convert.h"
#include "fi_dispatch.h"
#include "fi_normal_quantile.h"

#define FI_VF float
#define FI_VU uint32_t
#define VF_SET1(x) (x)
#define VU_SET1(x) ((uint32_t)(x))
#define VF_ADD(a, b) ((a) + (b))
#define VF_MUL(a, b) ((a) * (b))
#define VF_FMA(a, b, c) fmaf((a), (b), (c))
#define VF_SQRT(a) sqrtf(a)
#define VU_ADD(a, b) ((uint32_t)((a) + (b)))
#define VU_AND(a, b) ((a) & (b))
#define VU_XOR(a, b) ((a) ^ (b))
#define VU_SRL(a, k) ((a) >> (k))
/* arithmetic shift without relying on the implementation-defined >> of
 * negative ints */
#define VU_SRA(a, k) (((a) >> 31) ? ~(~(a) >> (k)) : (a) >> (k))
#define VF_AS_VU(x) fi_bits_f32(x)
#define VU_AS_VF(u) fi_f32_bits(u)
#define VF_FROM_SMALL_I(u) ((float)(int32_t)(u))
#define VF_FROM_U32(u) ((float)(u))
#define VF_SELECT_BIT(u, bit, a, b) (((u) & (bit)) ? (a) : (b))
#define VU_AND_OR(a, m, b) (((a) & (m)) | (b))
#define VU_XOR_AND(x, a, m) ((x) ^ ((a) & (m)))
#define VU_OR(a, b) ((a) | (b))
#define VF_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VU_SELECT_GT(a, b, t, f) ((int32_t)(a) > (int32_t)(b) ? (t) : (f))
#define VF_LOAD(p) (*(p))
#define VU_STORE_U16(p, v) (*(p) = (uint16_t)(v))
#define FI_LANES 1

#define FI_VD double
#define FI_VU64 uint64_t
#define VD_SET1(x) (x)
#define VU64_SET1(x) ((uint64_t)(x))
#define VD_ADD(a, b) ((a) + (b))
#define VD_SUB(a, b) ((a) - (b))
#define VD_MUL(a, b) ((a) * (b))
#define VD_DIV(a, b) ((a) / (b))
#define VD_TABLE16(table, index) ((table)[(index) & 15u])
#define VD_FMA(a, b, c) fma((a), (b), (c))
#define VD_SQRT(a) sqrt(a)
#define VU64_ADD(a, b) ((uint64_t)((a) + (b)))
#define VU64_AND(a, b) ((a) & (b))
#define VU64_SRL(a, k) ((a) >> (k))
#define VD_AS_VU64(x) fi_bits_f64(x)
#define VU64_AS_VD(u) fi_f64_bits(u)
#define VD_FROM_SMALL_U(u) ((double)(int64_t)(u))
#define VD_FROM_U53(u) ((double)(int64_t)(u))
#define VD_SELECT_BIT(u, bit, a, b) (((u) & (bit)) ? (a) : (b))
#define VD_SELECT_LE(a, b, t, f) ((a) <= (b) ? (t) : (f))
#define VD_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VD_ANY_LT(a, b) ((a) < (b))
#define VD_MAX(a, b) ((a) > (b) ? (a) : (b))
#define VU64_AND_OR(a, m, b) (((a) & (m)) | (b))
#define VU64_XOR_AND(x, a, m) ((x) ^ ((a) & (m)))

#define FI_MATH(name) fi_scalar_##name
#include "fi_vecmath.h"

static inline uint64_t pair64(uint32_t lo, uint32_t hi) { return ((uint64_t)hi << 32) | lo; }

static inline void batch_raw_u32(const fi_stream *s, uint64_t block, uint32_t *out,
                                 const void *unused, int streaming)
{
    (void)unused;
    (void)streaming;
    fi_philox_block(s, block, out);
}

static inline void batch_uniform_f32(const fi_stream *s, uint64_t block, float *out,
                                     const fi_uniform_f32 *p, int streaming)
{
    uint32_t w[4];
    (void)streaming;
    fi_philox_block(s, block, w);
    for (int k = 0; k < 4; k++)
        out[k] = fi_scalar_uniform_f32(w[k], p->scale, p->low, p->cap);
}

static inline void batch_uniform_f64(const fi_stream *s, uint64_t block, double *out,
                                     const fi_uniform_f64 *p, int streaming)
{
    uint32_t w[4];
    (void)streaming;
    fi_philox_block(s, block, w);
    out[0] = fi_scalar_uniform_f64(pair64(w[0], w[1]), p->scale, p->low, p->cap);
    out[1] = fi_scalar_uniform_f64(pair64(w[2], w[3]), p->scale, p->low, p->cap);
}

static inline void batch_normal_f32(const fi_stream *s, uint64_t block, float *out,
                                    const fi_normal_f32 *p, int streaming)
{
    uint32_t w[4];
    (void)streaming;
    fi_philox_block(s, block, w);
    for (int k = 0; k < 2; k++)
        fi_scalar_box_muller_f32(w[2 * k], w[2 * k + 1], p->std, p->mean, &out[2 * k], &out[2 * k + 1]);
}

static inline void batch_normal_f64(const fi_stream *s, uint64_t block, double *out,
                                    const fi_normal_f64 *p, int streaming)
{
    uint32_t w[4];
    (void)streaming;
    fi_philox_block(s, block, w);
    fi_scalar_box_muller_f64(pair64(w[0], w[1]), pair64(w[2], w[3]), p->std, p->mean, &out[0], &out[1]);
}

static inline void batch_truncnorm_f32(const fi_stream *s, uint64_t block, float *out,
                                       const fi_truncnorm *p, int streaming)
{
    uint32_t w[4];
    (void)streaming;
    fi_philox_block(s, block, w);
    for (int k = 0; k < 4; k++) {
        double x = fi_scalar_truncnorm_standard((double)fi_r32(w[k]), p->cdf_alpha, p->ccdf_beta,
                                                p->span, p->alpha, p->beta);
        float v = (float)fma(p->std, x, p->mean);
        v = v < (float)p->out_low ? (float)p->out_low : v;
        out[k] = v > (float)p->out_high ? (float)p->out_high : v;
    }
}

static inline void batch_truncnorm_f64(const fi_stream *s, uint64_t block, double *out,
                                       const fi_truncnorm *p, int streaming)
{
    uint32_t w[4];
    (void)streaming;
    fi_philox_block(s, block, w);
    for (int k = 0; k < 2; k++) {
        double lower;
        double r = fi_r64(w[2 * k], w[2 * k + 1]);
        double pq = fi_scalar_truncnorm_probability(r, p->cdf_alpha, p->ccdf_beta, p->span, &lower);
        double x = pq >= 0x1p-1022 ? fi_normal_quantile_refine(fi_scalar_normal_quantile_lower(pq), pq)
                                   : -0x1p1000;
        x = fi_clamp_f64(lower <= 0.5 ? x : -x, p->alpha, p->beta);
        out[k] = fi_clamp_f64(fma(p->std, x, p->mean), p->out_low, p->out_high);
    }
}

#define FI_STREAM_ALIGN 0
#define FI_STREAM_UNIT(dst, src) ((void)(dst), (void)(src))
#define FI_CONTEXT_T fi_stream
#define FI_CONTEXT_INIT(context, stream) (*(context) = *(stream))
#define FI_STORE_FENCE() ((void)0)

#define FI_VECTOR_PATH 0
#define FI_BLOCKS 1
#include "fi_half.h"
#include "fi_fill_instances.h"

const fi_kernel *const fi_kernels_scalar_table = kernels;
