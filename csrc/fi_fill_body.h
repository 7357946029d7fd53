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
 * and FI_CONTEXT_T / FI_CONTEXT_INIT(context, stream): what a kernel derives
 * once per fill from the stream (such as the Philox key schedule).
 */
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
    if (FI_STREAM_ALIGN != 0 && (flags & FI_FLAG_STREAMING_STORES) &&
        ((uintptr_t)out % (FI_STREAM_ALIGN ? FI_STREAM_ALIGN : 1)) == 0) {
        for (; n >= FI_BATCH_ELEMS; n -= FI_BATCH_ELEMS) {
            FI_BATCH_FN(c, block, out, p, 1);
            out += FI_BATCH_ELEMS;
            block += FI_BATCH_BLOCKS;
        }
        FI_STORE_FENCE();
    }
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
