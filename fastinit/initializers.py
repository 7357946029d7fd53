"""Weight initializers: the methods of ``torch.nn.init``, Keras and JAX.

Every function returns a NumPy array (or fills ``out`` in place).  The
random ones draw through the fill engine (:func:`fastinit.normal`,
:func:`fastinit.uniform`, :func:`fastinit.truncated_normal`) with the scale
computed by :func:`fastinit.variance_scaling_parameters`, so ``seed``,
``stream``, ``block``, ``dtype``, ``out``, ``region`` and ``threads`` behave
exactly as they do there: the same seed gives the same bits on every machine
and thread count, and a ``region`` of a weight equals the same slice of the
full weight (the scale always comes from the full logical shape).

Biases are initialized to zero (:func:`zeros`); weights never should be,
because units with identical weights receive identical gradients and never
become different.

Shapes follow Keras/JAX, ``(*receptive_field, in, out)``, unless
``layout="torch"`` is given, which reads PyTorch's
``(out, in, *receptive_field)``; see :func:`fastinit.fans`.
"""

import math

import numpy as np

from . import _engine
from ._engine import truncated_normal
from ._scales import (
    _check_real,
    _check_sparsity,
    _dirac_positions,
    _he_plan,
    _lecun_plan,
    _general_plan,
    _normalize_shape,
    _orthogonal_matrix_shape,
    _xavier_plan,
    recommend,
)

__all__ = [
    "zeros",
    "ones",
    "constant",
    "truncated_normal",
    "xavier_uniform",
    "xavier_normal",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "lecun_uniform",
    "lecun_normal",
    "variance_scaling",
    "orthogonal",
    "eye",
    "dirac",
    "sparse",
    "init",
    "InitializerMethods",
]

# Sparse selection keys are read in chunks of whole columns of about this
# many words, which bounds the temporary memory of large sparse fills.
_SPARSE_KEY_CHUNK = 1 << 20


# ---------------------------------------------------------------------------
# where the random words come from


class _Fixed:
    """Words of a one-shot call: the caller's seed, stream and block offset."""

    def __init__(self, seed, stream, block):
        self.seed = seed
        self.stream = stream
        self.block = block

    def start(self, n_blocks):
        # Resolved once, so that a method drawing twice (orthogonal, sparse)
        # uses one seed even when it comes from the OS.
        return _engine.resolve_seed(self.seed), _engine.resolve_stream(self.stream), self.block


class _FromGenerator:
    """Words of a :class:`fastinit.Generator`, which advances past them."""

    def __init__(self, generator):
        self.generator = generator

    def start(self, n_blocks):
        gen = self.generator
        return gen.seed, gen.stream, gen._take_blocks(n_blocks)


def _normalized(shape, dtype, method="normal"):
    return _engine.normalize_shape(shape), _engine.normalize_dtype(dtype, method)


def _draw(plan, shape, source, dtype, out, region, threads):
    """Fill ``shape`` (or its region) from the plan of a fan-based initializer."""
    shape, dtype = _normalized(shape, dtype, plan.method)
    kind = plan.distribution
    seed, stream, block = source.start(_engine.blocks_for(kind, shape, dtype))
    common = dict(dtype=dtype, seed=seed, stream=stream, block=block, out=out,
                  region=region, threads=threads)
    # An empty shape has no scale (its fans may be 0); nothing is drawn, so
    # any valid parameters do and the engine still checks out/region/dtype.
    if kind == "uniform":
        bound = 1.0 if plan.bound is None else plan.bound
        return _engine.uniform(shape, -bound, bound, **common)
    std = 1.0 if plan.normal_std is None else plan.normal_std
    if kind == "normal":
        return _engine.normal(shape, 0.0, std, **common)
    return _engine.truncated_normal(shape, 0.0, std, **common)


def _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out):
    return dict(layout=layout, in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis,
                fan_in=fan_in, fan_out=fan_out)


# ---------------------------------------------------------------------------
# outputs of the methods that compute their values in NumPy


def _target(method, shape, dtype, out, region):
    """The array to write: ``out`` checked, or a new uninitialized array.

    Returns ``(array, region)`` with ``region`` normalized (None for the
    full shape).
    """
    shape, dtype = _normalized(shape, dtype, method)
    if region is not None:
        region = _engine.normalize_region(region, shape)
        result_shape = _engine.region_shape(region)
    else:
        result_shape = shape
    if out is None:
        return np.empty(result_shape, dtype=dtype), region
    return _engine._check_out(out, tuple(result_shape), dtype), region


def _region_bounds(region, shape):
    """(start, stop) per axis of a normalized region, or of the full shape."""
    if region is None:
        return [(0, n) for n in shape]
    return [(s.start, s.stop) for s in region]


# ---------------------------------------------------------------------------
# documentation shared by the functions

_PARAMS_OUTPUT = """\
dtype : data-type, optional
        float32 (default), float64, float16 or ml_dtypes.bfloat16.
    out : ndarray, optional
        Writable array of ``dtype`` and of the shape of the result (the
        region's shape when ``region`` is given), filled in place and
        returned.
    region : tuple of slices, optional
        Block of the logical ``shape`` to produce (``np.s_[a:b, c:d]``, step
        1); the result equals that slice of the full array, which is never
        allocated."""

_PARAMS_RANDOM = """\
dtype : data-type, optional
        float32 (default), float64, float16 or ml_dtypes.bfloat16.
    seed : int, optional
        In [0, 2**64); None draws one from the OS.
    stream : int or str, optional
        Stream number in [0, 2**64) or a name such as a parameter's
        ``"encoder.layer3.weight"``; different streams are independent.
    block : int, optional
        Block offset into the stream (default 0).
    out : ndarray, optional
        Writable array of ``dtype`` and of the shape of the result (the
        region's shape when ``region`` is given), filled in place and
        returned.
    region : tuple of slices, optional
        Block of the logical ``shape`` to produce (``np.s_[a:b, c:d]``, step
        1); the result equals that slice of the full array, which is never
        allocated, and the scale still comes from the full ``shape``.
    threads : int, optional
        Number of threads (None: automatic); the values never depend on it."""

_PARAMS_FANS = """\
layout : {"keras", "torch"}, optional
        ``"keras"`` (default): ``(*receptive_field, in, out)``;
        ``"torch"``: ``(out, in, *receptive_field)``.
    in_axis, out_axis, batch_axis : int or sequence of ints, optional
        Input, output and ignored axes for ``layout="keras"`` (defaults -2,
        -1 and none), as in ``jax.nn.initializers``.
    fan_in, fan_out : positive number, optional
        Override the fans computed from the shape."""

_RETURNS = """\
Returns
    -------
    ndarray
        The weights (``out`` when given)."""


def _doc(**parts):
    def decorate(func):
        func.__doc__ = func.__doc__.format(random=_PARAMS_RANDOM, output=_PARAMS_OUTPUT,
                                           fans=_PARAMS_FANS, returns=_RETURNS, **parts)
        return func
    return decorate


# ---------------------------------------------------------------------------
# constants


def _fill_constant(method, shape, value, dtype, out, region):
    target, _ = _target(method, shape, dtype, out, region)
    with np.errstate(over="ignore"):
        cast = np.asarray(value, dtype=np.float64).astype(target.dtype)
    if not np.isfinite(cast):
        raise ValueError(f"value {value} overflows {target.dtype}")
    target[...] = cast
    return target


@_doc()
def zeros(shape, *, dtype=np.float32, out=None, region=None):
    """Zeros: the initialization for biases.

    Biases start at zero.  Weights never should: units with identical
    weights compute the same thing, receive the same gradient and stay
    identical, so the layer behaves like a single unit.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the array.
    {output}

    {returns}
    """
    return _fill_constant("zeros", shape, 0.0, dtype, out, region)


@_doc()
def ones(shape, *, dtype=np.float32, out=None, region=None):
    """Ones, for example the scale (gamma) of a normalization layer.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the array.
    {output}

    {returns}
    """
    return _fill_constant("ones", shape, 1.0, dtype, out, region)


@_doc()
def constant(shape, value, *, dtype=np.float32, out=None, region=None):
    """An array filled with ``value``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the array.
    value : float
        The value, finite and representable in ``dtype``.
    {output}

    {returns}
    """
    return _fill_constant("constant", shape, _check_real(value, "value"), dtype, out, region)


# ---------------------------------------------------------------------------
# fan-based initializers


def _xavier(shape, gain, distribution, source, dtype, out, region, threads, fan_kw):
    plan = _xavier_plan("xavier_" + distribution, _normalize_shape(shape), gain,
                        distribution, fan_kw)
    return _draw(plan, shape, source, dtype, out, region, threads)


def _he(shape, a, mode, nonlinearity, distribution, source, dtype, out, region, threads,
        fan_kw):
    plan = _he_plan("he_" + distribution, _normalize_shape(shape), a, mode, nonlinearity,
                    distribution, fan_kw)
    return _draw(plan, shape, source, dtype, out, region, threads)


def _lecun(shape, distribution, source, dtype, out, region, threads, fan_kw):
    plan = _lecun_plan("lecun_" + distribution, _normalize_shape(shape), distribution, fan_kw)
    return _draw(plan, shape, source, dtype, out, region, threads)


def _variance_scaling(shape, scale, mode, distribution, source, dtype, out, region, threads,
                      fan_kw):
    plan = _general_plan(_normalize_shape(shape), scale, mode, distribution, fan_kw)
    return _draw(plan, shape, source, dtype, out, region, threads)


_XAVIER_NOTES = """\
Glorot & Bengio (2010) keep the variance of activations and of gradients
    equal across layers with ``Var = 2 / (fan_in + fan_out)``.  Some tutorials
    state ``Var = 1 / (fan_in + fan_out)``, half the published value; that
    one is ``variance_scaling(shape, scale=0.5, mode="fan_avg",
    distribution="{distribution}")``.  Keras and JAX's ``glorot_normal``
    draws from a truncated normal instead:
    ``variance_scaling(shape, scale=1.0, mode="fan_avg")``."""


@_doc(notes=_XAVIER_NOTES.format(distribution="uniform"))
def xavier_uniform(shape, gain=1.0, *, dtype=np.float32, seed=None, stream=0, block=0,
                   out=None, region=None, threads=None, layout="keras", in_axis=-2,
                   out_axis=-1, batch_axis=(), fan_in=None, fan_out=None):
    """Xavier (Glorot) uniform: ``U(-b, b)``, ``b = gain · sqrt(6 / (fan_in + fan_out))``.

    Also available as ``glorot_uniform``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    gain : float, optional
        Non-negative factor on the bound (see :func:`fastinit.calculate_gain`).
    {random}
    {fans}

    {returns}

    Notes
    -----
    {notes}

    Examples
    --------
    >>> w = xavier_uniform((3, 2), seed=0)
    >>> bool(abs(w).max() < (6 / 5) ** 0.5)
    True
    """
    return _xavier(shape, gain, "uniform", _Fixed(seed, stream, block), dtype, out, region,
                   threads, _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


@_doc(notes=_XAVIER_NOTES.format(distribution="normal"))
def xavier_normal(shape, gain=1.0, *, dtype=np.float32, seed=None, stream=0, block=0,
                  out=None, region=None, threads=None, layout="keras", in_axis=-2,
                  out_axis=-1, batch_axis=(), fan_in=None, fan_out=None):
    """Xavier (Glorot) normal: ``N(0, std²)``, ``std = gain · sqrt(2 / (fan_in + fan_out))``.

    Also available as ``glorot_normal``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    gain : float, optional
        Non-negative factor on the std (see :func:`fastinit.calculate_gain`).
    {random}
    {fans}

    {returns}

    Notes
    -----
    {notes}
    """
    return _xavier(shape, gain, "normal", _Fixed(seed, stream, block), dtype, out, region,
                   threads, _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


_HE_PARAMS = """\
a : float, optional
        Negative slope of the leaky ReLU after the layer (used only with
        ``nonlinearity="leaky_relu"``); 0 (default) is plain ReLU.
    mode : {"fan_in", "fan_out"}, optional
        ``"fan_in"`` (default) keeps the variance of activations in the
        forward pass, ``"fan_out"`` that of gradients in the backward pass.
    nonlinearity : str, optional
        The activation after the layer, for :func:`fastinit.calculate_gain`
        (default ``"leaky_relu"``, which with ``a=0`` gives gain √2, as in
        PyTorch)."""

_HE_NOTES = """\
He et al. (2015): a ReLU zeroes half of its input, so the weights need
    twice LeCun's variance, ``Var = 2 / fan_in``, to keep activations from
    shrinking layer after layer.  Keras and JAX's ``he_normal`` draws from a
    truncated normal instead: ``variance_scaling(shape, scale=2.0)``."""


@_doc(he=_HE_PARAMS, notes=_HE_NOTES)
def he_uniform(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, dtype=np.float32,
               seed=None, stream=0, block=0, out=None, region=None, threads=None,
               layout="keras", in_axis=-2, out_axis=-1, batch_axis=(), fan_in=None,
               fan_out=None):
    """He (Kaiming) uniform: ``U(-b, b)``, ``b = gain · sqrt(3 / fan)``.

    Also available as ``kaiming_uniform``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    {he}
    {random}
    {fans}

    {returns}

    Notes
    -----
    {notes}
    """
    return _he(shape, a, mode, nonlinearity, "uniform", _Fixed(seed, stream, block), dtype,
               out, region, threads,
               _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


@_doc(he=_HE_PARAMS, notes=_HE_NOTES)
def he_normal(shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *, dtype=np.float32,
              seed=None, stream=0, block=0, out=None, region=None, threads=None,
              layout="keras", in_axis=-2, out_axis=-1, batch_axis=(), fan_in=None,
              fan_out=None):
    """He (Kaiming) normal: ``N(0, std²)``, ``std = gain / sqrt(fan)``.

    Also available as ``kaiming_normal``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    {he}
    {random}
    {fans}

    {returns}

    Notes
    -----
    {notes}

    Examples
    --------
    >>> w = he_normal((1024, 256), seed=1, stream="encoder.layer0.weight")
    >>> w.shape, w.dtype
    ((1024, 256), dtype('float32'))
    """
    return _he(shape, a, mode, nonlinearity, "normal", _Fixed(seed, stream, block), dtype,
               out, region, threads,
               _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


_LECUN_NOTES = """\
LeCun et al. (1998), "Efficient BackProp": ``Var = 1 / fan_in`` keeps the
    variance of a linear layer's outputs equal to that of its inputs.  It is
    the initialization self-normalizing networks with SELU need (Klambauer
    et al. 2017).  Keras and JAX's ``lecun_normal`` draws from a truncated
    normal instead: ``variance_scaling(shape, scale=1.0)``."""


@_doc(notes=_LECUN_NOTES)
def lecun_uniform(shape, *, dtype=np.float32, seed=None, stream=0, block=0, out=None,
                  region=None, threads=None, layout="keras", in_axis=-2, out_axis=-1,
                  batch_axis=(), fan_in=None, fan_out=None):
    """LeCun uniform: ``U(-b, b)``, ``b = sqrt(3 / fan_in)``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    {random}
    {fans}

    {returns}

    Notes
    -----
    {notes}
    """
    return _lecun(shape, "uniform", _Fixed(seed, stream, block), dtype, out, region, threads,
                  _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


@_doc(notes=_LECUN_NOTES)
def lecun_normal(shape, *, dtype=np.float32, seed=None, stream=0, block=0, out=None,
                 region=None, threads=None, layout="keras", in_axis=-2, out_axis=-1,
                 batch_axis=(), fan_in=None, fan_out=None):
    """LeCun normal: ``N(0, std²)``, ``std = sqrt(1 / fan_in)``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    {random}
    {fans}

    {returns}

    Notes
    -----
    {notes}
    """
    return _lecun(shape, "normal", _Fixed(seed, stream, block), dtype, out, region, threads,
                  _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


@_doc()
def variance_scaling(shape, scale=1.0, mode="fan_in", distribution="truncated_normal", *,
                     dtype=np.float32, seed=None, stream=0, block=0, out=None, region=None,
                     threads=None, layout="keras", in_axis=-2, out_axis=-1, batch_axis=(),
                     fan_in=None, fan_out=None):
    """Variance scaling as in Keras and JAX: ``Var = scale / n``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    scale : float, optional
        Non-negative multiplier of the variance (default 1).
    mode : {{"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}}, optional
        ``n`` is fan_in (default), fan_out, their mean or their geometric mean.
    distribution : {{"truncated_normal", "normal", "uniform"}}, optional
        ``"truncated_normal"`` (default) cuts a normal at two of its standard
        deviations and widens it by 1 / 0.87962566103423978 so that the
        weights keep variance ``scale / n``; ``"uniform"`` draws from
        ``U(-b, b)`` with ``b = sqrt(3 · scale / n)``.
    {random}
    {fans}

    {returns}

    Notes
    -----
    Every named initializer is a case of this one (see
    :func:`fastinit.variance_scaling_parameters`): Keras/JAX's
    ``glorot_normal`` is ``scale=1, mode="fan_avg"``, ``he_normal`` is
    ``scale=2`` and ``lecun_normal`` is ``scale=1``, all truncated normal.
    """
    return _variance_scaling(shape, scale, mode, distribution, _Fixed(seed, stream, block),
                             dtype, out, region, threads,
                             _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))


glorot_uniform = xavier_uniform
glorot_normal = xavier_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


# ---------------------------------------------------------------------------
# orthogonal


def _orthogonal(shape, gain, layout, source, dtype, out, region, threads):
    if region is not None:
        raise ValueError(
            "orthogonal does not support region: every entry of an orthogonal matrix "
            "depends on the whole random matrix through its QR decomposition, so no "
            "block can be made without making all of it; make the full matrix and "
            "slice it")
    shape = _normalize_shape(shape)
    gain = _check_real(gain, "gain")
    rows, cols = _orthogonal_matrix_shape(shape, layout)
    target, _ = _target("orthogonal", shape, dtype, out, None)
    tall = (max(rows, cols), min(rows, cols))
    seed, stream, block = source.start(_engine.blocks_for("normal", tall, np.float64))
    if target.size == 0:
        return target
    gaussian = _engine.normal(tall, dtype=np.float64, seed=seed, stream=stream, block=block,
                              threads=threads)
    q, r = np.linalg.qr(gaussian)
    # Mezzadri (2007): multiplying column i by the sign of R[i, i] makes the
    # decomposition unique and Q Haar-distributed.
    q *= np.where(np.diagonal(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    target[...] = (gain * q).reshape(shape).astype(target.dtype)
    return target


@_doc()
def orthogonal(shape, gain=1.0, *, dtype=np.float32, seed=None, stream=0, block=0, out=None,
               region=None, threads=None, layout="keras"):
    """A (semi-)orthogonal matrix: orthonormal rows or columns, times ``gain``.

    Parameters
    ----------
    shape : tuple of ints
        Logical shape of the weight, at least 2-dimensional.
    gain : float, optional
        Multiplier (default 1).
    {random}
        ``region`` is not supported, see Raises.
    layout : {{"keras", "torch"}}, optional
        How a shape with more than 2 dimensions becomes a matrix.
        ``"keras"`` (default), like Keras and JAX: the last (output) axis
        holds the columns and all other axes are flattened into rows.
        ``"torch"``, like PyTorch: the first (output) axis holds the rows
        and all other axes are flattened into columns.

    {returns}

    Raises
    ------
    ValueError
        For a ``region``: each entry depends on the whole random matrix
        through the QR decomposition, so a block cannot be produced alone.

    Notes
    -----
    Saxe et al. (2014) showed that orthogonal weights let deep linear
    networks learn as fast as shallow ones.  The matrix is ``Q`` of the QR
    decomposition of a standard normal ``max(rows, cols) × min(rows, cols)``
    matrix (always drawn as float64, from blocks ``block, block + 1, ...`` of
    the stream), with each column multiplied by the sign of the matching
    diagonal entry of ``R`` (Mezzadri 2007) so that it is uniformly (Haar)
    distributed, and transposed when there are fewer rows than columns.

    Examples
    --------
    >>> import numpy as np
    >>> q = orthogonal((4, 3), seed=0, dtype=np.float64)
    >>> bool(np.allclose(q.T @ q, np.eye(3)))
    True
    """
    return _orthogonal(shape, gain, layout, _Fixed(seed, stream, block), dtype, out, region,
                       threads)


# ---------------------------------------------------------------------------
# structured matrices


@_doc()
def eye(shape, *, dtype=np.float32, out=None, region=None):
    """The identity matrix (ones on the main diagonal of a 2-D shape).

    Parameters
    ----------
    shape : tuple of 2 ints
        Logical shape; non-square shapes keep as many inputs as they can.
    {output}

    {returns}
    """
    shape = _normalize_shape(shape)
    if len(shape) != 2:
        raise ValueError(f"eye requires a 2-dimensional shape, got {shape}")
    target, region = _target("eye", shape, dtype, out, region)
    target[...] = 0
    (r0, r1), (c0, c1) = _region_bounds(region, shape)
    diagonal = np.arange(max(r0, c0), min(r1, c1))
    target[diagonal - r0, diagonal - c0] = 1
    return target


@_doc()
def dirac(shape, groups=1, *, dtype=np.float32, out=None, region=None, layout="keras"):
    """Dirac delta kernel: a convolution that passes its input through.

    Output channel ``g · (out / groups) + d`` copies input channel ``d`` at
    the kernel's center, for ``d < min(out / groups, in)`` in every group
    ``g``; everything else is zero.

    Parameters
    ----------
    shape : tuple of ints
        Logical kernel shape with at least one spatial axis:
        ``(*spatial, in, out)`` for ``layout="keras"`` (default) or
        ``(out, in, *spatial)`` for ``layout="torch"``.
    groups : int, optional
        Number of groups of the convolution; must divide the output channels.
    {output}
    layout : {{"keras", "torch"}}, optional
        Axis order of ``shape``.

    {returns}

    Notes
    -----
    With ``layout="torch"`` this is ``torch.nn.init.dirac_``.
    """
    shape = _normalize_shape(shape)
    positions = _dirac_positions(shape, groups, layout)
    target, region = _target("dirac", shape, dtype, out, region)
    target[...] = 0
    bounds = _region_bounds(region, shape)
    for position in positions:
        if all(lo <= i < hi for i, (lo, hi) in zip(position, bounds)):
            target[tuple(i - lo for i, (lo, _) in zip(position, bounds))] = 1
    return target


# ---------------------------------------------------------------------------
# sparse


def _sparse(shape, sparsity, std, source, dtype, out, region, threads):
    shape = _normalize_shape(shape)
    sparsity = _check_sparsity(sparsity)
    std = _check_real(std, "std")
    if len(shape) != 2:
        raise ValueError(f"sparse requires a 2-dimensional shape, got {shape}")
    shape, dtype = _normalized(shape, dtype, "sparse")
    rows, cols = shape
    zeros_per_column = math.ceil(sparsity * rows)
    normal_blocks = _engine.blocks_for("normal", shape, dtype)
    key_blocks = -(-rows * cols // 4)
    seed, stream, block = source.start(normal_blocks + key_blocks)
    result = _engine.normal(shape, 0.0, std, dtype=dtype, seed=seed, stream=stream,
                            block=block, out=out, region=region, threads=threads)
    if result.size == 0 or zeros_per_column == 0:
        return result
    region = None if region is None else _engine.normalize_region(region, shape)
    (r0, r1), (c0, c1) = _region_bounds(region, shape)
    if zeros_per_column == rows:
        result[...] = 0
        return result
    key_word0 = 4 * (block + normal_blocks)
    row_index = np.arange(rows, dtype=np.uint64)
    chunk_cols = max(1, _SPARSE_KEY_CHUNK // rows)
    for j0 in range(c0, c1, chunk_cols):
        j1 = min(c1, j0 + chunk_cols)
        first = key_word0 + j0 * rows
        words = _engine.random_raw(key_word0 + j1 * rows - 4 * (first // 4), seed=seed,
                                   stream=stream, block=first // 4)[first % 4:]
        # Unique 64-bit keys: the word, then the row for ties.
        keys = (words.astype(np.uint64).reshape(j1 - j0, rows) << np.uint64(32)) | row_index
        threshold = np.partition(keys, zeros_per_column - 1, axis=1)[:, zeros_per_column - 1]
        zero = keys[:, r0:r1] <= threshold[:, None]
        block_view = result[:, j0 - c0:j1 - c0]
        block_view[zero.T] = 0
    return result


@_doc()
def sparse(shape, sparsity, std=0.01, *, dtype=np.float32, seed=None, stream=0, block=0,
           out=None, region=None, threads=None):
    """Sparse normal matrix: each column has ``ceil(sparsity · rows)`` zeros.

    Parameters
    ----------
    shape : tuple of 2 ints
        Logical shape ``(rows, cols)``.
    sparsity : float
        Fraction in [0, 1] of each column's entries set to zero.
    std : float, optional
        Standard deviation of the non-zero entries (default 0.01).
    {random}

    {returns}

    Notes
    -----
    Martens (2010) starts Hessian-free training from weights with few
    non-zero entries per unit.  The non-zero values are the normal fill
    ``normal(shape, 0, std)`` of the same seed, stream and block.  The zeros
    are chosen from the same seed too (PyTorch's ``sparse_`` ignores its
    generator there): the words that follow the normals in the stream serve
    as selection keys, key of entry ``(i, j)`` being word ``j · rows + i``
    after the last block the normals use, and the ``ceil(sparsity · rows)``
    entries of each column with the smallest keys (ties broken by the row)
    become zero.  So a region is exact too, and a
    :class:`fastinit.Generator` advances past both the normals and the keys.

    In the Keras layout ``(in, out)`` a column is an output unit, which keeps
    ``rows - ceil(sparsity · rows)`` incoming weights; in PyTorch's
    ``(out, in)`` this is exactly ``torch.nn.init.sparse_``'s pattern.
    """
    return _sparse(shape, sparsity, std, _Fixed(seed, stream, block), dtype, out, region,
                   threads)


# ---------------------------------------------------------------------------
# by activation


@_doc()
def init(shape, activation="relu", *, dtype=np.float32, seed=None, stream=0, block=0,
         out=None, region=None, threads=None, layout="keras", in_axis=-2, out_axis=-1,
         batch_axis=(), fan_in=None, fan_out=None):
    """Weights initialized the way :func:`fastinit.recommend` says for ``activation``.

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the weight.
    activation : str or None, optional
        The activation after the layer (default ``"relu"``); None for a
        linear layer.
    {random}
    {fans}

    {returns}

    Examples
    --------
    >>> bool(init((256, 128), "tanh", seed=0).std() < init((256, 128), "relu", seed=0).std())
    True
    """
    recommendation = recommend(activation)
    method = globals()[recommendation.method]
    return method(shape, **recommendation.kwargs, dtype=dtype, seed=seed, stream=stream,
                  block=block, out=out, region=region, threads=threads, layout=layout,
                  in_axis=in_axis, out_axis=out_axis, batch_axis=batch_axis, fan_in=fan_in,
                  fan_out=fan_out)


# ---------------------------------------------------------------------------
# Generator methods


class InitializerMethods:
    """Initializer methods of :class:`fastinit.Generator`.

    Each method is the module function of the same name without ``seed``,
    ``stream`` and ``block``: it uses the generator's seed and stream and
    starts at its current block, advancing it past every block the full
    logical fill uses (also when only a ``region`` is produced, so that
    generators in the same state make slices of the same array).

    The class expects ``self.seed``, ``self.stream`` and
    ``self._take_blocks(n_blocks)``, which returns the start block and
    advances the generator.
    """

    def zeros(self, shape, *, dtype=np.float32, out=None, region=None):
        """Zeros, as :func:`fastinit.zeros` (nothing random is used)."""
        return zeros(shape, dtype=dtype, out=out, region=region)

    def ones(self, shape, *, dtype=np.float32, out=None, region=None):
        """Ones, as :func:`fastinit.ones` (nothing random is used)."""
        return ones(shape, dtype=dtype, out=out, region=region)

    def constant(self, shape, value, *, dtype=np.float32, out=None, region=None):
        """A constant array, as :func:`fastinit.constant` (nothing random is used)."""
        return constant(shape, value, dtype=dtype, out=out, region=region)

    def eye(self, shape, *, dtype=np.float32, out=None, region=None):
        """The identity matrix, as :func:`fastinit.eye` (nothing random is used)."""
        return eye(shape, dtype=dtype, out=out, region=region)

    def dirac(self, shape, groups=1, *, dtype=np.float32, out=None, region=None,
              layout="keras"):
        """A Dirac kernel, as :func:`fastinit.dirac` (nothing random is used)."""
        return dirac(shape, groups, dtype=dtype, out=out, region=region, layout=layout)

    def xavier_uniform(self, shape, gain=1.0, *, dtype=np.float32, out=None, region=None,
                       threads=None, layout="keras", in_axis=-2, out_axis=-1, batch_axis=(),
                       fan_in=None, fan_out=None):
        """Xavier uniform from this generator, see :func:`fastinit.xavier_uniform`."""
        return _xavier(shape, gain, "uniform", _FromGenerator(self), dtype, out, region,
                       threads, _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))

    def xavier_normal(self, shape, gain=1.0, *, dtype=np.float32, out=None, region=None,
                      threads=None, layout="keras", in_axis=-2, out_axis=-1, batch_axis=(),
                      fan_in=None, fan_out=None):
        """Xavier normal from this generator, see :func:`fastinit.xavier_normal`."""
        return _xavier(shape, gain, "normal", _FromGenerator(self), dtype, out, region,
                       threads, _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))

    def he_uniform(self, shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *,
                   dtype=np.float32, out=None, region=None, threads=None, layout="keras",
                   in_axis=-2, out_axis=-1, batch_axis=(), fan_in=None, fan_out=None):
        """He uniform from this generator, see :func:`fastinit.he_uniform`."""
        return _he(shape, a, mode, nonlinearity, "uniform", _FromGenerator(self), dtype, out,
                   region, threads,
                   _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))

    def he_normal(self, shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu", *,
                  dtype=np.float32, out=None, region=None, threads=None, layout="keras",
                  in_axis=-2, out_axis=-1, batch_axis=(), fan_in=None, fan_out=None):
        """He normal from this generator, see :func:`fastinit.he_normal`."""
        return _he(shape, a, mode, nonlinearity, "normal", _FromGenerator(self), dtype, out,
                   region, threads,
                   _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))

    def lecun_uniform(self, shape, *, dtype=np.float32, out=None, region=None, threads=None,
                      layout="keras", in_axis=-2, out_axis=-1, batch_axis=(), fan_in=None,
                      fan_out=None):
        """LeCun uniform from this generator, see :func:`fastinit.lecun_uniform`."""
        return _lecun(shape, "uniform", _FromGenerator(self), dtype, out, region, threads,
                      _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))

    def lecun_normal(self, shape, *, dtype=np.float32, out=None, region=None, threads=None,
                     layout="keras", in_axis=-2, out_axis=-1, batch_axis=(), fan_in=None,
                     fan_out=None):
        """LeCun normal from this generator, see :func:`fastinit.lecun_normal`."""
        return _lecun(shape, "normal", _FromGenerator(self), dtype, out, region, threads,
                      _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in, fan_out))

    def variance_scaling(self, shape, scale=1.0, mode="fan_in",
                         distribution="truncated_normal", *, dtype=np.float32, out=None,
                         region=None, threads=None, layout="keras", in_axis=-2, out_axis=-1,
                         batch_axis=(), fan_in=None, fan_out=None):
        """Variance scaling from this generator, see :func:`fastinit.variance_scaling`."""
        return _variance_scaling(shape, scale, mode, distribution, _FromGenerator(self),
                                 dtype, out, region, threads,
                                 _fan_kw(layout, in_axis, out_axis, batch_axis, fan_in,
                                         fan_out))

    def orthogonal(self, shape, gain=1.0, *, dtype=np.float32, out=None, region=None,
                   threads=None, layout="keras"):
        """An orthogonal matrix from this generator, see :func:`fastinit.orthogonal`."""
        return _orthogonal(shape, gain, layout, _FromGenerator(self), dtype, out, region,
                           threads)

    def sparse(self, shape, sparsity, std=0.01, *, dtype=np.float32, out=None, region=None,
               threads=None):
        """A sparse matrix from this generator, see :func:`fastinit.sparse`."""
        return _sparse(shape, sparsity, std, _FromGenerator(self), dtype, out, region,
                       threads)

    def init(self, shape, activation="relu", *, dtype=np.float32, out=None, region=None,
             threads=None, layout="keras", in_axis=-2, out_axis=-1, batch_axis=(),
             fan_in=None, fan_out=None):
        """Weights for ``activation`` from this generator, see :func:`fastinit.init`."""
        recommendation = recommend(activation)
        method = getattr(self, recommendation.method)
        return method(shape, **recommendation.kwargs, dtype=dtype, out=out, region=region,
                      threads=threads, layout=layout, in_axis=in_axis, out_axis=out_axis,
                      batch_axis=batch_axis, fan_in=fan_in, fan_out=fan_out)

    glorot_uniform = xavier_uniform
    glorot_normal = xavier_normal
    kaiming_uniform = he_uniform
    kaiming_normal = he_normal
