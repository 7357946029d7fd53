"""Twins of every ``torch.nn.init`` function, filled by fastinit.

Each twin has torch's name, positional and keyword arguments, defaults and
semantics (torch layout ``(out, in, *kernel)`` for fans), fills the tensor in
place under ``torch.no_grad()`` and returns it.  The values come from
fastinit's engine on a NumPy view of the tensor's memory: a function of
(seed, stream, element index) only.
"""
from __future__ import annotations

import functools
import math
import warnings
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple, Union

import numpy as np
import torch

import fastinit
from fastinit._core import signed_key
from fastinit._table import engine_plan, plan_is_reusable, resolve_words

from ._dtensor import local_region
from ._tensors import check_fillable, is_dtensor, numpy_dtype, numpy_view

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
    "eye_", "dirac_", "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
    "kaiming_normal_", "orthogonal_", "sparse_",
    "uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal",
    "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse",
    "manual_seed", "initial_seed", "default_generator",
]

DEFAULT_SEED = 0

_default_generator = fastinit.Generator(seed=DEFAULT_SEED)


def manual_seed(seed: int) -> fastinit.Generator:
    """Reseed the default generator the twins draw from, like ``torch.manual_seed``.

    Parameters
    ----------
    seed : int
        In ``[0, 2**64)``.

    Returns
    -------
    fastinit.Generator
        The new default generator (stream 0, block 0).

    Notes
    -----
    The twins called without ``seed``, ``stream`` or ``generator`` take
    consecutive blocks of this generator, so a sequence of calls after
    ``manual_seed(s)`` is reproducible.  It is seeded with 0 at import.
    ``torch.manual_seed`` does not affect it (nor does this affect torch).
    """
    global _default_generator
    _default_generator = fastinit.Generator(seed=seed)
    return _default_generator


def initial_seed() -> int:
    """The seed of the current default generator (see :func:`manual_seed`)."""
    return _default_generator.seed


def default_generator() -> fastinit.Generator:
    """The default :class:`fastinit.Generator` the twins draw from."""
    return _default_generator


# --- methods on logical shapes --------------------------------------------------------------
#
# A method makes the values of a whole logical shape or of a region of it.
# ``source`` is a fastinit.Generator or a (seed, stream) pair; the same
# methods serve the twins (on tensors) and the module plans (on shapes).

def _draw(source, name: str, shape, *args, **kwargs) -> np.ndarray:
    if type(source) is tuple:
        return getattr(fastinit, name)(shape, *args, seed=source[0], stream=source[1], **kwargs)
    return getattr(source, name)(shape, *args, **kwargs)


def _constant(source, shape, dtype, out, region, threads, val):
    return fastinit.constant(shape, val, dtype=dtype, out=out, region=region)


def _ones(source, shape, dtype, out, region, threads):
    return fastinit.ones(shape, dtype=dtype, out=out, region=region)


def _zeros(source, shape, dtype, out, region, threads):
    return fastinit.zeros(shape, dtype=dtype, out=out, region=region)


def _eye(source, shape, dtype, out, region, threads):
    return fastinit.eye(shape, dtype=dtype, out=out, region=region)


def _dirac(source, shape, dtype, out, region, threads, groups):
    return fastinit.dirac(shape, groups, dtype=dtype, out=out, region=region, layout="torch")


# The scales are computed here with torch's own formulas (fans of the layout
# (out, in, *kernel)) and the fills are the engine's uniform/normal: one
# layer less per call than the layout-aware initializers, same values.

def _torch_fans(shape) -> Tuple[int, int]:
    receptive = 1
    for size in shape[2:]:
        receptive *= size
    return shape[1] * receptive, shape[0] * receptive


def _xavier_std(shape, gain) -> float:
    fan_in, fan_out = _torch_fans(shape)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def _kaiming_std(shape, a, mode, nonlinearity) -> float:
    fan_in, fan_out = _torch_fans(shape)
    fan = fan_in if mode.lower() == "fan_in" else fan_out
    return fastinit.calculate_gain(nonlinearity, a) / math.sqrt(fan)


# The twins that are one fill of the engine: the engine's method and its
# parameters, from the shape and the twin's parameters.

def _uniform_engine(shape, a, b):
    return "uniform", (a, b)


def _normal_engine(shape, mean, std):
    return "normal", (mean, std)


def _trunc_normal_engine(shape, mean, std, a, b):
    return "truncated_normal", (mean, std, a, b)


def _xavier_uniform_engine(shape, gain):
    bound = math.sqrt(3.0) * _xavier_std(shape, gain)
    return "uniform", (-bound, bound)


def _xavier_normal_engine(shape, gain):
    return "normal", (0.0, _xavier_std(shape, gain))


def _kaiming_uniform_engine(shape, a, mode, nonlinearity):
    bound = math.sqrt(3.0) * _kaiming_std(shape, a, mode, nonlinearity)
    return "uniform", (-bound, bound)


def _kaiming_normal_engine(shape, a, mode, nonlinearity):
    return "normal", (0.0, _kaiming_std(shape, a, mode, nonlinearity))


def _engine_values(engine):
    """The values method of a twin that is one engine fill."""
    def values(source, shape, dtype, out, region, threads, *params):
        name, args = engine(shape, *params)
        if type(source) is tuple:
            return getattr(fastinit, name)(shape, *args, dtype=dtype, seed=source[0],
                                           stream=source[1], out=out, region=region,
                                           threads=threads)
        return getattr(source, name)(shape, *args, dtype=dtype, out=out, region=region,
                                     threads=threads)
    return values


def _orthogonal(source, shape, dtype, out, region, threads, gain):
    return _draw(source, "orthogonal", shape, gain, dtype=dtype, out=out, threads=threads,
                 layout="torch")


def _sparse(source, shape, dtype, out, region, threads, sparsity, std):
    return _draw(source, "sparse", shape, sparsity, std, dtype=dtype, out=out, region=region,
                 threads=threads)


# --- checks torch makes before filling ------------------------------------------------------

def _no_check(shape, *params):
    pass


def _check_fans(shape, *params):
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")


def _check_kaiming(shape, a, mode, nonlinearity):
    lowered = mode.lower() if isinstance(mode, str) else mode
    if lowered not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    _check_fans(shape)
    # The gain (and its errors) is computed with the scale, before anything is written.


def _check_2d(shape, *params):
    if len(shape) != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")


def _check_orthogonal(shape, gain):
    if len(shape) < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")


def _check_dirac(shape, groups):
    if len(shape) not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")


def _check_trunc_normal(shape, mean, std, a, b):
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=4)


class Method(NamedTuple):
    """How one twin fills a logical shape."""

    values: Callable[..., np.ndarray]
    check: Callable[..., None]
    random: bool
    regionable: bool
    warn_if_empty: bool = False
    # (shape, *params) -> (engine method, its parameters), for a twin that
    # is one engine fill: such a twin writes a contiguous tensor directly
    engine: Optional[Callable[..., Tuple[str, tuple]]] = None


def _engine_method(engine, check, warn_if_empty: bool = False) -> Method:
    return Method(_engine_values(engine), check, True, True, warn_if_empty, engine)


METHODS = {
    "uniform_": _engine_method(_uniform_engine, _no_check),
    "normal_": _engine_method(_normal_engine, _no_check),
    "trunc_normal_": _engine_method(_trunc_normal_engine, _check_trunc_normal),
    "constant_": Method(_constant, _no_check, False, True),
    "ones_": Method(_ones, _no_check, False, True),
    "zeros_": Method(_zeros, _no_check, False, True),
    "eye_": Method(_eye, _check_2d, False, True),
    "dirac_": Method(_dirac, _check_dirac, False, True),
    "xavier_uniform_": _engine_method(_xavier_uniform_engine, _check_fans),
    "xavier_normal_": _engine_method(_xavier_normal_engine, _check_fans),
    "kaiming_uniform_": _engine_method(_kaiming_uniform_engine, _check_kaiming, True),
    "kaiming_normal_": _engine_method(_kaiming_normal_engine, _check_kaiming, True),
    "orthogonal_": Method(_orthogonal, _check_orthogonal, True, False),
    "sparse_": Method(_sparse, _check_2d, True, True),
}


def generate(method_name: str, params: tuple, shape: Tuple[int, ...], dtype: np.dtype, source,
             *, out: Optional[np.ndarray] = None, region=None,
             threads: Optional[int] = None) -> np.ndarray:
    """Values of `method_name` with `params` for `shape` (or its `region`).

    A method that cannot make a region alone (orthogonal) makes the whole
    array and returns the region's part of it.
    """
    method = METHODS[method_name]
    if region is None or method.regionable:
        return method.values(source, shape, dtype, out, region, threads, *params)
    whole = method.values(source, shape, dtype, None, None, threads, *params)
    part = whole[tuple(region)]
    if out is None:
        return part.copy()
    out[...] = part
    return out


# --- the twins --------------------------------------------------------------------------------

def _source(generator, seed, stream, what: str):
    """The (seed, stream) pair or fastinit.Generator a twin draws from."""
    if generator is not None:
        if not isinstance(generator, fastinit.Generator):
            raise TypeError(
                f"{what}: generator must be a fastinit.Generator, not "
                f"{type(generator).__name__} (fastinit does not draw from torch generators); "
                "pass generator=fastinit.Generator(seed) or seed=")
        if seed is not None or stream is not None:
            raise TypeError(f"{what}: pass either generator or seed/stream, not both")
        return generator
    if seed is not None:
        return (seed, 0 if stream is None else stream)
    if stream is not None:
        return (_default_generator.seed, stream)
    return _default_generator


def _fill(tensor, name: str, params: tuple, generator, seed, stream):
    method = METHODS[name]
    source = _source(generator, seed, stream, name) if method.random else None
    if is_dtensor(tensor):
        return _fill_dtensor(tensor, name, method, params, source)
    check_fillable(tensor, "fastinit.torch." + name)
    shape = tuple(tensor.shape)
    method.check(shape, *params)
    if 0 in shape:
        if method.warn_if_empty:
            warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return tensor
    # Writing to the memory directly (or through a NumPy view of it)
    # records nothing for autograd, as filling under torch.no_grad() does.
    if method.engine is not None and tensor.is_contiguous():
        plan = _direct_plan(name, method, params, shape, tensor.dtype)
        if plan is not None:
            if type(source) is tuple:
                words = resolve_words(source[0], source[1], 0)
            else:
                assert source is not None  # an engine twin is random
                words = (source.seed, source.stream, source._take_blocks(plan.blocks()))
            plan.direct_job.fill_address(tensor.data_ptr(), plan.layout.size, *words)
            return tensor
    view = numpy_view(tensor, numpy_dtype(tensor.dtype))
    generate(name, params, shape, view.dtype, source, out=view)
    return tensor


_DIRECT_PLANS: Dict[tuple, Any] = {}


def _direct_plan(name: str, method: Method, params: tuple, shape: Tuple[int, ...],
                 torch_dtype: torch.dtype):
    """The engine's plan of a twin on a contiguous tensor (None when the
    engine cannot write the tensor's dtype directly), kept per argument set:
    a model has thousands of small tensors of a few shapes, and a NumPy
    view costs more than filling one of them."""
    try:
        key = (name, signed_key(params), tuple(map(type, params)), shape, torch_dtype)
        plan = _DIRECT_PLANS.get(key)
    except TypeError:  # an unhashable parameter: the general path says what is wrong
        return None
    if plan is None:
        assert method.engine is not None
        engine, args = method.engine(shape, *params)
        plan = engine_plan(engine, shape, numpy_dtype(torch_dtype), args)
        if plan.direct_job is None:
            return None
        if not plan_is_reusable(plan, None):
            return plan
        if len(_DIRECT_PLANS) >= 4096:
            _DIRECT_PLANS.clear()
        _DIRECT_PLANS[key] = plan
    return plan


def _fill_dtensor(tensor, name: str, method: Method, params: tuple, source):
    shape = tuple(tensor.shape)
    method.check(shape, *params)
    if 0 in shape:
        if method.warn_if_empty:
            warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=4)
        return tensor
    local, region = local_region(tensor)
    if local is None:
        return tensor
    check_fillable(local, "fastinit.torch." + name)
    dtype = numpy_dtype(local.dtype)
    view = numpy_view(local, dtype)
    if 0 in view.shape:
        # An empty shard still takes its blocks of a shared generator.
        if isinstance(source, fastinit.Generator):
            generate(name, params, shape, dtype, source, region=region)
        return tensor
    generate(name, params, shape, dtype, source, out=view, region=region)
    return tensor


_SEED_STREAM_PARAMS = """
    generator : fastinit.Generator, optional
        Draw from this generator (advancing it) instead of the default one.
        A ``torch.Generator`` is refused: fastinit does not use torch's
        random numbers.
    seed : int, optional
        Keyword only.  Draw from this seed (block 0 of `stream`) instead of the
        default generator; the values are then a function of (seed, stream,
        element index) only.
    stream : int or str, optional
        Keyword only.  Stream number or name (such as the parameter's name
        ``"encoder.layers.0.linear1.weight"``); default 0 with `seed`.  Given
        without `seed`, the default generator's seed is used with block 0."""

_RANDOM_NOTES = """
    Without `seed`, `stream` or `generator` the values come from the
    process-wide default :class:`fastinit.Generator` (see
    :func:`fastinit.torch.manual_seed`), consecutive calls taking
    consecutive blocks of it.  `tensor` may be an ``nn.Parameter`` or need
    gradients (it is filled under ``torch.no_grad()``), may be a
    non-contiguous view, and must be a CPU float32, float64, float16 or
    bfloat16 tensor; float16/bfloat16 values are the float32 values rounded
    to nearest even (uniform values that would round up to `b` are kept
    below it).  A DTensor gets on each rank only its local shard, equal to
    the same block of the tensor filled whole."""

_FIXED_NOTES = """
    Deterministic; accepts the same tensors as the random twins (Parameters,
    views, DTensors, CPU float32/float64/float16/bfloat16)."""

_TENSOR_ERRORS = """
    TypeError
        For a tensor that is not floating point (fill a float tensor and
        convert it).
    ValueError
        For a meta tensor (materialize it first), a CUDA tensor (fill on CPU
        and copy), or an uninitialized lazy parameter."""


def _doc(summary: str, params: str, random: bool = True, raises: str = "", warns: str = "",
         notes: str = "") -> str:
    text = f"""{summary}

    Parameters
    ----------
    tensor : torch.Tensor
        The tensor to fill in place.{params}{_SEED_STREAM_PARAMS if random else ""}

    Returns
    -------
    torch.Tensor
        `tensor`, filled in place.

    Raises
    ------{raises}{_TENSOR_ERRORS}
"""
    if warns:
        text += f"""
    Warns
    -----{warns}
"""
    text += f"""
    Notes
    -----{_RANDOM_NOTES if random else _FIXED_NOTES}
"""
    if notes:
        text += notes + "\n"
    return text


def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The recommended gain for `nonlinearity`, as ``torch.nn.init.calculate_gain``.

    Parameters
    ----------
    nonlinearity : str
        ``"linear"``, ``"conv1d"`` ... ``"conv_transpose3d"``, ``"sigmoid"``
        (1), ``"tanh"`` (5/3), ``"relu"`` (sqrt 2), ``"leaky_relu"``
        (sqrt(2 / (1 + slope²))) or ``"selu"`` (3/4).
    param : float, optional
        The negative slope of ``"leaky_relu"`` (default 0.01).

    Returns
    -------
    float
    """
    return fastinit.calculate_gain(nonlinearity, param)


def uniform_(tensor: torch.Tensor, a: float = 0.0, b: float = 1.0,
             generator: Optional[fastinit.Generator] = None, *, seed: Optional[int] = None,
             stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "uniform_", (a, b), generator, seed, stream)


uniform_.__doc__ = _doc("Fill `tensor` from the uniform distribution U[a, b).", """
    a : float, optional
        Lower bound (default 0).
    b : float, optional
        Upper bound (default 1).""")


def normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Optional[fastinit.Generator] = None, *, seed: Optional[int] = None,
            stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "normal_", (mean, std), generator, seed, stream)


normal_.__doc__ = _doc("Fill `tensor` from the normal distribution N(mean, std²).", """
    mean : float, optional
        Mean (default 0).
    std : float, optional
        Standard deviation (default 1).""")


def trunc_normal_(tensor: torch.Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Optional[fastinit.Generator] = None, *,
                  seed: Optional[int] = None,
                  stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "trunc_normal_", (mean, std, a, b), generator, seed, stream)


trunc_normal_.__doc__ = _doc(
    "Fill `tensor` from N(mean, std²) truncated to the absolute bounds [a, b].", """
    mean : float, optional
        Mean (default 0).
    std : float, optional
        Standard deviation (default 1).
    a : float, optional
        Lower cutoff, an absolute value as in torch (default -2, not
        ``mean - 2 * std``).
    b : float, optional
        Upper cutoff (default 2).""", warns="""
    UserWarning
        When `mean` is more than 2 std outside [a, b], as torch does.""", notes="""
    Sampled by the inverse CDF (no rejection loop).""")


def constant_(tensor: torch.Tensor, val: float) -> torch.Tensor:
    return _fill(tensor, "constant_", (val,), None, None, None)


constant_.__doc__ = _doc("Fill `tensor` with `val`.", """
    val : float
        The value.""", random=False)


def ones_(tensor: torch.Tensor) -> torch.Tensor:
    return _fill(tensor, "ones_", (), None, None, None)


ones_.__doc__ = _doc("Fill `tensor` with ones.", "", random=False)


def zeros_(tensor: torch.Tensor) -> torch.Tensor:
    return _fill(tensor, "zeros_", (), None, None, None)


zeros_.__doc__ = _doc("Fill `tensor` with zeros.", "", random=False)


def eye_(tensor: torch.Tensor) -> torch.Tensor:
    return _fill(tensor, "eye_", (), None, None, None)


eye_.__doc__ = _doc("Fill the 2-dimensional `tensor` with the identity matrix.", "",
                   random=False, raises="""
    ValueError
        Unless `tensor` is 2-dimensional.""")


def dirac_(tensor: torch.Tensor, groups: int = 1) -> torch.Tensor:
    return _fill(tensor, "dirac_", (groups,), None, None, None)


dirac_.__doc__ = _doc(
    "Fill the {3, 4, 5}-dimensional `tensor` with Dirac kernels (identity convolutions).", """
    groups : int, optional
        Number of groups of output channels, each preserving its inputs
        (default 1).""", random=False, raises="""
    ValueError
        Unless `tensor` has 3, 4 or 5 dimensions and ``groups`` divides its
        first.""")


def xavier_uniform_(tensor: torch.Tensor, gain: float = 1.0,
                    generator: Optional[fastinit.Generator] = None, *,
                    seed: Optional[int] = None,
                    stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "xavier_uniform_", (gain,), generator, seed, stream)


xavier_uniform_.__doc__ = _doc(
    "Glorot & Bengio (2010): U[-b, b] with b = gain · sqrt(6 / (fan_in + fan_out)).", """
    gain : float, optional
        Scaling factor (default 1).  Fans from torch's layout
        ``(out, in, *kernel)``.""")


def xavier_normal_(tensor: torch.Tensor, gain: float = 1.0,
                   generator: Optional[fastinit.Generator] = None, *,
                   seed: Optional[int] = None,
                   stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "xavier_normal_", (gain,), generator, seed, stream)


xavier_normal_.__doc__ = _doc(
    "Glorot & Bengio (2010): N(0, std²) with std = gain · sqrt(2 / (fan_in + fan_out)).", """
    gain : float, optional
        Scaling factor (default 1).  Fans from torch's layout
        ``(out, in, *kernel)``.""")


def kaiming_uniform_(tensor: torch.Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Optional[fastinit.Generator] = None, *,
                     seed: Optional[int] = None,
                     stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "kaiming_uniform_", (a, mode, nonlinearity), generator, seed, stream)


kaiming_uniform_.__doc__ = _doc(
    "He et al. (2015): U[-b, b] with b = gain · sqrt(3 / fan), gain = calculate_gain"
    "(nonlinearity, a).", """
    a : float, optional
        Negative slope of the rectifier (only for ``"leaky_relu"``; default 0).
    mode : {"fan_in", "fan_out"}, optional
        Which fan of torch's layout ``(out, in, *kernel)`` (default
        ``"fan_in"``).
    nonlinearity : str, optional
        Default ``"leaky_relu"``.""", warns="""
    UserWarning
        For a zero-element tensor (a no-op), as torch does.""")


def kaiming_normal_(tensor: torch.Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Optional[fastinit.Generator] = None, *,
                    seed: Optional[int] = None,
                    stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "kaiming_normal_", (a, mode, nonlinearity), generator, seed, stream)


kaiming_normal_.__doc__ = _doc(
    "He et al. (2015): N(0, std²) with std = gain / sqrt(fan), gain = calculate_gain"
    "(nonlinearity, a).", """
    a : float, optional
        Negative slope of the rectifier (only for ``"leaky_relu"``; default 0).
    mode : {"fan_in", "fan_out"}, optional
        Which fan of torch's layout ``(out, in, *kernel)`` (default
        ``"fan_in"``).
    nonlinearity : str, optional
        Default ``"leaky_relu"``.""", warns="""
    UserWarning
        For a zero-element tensor (a no-op), as torch does.""")


def orthogonal_(tensor: torch.Tensor, gain: float = 1,
                generator: Optional[fastinit.Generator] = None, *, seed: Optional[int] = None,
                stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "orthogonal_", (gain,), generator, seed, stream)


orthogonal_.__doc__ = _doc(
    "Saxe et al. (2014): a (semi-)orthogonal matrix times `gain`, trailing dimensions "
    "flattened.", """
    gain : float, optional
        Scaling factor (default 1).""", notes="""
    On a DTensor every rank computes the whole matrix (the same on each, so
    no communication is needed) and keeps its shard: the QR decomposition
    needs the whole matrix, so this costs each rank the full matrix's time
    and memory.""")


def sparse_(tensor: torch.Tensor, sparsity: float, std: float = 0.01,
            generator: Optional[fastinit.Generator] = None, *, seed: Optional[int] = None,
            stream: Union[int, str, None] = None) -> torch.Tensor:
    return _fill(tensor, "sparse_", (sparsity, std), generator, seed, stream)


sparse_.__doc__ = _doc(
    "Martens (2010): N(0, std²) with ceil(sparsity · rows) zeros in each column.", """
    sparsity : float
        Fraction of each column's entries set to zero.
    std : float, optional
        Standard deviation of the non-zero entries (default 0.01).""", notes="""
    The zeros are chosen from the same seed and stream (torch's ``sparse_``
    takes them from its global ``randperm``).""")


def _deprecated(twin: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    old_name = twin.__name__[:-1]

    @functools.wraps(twin)
    def deprecated_twin(*args: Any, **kwargs: Any) -> torch.Tensor:
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{twin.__name__}`.",
            FutureWarning, stacklevel=2)
        return twin(*args, **kwargs)

    deprecated_twin.__name__ = deprecated_twin.__qualname__ = old_name
    deprecated_twin.__doc__ = (f"Deprecated alias of :func:`{twin.__name__}` (as in torch), "
                               "with a FutureWarning.")
    return deprecated_twin


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)

TWINS = {name: globals()[name] for name in METHODS}

