"""``fastinit explain`` (and the table of the default run)."""
from __future__ import annotations

import math

import numpy as np

import fastinit
from fastinit import experiments

from .. import _validate
from ._common import (DEFAULT_DTYPE, DEFAULT_SEED, RANDOM_NORMAL_STD, SAMPLE_COLS, SAMPLE_ROWS, TABLE_METHODS,
                      _call_signature, _fmt, _fmt_matrix, _fmt_variance, _render_table, _wrap)

__all__ = ["explain_text"]

# ---------------------------------------------------------------- explain

def _sample(method, kwargs, shape, seed, dtype):
    """The top-left corner of the weight matrix the method makes."""
    # region: only the printed corner is made, bit-identical to that corner
    # of the full matrix, so a huge layer costs nothing to explain.
    region = np.s_[:min(shape[0], SAMPLE_ROWS), :min(shape[1], SAMPLE_COLS)]
    fill = getattr(fastinit, method)
    if method in ("zeros", "ones"):
        return fill(shape, dtype=dtype, region=region, **kwargs)
    return fill(shape, seed=seed, dtype=dtype, region=region, **kwargs)


def _table_row(label, method, kwargs, uniform_variant, shape, seed, dtype, marked):
    info = fastinit.describe(method, shape, **kwargs)
    bound = info["bound"]
    if bound is None and uniform_variant is not None:
        bound = fastinit.describe(uniform_variant, shape)["bound"]
    name = ("* " if marked else "  ") + label
    method_cell = [name, "  " + _call_signature(method, kwargs)]
    return [
        method_cell,
        _wrap(info["formula"], 28),
        [_fmt_variance(info["variance"])],
        [_fmt(info["std"])],
        [_fmt(bound)],
        _wrap(info["recommended_for"], 22),
        _fmt_matrix(_sample(method, kwargs, shape, seed, dtype), shape),
    ]


def _same_initializer(method_a, kwargs_a, method_b, kwargs_b, shape):
    """Whether two (method, kwargs) give the same distribution for shape."""
    if method_a != method_b:
        return False
    a = fastinit.describe(method_a, shape, **kwargs_a)
    b = fastinit.describe(method_b, shape, **kwargs_b)
    return (a["distribution"] == b["distribution"]
            and math.isclose(a["variance"], b["variance"], rel_tol=1e-12))


def explain_text(n_in, n_out, *, activation=None, seed=DEFAULT_SEED, dtype=DEFAULT_DTYPE):
    """The explanation of the initializers of a dense layer, as text.

    Parameters
    ----------
    n_in, n_out : int
        Inputs and outputs of the layer; the weight matrix is (n_in, n_out).
    activation : str, optional
        Activation after the layer: the recommended method is marked with
        ``*`` (added as a row if it is not one of the table's) and its reason
        is printed.
    seed : int, optional
        Seed of the sampled weights.
    dtype : str or dtype, optional
        dtype of the sampled weights.

    Returns
    -------
    str
        The table with its header and notes.

    Raises
    ------
    ValueError, TypeError
        From fastinit, for an unknown activation or dtype.
    """
    shape = (n_in, n_out)
    dtype_name = np.dtype(_validate.dtype(dtype)).name
    recommendation = fastinit.recommend(activation) if activation is not None else None
    rec_method = rec_kwargs = None
    if recommendation is not None:
        rec_method, rec_kwargs = recommendation[0], dict(recommendation[1])

    rows = []
    marked_any = False
    for method, kwargs, label, uniform_variant in TABLE_METHODS:
        marked = (recommendation is not None and not marked_any
                  and _same_initializer(method, kwargs, rec_method, rec_kwargs, shape))
        marked_any = marked_any or marked
        rows.append(_table_row(label, method, kwargs, uniform_variant, shape, seed,
                               dtype, marked))
    if recommendation is not None and not marked_any:
        rows.append(_table_row(f"for {activation}", rec_method, rec_kwargs, None, shape,
                               seed, dtype, True))

    corner = ""
    if n_in > SAMPLE_ROWS or n_out > SAMPLE_COLS:
        corner = f", top-left {min(n_in, SAMPLE_ROWS)}x{min(n_out, SAMPLE_COLS)}"
    dtype_option = "" if dtype_name == DEFAULT_DTYPE else f" --dtype {dtype_name}"
    headers = ["method", "formula", "variance", "std", "U bound", "suits",
               f"W sample (seed {seed}{corner})"]

    lines = [
        f"A dense layer with {n_in} input{'s' * (n_in != 1)} and {n_out} "
        f"output{'s' * (n_out != 1)}: W has shape ({n_in}, {n_out}) "
        f"(inputs, outputs), fan_in = {n_in}, fan_out = {n_out}.",
        f"Samples are {dtype_name}, seed {seed}: `fastinit explain {n_in} {n_out} "
        f"--seed {seed}{dtype_option}` reproduces them on any machine.",
        "",
        _render_table(headers, rows),
        "",
        "zeros: for biases. Weights must not all be equal: every unit would compute",
        "  the same output and receive the same gradient, and stay identical.",
        f"random normal: a fixed std of {RANDOM_NORMAL_STD} (Keras' RandomNormal default) "
        "whatever the layer",
        "  size; too large for wide layers, too small for narrow ones.",
        "U bound: the *_uniform variant draws from U(-bound, bound), bound = sqrt(3) * std,",
        "  which has the same variance.",
    ]
    random_rows = [fastinit.describe(method, shape, **kwargs)["distribution"]
                   for method, kwargs, _, _ in TABLE_METHODS if method != "zeros"]
    if set(random_rows) == {"normal"}:
        lines.append(f"The normal rows share seed {seed}: the same standard-normal draws, "
                     "each scaled by its std.")
    if recommendation is not None:
        lines.append("")
        lines.append(f"For activation {activation!r}: "
                     f"{_call_signature(rec_method, rec_kwargs)} (marked *).")
        lines.append(f"  {recommendation[2]}")
        hint = experiments.explain_hint(activation, n_out)
        if hint is not None:
            lines.append(hint)
    return "\n".join(lines)


