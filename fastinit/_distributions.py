"""The three distributions of the engine as fill plans: uniform, normal, truncated normal.

Each ``*_plan`` function takes a normalized shape and dtype and validated
float parameters, rounds the parameters to the compute precision exactly as
``docs/stream-format.md`` states, and returns a :class:`FillPlan`.
"""
from __future__ import annotations

import math
from typing import Any, Optional, Tuple

import numpy as np

from ._core import signed_key
from ._engine import FillPlan, compute_dtype
from ._validate import Shape

# float32 rounds every value of at least this magnitude to infinity (the
# midpoint between its largest finite value and 2**128 rounds to even, up).
FLOAT32_OVERFLOW = 2.0**128 - 2.0**103

#: Largest finite value of each output dtype (bfloat16 is the other 2-byte one).
LARGEST = {np.dtype(np.float16): 65504.0, np.dtype(np.float32): 3.4028234663852886e38,
           np.dtype(np.float64): 1.7976931348623157e308}
LARGEST_BFLOAT16 = 3.3895313892515355e38

#: The largest |z| a standard normal of the stream format can take: the
#: Box-Muller radius sqrt(-2 ln R) at the smallest R (2**-33 for float32,
#: 2**-54 for float64; docs/stream-format.md, section 4).
MAX_STANDARD_NORMAL = {4: math.sqrt(66 * math.log(2.0)), 8: math.sqrt(108 * math.log(2.0))}

# A truncation interval narrower than this (in units of std) is sampled
# uniformly; see truncated_normal_plan.
NARROW_TRUNCATION = 1e-6
# An interval whose mass under N(mean, std^2) is not above this cannot be
# resolved by the inverse CDF in double precision (about 37 std from the
# mean for an interval of width 1 std).
SMALLEST_MASS = 1e-280


def rounded(value: float, itemsize: int) -> float:
    """A finite Python float rounded to float32 (itemsize 4) or float64, as
    a Python float: infinite when float32 overflows."""
    if itemsize == 8:
        return value
    if abs(value) >= FLOAT32_OVERFLOW:
        return math.copysign(math.inf, value)
    return float(np.float32(value))


def _step(value: Any, dtype: np.dtype, direction: int) -> Any:
    """The neighbour of `value` in `dtype` towards +inf (1) or -inf (-1),
    by stepping its sign-magnitude bit pattern (works for every IEEE-style
    float, bfloat16 included)."""
    uint = np.dtype(f"u{dtype.itemsize}")
    x = np.asarray(value, dtype=dtype).reshape(1)
    bits = int(x.view(uint)[0])
    sign = 1 << (8 * dtype.itemsize - 1)
    if bits & ~sign == 0:  # +-0: the smallest subnormal of the wanted sign
        bits = 1 if direction > 0 else sign | 1
    elif (bits & sign == 0) == (direction > 0):
        bits += 1
    else:
        bits -= 1
    return np.array([bits], dtype=uint).view(dtype)[0]


# --------------------------------------------------------------------------
# uniform


def _uniform_params(low: float, high: float, compute: np.dtype) -> tuple:
    itemsize = compute.itemsize
    low_c, high_c = rounded(low, itemsize), rounded(high, itemsize)
    if not (math.isfinite(low_c) and math.isfinite(high_c)):
        raise ValueError(f"low and high must be finite in float{8 * itemsize}")
    # Rounding the double difference again to float32 equals rounding the
    # exact one: it is exact in double unless one bound is so much smaller
    # that neither rounding can reach a float32 midpoint.
    scale = rounded(high_c - low_c, itemsize)
    if not math.isfinite(scale):
        raise ValueError(f"high - low overflows float{8 * itemsize}")
    if high_c <= low_c:
        cap = low_c
    elif itemsize == 8:
        cap = math.nextafter(high_c, -math.inf)
    else:
        cap = float(np.nextafter(np.float32(high_c), np.float32(-np.inf)))
    return (low_c, scale, cap)


def _narrow_cap(low: float, high: float, dtype: np.dtype) -> float:
    """The largest value of a narrower dtype below high (low if none is)."""
    with np.errstate(over="ignore"):
        high_d = np.asarray(high).astype(dtype)
        low_d = np.asarray(low).astype(dtype)
    if not (np.isfinite(float(high_d)) and np.isfinite(float(low_d))):
        raise ValueError(f"low and high must be finite in {dtype.name}")
    cap = high_d
    while float(cap) >= high:
        cap = _step(cap, dtype, -1)
    if float(cap) < float(low_d):
        cap = low_d
    return float(cap)


def uniform_plan(shape: Shape, low: float, high: float, dtype: np.dtype, region: Any,
                 threads: Any) -> FillPlan:
    """U[low, high) (`low` <= `high`, both finite floats)."""
    if low > high:
        raise ValueError(f"low must be less than or equal to high, got low={low}, high={high}")
    compute = compute_dtype(dtype)
    params = _uniform_params(low, high, compute)
    if compute is not dtype:
        # rounded to 16 bits in the kernel, then kept below high there
        params += (_narrow_cap(low, high, dtype),)
    return FillPlan("uniform", shape, dtype, params, region, threads)


# --------------------------------------------------------------------------
# normal


def _check_normal_range(mean: float, std: float, dtype: np.dtype, compute: np.dtype) -> None:
    reach = abs(mean) + MAX_STANDARD_NORMAL[compute.itemsize] * std
    if reach > LARGEST.get(dtype, LARGEST_BFLOAT16):
        raise ValueError(
            f"mean and std: values up to {reach:.6g} (|mean| + "
            f"{MAX_STANDARD_NORMAL[compute.itemsize]:.3g} std) overflow {dtype.name}")


_NORMAL_PARAMS: dict = {}


def normal_plan(shape: Shape, mean: float, std: float, dtype: np.dtype, region: Any,
                threads: Any) -> FillPlan:
    """N(mean, std²) (`std` >= 0, both finite floats)."""
    key = (signed_key((mean, std)), dtype)
    known = _NORMAL_PARAMS.get(key)
    if known is None:
        known = _normal_params(mean, std, dtype)
        if len(_NORMAL_PARAMS) >= 4096:
            _NORMAL_PARAMS.clear()
        _NORMAL_PARAMS[key] = known
    params, post = known
    return FillPlan("normal", shape, dtype, params, region, threads, post)


def _normal_params(mean: float, std: float, dtype: np.dtype):
    compute = compute_dtype(dtype)
    itemsize = compute.itemsize
    mean_c, std_c = rounded(mean, itemsize), rounded(std, itemsize)
    if not (math.isfinite(mean_c) and math.isfinite(std_c)):
        raise ValueError(f"mean and std must be finite in float{8 * itemsize}")
    _check_normal_range(mean_c, std_c, dtype, compute)
    return (mean_c, std_c), None


# --------------------------------------------------------------------------
# truncated normal


def _phi(x: float) -> float:
    """Standard normal CDF."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


def _normal_mass(alpha: float, beta: float) -> float:
    """Phi(beta) - Phi(alpha) without cancellation: through erf near the
    centre (where Phi is close to 1/2), through erfc in the tails."""
    r = 1.0 / math.sqrt(2.0)
    if alpha >= 1.0:
        return 0.5 * (math.erfc(alpha * r) - math.erfc(beta * r))
    if beta <= -1.0:
        return 0.5 * (math.erfc(-beta * r) - math.erfc(-alpha * r))
    return 0.5 * (math.erf(beta * r) - math.erf(alpha * r))


def _inside_bounds(a: float, b: float, dtype: np.dtype) -> Tuple[Any, Any]:
    """Smallest and largest values of `dtype` inside [a, b]."""
    with np.errstate(over="ignore"):
        lo = np.asarray(a).astype(dtype)
        hi = np.asarray(b).astype(dtype)
    while float(lo) < a:
        lo = _step(lo, dtype, 1)
    while float(hi) > b:
        hi = _step(hi, dtype, -1)
    if float(lo) > float(hi):
        raise ValueError(f"no {dtype.name} value lies in [a, b] = [{a}, {b}]")
    return lo, hi


def _cast_clamp_post(dtype: np.dtype, lo: Any, hi: Any):
    def post(values: np.ndarray) -> np.ndarray:
        return np.clip(values.astype(dtype), lo, hi)
    return post


def _narrow_truncated_plan(shape: Shape, dtype: np.dtype, a: float, b: float, region: Any,
                           threads: Any) -> FillPlan:
    compute = compute_dtype(dtype)
    low, high = _inside_bounds(a, b, compute)
    params = _uniform_params(float(low), float(high), compute)
    # include b itself: clamp to the largest value inside [a, b], not below it
    params = (params[0], params[1], float(high))
    lo_d, hi_d = _inside_bounds(a, b, dtype)
    post = None if compute is dtype else _cast_clamp_post(dtype, lo_d, hi_d)
    return FillPlan("uniform", shape, dtype, params, region, threads, post)


def _point_mass_plan(shape: Shape, dtype: np.dtype, mean: float, a: float, b: float,
                     region: Any, threads: Any) -> FillPlan:
    """std = 0: every value is the mean, clamped to [a, b] and rounded."""
    try:
        out_low, out_high = _inside_bounds(a, b, dtype)
        value = min(max(mean, float(out_low)), float(out_high))
    except ValueError:
        # a == b == mean with no dtype value on it: the rounded mean, as
        # normal(std=0) gives
        out_low = out_high = np.asarray(mean).astype(dtype)
        value = float(out_low)
    params = (value, 1.0, 0.0, 0.0, 0.5, 0.5, 0.0, value, value)
    return FillPlan("truncated_normal", shape, dtype, params, region, threads)


def truncated_normal_plan(shape: Shape, mean: float, std: float, a: Optional[float],
                          b: Optional[float], dtype: np.dtype, region: Any,
                          threads: Any) -> FillPlan:
    """N(mean, std²) cut to [a, b] (default mean ± 2 std); see the rules below.

    * std = 0: the mean clamped to [a, b].
    * An interval narrower than 1e-6 std: uniform on [a, b] (the density is
      flat on it to within the format's accuracy).
    * An interval whose probability mass is 1e-280 or less (it lies about
      37 std or more from the mean): ValueError.
    * Otherwise the inverse CDF.
    """
    a = mean - 2.0 * std if a is None else a
    b = mean + 2.0 * std if b is None else b
    if not a < b and not (a == b and std == 0):
        raise ValueError(f"a must be less than b, got a={a}, b={b}")
    if std == 0:
        return _point_mass_plan(shape, dtype, mean, a, b, region, threads)
    out_low, out_high = _inside_bounds(a, b, dtype)
    alpha = (a - mean) / std
    beta = (b - mean) / std
    if beta - alpha < NARROW_TRUNCATION:
        # [a, b] is so narrow next to std that the density is flat on it
        # to within (b - a)^2 / std^2, below the format's accuracy: the
        # quantile would lose every digit to the rounding of Phi(alpha),
        # so the values are spread uniformly instead.
        return _narrow_truncated_plan(shape, dtype, a, b, region, threads)
    span = _normal_mass(alpha, beta)
    if not span > SMALLEST_MASS:
        raise ValueError(
            f"[a, b] = [{a}, {b}] lies too far in the tail of N({mean}, {std}**2): its "
            f"probability is below {SMALLEST_MASS:g}, beyond what the inverse CDF resolves")
    params = (mean, std, alpha, beta, _phi(alpha), _phi(-beta), span,
              float(out_low.astype(np.float64)), float(out_high.astype(np.float64)))
    return FillPlan("truncated_normal", shape, dtype, params, region, threads)
