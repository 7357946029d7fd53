/*
 * Run-time choice of the instruction set: one table of fill kernels per
 * compiled path, the best one the CPU and OS support chosen at first use.
 */
#ifndef FI_DISPATCH_H
#define FI_DISPATCH_H

#include "fi_fill.h"

#define FI_ISA_SCALAR 0
#define FI_ISA_AVX2 1
#define FI_ISA_AVX512 2
#define FI_ISA_COUNT 3

/* A path's fill for one method: fi_fill's signature, out and p untyped. */
typedef void (*fi_kernel)(void *out, uint64_t n, const fi_stream *s, uint64_t first, const fi_params *p,
                          unsigned flags);

/* Kernel tables, indexed by fi_method; a table is NULL when its path was not
 * compiled in. */
extern const fi_kernel *const fi_kernels_scalar_table;
extern const fi_kernel *const fi_kernels_avx2_table;
extern const fi_kernel *const fi_kernels_avx512_table;

/* The scalar fills of the SCALAR-path methods of fi_methods.h, which the
 * vector tables use, and the AVX2 fills of the AVX2-path ones, which the
 * AVX-512 table uses. */
#define FI_SCALAR_FILL_PROTOTYPE_SCALAR(name) \
    void fi_scalar_fill_##name(void *, uint64_t, const fi_stream *, uint64_t, const fi_params *, unsigned);
#define FI_SCALAR_FILL_PROTOTYPE_VECTOR(name)
#define FI_SCALAR_FILL_PROTOTYPE_AVX2(name) \
    void fi_avx2_fill_##name(void *, uint64_t, const fi_stream *, uint64_t, const fi_params *, unsigned);
#define FI_SCALAR_FILL_PROTOTYPE(CODE, name, out_t, params, per_block, paths) FI_SCALAR_FILL_PROTOTYPE_##paths(name)
FI_METHODS(FI_SCALAR_FILL_PROTOTYPE)
#undef FI_SCALAR_FILL_PROTOTYPE

/* Highest level this CPU and OS can run (and this build contains).  The
 * level is detected on first use; call this once before filling from
 * several threads (fi_run_job does so itself). */
int fi_isa_supported(void);
/* Select a level; returns 0, or -1 when the level is above fi_isa_supported(). */
int fi_isa_select(int level);
/* The selected level. */
int fi_isa_selected(void);
const char *fi_isa_name(int level);

#endif
