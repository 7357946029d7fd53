#include "fi_parallel.h"

#include <pthread.h>

#include "fi_dispatch.h"

/* Thread shares start on multiples of this many elements so that each share
 * begins on a cache line (and a vector batch) when the destination does. */
#define SHARE_ALIGN 1024u

unsigned fi_method_itemsize(fi_method method)
{
    switch (method) {
    case FI_UNIFORM_F64:
    case FI_NORMAL_F64:
    case FI_TRUNCNORM_F64:
        return 8;
    default:
        return 4;
    }
}

static void fill_contiguous(const fi_job *job, char *dst, uint64_t n, uint64_t first)
{
    const fi_stream *s = &job->stream;
    switch (job->method) {
    case FI_RAW_U32:
        fi_fill_raw_u32((uint32_t *)dst, n, s, first, job->flags);
        break;
    case FI_UNIFORM_F32:
        fi_fill_uniform_f32((float *)dst, n, s, first, &job->uniform_f32, job->flags);
        break;
    case FI_UNIFORM_F64:
        fi_fill_uniform_f64((double *)dst, n, s, first, &job->uniform_f64, job->flags);
        break;
    case FI_NORMAL_F32:
        fi_fill_normal_f32((float *)dst, n, s, first, &job->normal_f32, job->flags);
        break;
    case FI_NORMAL_F64:
        fi_fill_normal_f64((double *)dst, n, s, first, &job->normal_f64, job->flags);
        break;
    case FI_TRUNCNORM_F32:
        fi_fill_truncnorm_f32((float *)dst, n, s, first, &job->truncnorm, job->flags);
        break;
    case FI_TRUNCNORM_F64:
        fi_fill_truncnorm_f64((double *)dst, n, s, first, &job->truncnorm, job->flags);
        break;
    }
}

static void run_range(const fi_job *job, uint64_t begin, uint64_t end)
{
    const unsigned size = fi_method_itemsize(job->method);
    uint64_t run = begin / job->run_len - job->run_base, offset = begin % job->run_len;
    while (begin < end) {
        uint64_t take = job->run_len - offset;
        if (take > end - begin)
            take = end - begin;
        uint64_t first = job->run_first ? job->run_first[run] + offset : job->first + begin;
        fill_contiguous(job, (char *)job->out + (begin - job->out_origin) * size, take, first);
        begin += take;
        run++;
        offset = 0;
    }
}

typedef struct share {
    const fi_job *job;
    uint64_t begin, end;
} share;

static void *run_share(void *arg)
{
    const share *sh = (const share *)arg;
    run_range(sh->job, sh->begin, sh->end);
    return 0;
}

#define MAX_THREADS 256

void fi_run_job(const fi_job *job, uint64_t begin, uint64_t end, int n_threads)
{
    share shares[MAX_THREADS];
    pthread_t threads[MAX_THREADS];
    int started[MAX_THREADS];
    if (end <= begin)
        return;
    /* settle the lazily detected instruction set before any thread reads it */
    (void)fi_isa_selected();
    if (n_threads > MAX_THREADS)
        n_threads = MAX_THREADS;
    uint64_t total = end - begin;
    uint64_t max_useful = (total + SHARE_ALIGN - 1) / SHARE_ALIGN;
    if (n_threads < 1)
        n_threads = 1;
    if ((uint64_t)n_threads > max_useful)
        n_threads = (int)max_useful;
    if (n_threads == 1) {
        run_range(job, begin, end);
        return;
    }
    uint64_t step = (total / (uint64_t)n_threads + SHARE_ALIGN - 1) / SHARE_ALIGN * SHARE_ALIGN;
    for (int t = 0; t < n_threads; t++) {
        uint64_t b = begin + step * (uint64_t)t, e = b + step;
        if (b > end)
            b = end;
        if (e > end || t == n_threads - 1)
            e = end;
        shares[t].job = job;
        shares[t].begin = b;
        shares[t].end = e;
    }
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&threads[t], 0, run_share, &shares[t]) == 0;
    run_share(&shares[0]);
    for (int t = 1; t < n_threads; t++) {
        if (started[t])
            pthread_join(threads[t], 0);
        else
            run_share(&shares[t]);
    }
}
