/*
 * The fill driver, instantiated once per kernel.  A kernel produces a batch
 * of FI_BATCH_ELEMS consecutive elements from FI_BATCH_BLOCKS consecutive
 * blocks; the driver aligns the logical range to batches, produces partial
 * batches at either end in a local buffer, and full batches in place (with
 * non-temporal stores when asked and the output is suitably aligned).
 *
 * Define before including: FI_FILL_NAME, FI_ELEM_T, FI_PARAM_T,
 * FI_BATCH_FN(context, block, out, params, streaming), FI_BATCH_ELEMS,
 * FI_BATCH_BLOCKS, FI_STREAM_ALIGN (bytes; 0: never stream), FI_STORE_FENCE(),
 * FI_STREAM_UNIT(dst, src): copy FI_STREAM_ALIGN bytes from src to the aligned
 * dst with a non-temporal store (only when FI_STREAM_ALIGN != 0),
 * and FI_CONTEXT_T / FI_CONTEXT_INIT(context, stream): what a kernel derives
 * once per fill from the stream (such as the Philox key schedule).
 *
 * Non-temporal stores need aligned addresses, but where a batch lands in the
 * output is fixed by its elements, and arrays are often not aligned to a
 * vector (numpy's large arrays sit 16 bytes past a page boundary).  For
 * those the driver makes each batch in an aligned local buffer placed right
 * behind the last aligned unit of the batch before, and streams whole
 * aligned units of output cut from that run of bytes.
 */
#include <stddef.h>
#include <string.h>

static void FI_FILL_NAME(FI_ELEM_T *out, uint64_t n, const fi_stream *s, uint64_t first,
                         const FI_PARAM_T *p, unsigned flags)
{
    FI_ELEM_T partial[FI_BATCH_ELEMS];
    FI_CONTEXT_T context;
    FI_CONTEXT_INIT(&context, s);
    const FI_CONTEXT_T *c = &context;
    uint64_t block = s->block + (first / FI_BATCH_ELEMS) * FI_BATCH_BLOCKS;
    uint64_t skip = first % FI_BATCH_ELEMS;
    if (n == 0)
        return;
    if (skip != 0) {
        uint64_t take = FI_BATCH_ELEMS - skip < n ? FI_BATCH_ELEMS - skip : n;
        FI_BATCH_FN(c, block, partial, p, 0);
        memcpy(out, partial + skip, take * sizeof(FI_ELEM_T));
        out += take;
        n -= take;
        block += FI_BATCH_BLOCKS;
    }
#if FI_STREAM_ALIGN != 0
    if ((flags & FI_FLAG_STREAMING_STORES) && n >= FI_BATCH_ELEMS) {
        const ptrdiff_t unit = FI_STREAM_ALIGN, bytes = FI_BATCH_ELEMS * sizeof(FI_ELEM_T);
        ptrdiff_t head = (ptrdiff_t)((FI_STREAM_ALIGN - (uintptr_t)out % FI_STREAM_ALIGN) % FI_STREAM_ALIGN);
        if (head == 0) {
            for (; n >= FI_BATCH_ELEMS; n -= FI_BATCH_ELEMS) {
                FI_BATCH_FN(c, block, out, p, 1);
                out += FI_BATCH_ELEMS;
                block += FI_BATCH_BLOCKS;
            }
        } else {
            /* stage[unit + x] is byte x of the current batch; stage[head, unit)
             * holds the bytes of the batch before that no unit covered yet. */
            _Alignas(FI_STREAM_ALIGN) unsigned char stage[FI_STREAM_ALIGN + FI_BATCH_ELEMS * sizeof(FI_ELEM_T)];
            FI_ELEM_T *batch = (FI_ELEM_T *)(stage + unit);
            ptrdiff_t x = head;
            FI_BATCH_FN(c, block, batch, p, 0);
            memcpy(out, batch, (size_t)head);
            for (;;) {
                for (; x + unit <= bytes; x += unit)
                    FI_STREAM_UNIT((unsigned char *)out + x, (unsigned char *)batch + x);
                out += FI_BATCH_ELEMS;
                n -= FI_BATCH_ELEMS;
                block += FI_BATCH_BLOCKS;
                if (n < FI_BATCH_ELEMS)
                    break;
                memcpy(stage, stage + bytes, (size_t)unit);
                FI_BATCH_FN(c, block, batch, p, 0);
                x = head - unit;
            }
            memcpy((unsigned char *)out - (unit - head), (unsigned char *)batch + bytes - (unit - head),
                   (size_t)(unit - head));
        }
        FI_STORE_FENCE();
    }
#endif
    for (; n >= FI_BATCH_ELEMS; n -= FI_BATCH_ELEMS) {
        FI_BATCH_FN(c, block, out, p, 0);
        out += FI_BATCH_ELEMS;
        block += FI_BATCH_BLOCKS;
    }
    if (n != 0) {
        FI_BATCH_FN(c, block, partial, p, 0);
        memcpy(out, partial, n * sizeof(FI_ELEM_T));
    }
}

#undef FI_FILL_NAME
#undef FI_ELEM_T
#undef FI_PARAM_T
#undef FI_BATCH_FN
#undef FI_BATCH_ELEMS
#undef FI_BATCH_BLOCKS
