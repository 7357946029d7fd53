/*
 * float16 and bfloat16 fills, written once for every instruction set.
 *
 * A template like fi_vecmath.h: the including path defines its primitives
 * and its float32 batch kernels first.  Each batch makes the float32 batch
 * of the same blocks in a local buffer, rounds every value to nearest even
 * (NaN as numpy: float16 keeps the top payload bits, made nonzero; bfloat16
 * gives the quiet NaN of the sign) and clamps the result as NumPy would clamp
 * the rounded array: uniform by np.minimum with the largest value below
 * high, truncated normal by np.clip to the values inside [a, b].  The
 * comparisons are made on an integer key that orders the bit patterns as
 * their values (both zeros equal), with NumPy's choice between two equal
 * values: np.minimum keeps the first for float16 and the second for
 * bfloat16, np.clip keeps the value itself.
 *
 * Required besides fi_vecmath.h's float32 primitives: FI_LANES (lanes of
 * FI_VF), FI_BLOCKS, FI_CONTEXT_T, VU_OR, VU_SELECT_GT(a, b, t, f) =
 * (int32)a > (int32)b ? t : f per lane, VF_LOAD(float *),
 * VU_STORE_U16(uint16_t *, v): the low 16 bits of every lane, and the batch
 * kernels batch_uniform_f32, batch_normal_f32, batch_truncnorm_f32.
 */
#ifndef FI_LANES
#error "define FI_LANES and the primitives before including fi_half.h"
#endif

/* float16 bits of x, in the low half of each lane. */
static inline FI_VU FI_MATH(f16_bits)(FI_VF x)
{
    FI_VU bits = VF_AS_VU(x);
    FI_VU sign = VU_AND(VU_SRL(bits, 16), VU_SET1(0x8000u));
    FI_VU a = VU_AND(bits, VU_SET1(0x7fffffffu));
    /* |x| >= 2^-14: the exponent rebiased (127 -> 15), then rounded at bit 13 */
    FI_VU normal = VU_SRL(VU_ADD(VU_ADD(a, VU_SET1(0xfffu - 0x38000000u)), VU_AND(VU_SRL(a, 13), VU_SET1(1u))), 13);
    /* |x| < 2^-14: 1/2 + |x| rounds |x| to a multiple of 2^-24, the
     * subnormal spacing, which lands in the low bits of 1/2 */
    FI_VU subnormal = VU_ADD(VF_AS_VU(VF_ADD(VU_AS_VF(a), VF_SET1(0.5f))), VU_SET1(0u - 0x3f000000u));
    FI_VU payload = VU_AND(VU_SRL(a, 13), VU_SET1(0x3ffu));
    FI_VU nan = VU_ADD(VU_SELECT_GT(payload, VU_SET1(0u), payload, VU_SET1(1u)), VU_SET1(0x7c00u));
    /* 65520 and above round to infinity */
    FI_VU h = VU_SELECT_GT(a, VU_SET1(0x387fffffu), normal, subnormal);
    h = VU_SELECT_GT(a, VU_SET1(0x477fefffu), VU_SET1(0x7c00u), h);
    h = VU_SELECT_GT(a, VU_SET1(0x7f800000u), nan, h);
    return VU_OR(h, sign);
}

/* bfloat16 bits of x, in the low half of each lane. */
static inline FI_VU FI_MATH(bf16_bits)(FI_VF x)
{
    FI_VU bits = VF_AS_VU(x);
    FI_VU a = VU_AND(bits, VU_SET1(0x7fffffffu));
    FI_VU rounded = VU_SRL(VU_ADD(VU_ADD(bits, VU_SET1(0x7fffu)), VU_AND(VU_SRL(bits, 16), VU_SET1(1u))), 16);
    FI_VU nan = VU_OR(VU_AND(VU_SRL(bits, 16), VU_SET1(0x8000u)), VU_SET1(0x7fc0u));
    return VU_SELECT_GT(a, VU_SET1(0x7f800000u), nan, rounded);
}

/* An int32 that orders non-NaN half bit patterns as their values: the
 * magnitude, negated for a set sign bit (0x8000 - h). */
static inline FI_VU FI_MATH(half_key)(FI_VU h)
{
    return VU_SELECT_GT(h, VU_SET1(0x7fffu), VU_ADD(VU_XOR(h, VU_SET1(0xffffffffu)), VU_SET1(0x8001u)), h);
}

/* np.minimum(h, cap): float16 keeps h on a tie, bfloat16 keeps cap */
static inline FI_VU FI_MATH(min_f16)(FI_VU h, FI_VU cap, FI_VU cap_key)
{
    return VU_SELECT_GT(FI_MATH(half_key)(h), cap_key, cap, h);
}
static inline FI_VU FI_MATH(min_bf16)(FI_VU h, FI_VU cap, FI_VU cap_key)
{
    return VU_SELECT_GT(cap_key, FI_MATH(half_key)(h), h, cap);
}

/* np.clip(h, low, high) for low <= high: h itself on a tie */
static inline FI_VU FI_MATH(clip_half)(FI_VU h, FI_VU low, FI_VU low_key, FI_VU high, FI_VU high_key)
{
    FI_VU key = FI_MATH(half_key)(h);
    return VU_SELECT_GT(low_key, key, low, VU_SELECT_GT(key, high_key, high, h));
}

#define FI_HALF_BATCH_ELEMS (4 * FI_BLOCKS)

#define FI_HALF_KERNELS(dtype)                                                                                  \
    static inline void batch_normal_##dtype(const FI_CONTEXT_T *c, uint64_t block, uint16_t *out,              \
                                            const fi_normal_f32 *p, int streaming)                             \
    {                                                                                                           \
        _Alignas(64) float values[FI_HALF_BATCH_ELEMS];                                                        \
        (void)streaming;                                                                                        \
        batch_normal_f32(c, block, values, p, 0);                                                               \
        for (int k = 0; k < FI_HALF_BATCH_ELEMS; k += FI_LANES)                                                 \
            VU_STORE_U16(out + k, FI_MATH(dtype##_bits)(VF_LOAD(values + k)));                                  \
    }                                                                                                           \
    static inline void batch_uniform_##dtype(const FI_CONTEXT_T *c, uint64_t block, uint16_t *out,             \
                                             const fi_uniform_half *p, int streaming)                          \
    {                                                                                                           \
        _Alignas(64) float values[FI_HALF_BATCH_ELEMS];                                                        \
        const fi_uniform_f32 single = {p->low, p->scale, p->cap};                                               \
        const FI_VU cap = FI_MATH(dtype##_bits)(VF_SET1(p->half_cap));                                          \
        const FI_VU cap_key = FI_MATH(half_key)(cap);                                                           \
        (void)streaming;                                                                                        \
        batch_uniform_f32(c, block, values, &single, 0);                                                        \
        for (int k = 0; k < FI_HALF_BATCH_ELEMS; k += FI_LANES)                                                 \
            VU_STORE_U16(out + k, FI_MATH(min_##dtype)(FI_MATH(dtype##_bits)(VF_LOAD(values + k)), cap, cap_key)); \
    }                                                                                                           \
    static inline void batch_truncnorm_##dtype(const FI_CONTEXT_T *c, uint64_t block, uint16_t *out,           \
                                               const fi_truncnorm *p, int streaming)                           \
    {                                                                                                           \
        _Alignas(64) float values[FI_HALF_BATCH_ELEMS];                                                        \
        const FI_VU low = FI_MATH(dtype##_bits)(VF_SET1((float)p->out_low));                                    \
        const FI_VU high = FI_MATH(dtype##_bits)(VF_SET1((float)p->out_high));                                  \
        const FI_VU low_key = FI_MATH(half_key)(low), high_key = FI_MATH(half_key)(high);                       \
        (void)streaming;                                                                                        \
        batch_truncnorm_f32(c, block, values, p, 0);                                                            \
        for (int k = 0; k < FI_HALF_BATCH_ELEMS; k += FI_LANES)                                                 \
            VU_STORE_U16(out + k,                                                                               \
                         FI_MATH(clip_half)(FI_MATH(dtype##_bits)(VF_LOAD(values + k)), low, low_key, high, high_key)); \
    }

FI_HALF_KERNELS(f16)
FI_HALF_KERNELS(bf16)

#undef FI_HALF_KERNELS
