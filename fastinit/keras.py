"""Keras 3 initializers made by fastinit: ``keras.initializers``' twins.

Each class has the name, the constructor arguments, the defaults and the
semantics of the Keras 3 class of the same name, subclasses
``keras.initializers.Initializer``, and returns a tensor of the active
backend (``keras.ops.convert_to_tensor`` of fastinit's NumPy result; tested
with the JAX, PyTorch and NumPy backends) from ``__call__(shape,
dtype=None)``::

    import keras
    import fastinit.keras as fik

    layer = keras.layers.Dense(4096, kernel_initializer=fik.HeNormal(seed=0))

As in Keras (and unlike fastinit's NumPy API and PyTorch), ``HeNormal``,
``GlorotNormal``, ``LecunNormal`` and ``VarianceScaling``'s default
``"truncated_normal"`` draw from a normal truncated at two of its standard
deviations and widened by 1 / 0.87962566103423978, so that the weights keep
the variance ``scale / n``; ``TruncatedNormal(mean, stddev)`` draws within
``mean ± 2 stddev`` without that correction.  Shapes are read as Keras reads
them: ``(*receptive_field, in, out)``, a 1-D shape has ``fan_in = fan_out =
shape[0]``, and ``input_axes``/``output_axes`` (both given) override the fans.

Seeds, as in Keras
------------------
An integer ``seed`` gives the same values on every call; ``seed=None`` draws
a 64-bit seed once, when the initializer is built, from Python's ``random``
module (which ``keras.utils.set_random_seed`` seeds), so every call of that
initializer gives the same values too; a ``keras.random.SeedGenerator``
gives new values on each call.  The values are fastinit's NumPy result for
that seed and stream 0, the same bits under every backend and on every
machine: ``fastinit.keras.HeNormal(seed=7)((784, 256))`` equals
``fastinit.variance_scaling((784, 256), 2.0, "fan_in", "truncated_normal",
seed=7)``.

Saving
------
Every class is registered with ``keras.saving.register_keras_serializable``
under the package ``"fastinit"`` (``"fastinit>HeNormal"``, ...) and has
``get_config``/``from_config``, so a model saved with ``model.save("m.keras")``
loads back with ``keras.models.load_model("m.keras")`` in any process that
has imported ``fastinit.keras``.
"""

import math
import operator
import random

import numpy as np

try:
    import keras  # type: ignore[import-untyped]
except ImportError as error:  # pragma: no cover - exercised without keras only
    import importlib.util
    import os

    try:
        installed = importlib.util.find_spec("keras") is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        raise ImportError(
            "fastinit.keras needs Keras 3, which is not installed: pip install keras "
            "(and a backend, e.g. pip install jax)") from error
    raise ImportError(
        f"fastinit.keras: Keras is installed but failed to import ({error}); its backend is "
        f"chosen by KERAS_BACKEND (now {os.environ.get('KERAS_BACKEND', 'unset')!r}): set it "
        "to jax, torch, numpy or tensorflow, one that is installed") from error

if int(keras.__version__.split(".")[0]) < 3:  # pragma: no cover
    raise ImportError(
        f"fastinit.keras needs Keras 3, found keras {keras.__version__}: pip install 'keras>=3'")

from .initializers import normal as _normal
from .initializers import truncated_normal as _truncated_normal
from .initializers import uniform as _uniform
from .initializers import constant as _constant
from .initializers import eye as _eye
from .initializers import orthogonal as _orthogonal
from .initializers import variance_scaling as _variance_scaling

__all__ = [
    "Constant",
    "GlorotNormal",
    "GlorotUniform",
    "HeNormal",
    "HeUniform",
    "Identity",
    "LecunNormal",
    "LecunUniform",
    "Ones",
    "Orthogonal",
    "RandomNormal",
    "RandomUniform",
    "TruncatedNormal",
    "VarianceScaling",
    "Zeros",
    "keras_fans",
]

_FLOAT_NAMES = ("float16", "bfloat16", "float32", "float64")
_SEED_LIMIT = 1 << 64

_register = keras.saving.register_keras_serializable(package="fastinit")


def _float_dtype(dtype, initializer):
    """``(keras dtype name, numpy dtype)`` of a floating `dtype` request."""
    name = keras.backend.standardize_dtype(dtype)
    if name not in _FLOAT_NAMES:
        raise ValueError(
            f"{initializer} draws random floats: dtype must be float16, bfloat16, float32 "
            f"or float64, got {name}")
    if name == "bfloat16":
        import ml_dtypes
        return name, np.dtype(ml_dtypes.bfloat16)
    return name, np.dtype(name)


def _tensor(array, name):
    """`array` as a backend tensor of dtype `name`, with the same values."""
    if array.dtype.itemsize < 4:
        # not every backend converts ml_dtypes/float16 arrays; widening to
        # float32 and narrowing back is exact
        array = array.astype(np.float32)
    return keras.ops.convert_to_tensor(array, dtype=name)


def _shape(shape):
    return tuple(operator.index(d) for d in shape)


def _scalar(value, name):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    try:
        return float(value)
    except TypeError as error:
        raise TypeError(f"{name} must be a real number, got {value!r}") from error


def keras_fans(shape, input_axes=None, output_axes=None):
    """``(fan_in, fan_out)`` of a weight shape, read as Keras reads it.

    Parameters
    ----------
    shape : tuple of ints
        The weight's shape.
    input_axes, output_axes : sequence of ints, optional
        When both are given, the fans are the products of those axes' sizes.

    Returns
    -------
    tuple of int
        ``(1, 1)`` for a scalar, ``(n, n)`` for a vector of ``n``, ``(in,
        out)`` for a matrix, and ``(in · r, out · r)`` for a kernel
        ``(*receptive_field, in, out)`` with ``r`` the receptive field's size.
    """
    shape = _shape(shape)
    if input_axes is not None and output_axes is not None:
        return (math.prod(shape[axis] for axis in input_axes),
                math.prod(shape[axis] for axis in output_axes))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = math.prod(shape[:-2])
    return shape[-2] * receptive_field, shape[-1] * receptive_field


# ---------------------------------------------------------------------------
# random initializers


class _RandomInitializer(keras.initializers.Initializer):
    """Seed handling shared by the random initializers (Keras's semantics)."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = random.getrandbits(64)
        elif isinstance(seed, dict):
            seed = keras.saving.deserialize_keras_object(seed)
        if isinstance(seed, keras.random.SeedGenerator):
            pass
        elif isinstance(seed, int) and not isinstance(seed, bool):
            if not 0 <= seed < _SEED_LIMIT:
                raise ValueError(f"`seed` must be in [0, 2**64), got {seed}")
        else:
            raise ValueError(
                "`seed` argument should be an instance of `keras.random.SeedGenerator()` "
                f"or an integer. Received: seed={seed!r}")
        self.seed = seed

    def _draw_seed(self):
        """The fastinit seed of this call."""
        if isinstance(self.seed, keras.random.SeedGenerator):
            state = np.asarray(keras.ops.convert_to_numpy(self.seed.next()))
            words = [int(w) & 0xFFFFFFFF for w in state.astype(np.int64).reshape(-1)[:2]]
            return (words[0] << 32) | words[1]
        return self.seed

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        name, np_dtype = _float_dtype(dtype, type(self).__name__)
        return _tensor(self._generate(shape, np_dtype, self._draw_seed()), name)

    def _generate(self, shape, dtype, seed):  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def get_config(self):
        return {"seed": keras.saving.serialize_keras_object(self._init_seed)}


@_register
class RandomNormal(_RandomInitializer):
    """Normal weights ``N(mean, stddev²)``, as ``keras.initializers.RandomNormal``.

    Parameters
    ----------
    mean : float, optional
        Mean (default 0).
    stddev : float, optional
        Standard deviation (default 0.05).
    seed : int or keras.random.SeedGenerator, optional
        See the module's notes on seeds.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        _normal((0,), _scalar(mean, "mean"), _scalar(stddev, "stddev"), seed=0)
        super().__init__(seed=seed)

    def _generate(self, shape, dtype, seed):
        return _normal(shape, float(self.mean), float(self.stddev), dtype=dtype, seed=seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@_register
class RandomUniform(_RandomInitializer):
    """Uniform weights on ``[minval, maxval)``, as ``keras.initializers.RandomUniform``.

    Parameters
    ----------
    minval, maxval : float, optional
        Bounds (default -0.05 and 0.05).
    seed : int or keras.random.SeedGenerator, optional
        See the module's notes on seeds.
    """

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        _uniform((0,), _scalar(minval, "minval"), _scalar(maxval, "maxval"), seed=0)
        super().__init__(seed=seed)

    def _generate(self, shape, dtype, seed):
        return _uniform(shape, float(self.minval), float(self.maxval), dtype=dtype, seed=seed)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


@_register
class TruncatedNormal(_RandomInitializer):
    """Normal weights within ``mean ± 2 stddev``, as ``keras.initializers.TruncatedNormal``.

    ``stddev`` is the standard deviation before truncation; no variance
    correction is applied (the weights' standard deviation is about 0.88
    ``stddev``), as in Keras.  Values are drawn by the inverse CDF, not by
    re-drawing.

    Parameters
    ----------
    mean : float, optional
        Mean (default 0).
    stddev : float, optional
        Standard deviation of the normal before truncation (default 0.05).
    seed : int or keras.random.SeedGenerator, optional
        See the module's notes on seeds.
    """

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        _normal((0,), _scalar(mean, "mean"), _scalar(stddev, "stddev"), seed=0)
        super().__init__(seed=seed)

    def _generate(self, shape, dtype, seed):
        mean, stddev = float(self.mean), float(self.stddev)
        if stddev == 0.0:
            return np.full(shape, mean, dtype)
        return _truncated_normal(shape, mean, stddev, dtype=dtype, seed=seed)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


_KERAS_TO_FASTINIT_DISTRIBUTION = {
    "truncated_normal": "truncated_normal",
    "untruncated_normal": "normal",
    "uniform": "uniform",
}


@_register
class VarianceScaling(_RandomInitializer):
    r"""Weights whose scale adapts to the shape, as ``keras.initializers.VarianceScaling``.

    The weights have mean 0 and variance :math:`\mathrm{scale} / n` with
    ``n = max(1, fan)`` for the fan the ``mode`` names (fans as in
    :func:`keras_fans`).

    Parameters
    ----------
    scale : float, optional
        Positive multiplier of the variance (default 1).
    mode : {"fan_in", "fan_out", "fan_avg"}, optional
        ``n`` is fan_in (default), fan_out or their mean.
    distribution : {"truncated_normal", "untruncated_normal", "uniform"}, optional
        ``"truncated_normal"`` (default; ``"normal"`` is read as it, as
        Keras does): ``sigma' Z`` with ``Z`` standard normal truncated to
        (-2, 2) and ``sigma' = sqrt(scale / n) / 0.87962566103423978``;
        ``"untruncated_normal"``: ``N(0, scale / n)``; ``"uniform"``:
        ``U(-b, b)`` with ``b = sqrt(3 scale / n)``.
    seed : int or keras.random.SeedGenerator, optional
        See the module's notes on seeds.
    input_axes, output_axes : list of ints, optional
        When both are given, the fans are the products of those axes' sizes.

    Notes
    -----
    Glorot & Bengio (AISTATS 2010), He et al. (ICCV 2015) and LeCun et al.
    ("Efficient BackProp", 1998) are the cases ``scale=1, "fan_avg"``,
    ``scale=2, "fan_in"`` and ``scale=1, "fan_in"``.
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if not _scalar(scale, "scale") > 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = ("fan_in", "fan_out", "fan_avg")
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode!r}. Please use one of "
                             f"{allowed_modes}")
        if not isinstance(distribution, str):
            raise TypeError(f"`distribution` must be a string, got {distribution!r}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        if distribution not in _KERAS_TO_FASTINIT_DISTRIBUTION:
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}. Please use "
                             f"one of {tuple(_KERAS_TO_FASTINIT_DISTRIBUTION)}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def _generate(self, shape, dtype, seed):
        fan_in, fan_out = keras_fans(shape, self.input_axes, self.output_axes)
        if math.prod(shape) == 0:
            return np.zeros(shape, dtype)
        return _variance_scaling(
            shape, float(self.scale), self.mode,
            _KERAS_TO_FASTINIT_DISTRIBUTION[self.distribution], dtype=dtype, seed=seed,
            fan_in=max(1, fan_in), fan_out=max(1, fan_out))

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class _NamedVarianceScaling(VarianceScaling):
    """A fixed case of VarianceScaling; only the seed and the axes vary."""

    _scale = 1.0
    _mode = "fan_in"
    _distribution = "truncated_normal"

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        super().__init__(scale=self._scale, mode=self._mode, distribution=self._distribution,
                         seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self):
        return {"seed": keras.saving.serialize_keras_object(self._init_seed),
                "input_axes": self.input_axes, "output_axes": self.output_axes}


_NAMED_PARAMETERS = """
    Parameters
    ----------
    seed : int or keras.random.SeedGenerator, optional
        See the module's notes on seeds.
    input_axes, output_axes : list of ints, optional
        When both are given, the fans are the products of those axes' sizes.
    """


@_register
class GlorotUniform(_NamedVarianceScaling):
    __doc__ = ("Glorot/Xavier uniform (Glorot & Bengio, AISTATS 2010): ``U(-b, b)``, "
               "``b = sqrt(6 / (fan_in + fan_out))``, as ``keras.initializers.GlorotUniform``.\n"
               + _NAMED_PARAMETERS)
    _scale, _mode, _distribution = 1.0, "fan_avg", "uniform"


@_register
class GlorotNormal(_NamedVarianceScaling):
    __doc__ = ("Glorot/Xavier normal (Glorot & Bengio, AISTATS 2010), truncated at 2 std with "
               "``Var = 2 / (fan_in + fan_out)``, as ``keras.initializers.GlorotNormal``.\n"
               + _NAMED_PARAMETERS)
    _scale, _mode, _distribution = 1.0, "fan_avg", "truncated_normal"


@_register
class HeUniform(_NamedVarianceScaling):
    __doc__ = ("He uniform (He et al., ICCV 2015): ``U(-b, b)``, ``b = sqrt(6 / fan_in)``, "
               "as ``keras.initializers.HeUniform``.\n" + _NAMED_PARAMETERS)
    _scale, _mode, _distribution = 2.0, "fan_in", "uniform"


@_register
class HeNormal(_NamedVarianceScaling):
    __doc__ = ("He normal (He et al., ICCV 2015), truncated at 2 std with ``Var = 2 / "
               "fan_in``, as ``keras.initializers.HeNormal``.\n" + _NAMED_PARAMETERS)
    _scale, _mode, _distribution = 2.0, "fan_in", "truncated_normal"


@_register
class LecunUniform(_NamedVarianceScaling):
    __doc__ = ("LeCun uniform (LeCun et al., Efficient BackProp, 1998): ``U(-b, b)``, "
               "``b = sqrt(3 / fan_in)``, as ``keras.initializers.LecunUniform``.\n"
               + _NAMED_PARAMETERS)
    _scale, _mode, _distribution = 1.0, "fan_in", "uniform"


@_register
class LecunNormal(_NamedVarianceScaling):
    __doc__ = ("LeCun normal (LeCun et al., Efficient BackProp, 1998; Klambauer et al., "
               "NeurIPS 2017), truncated at 2 std with ``Var = 1 / fan_in``, as "
               "``keras.initializers.LecunNormal``.\n" + _NAMED_PARAMETERS)
    _scale, _mode, _distribution = 1.0, "fan_in", "truncated_normal"


@_register
class Orthogonal(_RandomInitializer):
    """A (semi-)orthogonal matrix times ``gain``, as ``keras.initializers.Orthogonal``.

    A shape of more than two dimensions is the matrix ``(prod(shape[:-1]),
    shape[-1])``; it has orthonormal columns, or rows if there are fewer
    rows, and is uniformly (Haar) distributed (Saxe, McClelland & Ganguli,
    ICLR 2014; Mezzadri 2007).

    Parameters
    ----------
    gain : float, optional
        Multiplier (default 1).
    seed : int or keras.random.SeedGenerator, optional
        See the module's notes on seeds.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        _scalar(gain, "gain")
        super().__init__(seed=seed)

    def _generate(self, shape, dtype, seed):
        if len(shape) < 2:
            raise ValueError(
                "The tensor to initialize must be at least two-dimensional. Received: "
                f"shape={shape} of rank {len(shape)}.")
        return _orthogonal(shape, float(self.gain), dtype=dtype, seed=seed)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


# ---------------------------------------------------------------------------
# constant initializers


def _constant_tensor(shape, value, dtype):
    """A tensor full of `value`; integer and boolean dtypes are allowed, as in Keras."""
    name = keras.backend.standardize_dtype(dtype)
    shape = _shape(shape)
    if name in _FLOAT_NAMES:
        _, np_dtype = _float_dtype(name, "constant")
        return _tensor(_constant(shape, _scalar(value, "value"), dtype=np_dtype), name)
    return keras.ops.convert_to_tensor(np.full(shape, value, dtype=name), dtype=name)


@_register
class Zeros(keras.initializers.Initializer):
    """Zeros, as ``keras.initializers.Zeros``."""

    def __call__(self, shape, dtype=None):
        return _constant_tensor(shape, 0, dtype)


@_register
class Ones(keras.initializers.Initializer):
    """Ones, as ``keras.initializers.Ones``."""

    def __call__(self, shape, dtype=None):
        return _constant_tensor(shape, 1, dtype)


@_register
class Constant(keras.initializers.Initializer):
    """A scalar ``value`` everywhere, as ``keras.initializers.Constant``.

    Parameters
    ----------
    value : scalar, optional
        The constant (default 0).
    """

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        return _constant_tensor(shape, self.value, dtype)

    def get_config(self):
        return {"value": keras.saving.serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config):
        return cls(keras.saving.deserialize_keras_object(config["value"]))


@_register
class Identity(keras.initializers.Initializer):
    """The identity matrix times ``gain``, as ``keras.initializers.Identity``.

    Only 2-D shapes; a non-square one has ones on its main diagonal
    (``numpy.eye(rows, cols)``).

    Parameters
    ----------
    gain : float, optional
        Multiplier (default 1).
    """

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(
                "Identity matrix initializer can only be used for 2D matrices. "
                f"Received: shape={shape} of rank {len(shape)}.")
        name, np_dtype = _float_dtype(dtype, "Identity")
        identity = _eye(shape, dtype=np.float64) * _scalar(self.gain, "gain")
        return _tensor(identity.astype(np_dtype), name)

    def get_config(self):
        return {"gain": self.gain}
