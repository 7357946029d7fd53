"""Property-based tests of the fill API.

For random shapes (zero-size dimensions included), dtypes, regions, output
layouts, thread counts, streams and methods, a fill equals the same slice of
the full array bit for bit and writes nothing outside its output; random
invalid arguments raise only TypeError or ValueError and leave ``out``
untouched.
"""

import math

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fastinit  # noqa: E402

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None

DTYPES = [np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16)]
if ml_dtypes is not None:
    DTYPES.append(np.dtype(ml_dtypes.bfloat16))

PROPERTY_SETTINGS = settings(
    deadline=None,
    max_examples=500,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

UINT64_LIMIT = 2**64


def bits(array):
    """The array's elements as unsigned integers of the same width (NaN-safe, -0-exact)."""
    array = np.ascontiguousarray(array)
    return array.view(np.dtype(f"u{array.dtype.itemsize}"))


def assert_same_bits(got, expected):
    assert got.shape == expected.shape
    assert got.dtype == expected.dtype
    mismatch = np.flatnonzero(bits(got) != bits(expected))
    assert mismatch.size == 0, (
        f"{mismatch.size} of {expected.size} elements differ, first at flat index {mismatch[0]}: "
        f"{got.reshape(-1)[mismatch[0]]!r} != {expected.reshape(-1)[mismatch[0]]!r}")


# --------------------------------------------------------------------------
# strategies


@st.composite
def shapes(draw, max_elements, max_ndim=4, min_ndim=0):
    """Shapes of up to `max_ndim` axes whose non-zero dimensions multiply to at
    most `max_elements`; sizes near the 4- and 16-lane vector widths are favoured."""
    ndim = draw(st.integers(min_ndim, max_ndim))
    dims = []
    budget = max_elements
    for _ in range(ndim):
        cap = max(1, budget)
        dim = draw(st.one_of(
            st.integers(0, min(9, cap)),
            st.sampled_from([d for d in (15, 16, 17, 31, 33, 63, 64, 65, 129) if d <= cap] or [1]),
            st.integers(0, cap),
        ))
        dims.append(dim)
        if dim:
            budget //= dim
    return tuple(dims)


def slice_bound(dim):
    return st.one_of(
        st.none(),
        st.integers(-dim, dim),
        st.integers(-dim, dim).map(np.int64),
        st.integers(-dim - 3, dim + 3),  # sometimes outside the axis
    )


@st.composite
def regions(draw, shape):
    """None, one slice, or a tuple of step-1 slices (possibly fewer than the
    axes); bounds are mostly inside the axes, sometimes outside."""
    kind = draw(st.sampled_from(["none", "tuple", "slice"] if shape else ["none", "tuple"]))
    if kind == "none":
        return None
    if kind == "slice":
        d = shape[0]
        return slice(draw(slice_bound(d)), draw(slice_bound(d)), draw(st.sampled_from([None, 1])))
    n_entries = draw(st.integers(0, len(shape)))
    return tuple(
        slice(draw(slice_bound(d)), draw(slice_bound(d)), draw(st.sampled_from([None, 1])))
        for d in shape[:n_entries])


def region_in_bounds(region, shape):
    """Whether every slice of `region` lies inside its axis once negative bounds
    count from the end: ``0 <= start <= stop <= dim``.  A region outside the
    logical array is refused rather than clipped, since a shard that came out
    smaller than asked would go unnoticed."""
    if region is None:
        return True
    entries = region if isinstance(region, tuple) else (region,)
    for entry, dim in zip(entries, shape):
        start = 0 if entry.start is None else int(entry.start)
        stop = dim if entry.stop is None else int(entry.stop)
        start += dim if start < 0 else 0
        stop += dim if stop < 0 else 0
        if not 0 <= start <= stop <= dim:
            return False
    return True


def as_index(region):
    """`region` as a numpy index that always gives a view (0-d included)."""
    if region is None:
        return (Ellipsis,)
    return (region if isinstance(region, tuple) else (region,)) + (Ellipsis,)


def sentinel(shape, dtype):
    """An array whose bit patterns are distinct from anything a fill could leave
    by accident (a repeating pattern of non-zero words)."""
    n = math.prod(shape)
    uint = np.dtype(f"u{dtype.itemsize}")
    pattern = (np.arange(n, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15) + np.uint64(0x5A5A))
    return pattern.astype(uint).view(dtype).reshape(tuple(shape))


@st.composite
def out_layouts(draw, result_shape, dtype):
    """(base, make_view) with `make_view(base)` an array of `result_shape`
    sharing memory with `base` -- or (None, None) for a freshly allocated result."""
    layout = draw(st.sampled_from(
        ["fresh", "C", "F", "strided", "negative", "permuted", "offset", "unaligned"]))
    ndim = len(result_shape)
    if layout == "fresh":
        return None, None
    if layout == "C":
        return sentinel(result_shape, dtype), lambda base: base
    if layout == "F":
        return sentinel(result_shape, dtype).copy(order="F"), lambda base: base
    if layout in ("strided", "negative"):
        steps = [draw(st.integers(1, 3)) for _ in range(ndim)]
        starts = [draw(st.integers(0, 2)) for _ in range(ndim)]
        flips = [layout == "negative" and draw(st.booleans()) for _ in range(ndim)]
        base_shape = tuple(s + d * k + draw(st.integers(0, 2))
                           for s, d, k in zip(starts, result_shape, steps))

        def make_view(base):
            view = base[tuple(slice(s, s + d * k, k)
                              for s, d, k in zip(starts, result_shape, steps)) + (Ellipsis,)]
            flipped = tuple(axis for axis, f in enumerate(flips) if f)
            return np.flip(view, axis=flipped) if flipped else view

        return sentinel(base_shape, dtype), make_view
    if layout == "permuted":
        order = draw(st.permutations(range(ndim)))
        base_shape = tuple(result_shape[axis] for axis in order)
        inverse = tuple(np.argsort(order))
        return sentinel(base_shape, dtype), lambda base: base.transpose(inverse)
    n = math.prod(result_shape)
    if layout == "offset":
        # A C-contiguous view into the middle of a larger buffer.
        before, after = draw(st.integers(0, 5)), draw(st.integers(0, 5))
        return (sentinel((before + n + after,), dtype),
                lambda base: base[before:before + n].reshape(result_shape))
    # unaligned: a C-contiguous view starting one byte into a byte buffer
    itemsize = dtype.itemsize
    raw = np.zeros((n + 2) * itemsize + 1, dtype=np.uint8)
    raw[:] = np.arange(raw.size) % 251 + 1

    def make_unaligned(base):
        return base[1:1 + n * itemsize].view(dtype).reshape(result_shape)

    return raw, make_unaligned


# --------------------------------------------------------------------------
# methods: each draws (function name, positional parameters after the shape)


def engine_methods():
    def uniform(draw):
        low = draw(st.floats(-100, 100, allow_nan=False))
        width = draw(st.sampled_from([0.0, 1e-6, 1.0]) | st.floats(0, 100))
        return "uniform", (low, low + width)

    def normal(draw):
        return "normal", (draw(st.floats(-10, 10)), draw(st.floats(0, 10)))

    def truncated(draw):
        mean = draw(st.floats(-5, 5))
        std = draw(st.sampled_from([1e-3, 1.0]) | st.floats(0.01, 5))
        bounds = draw(st.sampled_from(["default", "given"]))
        if bounds == "default":
            return "truncated_normal", (mean, std)
        a = mean + std * draw(st.floats(-4, 3))
        b = a + std * draw(st.floats(0.05, 4))
        return "truncated_normal", (mean, std, a, b)

    return [uniform, normal, truncated]


def initializer_methods():
    """Random initializers that take a region (the engine draws their words)."""
    fan_based = ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                 "lecun_uniform", "lecun_normal"]
    found = []
    for name in fan_based:
        if hasattr(fastinit, name):
            found.append(lambda draw, name=name: (name, ()))
    if hasattr(fastinit, "variance_scaling"):
        def variance_scaling(draw):
            distribution = draw(st.sampled_from(["truncated_normal", "normal", "uniform"]))
            mode = draw(st.sampled_from(["fan_in", "fan_out", "fan_avg"]))
            return "variance_scaling", (draw(st.floats(0.1, 3)), mode, distribution)
        found.append(variance_scaling)
    if hasattr(fastinit, "sparse"):
        found.append(lambda draw: ("sparse", (draw(st.floats(0, 1)),)))
    if hasattr(fastinit, "init"):
        found.append(lambda draw: ("init", (draw(st.sampled_from(["relu", "tanh", "linear"])),)))
    return found


METHODS = engine_methods() + initializer_methods()
ENGINE_METHOD_COUNT = 3


def call(name, shape, args, *, dtype, seed, stream, block, use_generator, **fill):
    """One fill: the one-shot function, or a Generator positioned at `block`."""
    if use_generator:
        generator = fastinit.Generator(seed=seed, stream=stream)
        generator._take_blocks(block)
        return getattr(generator, name)(shape, *args, dtype=dtype, **fill), generator
    return getattr(fastinit, name)(shape, *args, dtype=dtype, seed=seed, stream=stream,
                                   block=block, **fill), None


seeds = st.one_of(st.integers(0, 2**64 - 1), st.sampled_from([0, 1, 2**32 - 1, 2**32, 2**64 - 1]))
streams = st.one_of(st.integers(0, 2**64 - 1), st.text(max_size=12),
                    st.sampled_from([0, 2**64 - 1]))
blocks = st.one_of(st.integers(0, 2**20), st.integers(0, 2**64 - 2**20), st.just(2**64 - 2**17))
thread_counts = st.sampled_from([None, 1, 2, 3, 7])


def check_region_property(data, max_elements, methods):
    shape = data.draw(shapes(max_elements), label="shape")
    dtype = data.draw(st.sampled_from(DTYPES), label="dtype")
    name, args = data.draw(st.sampled_from(methods), label="method")(data.draw)
    note = (name, args)
    seed = data.draw(seeds, label="seed")
    stream = data.draw(streams, label="stream")
    block = data.draw(blocks, label="block")
    threads = data.draw(thread_counts, label="threads")
    use_generator = data.draw(st.booleans(), label="generator")
    region = data.draw(regions(shape), label="region")

    try:
        full, _ = call(name, shape, args, dtype=dtype, seed=seed, stream=stream, block=block,
                       use_generator=False, threads=1)
    except ValueError:
        # e.g. a fan-based initializer on a 1-D shape: the region must be refused alike.
        full = None
    in_bounds = region_in_bounds(region, shape)
    expected_shape = np.empty(shape, dtype=np.bool_)[as_index(region)].shape
    base, make_view = data.draw(out_layouts(expected_shape, dtype), label="out layout")
    base_before = None if base is None else base.copy()
    out = None if base is None else make_view(base)

    if full is None or not in_bounds:
        with pytest.raises(ValueError):
            call(name, shape, args, dtype=dtype, seed=seed, stream=stream, block=block,
                 use_generator=use_generator, out=out, region=region, threads=threads)
        if base is not None:
            assert_same_bits(base, base_before)
        return

    assert full.shape == shape and full.dtype == dtype, note
    expected = full[as_index(region)]
    result, generator = call(name, shape, args, dtype=dtype, seed=seed, stream=stream,
                             block=block, use_generator=use_generator, out=out,
                             region=region, threads=threads)
    assert result.dtype == dtype
    assert_same_bits(result, expected)
    if generator is not None:
        # The generator advances past the whole logical array, region or not.
        kind = drawn_distribution(name, args)
        if kind is not None:
            assert generator.block == block + fastinit.blocks_for(kind, shape, dtype)
    if base is not None:
        assert result is out
        # Only the view's elements changed: the whole base buffer equals the
        # sentinel buffer with the expected values written into the view.
        expected_base = base_before.copy()
        make_view(expected_base)[...] = expected
        assert_same_bits(base, expected_base)


def drawn_distribution(name, args):
    """The engine method an initializer draws with, when it is known from its name."""
    if name in ("uniform", "normal", "truncated_normal"):
        return name
    if name in ("xavier_uniform", "he_uniform", "lecun_uniform"):
        return "uniform"
    if name in ("xavier_normal", "he_normal", "lecun_normal"):
        return "normal"
    if name == "variance_scaling":
        return args[2]
    return None


@PROPERTY_SETTINGS
@given(st.data())
def test_region_equals_slice_of_full_array(data):
    check_region_property(data, 600, METHODS)


@settings(deadline=None, max_examples=100,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_threaded_region_equals_slice_of_full_array(data):
    # Large enough that thread shares (multiples of 1024 elements) split the
    # region's runs in different places for different thread counts.
    check_region_property(data, 1 << 15, METHODS[:ENGINE_METHOD_COUNT])


@settings(deadline=None, max_examples=60)
@given(shape=shapes(300, min_ndim=1), dtype=st.sampled_from(DTYPES),
       seed=seeds, stream=streams, sizes=st.lists(st.integers(0, 5), min_size=1, max_size=4))
def test_generator_calls_continue_one_stream(shape, dtype, seed, stream, sizes):
    # Consecutive generator calls equal one-shot fills at the block offsets the
    # preceding calls' logical arrays used up.
    generator = fastinit.Generator(seed=seed, stream=stream)
    block = 0
    for i, size in enumerate(sizes):
        call_shape = (size,) + shape[1:]
        method = ("uniform", "normal", "truncated_normal")[i % 3]
        got = getattr(generator, method)(call_shape, dtype=dtype)
        expected = getattr(fastinit, method)(call_shape, dtype=dtype, seed=seed, stream=stream,
                                             block=block)
        assert_same_bits(got, expected)
        block += fastinit.blocks_for(method, call_shape, dtype)
        assert generator.block == block


# --------------------------------------------------------------------------
# invalid arguments


class NotAnArray:
    shape = (2,)
    dtype = np.dtype(np.float32)


INVALID_VALUES = {
    "shape": [-1, (2, -1), 2.5, "3", None, (2, 2.0), True, (True, 2), [[2]], (2**40, 2**40),
              2**64, object(), {"a": 1}, np.float32(2.0), 1j],
    "dtype": [np.int32, "int64", np.complex64, ">f4", np.dtype(">f8"), "float8", "bfloat17",
              np.uint8, bool, object, "U3", "datetime64[s]"],
    "seed": [-1, 2**64, 1.5, "1", True, [1], np.float64(1.0), 1j, b"1", np.bool_(False)],
    "stream": [-1, 2**64, 1.5, b"abc", None, True, [0], np.float32(1.0), 2**70],
    "block": [-1, 2**64, 0.5, "0", None, True, [0], 2**65],
    "region": ["too_many", (slice(0, 2, 2),), (slice(None, None, -1),), (0,), [slice(0, 1)],
               (slice(0.5, 2),), (slice("a", None),), (Ellipsis,), (None,), "0:1", 3,
               (slice(True, None),)],
    "out": ["wrong_shape", "wrong_dtype", "read_only", "byteswapped", [0.0], NotAnArray(),
            "memoryview", 3.0],
    "threads": [0, -1, 1.5, "2", True, [2], np.float64(2.0)],
    "low": [float("nan"), float("inf"), "0", 1j, [0.0]],
    "high": [float("-inf"), "x", "1", None, -1.0],
    # Numeric strings are refused, as by numpy.random ("must be real number, not str").
    "mean": [float("nan"), float("inf"), "0", [0.0], 1j, None],
    "std": [-1.0, float("inf"), float("nan"), "1", -1e-30, None],
    "a": [float("nan"), "x", "-1"],
    "b": [float("-inf"), "x", "1"],
}

PARAMETERS_OF = {
    "uniform": ("low", "high"),
    "normal": ("mean", "std"),
    "truncated_normal": ("mean", "std", "a", "b"),
}


def invalid_region(value, shape):
    if value == "too_many":
        return tuple(slice(None) for _ in range(len(shape) + 1))
    return value


def invalid_out(value, result_shape, dtype):
    if value == "wrong_shape":
        return np.zeros(result_shape + (1,), dtype)
    if value == "wrong_dtype":
        other = np.float64 if dtype != np.float64 else np.float32
        return np.zeros(result_shape, other)
    if value == "read_only":
        out = np.zeros(result_shape, dtype)
        out.flags.writeable = False
        return out
    if value == "byteswapped":
        return np.zeros(result_shape, dtype.newbyteorder(">"))
    if value == "memoryview":
        return memoryview(np.zeros(result_shape, dtype))
    return value


@settings(deadline=None, max_examples=300)
@given(data=st.data(), method=st.sampled_from(sorted(PARAMETERS_OF)),
       shape=shapes(64, max_ndim=3), dtype=st.sampled_from(DTYPES[:3]),
       threads=thread_counts)
def test_one_invalid_argument_is_refused_and_out_untouched(data, method, shape, dtype, threads):
    kwargs = dict(dtype=dtype, seed=data.draw(seeds), stream=data.draw(streams), block=0,
                  threads=threads)
    kwargs["out"] = sentinel(shape, dtype)
    bad_name = data.draw(st.sampled_from(
        ["shape", "dtype", "seed", "stream", "block", "region", "out", "threads"]
        + list(PARAMETERS_OF[method])), label="invalid argument")
    bad_value = data.draw(st.sampled_from(INVALID_VALUES[bad_name]), label="invalid value")
    positional = {"uniform": {"low": 0.0, "high": 1.0},
                  "normal": {"mean": 0.0, "std": 1.0},
                  "truncated_normal": {"mean": 0.0, "std": 1.0, "a": -1.0, "b": 1.0}}[method]
    call_shape = shape
    if bad_name == "shape":
        call_shape = bad_value
        kwargs["out"] = None
    elif bad_name == "region":
        kwargs["region"] = invalid_region(bad_value, shape)
    elif bad_name == "out":
        kwargs["out"] = invalid_out(bad_value, shape, dtype)
    elif bad_name in positional:
        positional[bad_name] = bad_value
    else:
        kwargs[bad_name] = bad_value
    out = kwargs["out"]
    before = out.copy() if isinstance(out, np.ndarray) else None

    with pytest.raises((TypeError, ValueError)):
        getattr(fastinit, method)(call_shape, **positional, **kwargs)
    if before is not None:
        assert_same_bits(out, before)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("parameter", ["mean", "std"])
def test_normal_parameters_beyond_the_computed_type_are_refused(parameter, dtype):
    # float16/float32 normals are computed in float32, where 1e300 is infinite;
    # float64 holds it.
    out = sentinel((4,), np.dtype(dtype))
    before = out.copy()
    with pytest.raises(ValueError):
        fastinit.normal(4, **{parameter: 1e300}, dtype=dtype, seed=0, out=out)
    assert_same_bits(out, before)
    assert np.all(np.isfinite(fastinit.normal(4, **{parameter: 1e300}, dtype=np.float64, seed=0)))


@pytest.mark.parametrize("method, parameter", [
    (method, parameter) for method, names in sorted(PARAMETERS_OF.items()) for parameter in names])
def test_numeric_strings_are_refused_like_numpy(method, parameter):
    # numpy.random.Generator.normal("0") raises TypeError; a str that happens
    # to parse as a number is still the wrong type.
    values = {"low": "-1", "high": "1", "mean": "0", "std": "1", "a": "-1", "b": "1"}
    defaults = {"low": -1.0, "high": 1.0, "mean": 0.0, "std": 1.0, "a": -1.0, "b": 1.0}
    arguments = {name: defaults[name] for name in PARAMETERS_OF[method]}
    arguments[parameter] = values[parameter]
    out = sentinel((4,), np.dtype(np.float32))
    before = out.copy()
    with pytest.raises(TypeError):
        getattr(fastinit, method)(4, **arguments, seed=0, out=out)
    assert_same_bits(out, before)


def test_invalid_values_are_invalid_for_every_method():
    # Guards the table above: a value that is valid for some shape would make
    # the property vacuous or wrong.
    for value in INVALID_VALUES["seed"]:
        with pytest.raises((TypeError, ValueError)):
            fastinit.random_raw(4, seed=value)
    for value in INVALID_VALUES["stream"]:
        with pytest.raises((TypeError, ValueError)):
            fastinit.random_raw(4, seed=0, stream=value)
    for value in INVALID_VALUES["block"]:
        with pytest.raises((TypeError, ValueError)):
            fastinit.random_raw(4, seed=0, block=value)


ANY_VALUE = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 8), st.integers(-2**70, 2**70),
    st.floats(), st.text(max_size=5), st.binary(max_size=4), st.complex_numbers(max_magnitude=5),
    st.tuples(st.integers(-2, 6), st.integers(-2, 6)),
    st.lists(st.integers(-2, 6), max_size=3),
    st.sampled_from([np.float32, np.float64, np.int8, "float16", "bfloat16", np.int64(3),
                     np.float32(0.5), slice(0, 2), (slice(0, 2),), np.s_[1:, :1], Ellipsis,
                     object(), np.zeros(2, np.float32)]),
)
# Shapes: anything but a valid large one (which would only test the memory
# allocator), including element counts beyond 2**63 - 1.
ANY_SHAPE = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 8), st.integers(-2**70, -1),
    st.integers(2**63, 2**70), st.floats(), st.text(max_size=5), st.binary(max_size=4),
    st.tuples(st.integers(-2, 6), st.integers(-2, 6)),
    st.tuples(st.integers(2**32, 2**40), st.integers(2**32, 2**40)),
    st.lists(st.one_of(st.integers(-2, 6), st.floats(), st.none(), st.text(max_size=2)),
             max_size=3),
    st.sampled_from([np.float32(2.0), np.int64(3), (np.int8(2), 3), slice(0, 2), Ellipsis,
                     object(), np.zeros(2, np.float32), np.array(3), 1j]),
)


@settings(deadline=None, max_examples=300,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), method=st.sampled_from(sorted(PARAMETERS_OF)),
       shape=shapes(64, max_ndim=3), dtype=st.sampled_from(DTYPES))
def test_arbitrary_arguments_never_crash(data, method, shape, dtype):
    # Every argument is either a valid value or an arbitrary object: the call
    # returns an array or raises TypeError/ValueError, and a rejected call
    # leaves `out` as it was.
    def maybe(valid, label, garbage=ANY_VALUE):
        return data.draw(st.one_of(st.just(valid), garbage), label=label)

    call_shape = maybe(shape, "shape", ANY_SHAPE)
    region = data.draw(st.one_of(st.none(), regions(shape), ANY_VALUE), label="region")
    kwargs = dict(dtype=maybe(dtype, "dtype"), seed=maybe(12345, "seed"),
                  stream=maybe("layer.weight", "stream"), block=maybe(7, "block"),
                  threads=maybe(2, "threads"), region=region)
    out_kind = data.draw(st.sampled_from(["none", "valid", "garbage"]), label="out kind")
    if out_kind == "valid":
        try:
            out_shape = np.empty(shape, np.bool_)[as_index(region)].shape
        except Exception:
            out_shape = shape
        kwargs["out"] = sentinel(out_shape, dtype)
    elif out_kind == "garbage":
        kwargs["out"] = data.draw(ANY_VALUE, label="out")
    defaults = {"uniform": (0.0, 1.0), "normal": (0.0, 1.0),
                "truncated_normal": (0.0, 1.0, -1.5, 2.0)}[method]
    positional = [maybe(value, name) for name, value in zip(PARAMETERS_OF[method], defaults)]
    given_out = kwargs.get("out")
    before = given_out.copy() if isinstance(given_out, np.ndarray) else None
    try:
        result = getattr(fastinit, method)(call_shape, *positional, **kwargs)
    except (TypeError, ValueError):
        if before is not None:
            assert_same_bits(given_out, before)
        return
    assert isinstance(result, np.ndarray)
    if isinstance(given_out, np.ndarray):
        assert result is given_out


INITIALIZER_PARAMETERS = {
    # name: valid positional parameters after the shape
    "xavier_uniform": (1.0,), "xavier_normal": (1.0,),
    "he_uniform": (0.0, "fan_in", "leaky_relu"), "he_normal": (0.0, "fan_in", "leaky_relu"),
    "lecun_uniform": (), "lecun_normal": (),
    "variance_scaling": (1.0, "fan_in", "truncated_normal"),
    "sparse": (0.5,), "init": ("relu",),
}


@settings(deadline=None, max_examples=200,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data(), shape=shapes(64, min_ndim=2, max_ndim=2),
       dtype=st.sampled_from(DTYPES))
def test_initializers_with_arbitrary_arguments_never_crash(data, shape, dtype):
    names = [name for name in sorted(INITIALIZER_PARAMETERS) if hasattr(fastinit, name)]
    if not names:
        pytest.skip("initializers are not available")
    name = data.draw(st.sampled_from(names), label="initializer")

    def maybe(valid, label, garbage=ANY_VALUE):
        return data.draw(st.one_of(st.just(valid), garbage), label=label)

    positional = [maybe(value, f"parameter {i}")
                  for i, value in enumerate(INITIALIZER_PARAMETERS[name])]
    region = data.draw(st.one_of(st.none(), regions(shape), ANY_VALUE), label="region")
    kwargs = dict(dtype=maybe(dtype, "dtype"), seed=maybe(3, "seed"),
                  stream=maybe("w", "stream"), block=maybe(0, "block"),
                  threads=maybe(None, "threads"), region=region)
    if data.draw(st.booleans(), label="with out"):
        try:
            out_shape = np.empty(shape, np.bool_)[as_index(region)].shape
        except Exception:
            out_shape = shape
        kwargs["out"] = sentinel(out_shape, dtype)
    given_out = kwargs.get("out")
    before = given_out.copy() if given_out is not None else None
    try:
        result = getattr(fastinit, name)(maybe(shape, "shape", ANY_SHAPE), *positional,
                                         **kwargs)
    except (TypeError, ValueError):
        if before is not None:
            assert_same_bits(given_out, before)
        return
    assert isinstance(result, np.ndarray)
    if given_out is not None:
        assert result is given_out
