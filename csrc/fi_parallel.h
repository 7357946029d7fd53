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

typedef struct fi_job {
    fi_method method;
    void *out;
    uint64_t out_origin;
    uint64_t run_len, run_base;
    const uint64_t *run_first;
    uint64_t first;
    fi_stream stream;
    fi_params params; /* the member of `method`'s parameter struct */
    unsigned flags;
} fi_job;

/* Fill destination elements [begin, end) on up to n_threads threads (the
 * calling thread included), which take chunks of the range in turn.  If a
 * thread cannot be started the others do its chunks: the call cannot
 * fail. */
void fi_run_job(const fi_job *job, uint64_t begin, uint64_t end, int n_threads);

#endif
