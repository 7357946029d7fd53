/*
 * Philox4x32-10, the counter-based generator of fastinit's stream format.
 *
 * Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11 (doi:10.1145/2063384.2063405).  A stateless pure function of a
 * 4x32-bit counter and a 2x32-bit key.  This scalar form is the reference;
 * the vector kernels in fi_fill_avx2.c / fi_fill_avx512.c must equal it.
 */
#ifndef FI_PHILOX_H
#define FI_PHILOX_H

#include <stdint.h>

#define FI_PHILOX_M0 0xD2511F53u
#define FI_PHILOX_M1 0xCD9E8D57u
#define FI_PHILOX_W0 0x9E3779B9u
#define FI_PHILOX_W1 0xBB67AE85u
#define FI_PHILOX_ROUNDS 10

/* Where a fill draws its words: key from the seed, counter words 2..3 from
 * the stream, counter words 0..1 from the block number (offset `block`
 * is added to the block of every element). */
typedef struct fi_stream {
    uint32_t key[2];
    uint32_t stream[2];
    uint64_t block;
} fi_stream;

static inline void fi_philox4x32_10(const uint32_t ctr_in[4], const uint32_t key_in[2],
                                    uint32_t out[4])
{
    uint32_t c0 = ctr_in[0], c1 = ctr_in[1], c2 = ctr_in[2], c3 = ctr_in[3];
    uint32_t k0 = key_in[0], k1 = key_in[1];
    for (int round = 0; round < FI_PHILOX_ROUNDS; round++) {
        uint64_t p0 = (uint64_t)FI_PHILOX_M0 * c0;
        uint64_t p1 = (uint64_t)FI_PHILOX_M1 * c2;
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
        c0 = n0;
        c1 = (uint32_t)p1;
        c2 = n2;
        c3 = (uint32_t)p0;
        k0 += FI_PHILOX_W0;
        k1 += FI_PHILOX_W1;
    }
    out[0] = c0;
    out[1] = c1;
    out[2] = c2;
    out[3] = c3;
}

/* The four words of block `block` (absolute counter value) of a stream. */
static inline void fi_philox_block(const fi_stream *s, uint64_t block, uint32_t out[4])
{
    uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), s->stream[0], s->stream[1]};
    fi_philox4x32_10(ctr, s->key, out);
}

#endif
