"""Bit identity: the same (seed, stream, block, index) gives the same bits on
every SIMD level, thread count, region, chunking, output layout and call
sequence (docs/stream-format.md, "Identity across paths")."""

import os
import platform
import textwrap
import threading

import numpy as np
import pytest

import fastinit
import reference

FLOAT_DTYPES = [np.float32, np.float64]
DTYPE_IDS = ["f32", "f64"]
METHODS = ["uniform", "normal", "truncated_normal"]
ISA_LEVELS = ["scalar", "avx2", "avx512"]

ODD_SIZES = [0, 1, 2, 3, 5, 15, 16, 17] + sorted(
    {lanes + d for lanes in (8, 16, 32, 64, 128) for d in (-1, 0, 1)}
)


def fill(method, shape, dtype=np.float32, **kwargs):
    kwargs.setdefault("seed", 20240229)
    return getattr(fastinit, method)(shape, dtype=dtype, **kwargs)


def assert_same_bits(got, expected, label=""):
    # Compare C-order copies so any memory layout compares by logical index.
    got = np.ascontiguousarray(got)
    expected = np.ascontiguousarray(expected)
    assert got.dtype == expected.dtype, label
    assert got.shape == expected.shape, label
    if not np.array_equal(got.view(np.uint8), expected.view(np.uint8)):
        differ = np.flatnonzero(got.reshape(-1).view(np.uint8) != expected.reshape(-1).view(np.uint8))
        first = differ[0] // got.itemsize
        raise AssertionError(
            "%s: bits differ at %d element(s), first at flat index %d: %r != %r"
            % (label, len(set(differ // got.itemsize)), first, got.reshape(-1)[first], expected.reshape(-1)[first])
        )


# --- SIMD levels --------------------------------------------------------------

def cpu_flags():
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_levels():
    """SIMD levels this CPU (and OS, as reported by the kernel's flags) supports."""
    if platform.machine().lower() not in ("x86_64", "amd64", "i686", "x86"):
        return ["scalar"]
    flags = cpu_flags()
    levels = ["scalar"]
    if {"avx2", "fma"} <= flags:
        levels.append("avx2")
        if {"avx512f", "avx512dq", "avx512bw", "avx512vl"} <= flags:
            levels.append("avx512")
    return levels


# Fills whose bits every level must reproduce: odd sizes (vector tails), large
# sizes (vector main loops, threads), unaligned regions, offsets across block
# edges and the 32-bit block carry, every method and dtype.
IDENTITY_PAYLOAD = textwrap.dedent(
    """
    import numpy as np
    import fastinit

    def identity_payload():
        arrays = {}
        sizes = %r
        for n in sizes + [1000, 65_537]:
            arrays["raw_%%d" %% n] = fastinit.random_raw(n, seed=7, stream=3, block=2**32 - 2)
        for method in ("uniform", "normal", "truncated_normal"):
            fill = getattr(fastinit, method)
            for dtype in ("float32", "float64", "float16"):
                for n in sizes + [4099]:
                    arrays["%%s_%%s_%%d" %% (method, dtype, n)] = fill(n, dtype=dtype, seed=11, stream=5, block=1)
                big = 300_007 if dtype == "float64" else 600_011
                for threads in (1, 2):
                    arrays["%%s_%%s_big_t%%d" %% (method, dtype, threads)] = fill(
                        big, dtype=dtype, seed=2**64 - 1, stream="w", block=2**32 - 100, threads=threads
                    )
                arrays["%%s_%%s_region" %% (method, dtype)] = fill(
                    (97, 301), dtype=dtype, seed=3, region=np.s_[1:96, 3:300]
                )
                for start in (1, 2, 3, 5, 7):
                    arrays["%%s_%%s_offset%%d" %% (method, dtype, start)] = fill(
                        4099, dtype=dtype, seed=3, region=np.s_[start:start + 1025,]
                    )
            arrays["%%s_params" %% method] = fill(5001, 0.25, 3.0, dtype="float32", seed=9)
            arrays["%%s_params64" %% method] = fill(5001, -0.25, 3.0, dtype="float64", seed=9)
        # Outputs above the last-level cache size take the streaming-store path;
        # a digest keeps the payload small.
        import hashlib
        streaming = {
            "raw": fastinit.random_raw(2**23 + 5, seed=12, block=3),
            "uniform32": fastinit.uniform(2**23 + 3, seed=12, threads=2),
            "normal32": fastinit.normal(2**23 + 1, seed=12, threads=2),
            "uniform64": fastinit.uniform(2**22 + 1, dtype="float64", seed=12, threads=1),
        }
        for name, values in streaming.items():
            arrays["streaming_" + name] = np.array(hashlib.sha256(values.tobytes()).hexdigest())
        arrays["truncated_bounds32"] = fastinit.truncated_normal(4001, 0.0, 1.0, 2.5, 6.0, seed=10)
        arrays["truncated_bounds64"] = fastinit.truncated_normal(4001, 0.0, 1.0, -8.0, 8.0, dtype="float64", seed=10)
        return arrays
    """
    % (ODD_SIZES,)
)

CHILD_SCRIPT = IDENTITY_PAYLOAD + textwrap.dedent(
    """
    import sys
    arrays = identity_payload()
    arrays["isa"] = np.array(fastinit.isa())
    np.savez(sys.argv[1] if len(sys.argv) > 1 else OUT_PATH, **arrays)
    """
)


def run_level(run_python, level, out_path):
    source = "OUT_PATH = %r\n" % str(out_path) + CHILD_SCRIPT
    return run_python(source, env={"FASTINIT_ISA": level} if level else None)


@pytest.fixture(scope="module")
def level_results(tmp_path_factory):
    """Payload of every supported level, computed once per module run."""
    return {}


def payload_of(run_python, level_results, tmp_path_factory, level):
    if level not in level_results:
        out_path = tmp_path_factory.mktemp("isa") / ("%s.npz" % level)
        result = run_level(run_python, level, out_path)
        assert result.returncode == 0, "FASTINIT_ISA=%s failed:\n%s" % (level, result.stderr[-4000:])
        with np.load(out_path) as data:
            level_results[level] = {key: data[key] for key in data.files}
    return level_results[level]


def test_default_level_is_the_best_the_cpu_has():
    if os.environ.get("FASTINIT_ISA"):
        pytest.skip("FASTINIT_ISA is set for this run")
    assert fastinit.isa() == cpu_levels()[-1]


def test_supported_levels_match_cpu_flags():
    assert tuple(fastinit.supported_isas()) == tuple(cpu_levels())


@pytest.mark.parametrize("level", ISA_LEVELS)
def test_forced_level_is_reported(run_python, level):
    result = run_python("import fastinit; print(fastinit.isa())", env={"FASTINIT_ISA": level})
    if level in cpu_levels():
        assert result.returncode == 0, result.stderr[-4000:]
        assert result.stdout.strip() == level
    else:
        # A level the CPU lacks is refused with a message naming it.
        assert result.returncode != 0
        assert level in result.stderr


def test_unknown_level_is_refused(run_python):
    result = run_python("import fastinit; print(fastinit.isa())", env={"FASTINIT_ISA": "sse9"})
    assert result.returncode != 0
    assert "FASTINIT_ISA" in result.stderr or "sse9" in result.stderr


@pytest.mark.parametrize("level", [lv for lv in ISA_LEVELS if lv != "scalar"])
def test_every_level_matches_scalar_bit_for_bit(run_python, level_results, tmp_path_factory, level):
    if level not in cpu_levels():
        pytest.skip("CPU lacks %s" % level)
    scalar = payload_of(run_python, level_results, tmp_path_factory, "scalar")
    vector = payload_of(run_python, level_results, tmp_path_factory, level)
    assert str(scalar["isa"]) == "scalar"
    assert str(vector["isa"]) == level
    assert set(scalar) == set(vector)
    for key in sorted(scalar):
        if key != "isa":
            assert_same_bits(vector[key], scalar[key], "%s vs scalar, %s" % (level, key))


def test_in_process_level_matches_scalar(run_python, level_results, tmp_path_factory):
    namespace = {}
    exec(IDENTITY_PAYLOAD, namespace)
    here = namespace["identity_payload"]()
    scalar = payload_of(run_python, level_results, tmp_path_factory, "scalar")
    for key in sorted(here):
        assert_same_bits(here[key], scalar[key], "%s vs scalar, %s" % (fastinit.isa(), key))


def test_raw_words_of_every_level_match_reference(run_python, level_results, tmp_path_factory):
    for level in cpu_levels():
        payload = payload_of(run_python, level_results, tmp_path_factory, level)
        for n in ODD_SIZES + [1000, 65_537]:
            assert_same_bits(payload["raw_%d" % n], reference.words(7, 3, 2**32 - 2, 0, n), "%s raw %d" % (level, n))


# --- threads ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_thread_counts_give_identical_bits(method, dtype):
    n = 1_000_003 if dtype == np.float32 else 500_009
    one = fill(method, n, dtype, threads=1, stream=1, block=2**32 - 9)
    for threads in (2, 3, 7, None):
        assert_same_bits(fill(method, n, dtype, threads=threads, stream=1, block=2**32 - 9), one, "threads=%s" % threads)


@pytest.mark.parametrize("threads", [1, 2, 3, 7])
@pytest.mark.parametrize("method", METHODS)
def test_thread_counts_with_regions(method, threads):
    shape, region = (1501, 1303), np.s_[7:1490, 1:1302]
    full = fill(method, shape, threads=1)
    assert_same_bits(fill(method, shape, region=region, threads=threads), full[region], "threads=%d" % threads)


@pytest.mark.parametrize("threads", [2, 3, 7])
def test_thread_counts_with_out(threads):
    expected = fill("normal", (1200, 999), threads=1)
    out = np.empty((1200, 999), dtype=np.float32)
    assert fill("normal", (1200, 999), out=out, threads=threads) is out
    assert_same_bits(out, expected)
    fortran = np.empty((1200, 999), dtype=np.float32, order="F")
    fill("normal", (1200, 999), out=fortran, threads=threads)
    assert_same_bits(fortran, expected)


# --- large outputs (streaming stores) ----------------------------------------

@pytest.mark.parametrize("method, dtype", [("uniform", np.float32), ("uniform", np.float64), ("normal", np.float32)])
def test_large_output_equals_chunked_small_fills(method, dtype):
    # 2**23 + 3 float32 (just over 32 MiB) goes past the last-level cache, where
    # stores may bypass the cache; small regions of it do not.
    n = 2**23 + 3 if dtype == np.float32 else 2**22 + 3
    for threads in (1, 2):
        whole = fill(method, n, dtype, threads=threads)
        cuts = np.linspace(0, n, 9).astype(np.int64)
        cuts[1:-1] += np.arange(1, 8)  # unaligned cut points
        for a, b in zip(cuts, cuts[1:]):
            assert_same_bits(whole[a:b], fill(method, n, dtype, region=np.s_[int(a):int(b),], threads=1),
                             "threads=%d [%d:%d]" % (threads, a, b))


@pytest.mark.parametrize("offset", [1, 3, 5])
def test_large_unaligned_out_keeps_neighbours(offset):
    n = 2**23 + 7
    expected = fill("uniform", n, threads=1)
    buffer = np.full(n + 32, -7.0, dtype=np.float32)
    out = buffer[offset : offset + n]
    fill("uniform", n, out=out, threads=2)
    assert_same_bits(out, expected)
    assert np.all(buffer[:offset] == -7.0) and np.all(buffer[offset + n :] == -7.0)


def test_large_raw_run_matches_reference_at_both_ends():
    n = 2**23 + 5
    got = fastinit.random_raw(n, seed=12, block=2**32 - 2**20)
    for start in (0, 2**20 * 4 - 6, n - 1001):
        assert_same_bits(got[start : start + 1001], reference.words(12, 0, 2**32 - 2**20, start, min(1001, n - start)))


def test_concurrent_calls_from_python_threads():
    # Fills release the GIL; simultaneous calls must not share mutable state.
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(m, seed, dt, th) for m in METHODS for seed in range(3) for dt in FLOAT_DTYPES for th in (1, 2)]

    def run(job):
        method, seed, dtype, threads = job
        return fill(method, 300_001, dtype, seed=seed, threads=threads)

    serial = [run(job) for job in jobs]
    with ThreadPoolExecutor(max_workers=6) as pool:
        concurrent = list(pool.map(run, jobs))
    for job, a, b in zip(jobs, serial, concurrent):
        assert_same_bits(b, a, str(job))


# --- regions and chunked fills -----------------------------------------------

REGIONS_2D = [
    np.s_[0:37, 0:53],
    np.s_[1:2, 3:4],
    np.s_[5:30, 7:8],
    np.s_[3:36, 11:50],
    np.s_[36:37, 0:53],
    np.s_[0:0, 0:53],
    np.s_[4:9, 52:53],
    np.s_[:, 2:5],
    np.s_[10:, :],
]
REGIONS_3D = [
    np.s_[1:4, 2:6, 3:8],
    np.s_[0:5, 0:7, 8:9],
    np.s_[4:5, 6:7, 0:9],
    np.s_[0:5, 3:4, 0:9],
    np.s_[2:3, 0:7, 1:8],
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_regions_equal_slices_2d(method, dtype):
    shape = (37, 53)
    full = fill(method, shape, dtype, stream=8, block=3)
    for region in REGIONS_2D:
        assert_same_bits(fill(method, shape, dtype, stream=8, block=3, region=region), full[region], str(region))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_regions_equal_slices_3d(method, dtype):
    shape = (5, 7, 9)
    full = fill(method, shape, dtype, stream="embedding")
    for region in REGIONS_3D:
        assert_same_bits(fill(method, shape, dtype, stream="embedding", region=region), full[region], str(region))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_large_region_equals_slice(method, dtype):
    shape, region = (300, 1001), np.s_[17:283, 5:999]
    full = fill(method, shape, dtype, block=2**32 - 1000)
    assert_same_bits(fill(method, shape, dtype, block=2**32 - 1000, region=region), full[region])


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_regions_of_many_short_runs(method, dtype, threads):
    # Narrow column bands of a tall matrix: hundreds of thousands of separate
    # runs of logical elements, processed in several pieces.
    shape = (150_001, 7)
    full = fill(method, shape, dtype)
    for region in (np.s_[:, 2:4], np.s_[3:150_000, 6:7], np.s_[1:, 0:6]):
        assert_same_bits(fill(method, shape, dtype, region=region, threads=threads), full[region], str(region))
    shape = (50, 300, 40)
    full = fill(method, shape, dtype)
    for region in (np.s_[1:49, 2:299, 5:6], np.s_[:, 7:8, :], np.s_[3:4, :, 1:39]):
        assert_same_bits(fill(method, shape, dtype, region=region, threads=threads), full[region], str(region))


@pytest.mark.parametrize("method", METHODS + ["random_raw"])
def test_region_of_1d_at_every_offset(method):
    n = 300
    if method == "random_raw":
        full = fastinit.random_raw(n, seed=5)
        for start in range(0, 12):
            for length in (0, 1, 2, 3, 5, 17, 33):
                np.testing.assert_array_equal(full[start : start + length], reference.words(5, 0, 0, start, length))
        return
    for dtype in FLOAT_DTYPES:
        full = fill(method, n, dtype)
        for start in range(0, 12):
            for length in (0, 1, 2, 3, 5, 17, 33, 129):
                region = np.s_[start : start + length,]
                assert_same_bits(fill(method, n, dtype, region=region), full[region], "%s %r" % (dtype, region))


def test_region_with_fewer_entries_takes_trailing_axes_whole():
    # As in numpy indexing, missing trailing entries select whole axes.
    shape = (6, 7, 9)
    full = fill("normal", shape)
    for region in (np.s_[1:4,], np.s_[2:5, 3:6]):
        assert_same_bits(fill("normal", shape, region=region), full[region], str(region))


def test_region_with_negative_indices_is_numpy_slice_or_refused():
    full = fill("normal", (10, 12))
    for region in (np.s_[-3:, 2:5], np.s_[1:-1, -4:-1]):
        try:
            got = fill("normal", (10, 12), region=region)
        except ValueError:
            continue
        assert_same_bits(got, full[region], str(region))


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_chunked_fills_tile_the_array(method, dtype):
    shape = (64, 1000)
    full = fill(method, shape, dtype, stream=4)
    rows = [0, 7, 30, 31, 64]
    cols = [0, 1, 333, 998, 1000]
    row_bands = [fill(method, shape, dtype, stream=4, region=np.s_[a:b, :]) for a, b in zip(rows, rows[1:])]
    assert_same_bits(np.concatenate(row_bands, axis=0), full, "row bands")
    col_bands = [fill(method, shape, dtype, stream=4, region=np.s_[:, a:b]) for a, b in zip(cols, cols[1:])]
    assert_same_bits(np.concatenate(col_bands, axis=1), full, "column bands")
    grid = [
        [fill(method, shape, dtype, stream=4, region=np.s_[r0:r1, c0:c1]) for c0, c1 in zip(cols, cols[1:])]
        for r0, r1 in zip(rows, rows[1:])
    ]
    assert_same_bits(np.block(grid), full, "grid")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_chunked_fills_into_views_of_one_buffer(method, dtype):
    shape = (48, 700)
    full = fill(method, shape, dtype)
    assembled = np.full(shape, np.nan, dtype=dtype)
    for region in (np.s_[0:48, 0:123], np.s_[0:20, 123:700], np.s_[20:48, 123:699], np.s_[20:48, 699:700]):
        view = assembled[region]
        assert fill(method, shape, dtype, region=region, out=view) is view
    assert_same_bits(assembled, full)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_chunked_1d_fills_concatenate(method, dtype):
    n = 10_007
    full = fill(method, n, dtype, block=5)
    cuts = [0, 1, 2, 5, 64, 65, 1000, 1001, 4097, 9999, 10_007]
    parts = [fill(method, n, dtype, block=5, region=np.s_[a:b,]) for a, b in zip(cuts, cuts[1:])]
    assert_same_bits(np.concatenate(parts), full)


# --- odd sizes and block offsets ----------------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_odd_sizes_are_prefixes(method, dtype):
    longest = fill(method, 1031, dtype, stream=2)
    for n in ODD_SIZES:
        got = fill(method, n, dtype, stream=2)
        assert got.shape == (n,)
        assert_same_bits(got, longest[:n], "n=%d" % n)


def test_raw_odd_sizes_are_prefixes():
    longest = fastinit.random_raw(1031, seed=2)
    for n in ODD_SIZES:
        assert_same_bits(fastinit.random_raw(n, seed=2), longest[:n], "n=%d" % n)


def elements_per_block(method, dtype):
    per = reference.words_per_element(method, dtype)
    return 4 // per * (2 if method == "normal" else 1)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("block", [1, 2, 3, 7, 64, 1001])
def test_block_offset_skips_whole_blocks(method, dtype, block):
    skip = block * elements_per_block(method, dtype)
    base = fill(method, skip + 333, dtype, stream=6)
    assert_same_bits(fill(method, 333, dtype, stream=6, block=block), base[skip:], "block=%d" % block)


def test_raw_block_offset_skips_four_words_per_block():
    base = fastinit.random_raw(4 * 50 + 21, seed=6)
    for block in (1, 2, 3, 50):
        assert_same_bits(fastinit.random_raw(21, seed=6, block=block), base[4 * block : 4 * block + 21])


# --- out= ---------------------------------------------------------------------

@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [0, 1, 17, (3, 5), (129, 65), 100_003])
def test_out_equals_fresh(method, dtype, shape):
    fresh = fill(method, shape, dtype, stream=12)
    out = np.empty(shape, dtype=dtype)
    returned = fill(method, shape, dtype, stream=12, out=out)
    assert returned is out
    assert_same_bits(out, fresh)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
def test_unaligned_out_does_not_write_outside(method, dtype):
    n = 1000
    fresh = fill(method, n, dtype)
    for offset in range(0, 17):
        buffer = np.full(n + 40, -7.0, dtype=dtype)
        out = buffer[offset : offset + n]
        fill(method, n, dtype, out=out)
        assert_same_bits(out, fresh, "offset %d" % offset)
        assert np.all(buffer[:offset] == -7.0) and np.all(buffer[offset + n :] == -7.0), "offset %d" % offset


def strided_layouts(shape):
    """(name, base shape, base order, function taking the base to the out view)."""
    rows, cols = shape
    return [
        ("fortran", shape, "F", lambda base: base),
        ("every other column", (rows, 2 * cols + 1), "C", lambda base: base[:, 1::2][:, :cols]),
        ("every third row", (3 * rows, cols), "C", lambda base: base[::3]),
        ("reversed", shape, "C", lambda base: base[::-1, ::-1]),
        ("negative steps of 2", (2 * rows, 2 * cols), "C", lambda base: base[::-2, ::-2]),
        ("transposed", (cols, rows), "C", lambda base: base.T),
        ("fortran, every other row", (2 * rows, cols), "F", lambda base: base[1::2]),
    ]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", [(7, 13), (1031, 1049)])
def test_noncontiguous_out_gets_c_order_values(method, dtype, shape):
    fresh = fill(method, shape, dtype, stream=13)
    for name, base_shape, order, view_of in strided_layouts(shape):
        base = np.full(base_shape, -7.0, dtype=dtype, order=order)
        out = view_of(base)
        assert out.shape == shape
        returned = fill(method, shape, dtype, stream=13, out=out)
        assert returned is out, name
        assert_same_bits(np.ascontiguousarray(out), fresh, name)
        covered = np.zeros(base_shape, dtype=bool)
        view_of(covered)[...] = True
        assert np.all(base[~covered] == -7.0), name + ": wrote outside the view"


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=DTYPE_IDS)
def test_noncontiguous_out_with_region(dtype):
    shape, region = (40, 90), np.s_[3:38, 10:80]
    full = fill("normal", shape, dtype)
    out = np.empty((70, 35), dtype=dtype).T
    assert fill("normal", shape, dtype, region=region, out=out) is out
    assert_same_bits(np.ascontiguousarray(out), full[region])


def test_3d_noncontiguous_out():
    shape = (6, 50, 70)
    fresh = fill("normal", shape)
    for out in (np.empty(shape, np.float32, order="F"), np.empty((6, 70, 50), np.float32).transpose(0, 2, 1),
                np.empty((12, 50, 140), np.float32)[::2, :, ::-2]):
        fill("normal", shape, out=out)
        assert_same_bits(np.ascontiguousarray(out), fresh)


@pytest.mark.parametrize("method", ["normal", "uniform"])
def test_half_precision_out(method):
    fresh = fill(method, (33, 65), np.float16)
    out = np.empty((33, 65), np.float16, order="F")
    assert fill(method, (33, 65), np.float16, out=out) is out
    assert_same_bits(np.ascontiguousarray(out), fresh)


# --- Generator ----------------------------------------------------------------

def test_generator_consecutive_calls_equal_offset_one_shots():
    seed, stream = 0xDEADBEEF12345678, "encoder.layer3.weight"
    generator = fastinit.Generator(seed=seed, stream=stream)
    assert generator.seed == seed
    assert generator.stream == reference.stream_id(stream)
    assert generator.block == 0
    calls = [
        ("normal", (3, 5), np.float32, {}),
        ("uniform", 7, np.float64, {}),
        ("random_raw", 9, None, {}),
        ("truncated_normal", 11, np.float32, {"mean": 1.0, "std": 0.5}),
        ("normal", 1, np.float64, {}),
        ("uniform", (2, 3), np.float32, {"low": -1.0, "high": 1.0}),
        ("normal", 5, np.float16, {}),
        ("truncated_normal", 3, np.float64, {}),
        ("random_raw", 1, None, {}),
    ]
    block = 0
    for method, shape, dtype, kwargs in calls:
        if method == "random_raw":
            got = generator.random_raw(shape)
            expected = fastinit.random_raw(shape, seed=seed, stream=stream, block=block)
            used = -(-shape // 4)
        else:
            got = getattr(generator, method)(shape, dtype=dtype, **kwargs)
            expected = getattr(fastinit, method)(shape, dtype=dtype, seed=seed, stream=stream, block=block, **kwargs)
            used = fastinit.blocks_for(method, shape, dtype)
            assert used == reference.blocks_used(method, int(np.prod(shape)), reference.value_dtype(dtype))
        assert_same_bits(got, expected, "%s %r at block %d" % (method, shape, block))
        block += used
        assert generator.block == block


def test_generator_out_and_region():
    seed = 99
    generator = fastinit.Generator(seed=seed)
    shape, region = (30, 40), np.s_[5:25, 3:33]
    out = np.empty((20, 30), np.float32, order="F")
    assert generator.normal(shape, region=region, out=out) is out
    assert_same_bits(np.ascontiguousarray(out), fastinit.normal(shape, seed=seed)[region])
    # Every worker advances past the whole logical array, whichever region it made.
    assert generator.block == fastinit.blocks_for("normal", shape, np.float32)


def test_generator_same_seed_same_sequence():
    first = fastinit.Generator(seed=5, stream=2)
    second = fastinit.Generator(seed=5, stream=2)
    for _ in range(3):
        assert_same_bits(first.normal(101), second.normal(101))
        assert_same_bits(first.uniform(3, dtype=np.float64), second.uniform(3, dtype=np.float64))


def test_generator_consecutive_calls_do_not_reuse_words():
    generator = fastinit.Generator(seed=1)
    first = generator.random_raw(5)
    second = generator.random_raw(5)
    whole = fastinit.random_raw(16, seed=1)
    assert_same_bits(first, whole[:5])
    assert_same_bits(second, whole[8:13])


def test_generator_from_os_entropy_is_reproducible():
    generator = fastinit.Generator()
    assert isinstance(generator.seed, int) and 0 <= generator.seed < 2**64
    drawn = generator.normal(1000)
    assert_same_bits(drawn, fastinit.normal(1000, seed=generator.seed))
    assert fastinit.Generator().seed != generator.seed  # equal with probability 2**-64


def test_unseeded_one_shot_calls_differ():
    # Two draws of 64 bits of OS entropy collide with probability 2**-64.
    assert not np.array_equal(fastinit.normal(64), fastinit.normal(64))


def test_take_blocks_is_thread_safe():
    generator = fastinit.Generator(seed=3)
    starts = []
    lock = threading.Lock()

    def worker():
        mine = [generator._take_blocks(3) for _ in range(2000)]
        with lock:
            starts.extend(mine)

    workers = [threading.Thread(target=worker) for _ in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert sorted(starts) == list(range(0, 4 * 2000 * 3, 3))
    assert generator.block == 4 * 2000 * 3


def test_generator_threads_share_one_stream_without_overlap():
    generator = fastinit.Generator(seed=4)
    results = {}

    def worker(name):
        results[name] = [generator.random_raw(64) for _ in range(50)]

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    words = np.concatenate([np.concatenate(v) for v in results.values()])
    expected = fastinit.random_raw(4 * 50 * 64, seed=4)
    assert_same_bits(np.sort(words), np.sort(expected))
    assert generator.block == 4 * 50 * 16
