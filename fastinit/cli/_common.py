"""Constants and text formatting shared by the commands of ``fastinit``."""
from __future__ import annotations

import fractions
import math
import textwrap
from typing import Dict, Optional, Tuple

import numpy as np

from .. import _table


PROG = "fastinit"

DEFAULT_SEED = 0
DEFAULT_DTYPE = "float32"
DEMO_N_IN = 3
DEMO_N_OUT = 2
DEMO_SIZE = 8192
DEMO_REPEAT = 3
BENCH_SIZE = 4096
BENCH_REPEAT = 3
BENCH_PEERS = ("numpy", "torch", "jax")

#: The fixed std of the "random normal" row: the default ``stddev`` of Keras'
#: ``RandomNormal`` initializer.  It does not depend on the layer size, which
#: is the point of comparing it with the fan-based methods.
RANDOM_NORMAL_STD = 0.05

#: The largest corner of the weight matrix printed in a table cell.
SAMPLE_ROWS = 4
SAMPLE_COLS = 4

#: Methods of the explain table: (method, keyword arguments, label, the
#: uniform variant whose bound is shown next to it).
TABLE_METHODS: Tuple[Tuple[str, Dict[str, float], str, Optional[str]], ...] = (
    ("zeros", {}, "zeros", None),
    ("normal", {"std": RANDOM_NORMAL_STD}, "random normal", None),
    ("xavier_normal", {}, "Xavier (Glorot)", "xavier_uniform"),
    ("he_normal", {}, "He (Kaiming)", "he_uniform"),
    ("lecun_normal", {}, "LeCun", "lecun_uniform"),
)

#: Methods timed by ``fastinit bench``, in the order printed: every method of
#: the spec table whose values are one engine fill.
BENCH_METHODS = tuple(m.name for m in _table.METHODS
                      if m.random and m.distribution in ("uniform", "normal", "truncated_normal"))

_DESCRIPTION = """\
fastinit initializes neural-network weights into NumPy arrays, fast and
reproducibly: the same seed gives the same bits on every machine, thread
count and SIMD level.

Without a command, fastinit works through the example of a dense layer with
3 inputs and 2 outputs (zeros, a random normal with std 0.05, Xavier, He and
LeCun: formula, variance, std, uniform bound, the activations each suits and
a sampled 3x2 weight matrix), then fills a large He-normal float32 matrix and
times it next to numpy.random doing the same."""

_EPILOG = """\
examples:
  fastinit
      the 3 -> 2 example, then an 8192 x 8192 He-normal fill timed against numpy
  fastinit --size 2048
      the same with a 2048 x 2048 fill
  fastinit explain 784 256 --activation relu
      the table for a 784 -> 256 layer, the method recommended for ReLU marked
  fastinit explain 512 512 --dtype float64 --seed 42
      float64 samples drawn with seed 42
  fastinit bench --size 4096 --threads 1
      every method on one thread against numpy, torch and jax

Weights are laid out (inputs, outputs), as in Keras and JAX.
Errors in the arguments exit with status 2."""



def _fmt(value):
    """A number with 4 significant digits, '-' for None."""
    if value is None:
        return "-"
    return f"{value:.4g}"


def _fmt_variance(variance):
    """The variance, as a simple fraction too when it is one (2/5 = 0.4)."""
    if variance is None:
        return "-"
    if variance == 0:
        return "0"
    fraction = fractions.Fraction(variance).limit_denominator(10**6)
    if (1 < fraction.denominator and fraction.numerator <= 12
            and math.isclose(float(fraction), variance, rel_tol=1e-12)):
        return f"{fraction.numerator}/{fraction.denominator} = {variance:.4g}"
    return _fmt(variance)


def _fmt_matrix(values, full_shape):
    """Lines of a small matrix; '...' marks rows and columns left out."""
    values = np.asarray(values, dtype=np.float64)
    rows, cols = values.shape
    cells = [[f"{v: .4f}" for v in row] for row in values]
    more_cols = cols < full_shape[1]
    more_rows = rows < full_shape[0]
    lines = ["[" + " ".join(row) + (" ..." if more_cols else "") + "]" for row in cells]
    if more_rows:
        lines.append(" ...")
    return lines


def _wrap(text, width):
    """Lines of text wrapped to width; '-' for no text."""
    return textwrap.wrap(text or "-", width, break_on_hyphens=False)


def _render_table(headers, rows, gap="  ", right_aligned=()):
    """Render a table whose cells are lists of lines.

    Each row is as tall as its tallest cell; a blank line separates rows
    whose height exceeds one. Columns whose index is in right_aligned are
    aligned to the right.
    """
    widths = [len(h) for h in headers]
    for row in rows:
        for column, cell in enumerate(row):
            widths[column] = max(widths[column], max(len(line) for line in cell))
    def align(text, column):
        width = widths[column]
        return text.rjust(width) if column in right_aligned else text.ljust(width)

    out = [gap.join(align(h, c) for c, h in enumerate(headers)).rstrip()]
    out.append(gap.join("-" * w for w in widths))
    tall = any(len(cell) > 1 for row in rows for cell in row)
    for index, row in enumerate(rows):
        if tall and index:
            out.append("")
        height = max(len(cell) for cell in row)
        for line in range(height):
            parts = [align(cell[line] if line < len(cell) else "", column)
                     for column, cell in enumerate(row)]
            out.append(gap.join(parts).rstrip())
    return "\n".join(out)


def _call_signature(method, kwargs):
    """'he_normal(nonlinearity='relu')' for printing."""
    args = ", ".join(f"{key}={value!r}" for key, value in kwargs.items())
    return f"{method}({args})"


