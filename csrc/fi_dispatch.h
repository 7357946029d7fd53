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

typedef struct fi_kernels {
    void (*raw_u32)(uint32_t *, uint64_t, const fi_stream *, uint64_t, const void *, unsigned);
    void (*uniform_f32)(float *, uint64_t, const fi_stream *, uint64_t, const fi_uniform_f32 *, unsigned);
    void (*uniform_f64)(double *, uint64_t, const fi_stream *, uint64_t, const fi_uniform_f64 *, unsigned);
    void (*normal_f32)(float *, uint64_t, const fi_stream *, uint64_t, const fi_normal_f32 *, unsigned);
    void (*normal_f64)(double *, uint64_t, const fi_stream *, uint64_t, const fi_normal_f64 *, unsigned);
    void (*truncnorm_f32)(float *, uint64_t, const fi_stream *, uint64_t, const fi_truncnorm *, unsigned);
    void (*truncnorm_f64)(double *, uint64_t, const fi_stream *, uint64_t, const fi_truncnorm *, unsigned);
} fi_kernels;

/* Kernel tables; a table is NULL when its path was not compiled in. */
extern const fi_kernels *const fi_kernels_scalar_table;
extern const fi_kernels *const fi_kernels_avx2_table;
extern const fi_kernels *const fi_kernels_avx512_table;

void fi_scalar_fill_truncnorm_f64(double *, uint64_t, const fi_stream *, uint64_t,
                                  const fi_truncnorm *, unsigned);

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
