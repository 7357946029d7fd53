"""Checks of fastinit.keras run in a child process with one Keras backend.

Keras picks its backend once, at import, from KERAS_BACKEND, so
tests/test_keras_adapter.py runs this file once per backend:

    KERAS_BACKEND=torch python tests/keras_checks.py OUTDIR [CHECK ...]

with CHECK among same_bits, seed_semantics, errors, model, parity_scales,
parity_distributions and load=jax+torch (load the models that the processes
with those backends save, once they have).  Each check's outcome ("ok" or the
traceback), its time and the values it reports go to OUTDIR/<backend>.json;
``model`` also saves OUTDIR/model_<backend>.keras, its weights in
OUTDIR/weights_<backend>.npz, then writes OUTDIR/done_<backend>.
"""

import time

STARTED = time.perf_counter()

import hashlib  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
import traceback  # noqa: E402

import numpy as np  # noqa: E402

import keras  # noqa: E402

import fastinit  # noqa: E402
import fastinit.keras as fik  # noqa: E402

Z = 6.0  # standard errors of the statistical checks (false failure ~2e-9 each)
TRUNCATED_STD = 0.87962566103423978
BACKEND = keras.backend.backend()


def to_numpy(tensor):
    return np.asarray(keras.ops.convert_to_numpy(tensor))


def digest(array):
    array = np.ascontiguousarray(array)
    return hashlib.sha256(str(array.dtype).encode() + array.tobytes()).hexdigest()


def bfloat16():
    import ml_dtypes
    return np.dtype(ml_dtypes.bfloat16)


# The NumPy-API twin of each fastinit.keras initializer with seed 5, for a
# 2-D or conv shape (where Keras's fans and fastinit's default fans agree).
def numpy_twins():
    return {
        "HeNormal": lambda s, d: fastinit.variance_scaling(s, 2.0, "fan_in", "truncated_normal",
                                                           seed=5, dtype=d),
        "HeUniform": lambda s, d: fastinit.variance_scaling(s, 2.0, "fan_in", "uniform", seed=5,
                                                            dtype=d),
        "GlorotNormal": lambda s, d: fastinit.variance_scaling(s, 1.0, "fan_avg",
                                                               "truncated_normal", seed=5,
                                                               dtype=d),
        "GlorotUniform": lambda s, d: fastinit.variance_scaling(s, 1.0, "fan_avg", "uniform",
                                                                seed=5, dtype=d),
        "LecunNormal": lambda s, d: fastinit.variance_scaling(s, 1.0, "fan_in",
                                                              "truncated_normal", seed=5,
                                                              dtype=d),
        "LecunUniform": lambda s, d: fastinit.variance_scaling(s, 1.0, "fan_in", "uniform",
                                                               seed=5, dtype=d),
        "RandomNormal": lambda s, d: fastinit.normal(s, 0.0, 0.05, seed=5, dtype=d),
        "RandomUniform": lambda s, d: fastinit.uniform(s, -0.05, 0.05, seed=5, dtype=d),
        "TruncatedNormal": lambda s, d: fastinit.truncated_normal(s, 0.0, 0.05, seed=5, dtype=d),
        "Orthogonal": lambda s, d: fastinit.orthogonal(s, 1.0, seed=5, dtype=d),
    }


def check_same_bits(report):
    """Every random class equals its NumPy-API twin, bit for bit, in each float dtype."""
    hashes = {}
    for name, twin in numpy_twins().items():
        for shape in ((24, 16), (3, 3, 4, 8)):
            for dtype_name, dtype in (("float32", np.float32), ("float64", np.float64),
                                      ("float16", np.float16), ("bfloat16", bfloat16())):
                tensor = getattr(fik, name)(seed=5)(shape, dtype=dtype_name)
                assert keras.ops.is_tensor(tensor), type(tensor)
                assert keras.backend.standardize_dtype(tensor.dtype) == dtype_name or (
                    BACKEND == "jax" and dtype_name == "float64")
                if BACKEND == "jax" and dtype_name == "float64":
                    continue  # without jax_enable_x64, Keras's JAX tensors stop at float32
                values = to_numpy(tensor)
                expected = twin(shape, dtype)
                assert values.shape == shape
                np.testing.assert_array_equal(values.astype(np.float64),
                                              expected.astype(np.float64), err_msg=name)
                hashes[f"{name} {shape} {dtype_name}"] = digest(expected)
    # the constant ones, in a float and an integer dtype
    for name, initializer in (("Zeros", fik.Zeros()), ("Ones", fik.Ones()),
                              ("Constant", fik.Constant(-3)), ("Identity", fik.Identity(2.5))):
        for dtype_name in ("float32", "int32"):
            if name == "Identity" and dtype_name == "int32":
                continue
            values = to_numpy(initializer((4, 6), dtype=dtype_name))
            theirs = to_numpy(getattr(keras.initializers, name)(
                *((-3,) if name == "Constant" else (2.5,) if name == "Identity" else ()))(
                    (4, 6), dtype=dtype_name))
            assert values.dtype == theirs.dtype, (name, values.dtype, theirs.dtype)
            np.testing.assert_array_equal(values, theirs, err_msg=name)
    report["hashes"] = hashes


def build_model():
    inputs = keras.Input((6, 6, 3))
    x = keras.layers.Conv2D(4, 3, kernel_initializer=fik.GlorotUniform(seed=2),
                            bias_initializer=fik.Zeros())(inputs)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(16, activation="relu", kernel_initializer=fik.HeNormal(seed=1),
                           bias_initializer=fik.Constant(0.25))(x)
    x = keras.layers.Dense(16, kernel_initializer=fik.Identity(gain=0.5),
                           bias_initializer=fik.Ones())(x)
    x = keras.layers.Dense(8, kernel_initializer=fik.Orthogonal(gain=2.0, seed=3))(x)
    x = keras.layers.Dense(8, kernel_initializer=fik.VarianceScaling(
        0.5, "fan_avg", "untruncated_normal", seed=4))(x)
    x = keras.layers.Dense(8, kernel_initializer=fik.LecunUniform())(x)
    x = keras.layers.Dense(8, kernel_initializer=fik.RandomNormal(0.1, 0.2, seed=6))(x)
    x = keras.layers.Dense(8, kernel_initializer=fik.RandomUniform(-0.3, 0.1, seed=7))(x)
    x = keras.layers.Dense(2, kernel_initializer=fik.TruncatedNormal(0.0, 0.1, seed=8))(x)
    return keras.Model(inputs, x)


def check_model(report, outdir):
    """A functional model built, run, saved and loaded back with fastinit initializers."""
    model = build_model()
    for layer in model.layers:
        if not hasattr(layer, "kernel"):
            continue
        kernel = to_numpy(layer.kernel)
        initializer = layer.kernel_initializer
        assert type(initializer).__module__ == "fastinit.keras", type(initializer)
        # seeded or not (seed=None is drawn once), the initializer gives the kernel again
        np.testing.assert_array_equal(kernel, to_numpy(initializer(kernel.shape)),
                                      err_msg=layer.name)
    dense = model.get_layer(index=3)
    np.testing.assert_array_equal(to_numpy(dense.bias), np.full(16, 0.25, np.float32))
    np.testing.assert_array_equal(to_numpy(model.layers[4].kernel), 0.5 * np.eye(16))
    x = np.linspace(-1, 1, 2 * 6 * 6 * 3, dtype=np.float32).reshape(2, 6, 6, 3)
    y = np.asarray(model.predict(x, verbose=0))
    assert y.shape == (2, 2) and np.isfinite(y).all()
    path = os.path.join(outdir, f"model_{BACKEND}.keras")
    model.save(path)
    weights = [np.asarray(w) for w in model.get_weights()]
    np.savez(os.path.join(outdir, f"weights_{BACKEND}.npz"), *weights)
    loaded = keras.models.load_model(path)
    for a, b in zip(weights, loaded.get_weights()):
        np.testing.assert_array_equal(a, np.asarray(b))
    np.testing.assert_allclose(np.asarray(loaded.predict(x, verbose=0)), y, rtol=1e-6)
    configs = []
    for original, restored in zip(model.layers, loaded.layers):
        if hasattr(original, "kernel_initializer"):
            assert type(restored.kernel_initializer) is type(original.kernel_initializer)
            assert restored.kernel_initializer.get_config() == \
                original.kernel_initializer.get_config()
            configs.append(keras.saving.serialize_keras_object(original.kernel_initializer))
    report["x"] = x.tolist()
    report["y"] = y.tolist()
    report["registered_names"] = sorted({c["registered_name"] for c in configs})


def check_seed_semantics(report):
    """Keras's seed semantics, side by side with Keras's own initializers."""
    shape = (8, 8)
    for ours_class, theirs_class in ((fik.HeNormal, keras.initializers.HeNormal),
                                     (fik.RandomUniform, keras.initializers.RandomUniform)):
        for seed in (11, None):
            for cls in (ours_class, theirs_class):
                initializer = cls(seed=seed)
                first, second = to_numpy(initializer(shape)), to_numpy(initializer(shape))
                # an int seed, and seed=None drawn once when built: the same every call
                np.testing.assert_array_equal(first, second, err_msg=f"{cls} {seed}")
                assert initializer.get_config()["seed"] == seed
        # two unseeded initializers draw different seeds
        assert not np.array_equal(to_numpy(ours_class()(shape)), to_numpy(ours_class()(shape)))
        # the same int seed in two instances gives the same values
        np.testing.assert_array_equal(to_numpy(ours_class(seed=3)(shape)),
                                      to_numpy(ours_class(seed=3)(shape)))
        # clone() of an unseeded one draws a new seed, as Keras's does
        unseeded = ours_class()
        assert not np.array_equal(to_numpy(unseeded(shape)), to_numpy(unseeded.clone()(shape)))
        # keras.utils.set_random_seed makes unseeded initializers reproducible
        keras.utils.set_random_seed(123)
        first = to_numpy(ours_class()(shape))
        keras.utils.set_random_seed(123)
        np.testing.assert_array_equal(first, to_numpy(ours_class()(shape)))
        # a SeedGenerator gives new values on every call, reproducibly
        generated = ours_class(seed=keras.random.SeedGenerator(9))
        a, b = to_numpy(generated(shape)), to_numpy(generated(shape))
        assert not np.array_equal(a, b)
        again = ours_class(seed=keras.random.SeedGenerator(9))
        np.testing.assert_array_equal(a, to_numpy(again(shape)))
        np.testing.assert_array_equal(b, to_numpy(again(shape)))


def expect_error(error, function):
    try:
        function()
    except error:
        return
    except Exception as other:  # noqa: BLE001
        raise AssertionError(f"expected {error.__name__}, got {type(other).__name__}: {other}")
    raise AssertionError(f"expected {error.__name__}, nothing raised")


def check_errors(report):
    """Bad arguments raise what Keras raises for them (and fastinit's own for the rest)."""
    for module in (fik, keras.initializers):
        expect_error(ValueError, lambda: module.HeNormal(seed="seven"))
        expect_error(ValueError, lambda: module.HeNormal(seed=1.5))
        expect_error(ValueError, lambda: module.VarianceScaling(scale=0.0))
        expect_error(ValueError, lambda: module.VarianceScaling(mode="fan_geo_avg"))
        expect_error(ValueError, lambda: module.VarianceScaling(distribution="gamma"))
        expect_error(ValueError, lambda: module.Identity()((2, 3, 4)))
        expect_error(ValueError, lambda: module.Orthogonal(seed=1)((5,)))
    # "normal" is read as "truncated_normal", as in Keras
    assert fik.VarianceScaling(distribution="Normal").distribution == "truncated_normal"
    expect_error(ValueError, lambda: fik.HeNormal(seed=-1))
    expect_error(ValueError, lambda: fik.HeNormal(seed=2**64))
    expect_error(ValueError, lambda: fik.HeNormal(seed=1)((3, 3), dtype="int32"))
    expect_error(ValueError, lambda: fik.RandomNormal(stddev=-1.0))
    expect_error(ValueError, lambda: fik.RandomUniform(minval=1.0, maxval=0.0))
    expect_error(TypeError, lambda: fik.RandomNormal(mean="zero"))


# ---------------------------------------------------------------------------
# parity with keras.initializers (backend-independent: run with one backend)


def check_signatures(report):
    """Every class takes Keras's constructor arguments, in Keras's order, with its defaults."""
    import inspect
    for name in fik.__all__:
        if name == "keras_fans":
            continue
        ours, theirs = getattr(fik, name), getattr(keras.initializers, name)
        assert issubclass(ours, keras.initializers.Initializer), name
        assert [(p.name, p.kind, p.default)
                for p in inspect.signature(ours.__init__).parameters.values()] == [
            (p.name, p.kind, p.default)
            for p in inspect.signature(theirs.__init__).parameters.values()], name
        assert list(inspect.signature(ours.__call__).parameters) == ["self", "shape", "dtype"]
        # get_config has Keras's keys, and from_config rebuilds an equal initializer
        instance_kwargs = {"seed": 3} if "seed" in inspect.signature(ours).parameters else {}
        config = ours(**instance_kwargs).get_config()
        their_keys = set(theirs(**instance_kwargs).get_config())
        if name == "Identity":
            # Keras 3.15's Identity has no get_config (gain is lost); ours keeps gain
            assert their_keys <= set(config) == {"gain"}, name
        else:
            assert set(config) == their_keys, name
        assert ours.from_config(config).get_config() == config, name


def standard_draws(seed, shape, distribution):
    """Keras's and fastinit's standard draw that each initializer scales."""
    if distribution == "uniform":
        return (to_numpy(keras.random.uniform(shape, -1.0, 1.0, seed=seed)),
                fastinit.uniform(shape, -1.0, 1.0, seed=seed))
    if distribution == "untruncated_normal":
        return (to_numpy(keras.random.normal(shape, seed=seed)),
                fastinit.normal(shape, seed=seed))
    return (to_numpy(keras.random.truncated_normal(shape, seed=seed)),
            fastinit.truncated_normal(shape, 0.0, 1.0, -2.0, 2.0, seed=seed))


def ratio(weights, base):
    weights, base = np.asarray(weights, np.float64), np.asarray(base, np.float64)
    usable = np.abs(base) > 1e-2
    assert usable.any()
    ratios = weights.reshape(base.shape)[usable] / base[usable]
    np.testing.assert_allclose(ratios, ratios.mean(), rtol=2e-6)
    return ratios.mean()


def check_parity_scales(report):
    """Each variance-scaling initializer's std or bound equals Keras's, for Keras's fans."""
    from keras.src.initializers.random_initializers import compute_fans
    shapes = [((), None, None), ((7,), None, None), ((40, 30), None, None),
              ((5, 16, 32), None, None), ((3, 3, 16, 32), None, None),
              ((4, 5, 6), [0, 1], [2]), ((4, 5, 6), [2], [0])]
    for shape, input_axes, output_axes in shapes:
        assert fik.keras_fans(shape, input_axes, output_axes) == compute_fans(
            shape, input_axes, output_axes), shape
        for mode in ("fan_in", "fan_out", "fan_avg"):
            for distribution in ("truncated_normal", "untruncated_normal", "uniform", "normal"):
                keras_distribution = ("truncated_normal" if distribution == "normal"
                                      else distribution)
                kwargs = dict(scale=1.7, mode=mode, distribution=distribution, seed=13,
                              input_axes=input_axes, output_axes=output_axes)
                theirs_base, ours_base = standard_draws(13, shape, keras_distribution)
                theirs = ratio(to_numpy(keras.initializers.VarianceScaling(**kwargs)(shape)),
                               theirs_base)
                ours = ratio(to_numpy(fik.VarianceScaling(**kwargs)(shape)), ours_base)
                assert math.isclose(ours, theirs, rel_tol=3e-6), (shape, mode, distribution,
                                                                  ours, theirs)
    for name, distribution in (("HeNormal", "truncated_normal"), ("HeUniform", "uniform"),
                               ("GlorotNormal", "truncated_normal"),
                               ("GlorotUniform", "uniform"),
                               ("LecunNormal", "truncated_normal"), ("LecunUniform", "uniform")):
        for shape, axes in (((3, 3, 16, 32), {}),
                            ((4, 5, 6), {"input_axes": [0, 1], "output_axes": [2]})):
            theirs_base, ours_base = standard_draws(14, shape, distribution)
            theirs = ratio(to_numpy(getattr(keras.initializers, name)(seed=14, **axes)(shape)),
                           theirs_base)
            ours = ratio(to_numpy(getattr(fik, name)(seed=14, **axes)(shape)), ours_base)
            assert math.isclose(ours, theirs, rel_tol=3e-6), (name, shape, ours, theirs)


def check_parity_distributions(report):
    """Moments and support of every random class, Keras's and fastinit's, at n = 2**16."""
    shape = (256, 256)
    n = 256 * 256
    fan = 256
    he_bound = 2 * math.sqrt(2 / fan) / TRUNCATED_STD
    cases = [
        # (class name, arguments, mean, variance, support or None)
        ("RandomNormal", dict(mean=0.5, stddev=0.2), 0.5, 0.04, None),
        ("RandomUniform", dict(minval=-0.2, maxval=0.6), 0.2, 0.64 / 12, (-0.2, 0.6)),
        ("TruncatedNormal", dict(mean=0.1, stddev=0.3), 0.1, (0.3 * TRUNCATED_STD) ** 2,
         (0.1 - 0.6, 0.1 + 0.6)),
        ("HeNormal", {}, 0.0, 2 / fan, (-he_bound, he_bound)),
        ("GlorotUniform", {}, 0.0, 2 / (2 * fan), (-math.sqrt(3 / fan), math.sqrt(3 / fan))),
        ("VarianceScaling", dict(scale=3.0, distribution="untruncated_normal"), 0.0, 3 / fan,
         None),
        ("Orthogonal", dict(gain=2.0), 0.0, 4 / fan, None),
    ]
    for name, arguments, mean, variance, support in cases:
        for module in (keras.initializers, fik):
            sample = to_numpy(getattr(module, name)(seed=21, **arguments)(shape))
            sample = sample.astype(np.float64).ravel()
            label = f"{module.__name__}.{name}"
            std = math.sqrt(variance)
            if name == "Orthogonal":
                # rows of norm gain exactly: the mean square is gain^2 / fan
                assert math.isclose(np.mean(sample**2), variance, rel_tol=1e-5), label
                continue
            assert abs(sample.mean() - mean) <= Z * std / math.sqrt(n), label
            assert abs(sample.var() - variance) <= Z * variance * math.sqrt(2 / n), label
            if support is None:
                # untruncated: P(no |x - mean| > 3 std among 2**16) ~ e^-177
                assert np.abs(sample - mean).max() > 3 * std, label
            else:
                low, high = support
                slack = 1e-6 * max(abs(low), abs(high))
                assert low - slack <= sample.min() and sample.max() <= high + slack, label
                # the outer 1% of the range holds >= 1e-3 of the mass: P(empty) < e^-65
                width = high - low
                assert sample.min() < low + 0.01 * width, label
                assert sample.max() > high - 0.01 * width, label


def check_load(report, outdir, backends, timeout=900):
    """Models saved by other processes (other backends) load here.

    Each saving process writes ``done_<backend>`` after its model; this waits
    for them (they run at the same time as this one).
    """
    deadline = time.monotonic() + timeout
    waiting = list(backends)
    while waiting:
        waiting = [b for b in waiting if not os.path.exists(os.path.join(outdir, f"done_{b}"))]
        if waiting and time.monotonic() > deadline:
            raise TimeoutError(f"no saved model from {waiting} after {timeout} s")
        time.sleep(0.2)
    saved = [b for b in backends
             if open(os.path.join(outdir, f"done_{b}")).read().strip() == "saved"]
    report["saved_by"] = saved
    loaded_names = []
    for backend in saved:
        model = keras.models.load_model(os.path.join(outdir, f"model_{backend}.keras"))
        saved = np.load(os.path.join(outdir, f"weights_{backend}.npz"))
        weights = [saved[f"arr_{i}"] for i in range(len(saved.files))]
        for a, b in zip(weights, model.get_weights()):
            np.testing.assert_array_equal(a, np.asarray(b))
        for layer in model.layers:
            if hasattr(layer, "kernel_initializer"):
                assert type(layer.kernel_initializer).__module__ == "fastinit.keras"
                loaded_names.append(type(layer.kernel_initializer).__name__)
    report["loaded"] = sorted(set(loaded_names))


CHECKS = {
    "signatures": check_signatures,
    "same_bits": check_same_bits,
    "seed_semantics": check_seed_semantics,
    "errors": check_errors,
    "parity_scales": check_parity_scales,
    "parity_distributions": check_parity_distributions,
}


def main():
    outdir = sys.argv[1]
    report = {"backend": BACKEND, "keras": keras.__version__, "outcomes": {}}
    names = {}
    for name in sys.argv[2:] or list(CHECKS) + ["model"]:
        if name == "model":
            names[name] = lambda r: check_model(r, outdir)
        elif name.startswith("load="):
            others = [b for b in name[len("load="):].split("+") if b]
            names["load"] = lambda r, others=others: check_load(r, outdir, others)
        else:
            names[name] = CHECKS[name]
    target = os.path.join(outdir, f"{BACKEND}.json")
    report["seconds"] = {"import": time.perf_counter() - STARTED}
    for name, check in names.items():
        started = time.perf_counter()
        try:
            check(report)
            report["outcomes"][name] = "ok"
        except Exception:  # noqa: BLE001 - reported to the parent test
            report["outcomes"][name] = traceback.format_exc()
        report["seconds"][name] = time.perf_counter() - started
    with open(target, "w") as handle:
        json.dump(report, handle)
    if "model" in names:
        with open(os.path.join(outdir, f"done_{BACKEND}"), "w") as handle:
            handle.write("saved" if report["outcomes"]["model"] == "ok" else "failed")


if __name__ == "__main__":
    main()
