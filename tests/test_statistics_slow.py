"""Statistics at scale (``slow``): 10**7 to 4 * 10**8 draws per test.

Every test uses fixed seeds and streams, so its outcome is deterministic; the
false-failure probabilities below are those of a correct generator for a
fresh choice of seeds.

- Each chi-square test is two-sided (too uneven or too even) with total
  level 1e-6, split evenly (Bonferroni) over the tables it examines.
- Each tail count must lie in the central 1 - 1e-6 interval of its exact
  binomial distribution.
- Each correlation must satisfy |r| * sqrt(n) <= z, with z the two-sided
  1e-6 quantile of N(0, 1) (r * sqrt(n) is asymptotically standard normal
  for independent samples); each XOR bit count lies in its central
  1 - 1e-6 binomial interval.

In all: 4 chi-square tests (4e-6), 12 tail counts (1.2e-5), 216 bounds
on adjacent streams and seeds (2.16e-4) and 10 lag correlations (1e-5), so a
correct generator fails anything here with probability below 2.5e-4 for
fresh seeds.  Draws are processed in chunks
of 2**24 values to bound memory.
"""

import math

import numpy as np
import pytest

import fastinit
from _markers import slow

stats = pytest.importorskip("scipy.stats")
special = pytest.importorskip("scipy.special")

ALPHA = 1e-6
CHUNK = 1 << 24
N_LARGE = 10**8
N_CORRELATION = 10**7


def chunks(n_values, values_per_block):
    """(first value, count, block offset) of consecutive chunks of a stream."""
    for first in range(0, n_values, CHUNK):
        yield first, min(CHUNK, n_values - first), first // values_per_block


def assert_chi_square(observed, expected, alpha, label):
    """Two-sided chi-square goodness of fit at level `alpha`."""
    observed = np.asarray(observed, dtype=np.float64)
    expected = np.broadcast_to(np.asarray(expected, dtype=np.float64), observed.shape)
    statistic = float(np.sum((observed - expected) ** 2 / expected))
    df = observed.size - 1
    low, high = stats.chi2.ppf(alpha / 2, df), stats.chi2.isf(alpha / 2, df)
    p_value = 2 * min(stats.chi2.cdf(statistic, df), stats.chi2.sf(statistic, df))
    assert low <= statistic <= high, (
        f"{label}: chi-square {statistic:.1f} with {df} degrees of freedom outside "
        f"[{low:.1f}, {high:.1f}] (two-sided p-value {p_value:.2e})")


def binomial_interval(n, p, alpha):
    """Central interval of Binomial(n, p) holding at least 1 - alpha of its mass."""
    return stats.binom.ppf(alpha / 2, n, p), stats.binom.isf(alpha / 2, n, p)


def assert_binomial(count, n, p, alpha, label):
    low, high = binomial_interval(n, p, alpha)
    assert low <= count <= high, (
        f"{label}: {count} of {n}, expected {n * p:.1f} within [{low:.0f}, {high:.0f}]")


# --------------------------------------------------------------------------
# chi-square


@slow
def test_raw_word_bytes_are_uniform():
    # 10**8 words; the bytes of word position j of a block (j = 0..3, the four
    # outputs of one Philox call) at byte position b of the word form 16
    # tables of 256 cells, each with 2.5 * 10**7 bytes (about 97 656 per cell).
    n_words = N_LARGE
    counts = np.zeros((4, 4, 256), dtype=np.int64)
    for first, count, block in chunks(n_words, 4):
        words = fastinit.random_raw(count, seed=20260001, stream=1, block=block)
        as_bytes = words.view(np.uint8).reshape(-1, 4, 4)  # [block, word, byte] (little-endian)
        for word in range(4):
            for byte in range(4):
                counts[word, byte] += np.bincount(as_bytes[:, word, byte], minlength=256)
    assert counts.sum() == 4 * n_words
    for word in range(4):
        for byte in range(4):
            table = counts[word, byte]
            assert_chi_square(table, table.sum() / 256, ALPHA / 16,
                              f"word {word} of the block, byte {byte}")


def uniform_bins(dtype, seed, value_to_bin, n_values):
    counts = np.zeros(1 << 16, dtype=np.int64)
    per_block = 4 if np.dtype(dtype).itemsize == 4 else 2
    for first, count, block in chunks(n_values, per_block):
        values = fastinit.uniform(count, dtype=dtype, seed=seed, block=block, threads=2)
        counts += np.bincount(value_to_bin(values), minlength=1 << 16)
    assert counts.sum() == n_values
    return counts


@slow
def test_float32_uniforms_fill_2_16_bins_evenly():
    # 10**8 float32 uniforms in 65 536 equal bins of [0, 1): about 1526 per bin.
    counts = uniform_bins(np.float32, 20260002, lambda u: (u * 65536).astype(np.int64), N_LARGE)
    assert_chi_square(counts, N_LARGE / 65536, ALPHA, "float32 uniform, 2**16 bins")


@slow
def test_float32_uniform_low_mantissa_bits_are_uniform():
    # The lowest 16 of the 24 random bits of each float32 uniform, as 2**16
    # cells: a flaw in the low bits hides from coarse bins.
    counts = uniform_bins(
        np.float32, 20260003,
        lambda u: ((u.astype(np.float64) * 2**24).astype(np.int64) & 0xFFFF), N_LARGE)
    assert_chi_square(counts, N_LARGE / 65536, ALPHA, "float32 uniform, low 16 bits")


@slow
def test_float64_uniforms_fill_2_16_bins_evenly():
    counts = uniform_bins(np.float64, 20260004, lambda u: (u * 65536).astype(np.int64), N_LARGE)
    assert_chi_square(counts, N_LARGE / 65536, ALPHA, "float64 uniform, 2**16 bins")


# --------------------------------------------------------------------------
# normal tails


def tail_counts(dtype, seed, n_values, thresholds):
    """Counts of values above +t and below -t for each threshold t."""
    above = dict.fromkeys(thresholds, 0)
    below = dict.fromkeys(thresholds, 0)
    per_block = 4 if np.dtype(dtype).itemsize == 4 else 2
    for first, count, block in chunks(n_values, per_block):
        z = fastinit.normal(count, dtype=dtype, seed=seed, stream="tails", block=block,
                            threads=2)
        for t in thresholds:
            above[t] += int(np.count_nonzero(z > t))
            below[t] += int(np.count_nonzero(z < -t))
    return above, below


@slow
@pytest.mark.parametrize("dtype, n_values", [(np.float32, 4 * N_LARGE), (np.float64, N_LARGE)],
                         ids=["float32", "float64"])
def test_normal_tails_beyond_4_and_5_sigma(dtype, n_values):
    # P(Z > t) = Phi(-t) exactly: 3.17e-5 beyond 4 sigma and 2.87e-7 beyond
    # 5 sigma on each side (about 12 700 and 115 values in 4 * 10**8 draws).
    # Each one-sided and two-sided count is checked against its binomial
    # interval at level 1e-6.
    thresholds = (4.0, 5.0)
    above, below = tail_counts(dtype, 20260005, n_values, thresholds)
    for t in thresholds:
        p_one_side = float(special.ndtr(-t))
        assert_binomial(above[t], n_values, p_one_side, ALPHA, f"z > {t}")
        assert_binomial(below[t], n_values, p_one_side, ALPHA, f"z < -{t}")
        assert_binomial(above[t] + below[t], n_values, 2 * p_one_side, ALPHA, f"|z| > {t}")


# --------------------------------------------------------------------------
# independence of adjacent streams and seeds

Z_BOUND = float(stats.norm.isf(ALPHA / 2))  # 4.89

ADJACENT = [
    # (seed, stream) pairs that differ by one in the stream or in the seed,
    # also where the difference carries into the high 32-bit word.
    ((1, 0), (1, 1)),
    ((1, 2**32 - 1), (1, 2**32)),
    ((1, 2**64 - 2), (1, 2**64 - 1)),
    ((0, 7), (1, 7)),
    ((2**32 - 1, 7), (2**32, 7)),
    ((2**64 - 2, 7), (2**64 - 1, 7)),
]
ADJACENT_IDS = ["stream+1", "stream+1-carry", "stream-top", "seed+1", "seed+1-carry", "seed-top"]


def assert_uncorrelated(x, y, label):
    x = x.astype(np.float64)
    y = y.astype(np.float64)
    x -= x.mean()
    y -= y.mean()
    r = float(np.dot(x, y) / math.sqrt(np.dot(x, x) * np.dot(y, y)))
    assert abs(r) * math.sqrt(x.size) <= Z_BOUND, (
        f"{label}: correlation {r:.2e} over {x.size} values exceeds "
        f"{Z_BOUND / math.sqrt(x.size):.2e}")


@slow
@pytest.mark.parametrize("first, second", ADJACENT, ids=ADJACENT_IDS)
def test_adjacent_streams_and_seeds_are_uncorrelated(first, second):
    (seed_a, stream_a), (seed_b, stream_b) = first, second
    n = N_CORRELATION
    for method in ("uniform", "normal"):
        a = getattr(fastinit, method)(n, seed=seed_a, stream=stream_a, threads=2)
        b = getattr(fastinit, method)(n, seed=seed_b, stream=stream_b, threads=2)
        assert_uncorrelated(a, b, f"{method} {first} vs {second}")
        # Neighbouring elements of the two streams, too (shifted by one).
        assert_uncorrelated(a[1:], b[:-1], f"{method} {first} vs {second}, lag 1")
    # Bit level: each of the 32 bits of w_a XOR w_b is a fair coin.
    words_a = fastinit.random_raw(n, seed=seed_a, stream=stream_a)
    words_b = fastinit.random_raw(n, seed=seed_b, stream=stream_b)
    difference = words_a ^ words_b
    for bit in range(32):
        ones = int(np.count_nonzero(difference & np.uint32(1 << bit)))
        assert_binomial(ones, n, 0.5, ALPHA, f"bit {bit} of the XOR of {first} and {second}")


@slow
def test_values_within_a_stream_are_uncorrelated_at_small_lags():
    # Lags 1-3 pair words of one Philox block, lag 4 the same word of the next
    # block, lag 8 two blocks apart.
    n = N_CORRELATION
    for method in ("uniform", "normal"):
        values = getattr(fastinit, method)(n + 8, seed=20260006, stream="lags", threads=2)
        for lag in (1, 2, 3, 4, 8):
            assert_uncorrelated(values[:n], values[lag:lag + n], f"{method}, lag {lag}")
