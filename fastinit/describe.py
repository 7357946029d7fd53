"""What an initializer does, without drawing: :func:`describe` and :func:`recommend`."""
from __future__ import annotations

from typing import Any, Dict, NamedTuple, Optional

from . import _table

__all__ = ["describe", "Recommendation", "recommend", "ACTIVATIONS"]


class Recommendation(NamedTuple):
    """The initializer :func:`recommend` picks for an activation.

    Parameters
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


def describe(method: str, shape: Any, **kwargs: Any) -> Dict[str, Any]:
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
    entry = _table.lookup(method)
    plan = _table.plan_of(entry, shape, kwargs)
    return {
        "method": entry.name,
        "formula": plan.formula,
        "fan_in": plan.fan_in,
        "fan_out": plan.fan_out,
        "variance": plan.variance,
        "std": plan.std,
        "bound": plan.bound,
        "distribution": plan.distribution,
        "recommended_for": entry.recommended_for,
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
_LEAKY = ("leakyrelu", "lrelu")

#: Every activation name :func:`recommend` knows (after lower-casing and
#: dropping ``-``, ``_`` and spaces).
ACTIVATIONS = tuple(sorted(set(_RELU_LIKE) | set(_SYMMETRIC) | set(_LINEAR) | set(_LEAKY)
                           | {"selu"}))


def recommend(activation: Optional[str]) -> Recommendation:
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

    Raises
    ------
    ValueError
        For an activation not in :data:`ACTIVATIONS`; the message lists them.

    Notes
    -----
    * ReLU family (ReLU, leaky ReLU, PReLU, GELU, SiLU/Swish, Mish, ELU,
      Softplus): ``he_normal`` (leaky ReLU with its default slope 0.01).
    * tanh, sigmoid, softsign, softmax, linear: ``xavier_uniform``, the
      setting of Glorot & Bengio (2010); LeCun is the other sound choice.
    * SELU: ``lecun_normal``, which self-normalizing networks require.

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
        raise TypeError(f"activation must be a str or None, not {type(activation).__name__}")
    key = "".join(ch for ch in activation.lower() if ch not in "-_ ")
    if key in _LEAKY:
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
    raise ValueError(f"unknown activation {activation!r}; expected one of "
                     + ", ".join(ACTIVATIONS))
