"""JAX and Flax initializers made by fastinit: ``jax.nn.initializers``' twins.

Every factory here has the name, the positional and keyword arguments, the
defaults and the semantics of the function of the same name in
``jax.nn.initializers`` and returns an initializer ``init(key, shape,
dtype=None, out_sharding=None)``, so it can be passed wherever JAX's can: as
``kernel_init=`` of ``flax.linen`` and ``flax.nnx`` layers, called eagerly,
under ``jax.jit`` and under ``jax.vmap`` over keys::

    import flax.linen as nn
    import fastinit.jax as fij

    layer = nn.Dense(4096, kernel_init=fij.he_normal())
    params = jax.jit(model.init)(jax.random.key(0), x)

As in JAX (and unlike fastinit's NumPy API and PyTorch), ``he_normal``,
``glorot_normal``/``xavier_normal`` and ``lecun_normal`` draw from a normal
truncated at two of its standard deviations and widened by 1 /
0.87962566103423978, so that the weights keep the variance ``scale / n``;
the default layout is ``(*receptive_field, in, out)`` with fans from
``in_axis=-2``, ``out_axis=-1`` and ``batch_axis=()``.

Keys and reproducibility
------------------------
The values are a function of the key's bits alone, read with
``jax.random.key_data``: new-style keys (``jax.random.key``) and raw
``uint32`` keys (``jax.random.PRNGKey``) holding the same words give the same
array.  For the default ``threefry2x32`` keys, whose data are two ``uint32``
words ``(w0, w1)``, the array is fastinit's NumPy result for

* ``seed = w0 * 2**32 + w1`` (the two words as one 64-bit integer; so
  ``jax.random.key(s)`` and ``jax.random.PRNGKey(s)`` give ``seed = s`` for
  ``0 <= s < 2**32``), and
* ``stream = 0``;

for example ``fastinit.jax.he_normal()(jax.random.key(7), (784, 256))``
equals ``fastinit.variance_scaling((784, 256), 2.0, "fan_in",
"truncated_normal", seed=7)`` bit for bit.  Keys of four words (the ``rbg``
and ``unsafe_rbg`` implementations) give ``seed = w0 * 2**32 + w1`` and
``stream = w2 * 2**32 + w3``.  The array is computed on the host by the same
code eagerly and inside ``jax.jit`` (through ``jax.pure_callback``, or on CPU
``jax.experimental.buffer_callback``, which writes straight into XLA's output
buffer and saves a copy), so it is
the same on any machine, inside or outside jit, and under ``jax.vmap`` each
key of the batch gives the array it gives alone.  Flax derives a different
key for every parameter, hence different seeds.

Data types: float32, float64 (when ``jax_enable_x64`` is on; otherwise a
float64 request gives float32, as JAX's own initializers do), float16 and
bfloat16.  Complex dtypes, which some of JAX's initializers accept, are not
supported (a ``ValueError``).
"""

import math
import operator

import numpy as np

try:
    import jax
    import jax.numpy as jnp
except ImportError as error:  # pragma: no cover - exercised without jax only
    raise ImportError(
        "fastinit.jax needs JAX, which is not installed: pip install jax") from error

from .initializers import normal as _normal
from .initializers import truncated_normal as _truncated_normal
from .initializers import uniform as _uniform
from ._fans import fans as _fans
from ._scales import variance_scaling_parameters as _variance_scaling_parameters
from .initializers import orthogonal as _orthogonal
from .initializers import variance_scaling as _variance_scaling

__all__ = [
    "constant",
    "delta_orthogonal",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "key_seed_and_stream",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

_FLOAT_DTYPES = frozenset(
    np.dtype(t) for t in (np.float16, np.float32, np.float64, jnp.bfloat16))


# ---------------------------------------------------------------------------
# arguments


def _real(value, name):
    """`value` (a Python or concrete JAX/NumPy scalar) as a finite float."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        number = float(value)
    except TypeError as error:
        raise TypeError(
            f"{name} must be a real number known when the initializer is built "
            f"(not a traced value), got {value!r}") from error
    if not math.isfinite(number):
        raise ValueError(f"{name} must be finite, got {number}")
    return number


def _float_dtype(dtype, method):
    """The JAX dtype the initializer produces for a `dtype` request."""
    if dtype is None:
        return np.dtype(jax.dtypes.canonicalize_dtype(np.float64))
    try:
        requested = np.dtype(dtype)
    except TypeError as error:
        raise TypeError(f"{method}: data type {dtype!r} not understood") from error
    result = np.dtype(jax.dtypes.canonicalize_dtype(requested))
    if result not in _FLOAT_DTYPES:
        raise ValueError(
            f"{method}: dtype must be a real floating dtype (float32, float64, float16 "
            f"or bfloat16), got {requested}")
    return result


def _shape(shape, method):
    """`shape` (an int or a sequence of ints) as a tuple of non-negative ints."""
    try:
        dims = (operator.index(shape),)
    except TypeError:
        try:
            dims = tuple(operator.index(d) for d in shape)
        except TypeError as error:
            raise TypeError(
                f"{method}: shape must be an int or a sequence of ints, got {shape!r}"
            ) from error
    if any(d < 0 for d in dims):
        raise ValueError(f"{method}: negative dimensions are not allowed, got {dims}")
    return dims


def _key_words(key, method):
    """The key's data: a uint32 array of 2 or 4 words (traced or concrete)."""
    dtype = getattr(key, "dtype", None)
    if dtype is not None and jax.dtypes.issubdtype(dtype, jax.dtypes.prng_key):
        if key.shape != ():
            raise ValueError(
                f"{method}: expected a single PRNG key, got a key array of shape "
                f"{key.shape}; use jax.vmap to initialize with a batch of keys")
        words = jax.random.key_data(key)
    elif dtype is not None and np.dtype(dtype) == np.uint32 and len(np.shape(key)) == 1:
        words = key
    else:
        raise TypeError(
            f"{method}: key must be a PRNG key from jax.random.key or jax.random.PRNGKey, "
            f"got {type(key).__name__}"
            + (f" of dtype {dtype} and shape {np.shape(key)}" if dtype is not None else ""))
    if words.shape not in ((2,), (4,)):
        raise ValueError(
            f"{method}: key data of {words.shape[-1] if words.shape else 0} words are not "
            "supported; fastinit reads keys of 2 uint32 words (threefry2x32) or 4 (rbg)")
    return words


def key_seed_and_stream(key):
    """The fastinit ``(seed, stream)`` that a JAX key stands for.

    Parameters
    ----------
    key : jax.Array
        A single key: new-style (``jax.random.key``) or raw ``uint32``
        (``jax.random.PRNGKey``); concrete, not traced.

    Returns
    -------
    tuple of int
        ``(seed, stream)``: for 2-word keys ``(w0 * 2**32 + w1, 0)``, for
        4-word keys ``(w0 * 2**32 + w1, w2 * 2**32 + w3)``.

    Examples
    --------
    >>> import jax
    >>> key_seed_and_stream(jax.random.key(42))
    (42, 0)
    """
    words = _key_words(key, "key_seed_and_stream")
    if isinstance(words, jax.core.Tracer):
        raise TypeError("key_seed_and_stream needs a concrete key, not a traced one")
    return _seed_and_stream(np.asarray(words, dtype=np.uint32))


def _seed_and_stream(words):
    seed = (int(words[0]) << 32) | int(words[1])
    stream = (int(words[2]) << 32) | int(words[3]) if words.shape[0] == 4 else 0
    return seed, stream


# ---------------------------------------------------------------------------
# the initializer every factory returns


def _zeros_into(out, shape, dtype):
    if out is None:
        return np.zeros(shape, dtype)
    out[...] = 0
    return out


def _host_fill(fill, shape, dtype):
    """A host function from key words ``(*batch, n)`` to arrays ``(*batch, *shape)``.

    ``fill(seed, stream, out=None)`` makes one array (into ``out`` when
    given).  The leading axes are the keys of ``jax.vmap``
    (``vmap_method="expand_dims"``): each key's array is computed as it
    would be alone.  ``run(words, out=None)`` writes into ``out`` (an array
    of the result's shape) when given.
    """

    def run(words, out=None):
        words = np.asarray(words, dtype=np.uint32)
        batch = words.shape[:-1]
        flat = words.reshape(-1, words.shape[-1])
        if out is None and flat.shape[0] == 1:
            # fastinit's own allocation (cache-line aligned when large)
            return fill(*_seed_and_stream(flat[0])).reshape(batch + shape)
        target = out if out is not None and out.flags.c_contiguous else np.empty(
            batch + shape, dtype)
        per_key = target.reshape((flat.shape[0],) + shape)
        for index, key_words in enumerate(flat):
            fill(*_seed_and_stream(key_words), per_key[index])
        if out is not None and target is not out:
            out[...] = target
        return target

    return run


def _buffer_callback():
    """``jax.experimental.buffer_callback.buffer_callback`` where it can be used, else None.

    It lets the host function write straight into XLA's output buffer, which
    saves ``pure_callback``'s copy of the result; its buffers are host
    memory (``numpy.asarray`` works on them) only on CPU.
    """
    if not _PREFER_BUFFER_CALLBACK or jax.default_backend() != "cpu":
        return None
    try:
        from jax.experimental.buffer_callback import buffer_callback
    except ImportError:
        return None
    return buffer_callback


# Tests set this to False to exercise the pure_callback path on CPU.
_PREFER_BUFFER_CALLBACK = True


def _traced(host, shape, dtype, words):
    """The result of ``host`` on traced key words, computed on the host when run."""
    result_type = jax.ShapeDtypeStruct(shape, dtype)
    buffer_callback = _buffer_callback()
    if buffer_callback is None:
        return jax.pure_callback(host, result_type, words, vmap_method="expand_dims")

    def write(context, out, key_words):
        host(np.asarray(key_words), out=np.asarray(out))

    return buffer_callback(write, result_type, vmap_method="expand_dims")(words)


def _placed(array, out_sharding):
    if out_sharding is None:
        return array
    if isinstance(array, jax.core.Tracer):
        return jax.lax.with_sharding_constraint(array, out_sharding)
    return jax.device_put(array, out_sharding)


def _initializer(method, prepare, default_dtype):
    """Build ``init(key, shape, dtype, out_sharding)`` around ``prepare``.

    ``prepare(shape, dtype)`` validates the shape (so errors surface when
    the initializer is called or traced, not inside a callback) and returns
    ``fill(seed, stream, out)``.
    """
    if default_dtype is not None:
        _float_dtype(default_dtype, method)

    def init(key, shape, dtype=default_dtype, out_sharding=None):
        shape = _shape(shape, method)
        dtype = _float_dtype(dtype, method)
        words = _key_words(key, method)
        host = _host_fill(prepare(shape, dtype), shape, dtype)
        if isinstance(words, jax.core.Tracer):
            result = _traced(host, shape, dtype, words)
        else:
            # device_put of a fresh, cache-line-aligned host array does not copy on CPU
            result = jax.device_put(host(np.asarray(words)))
        return _placed(result, out_sharding)

    init.__name__ = init.__qualname__ = method
    init.__doc__ = (
        f"fastinit's {method} initializer: ``init(key, shape, dtype=None, out_sharding=None)``.\n\n"
        "The array is a function of the key's words only (see fastinit.jax).")
    return init


# ---------------------------------------------------------------------------
# constants: no random words, so no host round trip


def zeros(key, shape, dtype=None, out_sharding=None):
    """An array of zeros (``key`` is ignored), as ``jax.nn.initializers.zeros``.

    Parameters
    ----------
    key : jax.Array
        Ignored.
    shape : int or sequence of ints
        Shape of the result.
    dtype : data-type, optional
        Any JAX dtype (default: the default float dtype).
    out_sharding : Sharding, optional
        Sharding of the result.

    Returns
    -------
    jax.Array
    """
    dtype = jax.dtypes.canonicalize_dtype(np.float64) if dtype is None else dtype
    return _placed(jnp.zeros(_shape(shape, "zeros"), dtype), out_sharding)


def ones(key, shape, dtype=None, out_sharding=None):
    """An array of ones (``key`` is ignored), as ``jax.nn.initializers.ones``.

    Parameters
    ----------
    key : jax.Array
        Ignored.
    shape : int or sequence of ints
        Shape of the result.
    dtype : data-type, optional
        Any JAX dtype (default: the default float dtype).
    out_sharding : Sharding, optional
        Sharding of the result.

    Returns
    -------
    jax.Array
    """
    dtype = jax.dtypes.canonicalize_dtype(np.float64) if dtype is None else dtype
    return _placed(jnp.ones(_shape(shape, "ones"), dtype), out_sharding)


def constant(value, dtype=None):
    """An initializer of arrays full of ``value``, as ``jax.nn.initializers.constant``.

    Parameters
    ----------
    value : array_like
        The constant; broadcast to the requested shape.
    dtype : data-type, optional
        The initializer's default dtype (default: the default float dtype).

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``; ``key`` is ignored.
    """
    default_dtype = dtype

    def init(key, shape, dtype=default_dtype, out_sharding=None):
        dtype = jax.dtypes.canonicalize_dtype(np.float64) if dtype is None else dtype
        return _placed(jnp.full(_shape(shape, "constant"), value, dtype), out_sharding)

    return init


# ---------------------------------------------------------------------------
# plain distributions


def uniform(scale=1e-2, dtype=None):
    """An initializer of uniform arrays on ``[0, scale)``, as ``jax.nn.initializers.uniform``.

    Parameters
    ----------
    scale : float, optional
        Upper bound (default 0.01).  A negative scale draws from
        ``[scale, 0)``; zero gives zeros.
    dtype : data-type, optional
        The initializer's default dtype.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``.
    """
    scale = _real(scale, "scale")
    low, high = min(0.0, scale), max(0.0, scale)

    def prepare(shape, dtype):
        def fill(seed, stream, out=None):
            return _uniform(shape, low, high, dtype=dtype, seed=seed, stream=stream, out=out)
        return fill

    return _initializer("uniform", prepare, dtype)


def normal(stddev=1e-2, dtype=None):
    """An initializer of normal arrays ``N(0, stddev²)``, as ``jax.nn.initializers.normal``.

    Parameters
    ----------
    stddev : float, optional
        Standard deviation (default 0.01); its sign does not matter.
    dtype : data-type, optional
        The initializer's default dtype.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``.
    """
    std = abs(_real(stddev, "stddev"))

    def prepare(shape, dtype):
        def fill(seed, stream, out=None):
            return _normal(shape, 0.0, std, dtype=dtype, seed=seed, stream=stream, out=out)
        return fill

    return _initializer("normal", prepare, dtype)


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0):
    """An initializer of truncated normal arrays, as ``jax.nn.initializers.truncated_normal``.

    The values are ``stddev * Z`` with ``Z`` a standard normal truncated to
    ``(lower, upper)``: the bounds are in units of ``stddev`` and, as in JAX,
    no variance correction is applied (the result's standard deviation is
    below ``stddev``; :func:`variance_scaling` corrects it).

    Parameters
    ----------
    stddev : float, optional
        Standard deviation of the normal before truncation (default 0.01).
    dtype : data-type, optional
        The initializer's default dtype.
    lower, upper : float, optional
        Truncation bounds in standard deviations (default -2 and 2).

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``.

    Raises
    ------
    ValueError
        If ``lower >= upper``.
    """
    std = _real(stddev, "stddev")
    lower, upper = _real(lower, "lower"), _real(upper, "upper")
    if not lower < upper:
        raise ValueError(f"lower must be less than upper, got lower={lower}, upper={upper}")
    a, b = sorted((lower * std, upper * std))

    def prepare(shape, dtype):
        def fill(seed, stream, out=None):
            if std == 0.0:
                return _zeros_into(out, shape, dtype)
            return _truncated_normal(shape, 0.0, abs(std), a, b, dtype=dtype, seed=seed,
                                  stream=stream, out=out)
        return fill

    return _initializer("truncated_normal", prepare, dtype)


# ---------------------------------------------------------------------------
# fan-based initializers


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None):
    r"""An initializer whose scale adapts to the shape, as ``jax.nn.initializers.variance_scaling``.

    The weights have mean 0 and variance :math:`\mathrm{scale} / n`, where
    ``n`` is the fan the ``mode`` names; fans are computed from ``in_axis``,
    ``out_axis`` and ``batch_axis`` as in JAX (every other axis is part of
    the receptive field): see :func:`fastinit.fans`.

    Parameters
    ----------
    scale : float
        Non-negative multiplier of the variance.
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
        ``n`` is fan_in, fan_out, their mean or their geometric mean.
    distribution : {"truncated_normal", "normal", "uniform"}
        ``"truncated_normal"``: ``sigma' Z`` with ``Z`` standard normal
        truncated to (-2, 2) and ``sigma' = sqrt(scale / n) /
        0.87962566103423978`` (the standard deviation of that ``Z``), so the
        weights keep variance ``scale / n``; ``"normal"``: ``N(0, scale /
        n)``; ``"uniform"``: ``U(-b, b)`` with ``b = sqrt(3 scale / n)``.
    in_axis, out_axis : int or sequence of ints, optional
        Input and output axes (default -2 and -1).
    batch_axis : int or sequence of ints, optional
        Axes ignored by the fans (default none).
    dtype : data-type, optional
        The initializer's default dtype.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``.

    Raises
    ------
    ValueError
        For an unknown ``mode`` or ``distribution`` or a negative ``scale``
        (when the factory is called), and for shapes whose fans are undefined
        (when the initializer is called).

    Notes
    -----
    Glorot & Bengio (AISTATS 2010), He et al. (ICCV 2015) and LeCun et al.
    ("Efficient BackProp", 1998) are the cases ``scale=1, "fan_avg"``,
    ``scale=2, "fan_in"`` and ``scale=1, "fan_in"``; see
    :func:`fastinit.variance_scaling_parameters`.
    """
    return _variance_scaling_initializer("variance_scaling", scale, mode, distribution,
                                         in_axis, out_axis, batch_axis, dtype)


def _variance_scaling_initializer(method, scale, mode, distribution, in_axis, out_axis,
                                  batch_axis, dtype):
    scale = _real(scale, "scale")
    # the engine's own checks of scale, mode and distribution, made now
    _variance_scaling_parameters(scale, mode, distribution, 1, 1)
    axes = {"in_axis": in_axis, "out_axis": out_axis, "batch_axis": batch_axis}

    def prepare(shape, dtype):
        _fans(shape, **axes)

        def fill(seed, stream, out=None):
            return _variance_scaling(shape, scale, mode, distribution, dtype=dtype, seed=seed,
                              stream=stream, out=out, **axes)
        return fill

    return _initializer(method, prepare, dtype)


def _named(method, scale, mode, distribution, doc_formula):
    def factory(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None):
        return _variance_scaling_initializer(method, scale, mode, distribution, in_axis,
                                             out_axis, batch_axis, dtype)

    factory.__name__ = factory.__qualname__ = method
    factory.__doc__ = f"""{doc_formula}

    ``variance_scaling({scale}, "{mode}", "{distribution}", in_axis, out_axis,
    batch_axis, dtype)``, as ``jax.nn.initializers.{method}``.

    Parameters
    ----------
    in_axis, out_axis : int or sequence of ints, optional
        Input and output axes (default -2 and -1).
    batch_axis : int or sequence of ints, optional
        Axes ignored by the fans (default none).
    dtype : data-type, optional
        The initializer's default dtype.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``.
    """
    return factory


glorot_uniform = _named(
    "glorot_uniform", 1.0, "fan_avg", "uniform",
    "Glorot/Xavier uniform (Glorot & Bengio, AISTATS 2010): U(-b, b), "
    "b = sqrt(6 / (fan_in + fan_out)).")
glorot_normal = _named(
    "glorot_normal", 1.0, "fan_avg", "truncated_normal",
    "Glorot/Xavier normal (Glorot & Bengio, AISTATS 2010), truncated at 2 std: "
    "Var = 2 / (fan_in + fan_out).")
he_uniform = _named(
    "he_uniform", 2.0, "fan_in", "uniform",
    "He/Kaiming uniform (He et al., ICCV 2015): U(-b, b), b = sqrt(6 / fan_in).")
he_normal = _named(
    "he_normal", 2.0, "fan_in", "truncated_normal",
    "He/Kaiming normal (He et al., ICCV 2015), truncated at 2 std: Var = 2 / fan_in.")
lecun_uniform = _named(
    "lecun_uniform", 1.0, "fan_in", "uniform",
    "LeCun uniform (LeCun et al., Efficient BackProp, 1998): U(-b, b), b = sqrt(3 / fan_in).")
lecun_normal = _named(
    "lecun_normal", 1.0, "fan_in", "truncated_normal",
    "LeCun normal (LeCun et al., Efficient BackProp, 1998), truncated at 2 std: "
    "Var = 1 / fan_in.")
xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


# ---------------------------------------------------------------------------
# orthogonal


def _orthogonal_fill(shape, scale, column_axis, dtype):
    """``fill(seed, stream, out)`` of an orthogonal array with columns on ``column_axis``."""
    axis = np.lib.array_utils.normalize_axis_index(column_axis, len(shape))
    moved = tuple(np.delete(np.array(shape, dtype=np.int64), axis).tolist()) + (shape[axis],)

    def fill(seed, stream, out=None):
        if math.prod(shape) == 0:
            return _zeros_into(out, shape, dtype)
        matrix = np.moveaxis(_orthogonal(moved, scale, dtype=dtype, seed=seed, stream=stream),
                             -1, axis)
        if out is None:
            return np.ascontiguousarray(matrix)
        out[...] = matrix
        return out

    return fill


def orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of (semi-)orthogonal arrays, as ``jax.nn.initializers.orthogonal``.

    The array, seen as a matrix whose columns lie along ``column_axis`` and
    whose rows are all other axes flattened, has orthonormal columns (or
    rows, whichever are fewer), times ``scale``; it is uniformly (Haar)
    distributed (Saxe, McClelland & Ganguli, ICLR 2014; Mezzadri 2007).

    Parameters
    ----------
    scale : float, optional
        Multiplier (default 1).
    column_axis : int, optional
        The axis of the columns (default -1).
    dtype : data-type, optional
        The initializer's default dtype.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``; ``shape`` needs
        at least 2 dimensions.
    """
    scale = _real(scale, "scale")
    column_axis = operator.index(column_axis)

    def prepare(shape, dtype):
        if len(shape) < 2:
            raise ValueError(
                f"orthogonal initializer requires at least a 2D shape, got {shape}")
        return _orthogonal_fill(shape, scale, column_axis, dtype)

    return _initializer("orthogonal", prepare, dtype)


def delta_orthogonal(scale=1.0, column_axis=-1, dtype=None):
    """An initializer of delta-orthogonal kernels, as ``jax.nn.initializers.delta_orthogonal``.

    A convolution kernel of shape ``(*spatial, in, out)`` that is zero
    except at the spatial centre (index ``(k - 1) // 2`` of every spatial
    axis), where it holds an orthogonal ``(in, out)`` matrix times
    ``scale`` (Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington,
    "Dynamical Isometry and a Mean Field Theory of CNNs", ICML 2018).

    Parameters
    ----------
    scale : float, optional
        Multiplier (default 1).
    column_axis : int, optional
        The columns' axis of the central ``(in, out)`` matrix (default -1).
    dtype : data-type, optional
        The initializer's default dtype.

    Returns
    -------
    callable
        ``init(key, shape, dtype=dtype, out_sharding=None)``; ``shape`` must
        be 3-, 4- or 5-dimensional with ``in <= out``.
    """
    scale = _real(scale, "scale")
    column_axis = operator.index(column_axis)

    def prepare(shape, dtype):
        if len(shape) not in (3, 4, 5):
            raise ValueError(
                f"Delta orthogonal initializer requires a 3D, 4D or 5D shape, got {shape}")
        if shape[-1] < shape[-2]:
            raise ValueError(
                f"`fan_in` must be less or equal than `fan_out`, got shape {shape} "
                f"(in={shape[-2]}, out={shape[-1]})")
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        fill_matrix = _orthogonal_fill(shape[-2:], scale, column_axis, dtype)

        def fill(seed, stream, out=None):
            out = _zeros_into(out, shape, dtype)
            if out.size:
                fill_matrix(seed, stream, out[centre])
            return out
        return fill

    return _initializer("delta_orthogonal", prepare, dtype)
