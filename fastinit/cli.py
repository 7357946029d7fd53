"""The ``fastinit`` command line (also ``python -m fastinit``).

Three commands:

* no command: the worked example of a dense layer with 3 inputs and
  2 outputs (what zeros, a fixed-std normal, Xavier, He and LeCun give it),
  then a large He-normal fill timed next to ``numpy.random`` doing the same;
* ``explain N_IN N_OUT``: the same table for any layer, optionally with the
  method recommended for an activation;
* ``bench``: every method timed against numpy, and torch and jax when they
  are importable.
"""

import argparse
import fractions
import math
import os
import shutil
import sys
import textwrap
import time
from typing import Dict, Optional, Tuple

import numpy as np

import fastinit

__all__ = ["main", "build_parser", "ProgressBar"]

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

#: Methods timed by ``fastinit bench``, in the order printed.
BENCH_METHODS = (
    "normal",
    "uniform",
    "truncated_normal",
    "xavier_normal",
    "xavier_uniform",
    "he_normal",
    "he_uniform",
    "lecun_normal",
    "lecun_uniform",
)

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


# ---------------------------------------------------------------- argument types

def _positive_int(text):
    """argparse type: an integer >= 1."""
    try:
        value = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value}")
    return value


def _seed(text):
    """argparse type: a seed, an integer in [0, 2**64)."""
    try:
        value = int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if not 0 <= value < 2**64:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**64), got {value}")
    return value


def _peer_list(text):
    """argparse type: a comma-separated subset of BENCH_PEERS."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCH_PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown peer {unknown[0]!r} (choose from {', '.join(BENCH_PEERS)})")
    return tuple(dict.fromkeys(names))


def build_parser():
    """Build the argument parser of the ``fastinit`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each command stores its handler in ``handler``.

    Notes
    -----
    Options default to ``argparse.SUPPRESS`` so that an option given before
    the command (``fastinit --seed 3 explain 3 2``) is not overwritten by the
    command's own default; each handler supplies its default.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {fastinit.__version__}")
    parser.add_argument("--size", type=_positive_int, metavar="N",
                        help=f"side of the timed square He-normal matrix (default {DEMO_SIZE})")
    parser.add_argument("--repeat", type=_positive_int, metavar="R",
                        help=f"timed runs after one warm-up; the best is shown (default {DEMO_REPEAT})")
    parser.add_argument("--threads", type=_positive_int, metavar="T",
                        help="threads fastinit fills with (default: automatic)")
    parser.add_argument("--seed", type=_seed, metavar="S",
                        help=f"seed of the sampled weights, in [0, 2**64) (default {DEFAULT_SEED})")
    parser.set_defaults(handler=_run_demo)

    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    explain = commands.add_parser(
        "explain",
        help="explain the initializers for a layer with N_IN inputs and N_OUT outputs",
        description=textwrap.fill(
            "Explain zeros, a random normal (std 0.05), Xavier, He and LeCun for a "
            "dense layer with N_IN inputs and N_OUT outputs: formula, variance, "
            "std, uniform bound, suitable activations and a sampled weight matrix "
            "(its top-left corner for large layers).", 79),
        epilog=("example:\n  fastinit explain 784 256 --activation gelu --seed 7"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    explain.add_argument("n_in", type=_positive_int, metavar="N_IN",
                         help="number of inputs of the layer (fan_in)")
    explain.add_argument("n_out", type=_positive_int, metavar="N_OUT",
                         help="number of outputs of the layer (fan_out)")
    explain.add_argument("--activation", "-a", metavar="A",
                         help="activation after the layer (relu, gelu, tanh, selu, ...): "
                              "marks the recommended method and says why")
    explain.add_argument("--seed", type=_seed, metavar="S",
                         help=f"seed of the sampled weights (default {DEFAULT_SEED})")
    explain.add_argument("--dtype", metavar="D",
                         help=f"dtype of the sampled weights: float32, float64, float16, "
                              f"bfloat16 (default {DEFAULT_DTYPE})")
    explain.set_defaults(handler=_run_explain)

    bench = commands.add_parser(
        "bench",
        help="time every method against numpy (and torch, jax when importable)",
        description=textwrap.fill(
            "Time fastinit's methods on a preallocated SIZE x SIZE matrix against "
            "numpy.random (PCG64) and, when importable, torch and jax; print "
            "nanoseconds per element and fastinit's speed-up. Each figure is the "
            "best of R runs after a warm-up. numpy and torch fill the same "
            "buffer in place; jax has no in-place fill, so its figures include "
            "allocating the result.", 79),
        epilog="example:\n  fastinit bench --size 8192 --repeat 5 --threads 1 --peers numpy,torch",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    bench.add_argument("--size", type=_positive_int, metavar="N",
                       help=f"side of the square matrix filled (default {BENCH_SIZE})")
    bench.add_argument("--repeat", type=_positive_int, metavar="R",
                       help=f"timed runs after one warm-up; the best is kept (default {BENCH_REPEAT})")
    bench.add_argument("--threads", type=_positive_int, metavar="T",
                       help="threads fastinit fills with (default: automatic)")
    bench.add_argument("--dtype", choices=("float32", "float64"), metavar="D",
                       help=f"float32 or float64 (default {DEFAULT_DTYPE})")
    bench.add_argument("--peers", type=_peer_list, metavar="LIST",
                       help="comma-separated libraries to compare with, among "
                            f"{','.join(BENCH_PEERS)} (default: all importable)")
    bench.set_defaults(handler=_run_bench)
    from .checkpoint import add_cli_parser as add_checkpoint_parser
    add_checkpoint_parser(commands)
    return parser


# ---------------------------------------------------------------- formatting

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
    dtype_name = np.dtype(fastinit._engine.normalize_dtype(dtype)).name
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
    return "\n".join(lines)


# ---------------------------------------------------------------- timing

def best_time(fill, repeat):
    """Best wall-clock time of fill() over repeat runs, after one warm-up."""
    fill()
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fill()
        best = min(best, time.perf_counter() - start)
    return best


def _available_bytes():
    """MemAvailable of /proc/meminfo in bytes, or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _allocate(shape, dtype):
    """A first-touched buffer, or ValueError when it cannot fit in memory."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    available = _available_bytes()
    if available is not None and nbytes > 0.8 * available:
        raise ValueError(
            f"a {' x '.join(map(str, shape))} {dtype.name} matrix needs "
            f"{nbytes / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB of memory "
            f"is available; choose a smaller --size")
    try:
        buffer = np.empty(shape, dtype=dtype)
    except MemoryError:
        raise ValueError(
            f"cannot allocate a {' x '.join(map(str, shape))} {dtype.name} matrix "
            f"({nbytes / 2**30:.1f} GiB); choose a smaller --size") from None
    # Touch every page once so that page faults are not timed.
    buffer.fill(0)
    return buffer


def _threads_text(threads):
    if threads is not None:
        return f"{threads} thread{'s' * (threads != 1)}"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return f"automatic threads, {cores} core{'s' * (cores != 1)} available"


def timed_he_normal_text(size, *, repeat=DEMO_REPEAT, threads=None, seed=DEFAULT_SEED):
    """Fill a size x size He-normal float32 matrix; time it next to numpy.

    Parameters
    ----------
    size : int
        Side of the square matrix.
    repeat : int, optional
        Timed runs after one warm-up; the best is reported.
    threads : int, optional
        Threads fastinit fills with; None for automatic.
    seed : int, optional
        Seed of both generators.

    Returns
    -------
    str
        The report.
    """
    shape = (size, size)
    std = fastinit.describe("he_normal", shape)["std"]
    weights = _allocate(shape, np.float32)
    n = weights.size

    def fill_fastinit():
        fastinit.he_normal(shape, seed=seed, out=weights, threads=threads)

    numpy_rng = np.random.Generator(np.random.PCG64(seed))
    numpy_std = np.float32(std)

    def fill_numpy():
        numpy_rng.standard_normal(out=weights, dtype=np.float32)
        np.multiply(weights, numpy_std, out=weights)

    t_fastinit = best_time(fill_fastinit, repeat)
    t_numpy = best_time(fill_numpy, repeat)
    fill_fastinit()
    corner = weights[:min(size, 512)].astype(np.float64)
    sample_std = float(corner.std())

    label_fastinit = "fastinit.he_normal(shape, out=W)"
    label_numpy = "numpy standard_normal(out=W), W *= std"
    width = max(len(label_fastinit), len(label_numpy))
    lines = [
        f"He-normal fill of a {size} x {size} float32 matrix ({n:,} elements, "
        f"std = sqrt(2/{size}) = {std:.4g}), best of {repeat} after a warm-up:",
        f"  {label_fastinit.ljust(width)}  {t_fastinit * 1e3:10.2f} ms  "
        f"{t_fastinit / n * 1e9:7.3f} ns/element  (isa {fastinit.isa()}; "
        f"{_threads_text(threads)})",
        f"  {label_numpy.ljust(width)}  {t_numpy * 1e3:10.2f} ms  "
        f"{t_numpy / n * 1e9:7.3f} ns/element  (numpy {np.__version__}, PCG64)",
        f"  fastinit is {t_numpy / t_fastinit:.1f}x as fast as numpy.random; "
        f"std of the first {corner.shape[0]} rows: {sample_std:.4g}.",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- progress bar

class ProgressBar:
    """A one-line progress bar on a terminal, one line per step elsewhere.

    Parameters
    ----------
    total : int
        Number of steps.
    stream : file, optional
        Where to write; sys.stderr by default.
    width : int, optional
        Characters of the bar itself.
    """

    def __init__(self, total, stream=None, width=24):
        self.total = total
        self.done = 0
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())
        self._last_length = 0

    def start(self, label):
        """Show that the step called label has started."""
        counter = f"{self.done + 1:>{len(str(self.total))}}/{self.total}"
        if self.interactive:
            filled = self.width * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (self.width - filled)
            text = f"[{bar}] {counter} {label}"
            columns = shutil.get_terminal_size((80, 24)).columns
            text = text[:max(columns - 1, 10)]
            padding = " " * max(self._last_length - len(text), 0)
            self.stream.write("\r" + text + padding)
            self._last_length = len(text)
        else:
            self.stream.write(f"[{counter}] {label}\n")
        self.stream.flush()

    def finish_step(self):
        """Count the current step as done."""
        self.done += 1

    def close(self):
        """Erase the bar from the terminal."""
        if self.interactive and self._last_length:
            self.stream.write("\r" + " " * self._last_length + "\r")
            self.stream.flush()
            self._last_length = 0


# ---------------------------------------------------------------- bench

def _import_peer(name):
    """The module of an optional peer, or None when it does not import."""
    try:
        if name == "torch":
            import torch
            return torch
        if name == "jax":
            # Compare on the CPU unless the user chose otherwise.
            os.environ.setdefault("JAX_PLATFORMS", "cpu")
            import jax
            return jax
    except Exception:  # noqa: BLE001 -- a broken optional install counts as absent
        return None
    return np if name == "numpy" else None


#: (fastinit method, torch.nn.init function or None, jax variance_scaling
#: (scale, mode, distribution) or None) for the initializers timed.
_INITIALIZER_PEERS = {
    "xavier_normal": ("xavier_normal_", (1.0, "fan_avg", "normal")),
    "xavier_uniform": ("xavier_uniform_", (1.0, "fan_avg", "uniform")),
    "he_normal": ("kaiming_normal_", (2.0, "fan_in", "normal")),
    "he_uniform": ("kaiming_uniform_", (2.0, "fan_in", "uniform")),
    "lecun_normal": (None, (1.0, "fan_in", "normal")),
    "lecun_uniform": (None, (1.0, "fan_in", "uniform")),
}


def _bench_fills(method, buffer, dtype, threads, peers):
    """Fill functions {library: callable} of one method on buffer."""
    shape = buffer.shape
    fills = {}
    fill_fastinit = getattr(fastinit, method)
    fills["fastinit"] = lambda: fill_fastinit(shape, dtype=dtype, seed=1, out=buffer,
                                              threads=threads)
    std = bound = None
    if method not in ("normal", "uniform", "truncated_normal"):
        info = fastinit.describe(method, shape)
        std, bound = info["std"], info.get("bound")

    numpy_mod = peers.get("numpy")
    if numpy_mod is not None and method != "truncated_normal":
        rng = np.random.Generator(np.random.PCG64(1))
        if method == "normal":
            fills["numpy"] = lambda: rng.standard_normal(out=buffer, dtype=dtype)
        elif method == "uniform":
            fills["numpy"] = lambda: rng.random(out=buffer, dtype=dtype)
        elif method.endswith("_normal"):
            scale = dtype.type(std)

            def fill_numpy_normal():
                rng.standard_normal(out=buffer, dtype=dtype)
                np.multiply(buffer, scale, out=buffer)
            fills["numpy"] = fill_numpy_normal
        else:
            width, low = dtype.type(2 * bound), dtype.type(-bound)

            def fill_numpy_uniform():
                rng.random(out=buffer, dtype=dtype)
                np.multiply(buffer, width, out=buffer)
                np.add(buffer, low, out=buffer)
            fills["numpy"] = fill_numpy_uniform

    torch = peers.get("torch")
    if torch is not None:
        # Square matrices: torch's (out, in) layout has the same fans.
        tensor = torch.from_numpy(buffer)
        init = torch.nn.init
        if method == "normal":
            fills["torch"] = tensor.normal_
        elif method == "uniform":
            fills["torch"] = tensor.uniform_
        elif method == "truncated_normal":
            fills["torch"] = lambda: init.trunc_normal_(tensor, 0.0, 1.0, -2.0, 2.0)
        else:
            torch_name = _INITIALIZER_PEERS[method][0]
            if torch_name is not None and torch_name.startswith("kaiming"):
                fills["torch"] = lambda: getattr(init, torch_name)(tensor, nonlinearity="relu")
            elif torch_name is not None:
                fills["torch"] = lambda: getattr(init, torch_name)(tensor)
            elif method.endswith("_normal"):
                fills["torch"] = lambda: tensor.normal_(0.0, std)
            else:
                fills["torch"] = lambda: tensor.uniform_(-bound, bound)

    jax = peers.get("jax")
    if jax is not None and (dtype == np.float32 or jax.config.jax_enable_x64):
        key = jax.random.key(1)
        if method == "normal":
            make = lambda k: jax.random.normal(k, shape, dtype)  # noqa: E731
        elif method == "uniform":
            make = lambda k: jax.random.uniform(k, shape, dtype)  # noqa: E731
        elif method == "truncated_normal":
            make = lambda k: jax.random.truncated_normal(k, -2.0, 2.0, shape, dtype)  # noqa: E731
        else:
            initializer = jax.nn.initializers.variance_scaling(*_INITIALIZER_PEERS[method][1])
            make = lambda k: initializer(k, shape, dtype)  # noqa: E731
        compiled = jax.jit(make)
        fills["jax"] = lambda: compiled(key).block_until_ready()
    return fills


def bench_text(size, *, repeat=BENCH_REPEAT, threads=None, dtype=DEFAULT_DTYPE,
               peers=None, progress=None):
    """Time every method against the peers; the report as text.

    Parameters
    ----------
    size : int
        Side of the square matrix filled.
    repeat : int, optional
        Timed runs after one warm-up; the best is kept.
    threads : int, optional
        Threads fastinit fills with; None for automatic.
    dtype : str, optional
        'float32' or 'float64'.
    peers : sequence of str, optional
        Libraries to compare with; default all of BENCH_PEERS that import.
    progress : ProgressBar factory, optional
        Called with the number of steps; default ProgressBar on stderr.

    Returns
    -------
    str
        The table.
    """
    dtype = np.dtype(dtype)
    requested = BENCH_PEERS if peers is None else tuple(peers)
    modules = {name: _import_peer(name) for name in requested}
    missing = [name for name, module in modules.items() if module is None]
    modules = {name: module for name, module in modules.items() if module is not None}
    shape = (size, size)
    buffer = _allocate(shape, dtype)
    n = buffer.size

    plan = [(method, _bench_fills(method, buffer, dtype, threads, modules))
            for method in BENCH_METHODS]
    libraries = ["fastinit"] + [name for name in BENCH_PEERS if name in modules]
    steps = sum(len(fills) for _, fills in plan)
    bar = (progress or ProgressBar)(steps)
    results = {}
    try:
        for method, fills in plan:
            for library, fill in fills.items():
                bar.start(f"{method}: {library}")
                results[method, library] = best_time(fill, repeat) / n * 1e9
                bar.finish_step()
    finally:
        bar.close()

    peers_shown = libraries[1:]
    headers = ["method"] + [f"{lib} ns" for lib in libraries] + \
              [f"vs {lib}" for lib in peers_shown]
    rows = []
    for method, _ in plan:
        own = results[method, "fastinit"]
        row = [[method]]
        for library in libraries:
            value = results.get((method, library))
            row.append(["-" if value is None else f"{value:.3f}"])
        for library in peers_shown:
            value = results.get((method, library))
            row.append(["-" if value is None else f"{value / own:.1f}x"])
        rows.append(row)

    versions = [f"fastinit {fastinit.__version__} (isa {fastinit.isa()}; {_threads_text(threads)})"]
    for library in peers_shown:
        versions.append(f"{library} {modules[library].__version__}")
    lines = [
        f"{size} x {size} {dtype.name} ({n:,} elements), ns per element, best of "
        f"{repeat} after a warm-up; 'vs X' is X's time over fastinit's.",
        ", ".join(versions),
        "",
        _render_table(headers, rows, right_aligned=range(1, len(headers))),
        "",
        "numpy: PCG64, scaled in place for the initializers; it has no truncated normal.",
    ]
    if "torch" in modules:
        lines.append("torch: lecun_* as normal_/uniform_ with the same std/bound.")
    if "jax" in modules:
        lines.append("jax: jitted; no in-place fill, so allocating the result is included.")
        if dtype != np.float32 and not modules["jax"].config.jax_enable_x64:
            lines.append("jax: float64 needs JAX_ENABLE_X64=1; not timed.")
    if missing:
        lines.append(f"not importable, skipped: {', '.join(missing)}")
    return "\n".join(lines)


# ---------------------------------------------------------------- handlers

def _run_demo(args):
    seed = getattr(args, "seed", DEFAULT_SEED)
    print(explain_text(DEMO_N_IN, DEMO_N_OUT, seed=seed))
    print()
    sys.stdout.flush()
    print(timed_he_normal_text(getattr(args, "size", DEMO_SIZE),
                               repeat=getattr(args, "repeat", DEMO_REPEAT),
                               threads=getattr(args, "threads", None),
                               seed=seed))
    return 0


def _run_explain(args):
    print(explain_text(args.n_in, args.n_out,
                       activation=getattr(args, "activation", None),
                       seed=getattr(args, "seed", DEFAULT_SEED),
                       dtype=getattr(args, "dtype", DEFAULT_DTYPE)))
    return 0


def _run_bench(args):
    print(bench_text(getattr(args, "size", BENCH_SIZE),
                     repeat=getattr(args, "repeat", BENCH_REPEAT),
                     threads=getattr(args, "threads", None),
                     dtype=getattr(args, "dtype", DEFAULT_DTYPE),
                     peers=getattr(args, "peers", None)))
    return 0


def main(argv=None):
    """Run the ``fastinit`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; sys.argv[1:] by default.

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a usage error or a value fastinit
        rejects, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        # --help, --version and usage errors: return argparse's status.
        code = exit_request.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    try:
        return args.handler(args)
    except (ValueError, TypeError) as error:
        sys.stdout.flush()
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `fastinit | head`) went away: stop quietly, and
        # keep the interpreter from complaining while flushing stdout at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
