/*
 * Instantiates the fill driver (fi_fill_body.h) for every method of
 * fi_methods.h and defines the including path's kernel table `kernels`.
 *
 * Define before including: FI_BLOCKS (Philox blocks per batch),
 * FI_VECTOR_PATH (0 on the scalar path, 1 on AVX2, 2 on AVX-512), a batch
 * kernel batch_<name> for every method the path instantiates, and
 * the driver's FI_STREAM_ALIGN, FI_STORE_FENCE, FI_STREAM_UNIT, FI_CONTEXT_T
 * and FI_CONTEXT_INIT.  The scalar path also defines fi_scalar_fill_<name>
 * of the SCALAR methods, which the vector tables use.
 */
#ifndef FI_VECTOR_PATH
#error "define FI_VECTOR_PATH before including fi_fill_instances.h"
#endif
#ifndef FI_BLOCKS
#error "define FI_BLOCKS before including fi_fill_instances.h"
#endif

#include "fi_fill_body.h"

#define FI_INSTANCE_VECTOR(name, out_t, params, per_block) \
    FI_DEFINE_FILL(fill_##name, out_t, params, batch_##name, ((per_block) * FI_BLOCKS), FI_BLOCKS)
#define FI_ENTRY_VECTOR(name) kernel_fill_##name
#if FI_VECTOR_PATH == 2
#define FI_INSTANCE_AVX2(name, out_t, params, per_block)
#define FI_ENTRY_AVX2(name) fi_avx2_fill_##name
#elif FI_VECTOR_PATH == 1
#define FI_INSTANCE_AVX2(name, out_t, params, per_block)                                                   \
    FI_INSTANCE_VECTOR(name, out_t, params, per_block)                                                     \
    void fi_avx2_fill_##name(void *out, uint64_t n, const fi_stream *s, uint64_t first, const fi_params *p, \
                             unsigned flags)                                                               \
    {                                                                                                      \
        kernel_fill_##name(out, n, s, first, p, flags);                                                    \
    }
#define FI_ENTRY_AVX2(name) kernel_fill_##name
#else
#define FI_INSTANCE_AVX2(name, out_t, params, per_block) FI_INSTANCE_VECTOR(name, out_t, params, per_block)
#define FI_ENTRY_AVX2(name) kernel_fill_##name
#endif
#if FI_VECTOR_PATH
#define FI_INSTANCE_SCALAR(name, out_t, params, per_block)
#define FI_ENTRY_SCALAR(name) fi_scalar_fill_##name
#else
#define FI_INSTANCE_SCALAR(name, out_t, params, per_block)                                                 \
    FI_INSTANCE_VECTOR(name, out_t, params, per_block)                                                     \
    void fi_scalar_fill_##name(void *out, uint64_t n, const fi_stream *s, uint64_t first, const fi_params *p, \
                               unsigned flags)                                                             \
    {                                                                                                      \
        kernel_fill_##name(out, n, s, first, p, flags);                                                    \
    }
#define FI_ENTRY_SCALAR(name) kernel_fill_##name
#endif

#define FI_INSTANCE(CODE, name, out_t, params, per_block, paths) FI_INSTANCE_##paths(name, out_t, params, per_block)
FI_METHODS(FI_INSTANCE)

static const fi_kernel kernels[FI_METHOD_COUNT] = {
#define FI_KERNEL_ENTRY(CODE, name, out_t, params, per_block, paths) [FI_##CODE] = FI_ENTRY_##paths(name),
    FI_METHODS(FI_KERNEL_ENTRY)
#undef FI_KERNEL_ENTRY
};

#undef FI_INSTANCE
#undef FI_INSTANCE_VECTOR
#undef FI_INSTANCE_SCALAR
#undef FI_INSTANCE_AVX2
#undef FI_ENTRY_AVX2
#undef FI_ENTRY_VECTOR
#undef FI_ENTRY_SCALAR
