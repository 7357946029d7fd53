"""Scale math: fans, gains, the variance-scaling core, describe and recommend."""

import math

import pytest

import fastinit
from numpy.exceptions import AxisError

from fastinit import (
    TRUNCATED_NORMAL_STD,
    Recommendation,
    calculate_gain,
    describe,
    fans,
    recommend,
    variance_scaling_parameters,
)


def _phi(x):
    return math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _Phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


# --- fans ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((3, 2), (3, 2)),
        ((784, 10), (784, 10)),
        ((1, 1), (1, 1)),
        ((5, 16, 32), (80, 160)),                # Conv1D (k, in, out)
        ((3, 5, 16, 32), (240, 480)),            # Conv2D (kh, kw, in, out)
        ((2, 3, 4, 8, 6), (8 * 24, 6 * 24)),     # Conv3D
    ],
)
def test_fans_keras_layout(shape, expected):
    assert fans(shape) == expected
    assert fans(shape).fan_in == expected[0]
    assert fans(shape).fan_out == expected[1]


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((2, 3), (3, 2)),                        # nn.Linear(3, 2).weight
        ((32, 16, 5), (80, 160)),                # Conv1d
        ((32, 16, 3, 5), (240, 480)),            # Conv2d
        ((6, 8, 2, 3, 4), (8 * 24, 6 * 24)),     # Conv3d
    ],
)
def test_fans_torch_layout(shape, expected):
    assert fans(shape, layout="torch") == expected


@pytest.mark.parametrize("kernel", [(), (3,), (3, 5), (2, 3, 4), (1, 1, 1, 7)])
@pytest.mark.parametrize("n_in, n_out", [(1, 1), (3, 2), (16, 64)])
def test_layouts_agree_on_the_same_layer(kernel, n_in, n_out):
    keras_shape = kernel + (n_in, n_out)
    torch_shape = (n_out, n_in) + kernel
    assert fans(keras_shape) == fans(torch_shape, layout="torch")
    receptive = math.prod(kernel)
    assert fans(keras_shape) == (n_in * receptive, n_out * receptive)


def test_fans_axes_move_inputs_and_outputs():
    shape = (2, 3, 4, 5)
    assert fans(shape, in_axis=0, out_axis=1) == (2 * 20, 3 * 20)
    assert fans(shape, in_axis=-4, out_axis=-3) == fans(shape, in_axis=0, out_axis=1)
    assert fans(shape, in_axis=(0, 1), out_axis=-1) == (6 * 4, 5 * 4)
    assert fans(shape, in_axis=[2], out_axis=(0, 3)) == (4 * 3, 10 * 3)
    # batch axes are ignored entirely: not part of the receptive field
    assert fans(shape, batch_axis=0) == (4 * 3, 5 * 3)
    assert fans(shape, batch_axis=(0, 1)) == (4, 5)
    assert fans((7, 3, 2), batch_axis=0) == fans((3, 2))


def test_fans_empty_axis_sequence_counts_as_size_one():
    assert fans((5,), in_axis=0, out_axis=()) == (5, 1)
    assert fans((4, 6), in_axis=(), out_axis=-1) == (4, 24)


def test_fan_overrides():
    assert fans((3, 2), fan_in=10) == (10, 2)
    assert fans((3, 2), fan_out=7) == (3, 7)
    assert fans((3, 2), fan_in=2.5, fan_out=7) == (2.5, 7)
    # both overrides make any shape acceptable
    assert fans((), fan_in=3, fan_out=4) == (3, 4)
    assert fans((9,), fan_in=3, fan_out=4) == (3, 4)


def test_fans_of_zero_size_shapes_are_products():
    assert fans((0, 5)) == (0, 5)
    assert fans((3, 0, 4, 2)) == (0, 0)
    assert fans((0, 4, 3), layout="torch") == (12, 0)


@pytest.mark.parametrize("shape", [(), (5,), 5, (0,)])
def test_fans_undefined_below_two_dimensions(shape):
    with pytest.raises(ValueError, match="undefined"):
        fans(shape)
    with pytest.raises(ValueError, match="undefined"):
        fans(shape, layout="torch")
    with pytest.raises(ValueError, match="undefined"):
        fans(shape, fan_in=3)


def test_fans_errors():
    with pytest.raises(ValueError, match="distinct"):
        fans((5,), in_axis=0)                    # out_axis=-1 is the same axis
    with pytest.raises(ValueError, match="distinct"):
        fans((3, 4, 5), in_axis=0, out_axis=1, batch_axis=-3)
    with pytest.raises(AxisError):
        fans((3, 4), in_axis=2)
    with pytest.raises(AxisError):
        fans((3, 4), out_axis=-3)
    with pytest.raises(ValueError, match="keras"):
        fans((3, 4), layout="torch", in_axis=0)
    with pytest.raises(ValueError, match="layout"):
        fans((3, 4), layout="pytorch")
    with pytest.raises(TypeError):
        fans((3, 4), layout=1)
    with pytest.raises(TypeError):
        fans((3, 4), in_axis=1.0)
    with pytest.raises(TypeError):
        fans((3, 4), in_axis=True)
    with pytest.raises(TypeError):
        fans((3.0, 4))
    with pytest.raises(TypeError):
        fans("34")
    with pytest.raises(ValueError, match="negative"):
        fans((3, -4))
    with pytest.raises(ValueError, match="positive"):
        fans((3, 4), fan_in=0)
    with pytest.raises(ValueError, match="positive"):
        fans((3, 4), fan_out=float("inf"))
    with pytest.raises(TypeError):
        fans((3, 4), fan_in="3")
    with pytest.raises(TypeError):
        fans((3, 4), fan_in=True)


# --- gains ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid"])
def test_gain_of_linear_like_functions_is_one(name):
    assert calculate_gain(name) == 1
    assert calculate_gain(name, 0.3) == 1


def test_gain_table():
    assert calculate_gain("tanh") == pytest.approx(5 / 3, rel=1e-15)
    assert calculate_gain("relu") == pytest.approx(2**0.5, rel=1e-15)
    assert calculate_gain("selu") == 0.75
    assert calculate_gain("leaky_relu") == pytest.approx((2 / (1 + 0.01**2)) ** 0.5, rel=1e-15)
    assert calculate_gain("leaky_relu", 0) == pytest.approx(2**0.5, rel=1e-15)
    assert calculate_gain("leaky_relu", 0.2) == pytest.approx((2 / 1.04) ** 0.5, rel=1e-15)
    assert calculate_gain("leaky_relu", 1) == pytest.approx(1.0, rel=1e-15)
    assert calculate_gain("leaky_relu", -0.5) == pytest.approx((2 / 1.25) ** 0.5, rel=1e-15)


def test_gain_errors_match_pytorch_wording():
    with pytest.raises(ValueError, match="^Unsupported nonlinearity gelu; expected one of linear, .*selu$"):
        calculate_gain("gelu")
    with pytest.raises(ValueError, match="^Unsupported nonlinearity None; expected one of "):
        calculate_gain(None)
    with pytest.raises(ValueError, match="^negative_slope True not a valid number$"):
        calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="^negative_slope 0.1 not a valid number$"):
        calculate_gain("leaky_relu", "0.1")


# --- the variance-scaling core -------------------------------------------------------


def test_truncated_normal_constant_is_the_std_of_the_truncated_normal():
    # Var of N(0,1) truncated to (-a, a) is 1 - 2 a phi(a) / (2 Phi(a) - 1).
    variance = 1 - 2 * 2 * _phi(2) / (2 * _Phi(2) - 1)
    assert TRUNCATED_NORMAL_STD == pytest.approx(math.sqrt(variance), rel=1e-14)


@pytest.mark.parametrize(
    "mode, n", [("fan_in", 30), ("fan_out", 50), ("fan_avg", 40), ("fan_geo_avg", 1500**0.5)])
@pytest.mark.parametrize("scale", [0.5, 1.0, 2.0, 25 / 9])
def test_variance_scaling_formulas(mode, n, scale):
    variance = scale / n
    normal = variance_scaling_parameters(scale, mode, "normal", 30, 50)
    assert normal.variance == pytest.approx(variance, rel=1e-14)
    assert normal.std == pytest.approx(variance**0.5, rel=1e-14)
    assert normal.normal_std == normal.std
    assert normal.bound is None
    uniform = variance_scaling_parameters(scale, mode, "uniform", 30, 50)
    assert uniform.variance == pytest.approx(variance, rel=1e-14)
    # U(-b, b) has variance b^2 / 3
    assert uniform.bound**2 / 3 == pytest.approx(variance, rel=1e-14)
    assert uniform.normal_std is None
    truncated = variance_scaling_parameters(scale, mode, "truncated_normal", 30, 50)
    assert truncated.std == pytest.approx(variance**0.5, rel=1e-14)
    assert truncated.normal_std * TRUNCATED_NORMAL_STD == pytest.approx(variance**0.5, rel=1e-14)
    assert truncated.bound is None


def test_worked_example_three_inputs_two_outputs():
    # Var = 2 / (3 + 2), 2 / 3 and 1 / 3.
    assert describe("xavier_normal", (3, 2))["variance"] == pytest.approx(2 / 5, rel=1e-15)
    assert describe("xavier_uniform", (3, 2))["variance"] == pytest.approx(2 / 5, rel=1e-15)
    assert describe("he_normal", (3, 2))["variance"] == pytest.approx(2 / 3, rel=1e-15)
    assert describe("he_uniform", (3, 2))["variance"] == pytest.approx(2 / 3, rel=1e-15)
    assert describe("lecun_normal", (3, 2))["variance"] == pytest.approx(1 / 3, rel=1e-15)
    assert describe("lecun_uniform", (3, 2))["variance"] == pytest.approx(1 / 3, rel=1e-15)
    assert describe("xavier_uniform", (3, 2))["bound"] == pytest.approx((6 / 5) ** 0.5)
    assert describe("he_uniform", (3, 2))["bound"] == pytest.approx((6 / 3) ** 0.5)
    assert describe("lecun_uniform", (3, 2))["bound"] == pytest.approx((3 / 3) ** 0.5)
    # the same layer in PyTorch's layout
    assert describe("he_normal", (2, 3), layout="torch")["variance"] == pytest.approx(2 / 3)


def test_the_halved_tutorial_xavier_is_scale_one_half():
    halved = variance_scaling_parameters(0.5, "fan_avg", "normal", 3, 2)
    assert halved.variance == pytest.approx(1 / 5, rel=1e-15)
    assert describe("variance_scaling", (3, 2), scale=0.5, mode="fan_avg",
                    distribution="normal")["variance"] == pytest.approx(1 / 5, rel=1e-15)


def test_variance_scaling_parameters_errors():
    with pytest.raises(ValueError, match="scale"):
        variance_scaling_parameters(-1.0, "fan_in", "normal", 3, 2)
    with pytest.raises(ValueError, match="finite"):
        variance_scaling_parameters(float("nan"), "fan_in", "normal", 3, 2)
    with pytest.raises(TypeError):
        variance_scaling_parameters("1", "fan_in", "normal", 3, 2)
    with pytest.raises(ValueError, match="mode"):
        variance_scaling_parameters(1.0, "fan_sum", "normal", 3, 2)
    with pytest.raises(ValueError, match="distribution"):
        variance_scaling_parameters(1.0, "fan_in", "cauchy", 3, 2)
    with pytest.raises(ValueError, match="fan_out"):
        variance_scaling_parameters(1.0, "fan_avg", "normal", 3, None)
    with pytest.raises(ValueError, match="positive"):
        variance_scaling_parameters(1.0, "fan_in", "normal", 0, 2)
    # only the fans the mode uses matter
    assert variance_scaling_parameters(1.0, "fan_in", "normal", 4, None).variance == 0.25
    assert variance_scaling_parameters(0.0, "fan_in", "normal", 4, 2).std == 0.0


# --- describe -------------------------------------------------------------------------

DESCRIBE_KEYS = {"method", "formula", "fan_in", "fan_out", "variance", "std", "bound",
                 "distribution", "recommended_for"}


@pytest.mark.parametrize("method, kwargs", [
    ("zeros", {}), ("ones", {}), ("constant", {"value": 0.5}), ("normal", {"std": 0.05}),
    ("uniform", {"low": -1, "high": 1}), ("truncated_normal", {}), ("xavier_uniform", {}),
    ("xavier_normal", {"gain": 2.0}), ("glorot_uniform", {}), ("glorot_normal", {}),
    ("he_uniform", {"mode": "fan_out"}), ("he_normal", {"nonlinearity": "relu"}),
    ("kaiming_uniform", {}), ("kaiming_normal", {}), ("lecun_uniform", {}),
    ("lecun_normal", {}), ("variance_scaling", {"scale": 2.0, "mode": "fan_geo_avg"}),
    ("orthogonal", {}), ("eye", {}), ("sparse", {"sparsity": 0.5}),
])
def test_describe_keys_and_consistency(method, kwargs):
    info = describe(method, (30, 20), **kwargs)
    assert set(info) == DESCRIBE_KEYS
    assert isinstance(info["formula"], str) and info["formula"]
    assert isinstance(info["recommended_for"], str) and info["recommended_for"]
    assert (info["fan_in"], info["fan_out"]) == (30, 20)
    assert info["std"] == pytest.approx(info["variance"] ** 0.5, rel=1e-12)
    if info["bound"] is not None:
        assert info["bound"] ** 2 / 3 == pytest.approx(info["variance"], rel=1e-12)


def test_describe_values():
    assert describe("zeros", (3, 2))["variance"] == 0
    assert "bias" in describe("zeros", (3, 2))["recommended_for"]
    assert describe("normal", (3, 2), std=0.05)["std"] == pytest.approx(0.05)
    assert describe("he_normal", (3, 2))["formula"] == "Var = 2 / fan_in"
    assert describe("he_normal", (3, 2), mode="fan_out")["variance"] == pytest.approx(1.0)
    assert describe("xavier_normal", (3, 2))["formula"] == "Var = 2 / (fan_in + fan_out)"
    assert describe("lecun_normal", (3, 2))["formula"] == "Var = 1 / fan_in"
    assert describe("kaiming_normal", (3, 2))["method"] == "he_normal"
    assert describe("glorot_uniform", (3, 2))["method"] == "xavier_uniform"
    assert describe("xavier_uniform", (3, 2))["distribution"] == "uniform"
    assert describe("he_normal", (3, 2))["distribution"] == "normal"
    tanh_gain = describe("xavier_normal", (3, 2), gain=5 / 3)
    assert tanh_gain["variance"] == pytest.approx(25 / 9 * 2 / 5)
    # orthogonal entries have mean square gain^2 / max(rows, cols)
    assert describe("orthogonal", (3, 2), gain=2.0)["variance"] == pytest.approx(4 / 3)
    assert describe("orthogonal", (2, 3, 4))["variance"] == pytest.approx(1 / 6)
    # sparse keeps rows - ceil(sparsity * rows) of each column's entries
    assert describe("sparse", (10, 4), sparsity=0.25, std=0.1)["variance"] == pytest.approx(
        0.7 * 0.01)
    # fans of a conv kernel in either layout
    assert describe("he_normal", (3, 3, 16, 32))["fan_in"] == 144
    assert describe("he_normal", (32, 16, 3, 3), layout="torch")["fan_in"] == 144
    # fans that the shape does not define are None where the method needs none
    one_d = describe("normal", (7,))
    assert one_d["fan_in"] is None and one_d["fan_out"] is None


def test_describe_truncated_normal_variance():
    # Var of N(0, s^2) truncated to [m - 2s, m + 2s] is (0.8796... s)^2
    info = describe("truncated_normal", (10,), mean=1.0, std=0.5)
    assert info["std"] == pytest.approx(0.5 * TRUNCATED_NORMAL_STD, rel=1e-12)
    # an asymmetric window [0, inf) is the half-normal: Var = s^2 (1 - 2 / pi)
    half = describe("truncated_normal", (10,), std=2.0, a=0.0, b=float("inf"))
    assert half["variance"] == pytest.approx(4 * (1 - 2 / math.pi), rel=1e-12)


def test_describe_errors():
    with pytest.raises(ValueError, match="unknown initializer"):
        describe("glorious", (3, 2))
    with pytest.raises(TypeError, match="unexpected"):
        describe("he_normal", (3, 2), gain=2.0)
    with pytest.raises(TypeError):
        describe(None, (3, 2))
    with pytest.raises(ValueError, match="undefined"):
        describe("he_normal", (5,))
    with pytest.raises(ValueError, match="mode"):
        describe("he_normal", (3, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="eye"):
        describe("eye", (3, 2, 2))


# --- recommend -------------------------------------------------------------------------


@pytest.mark.parametrize("activation", [
    "relu", "ReLU", "gelu", "GELU", "silu", "swish", "elu", "mish", "softplus", "relu6"])
def test_recommend_he_for_the_relu_family(activation):
    rec = recommend(activation)
    assert isinstance(rec, Recommendation)
    assert rec.method == "he_normal"
    assert rec.kwargs == {"nonlinearity": "relu"}


@pytest.mark.parametrize("activation", ["leaky_relu", "LeakyReLU", "leaky-relu"])
def test_recommend_he_with_slope_for_leaky_relu(activation):
    rec = recommend(activation)
    assert rec.method == "he_normal"
    assert rec.kwargs["nonlinearity"] == "leaky_relu"
    assert rec.kwargs["a"] == 0.01


@pytest.mark.parametrize("activation", ["tanh", "Tanh", "sigmoid", "softmax", "linear", None])
def test_recommend_xavier_for_symmetric_and_linear(activation):
    rec = recommend(activation)
    assert rec.method in ("xavier_uniform", "xavier_normal", "lecun_uniform", "lecun_normal")


def test_recommend_lecun_normal_for_selu():
    rec = recommend("SELU")
    assert rec.method == "lecun_normal"
    assert "Klambauer" in rec.reason


def test_recommend_unknown_activation_raises_listing_the_known_ones():
    # issue 9, defect 7: no silent fallback to He
    with pytest.raises(ValueError, match="unknown activation 'my_fancy_activation'; "
                                         "expected one of .*relu.*selu.*tanh"):
        recommend("my_fancy_activation")
    with pytest.raises(ValueError, match="unknown activation 'foo'"):
        fastinit.init((3, 4), activation="foo", seed=0)
    with pytest.raises(ValueError, match="unknown activation 'foo'"):
        fastinit.Generator(0).init((3, 4), activation="foo")


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "selu", "linear", None])
def test_recommend_reason_is_one_line_and_method_describable(activation):
    rec = recommend(activation)
    assert rec.reason and "\n" not in rec.reason
    info = describe(rec.method, (3, 2), **rec.kwargs)
    assert info["variance"] > 0


def test_recommend_type_error():
    with pytest.raises(TypeError):
        recommend(3)
