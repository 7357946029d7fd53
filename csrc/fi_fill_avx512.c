/*
 * AVX-512 path (AVX512F + AVX512DQ).  Philox runs on 8 blocks per vector:
 * each 32-bit counter word sits in the low half of a 64-bit lane, so
 * _mm512_mul_epu32 gives the full 32x32->64 product directly (the high
 * halves carry garbage that no later step reads).  Eight independent groups
 * per batch (64 blocks) give the out-of-order core enough independent
 * Box-Muller work to overlap; four were measurably slower.
 */
#include "fi_dispatch.h"
#include "fi_target.h"

#if FI_HAVE_X86_PATHS

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512dq,avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx512f,avx512dq,avx2,fma")
#endif

#include <immintrin.h>
#include <stdint.h>

#define GROUPS 8
#define BATCH_BLOCKS (8 * GROUPS)

/* The four counter words of 8 * GROUPS blocks after 10 rounds. */
typedef struct words512 { __m512i c0[GROUPS], c1[GROUPS], c2[GROUPS], c3[GROUPS]; } words512;

/* The per-fill context: every round's key, already broadcast, so that the
 * rounds read it as a memory operand instead of rebuilding it per batch, and
 * what the first two rounds compute from the stream words alone. */
typedef struct philox_context {
    __m512i round_key0[FI_PHILOX_ROUNDS], round_key1[FI_PHILOX_ROUNDS];
    fi_philox_prefix prefix;
    __m512i round1_xor, round2_xor;
    /* M0 * (block offset within the batch) of every lane: with no carry out
     * of counter word 0 in a batch, M0 * word 0 = M0 * base + these */
    __m512i lane_products[GROUPS];
    uint32_t stream[2];
} philox_context;

static inline void philox_context_init(philox_context *c, const fi_stream *s)
{
    uint32_t k0 = s->key[0], k1 = s->key[1];
    for (int round = 0; round < FI_PHILOX_ROUNDS; round++) {
        c->round_key0[round] = _mm512_set1_epi64(k0);
        c->round_key1[round] = _mm512_set1_epi64(k1);
        k0 += FI_PHILOX_W0;
        k1 += FI_PHILOX_W1;
    }
    fi_philox_prefix_init(&c->prefix, s);
    c->round1_xor = _mm512_set1_epi64(c->prefix.round1_c2_xor);
    c->round2_xor = _mm512_set1_epi64(c->prefix.round2_c0_xor);
    for (int g = 0; g < GROUPS; g++) {
        uint64_t products[8];
        for (int lane = 0; lane < 8; lane++)
            products[lane] = (uint64_t)FI_PHILOX_M0 * (uint64_t)(8 * g + lane);
        c->lane_products[g] = _mm512_loadu_si512(products);
    }
    c->stream[0] = s->stream[0];
    c->stream[1] = s->stream[1];
}

/* One Philox round on every group, keys of round `round`. */
static inline __attribute__((always_inline)) void philox_round(const philox_context *s, int round, words512 *w)
{
    const __m512i m0 = _mm512_set1_epi64(FI_PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi64(FI_PHILOX_M1);
    const __m512i key0 = s->round_key0[round];
    const __m512i key1 = s->round_key1[round];
    for (int g = 0; g < GROUPS; g++) {
        __m512i p0 = _mm512_mul_epu32(w->c0[g], m0);
        __m512i p1 = _mm512_mul_epu32(w->c2[g], m1);
        /* vpshufd swaps the product halves on the shuffle port, leaving
         * the multiply port free (a 64-bit shift would compete for it) */
        w->c0[g] = _mm512_ternarylogic_epi64(_mm512_shuffle_epi32(p1, _MM_PERM_CDAB), w->c1[g], key0, 0x96);
        w->c2[g] = _mm512_ternarylogic_epi64(_mm512_shuffle_epi32(p0, _MM_PERM_CDAB), w->c3[g], key1, 0x96);
        w->c1[g] = p1;
        w->c3[g] = p0;
    }
}

/* The first `rounds` rounds from the counters, for the rare batch whose
 * blocks differ in their high counter word. */
static __attribute__((noinline)) void philox_batch_carry(const philox_context *s, uint64_t block, words512 *w,
                                                          int rounds)
{
    const __m512i lane = _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0);
    for (int g = 0; g < GROUPS; g++) {
        __m512i b = _mm512_add_epi64(_mm512_set1_epi64((long long)(block + 8u * (unsigned)g)), lane);
        w->c0[g] = b;
        w->c1[g] = _mm512_srli_epi64(b, 32);
        w->c2[g] = _mm512_set1_epi64(s->stream[0]);
        w->c3[g] = _mm512_set1_epi64(s->stream[1]);
    }
    for (int round = 0; round < rounds; round++)
        philox_round(s, round, w);
}

/* The first `rounds` rounds of a batch. */
static inline __attribute__((always_inline)) void philox_batch_rounds(const philox_context *s, uint64_t block,
                                                                      words512 *w, int rounds)
{
    if (!fi_philox_batch_shares_high_word(block, BATCH_BLOCKS)) {
        philox_batch_carry(s, block, w, rounds);
        return;
    }
    /* Rounds 1 and 2 with the batch's shared words folded into constants
     * (fi_philox_prefix); only counter word 0 differs between blocks. */
    const __m512i m1 = _mm512_set1_epi64(FI_PHILOX_M1);
    fi_philox_batch_words shared = fi_philox_batch_shared(&s->prefix, block);
    const __m512i round2_c2_xor = _mm512_set1_epi64(shared.round2_c2_xor);
    const __m512i round2_c3 = _mm512_set1_epi64(shared.round2_c3);
    const __m512i base_product = _mm512_set1_epi64((long long)((uint64_t)FI_PHILOX_M0 * (uint32_t)block));
    for (int g = 0; g < GROUPS; g++) {
        __m512i p0 = _mm512_add_epi64(base_product, s->lane_products[g]);
        __m512i c2 = _mm512_xor_si512(_mm512_shuffle_epi32(p0, _MM_PERM_CDAB), s->round1_xor);
        __m512i p1 = _mm512_mul_epu32(c2, m1);
        w->c0[g] = _mm512_xor_si512(_mm512_shuffle_epi32(p1, _MM_PERM_CDAB), s->round2_xor);
        w->c1[g] = p1;
        w->c2[g] = _mm512_xor_si512(p0, round2_c2_xor);
        w->c3[g] = round2_c3;
    }
    for (int round = 2; round < rounds; round++)
        philox_round(s, round, w);
}

static inline __attribute__((always_inline)) void philox_batch(const philox_context *s, uint64_t block,
                                                               words512 *w)
{
    philox_batch_rounds(s, block, w, FI_PHILOX_ROUNDS);
}

/* 64-bit lanes lo | hi << 32 from the low halves of two word vectors. */
static inline __m512i join_low_halves(__m512i lo, __m512i hi)
{
    return _mm512_mask_blend_epi32((__mmask16)0xAAAA, lo, _mm512_slli_epi64(hi, 32));
}

/* The same in one masked shuffle: cheaper where the shuffle port has room
 * (normals), slower where Philox and the output permutes already keep it
 * busy (raw words and uniforms, measured). */
static inline __m512i join_low_halves_by_shuffle(__m512i lo, __m512i hi)
{
    return _mm512_mask_shuffle_epi32(lo, (__mmask16)0xAAAA, hi, _MM_PERM_CCAA);
}

static inline __m512i interleave64_lo(__m512i a, __m512i b)
{
    return _mm512_permutex2var_epi64(a, _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0), b);
}
static inline __m512i interleave64_hi(__m512i a, __m512i b)
{
    return _mm512_permutex2var_epi64(a, _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4), b);
}

static inline void store_si(void *dst, __m512i v, int streaming)
{
    if (streaming)
        _mm512_stream_si512((__m512i *)dst, v);
    else
        _mm512_storeu_si512(dst, v);
}
static inline void store_ps(float *dst, __m512 v, int streaming)
{
    if (streaming)
        _mm512_stream_ps(dst, v);
    else
        _mm512_storeu_ps(dst, v);
}
static inline void store_pd(double *dst, __m512d v, int streaming)
{
    if (streaming)
        _mm512_stream_pd(dst, v);
    else
        _mm512_storeu_pd(dst, v);
}

/* ---- vector math instantiation ---- */
#define FI_VF __m512
#define FI_VU __m512i
#define VF_SET1(x) _mm512_set1_ps(x)
#define VU_SET1(x) _mm512_set1_epi32((int)(x))
#define VF_ADD(a, b) _mm512_add_ps(a, b)
#define VF_MUL(a, b) _mm512_mul_ps(a, b)
#define VF_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define VF_SQRT(a) _mm512_sqrt_ps(a)
#define VU_ADD(a, b) _mm512_add_epi32(a, b)
#define VU_AND(a, b) _mm512_and_si512(a, b)
#define VU_XOR(a, b) _mm512_xor_si512(a, b)
#define VU_SRL(a, k) _mm512_srli_epi32(a, k)
#define VU_SRA(a, k) _mm512_srai_epi32(a, k)
#define VF_AS_VU(x) _mm512_castps_si512(x)
#define VU_AS_VF(u) _mm512_castsi512_ps(u)
#define VF_FROM_SMALL_I(u) _mm512_cvtepi32_ps(u)
#define VF_MANTISSA_P75(x, ix) _mm512_getmant_ps(x, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src)
#define VF_FROM_U32(u) _mm512_cvtepu32_ps(u)
#define VF_SELECT_BIT(u, bit, a, b) \
    _mm512_mask_blend_ps(_mm512_test_epi32_mask(u, _mm512_set1_epi32((int)(bit))), b, a)
#define VU_AND_OR(a, m, b) _mm512_ternarylogic_epi32(a, m, b, 0xEA)
#define VF_MIN(a, b) _mm512_min_ps(a, b)
#define VU_XOR_AND(x, a, m) _mm512_ternarylogic_epi32(x, a, m, 0x78)

#define FI_VD __m512d
#define FI_VU64 __m512i
#define VD_SET1(x) _mm512_set1_pd(x)
#define VU64_SET1(x) _mm512_set1_epi64((long long)(x))
#define VD_ADD(a, b) _mm512_add_pd(a, b)
#define VD_SUB(a, b) _mm512_sub_pd(a, b)
#define VD_MUL(a, b) _mm512_mul_pd(a, b)
#define VD_DIV(a, b) _mm512_div_pd(a, b)
/* a two-register permute reads only the low four bits of each index */
#define VD_TABLE16(table, index) _mm512_permutex2var_pd(_mm512_load_pd(table), index, _mm512_load_pd((table) + 8))
#define VD_FMA(a, b, c) _mm512_fmadd_pd(a, b, c)
#define VD_SQRT(a) _mm512_sqrt_pd(a)
#define VU64_ADD(a, b) _mm512_add_epi64(a, b)
#define VU64_AND(a, b) _mm512_and_si512(a, b)
#define VU64_SRL(a, k) _mm512_srli_epi64(a, k)
#define VD_AS_VU64(x) _mm512_castpd_si512(x)
#define VU64_AS_VD(u) _mm512_castsi512_pd(u)
#define VD_FROM_SMALL_U(u) _mm512_cvtepu64_pd(u)
#define VD_FROM_U53(u) _mm512_cvtepu64_pd(u)
#define VD_SELECT_BIT(u, bit, a, b) \
    _mm512_mask_blend_pd(_mm512_test_epi64_mask(u, _mm512_set1_epi64((long long)(bit))), b, a)
#define VD_SELECT_LE(a, b, t, f) _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_LE_OQ), f, t)
#define VD_MIN(a, b) _mm512_min_pd(a, b)
#define VD_ANY_LT(a, b) (_mm512_cmp_pd_mask(a, b, _CMP_LT_OQ) != 0)
#define VD_MAX(a, b) _mm512_max_pd(a, b)
#define VU64_AND_OR(a, m, b) _mm512_ternarylogic_epi64(a, m, b, 0xEA)
#define VU64_XOR_AND(x, a, m) _mm512_ternarylogic_epi64(x, a, m, 0x78)

#define FI_MATH(name) fi_avx512_##name
#include "fi_vecmath.h"

/* ---- batches of BATCH_BLOCKS (64) blocks ---- */

static inline __m512 uniform_f32(__m512i words, const fi_uniform_f32 *p)
{
    return fi_avx512_uniform_f32(words, _mm512_set1_ps(p->scale), _mm512_set1_ps(p->low), _mm512_set1_ps(p->cap));
}

static inline __m512d uniform_f64(__m512i words, const fi_uniform_f64 *p)
{
    return fi_avx512_uniform_f64(words, _mm512_set1_pd(p->scale), _mm512_set1_pd(p->low), _mm512_set1_pd(p->cap));
}

static inline __attribute__((always_inline)) void batch_normal_f32(const philox_context *s, uint64_t block,
                                                                   float *out, const fi_normal_f32 *p,
                                                                   int streaming)
{
    const __m512i even = _mm512_set_epi32(23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17, 1, 16, 0);
    const __m512i odd = _mm512_set_epi32(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9, 24, 8);
    const __m512i m0 = _mm512_set1_epi64(FI_PHILOX_M0);
    const __m512i m1 = _mm512_set1_epi64(FI_PHILOX_M1);
    /* lanes 2k, 2k+1: the last round's keys for counter words 0, 2 */
    const __m512i last_keys = join_low_halves_by_shuffle(s->round_key0[FI_PHILOX_ROUNDS - 1],
                                                        s->round_key1[FI_PHILOX_ROUNDS - 1]);
    const __m512 mean = _mm512_set1_ps(p->mean), std = _mm512_set1_ps(p->std);
    words512 w;
    __m512 squared_radius[GROUPS];
    __m512i angle_words[GROUPS];
    philox_batch_rounds(s, block, &w, FI_PHILOX_ROUNDS - 1);
    /* The last round writes its words straight into Box-Muller order (lane
     * 2k: pair (w0, w1) of block k; lane 2k+1: pair (w2, w3)): radius words
     * hi(p1) ^ c1 ^ k0 | hi(p0) ^ c3 ^ k1 and angle words lo(p1) | lo(p0)
     * take one masked shuffle or XOR each, where separate words would then
     * need a permute per vector. */
    for (int g = 0; g < GROUPS; g++) {
        __m512i p0 = _mm512_mul_epu32(w.c0[g], m0);
        __m512i p1 = _mm512_mul_epu32(w.c2[g], m1);
        __m512i high_products = _mm512_mask_shuffle_epi32(p0, (__mmask16)0x5555, p1, _MM_PERM_DDBB);
        __m512i low_words = join_low_halves_by_shuffle(w.c1[g], w.c3[g]);
        __m512i radius_words = _mm512_ternarylogic_epi32(high_products, low_words, last_keys, 0x96);
        angle_words[g] = join_low_halves_by_shuffle(p1, p0);
        squared_radius[g] = fi_avx512_box_muller_squared_radius_f32(radius_words);
    }
    /* The ln chains of every group first, then the square roots and the
     * rest: a 512-bit square root occupies the divider for 12 cycles, and
     * with one per group in each pass both passes keep the vector ports
     * busy (one pass doing both halves per group measured 3 to 6% slower). */
    for (int g = 0; g < GROUPS; g++) {
        __m512 zx, zy;
        fi_avx512_box_muller_finish_f32(squared_radius[g], angle_words[g], std, mean, &zx, &zy);
        store_ps(out + 32 * g, _mm512_permutex2var_ps(zx, even, zy), streaming);
        store_ps(out + 32 * g + 16, _mm512_permutex2var_ps(zx, odd, zy), streaming);
    }
}

static inline __attribute__((always_inline)) void batch_normal_f64(const philox_context *s, uint64_t block,
                                                                   double *out, const fi_normal_f64 *p,
                                                                   int streaming)
{
    const __m512i even = _mm512_set_epi64(11, 3, 10, 2, 9, 1, 8, 0);
    const __m512i odd = _mm512_set_epi64(15, 7, 14, 6, 13, 5, 12, 4);
    const __m512d mean = _mm512_set1_pd(p->mean), std = _mm512_set1_pd(p->std);
    words512 w;
    __m512d squared_radius[GROUPS];
    philox_batch(s, block, &w);
    /* two passes, as for float32 (about 7% faster than one) */
    for (int g = 0; g < GROUPS; g++)
        squared_radius[g] = fi_avx512_box_muller_squared_radius_f64(join_low_halves_by_shuffle(w.c0[g], w.c1[g]));
    for (int g = 0; g < GROUPS; g++) {
        __m512d zx, zy;
        fi_avx512_box_muller_finish_f64(squared_radius[g], join_low_halves_by_shuffle(w.c2[g], w.c3[g]),
                                        std, mean, &zx, &zy);
        store_pd(out + 16 * g, _mm512_permutex2var_pd(zx, even, zy), streaming);
        store_pd(out + 16 * g + 8, _mm512_permutex2var_pd(zx, odd, zy), streaming);
    }
}

/* Eight float32 truncated-normal values from float32 inputs r (exactly
 * widened to double, where the quantile is computed). */
static inline __m256 truncnorm_f32x8(__m256 r, const fi_truncnorm *p)
{
    __m512d x = fi_avx512_truncnorm_standard(_mm512_cvtps_pd(r), _mm512_set1_pd(p->cdf_alpha),
                                             _mm512_set1_pd(p->ccdf_beta), _mm512_set1_pd(p->span),
                                             _mm512_set1_pd(p->alpha), _mm512_set1_pd(p->beta));
    __m256 v = _mm512_cvtpd_ps(_mm512_fmadd_pd(_mm512_set1_pd(p->std), x, _mm512_set1_pd(p->mean)));
    v = _mm256_max_ps(v, _mm256_set1_ps((float)p->out_low));
    return _mm256_min_ps(v, _mm256_set1_ps((float)p->out_high));
}

static inline __m512 truncnorm_f32(__m512i words, const fi_truncnorm *p)
{
    __m512 r = _mm512_fmadd_ps(_mm512_cvtepu32_ps(words), _mm512_set1_ps(0x1p-32f), _mm512_set1_ps(0x1p-33f));
    __m256 lo = truncnorm_f32x8(_mm512_castps512_ps256(r), p);
    __m256 hi = truncnorm_f32x8(_mm512_extractf32x8_ps(r, 1), p);
    return _mm512_insertf32x8(_mm512_castps256_ps512(lo), hi, 1);
}


/* Vector k of group g's words in element order. */
static inline __attribute__((always_inline)) __m512i element_words(const words512 *w, int g, int k)
{
    __m512i a = join_low_halves(w->c0[g], w->c1[g]);
    __m512i b = join_low_halves(w->c2[g], w->c3[g]);
    return k ? interleave64_hi(a, b) : interleave64_lo(a, b);
}
#define FI_WORDS_T words512
#define FI_WORD_LANES 16
#define FI_ELEMENT_WORDS(w, g, k) element_words(w, g, k)
#include "fi_word_batches.h"

#define FI_STREAM_ALIGN 64
#define FI_STORE_FENCE() _mm_sfence()
#define FI_STREAM_UNIT(dst, src) _mm512_stream_si512((__m512i *)(dst), _mm512_loadu_si512(src))
#define FI_CONTEXT_T philox_context
#define FI_CONTEXT_INIT(context, stream) philox_context_init(context, stream)

/* float16/bfloat16 kernels: the AVX2 path's (fi_methods.h) */
#define FI_VECTOR_PATH 2
#define FI_BLOCKS BATCH_BLOCKS
#include "fi_fill_instances.h"

const fi_kernel *const fi_kernels_avx512_table = kernels;

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else /* no x86 paths in this build */
const fi_kernel *const fi_kernels_avx512_table = 0;
#endif
