/*
 * AVX2 + FMA path.  The AVX-512 path's layout with 4 blocks per vector (in
 * lane order 0, 2, 1, 3, see FI_AVX2_BLOCK_LANES) and eight groups per
 * batch, whose Philox rounds run two groups at a time (REGISTER_GROUPS).
 * Eight groups per batch measured about 10% faster than four on a Zen 5
 * host with AVX2 forced; on a Zen 1-class host, where AVX2 is the fastest
 * path, running all eight groups' rounds together spilled their state to
 * the stack every round, and two at a time made raw words about 25% faster.
 * AVX2 lacks
 * unsigned and 64-bit integer conversions; the replacements below are exact
 * (or, for fl32 of a full word, a single rounding of an exact sum), so the
 * results equal the scalar path's.
 */
#include "fi_dispatch.h"
#include "fi_target.h"

#if FI_HAVE_X86_PATHS

#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#else
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#endif

#include <immintrin.h>
#include <stdint.h>

#define GROUPS 8
/* Groups whose Philox rounds run together: two groups' state and the
 * multipliers fit the 16 registers. */
#define REGISTER_GROUPS 2
_Static_assert(GROUPS % REGISTER_GROUPS == 0, "a batch holds whole register groups");
#define BATCH_BLOCKS (4 * GROUPS)

/* Blocks sit in the 64-bit lanes of a group in the order 0, 2, 1, 3: the
 * in-lane unpack instructions then put the output in element order with no
 * cross-lane permute. */
#define FI_AVX2_BLOCK_LANES _mm256_set_epi64x(3, 1, 2, 0)

typedef struct words256 { __m256i c0[GROUPS], c1[GROUPS], c2[GROUPS], c3[GROUPS]; } words256;

/* The per-fill context: every round's key, already broadcast, so that the
 * rounds read it as a memory operand instead of rebuilding it per batch, and
 * what the first two rounds compute from the stream words alone. */
typedef struct philox_context {
    __m256i round_key0[FI_PHILOX_ROUNDS], round_key1[FI_PHILOX_ROUNDS];
    fi_philox_prefix prefix;
    __m256i round1_xor, round2_xor;
    uint32_t round3_key1;
    uint32_t stream[2];
} philox_context;

static inline void philox_context_init(philox_context *c, const fi_stream *s)
{
    uint32_t k0 = s->key[0], k1 = s->key[1];
    for (int round = 0; round < FI_PHILOX_ROUNDS; round++) {
        c->round_key0[round] = _mm256_set1_epi64x(k0);
        c->round_key1[round] = _mm256_set1_epi64x(k1);
        k0 += FI_PHILOX_W0;
        k1 += FI_PHILOX_W1;
    }
    fi_philox_prefix_init(&c->prefix, s);
    c->round3_key1 = s->key[1] + 2u * FI_PHILOX_W1;
    c->round1_xor = _mm256_set1_epi64x(c->prefix.round1_c2_xor);
    c->round2_xor = _mm256_set1_epi64x(c->prefix.round2_c0_xor);
    c->stream[0] = s->stream[0];
    c->stream[1] = s->stream[1];
}

/* One round of groups first .. first + REGISTER_GROUPS - 1. */
static inline __attribute__((always_inline)) void philox_round(const philox_context *s, int round, words256 *w,
                                                               int first)
{
    const __m256i m0 = _mm256_set1_epi64x(FI_PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi64x(FI_PHILOX_M1);
    const __m256i key0 = s->round_key0[round];
    const __m256i key1 = s->round_key1[round];
    for (int g = first; g < first + REGISTER_GROUPS; g++) {
        __m256i p0 = _mm256_mul_epu32(w->c0[g], m0);
        __m256i p1 = _mm256_mul_epu32(w->c2[g], m1);
        w->c0[g] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(p1, 0xB1), w->c1[g]), key0);
        w->c2[g] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(p0, 0xB1), w->c3[g]), key1);
        w->c1[g] = p1;
        w->c3[g] = p0;
    }
}

/* Every round from the counters, for the rare batch whose blocks differ in
 * their high counter word. */
static __attribute__((noinline)) void philox_batch_carry(const philox_context *s, uint64_t block, words256 *w)
{
    const __m256i lane = FI_AVX2_BLOCK_LANES;
    for (int g = 0; g < GROUPS; g++) {
        __m256i b = _mm256_add_epi64(_mm256_set1_epi64x((long long)(block + 4u * (unsigned)g)), lane);
        w->c0[g] = b;
        w->c1[g] = _mm256_srli_epi64(b, 32);
        w->c2[g] = _mm256_set1_epi64x(s->stream[0]);
        w->c3[g] = _mm256_set1_epi64x(s->stream[1]);
    }
    for (int first = 0; first < GROUPS; first += REGISTER_GROUPS)
        for (int round = 0; round < FI_PHILOX_ROUNDS; round++)
            philox_round(s, round, w, first);
}

static inline __attribute__((always_inline)) void philox_batch(const philox_context *s, uint64_t block,
                                                               words256 *w)
{
    if (!fi_philox_batch_shares_high_word(block, BATCH_BLOCKS)) {
        philox_batch_carry(s, block, w);
        return;
    }
    /* Rounds 1 to 3 with the batch's shared words folded into constants
     * (fi_philox_prefix); only counter word 0 differs between blocks, and
     * word 3 is still shared going into round 3. */
    const __m256i m0 = _mm256_set1_epi64x(FI_PHILOX_M0);
    const __m256i m1 = _mm256_set1_epi64x(FI_PHILOX_M1);
    fi_philox_batch_words shared = fi_philox_batch_shared(&s->prefix, block);
    const __m256i round2_c2_xor = _mm256_set1_epi64x(shared.round2_c2_xor);
    const __m256i round3_c2_xor = _mm256_set1_epi64x(shared.round2_c3 ^ s->round3_key1);
    const __m256i four = _mm256_set1_epi64x(4);
    const __m256i key0 = s->round_key0[2];
    __m256i counter = _mm256_add_epi64(_mm256_set1_epi64x((long long)block), FI_AVX2_BLOCK_LANES);
    for (int first = 0; first < GROUPS; first += REGISTER_GROUPS) {
        for (int g = first; g < first + REGISTER_GROUPS; g++) {
            __m256i p0 = _mm256_mul_epu32(counter, m0);
            __m256i c2 = _mm256_xor_si256(_mm256_shuffle_epi32(p0, 0xB1), s->round1_xor);
            __m256i p1 = _mm256_mul_epu32(c2, m1);
            __m256i c0 = _mm256_xor_si256(_mm256_shuffle_epi32(p1, 0xB1), s->round2_xor);
            c2 = _mm256_xor_si256(p0, round2_c2_xor);
            __m256i q0 = _mm256_mul_epu32(c0, m0);
            __m256i q1 = _mm256_mul_epu32(c2, m1);
            w->c0[g] = _mm256_xor_si256(_mm256_xor_si256(_mm256_shuffle_epi32(q1, 0xB1), p1), key0);
            w->c1[g] = q1;
            w->c2[g] = _mm256_xor_si256(_mm256_shuffle_epi32(q0, 0xB1), round3_c2_xor);
            w->c3[g] = q0;
            counter = _mm256_add_epi64(counter, four);
        }
        for (int round = 3; round < FI_PHILOX_ROUNDS; round++)
            philox_round(s, round, w, first);
    }
}

static inline __m256i join_low_halves(__m256i lo, __m256i hi)
{
    return _mm256_blend_epi32(lo, _mm256_slli_epi64(hi, 32), 0xAA);
}

/* The 64-bit lanes of a and b in element order (blocks in lanes 0, 2, 1, 3) */
static inline void interleave64(__m256i a, __m256i b, __m256i *first, __m256i *second)
{
    *first = _mm256_unpacklo_epi64(a, b);
    *second = _mm256_unpackhi_epi64(a, b);
}

static inline void store_si(void *dst, __m256i v, int streaming)
{
    if (streaming)
        _mm256_stream_si256((__m256i *)dst, v);
    else
        _mm256_storeu_si256((__m256i *)dst, v);
}
static inline void store_ps(float *dst, __m256 v, int streaming)
{
    if (streaming)
        _mm256_stream_ps(dst, v);
    else
        _mm256_storeu_ps(dst, v);
}
static inline void store_pd(double *dst, __m256d v, int streaming)
{
    if (streaming)
        _mm256_stream_pd(dst, v);
    else
        _mm256_storeu_pd(dst, v);
}

/* The low 16 bits of each lane, in order: the in-lane pack repeats each
 * half, the 64-bit permute gathers them. */
static inline void store_u16(uint16_t *dst, __m256i v)
{
    __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(v, v), 0x08);
    _mm_storeu_si128((__m128i *)dst, _mm256_castsi256_si128(packed));
}

/* fl32(w) for a full 32-bit word: both halves convert exactly, the sum
 * rounds once. */
static inline __m256 f32_from_u32(__m256i w)
{
    __m256 hi = _mm256_cvtepi32_ps(_mm256_srli_epi32(w, 16));
    __m256 lo = _mm256_cvtepi32_ps(_mm256_and_si256(w, _mm256_set1_epi32(0xffff)));
    return _mm256_fmadd_ps(hi, _mm256_set1_ps(65536.0f), lo);
}

/* Exact double of an integer below 2^52: place it in the mantissa of 2^52. */
static inline __m256d f64_from_u52(__m256i v)
{
    const __m256d two52 = _mm256_set1_pd(0x1p52);
    return _mm256_sub_pd(_mm256_castsi256_pd(_mm256_or_si256(v, _mm256_castpd_si256(two52))), two52);
}

/* Exact double of an integer below 2^53, from its 32-bit halves. */
static inline __m256d f64_from_u53(__m256i v)
{
    __m256d hi = _mm256_mul_pd(f64_from_u52(_mm256_srli_epi64(v, 32)), _mm256_set1_pd(0x1p32));
    __m256d lo = f64_from_u52(_mm256_and_si256(v, _mm256_set1_epi64x(0xffffffffll)));
    return _mm256_add_pd(hi, lo);
}

/* if_set where the tested bit of u is set, else if_clear.  float32: by XOR
 * under a mask of the bit spread over the lane (shifted to the sign, then
 * arithmetically back), which measured faster than vblendvps here; float64
 * has no 64-bit arithmetic shift in AVX2 and keeps vblendvpd, which chooses
 * by each lane's sign bit: the tested bit is shifted there. */
static inline __m256 select_bit_ps(__m256i u, int shift_to_sign, __m256 if_set, __m256 if_clear)
{
    __m256i mask = _mm256_srai_epi32(_mm256_slli_epi32(u, shift_to_sign), 31);
    __m256i set = _mm256_castps_si256(if_set), clear = _mm256_castps_si256(if_clear);
    return _mm256_castsi256_ps(_mm256_xor_si256(clear, _mm256_and_si256(_mm256_xor_si256(set, clear), mask)));
}
#define select_bit_pd(u, bit, if_set, if_clear)                                               \
    _mm256_blendv_pd(if_clear, if_set,                                                       \
                     _mm256_castsi256_pd(_mm256_slli_epi64(u, 63 - __builtin_ctzll(bit))))

#define FI_VF __m256
#define FI_VU __m256i
#define VF_SET1(x) _mm256_set1_ps(x)
#define VU_SET1(x) _mm256_set1_epi32((int)(x))
#define VF_ADD(a, b) _mm256_add_ps(a, b)
#define VF_MUL(a, b) _mm256_mul_ps(a, b)
#define VF_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define VF_SQRT(a) _mm256_sqrt_ps(a)
#define VU_ADD(a, b) _mm256_add_epi32(a, b)
#define VU_AND(a, b) _mm256_and_si256(a, b)
#define VU_XOR(a, b) _mm256_xor_si256(a, b)
#define VU_SRL(a, k) _mm256_srli_epi32(a, k)
#define VU_SRA(a, k) _mm256_srai_epi32(a, k)
#define VF_AS_VU(x) _mm256_castps_si256(x)
#define VU_AS_VF(u) _mm256_castsi256_ps(u)
#define VF_FROM_SMALL_I(u) _mm256_cvtepi32_ps(u)
#define VF_FROM_U32(u) f32_from_u32(u)
#define VF_SELECT_BIT(u, bit, a, b) select_bit_ps(u, 31 - __builtin_ctz(bit), a, b)
#define VU_AND_OR(a, m, b) _mm256_or_si256(_mm256_and_si256(a, m), b)
#define VU_XOR_AND(x, a, m) _mm256_xor_si256(x, _mm256_and_si256(a, m))
#define VU_OR(a, b) _mm256_or_si256(a, b)
#define VF_MIN(a, b) _mm256_min_ps(a, b)
#define VU_SELECT_GT(a, b, t, f) _mm256_blendv_epi8(f, t, _mm256_cmpgt_epi32(a, b))
#define VF_LOAD(p) _mm256_load_ps(p)
#define VU_STORE_U16(p, v) store_u16(p, v)
#define FI_LANES 8

#define FI_VD __m256d
#define FI_VU64 __m256i
#define VD_SET1(x) _mm256_set1_pd(x)
#define VU64_SET1(x) _mm256_set1_epi64x((long long)(x))
#define VD_ADD(a, b) _mm256_add_pd(a, b)
#define VD_SUB(a, b) _mm256_sub_pd(a, b)
#define VD_MUL(a, b) _mm256_mul_pd(a, b)
#define VD_DIV(a, b) _mm256_div_pd(a, b)
#define VD_TABLE16(table, index) _mm256_i64gather_pd(table, _mm256_and_si256(index, _mm256_set1_epi64x(15)), 8)
#define VD_FMA(a, b, c) _mm256_fmadd_pd(a, b, c)
#define VD_SQRT(a) _mm256_sqrt_pd(a)
#define VU64_ADD(a, b) _mm256_add_epi64(a, b)
#define VU64_AND(a, b) _mm256_and_si256(a, b)
#define VU64_SRL(a, k) _mm256_srli_epi64(a, k)
#define VD_AS_VU64(x) _mm256_castpd_si256(x)
#define VU64_AS_VD(u) _mm256_castsi256_pd(u)
#define VD_FROM_SMALL_U(u) f64_from_u52(u)
#define VD_FROM_U53(u) f64_from_u53(u)
#define VD_SELECT_BIT(u, bit, a, b) select_bit_pd(u, bit, a, b)
#define VD_SELECT_LE(a, b, t, f) _mm256_blendv_pd(f, t, _mm256_cmp_pd(a, b, _CMP_LE_OQ))
#define VD_MIN(a, b) _mm256_min_pd(a, b)
#define VD_ANY_LT(a, b) (_mm256_movemask_pd(_mm256_cmp_pd(a, b, _CMP_LT_OQ)) != 0)
#define VD_MAX(a, b) _mm256_max_pd(a, b)
#define VU64_AND_OR(a, m, b) _mm256_or_si256(_mm256_and_si256(a, m), b)
#define VU64_XOR_AND(x, a, m) _mm256_xor_si256(x, _mm256_and_si256(a, m))

#define FI_MATH(name) fi_avx2_##name
#include "fi_vecmath.h"

static inline __m256 uniform_f32(__m256i words, const fi_uniform_f32 *p)
{
    return fi_avx2_uniform_f32(words, _mm256_set1_ps(p->scale), _mm256_set1_ps(p->low), _mm256_set1_ps(p->cap));
}

static inline __m256d uniform_f64(__m256i words, const fi_uniform_f64 *p)
{
    return fi_avx2_uniform_f64(words, _mm256_set1_pd(p->scale), _mm256_set1_pd(p->low), _mm256_set1_pd(p->cap));
}

static inline __attribute__((always_inline)) void batch_normal_f32(const philox_context *s, uint64_t block,
                                                                   float *out, const fi_normal_f32 *p,
                                                                   int streaming)
{
    const __m256 mean = _mm256_set1_ps(p->mean), std = _mm256_set1_ps(p->std);
    words256 w;
    __m256 squared_radius[GROUPS];
    philox_batch(s, block, &w);
    /* every group's ln before the square roots, as on AVX-512 */
    for (int g = 0; g < GROUPS; g++)
        squared_radius[g] = fi_avx2_box_muller_squared_radius_f32(join_low_halves(w.c0[g], w.c2[g]));
    for (int g = 0; g < GROUPS; g++) {
        __m256 zx, zy;
        fi_avx2_box_muller_finish_f32(squared_radius[g], join_low_halves(w.c1[g], w.c3[g]), std, mean, &zx, &zy);
        store_ps(out + 16 * g, _mm256_unpacklo_ps(zx, zy), streaming);
        store_ps(out + 16 * g + 8, _mm256_unpackhi_ps(zx, zy), streaming);
    }
}

static inline __attribute__((always_inline)) void batch_normal_f64(const philox_context *s, uint64_t block,
                                                                   double *out, const fi_normal_f64 *p,
                                                                   int streaming)
{
    const __m256d mean = _mm256_set1_pd(p->mean), std = _mm256_set1_pd(p->std);
    words256 w;
    __m256d squared_radius[GROUPS];
    philox_batch(s, block, &w);
    for (int g = 0; g < GROUPS; g++)
        squared_radius[g] = fi_avx2_box_muller_squared_radius_f64(join_low_halves(w.c0[g], w.c1[g]));
    for (int g = 0; g < GROUPS; g++) {
        __m256d zx, zy;
        fi_avx2_box_muller_finish_f64(squared_radius[g], join_low_halves(w.c2[g], w.c3[g]), std, mean, &zx, &zy);
        store_pd(out + 8 * g, _mm256_unpacklo_pd(zx, zy), streaming);
        store_pd(out + 8 * g + 4, _mm256_unpackhi_pd(zx, zy), streaming);
    }
}

/* Four float32 truncated-normal values from float32 inputs r (exactly
 * widened to double, where the quantile is computed). */
static inline __m128 truncnorm_f32x4(__m128 r, const fi_truncnorm *p)
{
    __m256d x = fi_avx2_truncnorm_standard(_mm256_cvtps_pd(r), _mm256_set1_pd(p->cdf_alpha),
                                           _mm256_set1_pd(p->ccdf_beta), _mm256_set1_pd(p->span),
                                           _mm256_set1_pd(p->alpha), _mm256_set1_pd(p->beta));
    __m128 v = _mm256_cvtpd_ps(_mm256_fmadd_pd(_mm256_set1_pd(p->std), x, _mm256_set1_pd(p->mean)));
    v = _mm_max_ps(v, _mm_set1_ps((float)p->out_low));
    return _mm_min_ps(v, _mm_set1_ps((float)p->out_high));
}

static inline __m256 truncnorm_f32(__m256i words, const fi_truncnorm *p)
{
    __m256 r = _mm256_fmadd_ps(f32_from_u32(words), _mm256_set1_ps(0x1p-32f), _mm256_set1_ps(0x1p-33f));
    __m128 lo = truncnorm_f32x4(_mm256_castps256_ps128(r), p);
    __m128 hi = truncnorm_f32x4(_mm256_extractf128_ps(r, 1), p);
    return _mm256_insertf128_ps(_mm256_castps128_ps256(lo), hi, 1);
}


/* Vector k of group g's words in element order. */
static inline __attribute__((always_inline)) __m256i element_words(const words256 *w, int g, int k)
{
    __m256i first, second;
    interleave64(join_low_halves(w->c0[g], w->c1[g]), join_low_halves(w->c2[g], w->c3[g]), &first, &second);
    return k ? second : first;
}
#define FI_WORDS_T words256
#define FI_WORD_LANES 8
#define FI_ELEMENT_WORDS(w, g, k) element_words(w, g, k)
#include "fi_word_batches.h"

#define FI_STREAM_ALIGN 32
#define FI_STORE_FENCE() _mm_sfence()
#define FI_STREAM_UNIT(dst, src) _mm256_stream_si256((__m256i *)(dst), _mm256_loadu_si256((const __m256i *)(src)))
#define FI_CONTEXT_T philox_context
#define FI_CONTEXT_INIT(context, stream) philox_context_init(context, stream)

#define FI_VECTOR_PATH 1
#define FI_BLOCKS BATCH_BLOCKS
#include "fi_half.h"
#include "fi_fill_instances.h"

const fi_kernel *const fi_kernels_avx2_table = kernels;

#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif

#else
const fi_kernel *const fi_kernels_avx2_table = 0;
#endif
