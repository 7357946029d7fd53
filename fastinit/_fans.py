"""Fans and gains: how big a layer is, and what its nonlinearity does.

Pure arithmetic on shapes and names.  Two weight layouts are understood:

``layout="keras"`` (the default for NumPy arrays)
    Keras and JAX order the axes ``(*receptive_field, in, out)``: a dense
    layer is an ``(n_in, n_out)`` matrix and a 2-D convolution kernel is
    ``(kh, kw, c_in, c_out)``.  ``in_axis``, ``out_axis`` and ``batch_axis``
    move the input, output and ignored axes exactly as in
    ``jax.nn.initializers``; every other axis belongs to the receptive field.
``layout="torch"`` (the default when ``out`` is a torch tensor)
    PyTorch orders the axes ``(out, in, *receptive_field)``: ``nn.Linear``
    stores an ``(n_out, n_in)`` matrix and ``nn.Conv2d`` a
    ``(c_out, c_in, kh, kw)`` kernel.
"""
from __future__ import annotations

import math
import numbers
from typing import NamedTuple

from . import _validate

__all__ = ["Fans", "fans", "calculate_gain", "NONLINEARITIES"]

LAYOUTS = ("keras", "torch")


class Fans(NamedTuple):
    """Fan-in and fan-out of a weight shape: a tuple ``(fan_in, fan_out)``.

    Parameters
    ----------
    fan_in : float
        Inputs feeding each output unit: ``in_size · receptive_field``.
    fan_out : float
        Outputs each input unit feeds: ``out_size · receptive_field``.

    See Also
    --------
    fans : computes them from a shape and layout.
    """

    fan_in: float
    fan_out: float


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
    in_axes = _validate.axes(in_axis, ndim, "in_axis")
    out_axes = _validate.axes(out_axis, ndim, "out_axis")
    batch_axes = _validate.axes(batch_axis, ndim, "batch_axis")
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


def resolve_fans(shape, *, need_in, need_out, layout="keras", in_axis=-2, out_axis=-1,
                  batch_axis=(), fan_in=None, fan_out=None):
    """Fans of a normalized shape, None for those neither needed nor defined."""
    layout = _validate.choice(layout, "layout", LAYOUTS)
    fan_in = _validate.positive_fan(fan_in, "fan_in")
    fan_out = _validate.positive_fan(fan_out, "fan_out")
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
    shape = _validate.shape(shape)
    fan_in, fan_out = resolve_fans(
        shape, need_in=True, need_out=True, layout=layout, in_axis=in_axis,
        out_axis=out_axis, batch_axis=batch_axis, fan_in=fan_in, fan_out=fan_out)
    return Fans(fan_in, fan_out)


# ---------------------------------------------------------------------------
# gains

_LINEAR_NONLINEARITIES = (
    "linear", "conv1d", "conv2d", "conv3d",
    "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
)
#: The names :func:`calculate_gain` knows, as in ``torch.nn.init``.
NONLINEARITIES = _LINEAR_NONLINEARITIES + ("sigmoid", "tanh", "relu", "leaky_relu", "selu")


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
        ``"Unsupported nonlinearity <name>"`` (followed by the known names)
        for an unknown name and
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
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}; expected one of "
                     + ", ".join(NONLINEARITIES))


