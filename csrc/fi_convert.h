/*
 * Random words to floating-point inputs, as defined by the stream format
 * (docs/stream-format.md).  Every definition is exact or a single IEEE
 * round-to-nearest operation, so each vector path can reproduce it.
 */
#ifndef FI_CONVERT_H
#define FI_CONVERT_H

#include <stdint.h>
#include <string.h>

static inline uint32_t fi_bits_f32(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float fi_f32_bits(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
static inline uint64_t fi_bits_f64(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline double fi_f64_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* U24(w) = (w >> 8) * 2^-24, exact, in [0, 1). */
static inline float fi_u24(uint32_t w) { return (float)(w >> 8) * 0x1p-24f; }

/* U53(lo, hi) = ((hi * 2^32 + lo) >> 11) * 2^-53, exact, in [0, 1). */
static inline double fi_u53(uint32_t lo, uint32_t hi)
{
    return (double)((((uint64_t)hi << 32) | lo) >> 11) * 0x1p-53;
}

/* R32(w) = fl32(fl32(w) * 2^-32 + 2^-33), in [2^-33, 1]: never 0. */
static inline float fi_r32(uint32_t w) { return (float)w * 0x1p-32f + 0x1p-33f; }

/* R64(lo, hi) = fl64(U53(lo, hi) + 2^-54), in [2^-54, 1]: never 0. */
static inline double fi_r64(uint32_t lo, uint32_t hi) { return fi_u53(lo, hi) + 0x1p-54; }

#endif
