"""Parity of fans and scales with ``jax.nn.initializers.variance_scaling``.

JAX's initializers multiply a standard draw by their std or bound: with the
same key, ``variance_scaling(...)(key, shape)`` divided elementwise by
``jax.random.normal`` / ``uniform(minval=-1)`` / ``truncated_normal(-2, 2)``
of that key is JAX's std (or bound), which fastinit's must equal.
"""

import functools
import math

import numpy as np
import pytest

import fastinit

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
jax_init = jax.nn.initializers



@pytest.fixture(autouse=True, scope="module")
def _fast_jax_random():
    # The scale JAX applies does not depend on how its random bits are laid
    # out; the non-partitionable layout compiles many times faster for
    # kernels of rank 4 and 5 on CPU.
    with jax.threefry_partitionable(False):
        yield


Z = 6.0  # standard deviations of statistical tolerances (false failure ~2e-9)

# (shape, axis keywords) pairs: dense layers, conv kernels of every rank, moved
# axes, several input/output axes, batch axes
AXIS_CASES = [
    ((3, 2), {}),
    ((784, 10), {}),
    ((5, 16, 32), {}),
    ((3, 3, 16, 32), {}),
    ((3, 5, 7, 4, 6), {}),
    ((1, 1, 8, 8), {}),
    ((16, 32, 3, 3), {"in_axis": 1, "out_axis": 0}),          # a torch-ordered kernel
    ((16, 32, 3, 3), {"in_axis": -3, "out_axis": -4}),
    ((2, 3, 4, 5), {"in_axis": (0, 1), "out_axis": -1}),
    ((2, 3, 4, 5), {"in_axis": -2, "out_axis": (0, 3)}),
    ((6, 7, 8), {"batch_axis": 0}),
    ((4, 3, 3, 8, 16), {"batch_axis": (0,)}),
    ((4, 5, 6, 7), {"in_axis": 2, "out_axis": 3, "batch_axis": (0, 1)}),
    ((9,), {"in_axis": 0, "out_axis": ()}),
]
MODES = ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]


def _jax_fans():
    try:
        from jax._src.nn.initializers import _compute_fans
    except ImportError:
        pytest.skip("this jax has no _compute_fans")
    return _compute_fans


@pytest.mark.parametrize("shape, axes", AXIS_CASES)
def test_fans_match_compute_fans(shape, axes):
    compute_fans = _jax_fans()
    expected = compute_fans(shape, **axes)
    ours = fastinit.fans(shape, **axes)
    assert ours.fan_in == pytest.approx(float(expected[0]), rel=1e-12)
    assert ours.fan_out == pytest.approx(float(expected[1]), rel=1e-12)


def test_fans_undefined_for_vectors_in_both():
    compute_fans = _jax_fans()
    for shape in [(), (5,)]:
        with pytest.raises(ValueError):
            compute_fans(shape)
        with pytest.raises(ValueError):
            fastinit.fans(shape)


@functools.lru_cache(maxsize=None)
def _jax_base(shape, distribution):
    """JAX's standard draw of key 0, which its variance_scaling multiplies."""
    key = jax.random.key(0)
    if distribution == "normal":
        base = jax.random.normal(key, shape, jnp.float32)
    elif distribution == "uniform":
        base = jax.random.uniform(key, shape, jnp.float32, -1)
    else:
        base = jax.random.truncated_normal(key, -2, 2, shape, jnp.float32)
    return np.asarray(base, np.float64)


def _jax_scale(scale, mode, distribution, shape, axes):
    """JAX's std (normal), sampler std (truncated normal) or bound (uniform)."""
    weights = jax_init.variance_scaling(scale, mode, distribution, dtype=jnp.float32,
                                        **axes)(jax.random.key(0), shape)
    weights, base = np.asarray(weights, np.float64), _jax_base(shape, distribution)
    usable = np.abs(base) > 1e-3
    assert usable.any()
    ratios = weights[usable] / base[usable]
    # every ratio is the same float32 scale up to the rounding of one product
    np.testing.assert_allclose(ratios, ratios.mean(), rtol=1e-6)
    return ratios.mean()


def _our_scale(scale, mode, distribution, shape, axes):
    fan_in, fan_out = fastinit.fans(shape, **axes)
    params = fastinit.variance_scaling_parameters(scale, mode, distribution, fan_in, fan_out)
    return params.bound if distribution == "uniform" else params.normal_std


# Every axis case with the normal distribution, a few with the other two (the
# distribution only changes the final factor, which these cover).
SCALE_CASES = [(shape, axes, "normal") for shape, axes in AXIS_CASES]
SCALE_CASES += [(shape, axes, distribution) for shape, axes in AXIS_CASES[2:5] + AXIS_CASES[9:11]
                for distribution in ("uniform", "truncated_normal")]


@pytest.mark.parametrize("shape, axes, distribution", SCALE_CASES)
@pytest.mark.parametrize("mode", MODES)
def test_variance_scaling_scale_matches(shape, axes, distribution, mode):
    scale = 2.0 if mode in ("fan_in", "fan_avg") else 0.5
    theirs = _jax_scale(scale, mode, distribution, shape, axes)
    ours = _our_scale(scale, mode, distribution, shape, axes)
    assert ours == pytest.approx(theirs, rel=2e-6)
    # describe reports the same scale for fastinit.variance_scaling
    info = fastinit.describe("variance_scaling", shape, scale=scale, mode=mode,
                             distribution=distribution, **axes)
    if distribution == "uniform":
        assert info["bound"] == pytest.approx(theirs, rel=2e-6)
    elif distribution == "normal":
        assert info["std"] == pytest.approx(theirs, rel=2e-6)
    else:
        assert info["std"] == pytest.approx(theirs * fastinit.TRUNCATED_NORMAL_STD, rel=2e-6)


@pytest.mark.parametrize("shape, axes", [AXIS_CASES[i] for i in (0, 3, 6, 10)])
@pytest.mark.parametrize("jax_name, ours_name, scale, mode", [
    ("glorot_uniform", "xavier_uniform", 1.0, "fan_avg"),
    ("he_uniform", "he_uniform", 2.0, "fan_in"),
    ("lecun_uniform", "lecun_uniform", 1.0, "fan_in"),
    ("glorot_normal", "xavier_normal", 1.0, "fan_avg"),
    ("he_normal", "he_normal", 2.0, "fan_in"),
    ("lecun_normal", "lecun_normal", 1.0, "fan_in"),
])
def test_named_initializers_have_the_same_variance(shape, axes, jax_name, ours_name, scale,
                                                   mode):
    # JAX's *_normal draw from a truncated normal, fastinit's from a normal;
    # their variances agree, and JAX's equals variance_scaling's with its scale
    distribution = "uniform" if jax_name.endswith("uniform") else "truncated_normal"
    theirs = _jax_scale(scale, mode, distribution, shape, axes)
    jax_variance = theirs**2 / 3 if distribution == "uniform" else (
        theirs * fastinit.TRUNCATED_NORMAL_STD) ** 2
    # the JAX named initializer is that variance_scaling
    key = jax.random.key(3)
    named = getattr(jax_init, jax_name)(dtype=jnp.float32, **axes)(key, shape)
    reference = jax_init.variance_scaling(scale, mode, distribution, dtype=jnp.float32,
                                          **axes)(key, shape)
    np.testing.assert_array_equal(np.asarray(named), np.asarray(reference))
    info = fastinit.describe(ours_name, shape, **axes)
    assert info["variance"] == pytest.approx(jax_variance, rel=4e-6)
    if distribution == "uniform":
        assert info["bound"] == pytest.approx(theirs, rel=2e-6)


@pytest.mark.parametrize("mode, distribution", [("fan_in", "truncated_normal"),
                                                ("fan_avg", "uniform"),
                                                ("fan_geo_avg", "normal")])
def test_samples_have_the_same_variance(mode, distribution):
    shape = (3, 3, 128, 256)
    n = math.prod(shape)
    theirs = np.asarray(jax_init.variance_scaling(2.0, mode, distribution)(
        jax.random.key(1), shape), np.float64)
    ours = fastinit.variance_scaling(shape, 2.0, mode, distribution, seed=1).astype(np.float64)
    fan_in, fan_out = 9 * 128, 9 * 256
    denominator = {"fan_in": fan_in, "fan_avg": (fan_in + fan_out) / 2,
                   "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]
    variance = 2.0 / denominator
    for sample in (theirs, ours):
        # kurtosis <= 3 for all three distributions
        assert abs(sample.var() - variance) <= Z * variance * math.sqrt(2 / n)
    if distribution == "truncated_normal":
        limit = 2 * math.sqrt(variance) / fastinit.TRUNCATED_NORMAL_STD
        assert np.abs(ours).max() <= limit * (1 + 1e-6)
        assert np.abs(theirs).max() <= limit * (1 + 1e-6)


@pytest.mark.parametrize("shape", [(3, 3, 16, 32), (3, 3, 64, 8), (40, 20), (20, 40)])
def test_orthogonal_uses_jax_column_convention(shape):
    # JAX's orthogonal (column_axis=-1) and fastinit's Keras layout both treat
    # the last axis as the columns of a (prod(rest), last) matrix
    theirs = np.asarray(jax_init.orthogonal(dtype=jnp.float32)(jax.random.key(2), shape),
                        np.float64).reshape(-1, shape[-1])
    ours = fastinit.orthogonal(shape, seed=2, dtype=np.float64).reshape(-1, shape[-1])
    for q in (theirs, ours):
        gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(gram, np.eye(min(q.shape)), atol=1e-5)
