"""Distribution checks with fixed seeds.

Every moment and tail-fraction check allows 6 standard errors of its statistic
at the sample size used (normal approximation), so a correct generator fails
one of them with probability about 2e-9 for a given seed; each KS or
chi-square test rejects at p < 1e-6. About 490 such bounds and 20 such tests
run in this file, so the chance that a correct generator fails anything here
for a fresh choice of seeds is below 3e-5 (490 x 2e-9 + 20 x 1e-6); with the
fixed seeds the outcome is deterministic.
"""

import math

import numpy as np
import pytest

import fastinit

N = 2**21
SIGMAS = 6.0
P_VALUE_FLOOR = 1e-6

FLOAT_DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["f32", "f64"]


def two_sided_tail(k):
    """P(|Z| > k) for a standard normal Z."""
    return math.erfc(k / math.sqrt(2.0))


def assert_near(value, expected, standard_error, label):
    assert abs(value - expected) <= SIGMAS * standard_error, "%s: %r, expected %r +- %d x %r" % (
        label,
        value,
        expected,
        SIGMAS,
        standard_error,
    )


def normal_sample(dtype, seed, mean=0.0, std=1.0, stream=0):
    values = fastinit.normal(N, mean, std, dtype=dtype, seed=seed, stream=stream)
    assert values.dtype == dtype
    return (values.astype(np.float64) - mean) / std


NORMAL_PARAMS = [(0.0, 1.0), (2.0, 3.0), (-0.5, 0.01)]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("mean, std", NORMAL_PARAMS)
def test_normal_moments(dtype, mean, std):
    seed = 1000 + NORMAL_PARAMS.index((mean, std)) + (10 if dtype == np.float64 else 0)
    z = normal_sample(dtype, seed, mean, std)
    n = z.size
    assert_near(z.mean(), 0.0, 1 / math.sqrt(n), "mean")
    centred = z - z.mean()
    variance = np.mean(centred**2)
    assert_near(variance, 1.0, math.sqrt(2.0 / n), "variance")
    skewness = np.mean(centred**3) / variance**1.5
    assert_near(skewness, 0.0, math.sqrt(6.0 / n), "skewness")
    excess_kurtosis = np.mean(centred**4) / variance**2 - 3.0
    assert_near(excess_kurtosis, 0.0, math.sqrt(24.0 / n), "excess kurtosis")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("k", [1.0, 2.0, 3.0, 4.0])
def test_normal_tail_fractions(dtype, k):
    z = normal_sample(dtype, 2000 + (1 if dtype == np.float64 else 0))
    p = two_sided_tail(k)
    fraction = np.count_nonzero(np.abs(z) > k) / z.size
    assert_near(fraction, p, math.sqrt(p * (1 - p) / z.size), "fraction beyond %g sigma" % k)
    # One-sided tails balance too.
    upper = np.count_nonzero(z > k) / z.size
    assert_near(upper, p / 2, math.sqrt(p / 2 * (1 - p / 2) / z.size), "fraction above %g sigma" % k)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_normal_ks(dtype):
    stats = pytest.importorskip("scipy.stats")
    z = normal_sample(dtype, 3000 + (1 if dtype == np.float64 else 0), 1.0, 2.0)
    from scipy.special import ndtr

    result = stats.kstest(z, ndtr)
    assert result.pvalue > P_VALUE_FLOOR, result
    # Even and odd elements (cos and sin halves of each pair) are each normal.
    assert stats.kstest(z[0::2], ndtr).pvalue > P_VALUE_FLOOR
    assert stats.kstest(z[1::2], ndtr).pvalue > P_VALUE_FLOOR


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_normal_elements_uncorrelated(dtype):
    z = normal_sample(dtype, 4000 + (1 if dtype == np.float64 else 0))
    n = z.size
    for lag in (1, 2, 3, 4, 7):
        corr = np.mean(z[:-lag] * z[lag:])
        assert_near(corr, 0.0, 1 / math.sqrt(n - lag), "lag %d correlation" % lag)
    # Within a Box-Muller pair, z0**2 and z1**2 are uncorrelated as well.
    square_corr = np.corrcoef(z[0::2] ** 2, z[1::2] ** 2)[0, 1]
    assert_near(square_corr, 0.0, 1 / math.sqrt(n // 2), "pair square correlation")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_streams_and_seeds_are_uncorrelated(dtype):
    base = normal_sample(dtype, 5000)
    neighbours = {
        "next stream": normal_sample(dtype, 5000, stream=1),
        "named stream": normal_sample(dtype, 5000, stream="encoder.layer3.weight"),
        "next seed": normal_sample(dtype, 5001),
        "seed + 2**32": normal_sample(dtype, 5000 + 2**32),
    }
    for label, other in neighbours.items():
        assert_near(np.mean(base * other), 0.0, 1 / math.sqrt(base.size), label)


# --- uniform ------------------------------------------------------------------

UNIFORM_BOUNDS = [(0.0, 1.0), (-3.0, 5.0), (10.0, 10.5)]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("low, high", UNIFORM_BOUNDS)
def test_uniform_moments_and_bins(dtype, low, high):
    seed = 6000 + UNIFORM_BOUNDS.index((low, high)) + (10 if dtype == np.float64 else 0)
    values = fastinit.uniform(N, low, high, dtype=dtype, seed=seed)
    assert values.min() >= low and values.max() < high
    u = (values.astype(np.float64) - low) / (high - low)
    n = u.size
    assert_near(u.mean(), 0.5, math.sqrt(1 / 12 / n), "mean")
    assert_near(np.mean((u - 0.5) ** 2), 1 / 12, math.sqrt((1 / 80 - 1 / 144) / n), "variance")
    bins = 64
    counts = np.bincount(np.minimum((u * bins).astype(np.int64), bins - 1), minlength=bins)
    p = 1 / bins
    for count in counts:
        assert_near(count / n, p, math.sqrt(p * (1 - p) / n), "bin fraction")
    stats = pytest.importorskip("scipy.stats")
    assert stats.chisquare(counts).pvalue > P_VALUE_FLOOR
    assert stats.kstest(u, "uniform").pvalue > P_VALUE_FLOOR


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_uniform_pairs_fill_the_square(dtype):
    # Consecutive elements are independent: a 16 x 16 grid of pairs is flat.
    stats = pytest.importorskip("scipy.stats")
    u = fastinit.uniform(N, dtype=dtype, seed=7000).astype(np.float64)
    cells = (u[0::2] * 16).astype(np.int64) * 16 + (u[1::2] * 16).astype(np.int64)
    counts = np.bincount(cells, minlength=256)
    assert stats.chisquare(counts).pvalue > P_VALUE_FLOOR


# --- truncated normal ---------------------------------------------------------

TRUNCATED_CASES = [
    dict(mean=0.0, std=1.0, a=None, b=None),
    dict(mean=1.0, std=0.5, a=0.0, b=3.0),
    dict(mean=0.0, std=1.0, a=1.5, b=5.0),
]


def truncated_cdf(alpha, beta):
    """CDF of the standard normal truncated to [alpha, beta].

    Written with ndtr directly (scipy's truncnorm.cdf is slow on millions of
    points); for bounds in the upper tail it uses the complementary form so
    the differences keep their precision.
    """
    from scipy.special import ndtr

    if alpha > 0:
        mass = ndtr(-alpha) - ndtr(-beta)
        return lambda z: (ndtr(-alpha) - ndtr(-np.clip(z, alpha, beta))) / mass
    mass = ndtr(beta) - ndtr(alpha)
    return lambda z: (ndtr(np.clip(z, alpha, beta)) - ndtr(alpha)) / mass


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("case", TRUNCATED_CASES, ids=range(len(TRUNCATED_CASES)))
def test_truncated_normal_distribution(dtype, case):
    stats = pytest.importorskip("scipy.stats")
    mean, std = case["mean"], case["std"]
    a = mean - 2 * std if case["a"] is None else case["a"]
    b = mean + 2 * std if case["b"] is None else case["b"]
    alpha, beta = (a - mean) / std, (b - mean) / std
    seed = 8000 + TRUNCATED_CASES.index(case) + (10 if dtype == np.float64 else 0)
    kwargs = {k: v for k, v in case.items() if v is not None}
    values = fastinit.truncated_normal(N, dtype=dtype, seed=seed, **kwargs)
    assert values.min() >= dtype(a) and values.max() <= dtype(b)
    z = (values.astype(np.float64) - mean) / std
    law = stats.truncnorm(alpha, beta)
    law_mean, law_var, law_kurtosis = (float(m) for m in law.stats(moments="mvk"))
    cdf = truncated_cdf(alpha, beta)
    fourth_central = (law_kurtosis + 3.0) * law_var**2
    n = z.size
    assert_near(z.mean(), law_mean, math.sqrt(law_var / n), "mean")
    assert_near(np.mean((z - law_mean) ** 2), law_var, math.sqrt((fourth_central - law_var**2) / n), "variance")
    assert stats.kstest(z, cdf).pvalue > P_VALUE_FLOOR
    # Mass near each bound matches the truncated law (the ends are reached).
    width = (beta - alpha) / 100
    for lo, hi in ((alpha, alpha + width), (beta - width, beta)):
        p = float(cdf(hi) - cdf(lo))
        fraction = np.count_nonzero((z >= lo) & (z <= hi)) / n
        assert_near(fraction, p, math.sqrt(p * (1 - p) / n), "mass in [%g, %g]" % (lo, hi))
