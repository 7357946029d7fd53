"""The one set of argument validators.

Every public function checks each argument once, here, and raises numpy's
exception types with numpy's wording: TypeError for a value of the wrong
type, ValueError for a value out of range.  Nothing in the C core can fail,
so everything it needs is checked before it runs.

What counts as a real number: any :class:`numbers.Real` except ``bool``
(Python and NumPy ints and floats, fractions) and 0-d real NumPy arrays.
``decimal.Decimal`` is not a :class:`numbers.Real` and is refused, as are
strings, complex numbers and bools.
"""
from __future__ import annotations

import hashlib
import math
import numbers
import operator
import os
import secrets
from typing import Any, Optional, Sequence, Tuple

import numpy as np
from numpy.exceptions import AxisError

UINT64_LIMIT = 1 << 64
# Logical arrays are indexed with signed 64-bit integers.
MAX_LOGICAL_ELEMENTS = (1 << 63) - 1
# Fills below this many elements run on one thread: starting threads costs
# more than it saves.
THREADING_THRESHOLD = 1 << 17
MAX_THREADS = 256

SUPPORTED_FLOAT_NAMES = ("float32", "float64", "float16", "bfloat16")
#: The dtype of ``dtype=None``: fastinit's default, float32, as in torch and JAX
#: (numpy would read None as float64; fastinit never does).
NONE_DTYPE = np.dtype(np.float32)

Shape = Tuple[int, ...]


def _type_name(value: Any) -> str:
    return type(value).__name__


def _is_bool(value: Any) -> bool:
    return isinstance(value, (bool, np.bool_))


# --------------------------------------------------------------------------
# numbers


def real(value: Any, name: str) -> float:
    """`value` as a finite Python float."""
    if type(value) is float:  # the common case, kept cheap
        if value - value == 0.0:
            return value
        raise ValueError(f"{name} must be finite, got {value}")
    if _is_bool(value):
        raise TypeError(f"{name} must be a real number, not bool")
    if isinstance(value, np.ndarray):
        if value.ndim != 0 or value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real number, not a {value.ndim}-d "
                            f"{value.dtype} array")
        value = value[()]
    elif not isinstance(value, numbers.Real):
        if isinstance(value, (complex, np.complexfloating)):
            raise TypeError(f"{name} must be a real number, not complex")
        raise TypeError(f"{name} must be a real number, not {_type_name(value)}")
    result = float(value)
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, got {result}")
    return result


def nonnegative(value: Any, name: str) -> float:
    """A finite float ``>= 0``."""
    result = real(value, name)
    if result < 0:
        raise ValueError(f"{name} must be non-negative, got {result}")
    return result


def bound(value: Any, name: str, infinity: float) -> float:
    """A finite float, or the one infinity a truncation bound may be."""
    if (not _is_bool(value) and isinstance(value, numbers.Real)
            and value == infinity):
        return infinity
    return real(value, name)


def positive_fan(value: Any, name: str) -> Optional[float]:
    """A fan override: None, or a positive finite number (ints stay ints)."""
    if value is None:
        return None
    if _is_bool(value) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive number or None, not {_type_name(value)}")
    number = float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be a positive finite number, got {value}")
    return int(value) if isinstance(value, numbers.Integral) else number


def fraction(value: Any, name: str) -> float:
    """A float in [0, 1]."""
    result = real(value, name)
    if not 0.0 <= result <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {result}")
    return result


def integer(value: Any, name: str, minimum: Optional[int] = None) -> int:
    """An exact integer (Python or NumPy), not bool."""
    if type(value) is not int:
        if _is_bool(value):
            raise TypeError(f"{name} must be an integer, not bool")
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError(f"{name} must be an integer, not {_type_name(value)}") from None
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def choice(value: Any, name: str, choices: Sequence[str]) -> str:
    """One of the strings `choices`."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_type_name(value)}")
    if value not in choices:
        allowed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {allowed}; got {value!r}")
    return value


def axes(axis: Any, ndim: int, name: str) -> Tuple[int, ...]:
    """An int or a sequence of ints as a tuple of axes in [0, ndim)."""
    if _is_bool(axis):
        raise TypeError(f"{name} must be an int or a sequence of ints, not bool")
    try:
        items: Tuple[int, ...] = (operator.index(axis),)
    except TypeError:
        try:
            items = tuple(operator.index(a) for a in axis)
        except TypeError:
            raise TypeError(
                f"{name} must be an int or a sequence of ints, not {_type_name(axis)}"
            ) from None
    result = []
    for a in items:
        if not -ndim <= a < ndim:
            raise AxisError(a, ndim, msg_prefix=name)
        result.append(a % ndim)
    return tuple(result)


# --------------------------------------------------------------------------
# seeds, streams and block offsets


def _u64(value: Any, name: str, other: str) -> int:
    if type(value) is not int:
        if _is_bool(value):
            raise TypeError(f"{name} must be an integer{other}, not bool")
        try:
            value = operator.index(value)
        except TypeError:
            raise TypeError(
                f"{name} must be an integer{other}, not {_type_name(value)}") from None
    if not 0 <= value < UINT64_LIMIT:
        raise ValueError(f"{name} must be between 0 and 2**64 - 1, got {value}")
    return value


def seed(value: Any) -> int:
    """A seed in [0, 2**64); None draws 64 bits from the OS."""
    if type(value) is int and 0 <= value < UINT64_LIMIT:
        return value
    if value is None:
        return secrets.randbits(64)
    return _u64(value, "seed", " or None")


def stream_id(name: str) -> int:
    """The stream number of a named stream: BLAKE2b-64 of its UTF-8 bytes."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


_STREAM_IDS: dict = {}


def stream(value: Any) -> int:
    """A stream number in [0, 2**64) from an int or a name."""
    if type(value) is str:
        try:
            return _STREAM_IDS[value]
        except KeyError:
            if len(_STREAM_IDS) >= 4096:
                _STREAM_IDS.clear()
            number = _STREAM_IDS[value] = stream_id(value)
            return number
    if type(value) is int and 0 <= value < UINT64_LIMIT:
        return value
    if isinstance(value, str):
        return stream_id(value)
    return _u64(value, "stream", " or a str")


def block(value: Any) -> int:
    """A block offset in [0, 2**64)."""
    if value == 0 and type(value) is int:
        return 0
    return _u64(value, "block", "")


def threads(value: Any, n_elements: int) -> int:
    """Number of threads for a fill of `n_elements` elements."""
    if value == 1 and type(value) is int:
        return 1
    if value is None:
        if n_elements < THREADING_THRESHOLD:
            return 1
        try:
            available = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            available = os.cpu_count() or 1
        return max(1, min(available, MAX_THREADS))
    if _is_bool(value):
        raise TypeError("threads must be a positive integer or None, not bool")
    try:
        count = operator.index(value)
    except TypeError:
        raise TypeError(
            f"threads must be a positive integer or None, not {_type_name(value)}") from None
    if count < 1:
        raise ValueError(f"threads must be at least 1, got {count}")
    return min(count, MAX_THREADS)


# --------------------------------------------------------------------------
# shapes and dtypes


def shape(value: Any) -> Shape:
    """`value` as a tuple of non-negative ints (numpy's rules)."""
    if type(value) is int:
        if 0 <= value <= MAX_LOGICAL_ELEMENTS:
            return (value,)
    elif type(value) is tuple:
        # already normalized (the common case): exact non-negative ints
        n = 1
        for d in value:
            if type(d) is not int or d < 0:
                break
            n *= d
        else:
            if n <= MAX_LOGICAL_ELEMENTS:
                return value
    if _is_bool(value):
        raise TypeError("shape must be an int or a sequence of ints, not bool")
    dims: Tuple[int, ...]
    try:
        dims = (operator.index(value),)
    except TypeError:
        if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
            raise TypeError(
                f"'{_type_name(value)}' object cannot be interpreted as an integer") from None
        entries = []
        for d in value:
            if _is_bool(d):
                raise TypeError("shape entries must be ints, not bool")
            try:
                entries.append(operator.index(d))
            except TypeError:
                raise TypeError(
                    f"'{_type_name(d)}' object cannot be interpreted as an integer") from None
        dims = tuple(entries)
    if any(d < 0 for d in dims):
        raise ValueError("negative dimensions are not allowed")
    if math.prod(dims) > MAX_LOGICAL_ELEMENTS:
        raise ValueError(
            f"array of shape {dims} is too big: its {math.prod(dims)} elements exceed 2**63 - 1")
    return dims


def bfloat16_dtype() -> Optional[np.dtype]:
    """ml_dtypes' bfloat16, or None when ml_dtypes is not installed."""
    try:
        import ml_dtypes
    except ImportError:
        return None
    return np.dtype(ml_dtypes.bfloat16)


_DTYPES: dict = {}


def dtype(value: Any, method: str = "normal") -> np.dtype:
    """`value` as a numpy dtype fastinit can produce for `method`."""
    try:
        return _DTYPES[value]
    except (KeyError, TypeError):  # not seen yet, or unhashable
        pass
    result = _dtype_uncached(value, method)
    if len(_DTYPES) >= 64:  # a handful of spellings in practice
        _DTYPES.clear()
    try:
        _DTYPES[value] = result
    except TypeError:
        pass
    return result


def _dtype_uncached(value: Any, method: str) -> np.dtype:
    if value is None:
        return NONE_DTYPE
    try:
        if isinstance(value, str) and value == "bfloat16":
            bf16 = bfloat16_dtype()
            if bf16 is None:
                raise TypeError("dtype bfloat16 needs the ml_dtypes package "
                                "(pip install ml_dtypes)")
            result = bf16
        else:
            result = np.dtype(value)
    except TypeError as exc:
        if "ml_dtypes" in str(exc):
            raise
        raise TypeError(f"data type {value!r} not understood") from None
    if result.name not in SUPPORTED_FLOAT_NAMES or result.byteorder == ">":
        raise TypeError(
            f"Unsupported dtype {result!r} for {method}; expected float32, float64, "
            "float16 or bfloat16")
    return result
