"""Arrays beyond 32-bit indexing and the end of the counter space.

A real array of more than 2**31 elements is filled correctly at both ends
(``huge``: needs about 10.6 GiB of available memory).  Regions of logical
arrays far beyond 2**32 elements, and fills whose blocks approach 2**64,
give the words of the stream format, computed independently by the NumPy
model in tests/reference.py; a fill that would need block 2**64 or beyond
raises ValueError instead of wrapping around to reused words.
"""

import numpy as np
import pytest

import fastinit
import reference
from _markers import huge

UINT64_LIMIT = 2**64
HUGE_N = 2**31 + 5
FLOAT32_NORMAL_TOLERANCE = 4e-6  # docs/stream-format.md, standard-normal units, times max(1, |z|)


def assert_same_bits(got, expected):
    assert got.shape == expected.shape and got.dtype == expected.dtype
    width = np.dtype(f"u{got.dtype.itemsize}")
    mismatch = np.flatnonzero(np.ascontiguousarray(got).view(width)
                              != np.ascontiguousarray(expected).view(width))
    assert mismatch.size == 0, f"{mismatch.size} elements differ, first at {mismatch[0]}"


def assert_normal_close_to_reference(values, flat_index, seed, stream, block=0):
    z = reference.standard_normal(flat_index, np.float32, seed, stream, block)
    error = np.abs(values.astype(np.float64) - z)
    bound = FLOAT32_NORMAL_TOLERANCE * np.maximum(1.0, np.abs(z))
    assert np.all(error <= bound), (
        f"worst error {np.max(error / bound):.2f} x the bound at index "
        f"{flat_index[np.argmax(error / bound)]}")


# --------------------------------------------------------------------------
# a real array of more than 2**31 elements


@huge(needed_bytes=HUGE_N * 4)
def test_array_beyond_2_31_elements_is_filled_correctly_at_both_ends():
    seed, stream = 123456789, "huge.weight"
    # NaN everywhere first, so that any element the fill skipped stays NaN.
    out = np.full(HUGE_N, np.nan, np.float32)
    assert fastinit.normal(HUGE_N, seed=seed, stream=stream, out=out, threads=2) is out

    edges = {
        "start": np.s_[:4099],
        "around 2**31": np.s_[2**31 - 2051:2**31 + 3],
        "end": np.s_[HUGE_N - 4099:],
    }
    for name, edge in edges.items():
        region = fastinit.normal(HUGE_N, seed=seed, stream=stream, region=(edge,))
        assert_same_bits(out[edge], region)
        flat_index = np.arange(*edge.indices(HUGE_N), dtype=np.int64)
        assert_normal_close_to_reference(out[edge], flat_index, seed, stream)

    chunk = 1 << 26
    for begin in range(0, HUGE_N, chunk):
        part = out[begin:begin + chunk]
        assert not np.isnan(part).any(), f"unwritten elements after index {begin}"

    # uniform float32 on [0, 1) is U24 exactly: a bit-exact independent check.
    assert fastinit.uniform(HUGE_N, seed=seed, stream=stream, out=out, threads=2) is out
    for name, edge in edges.items():
        flat_index = np.arange(*edge.indices(HUGE_N), dtype=np.int64)
        expected = reference.standard_uniform(flat_index, np.float32, seed, stream)
        assert_same_bits(out[edge], expected.astype(np.float32))


# --------------------------------------------------------------------------
# regions of logical arrays beyond 2**32 elements (never allocated)


@pytest.mark.parametrize("shape, region", [
    ((2**40,), np.s_[2**40 - 1000:, ]),
    ((2**33 + 3,), np.s_[2**32 - 7:2**32 + 9, ]),
    ((2**20, 2**20 + 1), np.s_[2**20 - 3:, 2**20 - 50:]),
    ((3, 2**31, 5), np.s_[2:, 2**31 - 2:, :]),
])
def test_uniform_region_of_a_huge_logical_array_is_exact(shape, region):
    seed, stream = 99, 2**63 + 5
    got = fastinit.uniform(shape, seed=seed, stream=stream, region=region)
    flat_index, sub_shape = reference.flat_indices(shape, region)
    expected = reference.standard_uniform(flat_index, np.float32, seed, stream)
    assert_same_bits(got, expected.astype(np.float32).reshape(sub_shape))


@pytest.mark.parametrize("shape, region", [
    ((2**40,), np.s_[2**40 - 999:, ]),
    ((2**20, 2**20 + 1), np.s_[2**20 - 3:, 2**20 - 50:]),
])
def test_normal_region_of_a_huge_logical_array_matches_reference(shape, region):
    seed, stream = 7, "huge.logical"
    got = fastinit.normal(shape, seed=seed, stream=stream, region=region)
    flat_index, sub_shape = reference.flat_indices(shape, region)
    assert got.shape == sub_shape
    assert_normal_close_to_reference(got.reshape(-1), flat_index, seed, stream)


# --------------------------------------------------------------------------
# the end of the counter space

ELEMENTS_PER_BLOCK = [
    ("uniform", np.float32, 4),
    ("uniform", np.float64, 2),
    ("normal", np.float32, 4),
    ("normal", np.float64, 2),
    ("truncated_normal", np.float32, 4),
    ("truncated_normal", np.float64, 2),
]


@pytest.mark.parametrize("n_blocks", [1, 2, 3, 16])
def test_last_blocks_of_the_counter_space_give_the_reference_words(n_blocks):
    seed, stream = 2**64 - 1, 2**64 - 1
    block = UINT64_LIMIT - n_blocks
    got = fastinit.random_raw(4 * n_blocks, seed=seed, stream=stream, block=block)
    expected = reference.words(seed, stream, block, 0, 4 * n_blocks)
    assert_same_bits(got, expected)
    # the last block differs from the first: no wrap to block 0
    assert not np.array_equal(got[-4:], fastinit.random_raw(4, seed=seed, stream=stream))


def test_last_block_is_the_published_all_ones_vector():
    # Random123 kat_vectors, philox4x32 10: counter ffffffff x 4, key
    # ffffffff x 2 -> 408f276d 41c83b0e a20bc7c6 6d5451fd (Salmon et al., SC'11).
    got = fastinit.random_raw(4, seed=2**64 - 1, stream=2**64 - 1, block=2**64 - 1)
    expected = np.array([0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD], np.uint32)
    assert_same_bits(got, expected)


@pytest.mark.parametrize("n_blocks", [1, 5])
@pytest.mark.parametrize("extra_words", [1, 3, 4, 4 * 2**20])
def test_raw_words_past_block_2_64_are_refused(n_blocks, extra_words):
    with pytest.raises(ValueError):
        fastinit.random_raw(4 * n_blocks + extra_words, seed=1, block=UINT64_LIMIT - n_blocks)


@pytest.mark.parametrize("method, dtype, per_block", ELEMENTS_PER_BLOCK)
def test_fill_ending_on_the_last_block_works_and_one_more_element_is_refused(
        method, dtype, per_block):
    n_blocks = 3
    block = UINT64_LIMIT - n_blocks
    fill = getattr(fastinit, method)
    n = per_block * n_blocks
    got = fill(n, seed=5, stream=6, block=block, dtype=dtype)
    assert got.shape == (n,) and np.all(np.isfinite(got))
    if method == "uniform":
        expected = reference.standard_uniform(np.arange(n), dtype, 5, 6, block)
        assert_same_bits(got, expected.astype(dtype))
    out = np.full(n + 1, np.nan, dtype)
    with pytest.raises(ValueError):
        fill(n + 1, seed=5, stream=6, block=block, dtype=dtype, out=out)
    assert np.all(np.isnan(out)), "a refused fill wrote to out"
    with pytest.raises(ValueError):
        fill(1, seed=5, stream=6, block=UINT64_LIMIT, dtype=dtype)


@pytest.mark.parametrize("method, dtype, per_block", ELEMENTS_PER_BLOCK)
def test_region_reaching_the_last_block_works_and_beyond_is_refused(method, dtype, per_block):
    n = per_block * 40 + 1           # the last element starts block 40
    region = np.s_[n - 7:]
    fill = getattr(fastinit, method)
    last_ok = UINT64_LIMIT - 41       # blocks last_ok ... 2**64 - 1
    got = fill(n, seed=8, stream=9, block=last_ok, dtype=dtype, region=region)
    assert got.shape == (7,)
    if method == "uniform":
        expected = reference.standard_uniform(np.arange(n - 7, n), dtype, 8, 9, last_ok)
        assert_same_bits(got, expected.astype(dtype))
    with pytest.raises(ValueError):
        fill(n, seed=8, stream=9, block=last_ok + 1, dtype=dtype, region=region)


def test_region_before_the_end_of_the_counter_space_works_or_is_refused():
    # Elements 0..7 need blocks B, B+1; the rest of the logical array would
    # need blocks beyond 2**64.  The region may be produced (it uses no
    # wrapped word) or refused; it must never be wrong.
    block = UINT64_LIMIT - 2
    try:
        got = fastinit.uniform(10**6, seed=3, block=block, region=np.s_[:8])
    except ValueError:
        return
    expected = reference.standard_uniform(np.arange(8), np.float32, 3, 0, block)
    assert_same_bits(got, expected.astype(np.float32))


def test_generator_at_the_end_of_the_counter_space():
    generator = fastinit.Generator(seed=17, stream=18)
    generator._take_blocks(UINT64_LIMIT - 3)
    words = generator.random_raw(12)
    assert_same_bits(words, reference.words(17, 18, UINT64_LIMIT - 3, 0, 12))
    assert generator.block == UINT64_LIMIT
    with pytest.raises(ValueError):
        generator.random_raw(1)
    with pytest.raises(ValueError):
        generator.normal(4)
    assert generator.block == UINT64_LIMIT


def test_generator_refuses_a_fill_that_does_not_fit_and_stays_usable():
    generator = fastinit.Generator(seed=17, stream=18)
    generator._take_blocks(UINT64_LIMIT - 2)
    out = np.full(9, np.nan, np.float32)
    with pytest.raises(ValueError):
        generator.uniform(9, out=out)          # needs 3 blocks, 2 are left
    assert np.all(np.isnan(out))
    assert generator.block == UINT64_LIMIT - 2
    got = generator.uniform(8)
    expected = reference.standard_uniform(np.arange(8), np.float32, 17, 18, UINT64_LIMIT - 2)
    assert_same_bits(got, expected.astype(np.float32))
