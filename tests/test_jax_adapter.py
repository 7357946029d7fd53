"""fastinit.jax against the installed jax.nn.initializers, and inside Flax.

Statistical checks draw n = 2**16 values with fixed keys and allow Z = 6
standard errors (a false failure about 2e-9 per check, under 1e-6 for the
whole file).  Scale checks are exact instead: JAX's initializers (and
fastinit's) multiply one standard draw by their std or bound, so the
elementwise ratio of an initializer's output to the standard draw of the
same key is that std or bound, to float32 rounding.
"""

import inspect
import math

import numpy as np
import pytest

import fastinit

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")
fij = pytest.importorskip("fastinit.jax")
jax_init = jax.nn.initializers

Z = 6.0
N_SHAPE = (256, 256)  # n = 2**16
N = math.prod(N_SHAPE)
TRUNCATED_STD = 0.87962566103423978  # std of N(0, 1) truncated to (-2, 2)

FACTORY_NAMES = [
    "constant", "delta_orthogonal", "glorot_normal", "glorot_uniform", "he_normal",
    "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal", "lecun_uniform",
    "normal", "orthogonal", "truncated_normal", "uniform", "variance_scaling",
    "xavier_normal", "xavier_uniform",
]


@pytest.fixture(autouse=True, scope="module")
def _fast_jax_random():
    # JAX's values are only compared in distribution; the non-partitionable
    # Threefry layout compiles faster on CPU.
    with jax.threefry_partitionable(False):
        yield


def _parameters(function):
    return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]


@pytest.mark.parametrize("name", FACTORY_NAMES)
def test_factory_signatures_are_jax_s(name):
    assert _parameters(getattr(fij, name)) == _parameters(getattr(jax_init, name))


@pytest.mark.parametrize("name", ["zeros", "ones"])
def test_constant_initializer_signatures_are_jax_s(name):
    assert _parameters(getattr(fij, name)) == _parameters(getattr(jax_init, name))


def test_returned_initializer_signature_is_jax_s():
    ours = [(n, k, d) for n, k, d in _parameters(fij.he_normal())]
    theirs = [(n, k, d) for n, k, d in _parameters(jax_init.he_normal())]
    assert ours == theirs
    assert isinstance(fij.he_normal(), jax_init.Initializer)


# ---------------------------------------------------------------------------
# keys


def test_key_gives_the_numpy_api_array_for_seed_and_stream_zero():
    key = jax.random.key(7)
    ours = np.asarray(fij.he_normal()(key, (784, 256)))
    expected = fastinit.variance_scaling((784, 256), 2.0, "fan_in", "truncated_normal", seed=7)
    np.testing.assert_array_equal(ours, expected)
    assert ours.dtype == np.float32


def test_new_style_and_raw_keys_with_the_same_words_agree():
    for seed in (0, 1, 12345, 2**32 - 1):
        typed = np.asarray(fij.normal(1.0)(jax.random.key(seed), (5, 7)))
        raw = np.asarray(fij.normal(1.0)(jax.random.PRNGKey(seed), (5, 7)))
        np.testing.assert_array_equal(typed, raw)
        np.testing.assert_array_equal(typed, fastinit.normal((5, 7), 0.0, 1.0, seed=seed))


def test_seed_is_the_two_key_words_as_one_64_bit_integer():
    key = jax.random.split(jax.random.key(3), 4)[2]
    w0, w1 = (int(w) for w in np.asarray(jax.random.key_data(key)))
    assert w0 != 0  # a derived key uses both words
    seed = w0 * 2**32 + w1
    assert fij.key_seed_and_stream(key) == (seed, 0)
    np.testing.assert_array_equal(np.asarray(fij.uniform(2.0)(key, (9,))),
                                  fastinit.uniform((9,), 0.0, 2.0, seed=seed))
    raw = jnp.array([w0, w1], dtype=jnp.uint32)
    np.testing.assert_array_equal(np.asarray(fij.uniform(2.0)(raw, (9,))),
                                  np.asarray(fij.uniform(2.0)(key, (9,))))


def test_four_word_keys_give_seed_and_stream():
    key = jax.random.split(jax.random.key(5, impl="rbg"), 2)[1]
    words = [int(w) for w in np.asarray(jax.random.key_data(key))]
    seed, stream = words[0] * 2**32 + words[1], words[2] * 2**32 + words[3]
    assert fij.key_seed_and_stream(key) == (seed, stream)
    np.testing.assert_array_equal(np.asarray(fij.normal(1.0)(key, (6,))),
                                  fastinit.normal((6,), 0.0, 1.0, seed=seed, stream=stream))
    np.testing.assert_array_equal(np.asarray(jax.jit(lambda k: fij.normal(1.0)(k, (6,)))(key)),
                                  fastinit.normal((6,), 0.0, 1.0, seed=seed, stream=stream))


def test_different_keys_give_different_arrays():
    keys = jax.random.split(jax.random.key(0), 3)
    arrays = [np.asarray(fij.lecun_normal()(k, (16, 16))) for k in keys]
    assert not np.array_equal(arrays[0], arrays[1])
    assert not np.array_equal(arrays[1], arrays[2])


# ---------------------------------------------------------------------------
# eager, jit and vmap


def _every_initializer():
    return {
        "uniform": fij.uniform(0.5),
        "normal": fij.normal(0.3),
        "truncated_normal": fij.truncated_normal(0.3, lower=-1.0, upper=3.0),
        "variance_scaling": fij.variance_scaling(0.7, "fan_geo_avg", "uniform"),
        "glorot_normal": fij.glorot_normal(),
        "he_uniform": fij.he_uniform(),
        "lecun_normal": fij.lecun_normal(),
        "orthogonal": fij.orthogonal(2.0, column_axis=0),
        "delta_orthogonal": fij.delta_orthogonal(),
        "zeros": fij.zeros,
        "ones": fij.ones,
        "constant": fij.constant(-7.0),
    }


@pytest.mark.parametrize("dtype", [jnp.float32, jnp.bfloat16, jnp.float16])
def test_jit_equals_eager_bit_for_bit(dtype):
    key = jax.random.key(11)
    shape = (3, 5, 6)
    for name, init in _every_initializer().items():
        eager = init(key, shape, dtype)
        jitted = jax.jit(init, static_argnums=(1, 2))(key, shape, dtype)
        assert eager.dtype == jitted.dtype == dtype, name
        assert eager.shape == shape, name
        np.testing.assert_array_equal(np.asarray(eager).view(np.uint8),
                                      np.asarray(jitted).view(np.uint8), err_msg=name)


def test_float64_when_x64_is_enabled():
    key = jax.random.key(2)
    with jax.enable_x64(True):
        eager = fij.he_normal()(key, (4, 6), jnp.float64)
        jitted = jax.jit(fij.he_normal(), static_argnums=(1, 2))(key, (4, 6), jnp.float64)
        default = fij.normal(1.0)(key, (3,))
        assert eager.dtype == jitted.dtype == default.dtype == jnp.float64
        np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))
        np.testing.assert_array_equal(
            np.asarray(eager),
            fastinit.variance_scaling((4, 6), 2.0, "fan_in", "truncated_normal", seed=2,
                                      dtype=np.float64))


def test_float64_request_without_x64_gives_float32_as_jax_does():
    key = jax.random.key(2)
    if jax.config.jax_enable_x64:
        pytest.skip("x64 is enabled in this process")
    with pytest.warns(UserWarning):
        theirs = jax_init.normal()(key, (3,), jnp.float64)
    ours = fij.normal()(key, (3,), jnp.float64)
    assert ours.dtype == theirs.dtype == jnp.float32


def test_default_dtype_of_the_factory_is_used():
    init = fij.normal(1.0, dtype=jnp.bfloat16)
    key = jax.random.key(0)
    assert init(key, (2,)).dtype == jnp.bfloat16
    assert init(key, (2,), jnp.float32).dtype == jnp.float32
    assert jax.jit(init, static_argnums=1)(key, (2,)).dtype == jnp.bfloat16


def test_vmap_over_keys_gives_each_key_s_array():
    keys = jax.random.split(jax.random.key(4), 5)
    shape = (6, 4, 8)
    for name, init in _every_initializer().items():
        single = np.stack([np.asarray(init(k, shape)) for k in keys])
        batched = jax.vmap(lambda k: init(k, shape))(keys)
        jitted = jax.jit(jax.vmap(lambda k: init(k, shape)))(keys)
        np.testing.assert_array_equal(np.asarray(batched), single, err_msg=name)
        np.testing.assert_array_equal(np.asarray(jitted), single, err_msg=name)


def test_pure_callback_path_gives_the_same_arrays(monkeypatch):
    # on CPU the traced path writes through buffer_callback; pure_callback is
    # the path elsewhere (and where buffer_callback is missing)
    key = jax.random.key(12)
    keys = jax.random.split(key, 3)
    shape = (5, 6)
    cases = [(name, init) for name, init in _every_initializer().items()
             if name in ("truncated_normal", "glorot_normal", "orthogonal", "delta_orthogonal")]
    expected = {}
    for name, init in cases:
        for dtype in (jnp.float32, jnp.bfloat16):
            expected[name, dtype] = (
                np.asarray(init(key, (3,) + shape, dtype)),
                np.asarray(jax.jit(jax.vmap(lambda k: init(k, (3,) + shape, dtype)))(keys)))
    monkeypatch.setattr(fij, "_PREFER_BUFFER_CALLBACK", False)
    for name, init in cases:
        for dtype in (jnp.float32, jnp.bfloat16):
            single, batched = expected[name, dtype]
            jitted = jax.jit(lambda k: init(k, (3,) + shape, dtype))(key)
            vmapped = jax.jit(jax.vmap(lambda k: init(k, (3,) + shape, dtype)))(keys)
            assert jitted.dtype == dtype
            np.testing.assert_array_equal(np.asarray(jitted), single, err_msg=name)
            np.testing.assert_array_equal(np.asarray(vmapped), batched, err_msg=name)


def test_nested_vmap_and_raw_keys():
    keys = jax.random.split(jax.random.PRNGKey(8), 6).reshape(2, 3, 2)
    init = fij.glorot_uniform()
    nested = jax.jit(jax.vmap(jax.vmap(lambda k: init(k, (4, 5)))))(keys)
    assert nested.shape == (2, 3, 4, 5)
    for i in range(2):
        for j in range(3):
            np.testing.assert_array_equal(np.asarray(nested[i, j]),
                                          np.asarray(init(keys[i, j], (4, 5))))


def test_vmap_over_something_else_keeps_one_key():
    key = jax.random.key(1)
    init = fij.normal(1.0)
    out = jax.vmap(lambda scale: init(key, (3,)) * scale)(jnp.arange(4.0))
    np.testing.assert_array_equal(np.asarray(out[2]), 2 * np.asarray(init(key, (3,))))


def test_out_sharding_places_the_result():
    mesh = jax.sharding.Mesh(np.array(jax.devices()[:1]), ("x",))
    sharding = jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("x"))
    key = jax.random.key(0)
    eager = fij.he_normal()(key, (4, 4), out_sharding=sharding)
    jitted = jax.jit(lambda k: fij.he_normal()(k, (4, 4), out_sharding=sharding))(key)
    assert eager.sharding.is_equivalent_to(sharding, 2)
    assert jitted.sharding.is_equivalent_to(sharding, 2)
    np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))


# ---------------------------------------------------------------------------
# scales and fans, exactly


AXIS_CASES = [
    ((64, 32), {}),
    ((5, 16, 32), {}),                                     # conv1d kernel
    ((3, 3, 16, 32), {}),                                  # conv2d kernel
    ((3, 3, 3, 8, 16), {}),                                # conv3d kernel
    ((32, 16, 3, 3), {"in_axis": 1, "out_axis": 0}),       # torch-ordered kernel
    ((2, 3, 4, 5), {"in_axis": (0, 1), "out_axis": -1}),
    ((2, 3, 4, 5), {"in_axis": -2, "out_axis": (0, 3)}),
    ((6, 7, 8), {"batch_axis": 0}),
    ((4, 5, 6, 7), {"in_axis": 2, "out_axis": 3, "batch_axis": (0, 1)}),
    ((9,), {"in_axis": 0, "out_axis": ()}),
]


def _jax_base(key, shape, distribution):
    if distribution == "normal":
        return jax.random.normal(key, shape, jnp.float32)
    if distribution == "uniform":
        return jax.random.uniform(key, shape, jnp.float32, -1)
    return jax.random.truncated_normal(key, -2, 2, shape, jnp.float32)


def _our_base(key, shape, distribution):
    seed, stream = fij.key_seed_and_stream(key)
    if distribution == "normal":
        return fastinit.normal(shape, 0.0, 1.0, seed=seed, stream=stream)
    if distribution == "uniform":
        return fastinit.uniform(shape, -1.0, 1.0, seed=seed, stream=stream)
    return fastinit.truncated_normal(shape, 0.0, 1.0, -2.0, 2.0, seed=seed, stream=stream)


def _ratio(weights, base):
    weights, base = np.asarray(weights, np.float64), np.asarray(base, np.float64)
    usable = np.abs(base) > 1e-2
    assert usable.any()
    ratios = weights[usable] / base[usable]
    np.testing.assert_allclose(ratios, ratios.mean(), rtol=2e-6)
    return ratios.mean()


MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


def _jax_scales(shape, axes):
    """JAX's std or bound of every (mode, distribution), from one compiled function."""
    key = jax.random.key(21)

    def draw(key):
        weights = {(m, d): jax_init.variance_scaling(1.7, m, d, **axes)(key, shape)
                   for m in MODES for d in DISTRIBUTIONS}
        bases = {d: _jax_base(key, shape, d) for d in DISTRIBUTIONS}
        return weights, bases

    weights, bases = jax.jit(draw)(key)
    return key, {(m, d): _ratio(weights[m, d], bases[d]) for m in MODES for d in DISTRIBUTIONS}


def _jax_formula_scale(scale, mode, distribution, shape, axes):
    """JAX's std or bound by its own ``_compute_fans`` and variance_scaling's formula."""
    from jax._src.nn.initializers import _compute_fans
    fan_in, fan_out = _compute_fans(shape, **axes)
    denominator = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
                   "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]
    variance = scale / denominator
    return {"normal": math.sqrt(variance), "uniform": math.sqrt(3 * variance),
            "truncated_normal": math.sqrt(variance) / TRUNCATED_STD}[distribution]


def test_variance_scaling_scale_equals_jax_s_on_a_conv_kernel():
    shape, axes = AXIS_CASES[2]
    key, theirs = _jax_scales(shape, axes)
    bases = {d: _our_base(key, shape, d) for d in DISTRIBUTIONS}
    for (mode, distribution), scale in theirs.items():
        ours = _ratio(fij.variance_scaling(1.7, mode, distribution, **axes)(key, shape),
                      bases[distribution])
        assert ours == pytest.approx(scale, rel=3e-6), (mode, distribution)
        assert scale == pytest.approx(
            _jax_formula_scale(1.7, mode, distribution, shape, axes), rel=3e-6)


@pytest.mark.parametrize("shape, axes", AXIS_CASES)
def test_variance_scaling_fans_equal_jax_s(shape, axes):
    # JAX's scales from its own fan computation (the test above shows that
    # JAX's outputs follow it)
    key = jax.random.key(23)
    bases = {d: _our_base(key, shape, d) for d in DISTRIBUTIONS}
    for mode in MODES:
        for distribution in DISTRIBUTIONS:
            ours = _ratio(fij.variance_scaling(1.7, mode, distribution, **axes)(key, shape),
                          bases[distribution])
            expected = _jax_formula_scale(1.7, mode, distribution, shape, axes)
            assert ours == pytest.approx(expected, rel=3e-6), (mode, distribution)


NAMED = {"glorot_normal": (1.0, "fan_avg", "truncated_normal"),
         "glorot_uniform": (1.0, "fan_avg", "uniform"),
         "he_normal": (2.0, "fan_in", "truncated_normal"),
         "he_uniform": (2.0, "fan_in", "uniform"),
         "lecun_normal": (1.0, "fan_in", "truncated_normal"),
         "lecun_uniform": (1.0, "fan_in", "uniform")}
NAMED.update({"xavier_normal": NAMED["glorot_normal"], "xavier_uniform": NAMED["glorot_uniform"],
              "kaiming_normal": NAMED["he_normal"], "kaiming_uniform": NAMED["he_uniform"]})


def test_named_initializers_scale_and_family_equal_jax_s():
    shape, axes = AXIS_CASES[2]
    key = jax.random.key(22)
    weights, bases = jax.jit(lambda key: (
        {name: getattr(jax_init, name)(**axes)(key, shape) for name in NAMED},
        {d: _jax_base(key, shape, d) for d in ("uniform", "truncated_normal")}))(key)
    for name, (scale, mode, distribution) in NAMED.items():
        theirs = _ratio(weights[name], bases[distribution])
        ours = _ratio(getattr(fij, name)(**axes)(key, shape),
                      _our_base(key, shape, distribution))
        assert ours == pytest.approx(theirs, rel=3e-6), name
        assert theirs == pytest.approx(
            _jax_formula_scale(scale, mode, distribution, shape, axes), rel=3e-6), name


@pytest.mark.parametrize("shape, axes", [AXIS_CASES[i] for i in (0, 4, 7, 8)])
def test_named_initializers_follow_the_axes(shape, axes):
    key = jax.random.key(24)
    for name, (scale, mode, distribution) in NAMED.items():
        ours = _ratio(getattr(fij, name)(**axes)(key, shape),
                      _our_base(key, shape, distribution))
        expected = _jax_formula_scale(scale, mode, distribution, shape, axes)
        assert ours == pytest.approx(expected, rel=3e-6), name


# ---------------------------------------------------------------------------
# distributions, statistically


def _phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def _cdf(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _truncated_moments(lower, upper):
    """Mean and variance of a standard normal truncated to (lower, upper)."""
    mass = _cdf(upper) - _cdf(lower)
    mean = (_phi(lower) - _phi(upper)) / mass
    variance = 1 + (lower * _phi(lower) - upper * _phi(upper)) / mass - mean**2
    return mean, variance


def _check_moments(sample, mean, variance, label):
    sample = np.asarray(sample, np.float64).ravel()
    n = sample.size
    std = math.sqrt(variance)
    assert abs(sample.mean() - mean) <= Z * std / math.sqrt(n), label
    # Var of the sample variance is (kurtosis - 1) sigma^4 / n, kurtosis <= 3 here
    assert abs(sample.var() - variance) <= Z * variance * math.sqrt(2 / n), label


# (name, factory arguments, expected mean, variance, support (low, high) or None)
def _distribution_cases():
    tn_mean, tn_var = _truncated_moments(-1.0, 3.0)
    fan_in, fan_out = N_SHAPE
    return [
        ("normal", (0.3,), 0.0, 0.09, None),
        ("uniform", (0.5,), 0.25, 0.25 / 12, (0.0, 0.5)),
        ("truncated_normal", (0.3,), 0.0, 0.09 * TRUNCATED_STD**2, (-0.6, 0.6)),
        ("truncated_normal", (0.3, None, -1.0, 3.0), 0.3 * tn_mean, 0.09 * tn_var, (-0.3, 0.9)),
        ("he_normal", (), 0.0, 2 / fan_in, (-2 * math.sqrt(2 / fan_in) / TRUNCATED_STD,
                                            2 * math.sqrt(2 / fan_in) / TRUNCATED_STD)),
        ("glorot_uniform", (), 0.0, 2 / (fan_in + fan_out),
         (-math.sqrt(6 / (fan_in + fan_out)), math.sqrt(6 / (fan_in + fan_out)))),
        ("lecun_normal", (), 0.0, 1 / fan_in, (-2 / math.sqrt(fan_in) / TRUNCATED_STD,
                                               2 / math.sqrt(fan_in) / TRUNCATED_STD)),
    ]


@pytest.mark.parametrize("name, arguments, mean, variance, support", _distribution_cases())
def test_distribution_matches_jax_s(name, arguments, mean, variance, support):
    key = jax.random.key(31)
    samples = {"jax": getattr(jax_init, name)(*arguments)(key, N_SHAPE),
               "fastinit": getattr(fij, name)(*arguments)(key, N_SHAPE)}
    for label, sample in samples.items():
        sample = np.asarray(sample, np.float64)
        _check_moments(sample, mean, variance, label)
        if support is None:
            # an untruncated normal of n = 2**16 goes past 4 std (P(not) ~ e^-4)
            # ... and past 3 std with certainty for practical purposes: P(not) ~ e^-177
            assert np.abs(sample).max() > 3 * math.sqrt(variance), label
        else:
            low, high = support
            tolerance = 1e-6 * max(abs(low), abs(high))
            assert sample.min() >= low - tolerance and sample.max() <= high + tolerance, label
            # both ends are reached: the last 1% of the range holds a share of
            # at least 1e-3 of the mass for every case here, so P(empty) < e^-65
            width = high - low
            assert sample.min() < low + 0.01 * width and sample.max() > high - 0.01 * width, label


# ---------------------------------------------------------------------------
# orthogonal


@pytest.mark.parametrize("shape, column_axis", [((20, 30), -1), ((3, 3, 16, 8), 2)])
def test_orthogonal_columns_follow_column_axis_like_jax(shape, column_axis):
    key = jax.random.key(41)
    theirs = jax.jit(lambda k: jax_init.orthogonal(1.5, column_axis)(k, shape))(key)
    for weights in (fij.orthogonal(1.5, column_axis)(key, shape), theirs):
        q = np.moveaxis(np.asarray(weights, np.float64), column_axis, -1)
        q = q.reshape(-1, q.shape[-1])
        gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(gram, 2.25 * np.eye(min(q.shape)), atol=2e-5)


def test_orthogonal_equals_the_numpy_api_with_moved_axis():
    key = jax.random.key(42)
    ours = np.asarray(fij.orthogonal(column_axis=0)(key, (5, 3, 4)))
    expected = np.moveaxis(fastinit.orthogonal((3, 4, 5), seed=42), -1, 0)
    np.testing.assert_array_equal(ours, expected)


@pytest.mark.parametrize("shape", [(3, 4, 4), (3, 3, 2, 2, 5)])
def test_delta_orthogonal_has_jax_s_structure(shape):
    key = jax.random.key(43)
    ours = np.asarray(fij.delta_orthogonal(2.0)(key, shape), np.float64)
    theirs = np.asarray(jax.jit(lambda k: jax_init.delta_orthogonal(2.0)(k, shape))(key),
                        np.float64)
    np.testing.assert_array_equal(ours != 0, theirs != 0)
    centre = tuple((k - 1) // 2 for k in shape[:-2])
    matrix = ours[centre]
    np.testing.assert_allclose(matrix @ matrix.T, 4 * np.eye(shape[-2]), atol=2e-5)
    np.testing.assert_array_equal(matrix,
                                  np.asarray(fij.orthogonal(2.0)(key, shape[-2:]), np.float64))


def test_empty_shapes():
    key = jax.random.key(0)
    assert fij.orthogonal()(key, (0, 3)).shape == (0, 3)
    assert fij.he_normal()(key, (0, 3)).shape == (0, 3)
    assert jax.jit(lambda k: fij.normal()(k, (4, 0)))(key).shape == (4, 0)


def test_constants_equal_jax_s():
    key = jax.random.key(0)
    for ours, theirs in [(fij.zeros, jax_init.zeros), (fij.ones, jax_init.ones),
                         (fij.constant(-7), jax_init.constant(-7)),
                         (fij.constant(jnp.arange(3.0)), jax_init.constant(jnp.arange(3.0)))]:
        for dtype in (None, jnp.int32, jnp.bfloat16):
            a, b = ours(key, (2, 3), dtype), theirs(key, (2, 3), dtype)
            assert a.dtype == b.dtype
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


# ---------------------------------------------------------------------------
# errors


def test_bad_factory_arguments():
    with pytest.raises(ValueError, match="mode"):
        fij.variance_scaling(1.0, "fan_sum", "normal")
    with pytest.raises(ValueError, match="distribution"):
        fij.variance_scaling(1.0, "fan_in", "gamma")
    with pytest.raises(ValueError, match="scale"):
        fij.variance_scaling(-1.0, "fan_in", "normal")
    with pytest.raises(ValueError, match="lower must be less than upper"):
        fij.truncated_normal(1.0, lower=2.0, upper=-2.0)
    with pytest.raises(TypeError, match="stddev"):
        fij.normal("wide")
    with pytest.raises(ValueError, match="finite"):
        fij.uniform(float("nan"))
    with pytest.raises(ValueError, match="floating"):
        fij.normal(1.0, dtype=jnp.int32)


def test_bad_keys():
    init = fij.normal()
    with pytest.raises(TypeError, match="PRNG key"):
        init(0, (2,))
    with pytest.raises(TypeError, match="PRNG key"):
        init(jnp.zeros(2, jnp.float32), (2,))
    with pytest.raises(ValueError, match="single PRNG key"):
        init(jax.random.split(jax.random.key(0), 2), (2,))
    with pytest.raises(ValueError, match="words"):
        init(jnp.zeros(3, jnp.uint32), (2,))


def test_bad_shapes_and_dtypes_fail_when_traced_not_in_the_callback():
    key = jax.random.key(0)
    for init, shape, error, match in [
        (fij.he_normal(), (5,), ValueError, "1-dimensional"),
        (fij.he_normal(in_axis=3), (4, 5), np.exceptions.AxisError, "in_axis"),
        (fij.orthogonal(), (5,), ValueError, "2D"),
        (fij.orthogonal(column_axis=2), (4, 5), np.exceptions.AxisError, "axis 2"),
        (fij.delta_orthogonal(), (4, 5), ValueError, "3D, 4D or 5D"),
        (fij.delta_orthogonal(), (3, 3, 8, 4), ValueError, "fan_in"),
        (fij.normal(), (2, -1), ValueError, "negative"),
        (fij.normal(), "abc", TypeError, "shape"),
    ]:
        with pytest.raises(error, match=match):
            init(key, shape)
        with pytest.raises(error, match=match):
            jax.jit(lambda k: init(k, shape))(key)
    with pytest.raises(ValueError, match="floating"):
        fij.normal()(key, (2,), jnp.complex64)
    with pytest.raises(ValueError, match="floating"):
        jax.jit(lambda k: fij.he_uniform()(k, (2, 2), jnp.int8))(key)


def test_import_without_jax_names_the_install_command(run_python):
    source = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'jax' or name.startswith('jax.'):\n"
        "            raise ImportError('no jax here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import fastinit\n"
        "try:\n"
        "    import fastinit.jax\n"
        "except ImportError as e:\n"
        "    print('ImportError:', e)\n"
    )
    result = run_python(source, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "pip install jax" in result.stdout


# ---------------------------------------------------------------------------
# Flax


def test_flax_linen_model_jit_init_equals_eager_init():
    nn = pytest.importorskip("flax.linen")

    class Model(nn.Module):
        @nn.compact
        def __call__(self, x):
            x = nn.Conv(8, (3, 3), kernel_init=fij.he_normal())(x)
            x = x.reshape(x.shape[0], -1)
            x = nn.Dense(64, kernel_init=fij.glorot_uniform())(x)
            x = nn.Dense(64, kernel_init=fij.lecun_normal(), param_dtype=jnp.bfloat16)(x)
            return nn.Dense(10, kernel_init=fij.orthogonal(),
                            bias_init=fij.constant(0.5))(x)

    model = Model()
    x = jnp.ones((2, 6, 6, 3))
    key = jax.random.key(0)
    eager = model.init(key, x)
    jitted = jax.jit(model.init)(key, x)
    leaves_eager, tree = jax.tree_util.tree_flatten(eager)
    leaves_jit, tree_jit = jax.tree_util.tree_flatten(jitted)
    assert tree == tree_jit
    for a, b in zip(leaves_eager, leaves_jit):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    params = eager["params"]
    assert params["Dense_1"]["kernel"].dtype == jnp.bfloat16
    np.testing.assert_array_equal(np.asarray(params["Dense_2"]["bias"]), np.full(10, 0.5))
    conv = np.asarray(params["Conv_0"]["kernel"], np.float64)
    assert conv.shape == (3, 3, 3, 8)
    # He normal of fan_in 27, truncated at 2 sigma': every |w| <= 2 sqrt(2/27) / 0.8796
    assert np.abs(conv).max() <= 2 * math.sqrt(2 / 27) / TRUNCATED_STD * (1 + 1e-6)
    d0, d1 = (np.asarray(params[k]["kernel"], np.float32) for k in ("Dense_0", "Dense_1"))
    assert not np.array_equal(d0[:64], d1)  # layers got different keys
    assert model.apply(eager, x).shape == (2, 10)


def test_flax_nnx_layers_use_their_keys():
    nnx = pytest.importorskip("flax.nnx")
    linear = nnx.Linear(3, 4, kernel_init=fij.lecun_normal(), rngs=nnx.Rngs(0))
    key = nnx.Rngs(0).params()
    np.testing.assert_array_equal(np.asarray(linear.kernel[...]),
                                  np.asarray(fij.lecun_normal()(key, (3, 4))))
    built_in_jit = nnx.jit(lambda: nnx.Linear(3, 4, kernel_init=fij.lecun_normal(),
                                              rngs=nnx.Rngs(0)))()
    np.testing.assert_array_equal(np.asarray(built_in_jit.kernel[...]),
                                  np.asarray(linear.kernel[...]))
    conv = nnx.Conv(3, 8, (3, 3), kernel_init=fij.he_uniform(), rngs=nnx.Rngs(1))
    kernel = np.asarray(conv.kernel[...], np.float64)
    assert kernel.shape == (3, 3, 3, 8)
    assert np.abs(kernel).max() <= math.sqrt(6 / 27) * (1 + 1e-6)
    assert conv(jnp.ones((1, 5, 5, 3))).shape == (1, 5, 5, 8)
