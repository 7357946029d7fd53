"""Scale math of the initializers: variance scaling and each method's scale rule.

Pure arithmetic on shapes and numbers; nothing draws random numbers.
:func:`variance_scaling_parameters` is the single place where the standard
deviation and the uniform bound of every fan-based initializer
(Xavier/Glorot, He/Kaiming, LeCun and general variance scaling) are
computed; the ``*_scale`` rules below say, for each method of the spec
table (:mod:`fastinit._table`), what it draws for a shape, and serve both
the initializers and :func:`fastinit.describe`.
"""
from __future__ import annotations

import math
from typing import Any, Dict, NamedTuple, Optional

from . import _validate
from ._fans import calculate_gain, resolve_fans

__all__ = ["Scale", "variance_scaling_parameters", "TRUNCATED_NORMAL_STD"]

#: Standard deviation of N(0, 1) truncated to (-2, 2); a truncated-normal
#: sampler divides by it so that the truncated samples have the target
#: variance (the constant used by JAX and Keras).
TRUNCATED_NORMAL_STD = 0.87962566103423978

MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


class Scale(NamedTuple):
    """Result of :func:`variance_scaling_parameters`.

    Parameters
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
    scale = _validate.nonnegative(scale, "scale")
    mode = _validate.choice(mode, "mode", MODES)
    distribution = _validate.choice(distribution, "distribution", DISTRIBUTIONS)
    used = {"fan_in": ("fan_in",), "fan_out": ("fan_out",)}.get(mode, ("fan_in", "fan_out"))
    values = {"fan_in": fan_in, "fan_out": fan_out}
    for name in used:
        value = values[name]
        if value is None:
            raise ValueError(f"mode={mode!r} needs {name}, which is undefined")
        _validate.real(value, name)
        if not value > 0:
            raise ValueError(f"{name} must be positive to scale the weights by it, got {value}")
    return _scale(scale, mode, distribution, fan_in, fan_out)


def _scale(scale: float, mode: str, distribution: str, fan_in: Any, fan_out: Any) -> Scale:
    """variance_scaling_parameters on validated arguments."""
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
# what each method draws for a shape


class ScalePlan(NamedTuple):
    """What an initializer draws for a shape (the initializers and describe share it)."""

    distribution: str
    formula: str
    fan_in: Optional[float]
    fan_out: Optional[float]
    variance: Optional[float]
    std: Optional[float]
    bound: Optional[float]
    normal_std: Optional[float]


def fan_scaled(shape, scale: float, mode: str, distribution: str, formula: str,
               fan_kw: Dict[str, Any]) -> ScalePlan:
    """Plan of a fan-based initializer; variance None when the shape is empty."""
    need_in = mode != "fan_out"
    need_out = mode != "fan_in"
    fan_in, fan_out = resolve_fans(shape, need_in=need_in, need_out=need_out, **fan_kw)
    if math.prod(shape) == 0:
        return ScalePlan(distribution, formula, fan_in, fan_out, None, None, None, None)
    for name, value, needed in (("fan_in", fan_in, need_in), ("fan_out", fan_out, need_out)):
        if needed and not value > 0:
            raise ValueError(f"{name} must be positive to scale the weights by it, got {value}")
    s = _scale(scale, mode, distribution, fan_in, fan_out)
    return ScalePlan(distribution, formula, fan_in, fan_out, s.variance, s.std, s.bound,
                     s.normal_std)


def _gain_prefix(gain: float) -> str:
    return "" if gain == 1.0 else f"{gain:.6g}² · "


def xavier_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """Glorot & Bengio (2010): ``Var = gain² · 2 / (fan_in + fan_out)``."""
    gain = v["gain"]
    formula = f"Var = {_gain_prefix(gain)}2 / (fan_in + fan_out)"
    return fan_scaled(shape, gain * gain, "fan_avg", distribution, formula, fan_kw)


def squared_gain(nonlinearity: str, param: Any) -> float:
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


def he_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """He et al. (2015): ``Var = gain² / fan``, gain from the nonlinearity and slope ``a``."""
    mode = v["mode"]
    scale = squared_gain(v["nonlinearity"], v["a"])
    formula = f"Var = 2 / {mode}" if scale == 2.0 else f"Var = {scale:.6g} / {mode}"
    return fan_scaled(shape, scale, mode, distribution, formula, fan_kw)


def lecun_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """LeCun et al. (1998): ``Var = 1 / fan_in``."""
    return fan_scaled(shape, 1.0, "fan_in", distribution, "Var = 1 / fan_in", fan_kw)


_MODE_DENOMINATORS = {
    "fan_in": "fan_in",
    "fan_out": "fan_out",
    "fan_avg": "((fan_in + fan_out) / 2)",
    "fan_geo_avg": "√(fan_in · fan_out)",
}


def variance_scaling_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """Keras/JAX variance scaling: ``Var = scale / n``."""
    scale, mode = v["scale"], v["mode"]
    formula = f"Var = {scale:.6g} / {_MODE_DENOMINATORS[mode]}"
    return fan_scaled(shape, scale, mode, v["distribution"], formula, fan_kw)


def uniform_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """``U[low, high)``: ``Var = (high - low)² / 12``."""
    low, high = v["low"], v["high"]
    width = high - low
    bound = high if low == -high else None
    return ScalePlan("uniform", "Var = (high - low)² / 12", None, None, width * width / 12,
                     width / math.sqrt(12), bound, None)


def normal_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """``N(mean, std²)``, whatever the layer size."""
    std = v["std"]
    return ScalePlan("normal", "Var = std² (whatever the layer size)", None, None, std * std,
                     std, None, std)


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


def truncated_normal_scale(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
    """``N(mean, std²)`` cut to [a, b]: the variance of the truncated normal."""
    mean, std, a, b = v["mean"], v["std"], v["a"], v["b"]
    a = mean - 2 * std if a is None else a
    b = mean + 2 * std if b is None else b
    if not a < b and not (a == b and std == 0):
        raise ValueError(f"a must be less than b, got a={a}, b={b}")
    variance = _truncated_normal_variance(std, (a - mean) / std, (b - mean) / std) if std > 0 \
        else 0.0
    return ScalePlan("truncated_normal", "Var = std² · (variance of N(0,1) on [a, b])", None,
                     None, variance, math.sqrt(variance), None, std)


def constant_scale(formula: str):
    """The rule of a constant fill (``formula`` may name the value: ``{value}``)."""
    def rule(shape, distribution: str, v: Dict[str, Any], fan_kw) -> ScalePlan:
        return ScalePlan("constant", formula.format(**v), None, None, 0.0, 0.0, None, None)
    return rule


def indicator_scale(formula: str, ones: int, size: int) -> ScalePlan:
    """A 0/1 matrix with `ones` ones among `size` entries."""
    p = ones / size if size else 0.0
    variance = p - p * p
    return ScalePlan("constant", formula, None, None, variance, math.sqrt(variance), None, None)


def orthogonal_rows_cols_scale(gain: float, rows: int, cols: int) -> ScalePlan:
    """Rows or columns of norm ``gain``: mean square ``gain² / max(rows, cols)``."""
    variance = gain * gain / max(rows, cols) if rows and cols else None
    return ScalePlan("orthogonal", f"Var = {_gain_prefix(gain)}1 / max(rows, cols)", None,
                     None, variance, None if variance is None else math.sqrt(variance), None,
                     None)


def sparse_scale(rows: int, sparsity: float, std: float) -> ScalePlan:
    """Each column keeps ``rows - ceil(sparsity · rows)`` normal entries."""
    kept = (rows - math.ceil(sparsity * rows)) / rows if rows else 0.0
    variance = kept * std * std
    return ScalePlan("sparse_normal", "Var = (1 - ⌈sparsity · rows⌉ / rows) · std²", None, None,
                     variance, math.sqrt(variance), None, std)
