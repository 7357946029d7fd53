"""float16 and bfloat16 fills, converted inside the kernels, against the
float32 fill of the same stream rounded by numpy / ml_dtypes and clamped by
np.minimum / np.clip (how fastinit computed them before: the bits must not
change), on every instruction-set path, including the ties at zero where
NumPy's choice between -0 and +0 shows."""
import numpy as np
import pytest

import fastinit
from fastinit._engine import FillPlan
from fastinit import _core

N = 4099  # a few batches of every path plus a partial one


def half_dtypes():
    dtypes = [np.dtype(np.float16)]
    try:
        import ml_dtypes
    except ImportError:
        return dtypes
    return dtypes + [np.dtype(ml_dtypes.bfloat16)]


DTYPES = half_dtypes()


@pytest.fixture(params=fastinit.supported_isas())
def isa(request):
    before = _core.isa_selected()
    _core.select_isa(request.param)
    yield request.param
    _core.select_isa(before)


def bits(a):
    return np.ascontiguousarray(a).view(np.uint16)


def below(high, dtype):
    """The largest value of `dtype` below `high`."""
    v = np.asarray(high).astype(dtype).reshape(1)
    u = v.view(np.uint16)
    while float(v[0]) >= high:
        if u[0] & 0x8000:
            u[0] += 1
        elif u[0] == 0:
            u[0] = 0x8001
        else:
            u[0] -= 1
    return v[0]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (0.0, 3e-7), (-2.5, 1e5), (1e-3, 1e-6), (70000.0, 10.0)])
def test_normal(isa, dtype, mean, std):
    with np.errstate(over="ignore"):
        want = fastinit.normal(N, mean, std, seed=5, stream=1, dtype=np.float32).astype(dtype)
    reach = abs(mean) + 6.8 * std
    if reach > float(np.finfo(np.float16).max) and np.dtype(dtype) == np.float16:
        # the public API refuses parameters that can overflow the dtype; the
        # kernel's own rounding of large values to infinity is checked below
        with pytest.raises(ValueError, match="overflow float16"):
            fastinit.normal(N, mean, std, seed=5, stream=1, dtype=dtype)
        plan = FillPlan("normal", (N,), np.dtype(dtype),
                        (float(np.float32(mean)), float(np.float32(std))), None, None, None)
        got = plan.run(5, 1, 0)
    else:
        got = fastinit.normal(N, mean, std, seed=5, stream=1, dtype=dtype)
    assert got.dtype == dtype
    np.testing.assert_array_equal(bits(got), bits(want))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("low, high", [(0.0, 1.0), (-1.0, 1e-9), (-1e-7, 1e-7), (-3.0, -1e-9), (1000.0, 1024.0),
                                       (-65504.0, 65504.0), (2.0, 2.0)])
def test_uniform(isa, dtype, low, high):
    cap = below(high, dtype) if high > low else np.asarray(low).astype(dtype)
    cap = max(cap, np.asarray(low).astype(dtype)) if high > low else cap
    with np.errstate(over="ignore"):
        want = np.minimum(fastinit.uniform(N, low, high, seed=9, dtype=np.float32).astype(dtype), cap).astype(dtype)
    got = fastinit.uniform(N, low, high, seed=9, dtype=dtype)
    np.testing.assert_array_equal(bits(got), bits(want))


# bounds that both dtypes represent exactly, so the float32 fill is clamped to
# the same values as the narrow one
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 1e-7, -1.0, 0.0), (0.0, 1e-7, 0.0, 1.0),
                                             (0.25, 0.5, -0.5, 1.0), (3.0, 1.0, 4.0, 8.0)])
def test_truncated_normal(isa, dtype, mean, std, a, b):
    lo, hi = np.asarray(a).astype(dtype), np.asarray(b).astype(dtype)
    values = fastinit.truncated_normal(N, mean, std, a, b, seed=3, dtype=np.float32).astype(dtype)
    want = np.clip(values, lo, hi).astype(dtype)  # (bfloat16 clips in float32)
    got = fastinit.truncated_normal(N, mean, std, a, b, seed=3, dtype=dtype)
    np.testing.assert_array_equal(bits(got), bits(want))


def test_zero_ties_are_exercised():
    # the cases above do reach rounded values of -0 next to a bound of +0
    values = fastinit.truncated_normal(N, 0.0, 1e-7, -1.0, 0.0, seed=3, dtype=np.float16)
    assert np.any((values == 0) & np.signbit(values))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_region_and_strided_out(dtype):
    full = fastinit.normal((64, 48), seed=11, dtype=dtype)
    part = fastinit.normal((64, 48), seed=11, dtype=dtype, region=(slice(5, 40), slice(3, 47)))
    np.testing.assert_array_equal(bits(part), bits(full[5:40, 3:47]))
    out = np.zeros((48, 64), dtype).T
    fastinit.normal((64, 48), seed=11, dtype=dtype, out=out)
    np.testing.assert_array_equal(bits(out), bits(full))
