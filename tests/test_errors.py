"""Bad input gets numpy-style exceptions (TypeError for wrong types, ValueError
for bad values), never a crash, and leaves `out` untouched."""

import math

import numpy as np
import pytest

import fastinit
import reference

METHODS = ["uniform", "normal", "truncated_normal"]


def fill(method, *args, **kwargs):
    kwargs.setdefault("seed", 1)
    return getattr(fastinit, method)(*args, **kwargs)


def read_only(shape, dtype=np.float32):
    array = np.zeros(shape, dtype=dtype)
    array.flags.writeable = False
    return array


def bad_calls():
    """(id, call, expected exception type or tuple of types)."""
    cases = []

    def add(case_id, call, expected):
        cases.append(pytest.param(call, expected, id=case_id))

    for method in METHODS:
        m = method

        # Sizes and shapes.
        add(m + "-negative-size", lambda m=m: fill(m, -1), ValueError)
        add(m + "-negative-dim", lambda m=m: fill(m, (3, -2)), ValueError)
        add(m + "-float-size", lambda m=m: fill(m, 2.5), TypeError)
        add(m + "-integral-float-size", lambda m=m: fill(m, 2.0), TypeError)
        add(m + "-float-dim", lambda m=m: fill(m, (2.0, 3)), TypeError)
        add(m + "-str-size", lambda m=m: fill(m, "5"), TypeError)
        add(m + "-bool-size", lambda m=m: fill(m, True), TypeError)
        add(m + "-bool-dim", lambda m=m: fill(m, (True, 3)), TypeError)
        add(m + "-numpy-float-size", lambda m=m: fill(m, np.float64(3)), TypeError)
        add(m + "-overflowing-count", lambda m=m: fill(m, (2**40, 2**40)), ValueError)
        add(m + "-overflowing-count-3d", lambda m=m: fill(m, (2**21, 2**21, 2**22)), ValueError)
        add(m + "-dim-2**63", lambda m=m: fill(m, (2**63,)), ValueError)
        add(m + "-dim-2**64", lambda m=m: fill(m, (2**64, 1)), ValueError)
        add(m + "-too-many-bytes", lambda m=m: fill(m, (2**31, 2**31)), ValueError)
        add(m + "-overflowing-count-with-region", lambda m=m: fill(m, (2**40, 2**40), region=np.s_[0:1, 0:1]), ValueError)

        # Seeds, streams, block offsets.
        add(m + "-negative-seed", lambda m=m: fill(m, 3, seed=-1), ValueError)
        add(m + "-seed-2**64", lambda m=m: fill(m, 3, seed=2**64), ValueError)
        add(m + "-float-seed", lambda m=m: fill(m, 3, seed=1.0), TypeError)
        add(m + "-numpy-float-seed", lambda m=m: fill(m, 3, seed=np.float64(1.0)), TypeError)
        add(m + "-str-seed", lambda m=m: fill(m, 3, seed="1"), TypeError)
        add(m + "-negative-stream", lambda m=m: fill(m, 3, stream=-1), ValueError)
        add(m + "-stream-2**64", lambda m=m: fill(m, 3, stream=2**64), ValueError)
        add(m + "-float-stream", lambda m=m: fill(m, 3, stream=1.5), TypeError)
        add(m + "-bytes-stream", lambda m=m: fill(m, 3, stream=b"encoder"), TypeError)
        add(m + "-negative-block", lambda m=m: fill(m, 3, block=-1), ValueError)
        add(m + "-block-2**64", lambda m=m: fill(m, 3, block=2**64), ValueError)
        add(m + "-float-block", lambda m=m: fill(m, 3, block=1.5), TypeError)

        # dtype.
        add(m + "-int-dtype", lambda m=m: fill(m, 3, dtype=np.int32), TypeError)
        add(m + "-complex-dtype", lambda m=m: fill(m, 3, dtype=np.complex64), TypeError)
        add(m + "-longdouble-dtype", lambda m=m: fill(m, 3, dtype=np.longdouble), TypeError)
        add(m + "-unknown-dtype-name", lambda m=m: fill(m, 3, dtype="float33"), TypeError)

        # out.
        add(m + "-out-wrong-dtype", lambda m=m: fill(m, 3, out=np.empty(3, np.float64)), TypeError)
        add(m + "-out-int", lambda m=m: fill(m, 3, out=np.empty(3, np.int32)), TypeError)
        add(m + "-out-float32-for-float64",
            lambda m=m: fill(m, 3, dtype=np.float64, out=np.empty(3, np.float32)), TypeError)
        add(m + "-out-byteswapped",
            lambda m=m: fill(m, 3, out=np.empty(3, np.dtype(np.float32).newbyteorder())), (TypeError, ValueError))
        add(m + "-out-wrong-size", lambda m=m: fill(m, 3, out=np.empty(4, np.float32)), ValueError)
        add(m + "-out-wrong-shape", lambda m=m: fill(m, (3, 4), out=np.empty((4, 3), np.float32)), ValueError)
        add(m + "-out-extra-dim", lambda m=m: fill(m, 3, out=np.empty((3, 1), np.float32)), ValueError)
        add(m + "-out-read-only", lambda m=m: fill(m, 3, out=read_only(3)), ValueError)
        add(m + "-out-list", lambda m=m: fill(m, 3, out=[0.0, 0.0, 0.0]), TypeError)
        add(m + "-out-full-shape-with-region",
            lambda m=m: fill(m, (4, 5), region=np.s_[0:2, 0:5], out=np.empty((4, 5), np.float32)), ValueError)

        # region.
        add(m + "-region-too-long", lambda m=m: fill(m, (4, 5), region=np.s_[0:1, 0:1, 0:1]), ValueError)
        add(m + "-region-step-2", lambda m=m: fill(m, (4, 5), region=np.s_[0:4:2, 0:5]), ValueError)
        add(m + "-region-step-minus-1", lambda m=m: fill(m, (4, 5), region=np.s_[3:0:-1, 0:5]), ValueError)
        add(m + "-region-past-end", lambda m=m: fill(m, (4, 5), region=np.s_[0:5, 0:5]), ValueError)
        add(m + "-region-start-past-end", lambda m=m: fill(m, (4, 5), region=np.s_[7:9, 0:5]), ValueError)
        add(m + "-region-past-end-of-huge", lambda m=m: fill(m, (2**40, 3), region=np.s_[2**40 - 1 : 2**40 + 1, :]), ValueError)
        add(m + "-region-float-bounds", lambda m=m: fill(m, (4, 5), region=np.s_[0.5:2, 0:5]), TypeError)
        add(m + "-region-not-slices", lambda m=m: fill(m, (4, 5), region="rows"), TypeError)

        # threads.
        add(m + "-zero-threads", lambda m=m: fill(m, 3, threads=0), ValueError)
        add(m + "-negative-threads", lambda m=m: fill(m, 3, threads=-1), ValueError)
        add(m + "-float-threads", lambda m=m: fill(m, 3, threads=2.0), TypeError)
        add(m + "-str-threads", lambda m=m: fill(m, 3, threads="2"), TypeError)

    # Distribution parameters.
    for m in ("normal", "truncated_normal"):
        for label, std in (("nan", math.nan), ("inf", math.inf), ("minus-inf", -math.inf), ("negative", -1.0)):
            add(m + "-std-" + label, lambda m=m, std=std: fill(m, 3, 0.0, std), ValueError)
            add(m + "-std-kw-" + label, lambda m=m, std=std: fill(m, 3, std=std), ValueError)
        add(m + "-std-str", lambda m=m: fill(m, 3, 0.0, "1"), TypeError)
    add("uniform-low-nan", lambda: fill("uniform", 3, math.nan, 1.0), ValueError)
    add("uniform-high-nan", lambda: fill("uniform", 3, 0.0, math.nan), ValueError)
    add("uniform-low-above-high", lambda: fill("uniform", 3, 2.0, 1.0), ValueError)
    add("uniform-low-str", lambda: fill("uniform", 3, "0", 1.0), TypeError)
    add("truncated-a-above-b", lambda: fill("truncated_normal", 3, 0.0, 1.0, 1.0, -1.0), ValueError)
    add("truncated-a-nan", lambda: fill("truncated_normal", 3, 0.0, 1.0, math.nan, 1.0), ValueError)
    add("truncated-b-nan", lambda: fill("truncated_normal", 3, 0.0, 1.0, -1.0, math.nan), ValueError)
    add("truncated-a-above-default-b", lambda: fill("truncated_normal", 3, 0.0, 1.0, a=3.0), ValueError)

    # random_raw.
    add("raw-negative", lambda: fastinit.random_raw(-1, seed=1), ValueError)
    add("raw-float", lambda: fastinit.random_raw(2.5, seed=1), TypeError)
    add("raw-bool", lambda: fastinit.random_raw(True, seed=1), TypeError)
    add("raw-str", lambda: fastinit.random_raw("3", seed=1), TypeError)
    add("raw-tuple-of-float", lambda: fastinit.random_raw((2.0,), seed=1), TypeError)
    add("raw-seed-missing", lambda: fastinit.random_raw(3), TypeError)
    add("raw-seed-positional", lambda: fastinit.random_raw(3, 1), TypeError)
    add("raw-negative-seed", lambda: fastinit.random_raw(3, seed=-1), ValueError)
    add("raw-seed-2**64", lambda: fastinit.random_raw(3, seed=2**64), ValueError)
    add("raw-float-seed", lambda: fastinit.random_raw(3, seed=0.5), TypeError)
    add("raw-negative-stream", lambda: fastinit.random_raw(3, seed=1, stream=-1), ValueError)
    add("raw-stream-2**64", lambda: fastinit.random_raw(3, seed=1, stream=2**64), ValueError)
    add("raw-float-stream", lambda: fastinit.random_raw(3, seed=1, stream=0.5), TypeError)
    add("raw-negative-block", lambda: fastinit.random_raw(3, seed=1, block=-1), ValueError)
    add("raw-block-2**64", lambda: fastinit.random_raw(3, seed=1, block=2**64), ValueError)
    add("raw-huge", lambda: fastinit.random_raw(2**64, seed=1), ValueError)

    # Generator and blocks_for.
    add("generator-negative-seed", lambda: fastinit.Generator(seed=-1), ValueError)
    add("generator-seed-2**64", lambda: fastinit.Generator(seed=2**64), ValueError)
    add("generator-float-seed", lambda: fastinit.Generator(seed=1.5), TypeError)
    add("generator-str-seed", lambda: fastinit.Generator(seed="7"), TypeError)
    add("generator-negative-stream", lambda: fastinit.Generator(seed=1, stream=-1), ValueError)
    add("generator-float-stream", lambda: fastinit.Generator(seed=1, stream=0.5), TypeError)
    add("generator-negative-size", lambda: fastinit.Generator(seed=1).normal(-1), ValueError)
    add("generator-bad-std", lambda: fastinit.Generator(seed=1).normal(3, std=-1.0), ValueError)
    add("generator-raw-float", lambda: fastinit.Generator(seed=1).random_raw(1.5), TypeError)
    add("generator-take-negative", lambda: fastinit.Generator(seed=1)._take_blocks(-1), ValueError)
    add("blocks-for-unknown-method", lambda: fastinit.blocks_for("gamma", 3, np.float32), ValueError)
    add("blocks-for-negative-size", lambda: fastinit.blocks_for("normal", -3, np.float32), ValueError)
    add("blocks-for-int-dtype", lambda: fastinit.blocks_for("normal", 3, np.int32), TypeError)
    return cases


BAD_CALLS = bad_calls()


@pytest.mark.parametrize("call, expected", BAD_CALLS)
def test_bad_input_raises(call, expected):
    with pytest.raises(expected) as info:
        call()
    assert str(info.value), "exception without a message"


# Each entry: keyword arguments that make an otherwise valid call with out=
# invalid; the call must be refused before anything is written.
REJECTED_WITH_OUT = [
    ("normal", dict(std=-1.0)),
    ("normal", dict(std=math.nan)),
    ("truncated_normal", dict(std=math.inf)),
    ("truncated_normal", dict(a=1.0, b=-1.0)),
    ("uniform", dict(low=2.0, high=1.0)),
    ("uniform", dict(low=math.nan)),
    ("normal", dict(seed=-1)),
    ("uniform", dict(seed=2**64)),
    ("normal", dict(stream=-5)),
    ("normal", dict(block=-1)),
    ("uniform", dict(threads=0)),
    ("normal", dict(threads=1.5)),
    ("normal", dict(dtype=np.float64)),
    ("truncated_normal", dict(region=np.s_[0:40, 0:10])),
    ("uniform", dict(region=np.s_[0:37:2, 0:53])),
]


@pytest.mark.parametrize("method, bad", REJECTED_WITH_OUT, ids=[m + "-" + "-".join(b) for m, b in REJECTED_WITH_OUT])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_rejected_call_leaves_out_untouched(method, bad, layout):
    shape = (37, 53)
    out = np.full(shape, 7.25, dtype=np.float32, order=layout)
    kwargs = dict(seed=3)
    kwargs.update(bad)
    with pytest.raises((TypeError, ValueError)):
        getattr(fastinit, method)(shape, out=out, **kwargs)
    assert np.all(out == 7.25)


def test_bad_calls_never_crash_the_interpreter(run_python):
    # A crash (segfault, abort) in a fresh interpreter shows up here as a
    # failed test instead of taking the whole session down.
    source = (
        "import test_errors\n"
        "unexpected = []\n"
        "for param in test_errors.BAD_CALLS:\n"
        "    call, expected = param.values\n"
        "    try:\n"
        "        call()\n"
        "    except (TypeError, ValueError):\n"
        "        pass\n"
        "    except BaseException as error:\n"
        "        unexpected.append('%s: %r' % (param.id, error))\n"
        "    else:\n"
        "        unexpected.append('%s: no exception' % param.id)\n"
        "print('\\n'.join(unexpected))\n"
        "print('done', len(test_errors.BAD_CALLS))\n"
    )
    result = run_python(source)
    assert result.returncode == 0, "interpreter died (%d):\n%s" % (result.returncode, result.stderr[-4000:])
    assert "done %d" % len(BAD_CALLS) in result.stdout


# --- limits that are valid ------------------------------------------------------

def test_numpy_integer_arguments_are_accepted():
    expected = fastinit.normal((3, 4), seed=2**64 - 1, stream=5, block=3, threads=2)
    got = fastinit.normal(
        (np.int16(3), np.uint8(4)), seed=np.uint64(2**64 - 1), stream=np.int64(5), block=np.uint32(3),
        threads=np.int8(2),
    )
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(fastinit.random_raw(np.int32(9), seed=np.uint64(7)), fastinit.random_raw(9, seed=7))


def test_huge_logical_shape_with_small_region_is_allowed():
    # 2**62 logical elements: never allocated, only the region is made.
    shape = (2**31, 2**31)
    region = np.s_[2**31 - 2 : 2**31, 2**31 - 3 : 2**31]
    got = fastinit.uniform(shape, seed=5, region=region)
    index, region_shape = reference.flat_indices(shape, region)
    assert got.shape == region_shape
    np.testing.assert_array_equal(got.reshape(-1), reference.standard_uniform(index, np.float32, 5).astype(np.float32))


@pytest.mark.parametrize("method", METHODS)
def test_zero_size_shapes(method):
    for shape in (0, (0,), (3, 0), (0, 5, 7)):
        got = fill(method, shape)
        assert got.shape == np.empty(shape).shape and got.size == 0


def test_extreme_truncation_bounds_are_refused_or_finite():
    # Bounds far in one tail, where Phi(a) and Phi(b) round to the same double.
    for a, b in ((40.0, 50.0), (-50.0, -40.0), (10.0, 10.5)):
        try:
            got = fastinit.truncated_normal(1000, 0.0, 1.0, a, b, dtype=np.float64, seed=2)
        except ValueError:
            continue
        assert np.all(np.isfinite(got)), (a, b)
        assert got.min() >= a and got.max() <= b, (a, b)


def test_zero_std_gives_the_mean():
    got = fastinit.normal(17, 2.5, 0.0, seed=1)
    np.testing.assert_array_equal(got, np.float32(2.5))


def test_low_equal_high_is_refused_or_constant():
    try:
        got = fastinit.uniform(9, 1.5, 1.5, seed=1)
    except ValueError:
        return
    np.testing.assert_array_equal(got, np.float32(1.5))


# float32 rounds magnitudes from 2**128 - 2**103 (the midpoint between its
# largest finite value and 2**128) up to infinity.
FLOAT32_ROUNDS_TO_INF = 2.0**128 - 2.0**103


def test_parameters_that_round_to_float32_infinity_are_refused():
    largest_finite_input = math.nextafter(FLOAT32_ROUNDS_TO_INF, 0.0)
    got = fastinit.normal(8, largest_finite_input, 0.0, seed=1)
    np.testing.assert_array_equal(got, np.finfo(np.float32).max)
    with pytest.raises(ValueError, match="finite in float32"):
        fastinit.normal(8, FLOAT32_ROUNDS_TO_INF, 1.0, seed=1)
    with pytest.raises(ValueError, match="finite in float32"):
        fastinit.normal(8, 0.0, 1e39, seed=1)
    # the same values are fine in float64
    assert np.all(np.isfinite(fastinit.normal(8, FLOAT32_ROUNDS_TO_INF, 1.0, dtype=np.float64, seed=1)))
    with pytest.raises(ValueError, match="finite in float32"):
        fastinit.uniform(8, -1.0, FLOAT32_ROUNDS_TO_INF, seed=1)
    with pytest.raises(ValueError, match="high - low overflows float32"):
        fastinit.uniform(8, -3e38, 3e38, seed=1)


def test_uniform_bounds_are_rounded_to_the_dtype_first():
    # low and high become float32 values; samples lie in [low32, high32)
    low, high = 0.1, 0.30000001
    got = fastinit.uniform(10**5, low, high, seed=3)
    low32, high32 = np.float32(low), np.float32(high)
    assert got.min() >= low32 and got.max() < high32
    # high - low is rounded once, from the exact difference of the float32 bounds
    tiny_low = 1e-30
    got = fastinit.uniform(10**4, tiny_low, 1.0, seed=4)
    assert got.min() >= np.float32(tiny_low) and got.max() < 1.0
