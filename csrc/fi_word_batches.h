/*
 * The batches whose elements each take one word (raw words, float32 uniform
 * and truncated normal) or one pair of words (float64 uniform), written once
 * for the vector paths: only how the words come out in element order is the
 * path's own.
 *
 * Define before including: philox_context and philox_batch(context, block,
 * &words), FI_WORDS_T (the words of a batch), GROUPS, FI_WORD_LANES (32-bit
 * lanes of a vector), FI_ELEMENT_WORDS(words, g, k): vector k (0 or 1) of
 * group g's words in element order, and store_si / store_ps / store_pd(dst,
 * v, streaming).
 */
#ifndef FI_WORD_LANES
#error "define FI_WORD_LANES and the primitives before including fi_word_batches.h"
#endif

/* `transform` maps a vector of words in element order to a vector of
 * `per_vector` values. */
#define FI_WORD_BATCH(name, transform, elem_t, param_t, store, per_vector)                                 \
    static inline __attribute__((always_inline)) void name(const philox_context *s, uint64_t block,      \
                                                           elem_t *out, const param_t *p, int streaming) \
    {                                                                                                    \
        FI_WORDS_T w;                                                                                    \
        (void)p;                                                                                         \
        philox_batch(s, block, &w);                                                                      \
        for (int g = 0; g < GROUPS; g++) {                                                               \
            store(out + 2 * (per_vector) * g, transform(FI_ELEMENT_WORDS(&w, g, 0), p), streaming);      \
            store(out + 2 * (per_vector) * g + (per_vector), transform(FI_ELEMENT_WORDS(&w, g, 1), p),   \
                  streaming);                                                                            \
        }                                                                                                \
    }

#define FI_RAW_WORDS(words, p) (words)

FI_WORD_BATCH(batch_raw_u32, FI_RAW_WORDS, uint32_t, void, store_si, FI_WORD_LANES)
FI_WORD_BATCH(batch_uniform_f32, uniform_f32, float, fi_uniform_f32, store_ps, FI_WORD_LANES)
FI_WORD_BATCH(batch_uniform_f64, uniform_f64, double, fi_uniform_f64, store_pd, FI_WORD_LANES / 2)
FI_WORD_BATCH(batch_truncnorm_f32, truncnorm_f32, float, fi_truncnorm, store_ps, FI_WORD_LANES)

#undef FI_RAW_WORDS
#undef FI_WORD_BATCH
