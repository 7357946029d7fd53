"""Parity of scales, gains, fans and structured inits with ``torch.nn.init``.

The std or bound torch uses is read off torch itself: an init with a seeded
``torch.Generator`` equals ``normal_(0, std)`` / ``uniform_(-b, b)`` with an
identically seeded generator exactly when ``std`` / ``b`` are torch's values,
so filling with fastinit's std or bound reproduces torch's tensor up to
float32 rounding.
"""

import math

import numpy as np
import pytest

import fastinit

torch = pytest.importorskip("torch")
init = torch.nn.init

Z = 6.0  # standard deviations of statistical tolerances (false failure ~2e-9)

TORCH_SHAPES = [(2, 3), (3, 2), (64, 128), (256, 17), (1, 1), (16, 8, 3), (32, 16, 3, 3),
                (8, 4, 5, 1), (6, 3, 2, 3, 4)]


def _generator(seed):
    return torch.Generator().manual_seed(seed)


def _keras_shape(torch_shape):
    """The same layer in the (*kernel, in, out) layout."""
    return tuple(torch_shape[2:]) + (torch_shape[1], torch_shape[0])


# --- gains and fans -------------------------------------------------------------------------

GAIN_CASES = [(name, None) for name in (
    "linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu")]
GAIN_CASES += [("leaky_relu", slope) for slope in (0, 0.01, 0.2, 1, -0.3, 3.5)]
GAIN_CASES += [("relu", 0.5), ("tanh", 2)]


@pytest.mark.parametrize("nonlinearity, param", GAIN_CASES)
def test_calculate_gain_matches(nonlinearity, param):
    assert fastinit.calculate_gain(nonlinearity, param) == init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("nonlinearity, param", [
    ("gelu", None), ("ReLU", None), ("", None), (None, None), ("leaky_relu", True),
    ("leaky_relu", "0.2"), ("leaky_relu", [0.2]),
])
def test_calculate_gain_errors_match(nonlinearity, param):
    with pytest.raises(ValueError) as theirs:
        init.calculate_gain(nonlinearity, param)
    with pytest.raises(ValueError) as ours:
        fastinit.calculate_gain(nonlinearity, param)
    # torch's wording, followed (for unknown names) by the list of known ones
    assert str(ours.value).split(";")[0] == str(theirs.value)
    if str(theirs.value).startswith("Unsupported nonlinearity"):
        assert "expected one of linear," in str(ours.value)


@pytest.mark.parametrize("shape", TORCH_SHAPES + [(5, 0), (0, 4, 3)])
def test_fans_match(shape):
    expected = init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert fastinit.fans(shape, layout="torch") == expected
    if min(shape) > 0:
        assert fastinit.fans(_keras_shape(shape)) == expected


@pytest.mark.parametrize("shape", [(), (5,)])
def test_fans_undefined_for_both(shape):
    with pytest.raises(ValueError):
        init._calculate_fan_in_and_fan_out(torch.empty(shape))
    with pytest.raises(ValueError):
        fastinit.fans(shape, layout="torch")


# --- std and bound, read off torch's own fills ---------------------------------------------


def _assert_same_fill(theirs, ours, bound=0.0):
    # uniform values low + (high - low) u cancel near 0, so their error is a few
    # float32 ulps of the bound rather than of the value
    np.testing.assert_allclose(theirs.numpy(), ours.numpy(), rtol=2e-6, atol=4 * bound * 2.0**-24)


@pytest.mark.parametrize("shape", TORCH_SHAPES)
@pytest.mark.parametrize("a, mode, nonlinearity", [
    (0, "fan_in", "leaky_relu"), (0.2, "fan_in", "leaky_relu"), (0, "fan_out", "relu"),
    (0, "fan_in", "tanh"), (0, "fan_out", "selu"), (0, "fan_in", "linear"),
    (-0.1, "fan_out", "leaky_relu"),
])
def test_kaiming_scale_matches(shape, a, mode, nonlinearity):
    kwargs = dict(a=a, mode=mode, nonlinearity=nonlinearity)
    normal = fastinit.describe("he_normal", shape, layout="torch", **kwargs)
    theirs = init.kaiming_normal_(torch.empty(shape), generator=_generator(1), **kwargs)
    ours = torch.empty(shape).normal_(0, normal["std"], generator=_generator(1))
    _assert_same_fill(theirs, ours)
    uniform = fastinit.describe("he_uniform", shape, layout="torch", **kwargs)
    theirs = init.kaiming_uniform_(torch.empty(shape), generator=_generator(2), **kwargs)
    ours = torch.empty(shape).uniform_(-uniform["bound"], uniform["bound"],
                                       generator=_generator(2))
    _assert_same_fill(theirs, ours, uniform["bound"])
    # the Keras layout of the same layer has the same scale
    assert fastinit.describe("he_normal", _keras_shape(shape), **kwargs)["std"] == normal["std"]


@pytest.mark.parametrize("shape", TORCH_SHAPES)
@pytest.mark.parametrize("gain", [1.0, 5 / 3, math.sqrt(2), 0.5])
def test_xavier_scale_matches(shape, gain):
    normal = fastinit.describe("xavier_normal", shape, gain=gain, layout="torch")
    theirs = init.xavier_normal_(torch.empty(shape), gain=gain, generator=_generator(3))
    ours = torch.empty(shape).normal_(0, normal["std"], generator=_generator(3))
    _assert_same_fill(theirs, ours)
    uniform = fastinit.describe("xavier_uniform", shape, gain=gain, layout="torch")
    theirs = init.xavier_uniform_(torch.empty(shape), gain=gain, generator=_generator(4))
    ours = torch.empty(shape).uniform_(-uniform["bound"], uniform["bound"],
                                       generator=_generator(4))
    _assert_same_fill(theirs, ours, uniform["bound"])


@pytest.mark.parametrize("name, torch_init, kwargs", [
    ("he_normal", init.kaiming_normal_, {"nonlinearity": "relu"}),
    ("xavier_uniform", init.xavier_uniform_, {"gain": 1.5}),
    ("he_uniform", init.kaiming_uniform_, {"a": math.sqrt(5)}),   # nn.Linear's default
])
def test_empirical_std_matches_torch(name, torch_init, kwargs):
    shape = (1024, 1024)
    n = shape[0] * shape[1]
    theirs = torch_init(torch.empty(shape), generator=_generator(5), **kwargs).numpy()
    ours = getattr(fastinit, name)(shape, seed=5, layout="torch", **kwargs)
    variance = fastinit.describe(name, shape, layout="torch", **kwargs)["variance"]
    kurtosis = 1.8 if name.endswith("uniform") else 3.0
    for sample in (theirs, ours):
        sample = sample.astype(np.float64)
        assert abs(sample.var() - variance) <= Z * variance * math.sqrt((kurtosis - 1) / n)


# --- truncated normal ----------------------------------------------------------------------


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.0, 0.02, -0.04, 0.04),
                                             (1.0, 0.5, 0.0, 3.0)])
def test_truncated_normal_same_distribution_as_trunc_normal_(mean, std, a, b):
    n = 1 << 20
    theirs = init.trunc_normal_(torch.empty(n, dtype=torch.float64), mean, std, a, b,
                                generator=_generator(6)).numpy()
    ours = fastinit.truncated_normal(n, mean, std, a, b, dtype=np.float64, seed=6)
    assert ours.min() >= a and ours.max() <= b
    # two-sample comparison of mean and variance: each estimate's standard error
    # is at most std / sqrt(n) and std^2 sqrt(2 / n) (truncation only shrinks them)
    assert abs(ours.mean() - theirs.mean()) <= Z * std * math.sqrt(2 / n)
    assert abs(ours.var() - theirs.var()) <= Z * std**2 * math.sqrt(2 * 2 / n)


# --- structured inits ---------------------------------------------------------------------------


@pytest.mark.parametrize("shape, groups", [
    ((4, 4, 3), 1), ((6, 4, 3, 3), 1), ((3, 6, 5, 4), 1), ((6, 2, 3, 3), 3),
    ((8, 3, 3, 3, 3), 2), ((2, 2, 1, 1), 2), ((4, 4, 2, 2), 1),
])
def test_dirac_matches(shape, groups):
    theirs = init.dirac_(torch.empty(shape), groups).numpy()
    np.testing.assert_array_equal(fastinit.dirac(shape, groups, layout="torch"), theirs)
    keras = fastinit.dirac(_keras_shape(shape), groups)
    np.testing.assert_array_equal(np.moveaxis(keras, (-1, -2), (0, 1)), theirs)


@pytest.mark.parametrize("shape", [(3, 3), (3, 5), (5, 3), (1, 4)])
def test_eye_matches(shape):
    np.testing.assert_array_equal(fastinit.eye(shape), init.eye_(torch.empty(shape)).numpy())


@pytest.mark.parametrize("shape", [(20, 40), (40, 20), (16, 8, 3, 3), (8, 16, 3, 3)])
def test_orthogonal_flattening_matches(shape):
    # torch flattens trailing axes into columns; so does layout="torch"
    theirs = init.orthogonal_(torch.empty(shape, dtype=torch.float64),
                              generator=_generator(7)).numpy().reshape(shape[0], -1)
    ours = fastinit.orthogonal(shape, seed=7, layout="torch",
                               dtype=np.float64).reshape(shape[0], -1)
    for q in (theirs, ours):
        gram = q @ q.T if q.shape[0] <= q.shape[1] else q.T @ q
        np.testing.assert_allclose(gram, np.eye(min(q.shape)), atol=1e-12)


@pytest.mark.parametrize("rows, cols, sparsity", [(10, 30, 0.1), (37, 20, 0.5), (8, 8, 0.99)])
def test_sparse_zero_count_matches(rows, cols, sparsity):
    theirs = init.sparse_(torch.empty(rows, cols), sparsity, std=0.01,
                          generator=_generator(8)).numpy()
    ours = fastinit.sparse((rows, cols), sparsity, std=0.01, seed=8)
    # a normal draw is exactly 0.0 with negligible probability; both zero the
    # same number of entries in every column
    np.testing.assert_array_equal((ours == 0).sum(axis=0), (theirs == 0).sum(axis=0))
