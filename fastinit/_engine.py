"""Execution of fills: a validated plan handed to the C core.

Everything the core needs is checked and normalized before a plan exists
(:mod:`fastinit._validate`, :mod:`fastinit._distributions`): the core itself
cannot fail.  See ``docs/stream-format.md`` for what each element's value is.
"""
from __future__ import annotations

import math
import os
from typing import Any, Callable, Optional, Tuple, Union

import numpy as np

from . import _core, _layout, _validate
from ._validate import UINT64_LIMIT, Shape

__all__ = ["random_raw", "blocks_for", "isa", "supported_isas"]

# Destinations above this many bytes are written with non-temporal stores:
# they do not fit in the last-level cache anyway.
STREAMING_THRESHOLD_BYTES = 32 << 20
# Bounded temporary buffers for outputs that cannot be filled in place.
TEMP_ELEMENTS = 1 << 20
# Bounds on the per-run offset table built for a region: per call into the
# core for in-place fills, and per call for fills staged through temporary
# chunks (small, so that their memory does not depend on the array's size).
MAX_RUNS_PER_PIECE = 1 << 16
MAX_RUNS_PER_CHUNK = 1 << 10

#: Elements per Philox block (4 words) of each core method, keyed like
#: ``_core.METHOD_CODES``: (method, output dtype name); read from the C
#: method table.
ELEMENTS_PER_BLOCK = _core.ELEMENTS_PER_BLOCK

_UINT32 = np.dtype(np.uint32)
_FLOAT32 = np.dtype(np.float32)
# numpy computes dtype.name in Python, slowly enough to matter per call
_COMPUTE_NAMES = {np.dtype(t): np.dtype(t).name
                  for t in (np.uint32, np.float32, np.float64, np.float16)}


def _compute_name(dtype: np.dtype) -> str:
    """`dtype`'s name as ``_core.METHOD_CODES`` spells it (ml_dtypes' bfloat16
    joins the table when first seen: importing ml_dtypes takes a second)."""
    try:
        return _COMPUTE_NAMES[dtype]
    except KeyError:
        name = _COMPUTE_NAMES[dtype] = dtype.name
        return name


def compute_dtype(dtype: np.dtype) -> np.dtype:
    """The precision a fill of `dtype` computes in (16-bit floats: float32,
    rounded to 16 bits in the kernel)."""
    return dtype if dtype.itemsize >= 4 else _FLOAT32


def block_count(n_elements: int, per_block: int) -> int:
    """Blocks that hold `n_elements` elements (ceiling division)."""
    return -(-n_elements // per_block)


class FillPlan:
    """A validated fill: what to compute; where to put it comes with each run.

    `shape` and `dtype` are already normalized, `params` are the core's
    parameters; `post`, when given, turns float32 values into `dtype`.  A
    plan never changes once made, so one plan serves every call with the
    same arguments (:func:`fastinit._table.call` keeps them).
    """

    __slots__ = ("method", "shape", "dtype", "compute_dtype", "params", "layout", "threads",
                 "post", "elements_per_block", "code", "chunk", "needed_blocks", "streaming",
                 "direct_job", "total_blocks")

    def __init__(self, method: str, shape: Shape, dtype: np.dtype, params: tuple,
                 region: Any, threads: Any,
                 post: Optional[Callable[[np.ndarray], np.ndarray]] = None):
        self.method = method
        self.shape = shape
        self.dtype = dtype
        # the dtype the core writes: 16-bit floats are converted in the
        # kernel unless a Python step (`post`) follows
        self.compute_dtype = dtype if post is None else compute_dtype(dtype)
        self.params = params
        layout = self.layout = _layout.layout_of(shape, region)
        self.threads = _validate.threads(threads, layout.size)
        self.post = post
        key = (method, _compute_name(self.compute_dtype))
        self.elements_per_block = ELEMENTS_PER_BLOCK[key]
        self.code = _core.METHOD_CODES[key]
        self.chunk = self._chunk_elements()
        # blocks from the stream's start up to the region's last element
        self.needed_blocks = block_count(layout.logical_end, self.elements_per_block)
        self.streaming = layout.size * self.compute_dtype.itemsize >= STREAMING_THRESHOLD_BYTES
        # one run (a whole array, or a block of whole rows) written straight
        # into a contiguous output: one call into the core
        self.direct_job = None
        if post is None and layout.n_runs == 1:
            self.direct_job = _core.WholeArrayJob(self.code, layout.first, params,
                                                  self.streaming, self.threads, self.chunk,
                                                  dtype, layout.sub_shape, self.needed_blocks)
        self.total_blocks = block_count(math.prod(shape), self.elements_per_block)

    def blocks(self) -> int:
        """Blocks a fill of the whole logical array uses."""
        return self.total_blocks

    def run(self, seed: int, stream: int, block: int, out: Any = None) -> Any:
        """Fill from words ``block ...`` of stream (`seed`, `stream`) into
        `out` (checked here; None: a new array); return the result."""
        if block and block + self.needed_blocks > UINT64_LIMIT:
            raise ValueError(
                f"this fill needs blocks {block} ... {block + self.needed_blocks - 1}, beyond "
                "the 2**64 blocks of a stream: use another stream or a smaller block offset")
        layout = self.layout
        if out is None:
            array = result = _layout.aligned_empty(layout.sub_shape, self.dtype)
        elif self.direct_job is not None and self.direct_job.fill(out, seed, stream, block):
            return out  # the common case of a small call: filled already
        else:
            array = _layout.check_out(out, layout.sub_shape, self.dtype)
            result = out
        if layout.size == 0:
            return result
        flags = array.flags
        if (self.post is None and array.dtype == self.compute_dtype and flags.aligned
                and flags.c_contiguous):
            if self.direct_job is None or not self.direct_job.fill(array, seed, stream, block):
                self._fill_in_place(array, seed, stream, block)
            return result
        self._fill_through_chunks(array, seed, stream, block)
        return result

    def _fill_range(self, layout: _layout.Layout, dest: np.ndarray, origin: int, begin: int,
                    end: int, seed: int, stream: int, block: int, streaming: bool,
                    max_runs: int = MAX_RUNS_PER_PIECE) -> None:
        """Elements [begin, end) (flat C order) of `layout`'s region into
        `dest`, whose first element is region element `origin`, at most
        `max_runs` runs per call into the core."""
        run_begin = begin // layout.run_len
        chunk = self.chunk
        while begin < end:
            piece_end = min(end, (run_begin + max_runs) * layout.run_len)
            run_end = (piece_end - 1) // layout.run_len + 1
            offsets = layout.run_offsets(run_begin, run_end)
            _core.fill(self.code, dest, origin, begin, piece_end, layout.run_len, run_begin,
                       offsets, layout.first, seed, stream, block, self.params, streaming,
                       self.threads, chunk)
            begin = piece_end
            run_begin = run_end

    def _fill_in_place(self, out: np.ndarray, seed: int, stream: int, block: int) -> None:
        dest = out.reshape(-1).view(np.uint8)
        self._fill_range(self.layout, dest, 0, 0, self.layout.size, seed, stream, block,
                         self.streaming)

    def _fill_through_chunks(self, out: np.ndarray, seed: int, stream: int, block: int) -> None:
        """Fill an output that cannot take the values directly (strided,
        unaligned, or of a narrower dtype) through a bounded temporary
        buffer, one rectangular block of `out` at a time, in `out`'s memory
        order (so each block touches a compact stretch of its memory)."""
        temp = np.empty(min(self.layout.size, TEMP_ELEMENTS), self.compute_dtype)
        temp_bytes = temp.view(np.uint8)
        region = self.layout.full_region()
        strides = [st // out.itemsize for st in out.strides]
        for bounds in _layout.pieces_in_memory_order(self.layout.sub_shape, strides,
                                                     TEMP_ELEMENTS):
            piece_region = tuple(slice(r.start + lo, r.start + hi, 1)
                                 for r, (lo, hi) in zip(region, bounds))
            piece = _layout.Layout(self.shape, piece_region)
            self._fill_range(piece, temp_bytes, 0, 0, piece.size, seed, stream, block, False,
                             MAX_RUNS_PER_CHUNK)
            values = temp[:piece.size]
            if self.post is not None:
                values = self.post(values)
            out[tuple(slice(lo, hi) for lo, hi in bounds)] = values.reshape(piece.sub_shape)

    def _chunk_elements(self) -> int:
        # Pieces between signal checks: a few milliseconds of work each.
        if self.layout.size <= (1 << 16):
            return 1 << 16
        slow = self.method == "truncated_normal" or _core.isa_selected() == "scalar"
        per_thread = (1 << 19) if slow else (1 << 22)
        return per_thread * self.threads


# --------------------------------------------------------------------------
# public functions of the engine


def random_raw(n: int, *, seed: Optional[int], stream: Union[int, str] = 0,
               block: int = 0) -> np.ndarray:
    """Raw 32-bit words of a stream.

    Parameters
    ----------
    n : int
        Number of words.
    seed : int or None
        Seed in ``[0, 2**64)``; None draws fresh entropy from the OS.
    stream : int or str, optional
        Stream number in ``[0, 2**64)`` or a stream name.
    block : int, optional
        Block offset: the first word returned is word ``4 * block``.

    Returns
    -------
    numpy.ndarray of uint32
        Words ``4*block ... 4*block + n - 1`` of stream ``(seed, stream)``.
    """
    shape = _validate.shape(n)
    if len(shape) != 1:
        raise TypeError("n must be an integer")
    plan = FillPlan("raw", shape, _UINT32, (), None, None)
    return plan.run(_validate.seed(seed), _validate.stream(stream), _validate.block(block))


#: Core method of each distribution name accepted by :func:`blocks_for`.
_BLOCK_METHODS = ("raw", "uniform", "normal", "truncated_normal")


def blocks_for(method: str, shape: Any, dtype: Any = np.float32) -> int:
    """Philox blocks a fill of the whole logical `shape` consumes.

    Parameters
    ----------
    method : {'raw', 'uniform', 'normal', 'truncated_normal'}
        The distribution (``'raw'``: 32-bit words, whatever the dtype).
    shape : int or tuple of ints
        Logical shape of the array.
    dtype : data-type, optional
        Output dtype (float32 by default); float16 and bfloat16 count as
        float32.

    Returns
    -------
    int
        The number of 4-word blocks, the amount a :class:`fastinit.Generator`
        advances by.
    """
    if method not in _BLOCK_METHODS:
        raise ValueError(f"unknown method {method!r}; expected 'raw', 'uniform', 'normal' or "
                         "'truncated_normal'")
    dims = _validate.shape(shape)
    if method == "raw":
        key = ("raw", "uint32")
    else:
        key = (method, _compute_name(_validate.dtype(dtype, method)))
    n = 1
    for d in dims:
        n *= d
    return block_count(n, ELEMENTS_PER_BLOCK[key])


def isa() -> str:
    """The instruction-set path the fills run on.

    Returns
    -------
    str
        ``'scalar'``, ``'avx2'`` or ``'avx512'``: the best level this CPU
        supports, or the lower one ``FASTINIT_ISA`` asked for at import.
        Every level gives the same bits.
    """
    return _core.isa_selected()


def supported_isas() -> Tuple[str, ...]:
    """Every instruction-set level this CPU can run, lowest first.

    Returns
    -------
    tuple of str
        For example ``('scalar', 'avx2', 'avx512')``.
    """
    levels = _core.ISA_LEVELS
    return levels[:levels.index(_core.isa_supported()) + 1]


def _select_isa_from_environment() -> None:
    requested = os.environ.get("FASTINIT_ISA", "").strip().lower()
    if requested:
        try:
            _core.select_isa(requested)
        except ValueError as exc:
            raise ImportError(f"FASTINIT_ISA={requested}: {exc}") from None


_select_isa_from_environment()
