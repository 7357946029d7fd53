#include "fi_parallel.h"

#include <pthread.h>
#include <stdatomic.h>

#include "fi_dispatch.h"

/* Chunks of a job start on multiples of this many elements so that each
 * begins on a cache line (and a vector batch) when the destination does. */
#define SHARE_ALIGN 1024u

static void fill_contiguous(const fi_job *job, char *dst, uint64_t n, uint64_t first)
{
    fi_fill(job->method, dst, n, &job->stream, first, &job->params, job->flags);
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

/* The threads of a job take chunks of it in turn from a shared counter, so
 * that a thread slowed by other work on its core (or a slower core) takes
 * fewer chunks instead of holding up the rest at the end. */
typedef struct work_queue {
    const fi_job *job;
    uint64_t begin, end, chunk, n_chunks;
    atomic_uint_fast64_t next_chunk;
} work_queue;

static void *run_chunks(void *arg)
{
    work_queue *q = (work_queue *)arg;
    for (;;) {
        uint64_t k = atomic_fetch_add_explicit(&q->next_chunk, 1, memory_order_relaxed);
        if (k >= q->n_chunks)
            return 0;
        uint64_t b = q->begin + k * q->chunk;
        uint64_t e = q->end - b < q->chunk ? q->end : b + q->chunk;
        run_range(q->job, b, e);
    }
}

#define MAX_THREADS 256
/* Chunk sizes: enough chunks per thread to even out uneven progress, each
 * long enough (tens of microseconds) that taking one costs nothing. */
#define CHUNKS_PER_THREAD 8u
#define MAX_CHUNK (SHARE_ALIGN * 64u)

void fi_run_job(const fi_job *job, uint64_t begin, uint64_t end, int n_threads)
{
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
    work_queue queue;
    uint64_t chunk = total / ((uint64_t)n_threads * CHUNKS_PER_THREAD) / SHARE_ALIGN * SHARE_ALIGN;
    queue.job = job;
    queue.begin = begin;
    queue.end = end;
    queue.chunk = chunk < SHARE_ALIGN ? SHARE_ALIGN : chunk > MAX_CHUNK ? MAX_CHUNK : chunk;
    queue.n_chunks = (total + queue.chunk - 1) / queue.chunk;
    atomic_init(&queue.next_chunk, 0);
    for (int t = 1; t < n_threads; t++)
        started[t] = pthread_create(&threads[t], 0, run_chunks, &queue) == 0;
    /* the calling thread works through the queue too, so every chunk is
     * done even if no thread could be started */
    run_chunks(&queue);
    for (int t = 1; t < n_threads; t++)
        if (started[t])
            pthread_join(threads[t], 0);
}
