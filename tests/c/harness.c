/*
 * Standalone test harness of the fastinit C core (csrc/), built without
 * Python so that it can run under AddressSanitizer and
 * UndefinedBehaviorSanitizer as well as with the release flags.
 *
 *   harness [PATH_TO_philox4x32_10_kat.csv]
 *
 * It checks
 *   - Philox4x32-10 against the Random123 known-answer vectors (read from the
 *     CSV file when a path is given, else the copies embedded below), through
 *     an independent reference implementation, fi_philox4x32_10 and the raw
 *     fill of every instruction-set path;
 *   - every fill entry point on every instruction-set level this CPU runs,
 *     for every size 0 .. MAX_N at many element offsets (batch and block
 *     edges, the 2^32 carry of the block counter, offsets near 2^40 and
 *     2^64, block offsets that wrap the 64-bit counter), into buffers with
 *     guard bytes on both sides and at every alignment: guards untouched,
 *     and every path equal to the scalar path bit for bit;
 *   - the scalar results against values computed independently from the
 *     stream format (exact for raw words and uniforms, within the documented
 *     accuracy for normal and truncated-normal values), including the
 *     truncated normal's point mass and its input R32 = 1;
 *   - fi_run_job with 1, 2, 3 and 7 threads, region-like run tables, output
 *     windows and streaming stores, against per-run single-thread fills.
 *
 * The last line is "harness: N passed, M failed"; the exit status is 1 when
 * M > 0.
 */
#define _POSIX_C_SOURCE 200809L

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fi_dispatch.h"
#include "fi_fill.h"
#include "fi_parallel.h"
#include "fi_philox.h"

/* ------------------------------------------------------------------------ */
/* bookkeeping */

static unsigned long n_passed, n_failed;
#define MAX_REPORTED_FAILURES 40

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void check(int ok, const char *fmt, ...)
{
    if (ok) {
        n_passed++;
        return;
    }
    n_failed++;
    if (n_failed <= MAX_REPORTED_FAILURES) {
        va_list args;
        va_start(args, fmt);
        fputs("FAIL: ", stdout);
        vprintf(fmt, args);
        fputc('\n', stdout);
        va_end(args);
    } else if (n_failed == MAX_REPORTED_FAILURES + 1) {
        puts("FAIL: (further failures are counted but not shown)");
    }
}

static void pass(void) { n_passed++; }

static void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        fprintf(stderr, "harness: out of memory\n");
        exit(2);
    }
    return p;
}

/* ------------------------------------------------------------------------ */
/* independent Philox4x32-10 (Random123's round function, written from the
 * paper's description rather than from csrc/) */

static void ref_mulhilo32(uint32_t a, uint32_t b, uint32_t *hi, uint32_t *lo)
{
    uint64_t product = (uint64_t)a * (uint64_t)b;
    *hi = (uint32_t)(product >> 32);
    *lo = (uint32_t)product;
}

static void ref_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    uint32_t x0 = ctr[0], x1 = ctr[1], x2 = ctr[2], x3 = ctr[3];
    uint32_t k0 = key[0], k1 = key[1];
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        uint32_t hi0, lo0, hi1, lo1;
        ref_mulhilo32(0xD2511F53u, x0, &hi0, &lo0);
        ref_mulhilo32(0xCD9E8D57u, x2, &hi1, &lo1);
        uint32_t y0 = hi1 ^ x1 ^ k0, y2 = hi0 ^ x3 ^ k1;
        x0 = y0;
        x1 = lo1;
        x2 = y2;
        x3 = lo0;
    }
    out[0] = x0;
    out[1] = x1;
    out[2] = x2;
    out[3] = x3;
}

/* Block `block` (absolute counter value) of the stream. */
static void ref_block(const fi_stream *s, uint64_t block, uint32_t out[4])
{
    uint32_t ctr[4] = {(uint32_t)block, (uint32_t)(block >> 32), s->stream[0], s->stream[1]};
    ref_philox4x32_10(ctr, s->key, out);
}

static fi_stream make_stream(uint64_t seed, uint64_t stream, uint64_t block)
{
    fi_stream s;
    s.key[0] = (uint32_t)seed;
    s.key[1] = (uint32_t)(seed >> 32);
    s.stream[0] = (uint32_t)stream;
    s.stream[1] = (uint32_t)(stream >> 32);
    s.block = block;
    return s;
}

/* ------------------------------------------------------------------------ */
/* instruction-set levels */

static int n_levels;

static void select_level(int level)
{
    if (fi_isa_select(level) != 0) {
        fprintf(stderr, "harness: fi_isa_select(%d) failed\n", level);
        exit(2);
    }
}

static void test_isa_selection(void)
{
    int top = fi_isa_supported();
    check(top >= FI_ISA_SCALAR && top < FI_ISA_COUNT, "fi_isa_supported() = %d is not a level", top);
    check(fi_isa_select(-1) == -1, "fi_isa_select(-1) accepted");
    check(fi_isa_select(top + 1) == -1, "fi_isa_select(%d) accepted above the supported level", top + 1);
    for (int level = 0; level <= top; level++) {
        check(fi_isa_select(level) == 0, "fi_isa_select(%d) rejected", level);
        check(fi_isa_selected() == level, "fi_isa_selected() = %d after selecting %d", fi_isa_selected(),
              level);
        check(strcmp(fi_isa_name(level), "unknown") != 0, "level %d has no name", level);
    }
    check(strcmp(fi_isa_name(FI_ISA_COUNT), "unknown") == 0, "fi_isa_name(FI_ISA_COUNT) is not 'unknown'");
    n_levels = top + 1;
    printf("harness: instruction-set levels:");
    for (int level = 0; level < n_levels; level++)
        printf(" %s", fi_isa_name(level));
    printf("\n");
}

/* ------------------------------------------------------------------------ */
/* known-answer vectors */

typedef struct kat_vector { uint32_t ctr[4], key[2], out[4]; } kat_vector;

/* Random123 kat_vectors, rows "philox4x32 10" (J. K. Salmon, M. A. Moraes,
 * R. O. Dror, D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3",
 * SC'11, doi:10.1145/2063384.2063405).  Used when no CSV path is given. */
static const kat_vector EMBEDDED_KAT[] = {
    {{0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u}, {0x00000000u, 0x00000000u},
     {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
    {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, {0xffffffffu, 0xffffffffu},
     {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
    {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, {0xa4093822u, 0x299f31d0u},
     {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
};

#define MAX_KAT 64

/* Rows c0,c1,c2,c3,k0,k1,o0,o1,o2,o3 in hexadecimal; '#' lines and the
 * header are skipped.  Returns the number of vectors, or -1 if unreadable. */
static int read_kat_file(const char *path, kat_vector *vectors, int capacity)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[512];
    int count = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned int v[10];
        if (line[0] == '#' || line[0] == '\n' || line[0] == 'c')
            continue;
        if (sscanf(line, "%x,%x,%x,%x,%x,%x,%x,%x,%x,%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
                   &v[7], &v[8], &v[9]) != 10) {
            check(0, "KAT file %s: unparsable line: %s", path, line);
            continue;
        }
        if (count == capacity)
            break;
        for (int i = 0; i < 4; i++) {
            vectors[count].ctr[i] = v[i];
            vectors[count].out[i] = v[6 + i];
        }
        vectors[count].key[0] = v[4];
        vectors[count].key[1] = v[5];
        count++;
    }
    fclose(f);
    return count;
}

static void test_kat(const char *path)
{
    kat_vector vectors[MAX_KAT];
    int count;
    if (path) {
        count = read_kat_file(path, vectors, MAX_KAT);
        check(count > 0, "no known-answer vectors read from %s", path);
        if (count <= 0)
            return;
    } else {
        count = (int)(sizeof EMBEDDED_KAT / sizeof EMBEDDED_KAT[0]);
        memcpy(vectors, EMBEDDED_KAT, sizeof EMBEDDED_KAT);
    }
    for (int v = 0; v < count; v++) {
        const kat_vector *kv = &vectors[v];
        uint32_t got[4];
        ref_philox4x32_10(kv->ctr, kv->key, got);
        check(memcmp(got, kv->out, sizeof got) == 0, "KAT %d: reference Philox gives %08x %08x %08x %08x", v,
              got[0], got[1], got[2], got[3]);
        fi_philox4x32_10(kv->ctr, kv->key, got);
        check(memcmp(got, kv->out, sizeof got) == 0, "KAT %d: fi_philox4x32_10 gives %08x %08x %08x %08x", v,
              got[0], got[1], got[2], got[3]);

        /* The same block reached through the raw fill of each path, as
         * element offset 4m from a block offset m blocks earlier (the
         * subtraction wraps for the all-ones counter, as the fill's does). */
        uint64_t counter_block = ((uint64_t)kv->ctr[1] << 32) | kv->ctr[0];
        uint64_t stream = ((uint64_t)kv->ctr[3] << 32) | kv->ctr[2];
        uint64_t seed = ((uint64_t)kv->key[1] << 32) | kv->key[0];
        static const uint64_t back[] = {0, 1, 31, 32, 33, 1000};
        for (int level = 0; level < n_levels; level++) {
            select_level(level);
            for (size_t b = 0; b < sizeof back / sizeof back[0]; b++) {
                fi_stream s = make_stream(seed, stream, counter_block - back[b]);
                fi_fill_raw_u32(got, 4, &s, 4 * back[b], NULL, 0);
                check(memcmp(got, kv->out, sizeof got) == 0,
                      "KAT %d: raw fill on %s at block offset -%" PRIu64 " gives %08x %08x %08x %08x", v,
                      fi_isa_name(level), back[b], got[0], got[1], got[2], got[3]);
            }
        }
    }
    printf("harness: %d known-answer vectors checked\n", count);
}

/* ------------------------------------------------------------------------ */
/* methods and parameters */

/* Every method of the table (csrc/fi_methods.h), in table order. */
static const fi_method METHODS[] = {
#define METHOD_CODE(CODE, name, out_t, params, per_block, paths) FI_##CODE,
    FI_METHODS(METHOD_CODE)
#undef METHOD_CODE
};
#define N_METHODS (sizeof METHODS / sizeof METHODS[0])

static const char *method_name(fi_method m) { return fi_method_name((int)m); }

static unsigned elements_per_block(fi_method m) { return fi_method_elements_per_block((int)m); }

/* Parameter sets (low, high) / (mean, std) / (mean, std, a, b). */
typedef struct param_set {
    const char *name;
    double low, high;
    double mean, std;
    double t_mean, t_std, t_a, t_b;
} param_set;

static const param_set PARAM_SETS[] = {
    {"standard", 0.0, 1.0, 0.0, 1.0, 0.0, 1.0, -2.0, 2.0},
    {"shifted", -1.5, 2.25, 0.25, 3.0, 0.5, 2.0, -1.5, 7.0},
    {"upper-tail", -4.0, -3.999, -100.0, 1e-3, 1.0, 0.5, 2.25, 5.0},
    {"lower-tail", 1e3, 1024.0, 7.0, 0.125, -3.0, 1.5, -20.0, -6.5},
};
#define N_PARAM_SETS (sizeof PARAM_SETS / sizeof PARAM_SETS[0])

static double phi_double(double x) { return 0.5 * erfc(-x / sqrt(2.0)); }

/* float16 / bfloat16 by definition, independent of csrc/fi_half.h: the
 * value of a bit pattern, and a float32 rounded to the nearest pattern (ties
 * to the even one; NaN as numpy and ml_dtypes). */
static double half_value(uint16_t h, int brain)
{
    int sign = h >> 15;
    double v;
    if (brain) {
        uint32_t bits = (uint32_t)h << 16;
        float f;
        memcpy(&f, &bits, 4);
        return f;
    }
    int e = (h >> 10) & 31, m = h & 1023;
    if (e == 31)
        v = m ? NAN : INFINITY;
    else if (e == 0)
        v = ldexp(m, -24);
    else
        v = ldexp(1024 + m, e - 25);
    return sign ? -v : v;
}

static uint16_t half_round(float f, int brain)
{
    uint32_t bits;
    memcpy(&bits, &f, 4);
    uint16_t sign = (uint16_t)((bits >> 16) & 0x8000u);
    if (isnan(f)) {
        if (brain)
            return sign | 0x7fc0u;
        uint16_t payload = (uint16_t)((bits >> 13) & 0x3ffu);
        return sign | 0x7c00u | (payload ? payload : 1u);
    }
    /* the two patterns of the sign around |f|, by search over magnitudes */
    double a = fabs((double)f);
    uint16_t lo = 0, hi = brain ? 0x7f80u : 0x7c00u; /* half_value(hi) = inf >= a */
    while (hi - lo > 1) {
        uint16_t mid = (uint16_t)((lo + hi) / 2);
        if (half_value(mid, brain) <= a)
            lo = mid;
        else
            hi = mid;
    }
    double below = half_value(lo, brain), above = half_value(hi, brain);
    if (isinf(above)) /* the next step past the largest finite value */
        above = below + (below - half_value((uint16_t)(lo - 1), brain));
    double dlo = a - below, dhi = above - a;
    uint16_t m = dlo < dhi || (dlo == dhi && (lo & 1) == 0) ? lo : hi;
    return sign | m;
}

/* The largest pattern with value below x (above it, step = +1), or at most x. */
static uint16_t half_inside(double x, int brain, int upper)
{
    uint16_t h = half_round((float)x, brain);
    if (upper)
        while (half_value(h, brain) > x)
            h = (h & 0x8000u) ? (uint16_t)(h + 1) : (h == 0 ? 0x8001u : (uint16_t)(h - 1));
    else
        while (half_value(h, brain) < x)
            h = (h & 0x8000u) ? (h == 0x8000u ? 1u : (uint16_t)(h - 1)) : (uint16_t)(h + 1);
    return h;
}

static int is_half_method(fi_method m, int *brain, fi_method *single)
{
    switch (m) {
    case FI_UNIFORM_F16: *brain = 0; *single = FI_UNIFORM_F32; return 1;
    case FI_UNIFORM_BF16: *brain = 1; *single = FI_UNIFORM_F32; return 1;
    case FI_NORMAL_F16: *brain = 0; *single = FI_NORMAL_F32; return 1;
    case FI_NORMAL_BF16: *brain = 1; *single = FI_NORMAL_F32; return 1;
    case FI_TRUNCNORM_F16: *brain = 0; *single = FI_TRUNCNORM_F32; return 1;
    case FI_TRUNCNORM_BF16: *brain = 1; *single = FI_TRUNCNORM_F32; return 1;
    default: return 0;
    }
}

/* The parameters fastinit._engine passes for truncated_normal (non-degenerate
 * case): standard bounds, their CDF and complementary CDF, the probability
 * span, and the output-dtype values inside [a, b]. */
static fi_truncnorm truncnorm_params(double mean, double std, double a, double b, int single)
{
    fi_truncnorm t;
    t.mean = mean;
    t.std = std;
    t.alpha = (a - mean) / std;
    t.beta = (b - mean) / std;
    if (t.alpha >= 0)
        t.span = phi_double(-t.alpha) - phi_double(-t.beta);
    else if (t.beta <= 0)
        t.span = phi_double(t.beta) - phi_double(t.alpha);
    else
        t.span = 1.0 - phi_double(t.alpha) - phi_double(-t.beta);
    t.cdf_alpha = phi_double(t.alpha);
    t.ccdf_beta = phi_double(-t.beta);
    if (single) {
        float lo = (float)a, hi = (float)b;
        while ((double)lo < a)
            lo = nextafterf(lo, INFINITY);
        while ((double)hi > b)
            hi = nextafterf(hi, -INFINITY);
        t.out_low = lo;
        t.out_high = hi;
    } else {
        t.out_low = a;
        t.out_high = b;
    }
    return t;
}

/* A job template carrying the method's parameters from a set. */
static fi_job make_job(fi_method m, const param_set *ps, fi_stream s)
{
    fi_job job;
    memset(&job, 0, sizeof job);
    job.method = m;
    job.stream = s;
    float low32 = (float)ps->low, high32 = (float)ps->high;
    switch (m) {
    case FI_UNIFORM_F32:
        job.params.uniform_f32.low = low32;
        job.params.uniform_f32.scale = high32 - low32;
        job.params.uniform_f32.cap = nextafterf(high32, -INFINITY);
        break;
    case FI_UNIFORM_F64:
        job.params.uniform_f64.low = ps->low;
        job.params.uniform_f64.scale = ps->high - ps->low;
        job.params.uniform_f64.cap = nextafter(ps->high, -INFINITY);
        break;
    case FI_NORMAL_F32:
        job.params.normal_f32.mean = (float)ps->mean;
        job.params.normal_f32.std = (float)ps->std;
        break;
    case FI_NORMAL_F64:
        job.params.normal_f64.mean = ps->mean;
        job.params.normal_f64.std = ps->std;
        break;
    case FI_TRUNCNORM_F32:
    case FI_TRUNCNORM_F64:
        job.params.truncnorm = truncnorm_params(ps->t_mean, ps->t_std, ps->t_a, ps->t_b, m == FI_TRUNCNORM_F32);
        break;
    case FI_UNIFORM_F16:
    case FI_UNIFORM_BF16: {
        int brain = m == FI_UNIFORM_BF16;
        uint16_t cap = half_inside(ps->high, brain, 1);
        if (half_value(cap, brain) >= ps->high)
            cap = (cap & 0x8000u) ? (uint16_t)(cap + 1) : (uint16_t)(cap - 1);
        job.params.uniform_half.low = low32;
        job.params.uniform_half.scale = high32 - low32;
        job.params.uniform_half.cap = nextafterf(high32, -INFINITY);
        job.params.uniform_half.half_cap = (float)half_value(cap, brain);
        break;
    }
    case FI_NORMAL_F16:
    case FI_NORMAL_BF16:
        job.params.normal_f32.mean = (float)ps->mean;
        job.params.normal_f32.std = (float)ps->std;
        break;
    case FI_TRUNCNORM_F16:
    case FI_TRUNCNORM_BF16: {
        int brain = m == FI_TRUNCNORM_BF16;
        job.params.truncnorm = truncnorm_params(ps->t_mean, ps->t_std, ps->t_a, ps->t_b, 1);
        job.params.truncnorm.out_low = half_value(half_inside(ps->t_a, brain, 0), brain);
        job.params.truncnorm.out_high = half_value(half_inside(ps->t_b, brain, 1), brain);
        break;
    }
    default:
        break;
    }
    return job;
}

/* n elements from logical index `first` through the dispatched entry point
 * (the selected instruction-set level). */
static void fill(const fi_job *job, void *out, uint64_t n, uint64_t first, unsigned flags)
{
    fi_fill(job->method, out, n, &job->stream, first, &job->params, flags);
}

/* ------------------------------------------------------------------------ */
/* guarded buffers */

#define GUARD_BYTES 64
#define BUFFER_ALIGN 64

typedef struct guarded {
    unsigned char *base;
    size_t total, lead, len;
} guarded;

static unsigned char canary(size_t k) { return (unsigned char)(0xA5u ^ (unsigned)(k * 29u) ^ (unsigned)(k >> 8)); }

/* A 64-byte aligned allocation: canary bytes, then `len` bytes starting
 * `offset` bytes after the leading guard (also canary), then the trailing
 * guard.  Returns the start of the `len` bytes. */
static void *guarded_alloc(guarded *g, size_t len, size_t offset)
{
    g->lead = GUARD_BYTES + offset;
    g->len = len;
    g->total = (g->lead + len + GUARD_BYTES + BUFFER_ALIGN - 1) / BUFFER_ALIGN * BUFFER_ALIGN;
    g->base = aligned_alloc(BUFFER_ALIGN, g->total);
    if (!g->base) {
        fprintf(stderr, "harness: out of memory\n");
        exit(2);
    }
    for (size_t k = 0; k < g->total; k++)
        g->base[k] = canary(k);
    return g->base + g->lead;
}

/* 1 when every byte outside the `len` bytes still holds its canary. */
static int guards_intact(const guarded *g, size_t *bad_at)
{
    for (size_t k = 0; k < g->total; k++) {
        if (k == g->lead)
            k += g->len;
        if (k < g->total && g->base[k] != canary(k)) {
            *bad_at = k;
            return 0;
        }
    }
    return 1;
}

static void guarded_free(guarded *g) { free(g->base); }

/* ------------------------------------------------------------------------ */
/* values computed independently from the stream format */

static const long double PI_L = 3.141592653589793238462643383279502884L;

static float u24(uint32_t w) { return ldexpf((float)(w >> 8), -24); }
static double u53(uint32_t lo, uint32_t hi) { return ldexp((double)((((uint64_t)hi << 32) | lo) >> 11), -53); }
static float r32(uint32_t w)
{
    float scaled = (float)w * 0x1p-32f;
    return scaled + 0x1p-33f;
}
static double r64(uint32_t lo, uint32_t hi) { return u53(lo, hi) + 0x1p-54; }

static long double ref_phi(long double x) { return 0.5L * erfcl(-x / sqrtl(2.0L)); }
static long double ref_density(long double x) { return expl(-0.5L * x * x) / sqrtl(2.0L * PI_L); }

/* Phi^-1 of the truncated normal's probability for input r, solved by
 * Newton's method in long double from the starting point x0 (the value
 * under test): the fixed point is the true quantile wherever x0 starts, so
 * a wrong x0 shows up as a difference. */
static long double ref_truncnorm(const fi_truncnorm *t, double r, long double x0)
{
    long double p = (long double)t->cdf_alpha + (long double)r * (long double)t->span;
    int upper = !(p <= 0.5L);
    long double target = upper ? (long double)t->ccdf_beta + (1.0L - (long double)r) * (long double)t->span : p;
    if (!(target > 0.0L)) /* Phi^-1(0) = -inf, Phi^-1(1) = +inf: the clamp gives the bound */
        return upper ? (long double)t->beta : (long double)t->alpha;
    long double x = x0;
    if (!(x > -40.0L))
        x = -40.0L;
    if (!(x < 40.0L))
        x = 40.0L;
    for (int it = 0; it < 60; it++) {
        long double f = upper ? ref_phi(-x) - target : ref_phi(x) - target;
        long double d = ref_density(x);
        if (!(d > 0))
            break;
        long double step = upper ? -f / d : f / d;
        if (step > 1.0L)
            step = 1.0L;
        if (step < -1.0L)
            step = -1.0L;
        x -= step;
        if (fabsl(step) <= 1e-17L * (1.0L + fabsl(x)))
            break;
    }
    if (x < t->alpha)
        x = t->alpha;
    if (x > t->beta)
        x = t->beta;
    return x;
}

/* Checks element `index` (logical) of a fill with value at `value`;
 * writes a reason into why[] on failure. */
static int element_matches_format(const fi_job *job, uint64_t index, const void *value, char *why,
                                  size_t why_len)
{
    unsigned epb = elements_per_block(job->method);
    uint64_t block = job->stream.block + index / epb; /* wraps mod 2^64, as the counter does */
    unsigned pos = (unsigned)(index % epb);
    uint32_t w[4];
    ref_block(&job->stream, block, w);
    int brain;
    fi_method single;
    if (is_half_method(job->method, &brain, &single)) {
        /* the float32 element (checked on its own), rounded and clamped as
         * numpy does it to the float32 array */
        fi_job f32 = *job;
        float v;
        uint16_t got, want;
        f32.method = single;
        if (single == FI_UNIFORM_F32) {
            fi_uniform_f32 u = {job->params.uniform_half.low, job->params.uniform_half.scale,
                                job->params.uniform_half.cap};
            f32.params.uniform_f32 = u;
        }
        fill(&f32, &v, 1, index, 0);
        memcpy(&got, value, 2);
        want = half_round(v, brain);
        if (single == FI_UNIFORM_F32) {
            uint16_t cap = half_round(job->params.uniform_half.half_cap, brain);
            double w = half_value(want, brain), c = half_value(cap, brain);
            if (brain ? !(w < c) : w > c)
                want = cap;
        } else if (single == FI_TRUNCNORM_F32) {
            const fi_truncnorm *t = &job->params.truncnorm;
            double w = half_value(want, brain);
            if (w < t->out_low)
                want = half_round((float)t->out_low, brain);
            else if (w > t->out_high)
                want = half_round((float)t->out_high, brain);
        }
        if (got != want) {
            snprintf(why, why_len, "pattern %04x, expected %04x (float32 value %a)", got, want, (double)v);
            return 0;
        }
        return 1;
    }
    switch (job->method) {
    case FI_RAW_U32: {
        uint32_t got;
        memcpy(&got, value, 4);
        if (got != w[pos]) {
            snprintf(why, why_len, "word %08x, expected %08x", got, w[pos]);
            return 0;
        }
        return 1;
    }
    case FI_UNIFORM_F32: {
        float got, want;
        memcpy(&got, value, 4);
        const fi_uniform_f32 *p = &job->params.uniform_f32;
        want = fmaf(p->scale, u24(w[pos]), p->low);
        if (want > p->cap)
            want = p->cap;
        if (memcmp(&got, &want, 4) != 0 || !(got >= p->low && got <= p->cap)) {
            snprintf(why, why_len, "value %a, expected %a", (double)got, (double)want);
            return 0;
        }
        return 1;
    }
    case FI_UNIFORM_F64: {
        double got, want;
        memcpy(&got, value, 8);
        const fi_uniform_f64 *p = &job->params.uniform_f64;
        want = fma(p->scale, u53(w[2 * pos], w[2 * pos + 1]), p->low);
        if (want > p->cap)
            want = p->cap;
        if (memcmp(&got, &want, 8) != 0 || !(got >= p->low && got <= p->cap)) {
            snprintf(why, why_len, "value %a, expected %a", got, want);
            return 0;
        }
        return 1;
    }
    case FI_NORMAL_F32:
    case FI_NORMAL_F64: {
        int single = job->method == FI_NORMAL_F32;
        long double radius, angle, got, mean, std, tol, ulp;
        int odd;
        if (single) {
            unsigned pair = pos / 2;
            radius = sqrtl(-2.0L * logl((long double)r32(w[2 * pair])));
            angle = 2.0L * PI_L * (long double)u24(w[2 * pair + 1]);
            odd = (int)(pos % 2);
            float g;
            memcpy(&g, value, 4);
            got = g;
            mean = job->params.normal_f32.mean;
            std = job->params.normal_f32.std;
            tol = 4e-6L;
            ulp = 0x1p-24L;
        } else {
            radius = sqrtl(-2.0L * logl((long double)r64(w[0], w[1])));
            angle = 2.0L * PI_L * (long double)u53(w[2], w[3]);
            odd = (int)pos;
            double g;
            memcpy(&g, value, 8);
            got = g;
            mean = job->params.normal_f64.mean;
            std = job->params.normal_f64.std;
            tol = 1e-12L;
            ulp = 0x1p-53L;
        }
        long double z = radius * (odd ? sinl(angle) : cosl(angle));
        long double z_got = (got - mean) / std;
        long double scale = fabsl(z) > 1.0L ? fabsl(z) : 1.0L;
        /* the documented accuracy plus the final rounding of mean + std * z */
        long double allowed = tol * scale + 2.0L * ulp * (fabsl(mean) + std * fabsl(z) + std) / std;
        if (!(fabsl(z_got - z) <= allowed)) {
            snprintf(why, why_len, "standardized value %.17Lg, expected %.17Lg (allowed error %.3Lg)", z_got, z,
                     allowed);
            return 0;
        }
        return 1;
    }
    case FI_TRUNCNORM_F32:
    case FI_TRUNCNORM_F64: {
        int single = job->method == FI_TRUNCNORM_F32;
        const fi_truncnorm *t = &job->params.truncnorm;
        long double got, tol, ulp;
        double r;
        if (single) {
            float g;
            memcpy(&g, value, 4);
            got = g;
            r = r32(w[pos]);
            tol = 2e-5L;
            ulp = 0x1p-24L;
        } else {
            double g;
            memcpy(&g, value, 8);
            got = g;
            r = r64(w[2 * pos], w[2 * pos + 1]);
            tol = 1e-11L;
            ulp = 0x1p-53L;
        }
        if (!(got >= t->out_low && got <= t->out_high)) {
            snprintf(why, why_len, "value %.17Lg outside [%.17g, %.17g]", got, t->out_low, t->out_high);
            return 0;
        }
        long double x_got = (got - t->mean) / t->std;
        long double x = ref_truncnorm(t, r, x_got);
        long double scale = fabsl(x) > 1.0L ? fabsl(x) : 1.0L;
        long double allowed = tol * scale + 2.0L * ulp * (fabsl(t->mean) + t->std * fabsl(x) + t->std) / t->std;
        if (!(fabsl(x_got - x) <= allowed)) {
            snprintf(why, why_len, "standardized value %.17Lg, expected %.17Lg (allowed error %.3Lg)", x_got, x,
                     allowed);
            return 0;
        }
        return 1;
    }
    default:
        break;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* fills of every size at many offsets */

#define MAX_N 300
#define MAX_DELTA 300
#define LONG_LEN (MAX_DELTA + MAX_N + 8)

typedef struct stream_config { const char *name; uint64_t seed, stream, block; } stream_config;

static const stream_config STREAM_CONFIGS[] = {
    {"block 0", 0x0123456789abcdefull, 0, 0},
    /* block offsets just below 2^64: the counter wraps inside the fills */
    {"block 2^64-40", 0xffffffffffffffffull, 0xffffffffffffffffull, 0xffffffffffffffffull - 40},
    /* low counter word about to carry into the high word */
    {"block 2^32-7", 1, 1ull << 32, 0xffffffffull - 7},
};
#define N_STREAM_CONFIGS (sizeof STREAM_CONFIGS / sizeof STREAM_CONFIGS[0])

/* Offsets added to each base offset, at block edges (4 or 2 elements) and
 * inside vector batches (AVX2: 128 elements of float32, 64 of float64;
 * AVX-512: 256 and 128).
 * The primary case (first stream, standard parameters, base 0) runs every
 * size 0 .. MAX_N at each of its offsets; the other cases, whose point is
 * the counter arithmetic at large offsets or the parameters, run the sparse
 * sizes at theirs. */
static const uint64_t PRIMARY_DELTAS[] = {0, 1, 3, 65, 127};
static const uint64_t OTHER_DELTAS[] = {0, 1, 3, 63, 65, 128, 257, 300};
#define N_PRIMARY_DELTAS (sizeof PRIMARY_DELTAS / sizeof PRIMARY_DELTAS[0])
#define N_OTHER_DELTAS (sizeof OTHER_DELTAS / sizeof OTHER_DELTAS[0])

static const uint64_t SPARSE_SIZES[] = {0,  1,  2,  3,  4,   5,   6,   7,   8,   9,   15,  16,  17,  31, 32,
                                        33, 63, 64, 65, 127, 128, 129, 130, 191, 192, 255, 256, 257, 300};
#define N_SPARSE_SIZES (sizeof SPARSE_SIZES / sizeof SPARSE_SIZES[0])

/* Base element offsets: 0, near 2^40, across the 2^32 carry of the block
 * counter, and at the very end of the element index range. */
static uint64_t base_offset(int which, fi_method m)
{
    uint64_t epb = elements_per_block(m);
    switch (which) {
    case 0: return 0;
    case 1: return (1ull << 40) - 67;
    case 2: return (epb << 32) - 150;
    default: return UINT64_MAX - (uint64_t)LONG_LEN;
    }
}
#define N_BASES 4

static void test_fill_case(const fi_job *job, const char *what, uint64_t base, int primary)
{
    unsigned size = fi_method_itemsize(job->method);
    char why[256];

    /* Scalar reference over the whole range, checked element by element. */
    select_level(FI_ISA_SCALAR);
    guarded expected_buffer;
    unsigned char *expected = guarded_alloc(&expected_buffer, (size_t)LONG_LEN * size, 0);
    fill(job, expected, LONG_LEN, base, 0);
    size_t expected_bad_at = 0;
    check(guards_intact(&expected_buffer, &expected_bad_at), "%s: scalar fill of %d elements overwrote guard byte %ld",
          what, LONG_LEN, (long)expected_bad_at - (long)expected_buffer.lead);
    unsigned long bad = 0;
    for (uint64_t i = 0; i < LONG_LEN; i++) {
        if (!element_matches_format(job, base + i, expected + i * size, why, sizeof why)) {
            if (bad++ == 0)
                check(0, "%s: scalar element %" PRIu64 " (index %" PRIu64 "): %s", what, i, base + i, why);
        }
    }
    if (bad == 0)
        pass();
    else if (bad > 1)
        check(0, "%s: %lu scalar elements differ from the stream format", what, bad);

    size_t n_deltas = primary ? N_PRIMARY_DELTAS : N_OTHER_DELTAS;
    for (size_t d = 0; d < n_deltas; d++) {
        uint64_t delta = primary ? PRIMARY_DELTAS[d] : OTHER_DELTAS[d];
        size_t n_sizes = primary ? MAX_N + 1 : N_SPARSE_SIZES;
        for (size_t k = 0; k < n_sizes; k++) {
            uint64_t n = primary ? k : SPARSE_SIZES[k];
            uint64_t first = base + delta;
            for (int level = 0; level < n_levels; level++) {
                select_level(level);
                for (unsigned flags = 0; flags <= (level == FI_ISA_SCALAR ? 0u : FI_FLAG_STREAMING_STORES);
                     flags++) {
                    /* every element alignment relative to 64 bytes, in turn */
                    size_t offset_elems = (size_t)((n + 3 * d + 5 * (uint64_t)level + flags) % (BUFFER_ALIGN / size));
                    guarded g;
                    unsigned char *out = guarded_alloc(&g, (size_t)n * size, offset_elems * size);
                    fill(job, out, n, first, flags);
                    size_t bad_at = 0;
                    int guards_ok = guards_intact(&g, &bad_at);
                    int same = memcmp(out, expected + delta * size, (size_t)n * size) == 0;
                    if (guards_ok && same) {
                        pass();
                    } else {
                        long first_diff = -1;
                        for (uint64_t i = 0; i < n && first_diff < 0; i++)
                            if (memcmp(out + i * size, expected + (delta + i) * size, size) != 0)
                                first_diff = (long)i;
                        check(0,
                              "%s: %s flags=%u first=%" PRIu64 " n=%" PRIu64 " offset=%zu bytes: %s%s (first "
                              "differing element %ld; guard byte %ld changed)",
                              what, fi_isa_name(level), flags, first, n, offset_elems * size,
                              guards_ok ? "" : "guard bytes overwritten; ",
                              same ? "" : "values differ from the scalar path", first_diff,
                              guards_ok ? -1L : (long)bad_at - (long)g.lead);
                    }
                    guarded_free(&g);
                }
            }
        }
    }
    guarded_free(&expected_buffer);
}

static void test_fills(void)
{
    char what[256];
    for (size_t c = 0; c < N_STREAM_CONFIGS; c++) {
        const stream_config *sc = &STREAM_CONFIGS[c];
        fi_stream s = make_stream(sc->seed, sc->stream, sc->block);
        for (size_t m = 0; m < N_METHODS; m++) {
            for (size_t p = 0; p < N_PARAM_SETS; p++) {
                /* raw words have no parameters; the other sets run at the
                 * first base offset of the first stream only */
                if (METHODS[m] == FI_RAW_U32 && p > 0)
                    continue;
                for (int b = 0; b < N_BASES; b++) {
                    if (p > 0 && (c > 0 || b > 0))
                        continue;
                    fi_job job = make_job(METHODS[m], &PARAM_SETS[p], s);
                    uint64_t base = base_offset(b, METHODS[m]);
                    snprintf(what, sizeof what, "%s %s (%s), %s, base %" PRIu64, method_name(METHODS[m]),
                             PARAM_SETS[p].name, sc->name, b == 0 ? "offset 0" : "large offset", base);
                    test_fill_case(&job, what, base, c == 0 && p == 0 && b == 0);
                }
            }
        }
    }
}

/* Degenerate truncated normal (std 0 or bounds far in a tail): the plan is
 * a point mass, every element equal to the clamped mean. */
static void test_truncnorm_point_mass(void)
{
    const double value = 0.75;
    for (int single = 0; single <= 1; single++) {
        fi_job job;
        memset(&job, 0, sizeof job);
        job.method = single ? FI_TRUNCNORM_F32 : FI_TRUNCNORM_F64;
        job.stream = make_stream(99, 3, 12345);
        fi_truncnorm t = {value, 1.0, 0.0, 0.0, 0.5, 0.5, 0.0, value, value};
        job.params.truncnorm = t;
        for (int level = 0; level < n_levels; level++) {
            select_level(level);
            enum { N = 257 };
            double d[N];
            float f[N];
            fill(&job, single ? (void *)f : (void *)d, N, 77, 0);
            int ok = 1;
            for (int i = 0; i < N; i++)
                ok &= single ? f[i] == (float)value : d[i] == value;
            check(ok, "point-mass %s on %s: not every element equals %g", method_name(job.method),
                  fi_isa_name(level), value);
        }
    }
}

/* R32 = 1 (a word of 2^32 - 128 or more: about one float32 element in 2^25)
 * gives p = Phi(beta), whose quantile is beta itself: the element equals the
 * upper bound b, however far in the tail b lies (the complementary
 * probability 1 - p is then subnormal or zero). */
static void test_truncnorm_unit_input(void)
{
    /* Element 77404625 of seed 1, stream 0, block offset 0 has word
     * 0xffffffee; the reference Philox confirms it below. */
    const uint64_t index = 77404625;
    fi_stream s = make_stream(1, 0, 0);
    uint32_t w[4];
    ref_block(&s, s.block + index / 4, w);
    uint32_t word = w[index % 4];
    check(word >= 0xFFFFFF80u, "word %" PRIu64 " of seed 1 is %08x, not one giving R32 = 1", index, word);
    if (word < 0xFFFFFF80u)
        return;
    check(r32(word) == 1.0f, "R32(%08x) = %a, expected 1", word, (double)r32(word));
    static const double uppers[] = {2.0, 30.0, 37.0, 38.0, 38.3, 1e3};
    char why[256];
    for (size_t k = 0; k < sizeof uppers / sizeof uppers[0]; k++) {
        param_set ps = PARAM_SETS[0];
        ps.t_a = 0.0;
        ps.t_b = uppers[k];
        fi_job job = make_job(FI_TRUNCNORM_F32, &ps, s);
        for (int level = 0; level < n_levels; level++) {
            select_level(level);
            float v[3];
            fill(&job, v, 3, index - 1, 0);
            int ok = element_matches_format(&job, index, &v[1], why, sizeof why);
            check(ok && (double)v[1] == job.params.truncnorm.out_high,
                  "truncnorm_f32 on [0, %g] (standard units) on %s, element %" PRIu64 " with R32 = 1: %.9g, "
                  "expected the upper bound %.9g%s%s",
                  uppers[k], fi_isa_name(level), index, (double)v[1], job.params.truncnorm.out_high, ok ? "" : "; ",
                  ok ? "" : why);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* fi_run_job */

typedef struct job_geometry {
    const char *name;
    uint64_t rows, cols;         /* logical array */
    uint64_t r0, r1, c0, c1;     /* region */
    int contiguous;              /* run_first NULL, one logical range */
    uint64_t contiguous_run_len; /* run_len used when contiguous */
    uint64_t base;               /* logical index of element (0, 0) */
} job_geometry;

/* Totals above 6 * 1024 elements, so that 7 threads all get a share; 6145
 * = 3 * 2048 + 1 leaves a remainder beyond whole 1024-element shares for 2
 * and 3 threads. */
static const job_geometry GEOMETRIES[] = {
    {"region 29x229 of 33x251", 33, 251, 2, 31, 7, 236, 0, 0, (1ull << 40) + 12345},
    {"column 2100x1 of 2100x7", 2100, 7, 0, 2100, 3, 4, 0, 0, 5},
    {"contiguous 6145, one run", 1, 6145, 0, 1, 0, 6145, 1, 6145, 333},
    {"contiguous 6500, runs of 1000", 1, 6500, 0, 1, 0, 6500, 1, 1000, UINT64_MAX - 6500},
};
#define N_GEOMETRIES (sizeof GEOMETRIES / sizeof GEOMETRIES[0])

static const int THREAD_COUNTS[] = {1, 2, 3, 7};
#define N_THREAD_COUNTS (sizeof THREAD_COUNTS / sizeof THREAD_COUNTS[0])

static void report_job(int ok_guards, int ok_values, const char *what, const char *variant, int level,
                       int threads, unsigned flags)
{
    check(ok_guards && ok_values, "fi_run_job %s, %s, %s, %d threads, flags=%u:%s%s", what, variant,
          fi_isa_name(level), threads, flags, ok_guards ? "" : " guard bytes overwritten;",
          ok_values ? "" : " values differ from the single-thread per-run fill");
}

static void test_job_case(fi_job job, const job_geometry *geo, const char *what)
{
    unsigned size = fi_method_itemsize(job.method);
    uint64_t run_len = geo->contiguous ? geo->contiguous_run_len : geo->c1 - geo->c0;
    uint64_t n_runs = geo->r1 - geo->r0;
    uint64_t total = geo->contiguous ? geo->cols : n_runs * run_len;
    uint64_t *run_first = xmalloc((size_t)n_runs * sizeof *run_first);
    for (uint64_t r = 0; r < n_runs; r++)
        run_first[r] = geo->base + (geo->r0 + r) * geo->cols + geo->c0;
    unsigned char *expected = xmalloc((size_t)total * size);

    /* reference: one scalar fill per logical run */
    select_level(FI_ISA_SCALAR);
    if (geo->contiguous)
        fill(&job, expected, total, geo->base, 0);
    else
        for (uint64_t r = 0; r < n_runs; r++)
            fill(&job, expected + r * run_len * size, run_len, run_first[r], 0);

    job.run_len = run_len;
    job.first = geo->base;
    /* uneven pieces, as an interruptible caller makes them */
    uint64_t cuts[] = {0, 1500, 1501, 4099, total};
    size_t n_cuts = sizeof cuts / sizeof cuts[0];
    for (size_t i = 1; i < n_cuts; i++)
        if (cuts[i] > total)
            cuts[i] = total;

    for (int level = 0; level < n_levels; level++) {
        select_level(level);
        for (size_t ti = 0; ti < N_THREAD_COUNTS; ti++) {
            int threads = THREAD_COUNTS[ti];
            /* the scalar path has no streaming stores */
            unsigned last_flags = level == FI_ISA_SCALAR ? 0u : FI_FLAG_STREAMING_STORES;
            for (unsigned flags = 0; flags <= last_flags; flags++) {
                job.flags = flags;
                guarded g;
                size_t bad_at = 0;

                /* the whole job into one destination */
                job.out = guarded_alloc(&g, (size_t)total * size, 0);
                job.out_origin = 0;
                job.run_base = 0;
                job.run_first = geo->contiguous ? NULL : run_first;
                fi_run_job(&job, 0, total, threads);
                report_job(guards_intact(&g, &bad_at), memcmp(job.out, expected, (size_t)total * size) == 0,
                           what, "whole", level, threads, flags);
                guarded_free(&g);

                /* pieces into the full destination, run table sliced per piece */
                job.out = guarded_alloc(&g, (size_t)total * size, size * (size_t)(threads % 3));
                for (size_t i = 0; i + 1 < n_cuts; i++) {
                    uint64_t begin = cuts[i], end = cuts[i + 1];
                    if (begin >= end)
                        continue;
                    job.run_base = geo->contiguous ? 0 : begin / run_len;
                    job.run_first = geo->contiguous ? NULL : run_first + job.run_base;
                    fi_run_job(&job, begin, end, threads);
                }
                report_job(guards_intact(&g, &bad_at), memcmp(job.out, expected, (size_t)total * size) == 0,
                           what, "pieces in place", level, threads, flags);
                guarded_free(&g);

                /* each piece into its own window (out_origin = begin) */
                for (size_t i = 0; i + 1 < n_cuts; i++) {
                    uint64_t begin = cuts[i], end = cuts[i + 1];
                    if (begin >= end)
                        continue;
                    job.out = guarded_alloc(&g, (size_t)(end - begin) * size, size * (size_t)(i % 5));
                    job.out_origin = begin;
                    job.run_base = geo->contiguous ? 0 : begin / run_len;
                    job.run_first = geo->contiguous ? NULL : run_first + job.run_base;
                    fi_run_job(&job, begin, end, threads);
                    report_job(guards_intact(&g, &bad_at),
                               memcmp(job.out, expected + begin * size, (size_t)(end - begin) * size) == 0, what,
                               "window", level, threads, flags);
                    guarded_free(&g);
                }
                job.out_origin = 0;

                /* an empty range writes nothing */
                job.out = guarded_alloc(&g, 0, 0);
                job.out_origin = 17;
                job.run_base = 0;
                job.run_first = geo->contiguous ? NULL : run_first;
                fi_run_job(&job, 17, 17, threads);
                check(guards_intact(&g, &bad_at), "fi_run_job %s: empty range wrote to the destination", what);
                guarded_free(&g);
                job.out_origin = 0;
            }
        }
    }
    free(expected);
    free(run_first);
}

/* The runner treats every method alike apart from its element size, so
 * one method of each size runs on every geometry and the others on the
 * region geometry only. */
static void test_jobs(void)
{
    char what[256];
    fi_stream streams[2] = {make_stream(0x243f6a8885a308d3ull, 7, 0),
                            make_stream(0xdeadbeefcafef00dull, 0xffffffffffffffffull, UINT64_MAX - 1000)};
    for (size_t geo = 0; geo < N_GEOMETRIES; geo++) {
        for (size_t m = 0; m < N_METHODS; m++) {
            if (geo > 0 && METHODS[m] != FI_RAW_U32 && METHODS[m] != FI_UNIFORM_F64)
                continue;
            fi_stream s = streams[(geo + m) % 2];
            fi_job job = make_job(METHODS[m], &PARAM_SETS[1], s);
            snprintf(what, sizeof what, "%s %s", GEOMETRIES[geo].name, method_name(METHODS[m]));
            test_job_case(job, &GEOMETRIES[geo], what);
        }
    }
}

/* Streaming fills of several batches into outputs at every element
 * alignment: a misaligned output goes through the driver's staged path,
 * which cuts aligned units across batch boundaries. */
static void test_streaming_alignment(void)
{
    static const uint64_t sizes[] = {512, 777, 1100, 2053};
    static const uint64_t firsts[] = {0, 1, 130, (1ull << 32) * 4 - 700};
    fi_stream s = make_stream(0xfeedfacecafebeefull, 17, 5);
    for (size_t m = 0; m < N_METHODS; m++) {
        fi_job job = make_job(METHODS[m], &PARAM_SETS[0], s);
        unsigned size = fi_method_itemsize(job.method);
        for (size_t f = 0; f < sizeof firsts / sizeof firsts[0]; f++) {
            for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
                uint64_t n = sizes[k], first = firsts[f];
                select_level(FI_ISA_SCALAR);
                guarded expected_buffer;
                unsigned char *expected = guarded_alloc(&expected_buffer, (size_t)n * size, 0);
                fill(&job, expected, n, first, 0);
                for (int level = 1; level < n_levels; level++) {
                    select_level(level);
                    for (size_t offset = 0; offset < BUFFER_ALIGN / size; offset++) {
                        guarded g;
                        unsigned char *out = guarded_alloc(&g, (size_t)n * size, offset * size);
                        fill(&job, out, n, first, FI_FLAG_STREAMING_STORES);
                        size_t bad_at = 0;
                        int guards_ok = guards_intact(&g, &bad_at);
                        int same = memcmp(out, expected, (size_t)n * size) == 0;
                        if (guards_ok && same)
                            pass();
                        else
                            check(0, "streaming %s on %s, first=%" PRIu64 " n=%" PRIu64 " at byte offset %zu: %s%s",
                                  method_name(job.method), fi_isa_name(level), first, n, offset * size,
                                  guards_ok ? "" : "guard bytes overwritten; ", same ? "" : "values differ from scalar");
                        guarded_free(&g);
                    }
                }
                guarded_free(&expected_buffer);
            }
        }
    }
}

/* ------------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    const char *kat_path = argc > 1 ? argv[1] : NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_isa_selection();
    test_kat(kat_path);
    test_truncnorm_point_mass();
    test_truncnorm_unit_input();
    test_streaming_alignment();
    clock_t start = clock();
    test_fills();
    printf("harness: fills checked (%.1f s CPU)\n", (double)(clock() - start) / CLOCKS_PER_SEC);
    start = clock();
    test_jobs();
    printf("harness: jobs checked (%.1f s CPU)\n", (double)(clock() - start) / CLOCKS_PER_SEC);
    printf("harness: %lu passed, %lu failed\n", n_passed, n_failed);
    return n_failed > 0 ? 1 : 0;
}
