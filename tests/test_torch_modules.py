"""init_module, rules, plan_module and materialize against torch's own reset_parameters."""
import math

import numpy as np
import pytest

import fastinit

torch = pytest.importorskip("torch")
ml_dtypes = pytest.importorskip("ml_dtypes")
import fastinit.torch as ft  # noqa: E402
from torch import nn  # noqa: E402

Z = 6.0  # standard deviations of statistical tolerances (false failure about 2e-9 each)


def _excess_kurtosis(x):
    x = x - x.mean()
    return float((x ** 4).mean() / (x ** 2).mean() ** 2 - 3)


def assert_same_distribution(ours, theirs, name):
    """`ours` is drawn from the distribution torch drew `theirs` from.

    Constants must be equal.  Random tensors: the sample std within 6 sigma
    of torch's (standard error of a sample std about std * sqrt((k - 1) / 4n)
    for kurtosis k <= 3, so 6 * sqrt(1/2n) relative covers both normal and
    uniform, for each of the two samples), the mean within 6 standard
    errors, the kurtosis telling uniform (-1.2) from normal (0) when there
    are enough elements (its standard error sqrt(24/n)), and for a uniform
    torch's bound: the largest of n uniforms lies above B (1 - 20/n) with
    probability 1 - e^-20, for each sample.
    """
    ours = ours.detach().double().flatten()
    theirs = theirs.detach().double().flatten()
    assert ours.shape == theirs.shape, name
    if theirs.numel() == 0:
        return
    if torch.all(theirs == theirs[0]):
        assert torch.equal(ours, theirs), f"{name}: torch gives the constant {theirs[0]}"
        return
    n = theirs.numel()
    std = theirs.std().item()
    assert not torch.all(ours == ours[0]), f"{name} is constant, torch's is random"
    tolerance = 2 * Z * std * math.sqrt(1 / (2 * n))
    assert abs(ours.std().item() - std) < tolerance, name
    assert abs(ours.mean().item() - theirs.mean().item()) < 2 * Z * std / math.sqrt(n), name
    kurtosis = _excess_kurtosis(theirs)
    if n >= 2000:
        assert abs(_excess_kurtosis(ours) - kurtosis) < 2 * Z * math.sqrt(24 / n), name
    if kurtosis < -0.9 and n >= 200:
        theirs_max, ours_max = theirs.abs().max().item(), ours.abs().max().item()
        assert ours_max <= theirs_max / (1 - 20 / n), name
        assert theirs_max <= ours_max / (1 - 20 / n), name


def _lazy():
    module = nn.Sequential(nn.LazyLinear(300), nn.ReLU())
    module(torch.zeros(2, 40))
    return module


MODULES = {
    "linear": lambda: nn.Linear(300, 400),
    "linear_zero_in": lambda: nn.Linear(0, 4),
    "bilinear": lambda: nn.Bilinear(20, 30, 40),
    "lazy_linear": _lazy,
    "conv1d": lambda: nn.Conv1d(16, 256, 5),
    "conv2d_groups": lambda: nn.Conv2d(16, 256, 5, groups=4),
    "conv3d": lambda: nn.Conv3d(4, 256, 3),
    "conv_transpose1d": lambda: nn.ConvTranspose1d(32, 256, 7),
    "conv_transpose2d": lambda: nn.ConvTranspose2d(32, 256, 3),
    "conv_transpose3d": lambda: nn.ConvTranspose3d(8, 256, 3, groups=2),
    "embedding": lambda: nn.Embedding(1000, 64, padding_idx=7),
    "embedding_bag": lambda: nn.EmbeddingBag(500, 32, padding_idx=-1),
    "layer_norm": lambda: nn.LayerNorm((8, 16)),
    "rms_norm": lambda: nn.RMSNorm(32),
    "group_norm": lambda: nn.GroupNorm(4, 32),
    "batch_norm1d": lambda: nn.BatchNorm1d(16),
    "batch_norm2d": lambda: nn.BatchNorm2d(16),
    "batch_norm3d": lambda: nn.BatchNorm3d(8, affine=False),
    "instance_norm": lambda: nn.InstanceNorm2d(8, affine=True, track_running_stats=True),
    "mha_packed": lambda: nn.MultiheadAttention(64, 4),
    "mha_separate": lambda: nn.MultiheadAttention(64, 4, kdim=32, vdim=48, add_bias_kv=True),
    "mha_no_bias": lambda: nn.MultiheadAttention(64, 4, bias=False),
    "rnn": lambda: nn.RNN(32, 64, num_layers=2),
    "lstm_proj": lambda: nn.LSTM(32, 64, proj_size=16, bidirectional=True),
    "gru": lambda: nn.GRU(16, 48),
    "rnn_cell": lambda: nn.RNNCell(32, 256),
    "lstm_cell": lambda: nn.LSTMCell(32, 64),
    "gru_cell": lambda: nn.GRUCell(32, 128),
    "prelu": lambda: nn.PReLU(10, init=0.3),
    "encoder_layer": lambda: nn.TransformerEncoderLayer(64, 4, 128),
    "decoder_layer": lambda: nn.TransformerDecoderLayer(64, 4, 128, bias=False),
    "encoder": lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(32, 4, 64), 2,
                                             enable_nested_tensor=False),
    "transformer": lambda: nn.Transformer(32, 4, 1, 1, 64, batch_first=True),
    "adaptive_softmax": lambda: nn.AdaptiveLogSoftmaxWithLoss(64, 100, [20, 60]),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_module_matches_torch_reset_parameters(name):
    torch.manual_seed(0)
    theirs = MODULES[name]()
    ours = MODULES[name]()
    for tensor in list(ours.parameters()) + list(ours.buffers()):
        if tensor.is_floating_point():
            tensor.detach().fill_(float("nan"))
        else:
            tensor.detach().fill_(12345)
    assert ft.init_module(ours, 1) == []
    their_tensors = dict(theirs.named_parameters()) | dict(theirs.named_buffers())
    our_tensors = dict(ours.named_parameters()) | dict(ours.named_buffers())
    assert our_tensors.keys() == their_tensors.keys()
    for key, tensor in our_tensors.items():
        assert_same_distribution(tensor, their_tensors[key], f"{name}: {key}")


def test_multihead_attention_out_proj_bias_is_zero_parent_wins():
    module = nn.MultiheadAttention(16, 2)
    ft.init_module(module, 0)
    assert torch.all(module.out_proj.bias == 0)
    assert torch.all(module.in_proj_bias == 0)
    # out_proj.weight keeps Linear's scheme, in_proj_weight is xavier
    bound = 1 / math.sqrt(16)
    assert module.out_proj.weight.abs().max() <= bound
    assert module.in_proj_weight.abs().max() > bound


def test_transformer_xavier_overrides_its_layers():
    model = nn.Transformer(32, 4, 1, 1, 64, batch_first=True)
    plan = ft.plan_module(model)
    for name, recipe in plan.items():
        if len(recipe.shape) > 1:
            assert recipe.init == ft.Init("xavier_uniform_"), name
    assert plan["encoder.layers.0.linear1.bias"].init.method == "uniform_"


def test_embedding_padding_row_zero():
    module = nn.Embedding(20, 8, padding_idx=3)
    ft.init_module(module, 5)
    assert torch.all(module.weight[3] == 0)
    assert torch.all(module.weight[4] != 0)


# --- streams are qualified names ---------------------------------------------------------------

def test_each_stream_is_the_qualified_name():
    model = nn.Sequential(nn.Linear(8, 4), nn.LayerNorm(4))
    ft.init_module(model, 7)
    bound = 1 / math.sqrt(8)
    expected = fastinit.uniform((4, 8), -bound, bound, seed=7, stream="0.weight")
    np.testing.assert_array_equal(model[0].weight.detach().numpy(), expected)


def test_cloned_layers_differ_and_adding_a_layer_keeps_the_others():
    layer = nn.TransformerEncoderLayer(32, 4, 64)
    two = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
    three = nn.TransformerEncoder(layer, 3, enable_nested_tensor=False)
    ft.init_module(two, 3)
    ft.init_module(three, 3)
    w0 = two.layers[0].linear1.weight
    assert not torch.equal(w0, two.layers[1].linear1.weight)
    for (name, a), (_, b) in zip(two.named_parameters(), three.named_parameters()):
        assert torch.equal(a, b), name


def test_reproducible_and_thread_count_independent():
    def build():
        return nn.Sequential(nn.Embedding(4096, 512), nn.Linear(512, 1024))
    one, two, other_seed = build(), build(), build()
    ft.init_module(one, 11, threads=1)
    ft.init_module(two, 11, threads=2)
    ft.init_module(other_seed, 12)
    for a, b, c in zip(one.parameters(), two.parameters(), other_seed.parameters()):
        assert torch.equal(a, b)
        assert not torch.equal(a, c)


def test_bfloat16_module_is_rounding_of_float32_module():
    single = nn.Sequential(nn.Embedding(64, 32), nn.LayerNorm(32), nn.MultiheadAttention(32, 2))
    half = nn.Sequential(nn.Embedding(64, 32), nn.LayerNorm(32),
                         nn.MultiheadAttention(32, 2)).to(torch.bfloat16)
    ft.init_module(single, 2)
    ft.init_module(half, 2)
    for (name, a), b in zip(single.named_parameters(), half.parameters()):
        if name.endswith("out_proj.weight"):
            continue  # a uniform: values rounding up to the bound stay below it
        assert torch.equal(a.to(torch.bfloat16).view(torch.int16), b.view(torch.int16)), name


# --- coverage ---------------------------------------------------------------------------------------

class Scaled(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.scale = nn.Parameter(torch.full((4,), 7.0))
        self.register_buffer("mask", torch.full((4, 4), 7.0))

    def reset_parameters(self):
        nn.init.constant_(self.scale, 0.5)
        nn.init.zeros_(self.mask)


class OwnLinear(nn.Linear):
    def reset_parameters(self):
        nn.init.constant_(self.weight, 0.25)


def test_uncovered_tensors_raise_with_names_and_types_before_writing():
    model = nn.Sequential(nn.Linear(3, 3), Scaled(), OwnLinear(2, 2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(ft.UncoveredError) as error:
        ft.init_module(model, 0)
    message = str(error.value)
    for name, owner in [("1.scale", "Scaled"), ("1.mask", "Scaled"), ("2.weight", "OwnLinear"),
                        ("2.bias", "OwnLinear")]:
        assert f"{name} ({owner})" in message
    assert "0.weight" not in message
    after = model.state_dict()
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_skip_leaves_uncovered_and_returns_names():
    model = nn.Sequential(nn.Linear(3, 3), Scaled())
    skipped = ft.init_module(model, 0, on_unknown="skip")
    assert skipped == ["1.scale", "1.mask"]
    assert torch.all(model[1].scale == 7.0) and torch.all(model[1].mask == 7.0)
    assert torch.all(model[1].proj.bias.abs() <= 0.5)


def test_reset_parameters_calls_the_modules_own_method():
    model = nn.Sequential(nn.Linear(3, 3), Scaled())
    reset = ft.init_module(model, 0, on_unknown="reset_parameters")
    assert reset == ["1.scale", "1.mask"]
    assert torch.all(model[1].scale == 0.5) and torch.all(model[1].mask == 0)


def test_rules_cover_unknown_tensors():
    model = Scaled()
    ft.init_module(model, 0, rules={"scale": "ones_", Scaled: {"mask": ft.Init("constant_", 2.0)}})
    assert torch.all(model.scale == 1) and torch.all(model.mask == 2)


def test_uninitialized_lazy_module_error():
    with pytest.raises(ValueError, match="forward pass"):
        ft.init_module(nn.LazyLinear(4), 0)


def test_meta_module_error_says_materialize():
    with torch.device("meta"):
        model = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="materialize"):
        ft.init_module(model, 0)


def test_bad_on_unknown():
    with pytest.raises(ValueError, match="on_unknown"):
        ft.init_module(nn.Linear(2, 2), 0, on_unknown="ignore")


# --- rules -----------------------------------------------------------------------------------------------

def test_hf_init_weights():
    model = nn.Sequential(nn.Embedding(3000, 64, padding_idx=0), nn.Linear(64, 256),
                          nn.LayerNorm(256))
    ft.init_module(model, 0, rules=ft.hf_init_weights(0.02))
    for weight in (model[0].weight[1:], model[1].weight):
        n = weight.numel()
        assert abs(weight.std().item() - 0.02) < Z * 0.02 / math.sqrt(2 * n)
    assert torch.all(model[0].weight[0] == 0)
    assert torch.all(model[1].bias == 0)
    assert torch.all(model[2].weight == 1) and torch.all(model[2].bias == 0)


def test_depth_scaled_trunc_normal():
    layers = 4
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(64, 4, 256), layers,
                                  enable_nested_tensor=False)
    rules = ft.depth_scaled_trunc_normal(layers, std=0.02)
    ft.init_module(model, 0, rules=rules)
    residual_std = 0.02 / math.sqrt(2 * layers)
    for index in range(layers):
        block = model.layers[index]
        for weight, std in [(block.linear1.weight, 0.02), (block.linear2.weight, residual_std),
                            (block.self_attn.out_proj.weight, residual_std),
                            (block.self_attn.in_proj_weight, 0.02)]:
            assert weight.abs().max() <= 3 * std * (1 + 1e-6)
            # N(0, s²) cut at 3s has std 0.9866 s
            n = weight.numel()
            assert abs(weight.std().item() - 0.9866 * std) < Z * std / math.sqrt(2 * n)
        assert torch.all(block.linear1.bias == 0) and torch.all(block.self_attn.in_proj_bias == 0)


def test_name_patterns_beat_type_rules_and_last_pattern_wins():
    model = nn.Sequential(nn.Linear(4, 4), nn.Linear(4, 4))
    rules = {nn.Linear: "zeros_", "1.*": "ones_", "1.bias": ft.Init("constant_", 3.0)}
    ft.init_module(model, 0, rules=rules)
    assert torch.all(model[0].weight == 0) and torch.all(model[0].bias == 0)
    assert torch.all(model[1].weight == 1) and torch.all(model[1].bias == 3)


def test_type_rules_nearest_base_class_wins():
    model = nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4))
    ft.init_module(model, 0, rules={nn.Module: "zeros_", nn.Linear: {"weight": "ones_"}})
    assert torch.all(model[0].weight == 1)
    assert torch.all(model[0].bias == 0) and torch.all(model[1].weight == 0)


@pytest.mark.parametrize("rules, error, match", [
    ({"*": "gaussian"}, ValueError, "unknown initializer"),
    ({"*": ft.Init}, TypeError, "expected an Init"),
    ({3: "zeros_"}, TypeError, "rule keys"),
    ([("*", "zeros_")], TypeError, "mapping"),
    ({"*": ("normal_", {"sd": 1})}, TypeError, "sd"),
])
def test_bad_rules(rules, error, match):
    with pytest.raises(error, match=match):
        ft.init_module(nn.Linear(2, 2), 0, rules=rules)


def test_init_refuses_seed_and_stream():
    with pytest.raises(TypeError, match="qualified name"):
        ft.Init("normal_", stream="x")


def test_integer_buffer_refuses_random_rule():
    with pytest.raises(TypeError, match="num_batches_tracked"):
        ft.init_module(nn.BatchNorm1d(3), 0, rules={"*": "normal_"})


# --- plans -------------------------------------------------------------------------------------------

def _plan_model():
    return nn.Sequential(nn.Embedding(50, 12, padding_idx=17), nn.Linear(12, 9),
                         nn.BatchNorm1d(9), nn.Linear(9, 9, bias=False))


PLAN_RULES = {"3.weight": ft.Init("orthogonal_")}


def test_plan_recipes_give_init_module_values():
    model = _plan_model()
    ft.init_module(model, 21, rules=PLAN_RULES)
    plan = ft.plan_module(_plan_model(), rules=PLAN_RULES)
    tensors = dict(model.named_parameters()) | dict(model.named_buffers())
    assert plan.keys() == tensors.keys()
    for name, recipe in plan.items():
        assert recipe.shape == tuple(tensors[name].shape)
        assert recipe.nbytes == tensors[name].numel() * tensors[name].element_size()
        np.testing.assert_array_equal(recipe.generate(21, name), tensors[name].detach().numpy())
    assert plan["3.weight"].regionable is False and plan["1.weight"].regionable is True
    assert plan["2.num_batches_tracked"].dtype == np.int64


@pytest.mark.parametrize("region", [np.s_[10:20, 3:7], np.s_[17:18, :], np.s_[0:5, :],
                                    np.s_[40:50, 11:12]])
def test_plan_regions_are_slices_of_the_whole(region):
    plan = ft.plan_module(_plan_model(), rules=PLAN_RULES)
    for name in ("0.weight", "3.weight"):
        recipe = plan[name]
        whole = recipe.generate(5, name)
        clipped = tuple(slice(*s.indices(n)[:2]) for s, n in zip(region, recipe.shape))
        part = recipe.generate(5, name, region=clipped)
        np.testing.assert_array_equal(part, whole[clipped])
        out = np.empty_like(part)
        assert recipe.generate(5, name, region=clipped, out=out) is out
        np.testing.assert_array_equal(out, part)
    assert np.all(plan["0.weight"].generate(5, "0.weight", region=np.s_[17:18, :]) == 0)


def test_plan_dtype_override_and_meta_module():
    with torch.device("meta"):
        model = _plan_model()
    plan = ft.plan_module(model, dtype=torch.bfloat16)
    recipe = plan["1.weight"]
    assert recipe.dtype == np.dtype(ml_dtypes.bfloat16) and recipe.nbytes == 9 * 12 * 2
    assert plan["2.num_batches_tracked"].dtype == np.int64
    single = ft.plan_module(model)["0.weight"].generate(1, "0.weight")
    half = ft.plan_module(model, dtype=np.float16)["0.weight"].generate(1, "0.weight")
    np.testing.assert_array_equal(half, single.astype(np.float16))


def test_plan_skip_lists_uncovered_and_refuses_reset():
    plan = ft.plan_module(nn.Sequential(Scaled()), on_unknown="skip")
    assert plan.uncovered == [("0.scale", "Scaled"), ("0.mask", "Scaled")]
    assert "0.proj.weight" in plan and "0.scale" not in plan
    with pytest.raises(ValueError, match="cannot be planned"):
        ft.plan_module(nn.Linear(2, 2), on_unknown="reset_parameters")


def test_tied_parameter_planned_once():
    model = nn.Sequential(nn.Embedding(10, 4), nn.Linear(4, 10, bias=False))
    model[1].weight = model[0].weight
    plan = ft.plan_module(model)
    assert list(plan) == ["0.weight"] and plan["0.weight"].init.method == "normal_"


# --- materialize -----------------------------------------------------------------------------------

def _gpt_block(width=64):
    return nn.TransformerEncoderLayer(width, 4, 4 * width, batch_first=True, norm_first=True)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_materialize_from_meta_equals_init_module(dtype):
    def build():
        return nn.Sequential(nn.Embedding(100, 64), _gpt_block(), _gpt_block(), nn.LayerNorm(64),
                             nn.BatchNorm1d(64)).to(dtype)
    with torch.device("meta"):
        meta = build()
    assert ft.materialize(meta, 9) is meta
    reference = build()
    ft.init_module(reference, 9)
    for (name, a), b in zip(meta.state_dict().items(), reference.state_dict().values()):
        assert a.device.type == "cpu" and a.dtype == b.dtype
        assert torch.equal(a, b), name


def test_materialize_checks_coverage_before_allocating():
    with torch.device("meta"):
        model = nn.Sequential(nn.Linear(3, 3), Scaled())
    with pytest.raises(ft.UncoveredError):
        ft.materialize(model, 0)
    assert model[0].weight.is_meta


def test_materialize_refuses_other_devices():
    with torch.device("meta"):
        model = nn.Linear(3, 3)
    with pytest.raises(ValueError, match="CPU"):
        ft.materialize(model, 0, device="cuda")


MEMORY_SCRIPT = """
import resource, torch
from torch import nn
import fastinit.torch as ft
with torch.device("meta"):
    model = nn.Sequential(*[nn.Linear(2048, 2048) for _ in range(16)], nn.LayerNorm(2048))
parameter_bytes = sum(p.numel() * p.element_size() for p in model.parameters())
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
ft.materialize(model, 0)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
assert all(p.device.type == "cpu" for p in model.parameters())
print(after - before, parameter_bytes)
"""


def test_materialize_peak_memory_is_the_parameters_plus_a_bound():
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT], capture_output=True,
                            text=True, cwd=root, timeout=300, check=True)
    growth, parameter_bytes = (int(v) for v in result.stdout.split())
    assert parameter_bytes == 16 * (2048 * 2048 + 2048) * 4 + 2 * 2048 * 4
    assert growth <= parameter_bytes + (64 << 20), (growth, parameter_bytes)


def test_import_without_torch_says_how_to_install():
    import subprocess
    import sys
    from pathlib import Path
    code = ("import sys; sys.modules['torch'] = None\n"
            "try:\n    import fastinit.torch\nexcept ImportError as e:\n    print(e)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[1], timeout=120, check=True)
    assert "pip install torch" in result.stdout


def test_meta_device_skips_torch_init_and_materializes_identically():
    calls = []
    original = nn.init.kaiming_uniform_

    with ft.meta_device():
        model = nn.Sequential(nn.Embedding(30, 8, padding_idx=2), nn.Linear(8, 8),
                              nn.MultiheadAttention(8, 2), nn.LayerNorm(8))
        calls.append(nn.init.kaiming_uniform_ is original)
    assert calls == [True]  # nothing is patched: a function mode intercepts the calls
    assert all(p.is_meta for p in model.parameters())
    ft.materialize(model, 4)
    reference = nn.Sequential(nn.Embedding(30, 8, padding_idx=2), nn.Linear(8, 8),
                              nn.MultiheadAttention(8, 2), nn.LayerNorm(8))
    ft.init_module(reference, 4)
    for a, b in zip(model.state_dict().values(), reference.state_dict().values()):
        assert torch.equal(a, b)
    with ft.meta_device():
        cpu = torch.ones(3, device="cpu")
        nn.init.zeros_(cpu)
    assert torch.all(cpu == 0)
