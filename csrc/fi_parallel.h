/*
 * A fill job over a region of a logical array, split across threads.
 *
 * Destination elements are numbered in C order; they form runs of run_len
 * elements that are consecutive in the logical array.  Element e belongs to
 * run r = e / run_len - run_base and has logical index
 * run_first[r] + e % run_len (or first + e when run_first is NULL: one run).
 * It is stored at out + (e - out_origin) * itemsize, so a job can cover a
 * window of a larger destination.  A job is run piecewise:
 * fi_run_job(job, begin, end, threads) fills elements [begin, end), so the
 * caller can stop between pieces (interrupts).
 */
#ifndef FI_PARALLEL_H
#define FI_PARALLEL_H

#include <stdint.h>
#include "fi_fill.h"

typedef enum fi_method {
    FI_RAW_U32,
    FI_UNIFORM_F32,
    FI_UNIFORM_F64,
    FI_NORMAL_F32,
    FI_NORMAL_F64,
    FI_TRUNCNORM_F32,
    FI_TRUNCNORM_F64
} fi_method;

typedef struct fi_job {
    fi_method method;
    void *out;
    uint64_t out_origin;
    uint64_t run_len, run_base;
    const uint64_t *run_first;
    uint64_t first;
    fi_stream stream;
    fi_uniform_f32 uniform_f32;
    fi_uniform_f64 uniform_f64;
    fi_normal_f32 normal_f32;
    fi_normal_f64 normal_f64;
    fi_truncnorm truncnorm;
    unsigned flags;
} fi_job;

/* Bytes per element of a method's output. */
unsigned fi_method_itemsize(fi_method method);

/* Fill destination elements [begin, end) on up to n_threads threads (the
 * calling thread included), which take chunks of the range in turn.  If a
 * thread cannot be started the others do its chunks: the call cannot
 * fail. */
void fi_run_job(const fi_job *job, uint64_t begin, uint64_t end, int n_threads);

#endif
