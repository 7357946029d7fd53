/*
 * The fill driver, instantiated once per kernel by fi_fill_instances.h:
 * FI_DEFINE_FILL(name, elem_t, params, batch_fn, batch_elems, batch_blocks)
 * defines static void name(elem_t *out, uint64_t n, const fi_stream *s,
 * uint64_t first, const fi_<params> *p, unsigned flags) and kernel_<name>,
 * the same as a fi_kernel (the driver stays a function of its own, called
 * once per fill, so that its code does not depend on the wrapper).  A kernel produces a batch of batch_elems
 * consecutive elements from batch_blocks consecutive blocks; the driver aligns the logical range to batches, produces partial
 * batches at either end in a local buffer, and full batches in place (with
 * non-temporal stores when asked and the output is suitably aligned).
 *
 * batch_fn(context, block, out, params, streaming) makes one batch.  Define
 * before instantiating: FI_STREAM_ALIGN (bytes; 0: never stream),
 * FI_STORE_FENCE(), FI_STREAM_UNIT(dst, src): copy FI_STREAM_ALIGN bytes from
 * src to the aligned dst with a non-temporal store (never reached when
 * FI_STREAM_ALIGN is 0), and FI_CONTEXT_T / FI_CONTEXT_INIT(context, stream):
 * what a kernel derives once per fill from the stream (such as the Philox
 * key schedule).
 *
 * Non-temporal stores need aligned addresses, but where a batch lands in the
 * output is fixed by its elements, and arrays are often not aligned to a
 * vector (numpy's large arrays sit 16 bytes past a page boundary).  For
 * those the driver makes each batch in an aligned local buffer placed right
 * behind the last aligned unit of the batch before, and streams whole
 * aligned units of output cut from that run of bytes.
 */
#ifndef FI_FILL_BODY_H
#define FI_FILL_BODY_H

#include <stddef.h>
#include <string.h>

/* A driver is a function of its own, with no clones specialized for its one
 * caller. */
#if defined(__clang__)
#define FI_DRIVER_ATTRIBUTES __attribute__((noipa))
#else
#define FI_DRIVER_ATTRIBUTES __attribute__((noipa))
#endif

/* FI_STREAM_ALIGN as a divisor (the streaming branch is dead code when it is 0) */
#define FI_STREAM_MODULUS (FI_STREAM_ALIGN != 0 ? FI_STREAM_ALIGN : 1)

#define FI_DEFINE_FILL(NAME, ELEM_T, PARAMS, BATCH_FN, BATCH_ELEMS, BATCH_BLOCKS)                                 \
static FI_DRIVER_ATTRIBUTES void NAME(      ELEM_T *out, uint64_t n, const fi_stream *s, uint64_t first,           \
                                            const fi_##PARAMS *p, unsigned flags)                                 \
{                                                                                                                 \
    ELEM_T partial[BATCH_ELEMS];                                                                                  \
    FI_CONTEXT_T context;                                                                                         \
    FI_CONTEXT_INIT(&context, s);                                                                                 \
    const FI_CONTEXT_T *c = &context;                                                                             \
    uint64_t block = s->block + (first / BATCH_ELEMS) * BATCH_BLOCKS;                                             \
    uint64_t skip = first % BATCH_ELEMS;                                                                          \
    if (n == 0)                                                                                                   \
        return;                                                                                                   \
    if (skip != 0) {                                                                                              \
        uint64_t take = BATCH_ELEMS - skip < n ? BATCH_ELEMS - skip : n;                                          \
        BATCH_FN(c, block, partial, p, 0);                                                                        \
        memcpy(out, partial + skip, take * sizeof(ELEM_T));                                                       \
        out += take;                                                                                              \
        n -= take;                                                                                                \
        block += BATCH_BLOCKS;                                                                                    \
    }                                                                                                             \
    if (FI_STREAM_ALIGN != 0 && (flags & FI_FLAG_STREAMING_STORES) && n >= BATCH_ELEMS) {                         \
        const ptrdiff_t unit = FI_STREAM_ALIGN, bytes = BATCH_ELEMS * sizeof(ELEM_T);                             \
        ptrdiff_t head = (ptrdiff_t)((FI_STREAM_ALIGN - (uintptr_t)out % FI_STREAM_MODULUS) % FI_STREAM_MODULUS); \
        if (head == 0) {                                                                                          \
            for (; n >= BATCH_ELEMS; n -= BATCH_ELEMS) {                                                          \
                BATCH_FN(c, block, out, p, 1);                                                                    \
                out += BATCH_ELEMS;                                                                               \
                block += BATCH_BLOCKS;                                                                            \
            }                                                                                                     \
        } else {                                                                                                  \
            /* stage[unit + x] is byte x of the current batch; stage[head, unit)                                  \
             * holds the bytes of the batch before that no unit covered yet. */                                   \
            _Alignas(FI_STREAM_ALIGN) unsigned char stage[FI_STREAM_ALIGN + BATCH_ELEMS * sizeof(ELEM_T)];        \
            ELEM_T *batch = (ELEM_T *)(stage + unit);                                                             \
            ptrdiff_t x = head;                                                                                   \
            BATCH_FN(c, block, batch, p, 0);                                                                      \
            memcpy(out, batch, (size_t)head);                                                                     \
            for (;;) {                                                                                            \
                for (; x + unit <= bytes; x += unit)                                                              \
                    FI_STREAM_UNIT((unsigned char *)out + x, (unsigned char *)batch + x);                         \
                out += BATCH_ELEMS;                                                                               \
                n -= BATCH_ELEMS;                                                                                 \
                block += BATCH_BLOCKS;                                                                            \
                if (n < BATCH_ELEMS)                                                                              \
                    break;                                                                                        \
                memcpy(stage, stage + bytes, (size_t)unit);                                                       \
                BATCH_FN(c, block, batch, p, 0);                                                                  \
                x = head - unit;                                                                                  \
            }                                                                                                     \
            memcpy((unsigned char *)out - (unit - head), (unsigned char *)batch + bytes - (unit - head),          \
                   (size_t)(unit - head));                                                                        \
        }                                                                                                         \
        FI_STORE_FENCE();                                                                                         \
    }                                                                                                             \
    for (; n >= BATCH_ELEMS; n -= BATCH_ELEMS) {                                                                  \
        BATCH_FN(c, block, out, p, 0);                                                                            \
        out += BATCH_ELEMS;                                                                                       \
        block += BATCH_BLOCKS;                                                                                    \
    }                                                                                                             \
    if (n != 0) {                                                                                                 \
        BATCH_FN(c, block, partial, p, 0);                                                                        \
        memcpy(out, partial, n * sizeof(ELEM_T));                                                                 \
    }                                                                                                             \
} \
static void kernel_##NAME(void *out, uint64_t n, const fi_stream *s, uint64_t first, const fi_params *p,          \
                          unsigned flags)                                                                         \
{                                                                                                                 \
    NAME((ELEM_T *)out, n, s, first, &p->PARAMS, flags);                                                          \
}

#endif
