"""The structured initializers: orthogonal, eye, Dirac and sparse.

Their values are computed in NumPy from the engine's fills (orthogonal,
sparse) or from their definition (eye, Dirac).  Each function here takes
validated arguments and a word source (see :mod:`fastinit._table`).
"""
from __future__ import annotations

import math

import numpy as np

from . import _distributions, _layout, _validate
from ._fans import LAYOUTS

# Sparse selection keys are read in chunks of whole columns of about this
# many words, which bounds the temporary memory of large sparse fills.
SPARSE_KEY_CHUNK = 1 << 20

ORTHOGONAL_REGION_ERROR = (
    "orthogonal does not support region: every entry of an orthogonal matrix "
    "depends on the whole random matrix through its QR decomposition, so no "
    "block can be made without making all of it; make the full matrix and "
    "slice it")


def target(shape, dtype, out, region):
    """The array to write: ``out`` checked, or a new uninitialized array.

    Returns ``(array, region)`` with ``region`` normalized (None for the
    full shape).
    """
    if region is not None:
        region = _layout.normalize_region(region, shape)
        result_shape = _layout.region_shape(region)
    else:
        result_shape = shape
    if out is None:
        return np.empty(result_shape, dtype=dtype), region
    return _layout.check_out(out, tuple(result_shape), dtype), region


def fill_constant(shape, value, dtype, out, region):
    """`value` (a finite float) everywhere."""
    array, _ = target(shape, dtype, out, region)
    with np.errstate(over="ignore"):
        cast = np.asarray(value, dtype=np.float64).astype(array.dtype)
    if not np.isfinite(cast):
        raise ValueError(f"value {value} overflows {array.dtype}")
    array[...] = cast
    return array


def orthogonal_matrix_shape(shape, layout):
    """The (rows, cols) matrix an orthogonal weight of ``shape`` is flattened to.

    Keras/JAX layout: columns are the last (output) axis and rows everything
    before it; PyTorch layout: rows are the first (output) axis and columns
    everything after it.
    """
    layout = _validate.choice(layout, "layout", LAYOUTS)
    if len(shape) < 2:
        raise ValueError(
            f"orthogonal requires a shape with at least 2 dimensions, got {shape}")
    if layout == "torch":
        return shape[0], math.prod(shape[1:])
    return math.prod(shape[:-1]), shape[-1]


def dirac_positions(shape, groups, layout):
    """Index tuples of the ones of a Dirac (identity convolution) kernel."""
    layout = _validate.choice(layout, "layout", LAYOUTS)
    if len(shape) < 3:
        raise ValueError(
            "dirac requires a convolution kernel shape with at least 3 dimensions "
            f"(one or more spatial), got {shape}")
    if layout == "torch":
        out_channels, in_channels, spatial = shape[0], shape[1], shape[2:]
    else:
        out_channels, in_channels, spatial = shape[-1], shape[-2], shape[:-2]
    if out_channels % groups:
        raise ValueError(
            f"the output channels ({out_channels}) must be divisible by groups ({groups})")
    per_group = out_channels // groups
    center = tuple(s // 2 for s in spatial)
    if 0 in spatial:
        return []
    positions = []
    for g in range(groups):
        for d in range(min(per_group, in_channels)):
            if layout == "torch":
                positions.append((g * per_group + d, d) + center)
            else:
                positions.append(center + (d, g * per_group + d))
    return positions




def eye(shape, dtype, out, region):
    if len(shape) != 2:
        raise ValueError(f"eye requires a 2-dimensional shape, got {shape}")
    array, region = target(shape, dtype, out, region)
    array[...] = 0
    (r0, r1), (c0, c1) = _layout.region_bounds(region, shape)
    diagonal = np.arange(max(r0, c0), min(r1, c1))
    array[diagonal - r0, diagonal - c0] = 1
    return array


def dirac(shape, groups, layout, dtype, out, region):
    positions = dirac_positions(shape, groups, layout)
    array, region = target(shape, dtype, out, region)
    array[...] = 0
    bounds = _layout.region_bounds(region, shape)
    for position in positions:
        if all(lo <= i < hi for i, (lo, hi) in zip(position, bounds)):
            array[tuple(i - lo for i, (lo, _) in zip(position, bounds))] = 1
    return array


def orthogonal(shape, gain, layout, source, dtype, out, region, threads):
    if region is not None:
        raise ValueError(ORTHOGONAL_REGION_ERROR)
    rows, cols = orthogonal_matrix_shape(shape, layout)
    array, _ = target(shape, dtype, out, None)
    tall = (max(rows, cols), min(rows, cols))
    plan = _distributions.normal_plan(tall, 0.0, 1.0, np.dtype(np.float64), None, threads)
    seed, stream, block = source.start(plan.blocks())
    if array.size == 0:
        return array
    gaussian = plan.run(seed, stream, block)
    q, r = np.linalg.qr(gaussian)
    # Mezzadri (2007): multiplying column i by the sign of R[i, i] makes the
    # decomposition unique and Q Haar-distributed.
    q *= np.where(np.diagonal(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    array[...] = (gain * q).reshape(shape).astype(array.dtype)
    return array


def sparse(shape, sparsity, std, source, dtype, out, region, threads):
    if len(shape) != 2:
        raise ValueError(f"sparse requires a 2-dimensional shape, got {shape}")
    rows, cols = shape
    zeros_per_column = math.ceil(sparsity * rows)
    plan = _distributions.normal_plan(shape, 0.0, std, dtype, region, threads)
    # checked before the blocks are taken: a call that fails takes none of its generator's
    checked = None if out is None else _layout.check_out(out, plan.layout.sub_shape, dtype)
    normal_blocks = plan.blocks()
    key_blocks = -(-rows * cols // 4)
    seed, stream, block = source.start(normal_blocks + key_blocks)
    result = plan.run(seed, stream, block, out)
    if plan.layout.size == 0 or zeros_per_column == 0:
        return result
    array = result if checked is None else checked
    region = None if region is None else _layout.normalize_region(region, shape)
    (r0, r1), (c0, c1) = _layout.region_bounds(region, shape)
    if zeros_per_column == rows:
        array[...] = 0
        return result
    key_word0 = 4 * (block + normal_blocks)
    row_index = np.arange(rows, dtype=np.uint64)
    chunk_cols = max(1, SPARSE_KEY_CHUNK // rows)
    for j0 in range(c0, c1, chunk_cols):
        j1 = min(c1, j0 + chunk_cols)
        first = key_word0 + j0 * rows
        words = _raw_words(key_word0 + j1 * rows - 4 * (first // 4), seed, stream,
                           first // 4)[first % 4:]
        # Unique 64-bit keys: the word, then the row for ties.
        keys = (words.astype(np.uint64).reshape(j1 - j0, rows) << np.uint64(32)) | row_index
        threshold = np.partition(keys, zeros_per_column - 1, axis=1)[:, zeros_per_column - 1]
        zero = keys[:, r0:r1] <= threshold[:, None]
        block_view = array[:, j0 - c0:j1 - c0]
        block_view[zero.T] = 0
    return result


def _raw_words(n, seed, stream, block):
    from ._engine import random_raw
    return random_raw(n, seed=seed, stream=stream, block=block)
