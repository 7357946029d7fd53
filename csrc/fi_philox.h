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

/*
 * The first two rounds for a run of blocks that share counter word 1 (the
 * high half of the block number), as vector kernels compute them: only
 * counter word 0 differs between the blocks, so with s0, s1 the stream words,
 * k, k' the keys of rounds 1 and 2 and C the shared word 0 after round 1,
 *   after round 1:  c0 = hi(M1 s0) ^ c1 ^ k0 = C    c1 = lo(M1 s0)
 *                   c2 = hi(M0 b) ^ s1 ^ k1       c3 = lo(M0 b)
 *   after round 2:  c0 = hi(M1 c2) ^ lo(M1 s0) ^ k0'    c1 = lo(M1 c2)
 *                   c2 = hi(M0 C) ^ k1' ^ c3       c3 = lo(M0 C)
 * and everything but the products of per-block words is computed once.
 */
typedef struct fi_philox_prefix {
    uint32_t round1_c0_base; /* hi(M1 s0) ^ k0: C is this ^ counter word 1 */
    uint32_t round1_c2_xor;  /* s1 ^ k1 */
    uint32_t round2_c0_xor;  /* lo(M1 s0) ^ k0' */
    uint32_t round2_key1;    /* k1' */
} fi_philox_prefix;

/* The words a batch of blocks shares after round 2. */
typedef struct fi_philox_batch_words {
    uint32_t round2_c2_xor; /* hi(M0 C) ^ k1' */
    uint32_t round2_c3;     /* lo(M0 C) */
} fi_philox_batch_words;

static inline void fi_philox_prefix_init(fi_philox_prefix *p, const fi_stream *s)
{
    uint64_t stream_product = (uint64_t)FI_PHILOX_M1 * s->stream[0];
    p->round1_c0_base = (uint32_t)(stream_product >> 32) ^ s->key[0];
    p->round1_c2_xor = s->stream[1] ^ s->key[1];
    p->round2_c0_xor = (uint32_t)stream_product ^ (s->key[0] + FI_PHILOX_W0);
    p->round2_key1 = s->key[1] + FI_PHILOX_W1;
}

/* Whether blocks block .. block + count - 1 share counter word 1. */
static inline int fi_philox_batch_shares_high_word(uint64_t block, uint32_t count)
{
    return (uint32_t)block <= UINT32_MAX - (count - 1u);
}

static inline fi_philox_batch_words fi_philox_batch_shared(const fi_philox_prefix *p, uint64_t block)
{
    uint32_t shared_c0 = p->round1_c0_base ^ (uint32_t)(block >> 32);
    uint64_t product = (uint64_t)FI_PHILOX_M0 * shared_c0;
    fi_philox_batch_words words = {(uint32_t)(product >> 32) ^ p->round2_key1, (uint32_t)product};
    return words;
}

#endif
