"""The torch.nn.init twins of fastinit.torch: signatures, scales, tensors, errors."""
import inspect
import math
import warnings

import numpy as np
import pytest

import fastinit

torch = pytest.importorskip("torch")
ml_dtypes = pytest.importorskip("ml_dtypes")
import fastinit.torch as ft  # noqa: E402

init = torch.nn.init
Z = 6.0  # standard deviations of statistical tolerances (false failure about 2e-9 each)

TORCH_NAMES = [name for name in init.__all__]
SHAPES = [(5, 3), (64, 128), (32, 16, 3, 3), (16, 8, 5), (4, 6, 2, 3, 3)]


# --- names and signatures ------------------------------------------------------------------

@pytest.mark.parametrize("name", TORCH_NAMES)
def test_every_torch_function_has_a_twin_with_its_arguments(name):
    theirs = inspect.signature(getattr(init, name))
    ours = inspect.signature(getattr(ft, name))
    their_params = list(theirs.parameters.values())
    our_params = list(ours.parameters.values())
    if name in ("uniform", "normal", "constant", "eye", "dirac", "xavier_uniform",
                "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal", "sparse"):
        # torch's deprecated aliases are (*args, **kwargs); ours show the twin's signature.
        assert ours == inspect.signature(getattr(ft, name + "_"))
        return
    for mine, torch_param in zip(our_params, their_params):
        assert mine.name == torch_param.name
        assert mine.kind == torch_param.kind
        assert mine.default == torch_param.default
    extra = our_params[len(their_params):]
    assert [p.name for p in extra] in ([], ["seed", "stream"])
    assert all(p.kind is p.KEYWORD_ONLY and p.default is None for p in extra)
    assert getattr(ft, name).__doc__


# --- scales: each twin equals the engine's fill at torch's own std or bound ---------------

def _torch_std(name, tensor, **kw):
    fan_in, fan_out = init._calculate_fan_in_and_fan_out(tensor)
    if name.startswith("xavier"):
        return kw.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    fan = init._calculate_correct_fan(tensor, kw.get("mode", "fan_in"))
    gain = init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
    return gain / math.sqrt(fan)


SCALE_CASES = [
    ("kaiming_normal_", {}), ("kaiming_uniform_", {}),
    ("kaiming_uniform_", {"a": math.sqrt(5)}),
    ("kaiming_normal_", {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_uniform_", {"a": 0.2, "mode": "FAN_OUT"}),
    ("xavier_uniform_", {}), ("xavier_normal_", {"gain": 5 / 3}),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name, kw", SCALE_CASES)
def test_fans_and_gains_are_torch_layout(name, kw, shape):
    tensor = torch.empty(shape)
    getattr(ft, name)(tensor, **kw, seed=3, stream="layer.weight")
    std = _torch_std(name, tensor, **{k: (v.lower() if k == "mode" else v) for k, v in kw.items()})
    if name.endswith("uniform_"):
        bound = math.sqrt(3.0) * std
        expected = fastinit.uniform(shape, -bound, bound, seed=3, stream="layer.weight")
    else:
        expected = fastinit.normal(shape, 0.0, std, seed=3, stream="layer.weight")
    np.testing.assert_array_equal(tensor.numpy(), expected)


def test_kaiming_uniform_a_sqrt5_is_linear_default_bound():
    tensor = torch.empty(400, 250)
    ft.kaiming_uniform_(tensor, a=math.sqrt(5), seed=0)
    bound = 1 / math.sqrt(250)
    assert tensor.abs().max() <= bound
    # the largest of 100,000 uniforms is within 1e-3 of the bound with probability 1 - e^-50
    assert tensor.abs().max() > bound * (1 - 1e-3)


def test_normal_std_statistics():
    tensor = ft.normal_(torch.empty(1 << 18), 1.5, 0.25, seed=11)
    n = tensor.numel()
    assert abs(tensor.mean().item() - 1.5) < Z * 0.25 / math.sqrt(n)
    assert abs(tensor.std().item() - 0.25) < Z * 0.25 / math.sqrt(2 * n)


def test_uniform_bounds_and_mean():
    tensor = ft.uniform_(torch.empty(1 << 16), -3.0, 5.0, seed=2)
    assert tensor.min() >= -3.0 and tensor.max() < 5.0
    sd = 8 / math.sqrt(12)
    assert abs(tensor.mean().item() - 1.0) < Z * sd / math.sqrt(tensor.numel())


def test_trunc_normal_bounds_are_absolute():
    wide = ft.trunc_normal_(torch.empty(1 << 16), std=10.0, seed=4)
    assert wide.min() >= -2.0 and wide.max() <= 2.0
    # N(0, 100) cut to [-2, 2] is nearly uniform there: std near 4 / sqrt(12)
    assert abs(wide.std().item() - 4 / math.sqrt(12)) < 0.05
    shifted = ft.trunc_normal_(torch.empty(1 << 14), mean=5.0, std=1.0, a=4.0, b=6.0, seed=4)
    assert shifted.min() >= 4.0 and shifted.max() <= 6.0


def test_trunc_normal_warns_when_mean_is_far_from_bounds():
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        ft.trunc_normal_(torch.empty(10), mean=10.0, std=1.0, seed=0)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_zero_element_warning_like_torch(name):
    tensor = torch.empty(0, 3)
    with pytest.warns(UserWarning, match="zero-element"):
        assert getattr(ft, name)(tensor, seed=0) is tensor


def test_zero_element_normal_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ft.normal_(torch.empty(0, 3), seed=0)
        ft.xavier_uniform_(torch.empty(0, 3), seed=0)


@pytest.mark.parametrize("name", ["xavier_uniform_", "xavier_normal_", "kaiming_normal_",
                                  "kaiming_uniform_"])
def test_fans_need_two_dimensions(name):
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        getattr(ft, name)(torch.empty(5), seed=0)


def test_bad_mode_and_nonlinearity():
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        ft.kaiming_normal_(torch.empty(3, 3), mode="fan_avg", seed=0)
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        ft.kaiming_normal_(torch.empty(3, 3), nonlinearity="gelu", seed=0)


@pytest.mark.parametrize("nonlinearity, param", [("linear", None), ("tanh", None),
                                                 ("relu", None), ("leaky_relu", 0.2),
                                                 ("selu", None), ("conv2d", None)])
def test_calculate_gain(nonlinearity, param):
    assert ft.calculate_gain(nonlinearity, param) == init.calculate_gain(nonlinearity, param)


# --- deterministic twins equal torch's exactly ------------------------------------------------

@pytest.mark.parametrize("name, args, shape", [
    ("constant_", (0.37,), (4, 5)), ("ones_", (), (7,)), ("zeros_", (), (3, 2, 2)),
    ("eye_", (), (3, 5)), ("eye_", (), (6, 2)),
    ("dirac_", (), (4, 3, 5)), ("dirac_", (2,), (6, 4, 3, 3)), ("dirac_", (3,), (6, 2, 3, 1, 2)),
])
def test_deterministic_twins_match_torch(name, args, shape):
    ours = getattr(ft, name)(torch.full(shape, 9.0), *args)
    theirs = getattr(init, name)(torch.full(shape, 9.0), *args)
    assert torch.equal(ours, theirs)


def test_eye_and_dirac_errors_like_torch():
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        ft.eye_(torch.empty(3))
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        ft.dirac_(torch.empty(3, 3))
    with pytest.raises(ValueError, match="divisible by groups"):
        ft.dirac_(torch.empty(5, 3, 3), 2)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (8, 3, 2, 2)])
def test_orthogonal(shape):
    tensor = ft.orthogonal_(torch.empty(shape, dtype=torch.float64), gain=2.0, seed=5)
    flat = tensor.reshape(shape[0], -1)
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    torch.testing.assert_close(gram, 4.0 * torch.eye(small, dtype=torch.float64))


def test_sparse_zeros_per_column():
    tensor = ft.sparse_(torch.empty(50, 30), 0.3, std=0.5, seed=8)
    zeros_per_column = (tensor == 0).sum(dim=0)
    assert torch.all(zeros_per_column == math.ceil(0.3 * 50))


@pytest.mark.parametrize("name", ["uniform", "normal", "xavier_normal", "kaiming_uniform"])
def test_deprecated_aliases_warn(name):
    with pytest.warns(FutureWarning, match=f"nn.init.{name}_"):
        getattr(ft, name)(torch.empty(3, 4), seed=0)


# --- seeds, streams and generators --------------------------------------------------------

def test_seed_and_stream_give_engine_values():
    tensor = ft.normal_(torch.empty(9, 7), 0.0, 2.0, seed=17, stream="enc.w")
    np.testing.assert_array_equal(tensor.numpy(),
                                  fastinit.normal((9, 7), 0.0, 2.0, seed=17, stream="enc.w"))


def test_streams_differ_and_repeat():
    a = ft.normal_(torch.empty(100), seed=1, stream="a")
    b = ft.normal_(torch.empty(100), seed=1, stream="b")
    again = ft.normal_(torch.empty(100), seed=1, stream="a")
    assert not torch.equal(a, b)
    assert torch.equal(a, again)


def test_manual_seed_reproduces_a_sequence():
    ft.manual_seed(99)
    first = [ft.normal_(torch.empty(5)).clone(), ft.kaiming_uniform_(torch.empty(4, 4)).clone()]
    ft.manual_seed(99)
    second = [ft.normal_(torch.empty(5)), ft.kaiming_uniform_(torch.empty(4, 4))]
    assert all(torch.equal(x, y) for x, y in zip(first, second))
    assert not torch.equal(first[0], ft.normal_(torch.empty(5)))
    assert ft.initial_seed() == 99


def test_torch_manual_seed_does_not_change_fastinit():
    ft.manual_seed(5)
    torch.manual_seed(1)
    a = ft.normal_(torch.empty(8))
    ft.manual_seed(5)
    torch.manual_seed(2)
    assert torch.equal(a, ft.normal_(torch.empty(8)))


def test_generator_argument_positional_and_keyword():
    tensor = ft.uniform_(torch.empty(6, 3), -1.0, 1.0, fastinit.Generator(seed=3))
    expected = fastinit.Generator(seed=3).uniform((6, 3), -1.0, 1.0)
    np.testing.assert_array_equal(tensor.numpy(), expected)
    generator = fastinit.Generator(seed=3)
    ft.xavier_normal_(torch.empty(4, 4), generator=generator)
    assert generator.block > 0


def test_torch_generator_is_refused():
    with pytest.raises(TypeError, match="fastinit.Generator"):
        ft.normal_(torch.empty(3), generator=torch.Generator())
    with pytest.raises(TypeError, match="not both"):
        ft.normal_(torch.empty(3), generator=fastinit.Generator(seed=1), seed=1)


# --- tensors: dtypes, Parameters, views --------------------------------------------------------

RANDOM_CALLS = [
    ("normal_", (0.5, 0.3)), ("trunc_normal_", (0.0, 0.5)), ("kaiming_normal_", ()),
    ("xavier_normal_", ()), ("kaiming_uniform_", (math.sqrt(5),)), ("uniform_", (-0.3, 0.7)),
]


@pytest.mark.parametrize("name, args", RANDOM_CALLS)
@pytest.mark.parametrize("half", [torch.bfloat16, torch.float16])
def test_half_precision_is_torch_rounding_of_float32(name, args, half):
    single = getattr(ft, name)(torch.empty(300, 200), *args, seed=6, stream="w")
    low = getattr(ft, name)(torch.empty(300, 200, dtype=half), *args, seed=6, stream="w")
    rounded = single.to(half)
    differ = low.view(torch.int16) != rounded.view(torch.int16)
    if name.endswith("uniform_"):
        # a value that rounds up to the upper bound is kept just below it (U[a, b) is open)
        upper = 0.7 if name == "uniform_" else 1 / math.sqrt(200)
        assert torch.all(rounded[differ] == torch.tensor(upper).to(half))
        assert torch.all(low[differ].double() < upper)
        assert differ.sum() < 0.01 * differ.numel()
    else:
        assert not differ.any()


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16, torch.bfloat16])
def test_dtypes_fill_in_place(dtype):
    tensor = torch.full((33, 17), float("nan"), dtype=dtype)
    assert ft.normal_(tensor, seed=1) is tensor
    assert not torch.isnan(tensor).any()
    assert tensor.dtype == dtype


def test_parameter_with_requires_grad():
    parameter = torch.nn.Parameter(torch.empty(20, 10))
    assert ft.kaiming_normal_(parameter, seed=2, stream="p") is parameter
    assert parameter.requires_grad and parameter.is_leaf and parameter.grad_fn is None
    expected = ft.kaiming_normal_(torch.empty(20, 10), seed=2, stream="p")
    assert torch.equal(parameter.detach(), expected)
    grad_tensor = torch.empty(5, requires_grad=True)
    ft.uniform_(grad_tensor, seed=0)
    assert grad_tensor.grad_fn is None


def test_non_contiguous_views():
    base = torch.zeros(30, 20)
    view = base.T
    ft.normal_(view, seed=3)
    assert torch.equal(view, ft.normal_(torch.empty(20, 30), seed=3))
    base = torch.zeros(10, 12)
    middle = base[:, 3:9]
    ft.uniform_(middle, 1.0, 2.0, seed=4)
    assert torch.equal(middle, ft.uniform_(torch.empty(10, 6), 1.0, 2.0, seed=4))
    assert torch.all(base[:, :3] == 0) and torch.all(base[:, 9:] == 0)
    strided = torch.zeros(8, 8, dtype=torch.bfloat16)[::2, 1::3]
    ft.normal_(strided, seed=5)
    assert torch.equal(strided.view(torch.int16),
                       ft.normal_(torch.empty(4, 3, dtype=torch.bfloat16), seed=5).view(torch.int16))


def test_overlapping_view_is_refused():
    with pytest.raises(ValueError, match="overlapping memory"):
        ft.normal_(torch.zeros(1, 4).expand(3, 4), seed=0)


# --- errors that say what to do ---------------------------------------------------------------

def test_meta_tensor_error_says_materialize():
    with pytest.raises(ValueError, match="meta device.*materialize"):
        ft.normal_(torch.empty(3, 3, device="meta"), seed=0)


@pytest.mark.parametrize("dtype", [torch.int64, torch.int32, torch.bool, torch.complex64])
def test_non_float_tensor_error(dtype):
    tensor = torch.zeros(4, dtype=dtype)
    with pytest.raises(TypeError, match="floating-point tensors"):
        ft.normal_(tensor, seed=0)
    assert not tensor.any()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_tensor_error_says_copy():
    with pytest.raises(ValueError, match="fill a CPU tensor and copy"):
        ft.normal_(torch.empty(3, device="cuda"), seed=0)


def test_not_a_tensor():
    with pytest.raises(TypeError, match="expects a torch.Tensor"):
        ft.normal_(np.zeros(3), seed=0)
