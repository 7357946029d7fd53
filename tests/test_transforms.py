"""Every value transform of docs/stream-format.md rebuilt in NumPy from raw words.

The reference (tests/reference.py) evaluates the contract's formulas from the
exact inputs U24/U53/R32/R64 in float64 or long double; the engine must agree
within docs/stream-format.md's accuracy bounds (uniforms on [0, 1) exactly).
"""

import numpy as np
import pytest

import fastinit
import reference

FLOAT_DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["f32", "f64"]


def rounding_allowance(values, mean, std, z_ref, dtype):
    """Error from rounding mean + std*z (and mean, std) to dtype, in standard units.

    Zero for mean 0 and std 1, where the contract's bound applies to the
    stored value itself.
    """
    if mean == 0 and std == 1:
        return 0.0
    eps = float(np.finfo(dtype).eps)
    return eps * (np.abs(values) / std + np.abs(mean) / std + np.abs(z_ref))


def assert_within(values, z_ref, mean, std, dtype, relative_bound, label):
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    z_ref = np.asarray(z_ref, dtype=np.float64).reshape(-1)
    assert np.all(np.isfinite(values)), label + ": non-finite values"
    z_got = (values - mean) / std
    tolerance = relative_bound * np.maximum(1.0, np.abs(z_ref)) + rounding_allowance(
        values, mean, std, z_ref, dtype
    )
    error = np.abs(z_got - z_ref)
    bad = np.flatnonzero(error > tolerance)
    assert bad.size == 0, "%s: %d of %d elements off, worst at %d: got z=%r, want %r (bound %r)" % (
        label,
        bad.size,
        values.size,
        bad[np.argmax(error[bad] / tolerance[bad])],
        z_got[bad[0]],
        z_ref[bad[0]],
        tolerance[bad[0]],
    )


# --- uniform ------------------------------------------------------------------

UNIT_CASES = [
    dict(shape=100_003, seed=1, stream=0, block=0),
    dict(shape=(257, 129), seed=2**64 - 1, stream=2**64 - 1, block=2**32 - 7),
    dict(shape=(3, 5, 7), seed=123456789, stream="encoder.layer3.weight", block=1),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", UNIT_CASES, ids=range(len(UNIT_CASES)))
def test_standard_uniform_is_exact(case, dtype):
    got = fastinit.uniform(case["shape"], dtype=dtype, seed=case["seed"], stream=case["stream"], block=case["block"])
    shape = np.empty(case["shape"], dtype=np.uint8).shape
    assert got.dtype == dtype and got.shape == shape
    index, _ = reference.flat_indices(shape)
    expected = reference.standard_uniform(index, dtype, case["seed"], case["stream"], case["block"])
    # U24 and U53 are exact in their own dtype.
    np.testing.assert_array_equal(got.reshape(-1), expected.astype(dtype))
    assert got.min() >= 0.0 and got.max() < 1.0


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_explicit_unit_interval_is_the_default(dtype):
    default = fastinit.uniform(1001, dtype=dtype, seed=5)
    explicit = fastinit.uniform(1001, 0.0, 1.0, dtype=dtype, seed=5)
    np.testing.assert_array_equal(default, explicit)


BOUNDS = [
    (-0.1, 0.3),
    (-3.0, 5.0),
    (1000.0, 1001.0),
    (-2.5, -2.0),
    (-1e6, 1e-3),
    (0.0, 1e-30),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("low, high", BOUNDS)
def test_uniform_low_high(low, high, dtype):
    n, seed, stream, block = 50_001, 31, 4, 3
    got = fastinit.uniform(n, low, high, dtype=dtype, seed=seed, stream=stream, block=block)
    assert got.dtype == dtype
    unit = reference.standard_uniform(np.arange(n), dtype, seed, stream, block)
    exact = low + (high - low) * unit
    # Rounding low, high, high - low, the product and the sum to dtype: within 4 ulp of the scale.
    tolerance = 4 * float(np.finfo(dtype).eps) * max(abs(low), abs(high))
    error = np.abs(got.astype(np.float64) - exact)
    assert error.max() <= tolerance, (error.max(), tolerance)
    assert got.min() >= dtype(low)
    assert got.max() < dtype(high)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_uniform_never_reaches_high(dtype):
    # [1, 1 + 8 ulp) holds only 8 values of dtype, so about 1 in 16 exact values
    # lie within half an ulp of `high` and round up to it; each must be replaced
    # by the largest value below `high`.
    ulp = float(np.finfo(dtype).eps)
    low, high = 1.0, 1.0 + 8 * ulp
    n, seed = 200_001, 17
    got = fastinit.uniform(n, low, high, dtype=dtype, seed=seed)
    below_high = np.nextafter(dtype(high), dtype(0))
    assert float(below_high) == 1.0 + 7 * ulp
    # Positions in ulps above `low`: exact in float64 (U times 8).
    exact_ulps = 8 * reference.standard_uniform(np.arange(n), dtype, seed)
    got_ulps = (got.astype(np.float64) - 1.0) / ulp
    assert got.min() >= dtype(low)
    assert np.all(got < dtype(high))
    # The tie at 7.5 ulp rounds to the even neighbour, which is `high`.
    rounds_up = exact_ulps >= 7.5
    assert rounds_up.sum() > n // 32
    np.testing.assert_array_equal(got[rounds_up], below_high)
    assert np.max(np.abs(got_ulps - exact_ulps)) <= 1.0


# --- normal -------------------------------------------------------------------

NORMAL_CASES = [
    dict(shape=100_001, mean=0.0, std=1.0, seed=1, stream=0, block=0),
    dict(shape=(301, 217), mean=0.5, std=0.02, seed=2**64 - 1, stream=2**64 - 1, block=2**32 - 5),
    dict(shape=(3, 5, 7), mean=-3.0, std=7.5, seed=12345, stream="decoder.w", block=3),
    dict(shape=4097, mean=100.0, std=1e-3, seed=7, stream=9, block=11),
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", NORMAL_CASES, ids=range(len(NORMAL_CASES)))
def test_normal_matches_box_muller(case, dtype):
    got = fastinit.normal(
        case["shape"], case["mean"], case["std"], dtype=dtype,
        seed=case["seed"], stream=case["stream"], block=case["block"],
    )
    shape = np.empty(case["shape"], dtype=np.uint8).shape
    assert got.dtype == dtype and got.shape == shape
    index, _ = reference.flat_indices(shape)
    z_ref = reference.standard_normal(index, dtype, case["seed"], case["stream"], case["block"])
    assert_within(got, z_ref, case["mean"], case["std"], dtype, reference.NORMAL_TOL[np.dtype(dtype)], "normal")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_normal_mean_std_keywords(dtype):
    positional = fastinit.normal(999, 2.0, 3.0, dtype=dtype, seed=4)
    keywords = fastinit.normal(999, mean=2.0, std=3.0, dtype=dtype, seed=4)
    np.testing.assert_array_equal(positional, keywords)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_normal_pairing_cos_even_sin_odd(dtype):
    # Element 2k is r*cos(2*pi*f) and 2k+1 is r*sin(2*pi*f) of the same pair,
    # so consecutive pairs satisfy z0**2 + z1**2 == r**2 = -2 ln R.
    n, seed = 20_000, 99
    got = fastinit.normal(n, dtype=dtype, seed=seed).astype(np.float64).reshape(-1, 2)
    w = reference.words(seed, 0, 0, 0, n * (2 if dtype == np.float64 else 1))
    if dtype == np.float64:
        w = w.reshape(-1, 4)
        radius_sq = -2.0 * np.log(reference.r64(w[:, 0], w[:, 1]))
        turn = reference.u53(w[:, 2], w[:, 3])
    else:
        w = w.reshape(-1, 2)
        radius_sq = -2.0 * np.log(reference.r32(w[:, 0]).astype(np.float64))
        turn = reference.u24(w[:, 1])
    bound = 4 * reference.NORMAL_TOL[np.dtype(dtype)]
    np.testing.assert_allclose(got[:, 0] ** 2 + got[:, 1] ** 2, radius_sq, rtol=bound, atol=bound)
    quadrant = np.floor(turn * 4).astype(int)
    # Signs follow cos/sin of the angle away from the quadrant edges.
    interior = np.abs(turn * 4 - np.round(turn * 4)) > 1e-3
    cos_sign = np.where(np.isin(quadrant, [0, 3]), 1.0, -1.0)
    sin_sign = np.where(quadrant < 2, 1.0, -1.0)
    assert np.all(np.sign(got[interior, 0]) == cos_sign[interior])
    assert np.all(np.sign(got[interior, 1]) == sin_sign[interior])


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_normal_tail_bound(dtype):
    # R32 >= 2**-33 and R64 >= 2**-54 bound |z| by sqrt(-2 ln R_min).
    got = fastinit.normal(2**20, dtype=dtype, seed=3)
    bits = 33 if dtype == np.float32 else 54
    limit = np.sqrt(2 * bits * np.log(2.0)) * (1 + reference.NORMAL_TOL[np.dtype(dtype)])
    assert np.all(np.isfinite(got))
    assert np.abs(got).max() <= limit


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_normal_accuracy_in_the_tails(dtype):
    # The largest |z| come from the smallest radius words; find some in a long
    # run of words and check those pairs, where ln's accuracy matters most.
    seed, n_words = 2718, 2**24
    raw = fastinit.random_raw(n_words, seed=seed)
    if dtype == np.float64:
        pair_radius_words = raw.reshape(-1, 4)[:, 1]  # the high word of R64
    else:
        pair_radius_words = raw.reshape(-1, 2)[:, 0]
    pairs = np.argsort(pair_radius_words, kind="stable")[:64]
    index = np.sort(np.concatenate([2 * pairs, 2 * pairs + 1]))
    n_elements = 2 * pair_radius_words.size
    got = np.concatenate(
        [fastinit.normal(n_elements, dtype=dtype, seed=seed, region=np.s_[int(i) : int(i) + 1,]) for i in index]
    )
    z_ref = reference.standard_normal(index, dtype, seed)
    assert np.abs(z_ref).max() > 5.0
    assert_within(got, z_ref, 0.0, 1.0, dtype, reference.NORMAL_TOL[np.dtype(dtype)], "tail normal")


# --- truncated normal ---------------------------------------------------------

TRUNCATED_CASES = [
    dict(mean=0.0, std=1.0, a=None, b=None),
    dict(mean=1.5, std=0.3, a=None, b=None),
    dict(mean=0.5, std=2.0, a=-1.0, b=3.0),
    dict(mean=0.0, std=1.0, a=2.5, b=6.0),
    dict(mean=0.0, std=1.0, a=-6.0, b=-2.5),
    dict(mean=0.0, std=1.0, a=-8.0, b=8.0),
    dict(mean=-1.0, std=0.5, a=-1.2, b=-1.1999),
    dict(mean=0.0, std=1.0, a=-1.0, b=None),
]


def standard_bounds(case):
    a = case["mean"] - 2 * case["std"] if case["a"] is None else case["a"]
    b = case["mean"] + 2 * case["std"] if case["b"] is None else case["b"]
    return a, b, (a - case["mean"]) / case["std"], (b - case["mean"]) / case["std"]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", TRUNCATED_CASES, ids=range(len(TRUNCATED_CASES)))
def test_truncated_normal_inverse_cdf(case, dtype):
    pytest.importorskip("scipy")
    n, seed, stream, block = 50_001, 8, "layer.0", 2**32 - 1
    kwargs = {k: v for k, v in case.items() if v is not None}
    got = fastinit.truncated_normal(n, dtype=dtype, seed=seed, stream=stream, block=block, **kwargs)
    assert got.dtype == dtype and got.shape == (n,)
    a, b, alpha, beta = standard_bounds(case)
    assert got.min() >= dtype(a)
    assert got.max() <= dtype(b)
    z_ref = reference.standard_truncated_normal(np.arange(n), dtype, alpha, beta, seed, stream, block)
    assert_within(got, z_ref, case["mean"], case["std"], dtype, reference.TRUNCATED_TOL[np.dtype(dtype)], "truncated")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_truncated_normal_2d_shape_and_offset(dtype):
    pytest.importorskip("scipy")
    shape, seed = (123, 45), 2**63 + 5
    got = fastinit.truncated_normal(shape, 0.25, 0.5, dtype=dtype, seed=seed, stream=1, block=77)
    index, _ = reference.flat_indices(shape)
    z_ref = reference.standard_truncated_normal(index, dtype, -2.0, 2.0, seed, 1, 77)
    assert_within(got, z_ref, 0.25, 0.5, dtype, reference.TRUNCATED_TOL[np.dtype(dtype)], "truncated 2-D")


# --- regions far into huge logical arrays ------------------------------------

METHODS = ["uniform", "normal", "truncated_normal"]


def expected_standard(method, index, dtype, seed, stream=0, block=0):
    if method == "uniform":
        return reference.standard_uniform(index, dtype, seed, stream, block)
    if method == "normal":
        return reference.standard_normal(index, dtype, seed, stream, block)
    return reference.standard_truncated_normal(index, dtype, -2.0, 2.0, seed, stream, block)


def check_standard(method, got, index, dtype, seed, stream=0, block=0, label=""):
    expected = expected_standard(method, index, dtype, seed, stream, block)
    if method == "uniform":
        np.testing.assert_array_equal(got.reshape(-1), expected.astype(dtype))
    else:
        table = reference.NORMAL_TOL if method == "normal" else reference.TRUNCATED_TOL
        assert_within(got, expected, 0.0, 1.0, dtype, table[np.dtype(dtype)], label)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_region_crossing_block_carry_of_huge_array(method, dtype):
    if method == "truncated_normal":
        pytest.importorskip("scipy")
    # Element e of the logical array reads block ~ e * words_per_element / 4;
    # put the region across block 2**32 (the carry into counter word 1).
    per = reference.words_per_element(method, dtype)
    elements_per_block = 4 // per * (2 if method == "normal" else 1)
    columns = 4
    crossing_row = 2**32 * elements_per_block // columns
    shape = (crossing_row + 1000, columns)
    region = np.s_[crossing_row - 5 : crossing_row + 6, 1:4]
    seed = 4242
    got = getattr(fastinit, method)(shape, dtype=dtype, seed=seed, region=region)
    index, region_shape = reference.flat_indices(shape, region)
    assert got.shape == region_shape
    assert index.max() > 2**32  # elements beyond 32-bit indexing
    check_standard(method, got, index, dtype, seed, label=method + " far region")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_region_values_of_3d_array(method, dtype):
    if method == "truncated_normal":
        pytest.importorskip("scipy")
    shape, region, seed = (6, 11, 13), np.s_[1:5, 3:10, 5:12], 31337
    got = getattr(fastinit, method)(shape, dtype=dtype, seed=seed, stream=2, block=5, region=region)
    index, region_shape = reference.flat_indices(shape, region)
    assert got.shape == region_shape
    check_standard(method, got, index, dtype, seed, 2, 5, label=method + " 3-D region")


# --- float16 and bfloat16 -----------------------------------------------------

def largest_below(high, dtype):
    """Largest value of a 16-bit float dtype below a positive `high`."""
    bits = np.array([high], dtype=dtype).view(np.uint16)
    return (bits - np.uint16(1)).view(dtype)[0]


def half_dtypes():
    dtypes = [pytest.param(np.dtype(np.float16), id="f16")]
    try:
        import ml_dtypes
    except ImportError:
        dtypes.append(pytest.param(None, id="bf16", marks=pytest.mark.skip(reason="ml_dtypes not installed")))
    else:
        dtypes.append(pytest.param(np.dtype(ml_dtypes.bfloat16), id="bf16"))
    return dtypes


def finite_values(dtype):
    """Every finite value of a 16-bit float dtype, ascending."""
    with np.errstate(invalid="ignore"):  # the NaN patterns
        values = np.arange(2**16, dtype=np.uint32).astype(np.uint16).view(dtype).astype(np.float64)
    return np.unique(values[np.isfinite(values)])


@pytest.mark.parametrize("half", half_dtypes())
def test_half_precision_normal_is_rounded_float32(half):
    shape = (513, 7)
    kwargs = dict(seed=65, stream=3, block=2)
    via_float32 = fastinit.normal(shape, 0.1, 0.7, dtype=np.float32, **kwargs)
    got = fastinit.normal(shape, 0.1, 0.7, dtype=half, **kwargs)
    assert got.dtype == half
    # astype rounds to nearest, ties to even.
    np.testing.assert_array_equal(got.view(np.uint16), via_float32.astype(half).view(np.uint16))


@pytest.mark.parametrize("half", half_dtypes())
def test_half_precision_truncated_is_rounded_float32_inside_bounds(half):
    # Bounds that the 16-bit type cannot represent: float32 values just inside
    # a bound may round to a value outside it; those take the nearest value
    # inside [a, b], so every sample still lies in [a, b].
    n, a, b = 200_001, -1.3, 1.7
    kwargs = dict(seed=66, stream=3, block=2)
    via_float32 = fastinit.truncated_normal(n, 0.1, 0.7, a, b, dtype=np.float32, **kwargs)
    got = fastinit.truncated_normal(n, 0.1, 0.7, a, b, dtype=half, **kwargs)
    assert got.dtype == half
    grid = finite_values(half)
    inside_low, inside_high = grid[grid >= a].min(), grid[grid <= b].max()
    rounded = via_float32.astype(half).astype(np.float64)
    assert np.any(rounded < a) or np.any(rounded > b)  # the clamp is exercised
    expected = np.clip(rounded, inside_low, inside_high)
    np.testing.assert_array_equal(got.astype(np.float64), expected)
    assert got.astype(np.float64).min() >= a and got.astype(np.float64).max() <= b


@pytest.mark.parametrize("half", half_dtypes())
def test_half_precision_uniform_stays_below_high(half):
    n, high = 100_003, 1.0
    via_float32 = fastinit.uniform(n, dtype=np.float32, seed=66)
    got = fastinit.uniform(n, dtype=half, seed=66)
    assert got.dtype == half
    expected = via_float32.astype(half)
    top = largest_below(high, half)
    expected[expected.astype(np.float32) >= high] = top
    np.testing.assert_array_equal(got.view(np.uint16), expected.view(np.uint16))
    assert got.astype(np.float32).max() < high


@pytest.mark.parametrize("dtype", ["float32", "float64", np.dtype("float32")])
def test_dtype_spellings(dtype):
    got = fastinit.normal(33, dtype=dtype, seed=1)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(got, fastinit.normal(33, dtype=np.dtype(dtype).type, seed=1))


def test_shape_spellings():
    flat = fastinit.uniform(12, seed=2)
    np.testing.assert_array_equal(fastinit.uniform((12,), seed=2), flat)
    np.testing.assert_array_equal(fastinit.uniform(np.int64(12), seed=2), flat)
    np.testing.assert_array_equal(fastinit.uniform((3, np.int32(4)), seed=2), flat.reshape(3, 4))
    assert fastinit.uniform((), seed=2).shape == ()
    assert fastinit.uniform((), seed=2) == flat[0]


# --- block accounting ---------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16], ids=["f32", "f64", "f16"])
@pytest.mark.parametrize("method", ["uniform", "normal", "truncated_normal"])
@pytest.mark.parametrize("shape", [0, 1, 2, 3, 5, 8, 17, (3, 5), (2, 3, 7)])
def test_blocks_for_counts_words_read(method, dtype, shape):
    n = int(np.prod(shape))
    assert fastinit.blocks_for(method, shape, dtype) == reference.blocks_used(method, n, reference.value_dtype(dtype))


@pytest.mark.parametrize("n", [0, 1, 3, 4, 5, 1001])
def test_blocks_for_raw(n):
    assert fastinit.blocks_for("raw", n, np.uint32) == -(-n // 4)
