# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""Thin wrapper over the C fill engine.

Arguments arrive validated from ``fastinit._engine``; this module only
unpacks them into a C job and runs it with the GIL released, in pieces so
that signals (Ctrl-C) are handled between pieces.
"""
cimport cython
from cpython.exc cimport PyErr_CheckSignals
from libc.stdint cimport UINT64_MAX, uint32_t, uint64_t
from libc.math cimport signbit
from libc.string cimport memset

cimport numpy as cnp

cnp.import_array()

from . cimport _cfill as c

# The C method table (csrc/fi_methods.h) names each method <kind>_<dtype>.
_KINDS = {"raw": "raw", "uniform": "uniform", "normal": "normal", "truncnorm": "truncated_normal"}
_DTYPES = {"u32": "uint32", "f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16"}


def _method_key(int code):
    kind, _, dtype = c.fi_method_name(code).decode().rpartition("_")
    return (_KINDS[kind], _DTYPES[dtype])


# (method, dtype name) -> method code, output elements per Philox block, and
# bytes per output element
METHOD_CODES = {_method_key(code): code for code in range(c.FI_METHOD_COUNT)}
ELEMENTS_PER_BLOCK = {key: c.fi_method_elements_per_block(code) for key, code in METHOD_CODES.items()}
ITEMSIZES = {key: c.fi_method_itemsize(code) for key, code in METHOD_CODES.items()}

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


cdef uint32_t _word(value, str what) except? 0:
    """A Python int in [0, 2**32) as a uint32 (numpy's errors for others)."""
    if isinstance(value, bool) or not hasattr(value, "__index__"):
        raise TypeError(f"{what} must be integers, got {type(value).__name__}")
    value = value.__index__()
    if not 0 <= value < 2**32:
        raise ValueError(f"{what} must be in [0, 2**32), got {value}")
    return <uint32_t>value


def philox4x32_10(counter, key):
    """The raw Philox4x32-10 bijection: 4 counter words, 2 key words -> 4 words."""
    cdef uint32_t ctr[4]
    cdef uint32_t k[2]
    cdef uint32_t out[4]
    counter = tuple(counter)
    key = tuple(key)
    if len(counter) != 4:
        raise ValueError(f"counter must have 4 words, got {len(counter)}")
    if len(key) != 2:
        raise ValueError(f"key must have 2 words, got {len(key)}")
    for i in range(4):
        ctr[i] = _word(counter[i], "counter words")
    for i in range(2):
        k[i] = _word(key[i], "key words")
    c.fi_philox4x32_10(ctr, k, out)
    return (out[0], out[1], out[2], out[3])


cdef inline void _set_words(c.fi_job *job, uint64_t seed, uint64_t stream,
                            uint64_t block) noexcept:
    job.stream.key[0] = <uint32_t>seed
    job.stream.key[1] = <uint32_t>(seed >> 32)
    job.stream.stream[0] = <uint32_t>stream
    job.stream.stream[1] = <uint32_t>(stream >> 32)
    job.stream.block = block


cdef int _job_init(c.fi_job *job, int method, uint64_t first, uint64_t seed, uint64_t stream,
                   uint64_t block, tuple params, bint streaming) except -1:
    """The parts of a job that do not depend on the destination."""
    cdef double values[c.FI_MAX_PARAMS]
    cdef Py_ssize_t count = len(params)
    if not 0 <= method < c.FI_METHOD_COUNT:
        raise ValueError(f"unknown method code {method}")
    if count > c.FI_MAX_PARAMS:
        raise ValueError(f"too many parameters ({count}) for method code {method}")
    memset(job, 0, sizeof(c.fi_job))
    job.method = <c.fi_method>method
    job.first = first
    _set_words(job, seed, stream, block)
    job.flags = c.FI_FLAG_STREAMING_STORES if streaming else 0
    for i in range(count):
        values[i] = params[i]
    if c.fi_params_set(method, values, <unsigned>count, &job.params) != 0:
        raise ValueError(f"method code {method} does not take {count} parameters")
    return 0


cdef int _run_in_pieces(const c.fi_job *job, uint64_t begin, uint64_t end, int threads,
                        uint64_t piece) except -1:
    # Between pieces pending signals are handled, so KeyboardInterrupt stops
    # a long fill promptly.
    if piece == 0:
        piece = 1
    cdef uint64_t lo = begin, hi
    while lo < end:
        hi = end if end - lo <= piece else lo + piece
        with nogil:
            c.fi_run_job(job, lo, hi, threads)
        PyErr_CheckSignals()
        lo = hi
    return 0


def fill(int method, unsigned char[::1] dest, uint64_t dest_origin, uint64_t begin,
         uint64_t end, uint64_t run_len, uint64_t run_base, const uint64_t[::1] run_first,
         uint64_t first, uint64_t seed, uint64_t stream, uint64_t block, tuple params,
         bint streaming, int threads, uint64_t piece):
    """Fill destination elements [begin, end) of a job into `dest`.

    `dest` holds elements dest_origin ... as raw bytes; see fi_parallel.h for
    the run layout.  `params` is the method's parameter tuple.  The work is
    split into pieces of `piece` elements, with signals handled in between.
    """
    cdef c.fi_job job
    _job_init(&job, method, first, seed, stream, block, params, streaming)
    job.out = <void *>&dest[0] if dest.shape[0] > 0 else NULL
    job.out_origin = dest_origin
    job.run_len = run_len
    job.run_base = run_base
    job.run_first = &run_first[0] if run_first is not None and run_first.shape[0] > 0 else NULL
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
    _run_in_pieces(&job, begin, end, threads, piece)


@cython.auto_pickle(False)
cdef class WholeArrayJob:
    """A job that fills every element of an output of one dtype and shape
    with consecutive logical elements ``first ...``: the one-run case of
    :func:`fill`, prepared once (method, parameters) and run for each output
    with its own words.
    """
    cdef c.fi_job job
    cdef int threads
    cdef uint64_t piece
    cdef object dtype
    cdef tuple shape
    cdef uint64_t max_block

    def __init__(self, int method, uint64_t first, tuple params, bint streaming, int threads,
                 uint64_t piece, dtype, tuple shape, uint64_t needed_blocks):
        _job_init(&self.job, method, first, 0, 0, 0, params, streaming)
        self.threads = threads
        self.piece = piece
        self.dtype = dtype
        self.shape = shape
        # the fill's last block must stay below 2**64
        self.max_block = UINT64_MAX if needed_blocks == 0 else UINT64_MAX - needed_blocks + 1

    def fill(self, out, uint64_t seed, uint64_t stream, uint64_t block):
        """Fill `out` from words ``block ...`` of stream (`seed`, `stream`).

        Returns False, having written nothing, unless `out` is a NumPy array
        (not a subclass) of exactly the job's dtype and shape that the core
        can write directly (writable, aligned, C-contiguous) and the fill's
        blocks stay within the stream: the caller's general path handles
        (or refuses) everything else.
        """
        if type(out) is not cnp.ndarray or block > self.max_block:
            return False
        cdef cnp.ndarray array = <cnp.ndarray>out
        if <object>cnp.PyArray_DESCR(array) is not self.dtype:
            return False
        cdef int ndim = cnp.PyArray_NDIM(array)
        if ndim != len(self.shape):
            return False
        cdef cnp.npy_intp *dims = cnp.PyArray_DIMS(array)
        for i in range(ndim):
            if dims[i] != <cnp.npy_intp>self.shape[i]:
                return False
        if not (cnp.PyArray_IS_C_CONTIGUOUS(array) and cnp.PyArray_ISALIGNED(array)
                and cnp.PyArray_ISWRITEABLE(array)):
            return False
        self._fill_at(cnp.PyArray_DATA(array), <uint64_t>cnp.PyArray_SIZE(array), seed, stream,
                      block)
        return True

    def fill_address(self, size_t address, uint64_t size, uint64_t seed, uint64_t stream,
                     uint64_t block):
        """Fill `size` items at memory `address` (a CPU tensor's ``data_ptr()``).

        The caller guarantees that `address` starts `size` contiguous,
        writable, aligned items of the method's output type: this is the
        path of tensors, whose NumPy views cost more than a small fill.
        """
        self._fill_at(<void *>address, size, seed, stream, block)

    cdef int _fill_at(self, void *address, uint64_t size, uint64_t seed, uint64_t stream,
                      uint64_t block) except -1:
        if size == 0:
            return 0
        # a copy per call: the same prepared job may run in several threads
        cdef c.fi_job job = self.job
        _set_words(&job, seed, stream, block)
        job.out = address
        job.run_len = size
        _run_in_pieces(&job, 0, size, self.threads, self.piece)
        return 0


def signed_key(tuple values):
    """`values` as part of a cache key: equal keys mean equal bits.

    -0.0 == 0.0, but a zero's sign can reach the output, so a tuple holding
    a negative zero gets the positions of its negative zeros appended.
    """
    cdef list negative = None
    cdef Py_ssize_t i
    for i in range(len(values)):
        v = values[i]
        if type(v) is float and <double>v == 0.0 and signbit(<double>v):
            if negative is None:
                negative = []
            negative.append(i)
    if negative is None:
        return values
    return values + (tuple(negative),)
