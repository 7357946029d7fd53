"""Philox4x32-10 word stream: published known answers and cross-checks.

The known-answer vectors in data/philox4x32_10_kat.csv are the rows
"philox4x32 10" of Random123's tests/kat_vectors (D. E. Shaw Research), the
reference implementation of J. K. Salmon, M. A. Moraes, R. O. Dror and
D. E. Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11
(doi:10.1145/2063384.2063405).
"""

import csv
import os

import numpy as np
import pytest

import fastinit
import reference

KAT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "philox4x32_10_kat.csv")


def load_kat_vectors():
    with open(KAT_PATH, newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [{name: int(value, 16) for name, value in row.items()} for row in csv.DictReader(lines)]


KAT_VECTORS = load_kat_vectors()
KAT_IDS = ["ctr%08x_key%08x" % (row["c0"], row["k0"]) for row in KAT_VECTORS]


def kat_coordinates(row):
    """(seed, stream, block) whose counter and key are the vector's (docs/stream-format.md)."""
    seed = row["k0"] + (row["k1"] << 32)
    stream = row["c2"] + (row["c3"] << 32)
    block = row["c0"] + (row["c1"] << 32)
    return seed, stream, block


def kat_output(row):
    return np.array([row["o0"], row["o1"], row["o2"], row["o3"]], dtype=np.uint32)


def test_kat_file_has_the_three_published_rows():
    assert len(KAT_VECTORS) == 3
    counters = {(row["c0"], row["c1"], row["c2"], row["c3"]) for row in KAT_VECTORS}
    assert (0, 0, 0, 0) in counters
    assert (0xFFFFFFFF,) * 4 in counters


@pytest.mark.parametrize("row", KAT_VECTORS, ids=KAT_IDS)
def test_reference_model_reproduces_kat(row):
    counter = (row["c0"], row["c1"], row["c2"], row["c3"])
    key = (row["k0"], row["k1"])
    got = np.array([int(w) for w in reference.philox4x32_10(counter, key)], dtype=np.uint32)
    np.testing.assert_array_equal(got, kat_output(row))


@pytest.mark.parametrize("row", KAT_VECTORS, ids=KAT_IDS)
def test_random_raw_reproduces_kat(row):
    seed, stream, block = kat_coordinates(row)
    got = fastinit.random_raw(4, seed=seed, stream=stream, block=block)
    assert isinstance(got, np.ndarray)
    assert got.dtype == np.uint32
    assert got.shape == (4,)
    np.testing.assert_array_equal(got, kat_output(row))


@pytest.mark.parametrize("row", KAT_VECTORS, ids=KAT_IDS)
def test_random_raw_reproduces_kat_word_by_word(row):
    # Partial blocks: words 4*block + k for every k of the vector.
    seed, stream, block = kat_coordinates(row)
    expected = kat_output(row)
    for count in range(1, 5):
        got = fastinit.random_raw(count, seed=seed, stream=stream, block=block)
        np.testing.assert_array_equal(got, expected[:count])


def test_generator_reaches_kat_block():
    row = next(r for r in KAT_VECTORS if r["c0"] == 0x243F6A88)
    seed, stream, block = kat_coordinates(row)
    generator = fastinit.Generator(seed=seed, stream=stream)
    assert generator._take_blocks(block) == 0
    assert generator.block == block
    np.testing.assert_array_equal(generator.random_raw(4), kat_output(row))
    assert generator.block == block + 1


LONG_CASES = [
    # (seed, stream, block, n_words); more than 10**6 words in all.
    (0, 0, 0, 2**20 + 3),
    (2**64 - 1, 2**64 - 1, 12345, 2**18 + 1),
    (0x0123456789ABCDEF, 0xFEDCBA9876543210, 2**40 + 1, 2**17 + 2),
    (42, "encoder.layer3.weight", 7, 2**17 + 3),
    (2**32, 2**32 - 1, 2**32 - 2**15, 2**17),
]


@pytest.mark.parametrize("seed, stream, block, n_words", LONG_CASES)
def test_long_cross_check_against_reference(seed, stream, block, n_words):
    got = fastinit.random_raw(n_words, seed=seed, stream=stream, block=block)
    expected = reference.words(seed, stream, block, 0, n_words)
    assert got.shape == (n_words,)
    mismatch = np.flatnonzero(got != expected)
    assert mismatch.size == 0, "first differing word %d of %d" % (mismatch[0], mismatch.size)


def test_long_cross_check_covers_a_million_words():
    assert sum(case[3] for case in LONG_CASES) >= 10**6


@pytest.mark.parametrize("first_block", [2**32 - 3, 2**33 - 2, 3 * 2**32 - 1])
@pytest.mark.parametrize("seed, stream", [(1, 0), (2**64 - 1, 99)])
def test_block_carry_into_high_counter_word(seed, stream, first_block):
    n_words = 4 * 7
    got = fastinit.random_raw(n_words, seed=seed, stream=stream, block=first_block)
    np.testing.assert_array_equal(got, reference.words(seed, stream, first_block, 0, n_words))
    # Each block of the run is a distinct counter: no two blocks repeat.
    blocks = got.reshape(7, 4)
    assert len({tuple(b) for b in blocks}) == 7


@pytest.mark.parametrize("offset", range(4))
def test_block_carry_with_unaligned_word_runs(offset):
    # Words 4*(2**32 - 3) + offset ... via a block offset and a prefix drop.
    seed, stream = 77, 5
    full = fastinit.random_raw(4 * 7, seed=seed, stream=stream, block=2**32 - 3)
    np.testing.assert_array_equal(full[offset:], reference.words(seed, stream, 2**32 - 3, offset, 4 * 7 - offset))


def test_last_blocks_below_two_to_the_64():
    seed, stream, first_block = 3, 4, 2**64 - 4
    got = fastinit.random_raw(16, seed=seed, stream=stream, block=first_block)
    np.testing.assert_array_equal(got, reference.words(seed, stream, first_block, 0, 16))


def test_words_past_the_last_block_are_refused():
    # Block numbers are < 2**64; a run that would need block 2**64 has no words.
    with pytest.raises(ValueError):
        fastinit.random_raw(8, seed=1, block=2**64 - 1)


@pytest.mark.parametrize("stream", [2**32 - 1, 2**32, 2**63, 2**64 - 1])
def test_stream_words_reach_high_counter_words(stream):
    got = fastinit.random_raw(64, seed=11, stream=stream, block=5)
    np.testing.assert_array_equal(got, reference.words(11, stream, 5, 0, 64))


def test_seed_fills_both_key_words():
    seeds = [2**32 - 1, 2**32, 2**64 - 2**32, 2**64 - 1]
    runs = [fastinit.random_raw(16, seed=s) for s in seeds]
    for seed, run in zip(seeds, runs):
        np.testing.assert_array_equal(run, reference.words(seed, 0, 0, 0, 16))
    assert len({run.tobytes() for run in runs}) == len(seeds)


@pytest.mark.parametrize("n_words", [0, 1, 2, 3, 5, 7, 15, 16, 17, 31, 33, 63, 65, 127, 129])
def test_random_raw_odd_lengths(n_words):
    got = fastinit.random_raw(n_words, seed=2024, stream=3, block=9)
    assert got.dtype == np.uint32 and got.shape == (n_words,)
    np.testing.assert_array_equal(got, reference.words(2024, 3, 9, 0, n_words))


STREAM_NAMES = [
    "encoder.layer3.weight",
    "encoder.layer3.bias",
    "",
    "décodeur.tête.poids",
    "层.权重",
    "x" * 1000,
]


@pytest.mark.parametrize("name", STREAM_NAMES, ids=range(len(STREAM_NAMES)))
def test_stream_name_is_blake2b_64_little_endian(name):
    stream = reference.stream_id(name)
    assert 0 <= stream < 2**64
    by_name = fastinit.random_raw(40, seed=8, stream=name, block=2)
    by_number = fastinit.random_raw(40, seed=8, stream=stream, block=2)
    np.testing.assert_array_equal(by_name, by_number)
    np.testing.assert_array_equal(by_name, reference.words(8, stream, 2, 0, 40))


def test_stream_names_are_distinct_streams():
    runs = {fastinit.random_raw(8, seed=8, stream=name).tobytes() for name in STREAM_NAMES}
    assert len(runs) == len(STREAM_NAMES)


def test_stream_name_resolution_helper():
    validate = pytest.importorskip("fastinit._validate")
    for name in STREAM_NAMES:
        assert validate.stream(name) == reference.stream_id(name)
    assert validate.stream(12345) == 12345


def test_generator_stream_name():
    generator = fastinit.Generator(seed=5, stream="encoder.layer3.weight")
    assert generator.stream == reference.stream_id("encoder.layer3.weight")
    np.testing.assert_array_equal(
        generator.random_raw(12), reference.words(5, "encoder.layer3.weight", 0, 0, 12)
    )
