"""Scale math of the weight initializers: fans, gains and variance scaling.

Everything here is pure Python arithmetic on shapes and numbers; nothing
draws random numbers.  :func:`fans` finds the fan-in and fan-out of a weight
shape, :func:`calculate_gain` gives PyTorch's gain table, and
:func:`variance_scaling_parameters` is the single place where the standard
deviation and the uniform bound of every fan-based initializer (Xavier/Glorot,
He/Kaiming, LeCun and general variance scaling) are computed.
:func:`describe` explains what an initializer would do for a shape and
:func:`recommend` picks an initializer for an activation function.

Layouts
-------
Two weight layouts are understood:

``layout="keras"`` (the default)
    Keras and JAX order the axes ``(*receptive_field, in, out)``: a dense
    layer is an ``(n_in, n_out)`` matrix and a 2-D convolution kernel is
    ``(kh, kw, c_in, c_out)``.  ``in_axis``, ``out_axis`` and ``batch_axis``
    move the input, output and ignored axes exactly as in
    ``jax.nn.initializers``; every other axis belongs to the receptive field.
``layout="torch"``
    PyTorch orders the axes ``(out, in, *receptive_field)``: ``nn.Linear``
    stores an ``(n_out, n_in)`` matrix and ``nn.Conv2d`` a
    ``(c_out, c_in, kh, kw)`` kernel.
"""

import math
import numbers
import operator
from typing import NamedTuple

from numpy.exceptions import AxisError

from ._engine import normalize_shape as _normalize_shape

__all__ = [
    "Fans",
    "fans",
    "calculate_gain",
    "Scale",
    "variance_scaling_parameters",
    "TRUNCATED_NORMAL_STD",
    "describe",
    "Recommendation",
    "recommend",
]

#: Standard deviation of N(0, 1) truncated to (-2, 2); a truncated-normal
#: sampler divides by it so that the truncated samples have the target
#: variance (the constant used by JAX and Keras).
TRUNCATED_NORMAL_STD = 0.87962566103423978

_LAYOUTS = ("keras", "torch")
_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


class Fans(NamedTuple):
    """Fan-in and fan-out of a weight shape (a tuple ``(fan_in, fan_out)``)."""

    fan_in: float
    fan_out: float


class Scale(NamedTuple):
    """Result of :func:`variance_scaling_parameters`.

    Attributes
    ----------
    variance : float
        Variance of the initialized weights, ``scale / n``.
    std : float
        Standard deviation of the initialized weights, ``sqrt(variance)``.
    bound : float or None
        For ``distribution="uniform"``, the half-width ``b`` of
        ``U(-b, b)``; None for the normal distributions.
    normal_std : float or None
        For the normal distributions, the ``std`` argument to hand to the
        normal (or truncated normal) sampler.  For ``"normal"`` it equals
        ``std``; for ``"truncated_normal"`` it is
        ``std / TRUNCATED_NORMAL_STD`` and the samples are cut at
        ``±2 · normal_std``.  None for ``"uniform"``.
    """

    variance: float
    std: float
    bound: float | None
    normal_std: float | None


class Recommendation(NamedTuple):
    """The initializer :func:`recommend` picks for an activation.

    Attributes
    ----------
    method : str
        Name of a function of :mod:`fastinit` (for example ``"he_normal"``).
    kwargs : dict
        Keyword arguments to pass to it besides the shape (for example
        ``{"nonlinearity": "relu"}``).
    reason : str
        One line saying why.
    """

    method: str
    kwargs: dict
    reason: str


# ---------------------------------------------------------------------------
# validation helpers


def _check_real(value, name):
    """Return ``value`` as a finite float, or raise TypeError/ValueError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


def _check_bound(value, name, infinity):
    """A finite float, or the one infinity a truncation bound may be."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and value == infinity:
        return infinity
    return _check_real(value, name)


def _check_fan_override(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number or None, got {type(value).__name__}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


def _check_choice(value, name, choices):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, got {type(value).__name__}")
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def _axes(axis, ndim, name):
    """Normalize an int or a sequence of ints to a tuple of axes in [0, ndim)."""
    if isinstance(axis, bool):
        raise TypeError(f"{name} must be an int or a sequence of ints, got bool")
    try:
        items = (operator.index(axis),)
    except TypeError:
        try:
            items = tuple(operator.index(a) for a in axis)
        except TypeError:
            raise TypeError(
                f"{name} must be an int or a sequence of ints, got {type(axis).__name__}"
            ) from None
    result = []
    for a in items:
        if not -ndim <= a < ndim:
            raise AxisError(a, ndim, msg_prefix=name)
        result.append(a % ndim)
    return tuple(result)


# ---------------------------------------------------------------------------
# fans


def _is_axis(axis, default):
    return not isinstance(axis, bool) and isinstance(axis, numbers.Integral) and axis == default


def _no_axes(axes):
    try:
        return len(axes) == 0
    except TypeError:
        return False


def _shape_fans(shape, layout, in_axis, out_axis, batch_axis):
    """Fans a shape defines, or (None, None) where they are undefined.

    Returns ``(fan_in, fan_out, reason)`` where ``reason`` explains why the
    fans are undefined (None when they are defined).
    """
    ndim = len(shape)
    if layout == "torch":
        if not (_is_axis(in_axis, -2) and _is_axis(out_axis, -1) and _no_axes(batch_axis)):
            raise ValueError(
                "in_axis, out_axis and batch_axis apply to layout='keras' only; "
                "layout='torch' always reads shapes as (out, in, *kernel)"
            )
        if ndim < 2:
            return None, None, (
                f"fans are undefined for a {ndim}-dimensional shape {shape} with "
                "layout='torch', which needs at least 2 dimensions (out, in, *kernel)"
            )
        receptive_field = math.prod(shape[2:])
        return shape[1] * receptive_field, shape[0] * receptive_field, None

    if ndim <= 1 and _is_axis(in_axis, -2):
        return None, None, (
            f"fans are undefined for a {ndim}-dimensional shape {shape} with the "
            "default in_axis=-2; weights need at least 2 dimensions (in, out), "
            "or pass in_axis/out_axis, or fan_in/fan_out, explicitly"
        )
    in_axes = _axes(in_axis, ndim, "in_axis")
    out_axes = _axes(out_axis, ndim, "out_axis")
    batch_axes = _axes(batch_axis, ndim, "batch_axis")
    named = in_axes + out_axes + batch_axes
    if len(set(named)) != len(named):
        raise ValueError(
            "in_axis, out_axis and batch_axis must name distinct axes, got "
            f"in_axis={in_axis!r}, out_axis={out_axis!r}, batch_axis={batch_axis!r} "
            f"for a {ndim}-dimensional shape"
        )
    in_size = math.prod(shape[a] for a in in_axes)
    out_size = math.prod(shape[a] for a in out_axes)
    receptive_field = math.prod(d for a, d in enumerate(shape) if a not in named)
    return in_size * receptive_field, out_size * receptive_field, None


def _resolve_fans(shape, *, need_in, need_out, layout="keras", in_axis=-2, out_axis=-1,
                  batch_axis=(), fan_in=None, fan_out=None):
    """Fans of a normalized shape, None for those neither needed nor defined."""
    layout = _check_choice(layout, "layout", _LAYOUTS)
    fan_in = _check_fan_override(fan_in, "fan_in")
    fan_out = _check_fan_override(fan_out, "fan_out")
    shape_in, shape_out, undefined = _shape_fans(shape, layout, in_axis, out_axis, batch_axis)
    if fan_in is None:
        fan_in = shape_in
    if fan_out is None:
        fan_out = shape_out
    if (need_in and fan_in is None) or (need_out and fan_out is None):
        raise ValueError(undefined)
    return fan_in, fan_out


def fans(shape, *, layout="keras", in_axis=-2, out_axis=-1, batch_axis=(),
         fan_in=None, fan_out=None):
    """Fan-in and fan-out of a weight shape.

    Parameters
    ----------
    shape : int or tuple of ints
        Shape of the weight array.
    layout : {"keras", "torch"}, optional
        ``"keras"`` (default) reads ``(*receptive_field, in, out)`` with the
        axes below, as ``jax.nn.initializers`` does; ``"torch"`` reads
        ``(out, in, *receptive_field)`` as ``torch.nn.init`` does.
    in_axis, out_axis : int or sequence of ints, optional
        Axis or axes holding the inputs (default -2) and outputs
        (default -1); several axes multiply.  ``layout="keras"`` only.
    batch_axis : int or sequence of ints, optional
        Axes to ignore, for example the stacked layers of a scanned model
        (default none).  ``layout="keras"`` only.
    fan_in, fan_out : positive number, optional
        Override the computed value.

    Returns
    -------
    Fans
        ``(fan_in, fan_out)`` where ``fan_in = in_size · receptive_field``
        and ``fan_out = out_size · receptive_field``; the receptive field is
        the product of all remaining axes (1 for a matrix).

    Raises
    ------
    ValueError
        If the shape has too few dimensions for its layout (0-d, or 1-d
        without an explicit ``in_axis``) and no override is given, or if the
        axes overlap.
    numpy.exceptions.AxisError
        If an axis is out of range.

    Notes
    -----
    For distinct axes the result equals JAX's ``_compute_fans`` and, with
    ``layout="torch"``, PyTorch's ``_calculate_fan_in_and_fan_out``.  JAX
    divides the element count by the named axes, so overlapping axes give
    it fractional fans; fastinit rejects them instead.  Shapes with a zero
    dimension have fans computed the same way (possibly 0).

    Examples
    --------
    >>> fans((3, 2))
    Fans(fan_in=3, fan_out=2)
    >>> fans((5, 5, 16, 32))                  # Keras Conv2D kernel
    Fans(fan_in=400, fan_out=800)
    >>> fans((32, 16, 5, 5), layout="torch")  # the same kernel in PyTorch
    Fans(fan_in=400, fan_out=800)
    """
    shape = _normalize_shape(shape)
    fan_in, fan_out = _resolve_fans(
        shape, need_in=True, need_out=True, layout=layout, in_axis=in_axis,
        out_axis=out_axis, batch_axis=batch_axis, fan_in=fan_in, fan_out=fan_out)
    return Fans(fan_in, fan_out)


# ---------------------------------------------------------------------------
# gains

_LINEAR_NONLINEARITIES = (
    "linear", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
)


def calculate_gain(nonlinearity, param=None):
    """Recommended gain for a nonlinearity, with PyTorch's values.

    ================================ ================================
    nonlinearity                     gain
    ================================ ================================
    linear, conv{1,2,3}d,            1
    conv_transpose{1,2,3}d, sigmoid
    tanh                             5/3
    relu                             √2
    leaky_relu                       √(2 / (1 + negative_slope²))
    selu                             3/4
    ================================ ================================

    Parameters
    ----------
    nonlinearity : str
        Name of the function, as in ``torch.nn.functional``.
    param : float, optional
        Negative slope of ``leaky_relu`` (default 0.01); ignored otherwise.

    Returns
    -------
    float

    Raises
    ------
    ValueError
        ``"Unsupported nonlinearity <name>"`` for an unknown name and
        ``"negative_slope <param> not a valid number"`` when ``param`` of
        ``leaky_relu`` is not a number (bools are not numbers here), the
        same messages and type as ``torch.nn.init.calculate_gain``.

    Notes
    -----
    The gain multiplies the standard deviation (He: ``std = gain /
    sqrt(fan)``; Xavier: ``std = gain · sqrt(2 / (fan_in + fan_out))``).
    The SELU value 3/4 is PyTorch's empirical choice; self-normalizing
    networks (Klambauer et al. 2017) instead need Var = 1 / fan_in, that is
    gain 1 with ``mode="fan_in"``, which :func:`fastinit.lecun_normal` gives.
    Unlike PyTorch, any real number (also NumPy scalars) is accepted as the
    slope.

    Examples
    --------
    >>> calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    """
    if nonlinearity in _LINEAR_NONLINEARITIES or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, numbers.Real) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


# ---------------------------------------------------------------------------
# the variance-scaling core


def variance_scaling_parameters(scale, mode, distribution, fan_in, fan_out):
    r"""Variance, standard deviation and bound of a variance-scaling initializer.

    Every fan-based initializer of fastinit computes its scale here.

    Parameters
    ----------
    scale : float
        Non-negative multiplier of the variance (``gain²`` for Xavier and He).
    mode : {"fan_in", "fan_out", "fan_avg", "fan_geo_avg"}
        Which fan sets the denominator ``n``.
    distribution : {"truncated_normal", "normal", "uniform"}
        The distribution the weights are drawn from.
    fan_in, fan_out : positive number or None
        From :func:`fans`; only the ones ``mode`` uses may be None.

    Returns
    -------
    Scale
        ``(variance, std, bound, normal_std)``.

    Notes
    -----
    The weights get mean 0 and variance

    .. math:: \mathrm{Var}(W) = \frac{\text{scale}}{n},\qquad
              n = \text{fan\_in},\ \text{fan\_out},\
              \tfrac{\text{fan\_in} + \text{fan\_out}}{2}\ \text{or}\
              \sqrt{\text{fan\_in} \cdot \text{fan\_out}}

    and are drawn from

    * ``"normal"``: :math:`N(0, \sigma^2)` with :math:`\sigma = \sqrt{\mathrm{Var}}`;
    * ``"truncated_normal"``: :math:`\sigma' Z` with :math:`Z \sim N(0, 1)`
      truncated to (-2, 2) and :math:`\sigma' = \sqrt{\mathrm{Var}} / 0.87962566103423978`,
      the constant being the standard deviation of that truncated Z, so the
      truncated weights still have variance Var;
    * ``"uniform"``: :math:`U(-b, b)` with :math:`b = \sqrt{3\,\mathrm{Var}}`
      (the variance of ``U(-b, b)`` is ``b² / 3``).

    The named initializers are special cases:

    * Xavier/Glorot (Glorot & Bengio, "Understanding the difficulty of
      training deep feedforward neural networks", AISTATS 2010):
      ``scale = gain²``, ``mode="fan_avg"``, so
      ``Var = 2 · gain² / (fan_in + fan_out)``, ``std = gain · sqrt(2 /
      (fan_in + fan_out))`` and ``bound = gain · sqrt(6 / (fan_in +
      fan_out))``.  The paper's "normalized initialization" is the uniform
      one with gain 1.  The ``Var = 1 / (fan_in + fan_out)`` found in some
      tutorials is half of it: that is ``scale=0.5, mode="fan_avg"``.
    * He/Kaiming (He, Zhang, Ren & Sun, "Delving deep into rectifiers",
      ICCV 2015): ``scale = gain²`` with ``mode="fan_in"`` (forward pass) or
      ``"fan_out"`` (backward pass), ``std = gain / sqrt(fan)``,
      ``bound = gain · sqrt(3 / fan)``; ``gain = √2`` for ReLU
      (:func:`calculate_gain`).
    * LeCun (LeCun, Bottou, Orr & Müller, "Efficient BackProp", 1998):
      ``scale = 1``, ``mode="fan_in"``: ``Var = 1 / fan_in``.  With a normal
      distribution this is the initialization that self-normalizing
      networks with SELU need (Klambauer, Unterthiner, Mayr & Hochreiter,
      "Self-Normalizing Neural Networks", NeurIPS 2017).

    Orthogonal initialization (Saxe, McClelland & Ganguli, "Exact solutions
    to the nonlinear dynamics of learning in deep linear neural networks",
    ICLR 2014), made Haar-uniform by the sign correction of Mezzadri ("How to
    generate random matrices from the classical compact groups", Notices of
    the AMS, 2007), does not scale by the fans: its entries have mean square
    ``gain² / max(rows, cols)`` because every row or column has norm ``gain``.

    Examples
    --------
    The worked example, a layer with 3 inputs and 2 outputs:

    >>> variance_scaling_parameters(1.0, "fan_avg", "normal", 3, 2).variance  # Xavier
    0.4
    >>> variance_scaling_parameters(2.0, "fan_in", "normal", 3, 2).variance   # He
    0.6666666666666666
    """
    scale = _check_real(scale, "scale")
    if scale < 0:
        raise ValueError(f"scale must be non-negative, got {scale}")
    mode = _check_choice(mode, "mode", _MODES)
    distribution = _check_choice(distribution, "distribution", _DISTRIBUTIONS)
    used = {"fan_in": ("fan_in",), "fan_out": ("fan_out",)}.get(mode, ("fan_in", "fan_out"))
    values = {"fan_in": fan_in, "fan_out": fan_out}
    for name in used:
        value = values[name]
        if value is None:
            raise ValueError(f"mode={mode!r} needs {name}, which is undefined")
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a number, got {type(value).__name__}")
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"{name} must be positive to scale the weights by it, got {value}")
    if mode == "fan_in":
        n = fan_in
    elif mode == "fan_out":
        n = fan_out
    elif mode == "fan_avg":
        n = (fan_in + fan_out) / 2
    else:
        n = math.sqrt(fan_in * fan_out)
    variance = scale / n
    std = math.sqrt(variance)
    if distribution == "uniform":
        return Scale(variance, std, math.sqrt(3.0 * variance), None)
    if distribution == "truncated_normal":
        return Scale(variance, std, None, std / TRUNCATED_NORMAL_STD)
    return Scale(variance, std, None, std)


# ---------------------------------------------------------------------------
# per-method scale plans, shared by the initializers and describe()


class _Plan(NamedTuple):
    """What an initializer draws for a shape (used by initializers and describe)."""

    method: str
    distribution: str
    formula: str
    fan_in: float | None
    fan_out: float | None
    variance: float | None
    std: float | None
    bound: float | None
    normal_std: float | None


def _fan_kwargs(kwargs):
    names = ("layout", "in_axis", "out_axis", "batch_axis", "fan_in", "fan_out")
    return {k: kwargs.pop(k) for k in names if k in kwargs}


def _is_empty(shape):
    return math.prod(shape) == 0


def _variance_scaling_plan(method, shape, scale, mode, distribution, formula, fan_kw):
    """Plan of a fan-based initializer; variance None when the shape is empty."""
    distribution = _check_choice(distribution, "distribution", _DISTRIBUTIONS)
    mode = _check_choice(mode, "mode", _MODES)
    need_in = mode in ("fan_in", "fan_avg", "fan_geo_avg")
    need_out = mode in ("fan_out", "fan_avg", "fan_geo_avg")
    fan_in, fan_out = _resolve_fans(shape, need_in=need_in, need_out=need_out, **fan_kw)
    if _is_empty(shape):
        _check_real(scale, "scale")
        return _Plan(method, distribution, formula, fan_in, fan_out, None, None, None, None)
    params = variance_scaling_parameters(scale, mode, distribution, fan_in, fan_out)
    return _Plan(method, distribution, formula, fan_in, fan_out,
                 params.variance, params.std, params.bound, params.normal_std)


def _gain_prefix(gain):
    return "" if gain == 1.0 else f"{gain:.6g}² · "


def _xavier_plan(method, shape, gain, distribution, fan_kw):
    gain = _check_real(gain, "gain")
    if gain < 0:
        raise ValueError(f"gain must be non-negative, got {gain}")
    formula = f"Var = {_gain_prefix(gain)}2 / (fan_in + fan_out)"
    return _variance_scaling_plan(method, shape, gain * gain, "fan_avg", distribution,
                                  formula, fan_kw)


def _squared_gain(nonlinearity, param):
    """``calculate_gain(nonlinearity, param) ** 2`` without rounding the square root.

    He's variance is gain², which for ReLU is exactly 2; squaring the rounded
    √2 would give 2.0000000000000004.
    """
    gain = calculate_gain(nonlinearity, param)
    if nonlinearity == "relu":
        return 2.0
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return 2.0 / (1 + slope**2)
    return gain * gain


def _he_plan(method, shape, a, mode, nonlinearity, distribution, fan_kw):
    mode = _check_choice(mode, "mode", ("fan_in", "fan_out"))
    squared_gain = _squared_gain(nonlinearity, a)
    if squared_gain == 2.0:
        formula = f"Var = 2 / {mode}"
    else:
        formula = f"Var = {squared_gain:.6g} / {mode}"
    return _variance_scaling_plan(method, shape, squared_gain, mode, distribution, formula,
                                  fan_kw)


def _lecun_plan(method, shape, distribution, fan_kw):
    return _variance_scaling_plan(method, shape, 1.0, "fan_in", distribution,
                                  "Var = 1 / fan_in", fan_kw)


_MODE_DENOMINATORS = {
    "fan_in": "fan_in",
    "fan_out": "fan_out",
    "fan_avg": "((fan_in + fan_out) / 2)",
    "fan_geo_avg": "√(fan_in · fan_out)",
}


def _general_plan(shape, scale, mode, distribution, fan_kw):
    scale = _check_real(scale, "scale")
    mode = _check_choice(mode, "mode", _MODES)
    formula = f"Var = {scale:.6g} / {_MODE_DENOMINATORS[mode]}"
    return _variance_scaling_plan("variance_scaling", shape, scale, mode, distribution,
                                  formula, fan_kw)


def _optional_fans(shape, fan_kw):
    """Fans for display only: (None, None) where the shape does not define them."""
    try:
        return _resolve_fans(shape, need_in=False, need_out=False, **fan_kw)
    except ValueError:
        return None, None


def _truncated_normal_variance(std, alpha, beta):
    """Variance of N(0, std²) truncated to [alpha·std, beta·std]."""
    def pdf(x):
        return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) if math.isfinite(x) else 0.0

    def cdf(x):
        return 0.5 * math.erfc(-x / math.sqrt(2))

    mass = cdf(beta) - cdf(alpha)
    if mass <= 0:
        return 0.0
    alpha_term = alpha * pdf(alpha) if math.isfinite(alpha) else 0.0
    beta_term = beta * pdf(beta) if math.isfinite(beta) else 0.0
    shift = (pdf(alpha) - pdf(beta)) / mass
    return std * std * max(0.0, 1 + (alpha_term - beta_term) / mass - shift * shift)


def _constant_plan(method, value, formula):
    value = _check_real(value, "value")
    return _Plan(method, "constant", formula, None, None, 0.0, 0.0, None, None)


def _plan(method, shape, kwargs):
    """Plan of any initializer by name (describe's dispatcher)."""
    method = _ALIASES.get(method, method)
    kwargs = dict(kwargs)
    fan_kw = _fan_kwargs(kwargs)

    def take(name, default):
        return kwargs.pop(name, default)

    if method == "zeros":
        plan = _constant_plan(method, 0.0, "w = 0")
    elif method == "ones":
        plan = _constant_plan(method, 1.0, "w = 1")
    elif method == "constant":
        value = _check_real(take("value", 0.0), "value")
        plan = _constant_plan(method, value, f"w = {value:.6g}")
    elif method == "normal":
        _check_real(take("mean", 0.0), "mean")
        std = _check_real(take("std", 1.0), "std")
        plan = _Plan(method, "normal", "Var = std² (whatever the layer size)", None, None,
                     std * std, std, None, std)
    elif method == "uniform":
        low = _check_real(take("low", 0.0), "low")
        high = _check_real(take("high", 1.0), "high")
        width = high - low
        bound = high if low == -high else None
        plan = _Plan(method, "uniform", "Var = (high - low)² / 12", None, None,
                     width * width / 12, width / math.sqrt(12), bound, None)
    elif method == "truncated_normal":
        mean = _check_real(take("mean", 0.0), "mean")
        std = _check_real(take("std", 1.0), "std")
        a = take("a", None)
        b = take("b", None)
        a = mean - 2 * std if a is None else _check_bound(a, "a", -math.inf)
        b = mean + 2 * std if b is None else _check_bound(b, "b", math.inf)
        if not a < b:
            raise ValueError(f"a must be less than b, got a={a}, b={b}")
        if std > 0:
            variance = _truncated_normal_variance(std, (a - mean) / std, (b - mean) / std)
        else:
            variance = 0.0
        plan = _Plan(method, "truncated_normal", "Var = std² · (variance of N(0,1) on [a, b])",
                     None, None, variance, math.sqrt(variance), None, std)
    elif method in ("xavier_uniform", "xavier_normal"):
        plan = _xavier_plan(method, shape, take("gain", 1.0), method.split("_")[1], fan_kw)
    elif method in ("he_uniform", "he_normal"):
        plan = _he_plan(method, shape, take("a", 0.0), take("mode", "fan_in"),
                        take("nonlinearity", "leaky_relu"), method.split("_")[1], fan_kw)
    elif method in ("lecun_uniform", "lecun_normal"):
        plan = _lecun_plan(method, shape, method.split("_")[1], fan_kw)
    elif method == "variance_scaling":
        plan = _general_plan(shape, take("scale", 1.0), take("mode", "fan_in"),
                             take("distribution", "truncated_normal"), fan_kw)
    elif method == "orthogonal":
        gain = _check_real(take("gain", 1.0), "gain")
        layout = fan_kw.get("layout", "keras")
        rows, cols = _orthogonal_matrix_shape(shape, layout)
        variance = gain * gain / max(rows, cols) if rows and cols else None
        plan = _Plan(method, "orthogonal", f"Var = {_gain_prefix(gain)}1 / max(rows, cols)",
                     None, None, variance, None if variance is None else math.sqrt(variance),
                     None, None)
    elif method == "eye":
        if len(shape) != 2:
            raise ValueError(f"eye requires a 2-dimensional shape, got {shape}")
        plan = _indicator_plan(method, "w = I", min(shape), math.prod(shape))
    elif method == "dirac":
        groups = take("groups", 1)
        layout = fan_kw.get("layout", "keras")
        ones = len(_dirac_positions(shape, groups, layout))
        plan = _indicator_plan(method, "w = δ (identity convolution)", ones, math.prod(shape))
    elif method == "sparse":
        sparsity = _check_sparsity(take("sparsity", None))
        std = _check_real(take("std", 0.01), "std")
        if len(shape) != 2:
            raise ValueError(f"sparse requires a 2-dimensional shape, got {shape}")
        rows = shape[0]
        kept = (rows - math.ceil(sparsity * rows)) / rows if rows else 0.0
        variance = kept * std * std
        plan = _Plan(method, "sparse_normal",
                     "Var = (1 - ⌈sparsity · rows⌉ / rows) · std²", None, None,
                     variance, math.sqrt(variance), None, std)
    else:
        raise ValueError(f"unknown initializer {method!r}; expected one of "
                         + ", ".join(sorted(_RECOMMENDED_FOR)))
    if kwargs:
        raise TypeError(f"{method}() got unexpected keyword arguments: "
                        + ", ".join(sorted(kwargs)))
    if plan.fan_in is None and plan.fan_out is None:
        fan_in, fan_out = _optional_fans(shape, fan_kw)
        plan = plan._replace(fan_in=fan_in, fan_out=fan_out)
    return plan


def _indicator_plan(method, formula, ones, size):
    p = ones / size if size else 0.0
    variance = p - p * p
    return _Plan(method, "constant", formula, None, None, variance, math.sqrt(variance),
                 None, None)


def _check_sparsity(sparsity):
    if sparsity is None:
        raise TypeError("sparse() missing required argument: 'sparsity'")
    sparsity = _check_real(sparsity, "sparsity")
    if not 0.0 <= sparsity <= 1.0:
        raise ValueError(f"sparsity must be in [0, 1], got {sparsity}")
    return sparsity


def _orthogonal_matrix_shape(shape, layout):
    """The (rows, cols) matrix an orthogonal weight of ``shape`` is flattened to.

    Keras/JAX layout: columns are the last (output) axis and rows everything
    before it; PyTorch layout: rows are the first (output) axis and columns
    everything after it.
    """
    layout = _check_choice(layout, "layout", _LAYOUTS)
    if len(shape) < 2:
        raise ValueError(
            f"orthogonal requires a shape with at least 2 dimensions, got {shape}")
    if layout == "torch":
        return shape[0], math.prod(shape[1:])
    return math.prod(shape[:-1]), shape[-1]


def _dirac_positions(shape, groups, layout):
    """Index tuples of the ones of a Dirac (identity convolution) kernel."""
    layout = _check_choice(layout, "layout", _LAYOUTS)
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral):
        raise TypeError(f"groups must be an int, got {type(groups).__name__}")
    groups = int(groups)
    if groups < 1:
        raise ValueError(f"groups must be at least 1, got {groups}")
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


_ALIASES = {
    "glorot_uniform": "xavier_uniform",
    "glorot_normal": "xavier_normal",
    "kaiming_uniform": "he_uniform",
    "kaiming_normal": "he_normal",
}

_RECOMMENDED_FOR = {
    "zeros": "biases; never weights (identical weights keep every unit identical)",
    "ones": "scales of normalization layers (LayerNorm, BatchNorm gamma)",
    "constant": "biases with a known offset",
    "normal": "nothing in particular: its scale ignores the layer size",
    "uniform": "nothing in particular: its scale ignores the layer size",
    "truncated_normal": "embeddings and transformer weights with a fixed small std",
    "xavier_uniform": "tanh, sigmoid, softmax and linear layers (Glorot & Bengio 2010)",
    "xavier_normal": "tanh, sigmoid, softmax and linear layers (Glorot & Bengio 2010)",
    "he_uniform": "ReLU, leaky ReLU, GELU, SiLU and ELU (He et al. 2015)",
    "he_normal": "ReLU, leaky ReLU, GELU, SiLU and ELU (He et al. 2015)",
    "lecun_uniform": "SELU and linear layers (LeCun et al. 1998)",
    "lecun_normal": "SELU, self-normalizing networks (Klambauer et al. 2017)",
    "variance_scaling": "any of the above, by choosing scale, mode and distribution",
    "orthogonal": "recurrent and very deep linear or tanh networks (Saxe et al. 2014)",
    "eye": "residual and recurrent layers that should start as the identity",
    "dirac": "convolutions that should start as the identity",
    "sparse": "deep networks trained with Hessian-free optimization (Martens 2010)",
}


def describe(method, shape, **kwargs):
    """Explain what an initializer does for a weight shape, without drawing.

    Parameters
    ----------
    method : str
        Name of a fastinit initializer (``"xavier_uniform"``, ``"he_normal"``,
        ``"zeros"``, ``"normal"``, ...; the ``glorot_*``/``kaiming_*``
        aliases too).
    shape : int or tuple of ints
        Shape of the weight array.
    **kwargs
        The method's own parameters (``gain``, ``a``, ``mode``,
        ``nonlinearity``, ``std``, ...) and the layout/fan keywords of
        :func:`fans`.

    Returns
    -------
    dict
        ``method`` (canonical name), ``formula`` (short string),
        ``fan_in`` and ``fan_out`` (None where the shape does not define
        them), ``variance`` and ``std`` of the weights, ``bound`` (the
        half-width of a symmetric uniform distribution, else None),
        ``distribution`` and ``recommended_for``.

    Examples
    --------
    >>> d = describe("xavier_normal", (3, 2))
    >>> d["formula"], d["variance"]
    ('Var = 2 / (fan_in + fan_out)', 0.4)
    """
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, got {type(method).__name__}")
    shape = _normalize_shape(shape)
    plan = _plan(method, shape, kwargs)
    return {
        "method": plan.method,
        "formula": plan.formula,
        "fan_in": plan.fan_in,
        "fan_out": plan.fan_out,
        "variance": plan.variance,
        "std": plan.std,
        "bound": plan.bound,
        "distribution": plan.distribution,
        "recommended_for": _RECOMMENDED_FOR[plan.method],
    }


# ---------------------------------------------------------------------------
# recommendations

_HE_REASON = ("{name} passes about half of its input's variance, as ReLU does, so He's "
              "Var = 2 / fan_in keeps activations from shrinking or growing (He et al. 2015)")
_XAVIER_REASON = ("{name} is symmetric and near-linear around 0, so Xavier's "
                  "Var = 2 / (fan_in + fan_out) balances the forward and backward signal "
                  "(Glorot & Bengio 2010)")

_RELU_LIKE = {
    "relu": "ReLU", "relu6": "ReLU6", "prelu": "PReLU", "rrelu": "RReLU",
    "gelu": "GELU", "silu": "SiLU", "swish": "Swish", "hardswish": "Hardswish",
    "mish": "Mish", "elu": "ELU", "celu": "CELU", "softplus": "Softplus",
}
_SYMMETRIC = {
    "tanh": "tanh", "hardtanh": "Hardtanh", "sigmoid": "sigmoid",
    "hardsigmoid": "Hardsigmoid", "softsign": "softsign", "softmax": "softmax",
}
_LINEAR = ("linear", "identity", "none")


def recommend(activation):
    """The initializer to use for the weights feeding an activation.

    Parameters
    ----------
    activation : str or None
        Name of the activation that follows the layer, case-insensitive;
        ``-``, ``_`` and spaces are ignored (``"LeakyReLU"`` equals
        ``"leaky_relu"``).  None means a linear layer.

    Returns
    -------
    Recommendation
        ``(method, kwargs, reason)``: the name of a fastinit function, the
        keyword arguments to call it with, and a one-line reason.

    Notes
    -----
    * ReLU family (ReLU, leaky ReLU, PReLU, GELU, SiLU/Swish, Mish, ELU,
      Softplus): ``he_normal`` (leaky ReLU with its default slope 0.01).
    * tanh, sigmoid, softsign, softmax, linear: ``xavier_uniform``, the
      setting of Glorot & Bengio (2010); LeCun is the other sound choice.
    * SELU: ``lecun_normal``, which self-normalizing networks require.
    * Anything else: ``he_normal``, with a note in the reason.

    Examples
    --------
    >>> recommend("relu").method
    'he_normal'
    >>> recommend("tanh").method
    'xavier_uniform'
    """
    if activation is None:
        activation = "linear"
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a str or None, got {type(activation).__name__}")
    key = "".join(ch for ch in activation.lower() if ch not in "-_ ")
    if key in ("leakyrelu", "lrelu"):
        return Recommendation(
            "he_normal", {"nonlinearity": "leaky_relu", "a": 0.01},
            "leaky ReLU passes about half of its input's variance, so He's "
            "Var = 2 / ((1 + slope²) · fan_in) keeps activations steady (He et al. 2015)")
    if key in _RELU_LIKE:
        return Recommendation("he_normal", {"nonlinearity": "relu"},
                              _HE_REASON.format(name=_RELU_LIKE[key]))
    if key in _SYMMETRIC:
        return Recommendation("xavier_uniform", {},
                              _XAVIER_REASON.format(name=_SYMMETRIC[key]))
    if key in _LINEAR:
        return Recommendation(
            "xavier_uniform", {},
            "a linear layer has no nonlinearity to compensate for, and Xavier's "
            "Var = 2 / (fan_in + fan_out) balances the forward and backward signal "
            "(Glorot & Bengio 2010)")
    if key == "selu":
        return Recommendation(
            "lecun_normal", {},
            "SELU self-normalizes only when weights have Var = 1 / fan_in from a normal "
            "distribution (LeCun normal; Klambauer et al. 2017)")
    return Recommendation(
        "he_normal", {"nonlinearity": "relu"},
        f"unknown activation {activation!r}: He normal suits the ReLU-like activations "
        "most networks use; pick xavier_uniform for tanh- or sigmoid-like ones")
