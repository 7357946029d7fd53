"""Validation and planning of fills; the engine's public functions.

Everything the C core needs is checked and normalized here: the core itself
cannot fail.  See ``docs/stream-format.md`` for what each element's value is.
"""
from __future__ import annotations

import hashlib
import math
import operator
import os
import secrets
import threading
import weakref
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core

__all__ = [
    "random_raw",
    "uniform",
    "normal",
    "truncated_normal",
    "blocks_for",
    "isa",
    "supported_isas",
]

UINT64_LIMIT = 1 << 64
# Logical arrays are indexed with signed 64-bit integers.
MAX_LOGICAL_ELEMENTS = (1 << 63) - 1

# Elements produced per Philox block (4 words) by each method, by output itemsize.
ELEMENTS_PER_BLOCK = {(method, _core.ITEMSIZES[method, dtype]): n
                      for (method, dtype), n in _core.ELEMENTS_PER_BLOCK.items()}

# Fills below this many elements run on one thread: starting threads costs
# more than it saves.
THREADING_THRESHOLD = 1 << 17
# Destinations above this many bytes are written with non-temporal stores:
# they do not fit in the last-level cache anyway.
STREAMING_THRESHOLD_BYTES = 32 << 20
# Fresh arrays above this size are allocated 64-byte aligned, so that the
# kernels' streaming stores go straight to them (a misaligned output is
# streamed through a small staging buffer instead).
ALIGNED_ALLOCATION_BYTES = 1 << 20
# Bounded temporary buffers for outputs that cannot be filled in place.
TEMP_ELEMENTS = 1 << 20
# Bounds on the per-run offset table built for a region: per call into the
# core for in-place fills, and per call for fills staged through temporary
# chunks (small, so that their memory does not depend on the array's size).
MAX_RUNS_PER_PIECE = 1 << 16
MAX_RUNS_PER_CHUNK = 1 << 10

Shape = Tuple[int, ...]
ShapeLike = Union[int, Sequence[int]]


# --------------------------------------------------------------------------
# argument normalization


def normalize_shape(shape: Any) -> Shape:
    """Return `shape` as a tuple of non-negative ints (numpy's rules)."""
    # already normalized (the initializers call this more than once per
    # fill): exact ints only, so bools and numpy integers take the long way
    if (type(shape) is tuple and all(type(d) is int and d >= 0 for d in shape)
            and math.prod(shape) <= MAX_LOGICAL_ELEMENTS):
        return shape
    if isinstance(shape, (bool, np.bool_)):
        raise TypeError("shape must be an int or a sequence of ints, not bool")
    dims: Tuple[int, ...]
    try:
        dims = (operator.index(shape),)
    except TypeError:
        if isinstance(shape, (str, bytes)) or not hasattr(shape, "__iter__"):
            raise TypeError(
                f"'{type(shape).__name__}' object cannot be interpreted as an integer"
            ) from None
        entries = []
        for d in shape:
            if isinstance(d, (bool, np.bool_)):
                raise TypeError("shape entries must be ints, not bool")
            try:
                entries.append(operator.index(d))
            except TypeError:
                raise TypeError(
                    f"'{type(d).__name__}' object cannot be interpreted as an integer"
                ) from None
        dims = tuple(entries)
    if any(d < 0 for d in dims):
        raise ValueError("negative dimensions are not allowed")
    if math.prod(dims) > MAX_LOGICAL_ELEMENTS:
        raise ValueError(
            f"array of shape {dims} is too big: its {math.prod(dims)} elements exceed 2**63 - 1")
    return dims


def _bfloat16_dtype() -> Optional[np.dtype]:
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


SUPPORTED_FLOAT_NAMES = ("float32", "float64", "float16", "bfloat16")


_DTYPE_CACHE: dict = {}


def normalize_dtype(dtype: Any, method: str = "normal") -> np.dtype:
    """Return `dtype` as a numpy dtype fastinit can produce for `method`."""
    try:
        return _DTYPE_CACHE[dtype]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        pass
    dt = _normalize_dtype_uncached(dtype, method)
    if len(_DTYPE_CACHE) >= 64:  # a handful of spellings in practice
        _DTYPE_CACHE.clear()
    try:
        _DTYPE_CACHE[dtype] = dt
    except TypeError:
        pass
    return dt


def _normalize_dtype_uncached(dtype: Any, method: str) -> np.dtype:
    try:
        if isinstance(dtype, str) and dtype == "bfloat16":
            bf16 = _bfloat16_dtype()
            if bf16 is None:
                raise TypeError("dtype bfloat16 needs the ml_dtypes package")
            dt = bf16
        else:
            dt = np.dtype(dtype)
    except TypeError as exc:
        if "ml_dtypes" in str(exc):
            raise
        raise TypeError(f"data type {dtype!r} not understood") from None
    if dt.name not in SUPPORTED_FLOAT_NAMES or dt.byteorder == ">":
        raise TypeError(
            f"Unsupported dtype {dt!r} for {method}; expected float32, float64, "
            "float16 or bfloat16")
    return dt


def resolve_seed(seed: Any) -> int:
    """Return a seed in [0, 2**64); None draws one from the OS."""
    if seed is None:
        return secrets.randbits(64)
    if isinstance(seed, (bool, np.bool_)):
        raise TypeError("seed must be an integer or None, not bool")
    try:
        value = operator.index(seed)
    except TypeError:
        raise TypeError(
            f"seed must be an integer or None, not {type(seed).__name__}") from None
    if not 0 <= value < UINT64_LIMIT:
        raise ValueError(f"seed must be between 0 and 2**64 - 1, got {value}")
    return value


def stream_id(name: str) -> int:
    """The stream number of a named stream: BLAKE2b-64 of its UTF-8 bytes."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def resolve_stream(stream: Any) -> int:
    """Return a stream number in [0, 2**64) from an int or a name."""
    if isinstance(stream, str):
        return stream_id(stream)
    if isinstance(stream, (bool, np.bool_)):
        raise TypeError("stream must be an integer or a str, not bool")
    try:
        value = operator.index(stream)
    except TypeError:
        raise TypeError(
            f"stream must be an integer or a str, not {type(stream).__name__}") from None
    if not 0 <= value < UINT64_LIMIT:
        raise ValueError(f"stream must be between 0 and 2**64 - 1, got {value}")
    return value


def _resolve_block(block: Any) -> int:
    if isinstance(block, (bool, np.bool_)):
        raise TypeError("block must be an integer, not bool")
    try:
        value = operator.index(block)
    except TypeError:
        raise TypeError(f"block must be an integer, not {type(block).__name__}") from None
    if not 0 <= value < UINT64_LIMIT:
        raise ValueError(f"block must be between 0 and 2**64 - 1, got {value}")
    return value


def normalize_region(region: Any, shape: Shape) -> Tuple[slice, ...]:
    """Return `region` as one ``slice(start, stop, 1)`` per axis of `shape`.

    A region names a block of the logical array, as a tuple of slices
    (``np.s_[0:1024, :]``); missing trailing axes are taken whole, negative
    bounds count from the end of the axis as in numpy.  Unlike numpy
    slicing, bounds outside the axis are an error rather than clipped: a
    shard that silently came out smaller would be a bug in the caller.
    Only step 1 is supported.
    """
    if region is None:
        return tuple(slice(0, d, 1) for d in shape)
    if isinstance(region, slice):
        region = (region,)
    if not isinstance(region, tuple):
        raise TypeError(
            f"region must be a tuple of slices (e.g. np.s_[0:10, :]), not {type(region).__name__}")
    if len(region) > len(shape):
        raise ValueError(
            f"region has {len(region)} entries but the array is {len(shape)}-dimensional")
    result = []
    for axis, dim in enumerate(shape):
        entry = region[axis] if axis < len(region) else slice(None)
        if not isinstance(entry, slice):
            raise TypeError(
                f"region entries must be slices, got {type(entry).__name__} for axis {axis}")
        bounds = []
        for name in ("start", "stop", "step"):
            value = getattr(entry, name)
            if value is not None:
                if isinstance(value, (bool, np.bool_)):
                    raise TypeError(f"region slice {name} must be an integer or None (axis {axis})")
                try:
                    value = operator.index(value)
                except TypeError:
                    raise TypeError(
                        f"region slice {name} must be an integer or None (axis {axis})") from None
            bounds.append(value)
        start, stop, step = bounds
        if step not in (None, 1):
            raise ValueError(f"region slices must have step 1, got step {step} (axis {axis})")
        start = 0 if start is None else (start + dim if start < 0 else start)
        stop = dim if stop is None else (stop + dim if stop < 0 else stop)
        if not 0 <= start <= stop <= dim:
            raise ValueError(
                f"region {entry.start}:{entry.stop} is out of bounds for axis {axis} with size {dim}")
        result.append(slice(start, stop, 1))
    return tuple(result)


def region_shape(region: Tuple[slice, ...]) -> Shape:
    """Shape of a normalized region."""
    return tuple(s.stop - s.start for s in region)


def resolve_threads(threads: Any, n_elements: int) -> int:
    """Number of threads for a fill of `n_elements` elements."""
    if threads is None:
        if n_elements < THREADING_THRESHOLD:
            return 1
        try:
            available = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            available = os.cpu_count() or 1
        return max(1, min(available, 256))
    if isinstance(threads, (bool, np.bool_)):
        raise TypeError("threads must be a positive integer or None, not bool")
    try:
        value = operator.index(threads)
    except TypeError:
        raise TypeError(
            f"threads must be a positive integer or None, not {type(threads).__name__}") from None
    if value < 1:
        raise ValueError(f"threads must be at least 1, got {value}")
    return min(value, 256)


def _finite_float(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a real number, not {type(value).__name__}") from None
    if isinstance(value, (complex, np.complexfloating)):
        raise TypeError(f"{name} must be a real number, not complex")
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


# --------------------------------------------------------------------------
# destinations


def _aligned_empty(shape: Shape, dtype: np.dtype) -> np.ndarray:
    """An uninitialized C-ordered array; large ones start on a 64-byte
    boundary.  Pages stay untouched until the filling threads write them
    (numpy asks the OS for transparent huge pages on large allocations)."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < ALIGNED_ALLOCATION_BYTES:
        return np.empty(shape, dtype)
    raw = np.empty(nbytes + 64, np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset:offset + nbytes].view(dtype).reshape(shape)


def as_output_array(out: Any) -> np.ndarray:
    """`out` as a numpy array sharing its memory.

    Besides numpy arrays, any object that exports its memory through DLPack
    (for example a CPU ``torch.Tensor``) can be filled in place.
    """
    if isinstance(out, np.ndarray):
        return out
    if hasattr(out, "__dlpack__"):
        try:
            return np.from_dlpack(out)
        except (BufferError, TypeError, ValueError, RuntimeError) as exc:
            raise TypeError(
                f"out of type {type(out).__name__} cannot be viewed as a numpy array "
                f"in place: {exc}") from None
    raise TypeError(
        f"out must be a numpy.ndarray or a DLPack-exporting CPU tensor, not {type(out).__name__}")


def _check_out(out: Any, shape: Shape, dtype: np.dtype) -> np.ndarray:
    out = as_output_array(out)
    if out.dtype != dtype:
        raise TypeError(
            f"Supplied output array has the wrong type: expected {dtype}, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape} but the requested shape is {shape}")
    if not out.flags.writeable:
        raise ValueError("out is read-only: assignment destination is read-only")
    return out


# --------------------------------------------------------------------------
# planning


def _c_strides(shape: Shape) -> Shape:
    """Element strides of a C-ordered array of `shape`."""
    strides = []
    acc = 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return tuple(reversed(strides))


class _Layout:
    """How a region of a logical C-ordered array splits into runs of
    consecutive logical elements."""

    def __init__(self, shape: Shape, region: Tuple[slice, ...]):
        self.shape = shape
        self.region = region
        self.sub_shape = region_shape(region)
        self.size = math.prod(self.sub_shape)
        self.outer_shape: Shape
        if self.sub_shape == shape:
            # the whole array: one run (the common case, kept cheap)
            self.outer_shape = ()
            self.run_len = max(1, self.size)
            self.n_runs = 1 if self.size else 0
            self.first = 0
            self.logical_end = self.size
            return
        ndim = len(shape)
        # run axes: trailing axes taken whole, plus the axis before them
        j = ndim
        while j > 0 and self.sub_shape[j - 1] == shape[j - 1]:
            j -= 1
        if j > 0:
            j -= 1
        self.outer_shape = self.sub_shape[:j]
        self.run_len = max(1, math.prod(self.sub_shape[j:]))
        self.n_runs = math.prod(self.outer_shape) if self.size else 0
        strides = _c_strides(shape)
        self.first = sum(s.start * st for s, st in zip(region, strides))
        # last logical element touched + 1 (for the counter-space check)
        self.logical_end = (
            sum((s.stop - 1) * st for s, st in zip(region, strides)) + 1 if self.size else 0)

    def run_offsets(self, run_begin: int, run_end: int) -> Optional[np.ndarray]:
        """Logical index of the first element of runs [run_begin, run_end)."""
        if not self.outer_shape:
            return None
        flat = np.arange(run_begin, run_end, dtype=np.int64)
        idx = np.unravel_index(flat, self.outer_shape)
        offsets = np.full(run_end - run_begin, self.first, dtype=np.uint64)
        strides = _c_strides(self.shape)
        for axis, ix in enumerate(idx):
            offsets += ix.astype(np.uint64) * np.uint64(strides[axis])
        return offsets


def _pieces_in_memory_order(shape: Shape, strides: Sequence[int], limit: int):
    """Split an array of `shape` and element `strides` into rectangular
    blocks of at most about `limit` elements, cutting first along the axis
    with the largest stride, so that each block covers a compact stretch of
    memory (a Fortran-ordered array is cut into column slabs, not rows).

    Yields one (start, stop) pair per axis for each block.
    """
    ndim = len(shape)
    if ndim == 0:
        yield ()
        return
    order = sorted(range(ndim), key=lambda axis: -abs(strides[axis]))
    depth = 0
    while depth < ndim - 1 and math.prod(shape[a] for a in order[depth + 1:]) > limit:
        depth += 1
    inner = math.prod(shape[a] for a in order[depth + 1:])
    cut_axis = order[depth]
    step = max(1, limit // max(inner, 1))
    for outer in np.ndindex(*[shape[a] for a in order[:depth]]):
        bounds = [(0, d) for d in shape]
        for axis, i in zip(order[:depth], outer):
            bounds[axis] = (i, i + 1)
        for start in range(0, shape[cut_axis], step):
            bounds[cut_axis] = (start, min(shape[cut_axis], start + step))
            yield tuple(bounds)


# numpy computes dtype.name in Python, slowly enough to matter per call
_COMPUTE_DTYPE_NAMES = {np.dtype(t): np.dtype(t).name for t in (np.uint32, np.float32, np.float64, np.float16)}


class _FillPlan:
    """A validated fill: what to compute and where to put it."""

    def __init__(self, method: str, shape: Shape, dtype: np.dtype, params: tuple,
                 out: Optional[np.ndarray], region: Any, threads: Any,
                 post: Optional[Any] = None):
        self.method = method
        self.shape = shape
        self.dtype = dtype
        # float16/bfloat16 without a post-processing step: converted in the kernel
        self.compute_dtype = dtype if dtype.itemsize >= 4 or post is None else np.dtype(np.float32)
        self.params = params
        self.layout = _Layout(shape, normalize_region(region, shape))
        self.out_object = out
        if out is not None:
            out = _check_out(out, self.layout.sub_shape, dtype)
        self.out = out
        self.threads = resolve_threads(threads, self.layout.size)
        self.post = post
        per_block = ELEMENTS_PER_BLOCK[(method, self.compute_dtype.itemsize)]
        self.elements_per_block = per_block
        self.code = _core.METHOD_CODES[(method, _COMPUTE_DTYPE_NAMES.get(self.compute_dtype)
                                        or self.compute_dtype.name)]

    def blocks(self) -> int:
        """Blocks a fill of the whole logical array uses."""
        return -(-math.prod(self.shape) // self.elements_per_block)

    def run(self, seed: int, stream: int, block: int) -> np.ndarray:
        layout = self.layout
        needed = -(-layout.logical_end // self.elements_per_block)
        if block + needed > UINT64_LIMIT:
            raise ValueError(
                f"this fill needs blocks {block} ... {block + needed - 1}, beyond the 2**64 "
                "blocks of a stream: use another stream or a smaller block offset")
        out = self.out
        if out is None:
            out = _aligned_empty(layout.sub_shape, self.dtype)
        result = out if self.out_object is None else self.out_object
        if layout.size == 0:
            return result
        direct = (out.dtype == self.compute_dtype and out.flags.c_contiguous
                  and out.flags.aligned and self.post is None)
        if direct:
            self._fill_in_place(out, seed, stream, block)
        else:
            self._fill_through_chunks(out, seed, stream, block)
        return result

    def _fill_range(self, layout: _Layout, dest: np.ndarray, origin: int, begin: int, end: int,
                    seed: int, stream: int, block: int, streaming: bool,
                    max_runs: int = MAX_RUNS_PER_PIECE) -> None:
        """Elements [begin, end) (flat C order) of `layout`'s region into
        `dest`, whose first element is region element `origin`, at most
        `max_runs` runs per call into the core."""
        run_begin = begin // layout.run_len
        while begin < end:
            piece_end = min(end, (run_begin + max_runs) * layout.run_len)
            run_end = (piece_end - 1) // layout.run_len + 1
            offsets = layout.run_offsets(run_begin, run_end)
            _core.fill(self.code, dest, origin, begin, piece_end, layout.run_len, run_begin,
                       offsets, layout.first, seed, stream, block, self.params, streaming,
                       self.threads, self._chunk_elements())
            begin = piece_end
            run_begin = run_end

    def _fill_in_place(self, out: np.ndarray, seed: int, stream: int, block: int) -> None:
        streaming = self.layout.size * self.compute_dtype.itemsize >= STREAMING_THRESHOLD_BYTES
        dest = out.reshape(-1).view(np.uint8)
        self._fill_range(self.layout, dest, 0, 0, self.layout.size, seed, stream, block,
                         streaming)

    def _fill_through_chunks(self, out: np.ndarray, seed: int, stream: int, block: int) -> None:
        """Fill an output that cannot take the values directly (strided,
        unaligned, or of a narrower dtype) through a bounded temporary
        buffer, one rectangular block of `out` at a time, in `out`'s memory
        order (so each block touches a compact stretch of its memory)."""
        temp = np.empty(min(self.layout.size, TEMP_ELEMENTS), self.compute_dtype)
        temp_bytes = temp.view(np.uint8)
        region = self.layout.region
        strides = [st // out.itemsize for st in out.strides]
        for bounds in _pieces_in_memory_order(self.layout.sub_shape, strides, TEMP_ELEMENTS):
            piece_region = tuple(slice(r.start + lo, r.start + hi, 1)
                                 for r, (lo, hi) in zip(region, bounds))
            piece = _Layout(self.shape, piece_region)
            self._fill_range(piece, temp_bytes, 0, 0, piece.size, seed, stream, block, False,
                             MAX_RUNS_PER_CHUNK)
            values = temp[:piece.size]
            if self.post is not None:
                values = self.post(values)
            out[tuple(slice(lo, hi) for lo, hi in bounds)] = values.reshape(piece.sub_shape)

    def _chunk_elements(self) -> int:
        # Pieces between signal checks: a few milliseconds of work each.
        slow = self.method == "truncated_normal" or _core.isa_selected() == "scalar"
        per_thread = (1 << 16) if slow else (1 << 22)
        return per_thread * self.threads


# --------------------------------------------------------------------------
# parameters of each method


# float32 rounds every value of at least this magnitude to infinity (the
# midpoint between its largest finite value and 2**128 rounds to even, up).
FLOAT32_OVERFLOW = 2.0**128 - 2.0**103


def _rounded(value: float, itemsize: int) -> float:
    """A finite Python float rounded to float32 (itemsize 4) or float64, as
    a Python float: infinite when float32 overflows."""
    if itemsize == 8:
        return value
    if abs(value) >= FLOAT32_OVERFLOW:
        return math.copysign(math.inf, value)
    return float(np.float32(value))


def _float_params_uniform(low: float, high: float, dtype: np.dtype) -> tuple:
    itemsize = dtype.itemsize
    low_c, high_c = _rounded(low, itemsize), _rounded(high, itemsize)
    if not (math.isfinite(low_c) and math.isfinite(high_c)):
        raise ValueError(f"low and high must be finite in float{8 * itemsize}")
    # Rounding the double difference again to float32 equals rounding the
    # exact one: it is exact in double unless one bound is so much smaller
    # that neither rounding can reach a float32 midpoint.
    scale = _rounded(high_c - low_c, itemsize)
    if not math.isfinite(scale):
        raise ValueError(f"high - low overflows float{8 * itemsize}")
    if high_c <= low_c:
        cap = low_c
    elif itemsize == 8:
        cap = math.nextafter(high_c, -math.inf)
    else:
        cap = float(np.nextafter(np.float32(high_c), np.float32(-np.inf)))
    return (low_c, scale, cap)


def _step(value: Any, dtype: np.dtype, direction: int) -> Any:
    """The neighbour of `value` in `dtype` towards +inf (1) or -inf (-1),
    by stepping its sign-magnitude bit pattern (works for every IEEE-style
    float, bfloat16 included)."""
    uint = np.dtype(f"u{dtype.itemsize}")
    x = np.asarray(value, dtype=dtype).reshape(1)
    bits = int(x.view(uint)[0])
    sign = 1 << (8 * dtype.itemsize - 1)
    if bits & ~sign == 0:  # +-0: the smallest subnormal of the wanted sign
        bits = 1 if direction > 0 else sign | 1
    elif (bits & sign == 0) == (direction > 0):
        bits += 1
    else:
        bits -= 1
    return np.array([bits], dtype=uint).view(dtype)[0]


def _narrow_cap(low: float, high: float, dtype: np.dtype) -> float:
    """The largest value of a narrower dtype below high (low if none is)."""
    with np.errstate(over="ignore"):
        high_d = np.asarray(high).astype(dtype)
        low_d = np.asarray(low).astype(dtype)
    if not (np.isfinite(float(high_d)) and np.isfinite(float(low_d))):
        raise ValueError(f"low and high must be finite in {dtype.name}")
    cap = high_d
    while float(cap) >= high:
        cap = _step(cap, dtype, -1)
    if float(cap) < float(low_d):
        cap = low_d
    return float(cap)


def _uniform_plan(shape, low, high, dtype, out, region, threads) -> _FillPlan:
    shape = normalize_shape(shape)
    dt = normalize_dtype(dtype, "uniform")
    low = _finite_float(low, "low")
    high = _finite_float(high, "high")
    if low > high:
        raise ValueError(f"low must be less than or equal to high, got low={low}, high={high}")
    compute = dt if dt.itemsize >= 4 else np.dtype(np.float32)
    params = _float_params_uniform(low, high, compute)
    if compute != dt:
        params += (_narrow_cap(low, high, dt),)
    return _FillPlan("uniform", shape, dt, params, out, region, threads)


def _normal_params(mean: float, std: float, dtype: np.dtype) -> tuple:
    mean_c, std_c = _rounded(mean, dtype.itemsize), _rounded(std, dtype.itemsize)
    if not (math.isfinite(mean_c) and math.isfinite(std_c)):
        raise ValueError(f"mean and std must be finite in float{8 * dtype.itemsize}")
    return (mean_c, std_c)


def _normal_plan(shape, mean, std, dtype, out, region, threads) -> _FillPlan:
    shape = normalize_shape(shape)
    dt = normalize_dtype(dtype, "normal")
    mean = _finite_float(mean, "mean")
    std = _finite_float(std, "std")
    if std < 0:
        raise ValueError(f"std must be non-negative, got {std}")
    compute = dt if dt.itemsize >= 4 else np.dtype(np.float32)
    params = _normal_params(mean, std, compute)
    return _FillPlan("normal", shape, dt, params, out, region, threads)


def _phi(x: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _normal_mass(alpha: float, beta: float) -> float:
    """Phi(beta) - Phi(alpha) without cancellation: through erf near the
    centre (where Phi is close to 1/2), through erfc in the tails."""
    r = 1.0 / math.sqrt(2.0)
    if alpha >= 1.0:
        return 0.5 * (math.erfc(alpha * r) - math.erfc(beta * r))
    if beta <= -1.0:
        return 0.5 * (math.erfc(-beta * r) - math.erfc(-alpha * r))
    return 0.5 * (math.erf(beta * r) - math.erf(alpha * r))


# A truncation interval narrower than this (in units of std) is sampled
# uniformly; see _truncated_normal_plan.
NARROW_TRUNCATION = 1e-6


def _narrow_truncated_plan(shape, dtype, a, b, out, region, threads) -> _FillPlan:
    compute = dtype if dtype.itemsize >= 4 else np.dtype(np.float32)
    low, high = _inside_bounds(a, b, compute)
    params = _float_params_uniform(float(low), float(high), compute)
    # include b itself: clamp to the largest value inside [a, b], not below it
    params = (params[0], params[1], float(high))
    lo_d, hi_d = _inside_bounds(a, b, dtype)
    post = None if compute == dtype else _cast_clamp_post(dtype, lo_d, hi_d)
    plan = _FillPlan("uniform", shape, dtype, params, out, region, threads, post)
    return plan


def _inside_bounds(a: float, b: float, dtype: np.dtype) -> Tuple[Any, Any]:
    """Smallest and largest values of `dtype` inside [a, b]."""
    with np.errstate(over="ignore"):
        lo = np.asarray(a).astype(dtype)
        hi = np.asarray(b).astype(dtype)
    while float(lo) < a:
        lo = _step(lo, dtype, 1)
    while float(hi) > b:
        hi = _step(hi, dtype, -1)
    if float(lo) > float(hi):
        raise ValueError(f"no {dtype.name} value lies in [a, b] = [{a}, {b}]")
    return lo, hi


def _truncated_normal_plan(shape, mean, std, a, b, dtype, out, region, threads) -> _FillPlan:
    shape = normalize_shape(shape)
    dt = normalize_dtype(dtype, "truncated_normal")
    mean = _finite_float(mean, "mean")
    std = _finite_float(std, "std")
    if std < 0:
        raise ValueError(f"std must be non-negative, got {std}")
    a = mean - 2.0 * std if a is None else _finite_float(a, "a")
    b = mean + 2.0 * std if b is None else _finite_float(b, "b")
    if not a < b and not (a == b and std == 0):
        raise ValueError(f"a must be less than b, got a={a}, b={b}")
    out_low, out_high = _inside_bounds(a, b, dt)
    if std == 0 or not (mean - 40 * std < b and a < mean + 40 * std and (b - a) > 0):
        # degenerate: a point mass (std 0) or bounds far outside the bulk;
        # the inverse CDF then has no resolution, so the clamped mean is used
        std_eff = 0.0
    else:
        std_eff = std
    if std_eff == 0.0:
        value = min(max(mean, float(out_low)), float(out_high))
        params = (value, 1.0, 0.0, 0.0, 0.5, 0.5, 0.0, value, value)
    else:
        alpha = (a - mean) / std
        beta = (b - mean) / std
        span = _normal_mass(alpha, beta)
        if not span > 1e-280:
            raise ValueError(
                f"[a, b] = [{a}, {b}] lies too far in the tail of N({mean}, {std}**2)")
        params = (mean, std, alpha, beta, _phi(alpha), _phi(-beta), span,
                  float(out_low.astype(np.float64)), float(out_high.astype(np.float64)))
        if beta - alpha < NARROW_TRUNCATION:
            # [a, b] is so narrow next to std that the density is flat on it
            # to within (b - a)^2 / std^2, below the format's accuracy: the
            # quantile would lose every digit to the rounding of Phi(alpha),
            # so the values are spread uniformly instead.
            return _narrow_truncated_plan(shape, dt, a, b, out, region, threads)
    return _FillPlan("truncated_normal", shape, dt, params, out, region, threads)


def _cast_clamp_post(dtype: np.dtype, lo: Any, hi: Any):
    def post(values: np.ndarray) -> np.ndarray:
        return np.clip(values.astype(dtype), lo, hi)
    return post


# --------------------------------------------------------------------------
# public functions


def random_raw(n: int, *, seed: int, stream: Union[int, str] = 0, block: int = 0) -> np.ndarray:
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
    shape = normalize_shape(n)
    if len(shape) != 1:
        raise TypeError("n must be an integer")
    plan = _FillPlan("raw", shape, np.dtype(np.uint32), (), None, None, None)
    return _run(plan, seed, stream, block)


def _run(plan: _FillPlan, seed: Any, stream: Any, block: Any) -> np.ndarray:
    return plan.run(resolve_seed(seed), resolve_stream(stream), _resolve_block(block))


def uniform(shape: ShapeLike, low: float = 0.0, high: float = 1.0, *, dtype: Any = np.float32,
            seed: Optional[int] = None, stream: Union[int, str] = 0, block: int = 0,
            out: Optional[np.ndarray] = None, region: Any = None,
            threads: Optional[int] = None) -> np.ndarray:
    """Uniform samples on ``[low, high)``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the array.
    low, high : float, optional
        Interval bounds, ``low <= high``; values are always below `high`.
    dtype : dtype, optional
        float32 (default), float64, float16 or bfloat16 (ml_dtypes).
    seed : int or None, optional
        Seed in ``[0, 2**64)``; None draws fresh entropy from the OS.
    stream : int or str, optional
        Stream number, or a name such as ``"encoder.layer3.weight"``.
    block : int, optional
        Block offset into the stream (see the stream format).
    out : numpy.ndarray or CPU tensor, optional
        Array of the requested dtype and (region) shape to fill in place; any
        object exporting DLPack (such as a CPU ``torch.Tensor``) also works
        and is returned as is.
    region : tuple of slices, optional
        Produce only this block of the logical array, e.g.
        ``np.s_[0:1024, :]``; it equals the same slice of the full array.
    threads : int or None, optional
        Number of threads; None picks all available cores for large arrays.
        The result never depends on it.

    Returns
    -------
    numpy.ndarray
        The filled array (`out` if given).
    """
    plan = _uniform_plan(shape, low, high, dtype, out, region, threads)
    return _run(plan, seed, stream, block)


def normal(shape: ShapeLike, mean: float = 0.0, std: float = 1.0, *, dtype: Any = np.float32,
           seed: Optional[int] = None, stream: Union[int, str] = 0, block: int = 0,
           out: Optional[np.ndarray] = None, region: Any = None,
           threads: Optional[int] = None) -> np.ndarray:
    """Normal samples with mean `mean` and standard deviation `std`.

    Box-Muller on Philox4x32-10 words, as defined by the stream format.
    Parameters are as for :func:`uniform`; `std` must be non-negative.
    """
    plan = _normal_plan(shape, mean, std, dtype, out, region, threads)
    return _run(plan, seed, stream, block)


def truncated_normal(shape: ShapeLike, mean: float = 0.0, std: float = 1.0,
                     a: Optional[float] = None, b: Optional[float] = None, *,
                     dtype: Any = np.float32, seed: Optional[int] = None,
                     stream: Union[int, str] = 0, block: int = 0,
                     out: Optional[np.ndarray] = None, region: Any = None,
                     threads: Optional[int] = None) -> np.ndarray:
    """Normal samples truncated to ``[a, b]`` (absolute bounds).

    ``a`` and ``b`` default to ``mean - 2*std`` and ``mean + 2*std``.  Each
    element is ``mean + std * Phi^-1(Phi(alpha) + R * (Phi(beta) - Phi(alpha)))``
    with ``alpha, beta`` the standardized bounds and ``R`` a uniform from one
    element's words: the inverse-CDF method, with no rejection, so regions and
    threads stay exact.  Every value lies in ``[a, b]`` for any `std`, however
    small.  Other parameters are as for :func:`uniform`.
    """
    plan = _truncated_normal_plan(shape, mean, std, a, b, dtype, out, region, threads)
    return _run(plan, seed, stream, block)


def blocks_for(method: str, shape: ShapeLike, dtype: Any = np.float32) -> int:
    """Philox blocks a fill of the whole logical `shape` consumes.

    Parameters
    ----------
    method : {'raw', 'uniform', 'normal', 'truncated_normal'}
    shape : int or tuple of ints
    dtype : dtype, optional
    """
    shape = normalize_shape(shape)
    if method == "raw":
        itemsize = 4
    else:
        dt = normalize_dtype(dtype, method)
        itemsize = 8 if dt.itemsize == 8 else 4
    try:
        per_block = ELEMENTS_PER_BLOCK[(method, itemsize)]
    except KeyError:
        raise ValueError(
            f"unknown method {method!r}; expected 'raw', 'uniform', 'normal' or "
            "'truncated_normal'") from None
    return -(-math.prod(shape) // per_block)


def isa() -> str:
    """The instruction-set path the fills run on: 'scalar', 'avx2' or 'avx512'."""
    return _core.isa_selected()


def supported_isas() -> Tuple[str, ...]:
    """Every instruction-set level this CPU can run, lowest first."""
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


# --------------------------------------------------------------------------
# stateful generator


# Every live generator, so that a forked child can replace their locks: a
# lock held by another thread at the moment of fork() would otherwise stay
# held forever in the child (which has only the forking thread).
_LIVE_GENERATORS: "weakref.WeakSet[GeneratorBase]" = weakref.WeakSet()


def _reset_generator_locks_in_child() -> None:
    for generator in list(_LIVE_GENERATORS):
        generator._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_generator_locks_in_child)


class GeneratorBase:
    """Key, stream and block position shared by :class:`fastinit.Generator`.

    Every method starts at the current block and advances past all blocks
    the logical array uses, so consecutive calls never reuse words; the
    position is advanced under a lock, so threads sharing a generator never
    receive the same blocks.
    """

    def __init__(self, seed: Optional[int] = None, stream: Union[int, str] = 0):
        self._seed = resolve_seed(seed)
        self._stream = resolve_stream(stream)
        self._block = 0
        self._lock = threading.Lock()
        _LIVE_GENERATORS.add(self)

    def __getstate__(self) -> dict:
        # A copy (pickle, multiprocessing) continues from the same block:
        # like copying any generator, it repeats the original's next words.
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        _LIVE_GENERATORS.add(self)

    @property
    def seed(self) -> int:
        """The 64-bit seed (drawn from the OS when the generator was made
        with ``seed=None``): pass it back to reproduce a run."""
        return self._seed

    @property
    def stream(self) -> int:
        """The stream number."""
        return self._stream

    @property
    def block(self) -> int:
        """The next unused block."""
        return self._block

    def _take_blocks(self, n_blocks: int) -> int:
        """Reserve `n_blocks` blocks; return the first."""
        n_blocks = operator.index(n_blocks)
        if n_blocks < 0:
            raise ValueError("n_blocks must be non-negative")
        with self._lock:
            start = self._block
            if start + n_blocks > UINT64_LIMIT:
                raise ValueError("this generator's stream is exhausted (2**64 blocks used)")
            self._block = start + n_blocks
        return start

    def _run_plan(self, plan: _FillPlan) -> np.ndarray:
        return plan.run(self._seed, self._stream, self._take_blocks(plan.blocks()))

    def random_raw(self, n: int) -> np.ndarray:
        """The next `n` raw 32-bit words (whole blocks are consumed)."""
        shape = normalize_shape(n)
        if len(shape) != 1:
            raise TypeError("n must be an integer")
        block = self._take_blocks(-(-shape[0] // 4))
        return random_raw(shape[0], seed=self._seed, stream=self._stream, block=block)

    def uniform(self, shape: ShapeLike, low: float = 0.0, high: float = 1.0, *,
                dtype: Any = np.float32, out: Optional[np.ndarray] = None, region: Any = None,
                threads: Optional[int] = None) -> np.ndarray:
        """Uniform samples on ``[low, high)``; see :func:`fastinit.uniform`."""
        return self._run_plan(_uniform_plan(shape, low, high, dtype, out, region, threads))

    def normal(self, shape: ShapeLike, mean: float = 0.0, std: float = 1.0, *,
               dtype: Any = np.float32, out: Optional[np.ndarray] = None, region: Any = None,
               threads: Optional[int] = None) -> np.ndarray:
        """Normal samples; see :func:`fastinit.normal`."""
        return self._run_plan(_normal_plan(shape, mean, std, dtype, out, region, threads))

    def truncated_normal(self, shape: ShapeLike, mean: float = 0.0, std: float = 1.0,
                         a: Optional[float] = None, b: Optional[float] = None, *,
                         dtype: Any = np.float32, out: Optional[np.ndarray] = None,
                         region: Any = None, threads: Optional[int] = None) -> np.ndarray:
        """Truncated normal samples; see :func:`fastinit.truncated_normal`."""
        return self._run_plan(
            _truncated_normal_plan(shape, mean, std, a, b, dtype, out, region, threads))

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(seed={self._seed}, stream={self._stream}, "
                f"block={self._block})")
