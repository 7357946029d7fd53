"""Memory use of fills.

Filling an existing ``out`` allocates nothing that grows with its size: a
C-contiguous ``out`` of the computed dtype is written in place, and every
other ``out`` (non-contiguous, unaligned, float16/bfloat16) goes through
temporary chunks of bounded size.  A fresh array costs the array itself plus
a small bounded overhead (large float32/float64 arrays are allocated with 64
extra bytes so that they start on a cache line).

Allocations are measured with tracemalloc (NumPy reports its data buffers to
it) and, for buffers of 1 GiB and more, with the peak resident set size of a
fresh interpreter.
"""

import json
import tracemalloc

import numpy as np
import pytest

import fastinit
from _markers import GIB, available_memory_bytes, slow

KIB = 1 << 10
MIB = 1 << 20

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None

# What a fill may allocate besides its output, independently of the size:
# Python objects and small arrays of the plan.
SMALL_OVERHEAD = 64 * KIB
# Bound for fills that stage values in temporary chunks (non-contiguous or
# unaligned outputs, float16/bfloat16) or keep a table of run offsets for a
# region: a few chunks of about 2**20 elements, far below the arrays measured.
CHUNKED_OVERHEAD = 24 * MIB
# Two sizes of the same fill may differ by this much at most: nothing grows
# with the size.
SIZE_INDEPENDENCE = 64 * KIB


def traced_peak(fill):
    """Run `fill()`; return (its result, the peak traced allocation above the
    memory traced before the call)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fill()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, peak - before


def narrow_dtypes():
    dtypes = [np.dtype(np.float16)]
    if ml_dtypes is not None:
        dtypes.append(np.dtype(ml_dtypes.bfloat16))
    return dtypes


FILLS = {
    "uniform": lambda shape, **kw: fastinit.uniform(shape, -1.0, 2.0, seed=5, **kw),
    "normal": lambda shape, **kw: fastinit.normal(shape, 0.5, 2.0, seed=5, **kw),
    "truncated_normal": lambda shape, **kw: fastinit.truncated_normal(shape, seed=5, **kw),
}
if hasattr(fastinit, "he_normal"):
    FILLS["he_normal"] = lambda shape, **kw: fastinit.he_normal(shape, seed=5, **kw)


def test_traced_peak_sees_numpy_buffers():
    # The measurements below are only meaningful if NumPy's data buffers are
    # traced.
    _, peak = traced_peak(lambda: np.empty(4 * MIB, np.uint8))
    assert 4 * MIB <= peak <= 4 * MIB + SMALL_OVERHEAD


# --------------------------------------------------------------------------
# filling an existing out


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("method", sorted(FILLS))
def test_filling_contiguous_out_allocates_nothing_size_dependent(method, dtype, threads):
    fill = FILLS[method]
    peaks = {}
    for rows in (1 << 6, 1 << 13):  # 64 KiB ... 64 MiB of float64
        out = np.zeros((rows, 1024), dtype)
        result, peaks[rows] = traced_peak(lambda: fill(out.shape, dtype=dtype, out=out,
                                                       threads=threads))
        assert result is out
        assert np.all(np.isfinite(out[-1])) and np.any(out[-1] != 0)
    assert peaks[1 << 13] <= SMALL_OVERHEAD, peaks
    assert peaks[1 << 13] <= peaks[1 << 6] + SIZE_INDEPENDENCE, peaks


def test_generator_filling_out_allocates_nothing_size_dependent():
    peaks = {}
    for n in (1 << 16, 1 << 24):
        out = np.zeros(n, np.float32)
        generator = fastinit.Generator(seed=9, stream="memory")
        _, peaks[n] = traced_peak(lambda: generator.normal(n, out=out))
    assert peaks[1 << 24] <= SMALL_OVERHEAD, peaks
    assert peaks[1 << 24] <= peaks[1 << 16] + SIZE_INDEPENDENCE, peaks


@pytest.mark.parametrize("run_length", [4, 1000])
def test_region_into_out_allocates_bounded_run_tables(run_length):
    # A region of a wider logical array is a sequence of short runs; the
    # engine works through them in batches with a table of run offsets, which
    # may grow with the number of runs up to a fixed cap, never beyond.
    peaks = {}
    for n in (1 << 22, 1 << 24):
        rows = n // run_length
        out = np.zeros((rows, run_length), np.float32)
        region = np.s_[:, 3:3 + run_length]
        result, peaks[n] = traced_peak(lambda: fastinit.normal(
            (rows, run_length + 10), seed=2, region=region, out=out))
        assert result is out
    assert max(peaks.values()) <= CHUNKED_OVERHEAD, peaks
    if run_length == 4:
        # Millions of runs in both sizes: the batches are full either way.
        assert peaks[1 << 24] <= peaks[1 << 22] + SIZE_INDEPENDENCE, peaks


def non_contiguous_outs(n, dtype):
    """Outputs of n elements that cannot be written in place: (name, out)."""
    side = int(np.sqrt(n))
    yield "fortran", np.zeros((side, n // side), dtype, order="F")
    yield "strided", np.zeros((side, 2 * (n // side)), dtype)[:, ::2]
    yield "reversed", np.zeros(n, dtype)[::-1]
    raw = np.zeros(n * np.dtype(dtype).itemsize + 1, np.uint8)
    yield "unaligned", raw[1:].view(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_non_contiguous_out_uses_bounded_chunks(dtype):
    for small, large in zip(non_contiguous_outs(1 << 22, dtype),
                            non_contiguous_outs(1 << 24, dtype)):
        name = small[0]
        peaks = []
        for _, out in (small, large):
            result, peak = traced_peak(
                lambda: fastinit.normal(out.shape, seed=3, dtype=dtype, out=out))
            assert result is out
            peaks.append(peak)
        assert peaks[1] <= CHUNKED_OVERHEAD, (name, peaks, large[1].nbytes)
        assert peaks[1] <= peaks[0] + SIZE_INDEPENDENCE, (name, peaks)


@pytest.mark.parametrize("dtype", narrow_dtypes(), ids=str)
@pytest.mark.parametrize("method", ["uniform", "normal", "truncated_normal"])
def test_narrow_dtype_out_uses_bounded_chunks(method, dtype):
    # float16/bfloat16 are computed as float32 and rounded chunk by chunk.
    peaks = {}
    for n in (1 << 22, 1 << 24):
        out = np.zeros(n, dtype)
        result, peaks[n] = traced_peak(lambda: FILLS[method](n, dtype=dtype, out=out))
        assert result is out
    assert peaks[1 << 24] <= CHUNKED_OVERHEAD, peaks
    assert peaks[1 << 24] <= peaks[1 << 22] + SIZE_INDEPENDENCE, peaks


# --------------------------------------------------------------------------
# fresh arrays


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n", [0, 1000, 1 << 18, 1 << 24])
def test_fresh_array_costs_the_array_and_a_small_overhead(n, dtype):
    array, peak = traced_peak(lambda: fastinit.normal(n, seed=4, dtype=dtype))
    assert array.nbytes <= peak <= array.nbytes + SMALL_OVERHEAD, (peak, array.nbytes)


@pytest.mark.parametrize("dtype", narrow_dtypes(), ids=str)
def test_fresh_narrow_dtype_costs_the_array_and_bounded_chunks(dtype):
    overheads = {}
    for n in (1 << 22, 1 << 24):
        array, peak = traced_peak(lambda: fastinit.normal(n, seed=4, dtype=dtype))
        overheads[n] = peak - array.nbytes
    assert overheads[1 << 24] <= CHUNKED_OVERHEAD, overheads
    assert overheads[1 << 24] <= overheads[1 << 22] + SIZE_INDEPENDENCE, overheads


# --------------------------------------------------------------------------
# peak resident memory on 1 GiB buffers (fresh interpreter)

RSS_SCRIPT = r"""
import json, sys
import numpy as np
import fastinit

def reset_peak():
    # Writing 5 to clear_refs resets the peak RSS (VmHWM) to the current RSS.
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")

def status_bytes(field):
    # a "kB" line of /proc/self/status, such as VmHWM (peak RSS) or VmRSS
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no " + field)

def peak_rss():
    return status_bytes("VmHWM")

def current_rss():
    return status_bytes("VmRSS")

def growth(fill):
    reset_peak()
    before = current_rss()
    result = fill()
    return peak_rss() - before, result

# warm up every code path on small arrays first
for dtype in ("float32", "float64", "float16"):
    fastinit.normal(4096, seed=1, dtype=dtype, threads=2)
    fastinit.normal((64, 64), seed=1, dtype=dtype, out=np.zeros((64, 64), dtype, order="F"))

case = sys.argv[1]
gib = 1 << 30
results = {}
if case == "out":
    out = np.ones(gib // 4, np.float32)   # pages resident before the fill
    for name, fill in [
        ("normal", lambda: fastinit.normal(out.shape, seed=1, out=out, threads=2)),
        ("uniform", lambda: fastinit.uniform(out.shape, seed=1, out=out, threads=2)),
        ("truncated_normal", lambda: fastinit.truncated_normal(out.shape, seed=1, out=out,
                                                               threads=2)),
    ]:
        results[name], _ = growth(fill)
elif case == "non_contiguous":
    side = 1 << 14
    out = np.ones((side, side), np.float32, order="F")
    results["fortran"], _ = growth(lambda: fastinit.normal(out.shape, seed=1, out=out))
    del out
    half = np.ones(gib // 2, np.float16)
    results["float16"], _ = growth(lambda: fastinit.normal(half.shape, seed=1, dtype="float16",
                                                           out=half))
elif case == "fresh":
    grown, array = growth(lambda: fastinit.normal(gib // 4, seed=1, threads=2))
    results["float32"] = grown - array.nbytes
    del array
    grown, array = growth(lambda: fastinit.uniform(gib // 8, seed=1, dtype="float64"))
    results["float64"] = grown - array.nbytes
print(json.dumps(results))
"""


def run_rss_case(run_python, case):
    if available_memory_bytes() < 3 * GIB:
        pytest.skip("needs 3 GiB of available memory")
    child = run_python(RSS_SCRIPT.replace("sys.argv[1]", repr(case)), timeout=300)
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.strip().splitlines()[-1])


@slow
def test_rss_filling_1gib_out_grows_by_at_most_a_few_mib(run_python):
    growth = run_rss_case(run_python, "out")
    for method, grown in growth.items():
        assert grown <= 8 * MIB, f"{method}: peak RSS grew by {grown / MIB:.1f} MiB"


@slow
def test_rss_non_contiguous_1gib_out_grows_by_bounded_chunks(run_python):
    growth = run_rss_case(run_python, "non_contiguous")
    for layout, grown in growth.items():
        assert grown <= CHUNKED_OVERHEAD + 8 * MIB, (
            f"{layout}: peak RSS grew by {grown / MIB:.1f} MiB filling a 1 GiB out")


@slow
def test_rss_fresh_1gib_array_is_the_array_plus_a_few_mib(run_python):
    overhead = run_rss_case(run_python, "fresh")
    for dtype, extra in overhead.items():
        # Every page of the array is written, so it is resident: the growth is
        # at least the array (less a little RSS the allocator may have given back).
        assert -4 * MIB <= extra <= 8 * MIB, f"{dtype}: {extra / MIB:.1f} MiB beyond the array"
