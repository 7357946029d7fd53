#include "fi_dispatch.h"
#include "fi_target.h"

#if FI_HAVE_X86_PATHS
#include <cpuid.h>

/* XCR0: which register states the OS saves on a context switch. */
static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static int detect_isa(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return FI_ISA_SCALAR;
    const unsigned osxsave = 1u << 27, avx = 1u << 28, fma = 1u << 12;
    if ((c & (osxsave | avx | fma)) != (osxsave | avx | fma))
        return FI_ISA_SCALAR;
    uint64_t xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) /* XMM and YMM state */
        return FI_ISA_SCALAR;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return FI_ISA_SCALAR;
    if (!(b & (1u << 5))) /* AVX2 */
        return FI_ISA_SCALAR;
    const unsigned avx512f = 1u << 16, avx512dq = 1u << 17;
    if ((b & (avx512f | avx512dq)) == (avx512f | avx512dq) && (xcr0 & 0xe6) == 0xe6) /* opmask, ZMM */
        return FI_ISA_AVX512;
    return FI_ISA_AVX2;
}
#else
static int detect_isa(void) { return FI_ISA_SCALAR; }
#endif

static int supported_level = -1;
static int selected_level = -1;

int fi_isa_supported(void)
{
    if (supported_level < 0) {
        int level = detect_isa();
        if (level == FI_ISA_AVX512 && !fi_kernels_avx512_table)
            level = FI_ISA_AVX2;
        if (level == FI_ISA_AVX2 && !fi_kernels_avx2_table)
            level = FI_ISA_SCALAR;
        supported_level = level;
    }
    return supported_level;
}

int fi_isa_select(int level)
{
    if (level < 0 || level > fi_isa_supported())
        return -1;
    selected_level = level;
    return 0;
}

int fi_isa_selected(void)
{
    if (selected_level < 0)
        selected_level = fi_isa_supported();
    return selected_level;
}

const char *fi_isa_name(int level)
{
    static const char *const names[FI_ISA_COUNT] = {"scalar", "avx2", "avx512"};
    return level >= 0 && level < FI_ISA_COUNT ? names[level] : "unknown";
}

static const fi_kernel *active(void)
{
    switch (fi_isa_selected()) {
    case FI_ISA_AVX512:
        return fi_kernels_avx512_table;
    case FI_ISA_AVX2:
        return fi_kernels_avx2_table;
    default:
        return fi_kernels_scalar_table;
    }
}

void fi_fill(fi_method method, void *out, uint64_t n, const fi_stream *s, uint64_t first, const fi_params *p,
             unsigned flags)
{
    active()[method](out, n, s, first, p, flags);
}

#define FI_TYPED_FILL(CODE, name, out_t, params, per_block, paths)                                        \
    void fi_fill_##name(out_t *out, uint64_t n, const fi_stream *s, uint64_t first, const fi_##params *p, \
                        unsigned flags)                                                                   \
    {                                                                                                     \
        fi_params all;                                                                                    \
        if (p)                                                                                            \
            all.params = *p;                                                                              \
        active()[FI_##CODE](out, n, s, first, &all, flags);                                               \
    }
FI_METHODS(FI_TYPED_FILL)
#undef FI_TYPED_FILL

unsigned fi_method_itemsize(int method)
{
    switch (method) {
#define FI_ITEMSIZE_CASE(CODE, name, out_t, params, per_block, paths) case FI_##CODE: return sizeof(out_t);
        FI_METHODS(FI_ITEMSIZE_CASE)
#undef FI_ITEMSIZE_CASE
    }
    return 0;
}

unsigned fi_method_elements_per_block(int method)
{
    switch (method) {
#define FI_PER_BLOCK_CASE(CODE, name, out_t, params, per_block, paths) case FI_##CODE: return per_block;
        FI_METHODS(FI_PER_BLOCK_CASE)
#undef FI_PER_BLOCK_CASE
    }
    return 0;
}

const char *fi_method_name(int method)
{
    switch (method) {
#define FI_NAME_CASE(CODE, name, out_t, params, per_block, paths) case FI_##CODE: return #name;
        FI_METHODS(FI_NAME_CASE)
#undef FI_NAME_CASE
    }
    return 0;
}

int fi_params_set(int method, const double *values, unsigned count, fi_params *p)
{
#define FI_COUNT_FIELD(type, field) +1u
#define FI_SET_FIELD(type, field) dst->field = (type)*values++;
#define FI_SET_CASE(CODE, name, out_t, params, per_block, paths) \
    case FI_##CODE: {                                            \
        fi_##params *dst = &p->params;                           \
        if (count != 0u FI_PARAMS_##params(FI_COUNT_FIELD))      \
            return -1;                                           \
        (void)dst;                                               \
        FI_PARAMS_##params(FI_SET_FIELD) return 0;               \
    }
    switch (method) {
        FI_METHODS(FI_SET_CASE)
    }
    return -1;
#undef FI_SET_CASE
#undef FI_SET_FIELD
#undef FI_COUNT_FIELD
}
