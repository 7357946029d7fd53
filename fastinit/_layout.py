"""Where values go: regions, runs of consecutive elements, pieces, outputs.

A fill makes a *region* of a *logical* C-ordered array.  The region splits
into runs of consecutive logical elements (one run for a whole array), and
an output that cannot take the values directly is filled in rectangular
pieces through a bounded buffer.
"""
from __future__ import annotations

import math
import operator
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _validate
from ._validate import Shape

Region = Tuple[slice, ...]

# Fresh arrays above this size are allocated 64-byte aligned, so that the
# kernels' streaming stores go straight to them (a misaligned output is
# streamed through a small staging buffer instead).
ALIGNED_ALLOCATION_BYTES = 1 << 20


def normalize_region(region: Any, shape: Shape) -> Region:
    """`region` as one ``slice(start, stop, 1)`` per axis of `shape`.

    A region names a block of the logical array, as a tuple of slices
    (``np.s_[0:1024, :]``); missing trailing axes are taken whole, negative
    bounds count from the end of the axis as in numpy.  Unlike numpy
    slicing, bounds outside the axis are an error rather than clipped: a
    shard that silently came out smaller would be a bug in the caller
    (:func:`fastinit.iter_regions` gives blocks that cover a shape exactly).
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
                f"region {entry.start}:{entry.stop} is out of bounds for axis {axis} with "
                f"size {dim}; regions are not clipped (fastinit.iter_regions gives blocks "
                "that cover a shape exactly)")
        result.append(slice(start, stop, 1))
    return tuple(result)


def region_shape(region: Region) -> Shape:
    """Shape of a normalized region."""
    return tuple(s.stop - s.start for s in region)


def region_bounds(region: Optional[Region], shape: Shape):
    """(start, stop) per axis of a normalized region, or of the full shape."""
    if region is None:
        return [(0, n) for n in shape]
    return [(s.start, s.stop) for s in region]


def c_strides(shape: Shape) -> Shape:
    """Element strides of a C-ordered array of `shape`."""
    strides = []
    acc = 1
    for d in reversed(shape):
        strides.append(acc)
        acc *= d
    return tuple(reversed(strides))


class Layout:
    """How a region of a logical C-ordered array splits into runs of
    consecutive logical elements."""

    def __init__(self, shape: Shape, region: Region):
        self.shape = shape
        self.region = region
        self.sub_shape = region_shape(region)
        self.size = math.prod(self.sub_shape)
        self.outer_shape: Shape
        if self.sub_shape == shape:
            self._whole()
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
        strides = c_strides(shape)
        self.first = sum(s.start * st for s, st in zip(region, strides))
        # last logical element touched + 1 (for the counter-space check)
        self.logical_end = (
            sum((s.stop - 1) * st for s, st in zip(region, strides)) + 1 if self.size else 0)

    def _whole(self) -> None:
        # the whole array: one run (the common case, kept cheap)
        self.outer_shape = ()
        self.run_len = max(1, self.size)
        self.n_runs = 1 if self.size else 0
        self.first = 0
        self.logical_end = self.size

    @classmethod
    def whole(cls, shape: Shape) -> "Layout":
        """The layout of a whole array, without building its region's slices."""
        layout = cls.__new__(cls)
        layout.shape = shape
        layout.region = None  # type: ignore[assignment]
        layout.sub_shape = shape
        layout.size = math.prod(shape)
        layout._whole()
        return layout

    def full_region(self) -> Region:
        return self.region if self.region is not None else tuple(
            slice(0, d, 1) for d in self.shape)

    def run_offsets(self, run_begin: int, run_end: int) -> Optional[np.ndarray]:
        """Logical index of the first element of runs [run_begin, run_end)."""
        if not self.outer_shape:
            return None
        flat = np.arange(run_begin, run_end, dtype=np.int64)
        idx = np.unravel_index(flat, self.outer_shape)
        offsets = np.full(run_end - run_begin, self.first, dtype=np.uint64)
        strides = c_strides(self.shape)
        for axis, ix in enumerate(idx):
            offsets += ix.astype(np.uint64) * np.uint64(strides[axis])
        return offsets


_WHOLE_LAYOUTS: dict = {}


def layout_of(shape: Shape, region: Any) -> Layout:
    """The layout of `region` (None: the whole array) of `shape`.

    Layouts are never changed once made, so the whole-array ones are shared.
    """
    if region is None:
        layout = _WHOLE_LAYOUTS.get(shape)
        if layout is None:
            if len(_WHOLE_LAYOUTS) >= 4096:
                _WHOLE_LAYOUTS.clear()
            layout = _WHOLE_LAYOUTS[shape] = Layout.whole(shape)
        return layout
    return Layout(shape, normalize_region(region, shape))


def pieces_in_memory_order(shape: Shape, strides: Sequence[int], limit: int):
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


# --------------------------------------------------------------------------
# destinations


def aligned_empty(shape: Shape, dtype: np.dtype) -> np.ndarray:
    """An uninitialized C-ordered array; large ones start on a 64-byte
    boundary.  Pages stay untouched until the filling threads write them
    (numpy asks the OS for transparent huge pages on large allocations)."""
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < ALIGNED_ALLOCATION_BYTES:
        return np.empty(shape, dtype)
    raw = np.empty(nbytes + 64, np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset:offset + nbytes].view(dtype).reshape(shape)


def is_torch_tensor(obj: Any) -> bool:
    """True for a ``torch.Tensor`` (and ``nn.Parameter``), without importing torch."""
    if type(obj) is np.ndarray:
        return False
    return any(cls.__module__ == "torch" and cls.__name__ == "Tensor"
               for cls in type(obj).__mro__)


def _torch_as_numpy(tensor: Any) -> np.ndarray:
    """A CPU tensor's memory as a numpy array: bfloat16 through ml_dtypes,
    a Parameter or a tensor that requires grad through ``detach()`` (which
    shares the memory)."""
    device = str(getattr(tensor, "device", "cpu"))
    if device != "cpu":
        what = "materialize it first (module.to_empty(device='cpu'))" if device == "meta" else (
            "fill a CPU tensor and copy it over")
        raise TypeError(f"out is a torch tensor on device {device!r}; fastinit fills CPU "
                        f"memory: {what}")
    tensor = tensor.detach()
    if str(tensor.dtype) == "torch.bfloat16":
        bf16 = _validate.bfloat16_dtype()
        if bf16 is None:
            raise TypeError("a bfloat16 out needs the ml_dtypes package (pip install ml_dtypes)")
        import torch  # present: `tensor` is one of its tensors
        return np.from_dlpack(tensor.view(torch.int16)).view(bf16)
    return np.from_dlpack(tensor)


def as_output_array(out: Any) -> np.ndarray:
    """`out` as a numpy array sharing its memory.

    Besides numpy arrays, CPU ``torch.Tensor`` objects (also Parameters and
    bfloat16 tensors) and any other object that exports its memory through
    DLPack can be filled in place.  Masked arrays and ``np.matrix`` are
    refused: their subclass semantics (the mask, 2-d only) would be lost.
    """
    if type(out) is np.ndarray:
        return out
    if isinstance(out, np.ma.MaskedArray):
        raise TypeError("out must not be a masked array: fill out.data (the mask is "
                        "not changed by an initializer)")
    if isinstance(out, np.matrix):
        raise TypeError("out must not be a numpy.matrix: pass np.asarray(out), which "
                        "shares its memory")
    if isinstance(out, np.ndarray):
        return out
    try:
        if is_torch_tensor(out):
            return _torch_as_numpy(out)
        if hasattr(out, "__dlpack__"):
            return np.from_dlpack(out)
    except (BufferError, TypeError, ValueError, RuntimeError) as exc:
        if isinstance(exc, TypeError) and str(exc).startswith("out is a torch tensor"):
            raise
        raise TypeError(
            f"out of type {type(out).__name__} cannot be viewed as a numpy array "
            f"in place: {exc}") from None
    raise TypeError(
        f"out must be a numpy.ndarray or a DLPack-exporting CPU tensor, not {type(out).__name__}")


def check_out(out: Any, shape: Shape, dtype: np.dtype) -> np.ndarray:
    """`out` as a writable numpy array of `shape` and `dtype`."""
    out = as_output_array(out)
    if out.dtype != dtype:
        raise TypeError(
            f"Supplied output array has the wrong type: expected {dtype}, got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out has shape {out.shape} but the requested shape is {shape}")
    flags = out.flags
    if not flags.writeable:
        raise ValueError("out is read-only: assignment destination is read-only")
    if not flags.c_contiguous and any(st == 0 and n > 1
                                      for st, n in zip(out.strides, out.shape)):
        raise ValueError("out has a zero stride (several elements share memory): "
                         "its elements would overwrite each other")
    return out
