"""fastinit.Spec and fastinit.iter_regions."""
import inspect
import math
import pickle

import numpy as np
import pytest

import fastinit
from fastinit._spec import spec_methods

SEED = 20261202

# Parameters a method needs beyond its shape, and a shape it accepts.
REQUIRED = {"constant": {"value": 0.5}, "sparse": {"sparsity": 0.3}}
SHAPES = {"dirac": (6, 4, 3, 3), "eye": (7, 5), "sparse": (9, 6)}


def _spec(method, dtype="float32", **params):
    return fastinit.Spec(method, SHAPES.get(method, (9, 6, 4)), dtype=dtype,
                         **{**REQUIRED.get(method, {}), **params})


def _bits(array):
    array = np.asarray(array)
    return array.view(np.uint8 if array.dtype.itemsize == 1 else f"u{array.dtype.itemsize}")


@pytest.mark.parametrize("method", list(spec_methods()))
@pytest.mark.parametrize("dtype", ["float32", "float64", "bfloat16"])
def test_generate_equals_the_numpy_function(method, dtype):
    spec = _spec(method, dtype)
    function = getattr(fastinit, method)
    call = dict(REQUIRED.get(method, {}), dtype=spec.dtype)
    if spec.random:
        call.update(seed=SEED, stream="layer.weight")
    expected = function(spec.shape, **call)
    got = spec.generate(SEED, "layer.weight")
    assert got.dtype == expected.dtype and got.shape == spec.shape
    np.testing.assert_array_equal(_bits(got), _bits(expected))


@pytest.mark.parametrize("method", list(spec_methods()))
def test_regionable_says_whether_region_works(method):
    spec = _spec(method)
    full = spec.generate(SEED, 3)
    region = (slice(1, 4), slice(1, 3))
    if spec.regionable:
        np.testing.assert_array_equal(spec.generate(SEED, 3, region=region), full[region])
        out = np.empty(full[region].shape, spec.dtype)
        assert spec.generate(SEED, 3, region=region, out=out, threads=1) is out
        np.testing.assert_array_equal(out, full[region])
    else:
        with pytest.raises(ValueError, match="region"):
            spec.generate(SEED, 3, region=region)


def test_only_orthogonal_is_not_regionable():
    assert [m for m in spec_methods() if not _spec(m).regionable] == ["orthogonal"]


def test_methods_cover_the_numpy_api():
    names = set(spec_methods())
    assert {"normal", "uniform", "truncated_normal", "he_normal", "kaiming_uniform",
            "xavier_normal", "glorot_uniform", "lecun_normal", "variance_scaling",
            "orthogonal", "sparse", "zeros", "ones", "constant", "eye", "dirac",
            "init"} <= names
    assert "random_raw" not in names and "InitializerMethods" not in names


def test_random_methods_depend_on_seed_and_stream():
    spec = fastinit.Spec("he_normal", (64, 32), nonlinearity="relu")
    a = spec.generate(1, "a")
    assert not np.array_equal(a, spec.generate(2, "a"))
    assert not np.array_equal(a, spec.generate(1, "b"))
    np.testing.assert_array_equal(
        a, fastinit.he_normal((64, 32), nonlinearity="relu", seed=1, stream="a"))
    np.testing.assert_array_equal(fastinit.Spec("ones", 4).generate(1, "x"), np.ones(4))


def test_pickle_is_small_and_equal():
    spec = fastinit.Spec("variance_scaling", (1 << 20, 8192), dtype="bfloat16", scale=2.0,
                         mode="fan_avg", distribution="uniform", layout="torch")
    data = pickle.dumps(spec)
    assert len(data) < 600
    copy = pickle.loads(data)
    assert copy == spec and copy.dtype == spec.dtype and copy.params == spec.params
    region = (slice(5, 7), slice(100, 140))
    np.testing.assert_array_equal(_bits(copy.generate(9, "w", region=region)),
                                  _bits(spec.generate(9, "w", region=region)))


def test_attributes_repr_and_equality():
    spec = fastinit.Spec("he_normal", (4096, 1024), nonlinearity="relu")
    assert spec.method == "he_normal" and spec.shape == (4096, 1024)
    assert spec.dtype == np.float32 and spec.nbytes == 4096 * 1024 * 4
    assert spec.size == 4096 * 1024 and spec.regionable and spec.random
    assert repr(spec) == "Spec('he_normal', (4096, 1024), nonlinearity='relu')"
    assert repr(fastinit.Spec("zeros", 3, dtype="float16")) == (
        "Spec('zeros', (3,), dtype='float16')")
    # defaults spelled out compare equal; any difference does not
    assert spec == fastinit.Spec("he_normal", [4096, 1024], nonlinearity="relu", a=0.0,
                                 mode="fan_in")
    assert spec != fastinit.Spec("he_normal", (4096, 1024))
    assert spec != fastinit.Spec("he_normal", (4096, 1024), nonlinearity="relu",
                                 dtype="float64")
    assert spec != "he_normal"
    with pytest.raises(TypeError):
        hash(spec)


def test_validation_costs_nothing_proportional_to_the_array():
    # 2**44 float32 elements (64 TiB): building the spec must not touch them
    spec = fastinit.Spec("he_normal", (1 << 24, 1 << 20))
    assert spec.nbytes == 1 << 46
    corner = spec.generate(0, 0, region=(slice(0, 2), slice(0, 3)))
    assert corner.shape == (2, 3)
    assert fastinit.Spec("orthogonal", (1 << 24, 1 << 20)).nbytes == 1 << 46


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown method 'he_nromal'.*he_normal.*xavier_uniform"):
        fastinit.Spec("he_nromal", (3, 3))
    with pytest.raises(TypeError, match="method must be a str"):
        fastinit.Spec(len, (3, 3))


@pytest.mark.parametrize("method, shape, params, error, match", [
    ("he_normal", (3, 3), {"nonlinearity": "bogus"}, ValueError, "nonlinearity"),
    ("he_normal", (3, 3), {"mode": "fan_sideways"}, ValueError, "mode"),
    ("he_normal", (3, 3), {"bogus": 1}, TypeError, "unexpected keyword argument 'bogus'"),
    ("normal", (3, 3), {"std": -1.0}, ValueError, "std"),
    ("normal", (3, 3), {"std": "wide"}, TypeError, "std"),
    ("uniform", (3, 3), {"low": 2.0, "high": 1.0}, ValueError, "low"),
    ("truncated_normal", (3, 3), {"a": 1.0, "b": -1.0}, ValueError, "a must be less than b"),
    ("constant", (3, 3), {}, TypeError, "value"),
    ("sparse", (3, 3), {"sparsity": 1.5}, ValueError, "sparsity"),
    ("sparse", (3, 3, 3), {"sparsity": 0.5}, ValueError, "2-dimensional"),
    ("eye", (3, 3, 3), {}, ValueError, "2-dimensional"),
    ("dirac", (3, 3), {}, ValueError, "at least 3 dimensions"),
    ("orthogonal", (5,), {}, ValueError, r"at least 2 dimensions, got \(5,\)"),
    ("orthogonal", (5, 5), {"gain": "x"}, (TypeError, ValueError), "gain"),
    ("orthogonal", (5, 5), {"layout": "tf"}, ValueError, "layout"),
    ("he_normal", (3, 3), {"seed": 1}, TypeError, "generate"),
    ("he_normal", (3, 3), {"region": np.s_[:1]}, TypeError, "generate"),
    ("he_normal", (-3, 3), {}, ValueError, "negative dimensions"),
    ("he_normal", (3.5, 3), {}, TypeError, "integer"),
    ("he_normal", (3, 3), {"dtype": "int32"}, TypeError, "dtype"),
    ("init", (3, 3), {"activation": 3}, TypeError, "activation"),
])
def test_bad_specs_fail_when_built(method, shape, params, error, match):
    with pytest.raises(error, match=match):
        fastinit.Spec(method, shape, **params)


def test_generate_checks_its_arguments():
    spec = fastinit.Spec("normal", (4, 4))
    with pytest.raises(ValueError, match="out of bounds.*iter_regions"):
        spec.generate(0, 0, region=np.s_[2:6])
    with pytest.raises(ValueError, match="seed"):
        spec.generate(-1, 0)
    with pytest.raises(TypeError, match="stream"):
        fastinit.Spec("zeros", 3).generate(0, 1.5)
    with pytest.raises(TypeError, match="wrong type"):
        spec.generate(0, 0, out=np.empty((4, 4), np.float64))


def test_signature_is_visible():
    assert list(inspect.signature(fastinit.Spec).parameters) == [
        "method", "shape", "dtype", "params"]
    assert list(inspect.signature(fastinit.Spec.generate).parameters) == [
        "self", "seed", "stream", "region", "out", "threads"]


# --------------------------------------------------------------------------
# iter_regions


def _flat_indices(shape, region):
    index = np.arange(math.prod(shape)).reshape(shape)
    return index[region].reshape(-1)


@pytest.mark.parametrize("shape, max_elements", [
    ((5, 3), 6), ((5, 3), 1), ((5, 3), 100), ((4, 10), 3), ((2, 3, 7), 5), ((2, 3, 7), 21),
    ((2, 3, 7), 22), ((3, 1, 4, 5), 7), ((17,), 4), ((1, 1, 1), 1), ((6, 0, 4), 3),
    ((0,), 5), ((), 1), ((), 8),
])
def test_iter_regions_cover_the_shape_exactly_in_order(shape, max_elements):
    regions = list(fastinit.iter_regions(shape, max_elements))
    covered = [_flat_indices(shape, r) for r in regions]
    for region, flat in zip(regions, covered):
        assert len(region) == len(shape)
        assert all(isinstance(s, slice) and 0 <= s.start < s.stop <= d
                   for s, d in zip(region, shape))
        assert 1 <= flat.size <= max_elements
        # each block is one contiguous stretch of the C-ordered array
        np.testing.assert_array_equal(flat, np.arange(flat[0], flat[0] + flat.size))
    joined = np.concatenate(covered) if covered else np.empty(0, int)
    np.testing.assert_array_equal(joined, np.arange(math.prod(shape)))


def test_iter_regions_takes_whole_rows_while_they_fit():
    assert list(fastinit.iter_regions((10, 4), 8)) == [
        (slice(0, 2), slice(0, 4)), (slice(2, 4), slice(0, 4)), (slice(4, 6), slice(0, 4)),
        (slice(6, 8), slice(0, 4)), (slice(8, 10), slice(0, 4))]
    # one row is larger than the limit: rows split along the next axis
    assert list(fastinit.iter_regions((2, 5), 3)) == [
        (slice(0, 1), slice(0, 3)), (slice(0, 1), slice(3, 5)),
        (slice(1, 2), slice(0, 3)), (slice(1, 2), slice(3, 5))]


def test_iter_regions_drive_a_hand_written_loop():
    shape = (37, 11)
    full = fastinit.xavier_uniform(shape, seed=4, stream="w")
    out = np.empty(shape, np.float32)
    for region in fastinit.iter_regions(shape, 50):
        out[region] = fastinit.xavier_uniform(shape, seed=4, stream="w", region=region)
    np.testing.assert_array_equal(out, full)


def test_iter_regions_bad_arguments():
    with pytest.raises(ValueError, match="at least 1"):
        fastinit.iter_regions((3, 3), 0)
    with pytest.raises(TypeError, match="must be an integer"):
        fastinit.iter_regions((3, 3), 2.5)
    with pytest.raises(TypeError, match="bool"):
        fastinit.iter_regions((3, 3), True)
    with pytest.raises(ValueError, match="negative"):
        fastinit.iter_regions((3, -3), 4)


def test_region_past_the_end_points_to_iter_regions():
    with pytest.raises(ValueError, match=r"out of bounds for axis 0 with size 10.*"
                                         r"fastinit\.iter_regions"):
        fastinit.normal((10, 4), seed=0, region=np.s_[8:12])
