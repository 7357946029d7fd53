"""The spec table: every initializer of fastinit, once.

Each :class:`Method` says what an initializer is called, which parameters it
takes (with defaults, type and validator), which groups of common keywords
it accepts, its scale rule (what it draws for a shape), how it draws,
whether a region can be made alone, and its documentation.  From this table
come the module functions (:mod:`fastinit.initializers`), the methods of
:class:`fastinit.Generator`, :func:`fastinit.describe`, the command line's
method list and the type stubs (``initializers.pyi``, ``_generator.pyi``).

Adding an initializer means adding one entry to ``METHODS`` (and, for a new
kind of draw, its function in ``_structured.py``); then regenerate the stubs
with ``python -m fastinit._stubgen``.
"""
from __future__ import annotations

import functools
import math
from typing import Any, Callable, Dict, NamedTuple, Optional, Tuple

import numpy as np

from . import _distributions, _fans, _layout, _scales, _structured, _validate
from ._core import signed_key
from ._engine import FillPlan
from ._scales import ScalePlan

REQUIRED = object()


class Param(NamedTuple):
    """One parameter of a method, after ``shape`` (positional or keyword)."""

    name: str
    default: Any
    annotation: str          # for the stubs and ``__annotations__``
    check: Callable[[Any], Any]
    doc: str


class Method(NamedTuple):
    """One initializer: a row of the spec table."""

    name: str
    summary: str
    params: Tuple[Param, ...]
    random: bool             # takes seed, stream, block and threads
    fans: bool               # takes layout, in_axis, out_axis, batch_axis, fan_in, fan_out
    layout: bool             # takes layout alone (orthogonal, dirac)
    distribution: str        # what describe() reports
    regionable: bool         # a region can be made without the rest
    scale: Callable[..., ScalePlan]
    draw: Callable[..., Any]
    recommended_for: str
    aliases: Tuple[str, ...] = ()
    shape_doc: str = "int or tuple of ints\n        Logical shape of the weight."
    notes: str = ""
    examples: str = ""


# --------------------------------------------------------------------------
# parameter checks


def _real(name: str) -> Callable[[Any], float]:
    return functools.partial(_validate.real, name=name)


def _nonnegative(name: str) -> Callable[[Any], float]:
    return functools.partial(_validate.nonnegative, name=name)


def _choice(name: str, choices: Tuple[str, ...]) -> Callable[[Any], str]:
    return functools.partial(_validate.choice, name=name, choices=choices)


def _optional_bound(name: str, infinity: float) -> Callable[[Any], Optional[float]]:
    return lambda value: None if value is None else _validate.bound(value, name, infinity)


def _nonlinearity(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"nonlinearity must be a str, not {type(value).__name__}")
    return value


def _activation(value: Any) -> Optional[str]:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"activation must be a str or None, not {type(value).__name__}")
    return value


def _groups(value: Any) -> int:
    return _validate.integer(value, "groups", minimum=1)


def _sparsity(value: Any) -> float:
    return _validate.fraction(value, "sparsity")


# --------------------------------------------------------------------------
# where the random words come from


class Fixed:
    """Words of a one-shot call: the caller's seed, stream and block offset."""

    __slots__ = ("seed", "stream", "block")

    def __init__(self, seed: Any, stream: Any, block: Any):
        self.seed = seed
        self.stream = stream
        self.block = block

    def start(self, n_blocks: int) -> Tuple[int, int, int]:
        # Resolved once, so that a method drawing twice (orthogonal, sparse)
        # uses one seed even when it comes from the OS.
        return resolve_words(self.seed, self.stream, self.block)


def resolve_words(seed: Any, stream: Any, block: Any) -> Tuple[int, int, int]:
    """A call's seed, stream and block offset, checked (plain ints cheaply)."""
    if not (type(seed) is int and 0 <= seed < _validate.UINT64_LIMIT):
        seed = _validate.seed(seed)
    if not (type(stream) is int and 0 <= stream < _validate.UINT64_LIMIT):
        stream = _validate.stream(stream)
    if not (block == 0 and type(block) is int):
        block = _validate.block(block)
    return seed, stream, block


class FromGenerator:
    """Words of a :class:`fastinit.Generator`, which advances past them."""

    __slots__ = ("generator",)

    def __init__(self, generator: Any):
        self.generator = generator

    def start(self, n_blocks: int) -> Tuple[int, int, int]:
        gen = self.generator
        return gen.seed, gen.stream, gen._take_blocks(n_blocks)


def _run(plan, source, out) -> Any:
    if type(source) is Fixed:  # a one-shot call reserves nothing: skip the block count
        return plan.run(*source.start(0), out)
    return plan.run(*_generator_words(plan, source.generator, out), out)


def _generator_words(plan, generator, out) -> Tuple[int, int, int]:
    """The words `plan` takes from `generator`, reserved once `out` is known
    to be good: a call that fails takes no blocks of its generator."""
    if out is not None:
        _layout.check_out(out, plan.layout.sub_shape, plan.dtype)
    return generator.seed, generator.stream, generator._take_blocks(plan.blocks())


# --------------------------------------------------------------------------
# draws: (method, source, shape, dtype, values, out, region, threads, fan_kw)


class Planned:
    """The draw of a method that the engine fills alone: ``make(method, shape,
    dtype, values, region, threads, fan_kw)`` gives its :class:`FillPlan`,
    which :func:`call` keeps for the next call with the same arguments."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[..., FillPlan]):
        self.make = make

    def __call__(self, method, source, shape, dtype, v, out, region, threads, fan_kw):
        return _run(self.make(method, shape, dtype, v, region, threads, fan_kw), source, out)


_SCALE_PLANS: Dict[Any, ScalePlan] = {}


def scale_plan(method: Method, shape, v, fan_kw) -> ScalePlan:
    """``method.scale`` for these arguments, remembered: a model has thousands
    of tensors of a few shapes, and the rule is a pure function of its
    (validated, hashable) arguments."""
    try:
        fan_values = tuple(fan_kw.values())
        # types too: True == 1, but in_axis=True is refused and 1 is not
        key = (method.name, shape, signed_key(tuple(v.values())), fan_values,
               tuple(map(type, fan_values)))
        plan = _SCALE_PLANS.get(key)
    except TypeError:  # an unhashable axis list: compute every time
        return method.scale(shape, method.distribution, v, fan_kw)
    if plan is None:
        plan = method.scale(shape, method.distribution, v, fan_kw)
        if len(_SCALE_PLANS) >= 4096:
            _SCALE_PLANS.clear()
        _SCALE_PLANS[key] = plan
    return plan


def _plan_scaled(method: Method, shape, dtype, v, region, threads, fan_kw) -> FillPlan:
    """A fan-based initializer: the engine's fill with the computed scale."""
    plan = scale_plan(method, shape, v, fan_kw)
    kind = plan.distribution
    # An empty shape has no scale (its fans may be 0); nothing is drawn, so
    # any valid parameters do and the engine still checks out/region/dtype.
    if kind == "uniform":
        bound = 1.0 if plan.bound is None else plan.bound
        return _distributions.uniform_plan(shape, -bound, bound, dtype, region, threads)
    std = 1.0 if plan.normal_std is None else plan.normal_std
    if kind == "normal":
        return _distributions.normal_plan(shape, 0.0, std, dtype, region, threads)
    return _distributions.truncated_normal_plan(shape, 0.0, std, None, None, dtype, region,
                                                threads)


def _plan_uniform(method, shape, dtype, v, region, threads, fan_kw) -> FillPlan:
    return _distributions.uniform_plan(shape, v["low"], v["high"], dtype, region, threads)


def _plan_normal(method, shape, dtype, v, region, threads, fan_kw) -> FillPlan:
    return _distributions.normal_plan(shape, v["mean"], v["std"], dtype, region, threads)


def _plan_truncated_normal(method, shape, dtype, v, region, threads, fan_kw) -> FillPlan:
    return _distributions.truncated_normal_plan(shape, v["mean"], v["std"], v["a"], v["b"],
                                                dtype, region, threads)


def _plan_init(method, shape, dtype, v, region, threads, fan_kw) -> FillPlan:
    chosen, values = _recommended(v["activation"])
    # every method recommend() names is fan-based: a Planned draw
    draw: Planned = chosen.draw  # type: ignore[assignment]
    return draw.make(chosen, shape, dtype, values, region, threads, fan_kw)


_draw_scaled = Planned(_plan_scaled)
_draw_uniform = Planned(_plan_uniform)
_draw_normal = Planned(_plan_normal)
_draw_truncated_normal = Planned(_plan_truncated_normal)
_draw_init = Planned(_plan_init)


def _draw_constant(value_of: Callable[[Dict[str, Any]], float]):
    def draw(method, source, shape, dtype, v, out, region, threads, fan_kw):
        return _structured.fill_constant(shape, value_of(v), dtype, out, region)
    return draw


def _draw_eye(method, source, shape, dtype, v, out, region, threads, fan_kw):
    return _structured.eye(shape, dtype, out, region)


def _draw_dirac(method, source, shape, dtype, v, out, region, threads, fan_kw):
    return _structured.dirac(shape, v["groups"], fan_kw["layout"], dtype, out, region)


def _draw_orthogonal(method, source, shape, dtype, v, out, region, threads, fan_kw):
    return _structured.orthogonal(shape, v["gain"], fan_kw["layout"], source, dtype, out,
                                  region, threads)


def _draw_sparse(method, source, shape, dtype, v, out, region, threads, fan_kw):
    return _structured.sparse(shape, v["sparsity"], v["std"], source, dtype, out, region,
                              threads)


def _recommended(activation) -> Tuple["Method", Dict[str, Any]]:
    """The method recommend() names for `activation`, and its checked parameters."""
    from .describe import recommend
    recommendation = recommend(activation)
    chosen = BY_NAME[recommendation.method]
    values = {p.name: p.check(recommendation.kwargs.get(p.name, p.default))
              for p in chosen.params}
    return chosen, values


# --------------------------------------------------------------------------
# scale rules of the methods that are not fan-based


def _eye_scale(shape, distribution, v, fan_kw) -> ScalePlan:
    if len(shape) != 2:
        raise ValueError(f"eye requires a 2-dimensional shape, got {shape}")
    return _scales.indicator_scale("w = I", min(shape), math.prod(shape))


def _dirac_scale(shape, distribution, v, fan_kw) -> ScalePlan:
    ones = len(_structured.dirac_positions(shape, v["groups"], fan_kw["layout"]))
    return _scales.indicator_scale("w = δ (identity convolution)", ones, math.prod(shape))


def _orthogonal_scale(shape, distribution, v, fan_kw) -> ScalePlan:
    rows, cols = _structured.orthogonal_matrix_shape(shape, fan_kw["layout"])
    return _scales.orthogonal_rows_cols_scale(v["gain"], rows, cols)


def _sparse_scale(shape, distribution, v, fan_kw) -> ScalePlan:
    if len(shape) != 2:
        raise ValueError(f"sparse requires a 2-dimensional shape, got {shape}")
    return _scales.sparse_scale(shape[0], v["sparsity"], v["std"])


def _init_scale(shape, distribution, v, fan_kw) -> ScalePlan:
    chosen, values = _recommended(v["activation"])
    return chosen.scale(shape, chosen.distribution, values, fan_kw)


# --------------------------------------------------------------------------
# the table

_GAIN_UNIFORM = Param("gain", 1.0, "float", _nonnegative("gain"),
                      "Non-negative factor on the bound (see :func:`fastinit.calculate_gain`).")
_GAIN_NORMAL = _GAIN_UNIFORM._replace(
    doc="Non-negative factor on the std (see :func:`fastinit.calculate_gain`).")
_HE_PARAMS = (
    Param("a", 0.0, "float", _real("a"),
          "Negative slope of the leaky ReLU after the layer (used only with\n"
          "        ``nonlinearity=\"leaky_relu\"``); 0 (default) is plain ReLU."),
    Param("mode", "fan_in", "str", _choice("mode", ("fan_in", "fan_out")),
          "``\"fan_in\"`` (default) keeps the variance of activations in the\n"
          "        forward pass, ``\"fan_out\"`` that of gradients in the backward pass."),
    Param("nonlinearity", "leaky_relu", "str", _nonlinearity,
          "The activation after the layer, for :func:`fastinit.calculate_gain`\n"
          "        (default ``\"leaky_relu\"``, which with ``a=0`` gives gain √2, as in\n"
          "        PyTorch)."),
)

_XAVIER_NOTES = """\
Glorot & Bengio (2010), "Understanding the difficulty of training deep
    feedforward neural networks", keep the variance of activations and of
    gradients equal across layers with ``Var = 2 / (fan_in + fan_out)``.
    Some tutorials state ``Var = 1 / (fan_in + fan_out)``, half the
    published value; that one is ``variance_scaling(shape, scale=0.5,
    mode="fan_avg", distribution="{distribution}")``.  Keras and JAX's
    ``glorot_normal`` draws from a truncated normal instead:
    ``variance_scaling(shape, scale=1.0, mode="fan_avg")``."""

_HE_NOTES = """\
He, Zhang, Ren & Sun (2015), "Delving deep into rectifiers": a ReLU zeroes
    half of its input, so the weights need twice LeCun's variance,
    ``Var = gain² / fan`` with gain √2, to keep activations from shrinking
    layer after layer.  Keras and JAX's ``he_normal`` draws from a truncated
    normal instead: ``variance_scaling(shape, scale=2.0)``."""

_LECUN_NOTES = """\
LeCun, Bottou, Orr & Müller (1998), "Efficient BackProp": ``Var = 1 /
    fan_in`` keeps the variance of a linear layer's outputs equal to that
    of its inputs.  It is the initialization self-normalizing networks with
    SELU need (Klambauer et al. 2017).  Keras and JAX's ``lecun_normal``
    draws from a truncated normal instead: ``variance_scaling(shape,
    scale=1.0)``."""

_MATRIX_SHAPE = "tuple of 2 ints\n        Logical shape ``(rows, cols)``."
_ARRAY_SHAPE = "int or tuple of ints\n        Logical shape of the array."

METHODS: Tuple[Method, ...] = (
    Method("zeros", "Zeros: the initialization for biases.", (), False, False, False,
           "constant", True, _scales.constant_scale("w = 0"), _draw_constant(lambda v: 0.0),
           "biases; never weights (identical weights keep every unit identical)",
           shape_doc=_ARRAY_SHAPE,
           notes="Weights never should start at zero: units with identical weights compute\n"
                 "    the same thing, receive the same gradient and stay identical, so the\n"
                 "    layer behaves like a single unit."),
    Method("ones", "Ones, for example the scale (gamma) of a normalization layer.", (), False,
           False, False, "constant", True, _scales.constant_scale("w = 1"),
           _draw_constant(lambda v: 1.0),
           "scales of normalization layers (LayerNorm, BatchNorm gamma)",
           shape_doc=_ARRAY_SHAPE),
    Method("constant", "An array filled with ``value``.",
           (Param("value", REQUIRED, "float", _real("value"),
                  "The value, finite and representable in ``dtype``."),),
           False, False, False, "constant", True, _scales.constant_scale("w = {value:.6g}"),
           _draw_constant(lambda v: v["value"]), "biases with a known offset",
           shape_doc=_ARRAY_SHAPE),
    Method("normal", "Normal samples with mean ``mean`` and standard deviation ``std``.",
           (Param("mean", 0.0, "float", _real("mean"), "Mean."),
            Param("std", 1.0, "float", _nonnegative("std"), "Standard deviation, >= 0.")),
           True, False, False, "normal", True, _scales.normal_scale, _draw_normal,
           "nothing in particular: its scale ignores the layer size", shape_doc=_ARRAY_SHAPE,
           notes="Box-Muller on Philox4x32-10 words, as defined by the stream format.\n"
                 "    Parameters whose samples could overflow ``dtype`` (``|mean|`` plus\n"
                 "    6.8 std for float32, 8.7 for float64) are refused."),
    Method("uniform", "Uniform samples on ``[low, high)``.",
           (Param("low", 0.0, "float", _real("low"), "Lower bound (included)."),
            Param("high", 1.0, "float", _real("high"),
                  "Upper bound, ``low <= high``; values are always below it.")),
           True, False, False, "uniform", True, _scales.uniform_scale, _draw_uniform,
           "nothing in particular: its scale ignores the layer size", shape_doc=_ARRAY_SHAPE,
           notes="Each element is ``low + (high - low) · R`` with ``R`` a uniform in [0, 1)\n"
                 "    from one element's words (stream format), kept below ``high``."),
    Method("truncated_normal", "Normal samples truncated to ``[a, b]`` (absolute bounds).",
           (Param("mean", 0.0, "float", _real("mean"), "Mean of the untruncated normal."),
            Param("std", 1.0, "float", _nonnegative("std"),
                  "Standard deviation of the untruncated normal, >= 0."),
            Param("a", None, "Optional[float]", _optional_bound("a", -math.inf),
                  "Lower bound (absolute; may be ``-inf``); default ``mean - 2 * std``."),
            Param("b", None, "Optional[float]", _optional_bound("b", math.inf),
                  "Upper bound (absolute; may be ``inf``); default ``mean + 2 * std``.")),
           True, False, False, "truncated_normal", True, _scales.truncated_normal_scale,
           _draw_truncated_normal,
           "embeddings and transformer weights with a fixed small std", shape_doc=_ARRAY_SHAPE,
           notes="Each element is ``mean + std * Phi^-1(Phi(alpha) + R * (Phi(beta) -\n"
                 "    Phi(alpha)))`` with ``alpha, beta`` the standardized bounds and ``R`` a\n"
                 "    uniform from one element's words: the inverse-CDF method, with no\n"
                 "    rejection, so regions and threads stay exact.  Every value lies in\n"
                 "    ``[a, b]`` for any ``std``, however small.  ``std = 0`` gives the mean\n"
                 "    clamped to ``[a, b]``; an interval narrower than 1e-6 std is sampled\n"
                 "    uniformly (the density is flat on it to within the format's accuracy);\n"
                 "    an interval whose probability is 1e-280 or less (about 37 std or more\n"
                 "    from the mean) is refused with a ValueError."),
    Method("xavier_normal",
           "Xavier (Glorot) normal: ``N(0, std²)``, ``std = gain · sqrt(2 / (fan_in + fan_out))``.",
           (_GAIN_NORMAL,), True, True, False, "normal", True, _scales.xavier_scale,
           _draw_scaled, "tanh, sigmoid, softmax and linear layers (Glorot & Bengio 2010)",
           aliases=("glorot_normal",), notes=_XAVIER_NOTES.format(distribution="normal")),
    Method("xavier_uniform",
           "Xavier (Glorot) uniform: ``U(-b, b)``, ``b = gain · sqrt(6 / (fan_in + fan_out))``.",
           (_GAIN_UNIFORM,), True, True, False, "uniform", True, _scales.xavier_scale,
           _draw_scaled, "tanh, sigmoid, softmax and linear layers (Glorot & Bengio 2010)",
           aliases=("glorot_uniform",), notes=_XAVIER_NOTES.format(distribution="uniform"),
           examples=">>> w = xavier_uniform((3, 2), seed=0)\n"
                    "    >>> bool(abs(w).max() < (6 / 5) ** 0.5)\n    True"),
    Method("he_normal", "He (Kaiming) normal: ``N(0, std²)``, ``std = gain / sqrt(fan)``.",
           _HE_PARAMS, True, True, False, "normal", True, _scales.he_scale, _draw_scaled,
           "ReLU, leaky ReLU, GELU, SiLU and ELU (He et al. 2015)",
           aliases=("kaiming_normal",), notes=_HE_NOTES,
           examples=">>> w = he_normal((1024, 256), seed=1, stream=\"encoder.layer0.weight\")\n"
                    "    >>> w.shape, w.dtype\n    ((1024, 256), dtype('float32'))"),
    Method("he_uniform", "He (Kaiming) uniform: ``U(-b, b)``, ``b = gain · sqrt(3 / fan)``.",
           _HE_PARAMS, True, True, False, "uniform", True, _scales.he_scale, _draw_scaled,
           "ReLU, leaky ReLU, GELU, SiLU and ELU (He et al. 2015)",
           aliases=("kaiming_uniform",), notes=_HE_NOTES),
    Method("lecun_normal", "LeCun normal: ``N(0, std²)``, ``std = sqrt(1 / fan_in)``.", (),
           True, True, False, "normal", True, _scales.lecun_scale, _draw_scaled,
           "SELU, self-normalizing networks (Klambauer et al. 2017)", notes=_LECUN_NOTES),
    Method("lecun_uniform", "LeCun uniform: ``U(-b, b)``, ``b = sqrt(3 / fan_in)``.", (),
           True, True, False, "uniform", True, _scales.lecun_scale, _draw_scaled,
           "SELU and linear layers (LeCun et al. 1998)", notes=_LECUN_NOTES),
    Method("variance_scaling", "Variance scaling as in Keras and JAX: ``Var = scale / n``.",
           (Param("scale", 1.0, "float", _nonnegative("scale"),
                  "Non-negative multiplier of the variance (default 1)."),
            Param("mode", "fan_in", "str", _choice("mode", _scales.MODES),
                  "``n`` is fan_in (default), fan_out, their mean (``\"fan_avg\"``) or their\n"
                  "        geometric mean (``\"fan_geo_avg\"``)."),
            Param("distribution", "truncated_normal", "str",
                  _choice("distribution", _scales.DISTRIBUTIONS),
                  "``\"truncated_normal\"`` (default) cuts a normal at two of its standard\n"
                  "        deviations and widens it by 1 / 0.87962566103423978 so that the\n"
                  "        weights keep variance ``scale / n``; ``\"normal\"``; ``\"uniform\"``\n"
                  "        draws from ``U(-b, b)`` with ``b = sqrt(3 · scale / n)``.")),
           True, True, False, "variance_scaling", True, _scales.variance_scaling_scale,
           _draw_scaled, "any of the above, by choosing scale, mode and distribution",
           notes="Every named initializer is a case of this one (see\n"
                 "    :func:`fastinit.variance_scaling_parameters`): Keras/JAX's\n"
                 "    ``glorot_normal`` is ``scale=1, mode=\"fan_avg\"``, ``he_normal`` is\n"
                 "    ``scale=2`` and ``lecun_normal`` is ``scale=1``, all truncated normal."),
    Method("orthogonal",
           "A (semi-)orthogonal matrix: orthonormal rows or columns, times ``gain``.",
           (Param("gain", 1.0, "float", _real("gain"), "Multiplier (default 1)."),),
           True, False, True, "orthogonal", False, _orthogonal_scale, _draw_orthogonal,
           "recurrent and very deep linear or tanh networks (Saxe et al. 2014)",
           shape_doc="tuple of ints\n        Logical shape of the weight, at least 2-dimensional.",
           notes="Saxe, McClelland & Ganguli (2014) showed that orthogonal weights let deep\n"
                 "    linear networks learn as fast as shallow ones.  The matrix is ``Q`` of\n"
                 "    the QR decomposition of a standard normal ``max(rows, cols) × min(rows,\n"
                 "    cols)`` matrix (always drawn as float64, from blocks ``block, block + 1,\n"
                 "    ...`` of the stream), with each column multiplied by the sign of the\n"
                 "    matching diagonal entry of ``R`` (Mezzadri 2007) so that it is uniformly\n"
                 "    (Haar) distributed, and transposed when there are fewer rows than\n"
                 "    columns.  ``region`` is refused (ValueError): each entry depends on the\n"
                 "    whole random matrix through the QR decomposition.  With ``layout=\"keras\"``\n"
                 "    the last axis holds the columns and the others are flattened into rows;\n"
                 "    with ``layout=\"torch\"`` the first axis holds the rows.",
           examples=">>> import numpy as np\n"
                    "    >>> q = orthogonal((4, 3), seed=0, dtype=np.float64)\n"
                    "    >>> bool(np.allclose(q.T @ q, np.eye(3)))\n    True"),
    Method("eye", "The identity matrix (ones on the main diagonal of a 2-D shape).", (), False,
           False, False, "constant", True, _eye_scale, _draw_eye,
           "residual and recurrent layers that should start as the identity",
           shape_doc="tuple of 2 ints\n        Logical shape; non-square shapes keep as many "
                     "inputs as they can."),
    Method("dirac", "Dirac delta kernel: a convolution that passes its input through.",
           (Param("groups", 1, "int", _groups,
                  "Number of groups of the convolution; must divide the output channels."),),
           False, False, True, "constant", True, _dirac_scale, _draw_dirac,
           "convolutions that should start as the identity",
           shape_doc="tuple of ints\n        Logical kernel shape with at least one spatial "
                     "axis:\n        ``(*spatial, in, out)`` for ``layout=\"keras\"`` or\n"
                     "        ``(out, in, *spatial)`` for ``layout=\"torch\"``.",
           notes="Output channel ``g · (out / groups) + d`` copies input channel ``d`` at\n"
                 "    the kernel's center, for ``d < min(out / groups, in)`` in every group\n"
                 "    ``g``; everything else is zero.  With ``layout=\"torch\"`` this is\n"
                 "    ``torch.nn.init.dirac_``."),
    Method("sparse", "Sparse normal matrix: each column has ``ceil(sparsity · rows)`` zeros.",
           (Param("sparsity", REQUIRED, "float", _sparsity,
                  "Fraction in [0, 1] of each column's entries set to zero."),
            Param("std", 0.01, "float", _nonnegative("std"),
                  "Standard deviation of the non-zero entries (default 0.01).")),
           True, False, False, "sparse_normal", True, _sparse_scale, _draw_sparse,
           "deep networks trained with Hessian-free optimization (Martens 2010)",
           shape_doc=_MATRIX_SHAPE,
           notes="Martens (2010) starts Hessian-free training from weights with few\n"
                 "    non-zero entries per unit.  The non-zero values are the normal fill\n"
                 "    ``normal(shape, 0, std)`` of the same seed, stream and block.  The zeros\n"
                 "    are chosen from the same seed too: the words that follow the normals\n"
                 "    in the stream serve as selection keys, key of entry ``(i, j)`` being\n"
                 "    word ``j · rows + i`` after the last block the normals use, and the\n"
                 "    ``ceil(sparsity · rows)`` entries of each column with the smallest keys\n"
                 "    (ties broken by the row) become zero.  So a region is exact too, and a\n"
                 "    :class:`fastinit.Generator` advances past both the normals and the\n"
                 "    keys.  In PyTorch's ``(out, in)`` layout this is\n"
                 "    ``torch.nn.init.sparse_``'s pattern."),
    Method("init", "Weights initialized the way :func:`fastinit.recommend` says for "
                   "``activation``.",
           (Param("activation", "relu", "Optional[str]", _activation,
                  "The activation after the layer (default ``\"relu\"``); None for a\n"
                  "        linear layer.  Unknown names raise ValueError."),),
           True, True, False, "recommended", True, _init_scale, _draw_init,
           "any layer: the method recommend() names for its activation",
           examples=">>> bool(init((256, 128), \"tanh\", seed=0).std() < "
                    "init((256, 128), \"relu\", seed=0).std())\n    True"),
)

BY_NAME: Dict[str, Method] = {m.name: m for m in METHODS}
ALIASES: Dict[str, str] = {alias: m.name for m in METHODS for alias in m.aliases}


def lookup(name: Any) -> Method:
    """The table entry of a method name or alias."""
    if not isinstance(name, str):
        raise TypeError(f"method must be a str, not {type(name).__name__}")
    try:
        return BY_NAME[ALIASES.get(name, name)]
    except KeyError:
        raise ValueError(f"unknown initializer {name!r}; expected one of "
                         + ", ".join(sorted(list(BY_NAME) + list(ALIASES)))) from None


# --------------------------------------------------------------------------
# one call of a method


def resolve_layout(layout: Any, out: Any) -> str:
    """``layout=None``: torch's layout for a torch tensor ``out``, else Keras's."""
    if layout is None:
        return "torch" if out is not None and _layout.is_torch_tensor(out) else "keras"
    return _validate.choice(layout, "layout", _fans.LAYOUTS)


_FILL_PLANS: Dict[Any, FillPlan] = {}


def _fan_kw(fan_args: tuple, out: Any) -> Dict[str, Any]:
    if len(fan_args) == 6:
        return {"layout": resolve_layout(fan_args[0], out), "in_axis": fan_args[1],
                "out_axis": fan_args[2], "batch_axis": fan_args[3], "fan_in": fan_args[4],
                "fan_out": fan_args[5]}
    if fan_args:
        return {"layout": resolve_layout(fan_args[0], out)}
    return {}


def _whole_array_plan(method: Method, shape: Any, dtype: np.dtype, values: Dict[str, Any],
                      threads: Any, fan_args: tuple) -> FillPlan:
    """The plan of a whole-array fill by a Planned method (`out` None or a
    NumPy array, so that the layout is Keras's unless `fan_args` says)."""
    # A model has thousands of tensors of a few shapes: the plan is kept,
    # keyed by every argument it was made from (with their types: True == 1,
    # but threads=True is refused).
    key: Optional[tuple]
    try:
        key = (method.name, shape, dtype, signed_key(tuple(values.values())), threads,
               type(threads), fan_args, fan_args and tuple(map(type, fan_args)))
        plan = _FILL_PLANS.get(key)
    except TypeError:  # an unhashable axis list
        key = plan = None
    if plan is None:
        draw: Planned = method.draw  # type: ignore[assignment]
        plan = draw.make(method, shape, dtype, values, None, threads, _fan_kw(fan_args, None))
        if key is not None and plan_is_reusable(plan, threads):
            if len(_FILL_PLANS) >= 4096:
                _FILL_PLANS.clear()
            _FILL_PLANS[key] = plan
    return plan


def plan_is_reusable(plan: FillPlan, threads: Any) -> bool:
    """Whether `plan` may serve later calls: not when its thread count was
    chosen automatically for a large fill, since that follows the CPUs the
    process may use at the time of the call (os.sched_setaffinity)."""
    return threads is not None or plan.layout.size < _validate.THREADING_THRESHOLD


def engine_plan(name: str, shape: Any, dtype: Any, params: tuple) -> FillPlan:
    """The plan of a whole array of `shape` filled by ``uniform``,
    ``normal`` or ``truncated_normal`` with `params` in signature order,
    checked as the functions check them: the fills of the torch twins,
    which write it through a tensor's memory address."""
    method = BY_NAME[name]
    values = {p.name: p.check(value) for p, value in zip(method.params, params)}
    return _whole_array_plan(method, _validate.shape(shape), _validate.dtype(dtype, name), values,
                             None, ())


def call(method: Method, generator: Any, seed: Any, stream: Any, block: Any, shape: Any,
         values: Dict[str, Any], dtype: Any, out: Any, region: Any, threads: Any,
         fan_args: tuple) -> Any:
    """Validate one call's arguments (each once) and draw.

    The words come from `generator` (a :class:`fastinit.Generator`, which
    advances past them) or, when it is None, from `seed`, `stream` and
    `block`.  `values` maps the method's parameters to their checked values;
    `fan_args` is ``(layout, in_axis, out_axis, batch_axis, fan_in,
    fan_out)`` (only ``layout`` for orthogonal and dirac, nothing otherwise).
    """
    shape = _validate.shape(shape)
    dtype = _validate.dtype(dtype, method.name)
    draw = method.draw
    if type(draw) is Planned and region is None and (out is None or type(out) is np.ndarray):
        plan = _whole_array_plan(method, shape, dtype, values, threads, fan_args)
        if generator is None:
            seed, stream, block = resolve_words(seed, stream, block)
        else:
            seed, stream, block = _generator_words(plan, generator, out)
        return plan.run(seed, stream, block, out)
    source: Any
    if not method.random:
        source = None
    elif generator is None:
        source = Fixed(seed, stream, block)
    else:
        source = FromGenerator(generator)
    return draw(method, source, shape, dtype, values, out, region, threads,
                _fan_kw(fan_args, out))


def plan_of(method: Method, shape: Any, kwargs: Dict[str, Any]) -> ScalePlan:
    """describe(): the scale rule of `method` for `shape` and keyword arguments."""
    shape = _validate.shape(shape)
    kwargs = dict(kwargs)
    values = {}
    for p in method.params:
        if p.name in kwargs:
            values[p.name] = p.check(kwargs.pop(p.name))
        elif p.default is REQUIRED:
            raise TypeError(f"{method.name}() missing required argument: '{p.name}'")
        else:
            values[p.name] = p.check(p.default)
    fan_names = ("layout", "in_axis", "out_axis", "batch_axis", "fan_in", "fan_out")
    allowed = fan_names if method.fans else ("layout",) if method.layout else ()
    fan_kw = {k: kwargs.pop(k) for k in allowed if k in kwargs}
    if kwargs:
        raise TypeError(f"{method.name}() got unexpected keyword arguments: "
                        + ", ".join(sorted(kwargs)))
    if method.fans or method.layout:
        fan_kw["layout"] = resolve_layout(fan_kw.get("layout"), None)
    plan = method.scale(shape, method.distribution, values, fan_kw)
    if plan.fan_in is None and plan.fan_out is None:
        display_kw = {k: v for k, v in fan_kw.items() if k in fan_names}
        try:
            fan_in, fan_out = _fans.resolve_fans(shape, need_in=False, need_out=False,
                                                 **display_kw)
        except ValueError:
            fan_in, fan_out = None, None
        plan = plan._replace(fan_in=fan_in, fan_out=fan_out)
    return plan
