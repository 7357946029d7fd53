"""What initializers do to a deep network: the depth experiment.

:func:`depth_profile` pushes a batch through a plain multilayer perceptron
whose weights come from fastinit's initializers and follows the signal layer
by layer, forward (the activations) and backward (the gradients).  It shows
the claims behind the initializers on any layer sizes: all-equal weights
leave every unit identical; weights that are too small make the signal
vanish, too large make it explode (or, with tanh and sigmoid, saturate);
He's scale keeps ReLU networks steady, Xavier's suits tanh, LeCun's normal
suits SELU.

The command ``fastinit depth`` prints the same profile as a table and can
draw it (:meth:`DepthProfile.plot`, which needs matplotlib).

Only NumPy is needed; matplotlib is imported by :meth:`DepthProfile.plot`
alone.
"""

import argparse
import math
import os
import secrets
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

import fastinit

from . import _validate
from ._argtypes import positive_int
from ._argtypes import seed as seed_argument
from ._timing import available_bytes

__all__ = [
    "ACTIVATIONS",
    "DEFAULT_METHODS",
    "METHODS",
    "VERDICTS",
    "DepthProfile",
    "MethodProfile",
    "depth_profile",
    "add_cli_parser",
    "run_cli",
    "explain_hint",
]

#: Activations the experiment knows, in the order listed in messages.
ACTIVATIONS = ("relu", "leaky_relu", "gelu", "silu", "elu", "selu", "tanh",
               "sigmoid", "linear")

#: Bounded activations: their flat tails are where a unit saturates.
SATURATING_ACTIVATIONS = ("tanh", "sigmoid")

#: Initializers compared when no methods are given.
DEFAULT_METHODS = ("he_normal", "xavier_normal", "lecun_normal", "normal", "zeros")

#: fastinit functions that can make a dense layer's weight matrix:
#: name -> (whether it draws random numbers, the parameters it requires).
METHODS: Dict[str, Tuple[bool, Tuple[str, ...]]] = {
    "he_normal": (True, ()),
    "he_uniform": (True, ()),
    "kaiming_normal": (True, ()),
    "kaiming_uniform": (True, ()),
    "xavier_normal": (True, ()),
    "xavier_uniform": (True, ()),
    "glorot_normal": (True, ()),
    "glorot_uniform": (True, ()),
    "lecun_normal": (True, ()),
    "lecun_uniform": (True, ()),
    "variance_scaling": (True, ()),
    "orthogonal": (True, ()),
    "normal": (True, ()),
    "uniform": (True, ()),
    "truncated_normal": (True, ()),
    "sparse": (True, ("sparsity",)),
    "init": (True, ()),
    "zeros": (False, ()),
    "ones": (False, ()),
    "constant": (False, ("value",)),
    "eye": (False, ()),
}

#: The verdicts, from the one checked first to the one checked last.
VERDICTS = ("symmetric", "exploding", "saturating", "vanishing", "stable")

DEFAULT_ACTIVATION = "relu"
DEFAULT_WIDTH = 256
DEFAULT_DEPTH = 50
DEFAULT_BATCH = 512
DEFAULT_SEED = 0
DEFAULT_DTYPE = "float32"

#: A network is stable while the activation std of its last layer stays
#: within this factor of the first layer's ...
ACTIVATION_DRIFT = 10.0

#: ... and the gradient std of its first layer within this factor of the
#: last layer's, where the backward pass starts.  Gradients drift more than
#: activations even in a steady network: each layer multiplies their
#: variance by n_out * Var(W) * E[f'(z)^2], which is 1.07 for SELU with LeCun
#: normal (3.5% a layer in std, 5-10x over 50 layers), and ReLU with He
#: passes more gradient to the first layers as units die in deep ones.  A
#: vanishing or exploding network changes by a constant factor per layer:
#: orders of magnitude over 50 layers (0.71 per layer for Xavier with ReLU,
#: about 3e-7 over 50 layers).
GRADIENT_DRIFT = 100.0

#: A unit passes (almost) no gradient where the derivative of its activation
#: is below this fraction of the activation's largest derivative.  For tanh
#: and sigmoid that is the output within 0.25% of the range from a bound
#: (|z| > 2.99 for tanh, |z| > 5.99 for sigmoid).
INACTIVE_DERIVATIVE = 0.01

#: tanh and sigmoid networks saturate when on average over the layers at
#: least this fraction of the values sit in a flat tail.
SATURATED_SHARE = 0.5

#: Slope of leaky ReLU for negative inputs (PyTorch's default).  It equals
#: INACTIVE_DERIVATIVE, which is not below it: leaky ReLU units never die.
LEAKY_SLOPE = 0.01

# SELU's constants (Klambauer et al. 2017).
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

#: The largest derivative of each activation, the reference of
#: INACTIVE_DERIVATIVE.  GELU's is at z = sqrt(2), SiLU's at z ~ 2.40.
PEAK_DERIVATIVE = {
    "relu": 1.0,
    "leaky_relu": 1.0,
    "gelu": 1.1289868,
    "silu": 1.0998393,
    "elu": 1.0,
    "selu": SELU_SCALE * SELU_ALPHA,
    "tanh": 1.0,
    "sigmoid": 0.25,
    "linear": 1.0,
}

#: Rows of the batch whose weighted sum tells units apart before any exact
#: comparison (see _distinct_units).
FINGERPRINT_ROWS = 64

# Abramowitz & Stegun 7.1.26: erf(x) for x >= 0 within 1.5e-7, enough for a
# float32 GELU without depending on SciPy.
_ERF_P = 0.3275911
_ERF_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


# ---------------------------------------------------------------- activations

def _canonical_activation(activation):
    if not isinstance(activation, str):
        raise TypeError(f"activation must be a str, got {type(activation).__name__}")
    key = "".join(ch for ch in activation.lower() if ch not in "-_ ")
    for name in ACTIVATIONS:
        if name.replace("_", "") == key:
            return name
    raise ValueError(f"unknown activation {activation!r}; "
                     f"choose from {', '.join(ACTIVATIONS)}")


def _erf(x):
    """erf of an array, by Abramowitz & Stegun 7.1.26, in x's dtype."""
    sign = np.sign(x)
    ax = np.abs(x)
    t = 1.0 / (1.0 + _ERF_P * ax)
    a1, a2, a3, a4, a5 = _ERF_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    return sign * (1.0 - poly * np.exp(-ax * ax))


def _sigmoid(z):
    # exp(-z) overflows to inf for very negative z; 1 / inf is then the
    # right limit 0 (warnings are off around the whole experiment).
    return 1.0 / (1.0 + np.exp(-z))


def _activate(name, z):
    """(f(z), f'(z)) for the activation called name, in z's dtype.

    ReLU's derivative is returned as a boolean array, which multiplies as 0/1.
    """
    dtype = z.dtype
    if name == "relu":
        return np.maximum(z, 0), z > 0
    if name == "leaky_relu":
        positive = z > 0
        slope = np.where(positive, dtype.type(1), dtype.type(LEAKY_SLOPE))
        return z * slope, slope
    if name == "gelu":
        cdf = 0.5 * (1.0 + _erf(z * dtype.type(1 / math.sqrt(2))))
        pdf = np.exp(-0.5 * z * z) * dtype.type(1 / math.sqrt(2 * math.pi))
        return z * cdf, cdf + z * pdf
    if name == "silu":
        s = _sigmoid(z)
        return z * s, s * (1.0 + z * (1.0 - s))
    if name in ("elu", "selu"):
        alpha = dtype.type(1.0 if name == "elu" else SELU_ALPHA)
        scale = dtype.type(1.0 if name == "elu" else SELU_SCALE)
        positive = z > 0
        negative_part = np.minimum(z, 0)  # exp of the positive side is not used
        out = scale * np.where(positive, z, alpha * np.expm1(negative_part))
        slope = scale * np.where(positive, dtype.type(1), alpha * np.exp(negative_part))
        return out, slope
    if name == "tanh":
        h = np.tanh(z)
        return h, 1.0 - h * h
    if name == "sigmoid":
        s = _sigmoid(z)
        return s, s * (1.0 - s)
    return z, np.ones_like(z)  # linear


# ---------------------------------------------------------------- methods

@dataclass(frozen=True)
class _Method:
    name: str
    kwargs: Tuple[Tuple[str, Any], ...]
    label: str


def _method_label(name, kwargs):
    if not kwargs:
        return name
    return f"{name}({', '.join(f'{key}={value!r}' for key, value in kwargs)})"


def _parse_methods(methods):
    """A tuple of _Method from the methods argument of depth_profile."""
    if methods is None:
        methods = DEFAULT_METHODS
    elif isinstance(methods, (str, tuple)) and (
            isinstance(methods, str) or (len(methods) == 2 and isinstance(methods[1], Mapping))):
        methods = [methods]
    try:
        entries = list(methods)
    except TypeError:
        raise TypeError("methods must be a sequence of method names or (name, kwargs) "
                        f"pairs, got {type(methods).__name__}") from None
    if not entries:
        raise ValueError("methods must name at least one initializer")
    parsed = []
    for entry in entries:
        if isinstance(entry, str):
            name, kwargs = entry, {}
        elif (isinstance(entry, (tuple, list)) and len(entry) == 2
              and isinstance(entry[0], str) and isinstance(entry[1], Mapping)):
            name, kwargs = entry[0], dict(entry[1])
        else:
            raise TypeError("each method must be a name or a (name, kwargs) pair, "
                            f"got {entry!r}")
        if name not in METHODS:
            raise ValueError(f"unknown method {name!r}; choose from {', '.join(METHODS)}")
        reserved = {"seed", "stream", "block", "dtype", "out", "region", "threads",
                    "shape", "activation"} & set(kwargs)
        if reserved:
            raise ValueError(f"{name}: {', '.join(sorted(reserved))} is set by the "
                             "experiment, not by a method's parameters")
        missing = [key for key in METHODS[name][1] if key not in kwargs]
        if missing:
            raise ValueError(f"{name} needs {', '.join(missing)} (give it as "
                             f"({name!r}, {{{missing[0]!r}: ...}}), or {name}:"
                             f"{missing[0]}=... on the command line)")
        items = tuple(kwargs.items())
        parsed.append(_Method(name, items, _method_label(name, items)))
    labels = [method.label for method in parsed]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise ValueError(f"method {duplicates[0]!r} is given twice")
    return tuple(parsed)


def _weights(method, shape, activation, seed, layer, dtype):
    """The weight matrix (n_in, n_out) of one layer, made by fastinit."""
    fill = getattr(fastinit, method.name)
    kwargs = dict(method.kwargs)
    if method.name == "init":
        kwargs["activation"] = activation
    if METHODS[method.name][0]:
        kwargs.update(seed=seed, stream=f"layer{layer}")
    return fill(shape, dtype=dtype, **kwargs)


# ---------------------------------------------------------------- arguments


def _count(value, name):
    return _validate.integer(value, name, minimum=1)


def _widths(width, depth):
    """(n_0, n_1, ..., n_depth): input width, then each layer's output width."""
    if isinstance(width, (list, tuple, np.ndarray)):
        widths = tuple(_count(w, "each width") for w in width)
        if len(widths) < 2:
            raise ValueError("a list of widths needs at least two entries: the input "
                             f"width and one layer's, got {len(widths)}")
        if depth is not None and _count(depth, "depth") != len(widths) - 1:
            raise ValueError(f"{len(widths)} widths make {len(widths) - 1} layers, "
                             f"but depth is {depth}")
        return widths
    n = _count(width, "width")
    depth = DEFAULT_DEPTH if depth is None else _count(depth, "depth")
    return (n,) * (depth + 1)


def _dtype(dtype):
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"data type {dtype!r} not understood") from None
    if dt not in (np.float32, np.float64):
        raise ValueError(f"dtype must be float32 or float64, got {dt.name}")
    return dt


# ---------------------------------------------------------------- results

@dataclass(frozen=True, eq=False)
class MethodProfile:
    """The profile of one initializer through the network.

    Layers are numbered from 1 (the first weight matrix) to ``depth``; each
    array has one value per layer, index ``i`` for layer ``i + 1``.

    Attributes
    ----------
    label : str
        The method as shown, with its parameters (``"normal(std=0.05)"``).
    method : str
        Name of the fastinit function that made the weights.
    kwargs : dict
        Its parameters besides shape, seed, stream and dtype.
    activation_std : ndarray of float64
        Standard deviation of the layer's activations ``f(z)`` over the
        batch and the units.  NaN from the layer where the forward pass
        overflowed.
    gradient_std : ndarray of float64
        Standard deviation of the gradient of the loss with respect to the
        layer's pre-activations ``z`` (the signal the backward pass carries;
        the weight gradient is the input activations times it).  NaN for
        every layer when the forward pass overflowed, and from the layer
        where the backward pass overflowed.
    dead_fraction : ndarray of float64
        Share of the layer's units that pass (almost) no gradient for any
        example of the batch: the derivative of the activation is below
        ``INACTIVE_DERIVATIVE`` (1%) of its peak on every example.  Dead
        ReLU units; for tanh and sigmoid, units stuck in a tail.
    saturated_fraction : ndarray of float64
        Share of the layer's values (examples x units) where the derivative
        is below 1% of its peak.  For tanh and sigmoid these are the
        saturated values; for ReLU it counts the zero half (about 0.5).
    distinct_units : ndarray of int64
        Number of different units in the layer: units whose activations are
        equal on every example of the batch count once.  1 means the layer
        is symmetric; -1 from the layer where the forward pass overflowed.
    verdict : str
        One of VERDICTS; see :func:`depth_profile` for the rules.
    reason : str
        One line saying which rule gave the verdict, with the figures.
    overflow_layer : int or None
        The first layer whose activations (or, in the backward pass,
        gradients) were not finite, None if none was.
    overflow_pass : str or None
        ``"forward"`` or ``"backward"``: where that happened.
    """

    label: str
    method: str
    kwargs: Dict[str, Any]
    activation_std: np.ndarray
    gradient_std: np.ndarray
    dead_fraction: np.ndarray
    saturated_fraction: np.ndarray
    distinct_units: np.ndarray
    verdict: str
    reason: str
    overflow_layer: Optional[int]
    overflow_pass: Optional[str]

    @property
    def activation_ratio(self) -> float:
        """Activation std of the last layer over that of the first (NaN if undefined)."""
        return _ratio(self.activation_std[-1], self.activation_std[0])

    @property
    def gradient_ratio(self) -> float:
        """Gradient std of the first layer over that of the last.

        The backward pass starts at the last layer and ends at the first,
        so this is the last gradient over the first one computed: how much
        the gradient grew on its way back (NaN if undefined).
        """
        return _ratio(self.gradient_std[0], self.gradient_std[-1])


def _ratio(numerator, denominator):
    with np.errstate(all="ignore"):
        value = np.float64(numerator) / np.float64(denominator)
    return float(value)


class DepthProfile:
    """The result of :func:`depth_profile`: one :class:`MethodProfile` per method.

    Behaves as a read-only mapping from each method's label to its
    :class:`MethodProfile`, in the order the methods were given.

    Attributes
    ----------
    activation : str
        The activation of every layer.
    widths : tuple of int
        Input width, then the output width of each layer.
    depth : int
        Number of layers.
    batch : int
        Examples in the batch.
    seed : int
        Seed of the input and of every layer's weights.
    dtype : numpy.dtype
        float32 or float64: the dtype of the weights and of the computation.
    methods : tuple of str
        The methods' labels.
    """

    def __init__(self, activation: str, widths: Tuple[int, ...], batch: int, seed: int,
                 dtype: np.dtype, results: Sequence[MethodProfile]) -> None:
        self.activation = activation
        self.widths = tuple(widths)
        self.depth = len(self.widths) - 1
        self.batch = batch
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self._results = {result.label: result for result in results}
        self.methods = tuple(self._results)

    def __getitem__(self, label: str) -> MethodProfile:
        try:
            return self._results[label]
        except KeyError:
            raise KeyError(f"no method {label!r} in this profile; it has "
                           f"{', '.join(self.methods)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.methods)

    def __len__(self) -> int:
        return len(self.methods)

    def __contains__(self, label: object) -> bool:
        return label in self._results

    def items(self) -> List[Tuple[str, MethodProfile]]:
        """(label, MethodProfile) pairs in the order of the methods."""
        return list(self._results.items())

    @property
    def verdicts(self) -> Dict[str, str]:
        """{label: verdict} for every method."""
        return {label: result.verdict for label, result in self._results.items()}

    @property
    def activation_std(self) -> Dict[str, np.ndarray]:
        """{label: activation std per layer}."""
        return {label: result.activation_std for label, result in self._results.items()}

    @property
    def gradient_std(self) -> Dict[str, np.ndarray]:
        """{label: gradient std per layer}."""
        return {label: result.gradient_std for label, result in self._results.items()}

    def __repr__(self) -> str:
        verdicts = ", ".join(f"{label}: {verdict}" for label, verdict in self.verdicts.items())
        return (f"<DepthProfile {self.activation}, {self._network_text()}, batch "
                f"{self.batch}, {self.dtype.name}: {verdicts}>")

    def _network_text(self):
        if len(set(self.widths)) == 1:
            return f"width {self.widths[0]}, depth {self.depth}"
        return f"widths {'-'.join(map(str, self.widths))} ({self.depth} layers)"

    def sample_layers(self) -> Tuple[int, ...]:
        """The layers (numbered from 1) whose activation std the table shows."""
        depth = self.depth
        return tuple(sorted({1, max(1, round(depth / 4)), max(1, round(depth / 2)), depth}))

    def table(self) -> str:
        """The profile as text.

        Returns
        -------
        str
            A line describing the network, then one row per method: the
            activation std at a few layers, the activation ratio (last layer
            over first), the gradient ratio (first layer over last: the
            backward pass runs from the last layer to the first), the dead
            (ReLU family) or saturated (tanh, sigmoid) share of the last
            layer, the fewest distinct units in any layer and the verdict;
            then the reason for each verdict.
        """
        layers = self.sample_layers()
        bounded = self.activation in SATURATING_ACTIVATIONS
        headers = (["method"] + [f"act std L{layer}" for layer in layers]
                   + ["act L/1", "grad 1/L", "saturated" if bounded else "dead",
                      "distinct", "verdict"])
        rows = []
        for result in self._results.values():
            inactive = result.saturated_fraction if bounded else result.dead_fraction
            finite_distinct = result.distinct_units[result.distinct_units > 0]
            rows.append(
                [result.label]
                + [_fmt(result.activation_std[layer - 1]) for layer in layers]
                + [_fmt(result.activation_ratio), _fmt(result.gradient_ratio),
                   _fmt_share(inactive[-1]),
                   str(int(finite_distinct.min())) if finite_distinct.size else "-",
                   result.verdict])
        widths = [max(len(headers[c]), *(len(row[c]) for row in rows))
                  for c in range(len(headers))]

        def line(cells):
            first = cells[0].ljust(widths[0])
            rest = [cell.rjust(width) for cell, width in zip(cells[1:-1], widths[1:-1])]
            return "  ".join([first] + rest + [cells[-1]]).rstrip()

        out = [
            f"{self.activation} MLP, {self._network_text()}, batch {self.batch}, "
            f"{self.dtype.name}, seed {self.seed}; zero biases, weights from fastinit "
            "(stream 'layerN' for layer N).",
            "Loss: 0.5 * sum(h_L ** 2) / batch of the last layer's activations h_L; "
            "gradients are those of the pre-activations.",
            "",
            line(headers),
            "  ".join("-" * width for width in widths),
        ]
        out.extend(line(row) for row in rows)
        out.append("")
        out.append(f"act L/1: activation std of layer {self.depth} over layer 1; grad 1/L: "
                   f"gradient std of layer 1 over layer {self.depth}.")
        kind = ("saturated: share of the last layer's values in a flat tail" if bounded
                else "dead: share of the last layer's units passing no gradient for any example")
        out.append(f"{kind}; distinct: fewest different units in a layer.")
        results = list(self._results.values())
        for index, result in enumerate(results):
            twin = next((earlier for earlier in results[:index]
                         if _same_profile(earlier, result)), None)
            if twin is not None:
                out.append(f"{result.label} made the same network as {twin.label} here "
                           "(the same draws at the same scale).")
        out.append("")
        label_width = max(len(label) for label in self.methods)
        for result in self._results.values():
            out.append(f"{result.label.ljust(label_width)}  {result.verdict}: {result.reason}")
        return "\n".join(out)

    def plot(self, path: Optional[Union[str, "os.PathLike[str]"]] = None, *,
             title: Optional[str] = None, dpi: int = 100) -> Any:
        """Draw the activation std and the gradient std of each layer.

        Two panels, log scale, one labelled line per method.  Values that
        are zero (a symmetric or underflowed layer) or not finite (after an
        overflow) cannot be drawn on a log scale and are left out; the
        legend says so.

        Parameters
        ----------
        path : str or path-like, optional
            Where to write the picture as PNG.  It is written to a temporary
            file next to it and renamed, so a failure never leaves a
            half-written file.  None: only return the figure.
        title : str, optional
            The figure's title; by default it describes the network.
        dpi : int, optional
            Resolution of the PNG.

        Returns
        -------
        matplotlib.figure.Figure
            The figure (made without pyplot, so nothing is kept or shown).

        Raises
        ------
        ImportError
            When matplotlib is not installed.
        OSError
            When the file cannot be written.
        """
        try:
            from matplotlib.figure import Figure
        except ImportError:
            raise ImportError("DepthProfile.plot needs matplotlib: "
                              "pip install matplotlib") from None
        figure = Figure(figsize=(11, 5), layout="constrained")
        act_axes, grad_axes = figure.subplots(1, 2)
        layers = np.arange(1, self.depth + 1)
        results = list(self._results.values())
        for index, result in enumerate(results):
            label = f"{result.label}: {result.verdict}"
            drawable = (np.isfinite(result.activation_std) & (result.activation_std > 0)).any()
            twin = next((earlier for earlier in results[:index]
                         if _same_profile(earlier, result)), None)
            style = "-"
            if result.overflow_layer is not None:
                label += f" (overflow at layer {result.overflow_layer}, {result.overflow_pass})"
            elif not drawable:
                label += " (std 0: not drawn)"
            elif twin is not None:
                # Dashed, so that the line under it still shows.
                label += f" (the same network as {twin.label})"
                style = "--"
            line, = act_axes.plot(layers, _drawable(result.activation_std), style, label=label)
            grad_axes.plot(layers, _drawable(result.gradient_std), style,
                           color=line.get_color(), label=label)
        for axes, what in ((act_axes, "activation std"), (grad_axes, "gradient std (dL/dz)")):
            axes.set_yscale("log")
            axes.set_xlabel("layer")
            axes.set_ylabel(what)
            axes.set_xlim(1, max(self.depth, 2))
            axes.grid(True, which="major", alpha=0.3)
        act_axes.set_title("forward: activations")
        grad_axes.set_title("backward: gradients of the pre-activations")
        figure.legend(handles=act_axes.get_lines(), loc="outside lower center",
                      ncols=min(len(results), 3), fontsize="small")
        figure.suptitle(title if title is not None else
                        f"{self.activation} MLP, {self._network_text()}, batch {self.batch}, "
                        f"{self.dtype.name}, seed {self.seed}")
        if path is not None:
            _save_png(figure, os.fspath(path), dpi)
        return figure


def _same_profile(a, b):
    return (np.array_equal(a.activation_std, b.activation_std, equal_nan=True)
            and np.array_equal(a.gradient_std, b.gradient_std, equal_nan=True))


def _drawable(values):
    """values with zeros and non-finite entries as NaN (gaps on a log scale)."""
    values = np.array(values, dtype=np.float64)
    values[~(np.isfinite(values) & (values > 0))] = np.nan
    return values


def _save_png(figure, path, dpi):
    directory, name = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    # os.open with mode 0o666 leaves the permissions to the umask, as for any
    # file the user writes (tempfile.mkstemp would make it private).
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            figure.savefig(file, format="png", dpi=dpi)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _fmt(value):
    if value is None or math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.3g}"


def _fmt_share(value):
    if math.isnan(value):
        return "-"
    return f"{100 * value:.0f}%"


# ---------------------------------------------------------------- the experiment

def _std(values):
    """std of an array in float64 precision, or NaN if any value is not finite."""
    low, high = float(values.min()), float(values.max())
    if not (math.isfinite(low) and math.isfinite(high)):
        return math.nan
    scale = max(-low, high)
    if scale == 0:
        return 0.0
    if values.dtype == np.float32 and 1e-15 < scale < 1e15:
        # Squares of these stay normal float32 numbers: the mean and the
        # BLAS dot product of the deviations are accurate enough for a
        # profile (relative error about 1e-6), at a third of the cost.
        flat = values.ravel()
        deviations = flat - flat.mean(dtype=np.float32)
        return math.sqrt(float(np.dot(deviations, deviations)) / flat.size)
    # Scaled so that no square overflows or underflows.
    return scale * float(np.std(values / scale, dtype=np.float64))


def _distinct_units(h, fingerprint_weights):
    """Number of different columns of h (units over the batch), h finite."""
    n_units = h.shape[1]
    # A weighted sum over the first rows is the same for equal columns (each
    # column is summed in the same order), so columns with a sum of their
    # own are distinct; only those sharing a sum are compared exactly.
    # Adding 0 turns -0.0 into 0.0.
    rows = h[:fingerprint_weights.size] + h.dtype.type(0)
    sums = (rows * fingerprint_weights[:, None]).sum(axis=0, dtype=np.float64)
    ordered = np.sort(sums)
    if not (ordered[1:] == ordered[:-1]).any():
        return n_units
    if (h == h[:, :1]).all():
        return 1
    _, inverse, counts = np.unique(sums, return_inverse=True, return_counts=True)
    shared = counts[inverse] > 1
    columns = np.ascontiguousarray((h[:, shared] + h.dtype.type(0)).T)
    keys = columns.view(np.dtype((np.void, columns.shape[1] * columns.itemsize))).ravel()
    return int(np.count_nonzero(~shared) + np.unique(keys).size)


def _profile_method(method, activation, widths, x, seed, dtype, report):
    depth = len(widths) - 1
    peak = PEAK_DERIVATIVE[activation]
    threshold = dtype.type(INACTIVE_DERIVATIVE * peak)
    fingerprint_weights = np.sqrt(np.linspace(1.0, 2.0, min(x.shape[0], FINGERPRINT_ROWS)))
    nan = np.full(depth, np.nan)
    activation_std, gradient_std = nan.copy(), nan.copy()
    dead, saturated = nan.copy(), nan.copy()
    distinct = np.full(depth, -1, dtype=np.int64)
    overflow_layer = overflow_pass = None
    derivatives = []

    h = x
    for layer in range(1, depth + 1):
        report(layer - 1, f"{method.label}: forward, layer {layer}")
        w = _weights(method, (widths[layer - 1], widths[layer]), activation, seed, layer, dtype)
        z = h @ w
        h, slope = _activate(activation, z)
        derivatives.append(slope)
        activation_std[layer - 1] = _std(h)
        if math.isnan(activation_std[layer - 1]):
            overflow_layer, overflow_pass = layer, "forward"
            break
        distinct[layer - 1] = _distinct_units(h, fingerprint_weights)
        inactive = slope < threshold
        saturated[layer - 1] = float(inactive.mean())
        dead[layer - 1] = float(inactive.all(axis=0).mean())

    if overflow_layer is None:
        # Loss = 0.5 * sum(h_L ** 2) / batch, so dL/dh_L = h_L / batch.
        upstream = h / dtype.type(h.shape[0])
        for layer in range(depth, 0, -1):
            report(2 * depth - layer, f"{method.label}: backward, layer {layer}")
            delta = upstream * derivatives[layer - 1]
            derivatives[layer - 1] = None
            gradient_std[layer - 1] = _std(delta)
            if math.isnan(gradient_std[layer - 1]):
                overflow_layer, overflow_pass = layer, "backward"
                break
            if layer > 1:
                # The weights are made again from their seed and stream rather
                # than kept: the same bits, and memory for one layer only.
                w = _weights(method, (widths[layer - 1], widths[layer]), activation, seed,
                             layer, dtype)
                upstream = delta @ w.T
    derivatives.clear()

    profile = dict(activation_std=activation_std, gradient_std=gradient_std,
                   dead_fraction=dead, saturated_fraction=saturated,
                   distinct_units=distinct, overflow_layer=overflow_layer,
                   overflow_pass=overflow_pass)
    verdict, reason = _verdict(activation, widths, x, profile)
    return MethodProfile(label=method.label, method=method.name, kwargs=dict(method.kwargs),
                         verdict=verdict, reason=reason, **profile)


def _verdict(activation, widths, x, profile):
    """(verdict, reason) by the rules stated in depth_profile's docstring."""
    act, grad = profile["activation_std"], profile["gradient_std"]
    distinct = profile["distinct_units"]
    depth = len(widths) - 1

    input_std = _std(x)
    feeding_std = input_std
    for layer in range(1, depth + 1):
        if (widths[layer] > 1 and distinct[layer - 1] == 1
                and feeding_std >= input_std / ACTIVATION_DRIFT):
            return "symmetric", (f"all {widths[layer]} units of layer {layer} are identical "
                                 "(they got equal weights), and stay so under training")
        feeding_std = act[layer - 1]
        if not math.isfinite(feeding_std):
            break

    if profile["overflow_layer"] is not None:
        where = profile["overflow_pass"]
        what = "activations" if where == "forward" else "gradients"
        return "exploding", (f"the {what} overflowed {x.dtype.name} at layer "
                             f"{profile['overflow_layer']} ({where} pass)")

    act_ratio = _ratio(act[-1], act[0])
    grad_ratio = _ratio(grad[0], grad[-1])
    ratios = (f"activation std {_fmt(act[0])} -> {_fmt(act[-1])} (x{_fmt(act_ratio)}), "
              f"gradient std {_fmt(grad[-1])} -> {_fmt(grad[0])} (x{_fmt(grad_ratio)})")
    limits = (f"limits {ACTIVATION_DRIFT:g}x for activations, {GRADIENT_DRIFT:g}x for "
              "gradients")

    if activation in SATURATING_ACTIVATIONS:
        mean_saturated = float(np.mean(profile["saturated_fraction"]))
        if mean_saturated >= SATURATED_SHARE:
            return "saturating", (f"{100 * mean_saturated:.0f}% of the values sit in "
                                  f"{activation}'s flat tails (derivative below 1% of its "
                                  f"peak); {ratios}")

    if act_ratio > ACTIVATION_DRIFT or grad_ratio > GRADIENT_DRIFT:
        return "exploding", f"{ratios}: grew beyond the {limits}"
    if not act[0] > 0:
        return "vanishing", "the first layer's activations are all equal: no signal passes"
    if not (act_ratio >= 1 / ACTIVATION_DRIFT and grad_ratio >= 1 / GRADIENT_DRIFT):
        return "vanishing", f"{ratios}: shrank beyond the {limits}"
    return "stable", f"{ratios}: within the {limits}"


def depth_profile(activation: str = DEFAULT_ACTIVATION,
                  width: Union[int, Sequence[int]] = DEFAULT_WIDTH,
                  depth: Optional[int] = None,
                  methods: Optional[Sequence[Union[str, Tuple[str, Mapping[str, Any]]]]] = None,
                  batch: int = DEFAULT_BATCH,
                  seed: int = DEFAULT_SEED,
                  dtype: Any = DEFAULT_DTYPE,
                  progress: Optional[Callable[[int, int, str], None]] = None) -> DepthProfile:
    """Follow a batch through a deep MLP initialized by each method.

    For each method, a plain multilayer perceptron is built: layer ``i``
    computes ``z_i = h_{i-1} @ W_i`` (biases are zero, so they are left out)
    and ``h_i = f(z_i)`` with the same activation ``f`` on every layer,
    including the last.  ``W_i`` has shape ``(n_{i-1}, n_i)`` (Keras'
    layout) and is made by the fastinit function of that name with
    ``seed=seed, stream=f"layer{i}"``, so every method sees the same random
    draws (the normal-family methods differ only by their scale).  The input
    ``h_0`` is a ``(batch, n_0)`` standard normal from ``seed`` and stream
    ``"input"``.  The loss is ``0.5 * sum(h_L ** 2) / batch``; the backward
    pass gives its gradient with respect to each layer's pre-activations
    ``z_i``, ``dL/dz_i = (dL/dz_{i+1} @ W_{i+1}.T) * f'(z_i)``.

    Parameters
    ----------
    activation : str, optional
        One of ACTIVATIONS: relu, leaky_relu (slope 0.01), gelu (exact, x
        Phi(x)), silu, elu (alpha 1), selu, tanh, sigmoid, linear.
        Case, ``-`` and ``_`` are ignored.
    width : int or sequence of int, optional
        An int: the input and every layer have that many units.  A sequence
        ``(n_0, n_1, ..., n_depth)``: the input width, then each layer's.
    depth : int, optional
        Number of layers; 50 by default with an int width.  With a sequence
        of widths it is ``len(width) - 1`` and may be left out.
    methods : sequence, optional
        Names of fastinit functions (keys of METHODS), or ``(name, kwargs)``
        pairs to pass parameters (``("normal", {"std": 0.05})``,
        ``("constant", {"value": 0.1})``).  ``"init"`` is
        :func:`fastinit.init` with this activation.  Default: he_normal,
        xavier_normal, lecun_normal, normal (N(0, 1)) and zeros.
    batch : int, optional
        Examples in the batch.
    seed : int, optional
        Seed of the input and of the weights, in [0, 2**64).
    dtype : str or dtype, optional
        float32 (default) or float64: the weights and all the arithmetic.
    progress : callable, optional
        Called as ``progress(step, total, label)`` before each step: a layer
        of the forward or of the backward pass of one method (``step`` from
        0 to ``total - 1``; steps after an overflow are skipped).

    Returns
    -------
    DepthProfile
        A mapping from each method's label to its :class:`MethodProfile`.

    Raises
    ------
    ValueError
        For an unknown activation or method (the message lists the known
        ones), a width, depth or batch below 1, widths that disagree with
        depth, a dtype other than float32/float64, a method missing a
        required parameter or given twice, or a network too large for the
        memory.
    TypeError
        For arguments of the wrong type.

    Notes
    -----
    Each verdict is the first of these rules that holds, with
    ``ACTIVATION_DRIFT = 10`` and ``GRADIENT_DRIFT = 100``:

    1. ``"symmetric"``: some layer with more than one unit has all its units
       identical (``distinct_units == 1``) while its input still carries a
       signal (std at least 1/10 of the network input's), so the identity
       comes from the weights, not from a vanished signal.  Such units also
       receive identical gradients and never become different.
    2. ``"exploding"``: the activations or gradients overflowed the dtype
       (not finite); the pass stops there, without warnings.
    3. ``"saturating"`` (tanh and sigmoid only): averaged over the layers, at
       least half of the values sit in a flat tail, where the derivative is
       below 1% of its peak.
    4. ``"exploding"``: the activation std of the last layer exceeds 10x the
       first layer's, or the gradient std of the first layer exceeds 100x
       the last layer's (where the backward pass starts).
    5. ``"vanishing"``: either ratio is below the inverse of its limit
       (1/10, 1/100), or the first layer's activations are all equal.
    6. ``"stable"``: both ratios are within their limits.

    The limits span the whole network and are loose on purpose: they
    separate a steady signal, whose std wanders by tens of percent over 50
    layers (gradients a few percent a layer, see GRADIENT_DRIFT), from one
    that grows or shrinks by a constant factor per layer, which over 50
    layers amounts to many orders of magnitude (Xavier with ReLU halves the
    variance at each layer: about 2**-24.5 in std over 50 layers).

    Memory: the activations' derivatives of every layer are kept for the
    backward pass (``depth x batch x width`` values); the weights are not,
    fastinit makes each layer's again for the backward pass.

    Examples
    --------
    >>> profile = depth_profile("relu", width=64, depth=20, batch=128,
    ...                         methods=["he_normal", "xavier_normal"])
    >>> profile.verdicts
    {'he_normal': 'stable', 'xavier_normal': 'vanishing'}
    """
    activation = _canonical_activation(activation)
    widths = _widths(width, depth)
    method_list = _parse_methods(methods)
    batch = _count(batch, "batch")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")
    if not 0 <= int(seed) < 1 << 64:
        raise ValueError(f"seed must be in [0, 2**64), got {seed}")
    seed = int(seed)
    dt = _dtype(dtype)
    if progress is not None and not callable(progress):
        raise TypeError("progress must be callable or None")

    depth_count = len(widths) - 1
    kept_bytes = depth_count * batch * max(widths[1:]) * dt.itemsize
    # The derivatives kept, one weight matrix (and a copy while it is
    # used), and a handful of (batch, width) temporaries.
    needed_bytes = (kept_bytes
                    + 2 * max(a * b for a, b in zip(widths, widths[1:])) * dt.itemsize
                    + 8 * batch * max(widths) * dt.itemsize)
    available = available_bytes()
    if available is not None and needed_bytes > 0.8 * available:
        raise ValueError(
            f"the experiment needs about {needed_bytes / 2**30:.1f} GiB but only "
            f"{available / 2**30:.1f} GiB of memory is available; choose a smaller "
            "width, depth or batch")
    steps_per_method = 2 * depth_count
    total_steps = steps_per_method * len(method_list)

    results = []
    try:
        x = fastinit.normal((batch, widths[0]), seed=seed, stream="input", dtype=dt)
        with np.errstate(all="ignore"):
            for index, method in enumerate(method_list):
                def report(step, label, first=index * steps_per_method):
                    if progress is not None:
                        progress(first + step, total_steps, label)
                results.append(_profile_method(method, activation, widths, x, seed, dt, report))
    except MemoryError:
        raise ValueError(
            f"the experiment does not fit in memory (it keeps depth x batch x width = "
            f"{kept_bytes / 2**30:.1f} GiB of derivatives, and one layer's weights); "
            "choose a smaller width, depth or batch") from None
    return DepthProfile(activation, widths, batch, seed, dt, results)


# ---------------------------------------------------------------- command line

PROG = "fastinit depth"

#: Seconds a run may take before the progress bar appears.
PROGRESS_DELAY = 0.5

#: The largest layer width the hint of ``fastinit explain`` passes on.
HINT_MAX_WIDTH = 2048

_CLI_DESCRIPTION = """\
Push a batch through a deep MLP (zero biases, the same activation on every
layer) initialized by each method, then back-propagate
0.5 * sum(output ** 2) / batch, and print how the activation std and the
gradient std (of the pre-activations) change with depth, the share of dead
or saturated units, the fewest distinct units in a layer, and a verdict:
stable, vanishing, exploding, saturating or symmetric. Every layer's weights
come from fastinit with the same seed and the stream 'layerN', so the run is
the same on every machine."""

_CLI_EPILOG = """\
examples:
  fastinit depth
      ReLU, width 256, 50 layers: he_normal, xavier_normal, lecun_normal,
      normal (N(0, 1)) and zeros
  fastinit depth --activation tanh --plot tanh.png
      the same for tanh, and the picture of it
  fastinit depth -a selu --methods lecun_normal,he_normal,normal:std=0.05
      methods with parameters: name:key=value[:key=value...]
  fastinit depth --width 784,512,256,128,10
      a network of four layers with these widths

Bad arguments exit with status 2."""


def _cli_width(text):
    parts = [part.strip() for part in text.split(",")]
    widths = tuple(positive_int(part) for part in parts)
    if len(widths) == 1:
        return widths[0]
    return widths


def _cli_activation(text):
    try:
        return _canonical_activation(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _cli_value(text):
    """A parameter value: an int, a float, True/False/None, else the text."""
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return {"True": True, "False": False, "None": None}.get(text, text)


def _cli_methods(text):
    methods = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, *settings = entry.split(":")
        kwargs = {}
        for setting in settings:
            key, equals, value = setting.partition("=")
            if not equals or not key.strip():
                raise argparse.ArgumentTypeError(
                    f"method parameter {setting!r} of {name!r} is not key=value")
            kwargs[key.strip()] = _cli_value(value.strip())
        methods.append((name.strip(), kwargs) if kwargs else name.strip())
    try:
        _parse_methods(methods)
    except (ValueError, TypeError) as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return methods


def _cli_png_path(text):
    directory = os.path.dirname(os.path.abspath(text))
    if not os.path.isdir(directory):
        raise argparse.ArgumentTypeError(f"directory {directory!r} does not exist")
    if os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"{text!r} is a directory")
    if not os.access(directory, os.W_OK):
        raise argparse.ArgumentTypeError(f"directory {directory!r} is not writable")
    return text


def add_cli_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``depth`` command to the ``fastinit`` command line.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        What ``ArgumentParser.add_subparsers()`` returned.

    Returns
    -------
    argparse.ArgumentParser
        The command's parser; it stores :func:`run_cli` as ``handler``.
    """
    parser = subparsers.add_parser(
        "depth",
        help="what each initializer does to the activations and gradients of a deep MLP",
        description=_CLI_DESCRIPTION,
        epilog=_CLI_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("--activation", "-a", type=_cli_activation, metavar="A",
                        help=f"activation of every layer: {', '.join(ACTIVATIONS)} "
                             f"(default {DEFAULT_ACTIVATION})")
    parser.add_argument("--width", "-w", type=_cli_width, metavar="N",
                        help=f"units of the input and of every layer (default "
                             f"{DEFAULT_WIDTH}), or comma-separated widths n0,n1,...: "
                             "the input's, then each layer's")
    parser.add_argument("--depth", "-d", type=positive_int, metavar="L",
                        help=f"number of layers (default {DEFAULT_DEPTH}; with a list "
                             "of widths, one fewer than the widths)")
    parser.add_argument("--methods", "-m", type=_cli_methods, metavar="LIST",
                        help="comma-separated fastinit initializers, each name or "
                             "name:key=value[:key=value] (default "
                             f"{','.join(DEFAULT_METHODS)})")
    parser.add_argument("--batch", "-b", type=positive_int, metavar="B",
                        help=f"examples in the batch (default {DEFAULT_BATCH})")
    parser.add_argument("--seed", type=seed_argument, metavar="S",
                        help=f"seed of the input and the weights (default {DEFAULT_SEED})")
    parser.add_argument("--dtype", choices=("float32", "float64"), metavar="D",
                        help=f"float32 or float64 (default {DEFAULT_DTYPE})")
    parser.add_argument("--plot", "-o", type=_cli_png_path, metavar="PNG",
                        help="also draw the activation and gradient std by layer into "
                             "this PNG file (needs matplotlib)")
    parser.set_defaults(handler=run_cli, depth_parser=parser)
    return parser


class _DelayedProgressBar:
    """The command line's ProgressBar, shown on a terminal once a run lasts."""

    def __init__(self, stream: Any, delay: float = PROGRESS_DELAY) -> None:
        self.stream = stream
        self.delay = delay
        self.started = time.monotonic()
        isatty = getattr(stream, "isatty", None)
        self.interactive = bool(isatty and isatty())
        self.bar: Any = None

    def __call__(self, step: int, total: int, label: str) -> None:
        if not self.interactive:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            from fastinit.cli import ProgressBar
            self.bar = ProgressBar(total, stream=self.stream)
        self.bar.done = step
        self.bar.start(label)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def run_cli(args: argparse.Namespace) -> int:
    """Run ``fastinit depth`` with parsed arguments.

    Parameters
    ----------
    args : argparse.Namespace
        From the parser :func:`add_cli_parser` made; options not given are
        absent and take their defaults.

    Returns
    -------
    int
        0 on success, 2 for inconsistent arguments (a usage error), 1 when
        the picture cannot be drawn or written.
    """
    width = getattr(args, "width", DEFAULT_WIDTH)
    depth = getattr(args, "depth", None)
    parser = getattr(args, "depth_parser", None)
    if isinstance(width, tuple) and depth is not None and depth != len(width) - 1:
        message = (f"--width gives {len(width)} widths, which make {len(width) - 1} "
                   f"layers, but --depth is {depth}")
        if parser is not None:
            parser.print_usage(sys.stderr)
        print(f"{PROG}: error: {message}", file=sys.stderr)
        return 2
    plot_path = getattr(args, "plot", None)
    if plot_path is not None:
        try:
            import matplotlib  # noqa: F401 -- checked before the run, not after
        except ImportError:
            print(f"{PROG}: error: --plot needs matplotlib: pip install matplotlib",
                  file=sys.stderr)
            return 1

    progress = _DelayedProgressBar(sys.stderr)
    try:
        profile = depth_profile(
            activation=getattr(args, "activation", DEFAULT_ACTIVATION),
            width=width,
            depth=depth,
            methods=getattr(args, "methods", None),
            batch=getattr(args, "batch", DEFAULT_BATCH),
            seed=getattr(args, "seed", DEFAULT_SEED),
            dtype=getattr(args, "dtype", DEFAULT_DTYPE),
            progress=progress)
    finally:
        progress.close()
    print(profile.table())
    if plot_path is not None:
        try:
            profile.plot(plot_path)
        except OSError as error:
            sys.stdout.flush()
            print(f"{PROG}: error: cannot write {plot_path}: {error}", file=sys.stderr)
            return 1
        print(f"\nwrote {plot_path}")
    return 0


def explain_hint(activation: Optional[str], n_out: int) -> Optional[str]:
    """The line ``fastinit explain`` prints to point to ``fastinit depth``.

    Parameters
    ----------
    activation : str or None
        The activation given to ``fastinit explain``.
    n_out : int
        Outputs of the explained layer: the width of the suggested network
        when it is between 2 and HINT_MAX_WIDTH.

    Returns
    -------
    str or None
        The line, or None when the experiment does not know the activation.
    """
    if activation is None:
        return None
    try:
        name = _canonical_activation(activation)
    except (TypeError, ValueError):
        return None
    width = f" --width {n_out}" if 2 <= n_out <= HINT_MAX_WIDTH else ""
    return (f"What each method does to a deep {name} network: "
            f"fastinit depth --activation {name}{width}")
