"""The initializers: scales, distributions, structure, regions, seeds and errors.

Statistical checks use fixed seeds and 6-sigma tolerances derived from the
sample size n: a sample variance of n draws from a distribution with kurtosis
k has standard deviation sigma^2 * sqrt((k - 1) / n), a sample mean
sigma / sqrt(n).  The chance that one such check fails by accident is about
2e-9 (two-sided normal tail beyond 6 standard deviations).
"""

import hashlib
import inspect
import math

import numpy as np
import pytest

import fastinit

Z = 6.0  # standard deviations of every statistical tolerance (false failure ~2e-9)

SHAPE = (512, 2048)          # fan_in 512, fan_out 2048 in the Keras layout
N = SHAPE[0] * SHAPE[1]      # 2**20 draws per statistical check


def _phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def assert_mean_and_variance(x, variance, kurtosis=3.0):
    """Sample mean 0 and sample variance `variance`, within Z standard errors."""
    x = np.asarray(x, dtype=np.float64).ravel()
    n = x.size
    assert abs(x.mean()) <= Z * math.sqrt(variance / n)
    assert abs(x.var() - variance) <= Z * variance * math.sqrt((kurtosis - 1) / n)


# --- the variance of every fan-based method ---------------------------------------------

# (function, kwargs, variance as a function of (fan_in, fan_out) written from the
# published formulas, kurtosis of the distribution; truncated normal at 2 sigma
# has kurtosis below 3, so 3 is a safe bound for it)
FAN_CASES = [
    ("xavier_uniform", {}, lambda fi, fo: 2 / (fi + fo), 1.8),
    ("xavier_uniform", {"gain": 5 / 3}, lambda fi, fo: (5 / 3) ** 2 * 2 / (fi + fo), 1.8),
    ("xavier_normal", {}, lambda fi, fo: 2 / (fi + fo), 3.0),
    ("glorot_normal", {"gain": 2.0}, lambda fi, fo: 4 * 2 / (fi + fo), 3.0),
    ("he_uniform", {}, lambda fi, fo: 2 / fi, 1.8),
    ("he_uniform", {"mode": "fan_out", "nonlinearity": "relu"}, lambda fi, fo: 2 / fo, 1.8),
    ("he_normal", {}, lambda fi, fo: 2 / fi, 3.0),
    ("kaiming_normal", {"a": 0.2}, lambda fi, fo: 2 / (1 + 0.2**2) / fi, 3.0),
    ("he_normal", {"nonlinearity": "tanh", "mode": "fan_out"},
     lambda fi, fo: (5 / 3) ** 2 / fo, 3.0),
    ("lecun_uniform", {}, lambda fi, fo: 1 / fi, 1.8),
    ("lecun_normal", {}, lambda fi, fo: 1 / fi, 3.0),
    ("variance_scaling", {}, lambda fi, fo: 1 / fi, 3.0),
    ("variance_scaling", {"scale": 2.0, "mode": "fan_avg", "distribution": "truncated_normal"},
     lambda fi, fo: 2 / ((fi + fo) / 2), 3.0),
    ("variance_scaling", {"scale": 0.5, "mode": "fan_geo_avg", "distribution": "uniform"},
     lambda fi, fo: 0.5 / math.sqrt(fi * fo), 1.8),
    ("variance_scaling", {"scale": 3.0, "mode": "fan_out", "distribution": "normal"},
     lambda fi, fo: 3 / fo, 3.0),
]


@pytest.mark.parametrize("name, kwargs, variance, kurtosis", FAN_CASES)
def test_empirical_variance_matches_formula(name, kwargs, variance, kurtosis):
    w = getattr(fastinit, name)(SHAPE, seed=20240601, **kwargs)
    assert w.shape == SHAPE and w.dtype == np.float32
    assert_mean_and_variance(w, variance(*SHAPE), kurtosis)


@pytest.mark.parametrize("name, kwargs, variance, kurtosis", FAN_CASES)
def test_torch_layout_and_conv_kernels_use_their_fans(name, kwargs, variance, kurtosis):
    # A Conv2D with 32 inputs, 64 outputs and a 4x8 kernel: fan_in 1024, fan_out 2048.
    keras_shape = (4, 8, 32, 64)
    torch_shape = (64, 32, 4, 8)
    fi, fo = 32 * 32, 64 * 32
    func = getattr(fastinit, name)
    assert_mean_and_variance(func(keras_shape, seed=5, **kwargs), variance(fi, fo), kurtosis)
    assert_mean_and_variance(func(torch_shape, seed=6, layout="torch", **kwargs),
                             variance(fi, fo), kurtosis)


@pytest.mark.parametrize("name, kwargs, variance, kurtosis", FAN_CASES)
def test_fan_overrides_set_the_scale(name, kwargs, variance, kurtosis):
    w = getattr(fastinit, name)(SHAPE, seed=7, fan_in=300, fan_out=20, **kwargs)
    assert_mean_and_variance(w, variance(300, 20), kurtosis)


def test_worked_example_three_inputs_two_outputs():
    # A layer with 3 inputs and 2 outputs: Var 2/5 (Xavier), 2/3 (He), 1/3 (LeCun).
    # Many independent 3x2 layers are the same as one large array with those fans.
    for name, variance in [("xavier_normal", 2 / 5), ("xavier_uniform", 2 / 5),
                           ("he_normal", 2 / 3), ("he_uniform", 2 / 3),
                           ("lecun_normal", 1 / 3), ("lecun_uniform", 1 / 3)]:
        func = getattr(fastinit, name)
        kurtosis = 1.8 if name.endswith("uniform") else 3.0
        assert_mean_and_variance(func(SHAPE, seed=11, fan_in=3, fan_out=2), variance, kurtosis)
        small = func((3, 2), seed=11)
        assert small.shape == (3, 2)
        assert np.all(np.isfinite(small))


@pytest.mark.parametrize("name, bound", [
    ("xavier_uniform", math.sqrt(6 / (512 + 2048))),
    ("he_uniform", math.sqrt(6 / 512)),
    ("lecun_uniform", math.sqrt(3 / 512)),
])
def test_uniform_bounds(name, bound):
    w = getattr(fastinit, name)(SHAPE, seed=3).astype(np.float64)
    assert np.all(np.abs(w) <= bound * (1 + 1e-6))
    # P(max |w| < b (1 - 40/N)) = (1 - 40/N)^N ~ e^-40; the same for each sign
    assert w.max() >= bound * (1 - 40 / N)
    assert w.min() <= -bound * (1 - 40 / N)


def test_truncated_variance_scaling_cuts_at_two_sampler_stds():
    variance = 2 / 512
    sampler_std = math.sqrt(variance) / fastinit.TRUNCATED_NORMAL_STD
    w = fastinit.variance_scaling(SHAPE, scale=2.0, seed=8).astype(np.float64)
    assert np.all(np.abs(w) <= 2 * sampler_std * (1 + 1e-6))
    # mass within 0.01 sampler std of a bound: 2 * 0.01 * phi(2) / Z_trunc ~ 1.2e-3,
    # so about 1300 draws; fewer than 1000 has probability below 1e-20
    near_bound = np.abs(w) >= (2 - 0.01) * sampler_std
    assert near_bound.sum() > 1000
    assert_mean_and_variance(w, variance, 3.0)


@pytest.mark.parametrize("name, kwargs", [
    ("xavier_uniform", {"gain": 1.5}), ("xavier_normal", {}), ("he_uniform", {"a": 0.1}),
    ("he_normal", {"mode": "fan_out"}), ("lecun_uniform", {}), ("lecun_normal", {}),
    ("variance_scaling", {"scale": 2.0, "mode": "fan_avg"}),
])
def test_methods_are_the_engine_fill_with_the_computed_scale(name, kwargs):
    shape = (60, 70)
    info = fastinit.describe(name, shape, **kwargs)
    w = getattr(fastinit, name)(shape, seed=42, stream=3, block=5, **kwargs)
    common = dict(seed=42, stream=3, block=5)
    if info["distribution"] == "uniform":
        expected = fastinit.uniform(shape, -info["bound"], info["bound"], **common)
    elif info["distribution"] == "normal":
        expected = fastinit.normal(shape, 0.0, info["std"], **common)
    else:
        expected = fastinit.truncated_normal(
            shape, 0.0, info["std"] / fastinit.TRUNCATED_NORMAL_STD, **common)
    np.testing.assert_allclose(w, expected, rtol=1e-6, atol=1e-7)


# --- truncated normal -----------------------------------------------------------------------


def _truncated_moments(alpha, beta):
    """Mean and variance of N(0, 1) truncated to [alpha, beta]."""
    mass = _Phi(beta) - _Phi(alpha)
    mean = (_phi(alpha) - _phi(beta)) / mass
    variance = 1 + (alpha * _phi(alpha) - beta * _phi(beta)) / mass - mean**2
    return mean, variance


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (0.5, 1e-6), (-3.0, 1e-6), (0.0, 0.02)])
def test_truncated_normal_bounds_and_moments(dtype, mean, std):
    n = 1 << 20
    w = fastinit.truncated_normal(n, mean, std, dtype=dtype, seed=99)
    assert w.dtype == dtype
    ulp = float(np.spacing(np.asarray(abs(mean) + 2 * std, dtype=dtype)))
    lo, hi = mean - 2 * std, mean + 2 * std
    assert w.min() >= lo - ulp and w.max() <= hi + ulp
    z = (w.astype(np.float64) - mean) / std
    _, variance = _truncated_moments(-2.0, 2.0)
    # float32 rounding near |mean| adds at most (ulp/std)^2/12 of variance and
    # ulp/std/2 of bias; both are included in the tolerances
    quantization = ulp / std
    assert abs(z.mean()) <= Z * math.sqrt(variance / n) + quantization / 2
    assert abs(z.var() - variance) <= Z * variance * math.sqrt(2 / n) + quantization**2
    # unskewed: the standardized third moment of a symmetric distribution is 0;
    # its sample value has standard error below sqrt(15 / n) for any distribution
    # on [-2, 2] with this variance (sixth moment < 64)
    skew = np.mean((z - z.mean()) ** 3) / z.var() ** 1.5
    assert abs(skew) <= Z * math.sqrt(15 / n) + 3 * quantization
    # both tails are equally populated: P(z > 1.5) = P(z < -1.5) ~ 0.046; rounding
    # can move the values within quantization of 1.5 (density < 0.2) across it
    upper, lower = np.sum(z > 1.5), np.sum(z < -1.5)
    assert abs(upper - lower) <= Z * math.sqrt(upper + lower) + 0.2 * quantization * n


def test_truncated_normal_asymmetric_bounds():
    n = 1 << 20
    a, b = -1.0, 3.0
    w = fastinit.truncated_normal(n, 0.0, 1.0, a, b, dtype=np.float64, seed=4)
    assert w.min() >= a and w.max() <= b
    mean, variance = _truncated_moments(a, b)
    assert abs(w.mean() - mean) <= Z * math.sqrt(variance / n)
    assert abs(w.var() - variance) <= Z * variance * math.sqrt(2 / n)


@pytest.mark.parametrize("std", [1.0, 1e-3, 1e-6])
def test_truncated_normal_half_precision_stays_inside(std):
    n = 1 << 16
    w = fastinit.truncated_normal(n, 0.0, std, dtype=np.float16, seed=1)
    assert w.dtype == np.float16
    spacing = float(np.spacing(np.float16(2 * std)))
    assert float(w.min()) >= -2 * std - spacing and float(w.max()) <= 2 * std + spacing
    assert float(np.abs(w).max()) > 0


def test_truncated_normal_bfloat16_stays_inside():
    ml_dtypes = pytest.importorskip("ml_dtypes")
    std = 1e-6
    w = fastinit.truncated_normal(1 << 16, 0.0, std, dtype=ml_dtypes.bfloat16, seed=1)
    wide = w.astype(np.float64)
    spacing = 2 * std * 2.0**-7
    assert wide.min() >= -2 * std - spacing and wide.max() <= 2 * std + spacing
    # unskewed: equally many values on each side of the mean
    positive, negative = np.sum(wide > 0), np.sum(wide < 0)
    assert abs(positive - negative) <= Z * math.sqrt(positive + negative)


# --- orthogonal -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(8, 8), (50, 20), (20, 50), (1, 7), (7, 1)])
@pytest.mark.parametrize("dtype, tol", [(np.float64, 1e-12), (np.float32, 2e-6)])
def test_orthogonal_has_orthonormal_rows_or_columns(shape, dtype, tol):
    q = fastinit.orthogonal(shape, seed=12, dtype=dtype)
    assert q.shape == shape and q.dtype == dtype
    q = q.astype(np.float64)
    rows, cols = shape
    gram = q.T @ q if rows >= cols else q @ q.T
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=tol * math.sqrt(max(shape)))


def test_orthogonal_gain():
    q = fastinit.orthogonal((30, 10), gain=3.0, seed=1, dtype=np.float64)
    np.testing.assert_allclose(q.T @ q, 9 * np.eye(10), atol=1e-11)


def test_orthogonal_flattening_conventions():
    # Keras/JAX: the last axis holds the columns; PyTorch: the first axis holds the rows.
    keras = fastinit.orthogonal((3, 3, 16, 32), seed=2, dtype=np.float64).reshape(-1, 32)
    np.testing.assert_allclose(keras.T @ keras, np.eye(32), atol=1e-12)
    torch = fastinit.orthogonal((32, 16, 3, 3), seed=2, dtype=np.float64,
                                layout="torch").reshape(32, -1)
    np.testing.assert_allclose(torch @ torch.T, np.eye(32), atol=1e-12)
    wide = fastinit.orthogonal((200, 4, 3, 3), seed=2, dtype=np.float64,
                               layout="torch").reshape(200, -1)
    np.testing.assert_allclose(wide.T @ wide, np.eye(36), atol=1e-12)


@pytest.mark.parametrize("shape", [(9, 4), (4, 9), (6, 6)])
def test_orthogonal_is_q_of_the_gaussian_with_positive_r_diagonal(shape):
    # Documented construction: Q of QR(A) for the float64 normal fill A of shape
    # (max, min), columns signed so that R = Q^T A has a positive diagonal (Mezzadri).
    rows, cols = shape
    tall = (max(shape), min(shape))
    a = fastinit.normal(tall, dtype=np.float64, seed=31, stream="q", block=2)
    q = fastinit.orthogonal(shape, seed=31, stream="q", block=2, dtype=np.float64)
    q_tall = q if rows >= cols else q.T
    r = q_tall.T @ a
    np.testing.assert_allclose(np.tril(r, -1), 0, atol=1e-12)
    assert np.all(np.diagonal(r) > 0)


def test_orthogonal_signs_are_balanced():
    # Haar-distributed Q has a symmetric first entry.  Without the sign
    # correction LAPACK's QR makes it always negative.  Binomial(400, 1/2):
    # standard deviation 10, tolerance 6 sigma.
    positive = sum(fastinit.orthogonal((5, 3), seed=seed, dtype=np.float64)[0, 0] > 0
                   for seed in range(400))
    assert abs(positive - 200) <= 60


def test_orthogonal_rejects_region_and_explains_why():
    with pytest.raises(ValueError, match="region.*QR|QR.*region"):
        fastinit.orthogonal((8, 8), seed=0, region=np.s_[0:4, 0:4])


def test_orthogonal_errors_and_empty():
    with pytest.raises(ValueError, match="2 dimensions"):
        fastinit.orthogonal((8,), seed=0)
    with pytest.raises(ValueError, match="layout"):
        fastinit.orthogonal((8, 8), seed=0, layout="jax")
    empty = fastinit.orthogonal((0, 5), seed=0)
    assert empty.shape == (0, 5)


# --- eye and dirac --------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3), (1, 1), (0, 4)])
def test_eye_is_identity(shape):
    np.testing.assert_array_equal(fastinit.eye(shape), np.eye(*shape, dtype=np.float32))
    assert fastinit.eye(shape, dtype=np.float64).dtype == np.float64


@pytest.mark.parametrize("layout", ["torch", "keras"])
@pytest.mark.parametrize("out_ch, in_ch, kernel, groups", [
    (4, 4, (3,), 1), (6, 4, (3, 3), 1), (3, 6, (5, 4), 1), (6, 2, (3, 3), 3),
    (8, 3, (3, 3, 3), 2), (2, 2, (1, 1), 2),
])
def test_dirac_structure(layout, out_ch, in_ch, kernel, groups):
    if layout == "torch":
        shape = (out_ch, in_ch) + kernel
    else:
        shape = kernel + (in_ch, out_ch)
    w = fastinit.dirac(shape, groups, layout=layout)
    # bring to (out, in, *kernel)
    w_torch = w if layout == "torch" else np.moveaxis(w, (-1, -2), (0, 1))
    center = tuple(k // 2 for k in kernel)
    expected = np.zeros((out_ch, in_ch))
    per_group = out_ch // groups
    for g in range(groups):
        for d in range(min(per_group, in_ch)):
            expected[g * per_group + d, d] = 1
    np.testing.assert_array_equal(w_torch[(slice(None), slice(None)) + center], expected)
    assert w.sum() == expected.sum()     # nothing off the center


def test_dirac_convolution_passes_input_through():
    # correlate a random image with the kernel ('same' padding): y == x
    x = np.random.default_rng(0).standard_normal((4, 9, 9))
    w = fastinit.dirac((4, 4, 3, 3), layout="torch", dtype=np.float64)
    padded = np.pad(x, ((0, 0), (1, 1), (1, 1)))
    y = np.zeros_like(x)
    for i in range(3):
        for j in range(3):
            y += np.einsum("oc,chw->ohw", w[:, :, i, j], padded[:, i:i + 9, j:j + 9])
    np.testing.assert_allclose(y, x)


def test_eye_and_dirac_errors():
    with pytest.raises(ValueError, match="2-dimensional"):
        fastinit.eye((3, 3, 3))
    with pytest.raises(ValueError, match="3 dimensions"):
        fastinit.dirac((3, 3))
    with pytest.raises(ValueError, match="divisible"):
        fastinit.dirac((3, 3, 4, 6), groups=4)
    with pytest.raises(ValueError, match="groups"):
        fastinit.dirac((3, 3, 4, 6), groups=0)
    with pytest.raises(TypeError):
        fastinit.dirac((3, 3, 4, 6), groups=1.5)


# --- sparse ---------------------------------------------------------------------------------


@pytest.mark.parametrize("rows, cols, sparsity", [(100, 300, 0.1), (37, 50, 0.5), (10, 7, 0.95),
                                                  (64, 64, 0.0), (20, 5, 1.0)])
def test_sparse_zeros_per_column(rows, cols, sparsity):
    k = math.ceil(sparsity * rows)
    w = fastinit.sparse((rows, cols), sparsity, std=0.1, seed=21)
    dense = fastinit.normal((rows, cols), 0.0, 0.1, seed=21)
    zero = w == 0
    # the non-zero entries are the normal fill of the same seed
    np.testing.assert_array_equal(w[~zero], dense[~zero])
    # exactly k entries per column were zeroed (a normal can itself be 0.0 only
    # with probability ~2^-22, so count the selected ones where it is not)
    selected = zero & (dense != 0)
    assert np.all(selected.sum(axis=0) <= k)
    assert np.all(zero.sum(axis=0) >= k)
    assert np.all(selected.sum(axis=0) + (dense == 0).sum(axis=0) >= k)


def test_sparse_selection_is_uniform_over_rows():
    rows, cols, sparsity = 20, 20000, 0.25
    w = fastinit.sparse((rows, cols), sparsity, seed=22)
    frequency = (w == 0).sum(axis=1)           # per row: Binomial(cols, 5/20)
    p = math.ceil(sparsity * rows) / rows
    sd = math.sqrt(cols * p * (1 - p))
    assert np.all(np.abs(frequency - cols * p) <= Z * sd)


def test_sparse_zeros_depend_on_the_seed():
    a = fastinit.sparse((50, 200), 0.3, seed=1) == 0
    b = fastinit.sparse((50, 200), 0.3, seed=2) == 0
    # independent patterns agree on a zero with probability 0.09 per entry
    overlap = np.sum(a & b) / a.size
    assert abs(overlap - 0.3 * 0.3) <= Z * math.sqrt(0.09 * 0.91 / a.size)


def test_sparse_errors():
    with pytest.raises(ValueError, match="2-dimensional"):
        fastinit.sparse((4, 4, 4), 0.5, seed=0)
    with pytest.raises(ValueError, match="sparsity"):
        fastinit.sparse((4, 4), 1.5, seed=0)
    with pytest.raises(TypeError):
        fastinit.sparse((4, 4), "half", seed=0)


# --- constants ------------------------------------------------------------------------------


def test_constants():
    np.testing.assert_array_equal(fastinit.zeros((3, 4)), np.zeros((3, 4), np.float32))
    np.testing.assert_array_equal(fastinit.ones(5, dtype=np.float64), np.ones(5))
    np.testing.assert_array_equal(fastinit.constant((2, 2), 0.25), np.full((2, 2), 0.25))
    assert fastinit.zeros((3, 4)).dtype == np.float32
    assert fastinit.zeros(()).shape == ()
    half = fastinit.constant(4, 3.0, dtype=np.float16)
    assert half.dtype == np.float16 and np.all(half == 3)
    with pytest.raises(ValueError, match="overflows"):
        fastinit.constant(4, 1e6, dtype=np.float16)
    with pytest.raises(ValueError, match="finite"):
        fastinit.constant(4, float("nan"))
    with pytest.raises(TypeError):
        fastinit.constant(4, "1")


# --- regions ------------------------------------------------------------------------------

REGIONABLE = [
    ("xavier_uniform", {}), ("xavier_normal", {"gain": 2.0}), ("glorot_uniform", {}),
    ("he_uniform", {"mode": "fan_out"}), ("he_normal", {}), ("kaiming_normal", {"a": 0.3}),
    ("lecun_uniform", {}), ("lecun_normal", {}),
    ("variance_scaling", {}), ("variance_scaling", {"distribution": "uniform"}),
    ("variance_scaling", {"distribution": "normal", "mode": "fan_avg"}),
    ("zeros", {}), ("ones", {}), ("constant", {"value": -2.5}), ("init", {"activation": "tanh"}),
]
RANDOM_SEEDED = {"zeros", "ones", "constant"}


def _call(name, shape, kwargs, **extra):
    func = getattr(fastinit, name)
    if name not in RANDOM_SEEDED:
        extra.setdefault("seed", 1234)
        extra.setdefault("stream", "encoder.weight")
    return func(shape, **kwargs, **extra)


@pytest.mark.parametrize("name, kwargs", REGIONABLE)
@pytest.mark.parametrize("shape, region", [
    ((37, 53), np.s_[0:37, 0:53]),
    ((37, 53), np.s_[5:20, 11:12]),
    ((37, 53), np.s_[36:37, 0:53]),
    ((37, 53), np.s_[3:3, 0:10]),
    ((3, 5, 7, 11), np.s_[1:3, 0:4, 2:7, 5:11]),
    ((3, 5, 7, 11), np.s_[2:3, 4:5, 6:7, 10:11]),
])
def test_region_equals_slice_of_full(name, kwargs, shape, region):
    full = _call(name, shape, kwargs)
    part = _call(name, shape, kwargs, region=region)
    assert part.dtype == full.dtype
    np.testing.assert_array_equal(part, full[region])


@pytest.mark.parametrize("region", [np.s_[0:37, 0:53], np.s_[4:30, 7:8], np.s_[10:11, 5:40],
                                    np.s_[0:0, 0:53]])
@pytest.mark.parametrize("sparsity", [0.2, 0.7])
def test_sparse_region_equals_slice_of_full(region, sparsity):
    full = fastinit.sparse((37, 53), sparsity, seed=3, stream=9, block=17)
    part = fastinit.sparse((37, 53), sparsity, seed=3, stream=9, block=17, region=region)
    np.testing.assert_array_equal(part, full[region])


@pytest.mark.parametrize("region", [np.s_[1:4, 0:7], np.s_[3:5, 2:3]])
def test_eye_region_equals_slice_of_full(region):
    np.testing.assert_array_equal(fastinit.eye((5, 7), region=region), np.eye(5, 7)[region])


@pytest.mark.parametrize("layout, shape", [("torch", (6, 4, 3, 3)), ("keras", (3, 3, 4, 6))])
def test_dirac_region_equals_slice_of_full(layout, shape):
    full = fastinit.dirac(shape, 2, layout=layout)
    region = tuple(slice(1, n) for n in shape)
    np.testing.assert_array_equal(fastinit.dirac(shape, 2, layout=layout, region=region),
                                  full[region])


def test_region_scale_comes_from_full_shape():
    # 64 rows of a layer with fan_in 4096: std sqrt(2 / 4096), not sqrt(2 / 64)
    strip = fastinit.he_normal((4096, 256), seed=1, region=np.s_[0:64, 0:256])
    assert_mean_and_variance(strip, 2 / 4096)


# --- seeds, streams, blocks -----------------------------------------------------------------

RANDOM_METHODS = ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                  "lecun_uniform", "lecun_normal", "variance_scaling", "orthogonal", "init"]


@pytest.mark.parametrize("name", RANDOM_METHODS + ["sparse"])
def test_seeds_reproduce_and_differ(name):
    func = getattr(fastinit, name)
    args = ((64, 32), 0.5) if name == "sparse" else ((64, 32),)
    a = func(*args, seed=2024)
    b = func(*args, seed=2024)
    c = func(*args, seed=2025)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    # seed None draws a fresh seed each call
    assert not np.array_equal(func(*args), func(*args))


@pytest.mark.parametrize("name", RANDOM_METHODS)
def test_named_streams(name):
    func = getattr(fastinit, name)
    shape = (256, 256)
    name_id = int.from_bytes(
        hashlib.blake2b(b"decoder.layer3.weight", digest_size=8).digest(), "little")
    by_name = func(shape, seed=5, stream="decoder.layer3.weight")
    np.testing.assert_array_equal(by_name, func(shape, seed=5, stream=name_id))
    other = func(shape, seed=5, stream="decoder.layer4.weight")
    # independent streams: sample correlation ~ N(0, 1/n)
    corr = np.corrcoef(by_name.ravel(), other.ravel())[0, 1]
    assert abs(corr) <= Z / math.sqrt(by_name.size)


def test_block_offset_selects_later_words():
    shape = (16, 16)
    blocks = fastinit.blocks_for("normal", shape, np.float32)
    a = fastinit.he_normal((32, 16), seed=9, fan_in=16, fan_out=16)
    b = fastinit.he_normal(shape, seed=9, block=blocks)
    np.testing.assert_array_equal(a[16:], b)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_threads_do_not_change_values(threads):
    shape = (300, 500)
    for name, args in [("he_normal", ()), ("xavier_uniform", ()), ("sparse", (0.3,)),
                       ("orthogonal", ()), ("variance_scaling", ())]:
        func = getattr(fastinit, name)
        np.testing.assert_array_equal(func(shape, *args, seed=3, threads=threads),
                                      func(shape, *args, seed=3))


# --- dtypes and out ---------------------------------------------------------------------------


def _assert_rounded_from_float32(name, half_dtype):
    """float16/bfloat16 values are the float32 values rounded to nearest, except
    that a uniform value rounding up to its upper bound becomes the largest
    representable value below it (samples stay in [-b, b))."""
    func = getattr(fastinit, name)
    w32 = func((40, 30), seed=4)
    half = func((40, 30), seed=4, dtype=half_dtype)
    assert half.dtype == np.dtype(half_dtype)
    rounded = w32.astype(half_dtype)
    differ = half.astype(np.float64) != rounded.astype(np.float64)
    info = fastinit.describe(name, (40, 30))
    if info["distribution"] != "uniform":
        assert not differ.any()
        return
    bound = info["bound"]
    assert np.all(rounded.astype(np.float64)[differ] >= bound)
    capped = half.astype(np.float64)[differ]
    assert np.all(capped < bound)
    assert np.all(capped == half.astype(np.float64).max())


@pytest.mark.parametrize("name", ["he_normal", "xavier_uniform", "he_uniform",
                                  "variance_scaling"])
def test_half_precision_is_rounded_float32(name):
    _assert_rounded_from_float32(name, np.float16)
    ml_dtypes = pytest.importorskip("ml_dtypes")
    _assert_rounded_from_float32(name, ml_dtypes.bfloat16)


@pytest.mark.parametrize("name", RANDOM_METHODS)
def test_float64(name):
    w = getattr(fastinit, name)((40, 30), seed=4, dtype=np.float64)
    assert w.dtype == np.float64 and w.shape == (40, 30)
    assert getattr(fastinit, name)((40, 30), seed=4, dtype="float64").dtype == np.float64


@pytest.mark.parametrize("name, args", [
    ("he_normal", ()), ("xavier_uniform", ()), ("lecun_normal", ()), ("variance_scaling", ()),
    ("orthogonal", ()), ("sparse", (0.5,)), ("zeros", ()), ("ones", ()), ("constant", (2.0,)),
    ("eye", ()), ("init", ()),
])
def test_out_is_filled_in_place(name, args):
    func = getattr(fastinit, name)
    kwargs = {} if name in ("zeros", "ones", "constant", "eye") else {"seed": 8}
    expected = func((20, 30), *args, **kwargs)
    buffer = np.full((20, 30), np.nan, dtype=np.float32)
    result = func((20, 30), *args, out=buffer, **kwargs)
    assert result is buffer
    np.testing.assert_array_equal(buffer, expected)
    # a strided view gets the same values
    big = np.full((40, 30), np.nan, dtype=np.float32)
    func((20, 30), *args, out=big[::2], **kwargs)
    np.testing.assert_array_equal(big[::2], expected)
    with pytest.raises(TypeError):
        func((20, 30), *args, out=np.empty((20, 30), np.float64), **kwargs)
    with pytest.raises(ValueError):
        func((20, 30), *args, out=np.empty((30, 20), np.float32), **kwargs)
    read_only = np.empty((20, 30), np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError):
        func((20, 30), *args, out=read_only, **kwargs)


def test_out_with_region_has_region_shape():
    buffer = np.empty((5, 6), np.float32)
    result = fastinit.he_normal((50, 60), seed=1, region=np.s_[10:15, 0:6], out=buffer)
    assert result is buffer
    np.testing.assert_array_equal(buffer, fastinit.he_normal((50, 60), seed=1)[10:15, 0:6])
    zeros_buffer = np.ones((5, 6), np.float32)
    fastinit.zeros((50, 60), region=np.s_[10:15, 0:6], out=zeros_buffer)
    assert not zeros_buffer.any()


# --- empty shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", RANDOM_METHODS)
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 3, 3, 4)])
def test_zero_element_shapes_give_empty_arrays(name, shape):
    w = getattr(fastinit, name)(shape, seed=1)
    assert w.shape == shape and w.size == 0


def test_zero_element_sparse_and_structured():
    assert fastinit.sparse((0, 5), 0.5, seed=1).shape == (0, 5)
    assert fastinit.sparse((5, 0), 0.5, seed=1).shape == (5, 0)
    assert fastinit.eye((0, 3)).shape == (0, 3)
    assert fastinit.dirac((0, 3, 4, 4)).shape == (0, 3, 4, 4)


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                                  "lecun_uniform", "lecun_normal", "variance_scaling", "init"])
@pytest.mark.parametrize("shape", [(), (7,), 7])
def test_undefined_fans_raise(name, shape):
    with pytest.raises(ValueError, match="undefined"):
        getattr(fastinit, name)(shape, seed=0)


def test_fan_overrides_make_vectors_work():
    w = fastinit.he_normal((1000,), seed=0, fan_in=10)
    assert w.shape == (1000,)
    w = fastinit.xavier_uniform(7, seed=0, fan_in=3, fan_out=4)
    assert w.shape == (7,)


def test_argument_errors():
    with pytest.raises(ValueError, match="gain"):
        fastinit.xavier_uniform((3, 2), gain=-1.0, seed=0)
    with pytest.raises(TypeError):
        fastinit.xavier_uniform((3, 2), gain="1", seed=0)
    with pytest.raises(ValueError, match="mode"):
        fastinit.he_normal((3, 2), mode="fan_avg", seed=0)
    with pytest.raises(ValueError, match="Unsupported nonlinearity"):
        fastinit.he_normal((3, 2), nonlinearity="gelu", seed=0)
    with pytest.raises(ValueError, match="mode"):
        fastinit.variance_scaling((3, 2), mode="fan_sum", seed=0)
    with pytest.raises(ValueError, match="distribution"):
        fastinit.variance_scaling((3, 2), distribution="laplace", seed=0)
    with pytest.raises(ValueError, match="scale"):
        fastinit.variance_scaling((3, 2), scale=-2.0, seed=0)
    with pytest.raises(ValueError, match="layout"):
        fastinit.he_normal((3, 2), layout="tf", seed=0)
    with pytest.raises(ValueError, match="distinct"):
        fastinit.he_normal((3, 2), in_axis=1, seed=0)
    with pytest.raises(ValueError, match="negative"):
        fastinit.he_normal((3, -2), seed=0)
    with pytest.raises(TypeError):
        fastinit.he_normal((3, 2.5), seed=0)
    with pytest.raises(TypeError):
        fastinit.init((3, 2), activation=5, seed=0)
    with pytest.raises(ValueError):
        fastinit.he_normal((3, 2), seed=-1)
    with pytest.raises(TypeError):
        fastinit.he_normal((3, 2), seed=1.5)


# --- init ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("activation, name, kwargs", [
    ("relu", "he_normal", {"nonlinearity": "relu"}),
    ("GELU", "he_normal", {"nonlinearity": "relu"}),
    ("leaky_relu", "he_normal", {"nonlinearity": "leaky_relu", "a": 0.01}),
    ("tanh", "xavier_uniform", {}),
    ("sigmoid", "xavier_uniform", {}),
    ("selu", "lecun_normal", {}),
])
def test_init_uses_the_recommendation(activation, name, kwargs):
    assert fastinit.recommend(activation).method == name
    np.testing.assert_array_equal(
        fastinit.init((30, 40), activation=activation, seed=6),
        getattr(fastinit, name)((30, 40), seed=6, **kwargs))


def test_init_default_is_relu():
    np.testing.assert_array_equal(fastinit.init((30, 40), seed=6),
                                  fastinit.he_normal((30, 40), seed=6, nonlinearity="relu"))


# --- aliases and Generator methods -------------------------------------------------------------


def test_aliases_are_the_same_functions():
    assert fastinit.glorot_uniform is fastinit.xavier_uniform
    assert fastinit.glorot_normal is fastinit.xavier_normal
    assert fastinit.kaiming_uniform is fastinit.he_uniform
    assert fastinit.kaiming_normal is fastinit.he_normal


GENERATOR_METHODS = ["zeros", "ones", "constant", "eye", "dirac", "xavier_uniform",
                     "xavier_normal", "glorot_uniform", "glorot_normal", "he_uniform",
                     "he_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform",
                     "lecun_normal", "variance_scaling", "orthogonal", "sparse", "init"]


@pytest.mark.parametrize("name", GENERATOR_METHODS)
def test_generator_methods_mirror_module_functions(name):
    module_params = inspect.signature(getattr(fastinit, name)).parameters
    method_params = inspect.signature(getattr(fastinit.Generator(0), name)).parameters
    expected = [p for k, p in module_params.items() if k not in ("seed", "stream", "block")]
    assert list(method_params.values()) == expected


@pytest.mark.parametrize("name, args, kind, shape_of_draw", [
    ("he_normal", (), "normal", None),
    ("xavier_uniform", (), "uniform", None),
    ("lecun_uniform", (), "uniform", None),
    ("variance_scaling", (), "truncated_normal", None),
    ("init", ("tanh",), "uniform", None),
    ("orthogonal", (), "normal", (33, 21)),
])
def test_generator_continues_the_stream(name, args, kind, shape_of_draw):
    shape = (21, 33)
    dtype = np.float64 if name == "orthogonal" else np.float32
    blocks = fastinit.blocks_for(kind, shape_of_draw or shape, dtype)
    g = fastinit.Generator(77, stream="layer")
    first = getattr(g, name)(shape, *args)
    second = getattr(g, name)(shape, *args)
    assert g.block == 2 * blocks
    func = getattr(fastinit, name)
    np.testing.assert_array_equal(first, func(shape, *args, seed=77, stream="layer"))
    np.testing.assert_array_equal(second, func(shape, *args, seed=77, stream="layer",
                                               block=blocks))


def test_generator_sparse_takes_normals_and_keys():
    shape = (21, 33)
    g = fastinit.Generator(5)
    first = g.sparse(shape, 0.4)
    expected_blocks = fastinit.blocks_for("normal", shape, np.float32) + math.ceil(21 * 33 / 4)
    assert g.block == expected_blocks
    np.testing.assert_array_equal(first, fastinit.sparse(shape, 0.4, seed=5))
    np.testing.assert_array_equal(g.sparse(shape, 0.4),
                                  fastinit.sparse(shape, 0.4, seed=5, block=expected_blocks))


def test_generator_region_advances_like_the_full_fill():
    region = np.s_[3:9, 10:20]
    g_full, g_part = fastinit.Generator(8), fastinit.Generator(8)
    for _ in range(2):
        full = g_full.he_normal((40, 50))
        part = g_part.he_normal((40, 50), region=region)
        np.testing.assert_array_equal(part, full[region])
    assert g_full.block == g_part.block


def test_generator_constants_do_not_advance():
    g = fastinit.Generator(1)
    g.zeros((10, 10))
    g.eye((4, 4))
    g.dirac((3, 3, 2, 2))
    assert g.block == 0
