# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin wrapper over the C fill engine.

Arguments arrive validated from ``fastinit._engine``; this module only
unpacks them into a C job and runs it with the GIL released, in pieces so
that signals (Ctrl-C) are handled between pieces.
"""
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport uint32_t, uint64_t
from libc.string cimport memset

from . cimport _cfill as c

METHOD_CODES = {
    ("raw", "uint32"): c.FI_RAW_U32,
    ("uniform", "float32"): c.FI_UNIFORM_F32,
    ("uniform", "float64"): c.FI_UNIFORM_F64,
    ("normal", "float32"): c.FI_NORMAL_F32,
    ("normal", "float64"): c.FI_NORMAL_F64,
    ("truncated_normal", "float32"): c.FI_TRUNCNORM_F32,
    ("truncated_normal", "float64"): c.FI_TRUNCNORM_F64,
}

ISA_LEVELS = tuple(c.fi_isa_name(level).decode() for level in range(c.FI_ISA_COUNT))


def isa_supported():
    """Name of the highest instruction-set level this CPU runs."""
    return c.fi_isa_name(c.fi_isa_supported()).decode()


def isa_selected():
    """Name of the instruction-set level the fills use."""
    return c.fi_isa_name(c.fi_isa_selected()).decode()


def select_isa(str name):
    """Use instruction-set level `name`; ValueError if unknown or unsupported."""
    if name not in ISA_LEVELS:
        raise ValueError(
            f"unknown instruction-set level {name!r}; expected one of {', '.join(ISA_LEVELS)}")
    if c.fi_isa_select(ISA_LEVELS.index(name)) != 0:
        raise ValueError(
            f"instruction-set level {name!r} is not available on this CPU "
            f"(it supports up to {isa_supported()!r})")


def philox4x32_10(counter, key):
    """The raw Philox4x32-10 bijection: 4 counter words, 2 key words -> 4 words."""
    cdef uint32_t ctr[4]
    cdef uint32_t k[2]
    cdef uint32_t out[4]
    for i in range(4):
        ctr[i] = counter[i]
    k[0] = key[0]
    k[1] = key[1]
    c.fi_philox4x32_10(ctr, k, out)
    return (out[0], out[1], out[2], out[3])


def fill(int method, unsigned char[::1] dest, uint64_t dest_origin, uint64_t begin,
         uint64_t end, uint64_t run_len, uint64_t run_base, const uint64_t[::1] run_first,
         uint64_t first, uint64_t seed, uint64_t stream, uint64_t block, tuple params,
         bint streaming, int threads, uint64_t piece):
    """Fill destination elements [begin, end) of a job into `dest`.

    `dest` holds elements dest_origin ... as raw bytes; see fi_parallel.h for
    the run layout.  `params` is the method's parameter tuple.  The work is
    split into pieces of `piece` elements; between pieces pending signals
    are handled, so KeyboardInterrupt stops a long fill promptly.
    """
    cdef c.fi_job job
    memset(&job, 0, sizeof(job))
    job.method = <c.fi_method>method
    job.out = <void *>&dest[0] if dest.shape[0] > 0 else NULL
    job.out_origin = dest_origin
    job.run_len = run_len
    job.run_base = run_base
    job.run_first = &run_first[0] if run_first is not None and run_first.shape[0] > 0 else NULL
    job.first = first
    job.stream.key[0] = <uint32_t>seed
    job.stream.key[1] = <uint32_t>(seed >> 32)
    job.stream.stream[0] = <uint32_t>stream
    job.stream.stream[1] = <uint32_t>(stream >> 32)
    job.stream.block = block
    job.flags = c.FI_FLAG_STREAMING_STORES if streaming else 0
    if job.method == c.FI_UNIFORM_F32:
        job.uniform_f32.low, job.uniform_f32.scale, job.uniform_f32.cap = params
    elif job.method == c.FI_UNIFORM_F64:
        job.uniform_f64.low, job.uniform_f64.scale, job.uniform_f64.cap = params
    elif job.method == c.FI_NORMAL_F32:
        job.normal_f32.mean, job.normal_f32.std = params
    elif job.method == c.FI_NORMAL_F64:
        job.normal_f64.mean, job.normal_f64.std = params
    elif job.method == c.FI_TRUNCNORM_F32 or job.method == c.FI_TRUNCNORM_F64:
        (job.truncnorm.mean, job.truncnorm.std, job.truncnorm.alpha, job.truncnorm.beta,
         job.truncnorm.cdf_alpha, job.truncnorm.ccdf_beta, job.truncnorm.span,
         job.truncnorm.out_low, job.truncnorm.out_high) = params
    cdef uint64_t itemsize = c.fi_method_itemsize(job.method)
    if end > begin:
        if begin < dest_origin or (end - dest_origin) * itemsize > <uint64_t>dest.shape[0]:
            raise ValueError("destination buffer does not cover the requested elements")
        if run_len == 0:
            raise ValueError("run length must be positive")
        if job.run_first != NULL and (
                begin // run_len < run_base
                or (end - 1) // run_len - run_base >= <uint64_t>run_first.shape[0]):
            raise ValueError("run offsets do not cover the requested elements")
    if piece == 0:
        piece = 1
    cdef uint64_t lo = begin, hi
    while lo < end:
        hi = end if end - lo <= piece else lo + piece
        with nogil:
            c.fi_run_job(&job, lo, hi, threads)
        PyErr_CheckSignals()
        lo = hi
