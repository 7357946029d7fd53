"""fastinit.experiments: the depth experiment, its table, picture and command.

The claims checked at the default settings (ReLU/SELU/tanh MLP, width 256,
50 layers, batch 512, float32, seed 0) follow from how each layer scales the
second moment of its input.  With fan_in = n and Var(W) = v, a layer's
pre-activations have Var(z) = n * v * E[h^2] (fixed weights, a
standard-normal input), and ReLU keeps half of E[z^2]:

* He (v = 2/n): E[h^2] stays 1, so the activation std stays near
  sqrt(1 - 1/pi) = 0.826;
* Xavier on a square layer (v = 1/n, the same as LeCun): E[h^2] halves at
  every layer, so the std shrinks by 2**-0.5 a layer, 2**-24.5 = 4e-8 over
  the 49 layers after the first;
* N(0, 1) (v = 1): E[h^2] grows 128x a layer, the std 11.3x, and passes
  float32's 3.4e38 after about 36 layers.

Every run is deterministic (fixed seeds, fastinit's bit-exact streams), so
these tests cannot fail by chance; the tolerances say how far the finite
network may stray from the infinite-width figures above.
"""

import math
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import fastinit
from fastinit import experiments
from fastinit.cli import main
from fastinit.experiments import (
    ACTIVATIONS,
    DEFAULT_METHODS,
    METHODS,
    DepthProfile,
    depth_profile,
)

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Small networks for the tests that do not check the default claims.
SMALL = dict(width=32, depth=6, batch=64)


@pytest.fixture(scope="module")
def relu_default():
    return depth_profile("relu")


@pytest.fixture(scope="module")
def tanh_default():
    return depth_profile("tanh")


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- the claims

def test_relu_he_is_stable(relu_default):
    he = relu_default["he_normal"]
    assert he.verdict == "stable", he.reason
    # Layer 1 with fixed weights: each unit's z is N(0, |w_j|^2) with
    # |w_j|^2 = 2 (1 +- 0.09) (chi-square with 256 degrees of freedom), and
    # the 256 units average that out to +-0.6%; 3% is about 5 sigma.
    assert he.activation_std[0] == pytest.approx(math.sqrt(1 - 1 / math.pi), rel=0.03)
    # He's fixed point keeps the std within [0.5, 2] of the first layer's;
    # finite width lets it wander by tens of percent over 50 layers.
    assert 0.5 <= he.activation_ratio <= 2
    assert np.isfinite(he.gradient_std).all() and (he.gradient_std > 0).all()
    assert 1 / 100 <= he.gradient_ratio <= 100


def test_relu_xavier_vanishes(relu_default):
    xavier = relu_default["xavier_normal"]
    assert xavier.verdict == "vanishing", xavier.reason
    # sqrt(1/2 - 1/(2 pi)) for Var(z) = 1 in the first layer.
    assert xavier.activation_std[0] == pytest.approx(math.sqrt(0.5 - 0.5 / math.pi), rel=0.03)
    # Expected 2**-24.5 = 4e-8 (see the module docstring): 1e-3 leaves four
    # orders of magnitude for finite-width effects.
    assert xavier.activation_ratio < 1e-3
    # The per-layer rate is 2**-0.5 = 0.707; measured between 0.6 and 0.8.
    rate = xavier.activation_ratio ** (1 / 49)
    assert 0.6 < rate < 0.8
    # The gradient shrinks on its way back too.
    assert xavier.gradient_ratio < 1e-3


def test_relu_standard_normal_explodes_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        profile = depth_profile("relu", methods=["normal"])
    normal = profile["normal"]
    assert normal.verdict == "exploding"
    assert normal.overflow_pass == "forward"
    # The std grows sqrt(128) = 11.3x a layer from about 9.3 (layer 1):
    # the largest of 131072 values (~5 std) passes 3.4e38 near layer 36.
    assert 30 <= normal.overflow_layer <= 40
    growth = normal.activation_std[20] / normal.activation_std[10]
    assert growth ** (1 / 10) == pytest.approx(math.sqrt(128), rel=0.1)
    assert np.isnan(normal.activation_std[normal.overflow_layer - 1:]).all()
    assert np.isnan(normal.gradient_std).all()
    assert "overflowed float32" in normal.reason


def test_errstate_is_restored():
    before = np.geterr()
    depth_profile("relu", methods=["normal"], width=16, depth=60, batch=8)
    assert np.geterr() == before


def test_relu_zeros_is_symmetric(relu_default):
    zeros = relu_default["zeros"]
    assert zeros.verdict == "symmetric"
    assert (zeros.distinct_units == 1).all()
    assert (zeros.activation_std == 0).all()
    assert "256 units of layer 1" in zeros.reason


def test_default_methods_and_order(relu_default):
    assert relu_default.methods == DEFAULT_METHODS
    assert list(relu_default) == list(DEFAULT_METHODS)
    assert relu_default.verdicts == {"he_normal": "stable", "xavier_normal": "vanishing",
                                     "lecun_normal": "vanishing", "normal": "exploding",
                                     "zeros": "symmetric"}
    # fan_in = fan_out: Xavier's 2/(n + n) is LeCun's 1/n, and both use the
    # same streams, so the two networks are the same.
    assert np.array_equal(relu_default["xavier_normal"].activation_std,
                          relu_default["lecun_normal"].activation_std)
    assert relu_default.depth == 50 and relu_default.widths == (256,) * 51
    assert relu_default.batch == 512 and relu_default.dtype == np.float32


def test_selu_lecun_is_stable():
    lecun = depth_profile("selu", methods=["lecun_normal"])["lecun_normal"]
    assert lecun.verdict == "stable", lecun.reason
    # (mean 0, variance 1) is SELU's fixed point with Var(W) = 1/fan_in.
    assert lecun.activation_std[0] == pytest.approx(1.0, rel=0.03)
    assert 0.5 <= lecun.activation_ratio <= 2


def test_tanh_too_large_normal_saturates(tanh_default):
    normal = tanh_default["normal"]
    assert normal.verdict == "saturating", normal.reason
    # z has std sqrt(256 * E[tanh^2]) ~ 15 from layer 2 on; tanh is flat
    # (derivative below 1% of its peak) for |z| > 2.99, which leaves
    # P(|z| < 2.99) ~ 0.16 of the values unsaturated.
    assert np.mean(normal.saturated_fraction) > 0.7
    assert (normal.saturated_fraction[1:] > 0.5).all()
    # Values sit near +-1: the std approaches 1.
    assert normal.activation_std[-1] > 0.9


def test_tanh_xavier_is_stable(tanh_default):
    xavier = tanh_default["xavier_normal"]
    assert xavier.verdict == "stable", xavier.reason
    assert np.mean(xavier.saturated_fraction) < 0.01


def test_every_activation_runs_finite_for_he():
    for activation in ACTIVATIONS:
        profile = depth_profile(activation, methods=["he_normal"], **SMALL)
        result = profile["he_normal"]
        assert result.verdict in experiments.VERDICTS
        assert np.isfinite(result.activation_std).all(), activation
        assert np.isfinite(result.gradient_std).all(), activation


# ---------------------------------------------------------------- the network

def test_weights_and_input_are_fastinit_streams():
    profile = depth_profile("relu", methods=["he_normal", ("normal", {"std": 0.1})],
                            width=(24, 40, 8), batch=16, seed=5, dtype="float64")
    x = fastinit.normal((16, 24), seed=5, stream="input", dtype=np.float64)
    h1 = np.maximum(x @ fastinit.he_normal((24, 40), seed=5, stream="layer1",
                                           dtype=np.float64), 0)
    h2 = np.maximum(h1 @ fastinit.he_normal((40, 8), seed=5, stream="layer2",
                                            dtype=np.float64), 0)
    he = profile["he_normal"]
    assert he.activation_std == pytest.approx([h1.std(), h2.std()], rel=1e-12)
    w1 = fastinit.normal((24, 40), std=0.1, seed=5, stream="layer1", dtype=np.float64)
    assert profile["normal(std=0.1)"].activation_std[0] == pytest.approx(
        np.maximum(x @ w1, 0).std(), rel=1e-12)
    assert profile.widths == (24, 40, 8) and profile.depth == 2


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradients_match_torch_autograd(activation):
    torch = pytest.importorskip("torch")
    functions = {
        "relu": torch.relu,
        "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
        "gelu": torch.nn.functional.gelu,  # exact, erf-based
        "silu": torch.nn.functional.silu,
        "elu": torch.nn.functional.elu,
        "selu": torch.selu,
        "tanh": torch.tanh,
        "sigmoid": torch.sigmoid,
        "linear": lambda z: z,
    }
    widths, batch, seed = (12, 20, 16, 10, 6), 9, 3
    profile = depth_profile(activation, width=widths, methods=["xavier_normal"],
                            batch=batch, seed=seed, dtype="float64")
    h = torch.from_numpy(fastinit.normal((batch, widths[0]), seed=seed, stream="input",
                                         dtype=np.float64))
    pre_activations, activation_stds = [], []
    for layer in range(1, len(widths)):
        w = torch.from_numpy(fastinit.xavier_normal((widths[layer - 1], widths[layer]),
                                                    seed=seed, stream=f"layer{layer}",
                                                    dtype=np.float64))
        z = h @ w.requires_grad_(True)
        z.retain_grad()
        pre_activations.append(z)
        h = functions[activation](z)
        activation_stds.append(float(h.detach().std(unbiased=False)))
    loss = 0.5 * (h ** 2).sum() / batch
    loss.backward()
    gradient_stds = [float(z.grad.std(unbiased=False)) for z in pre_activations]
    # float64 throughout; GELU's erf is Abramowitz & Stegun 7.1.26, within
    # 1.5e-7 absolute, which bounds its relative error here to about 1e-6.
    tolerance = 1e-5 if activation == "gelu" else 1e-9
    result = profile["xavier_normal"]
    assert result.activation_std == pytest.approx(activation_stds, rel=tolerance)
    assert result.gradient_std == pytest.approx(gradient_stds, rel=tolerance)


def test_reproducible_for_a_seed():
    first = depth_profile("gelu", **SMALL, seed=11)
    second = depth_profile("gelu", **SMALL, seed=11)
    other = depth_profile("gelu", **SMALL, seed=12)
    for label in first:
        for field in ("activation_std", "gradient_std", "dead_fraction",
                      "saturated_fraction", "distinct_units"):
            assert np.array_equal(getattr(first[label], field), getattr(second[label], field),
                                  equal_nan=True), (label, field)
        assert first[label].verdict == second[label].verdict
    assert not np.array_equal(first["he_normal"].activation_std,
                              other["he_normal"].activation_std)
    assert first.table() == second.table()


def test_float64_gives_the_same_verdicts():
    # float64 draws are other numbers than float32's (two normals per Philox
    # block instead of four), so only the behaviour can agree, not the bits.
    single = depth_profile("relu", width=64, depth=20, batch=128)
    double = depth_profile("relu", width=64, depth=20, batch=128, dtype="float64")
    assert double.dtype == np.float64
    assert double.verdicts == single.verdicts
    assert "float64" in double.table().splitlines()[0]


def test_dead_units_and_distinct_count():
    # Equal weights: every unit computes -0.1 * sum(x), the same function.
    profile = depth_profile("relu", methods=[("constant", {"value": -0.1}), "orthogonal"],
                            width=16, depth=3, batch=32)
    constant = profile["constant(value=-0.1)"]
    assert constant.verdict == "symmetric"
    assert (constant.distinct_units[0] == 1)
    orthogonal = profile["orthogonal"]
    assert (orthogonal.distinct_units[0] == 16)
    # eye: layer 1 copies the input's units through ReLU; with 4 examples a
    # unit is dead when its 4 inputs are all negative.
    eye = depth_profile("relu", methods=["eye"], width=64, depth=1, batch=4, seed=2)["eye"]
    x = fastinit.normal((4, 64), seed=2, stream="input")
    assert eye.dead_fraction[0] == pytest.approx(np.mean((x <= 0).all(axis=0)))
    assert eye.saturated_fraction[0] == pytest.approx(np.mean(x <= 0))
    h = np.maximum(x, 0)
    assert eye.distinct_units[0] == len({tuple(column) for column in (h + 0.0).T})


def test_underflow_is_vanishing_not_symmetric():
    # Xavier with ReLU halves the variance a layer: after ~300 layers every
    # float32 value has underflowed to 0, all units equal 0, but the
    # identity comes from the vanished signal, not from the weights.
    result = depth_profile("relu", methods=["xavier_normal"], width=16, depth=320,
                           batch=8)["xavier_normal"]
    assert result.distinct_units[-1] == 1
    assert result.verdict == "vanishing", result.reason


def test_init_uses_the_recommendation():
    profile = depth_profile("selu", methods=["init", "lecun_normal"], **SMALL)
    assert np.array_equal(profile["init"].activation_std,
                          profile["lecun_normal"].activation_std)


def test_progress_callback_counts_every_layer():
    calls = []
    depth_profile("relu", methods=["he_normal", "zeros"], width=8, depth=4, batch=4,
                  progress=lambda step, total, label: calls.append((step, total, label)))
    assert [step for step, _, _ in calls] == list(range(16))
    assert {total for _, total, _ in calls} == {16}
    assert calls[0][2] == "he_normal: forward, layer 1"
    assert calls[4][2] == "he_normal: backward, layer 4"


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("kwargs, error, pattern", [
    (dict(activation="swish"), ValueError, "relu, leaky_relu, gelu, silu, elu, selu, tanh"),
    (dict(activation=3), TypeError, "activation must be a str"),
    (dict(methods=["he_normal", "kaiming_he"]), ValueError, "unknown method 'kaiming_he'; choose from he_normal"),
    (dict(methods=[]), ValueError, "at least one"),
    (dict(methods=["constant"]), ValueError, "constant needs value"),
    (dict(methods=["zeros", "zeros"]), ValueError, "given twice"),
    (dict(methods=[("normal", {"seed": 3})]), ValueError, "set by the experiment"),
    (dict(methods=[3]), TypeError, "a name or a"),
    (dict(width=0), ValueError, "width must be at least 1"),
    (dict(width=True), TypeError, "not bool"),
    (dict(width=2.5), TypeError, "width must be an integer"),
    (dict(width=[8]), ValueError, "at least two entries"),
    (dict(width=[8, 8, 8], depth=5), ValueError, "3 widths make 2 layers"),
    (dict(depth=0), ValueError, "depth must be at least 1"),
    (dict(batch=0), ValueError, "batch must be at least 1"),
    (dict(seed=-1), ValueError, "seed must be in"),
    (dict(seed="1"), TypeError, "seed must be an integer"),
    (dict(dtype="float16"), ValueError, "float32 or float64"),
    (dict(dtype="complex"), ValueError, "float32 or float64"),
    (dict(progress=3), TypeError, "progress must be callable"),
])
def test_bad_arguments(kwargs, error, pattern):
    with pytest.raises(error, match=re.escape(pattern)):
        depth_profile(**kwargs)


def test_too_large_for_memory_is_a_value_error(capsys):
    # A 10**6 x 10**6 float32 weight matrix alone is 3.6 TiB.
    with pytest.raises(ValueError, match="choose a smaller width, depth or batch"):
        depth_profile(width=10**6, depth=2)
    code, out, err = run(capsys, ["depth", "--width", "1000000", "--depth", "2"])
    assert code == 2 and out == ""
    assert "GiB" in err


def test_activation_spellings():
    assert depth_profile("LeakyReLU", methods=["he_normal"], **SMALL).activation == "leaky_relu"
    assert depth_profile("Leaky-ReLU", methods=["he_normal"], **SMALL).activation == "leaky_relu"


def test_every_listed_method_runs():
    methods = [name if not required else (name, {key: 0.5 for key in required})
               for name, (_, required) in METHODS.items()]
    profile = depth_profile("tanh", methods=methods, width=8, depth=2, batch=4)
    assert len(profile) == len(METHODS)


# ---------------------------------------------------------------- table

def test_table(relu_default, tanh_default):
    text = relu_default.table()
    assert text.startswith("relu MLP, width 256, depth 50, batch 512, float32, seed 0")
    header = next(line for line in text.splitlines() if line.startswith("method"))
    for column in ("act std L1", "act std L12", "act std L25", "act std L50", "act L/1",
                   "grad 1/L", "dead", "distinct", "verdict"):
        assert column in header
    he_row = next(line for line in text.splitlines() if line.startswith("he_normal "))
    assert he_row.split()[-1] == "stable"
    assert f"{relu_default['he_normal'].activation_ratio:.3g}" in he_row
    assert f"{relu_default['he_normal'].gradient_ratio:.3g}" in he_row
    zeros_row = next(line for line in text.splitlines() if line.startswith("zeros "))
    assert zeros_row.split()[-2:] == ["1", "symmetric"]
    assert "lecun_normal made the same network as xavier_normal" in text
    normal_row = next(line for line in text.splitlines() if line.startswith("normal "))
    assert normal_row.split()[-1] == "exploding"
    assert "saturated" in tanh_default.table().splitlines()[3]


def test_repr_and_mapping(relu_default):
    assert "he_normal: stable" in repr(relu_default)
    assert "zeros" in relu_default and "ones" not in relu_default
    with pytest.raises(KeyError, match="he_normal"):
        relu_default["ones"]
    assert len(relu_default.items()) == len(relu_default) == 5
    assert set(relu_default.activation_std) == set(DEFAULT_METHODS)


# ---------------------------------------------------------------- plot

def test_plot_writes_a_png_with_one_line_per_method(relu_default, tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.image
    from matplotlib.lines import Line2D

    path = tmp_path / "relu.png"
    figure = relu_default.plot(path)
    with open(path, "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(path)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    activation_axes, gradient_axes = figure.axes
    for axes in (activation_axes, gradient_axes):
        lines = [child for child in axes.get_children() if isinstance(child, Line2D)]
        # the grid lines are Line2D too; the data lines are get_lines()
        assert len(axes.get_lines()) == len(DEFAULT_METHODS)
        assert len(lines) >= len(DEFAULT_METHODS)
        assert axes.get_yscale() == "log"
        assert axes.get_xlabel() == "layer"
    labels = [line.get_label() for line in activation_axes.get_lines()]
    assert labels[0] == "he_normal: stable"
    assert labels[3].startswith("normal: exploding (overflow at layer")
    assert labels[4] == "zeros: symmetric (std 0: not drawn)"
    he_line = activation_axes.get_lines()[0]
    assert np.allclose(he_line.get_ydata(), relu_default["he_normal"].activation_std)
    assert np.allclose(gradient_axes.get_lines()[0].get_ydata(),
                       relu_default["he_normal"].gradient_std)
    assert list(tmp_path.iterdir()) == [path]


def test_plot_without_path_returns_the_figure():
    pytest.importorskip("matplotlib")
    profile = depth_profile("tanh", methods=["xavier_normal", "he_normal", "normal"], **SMALL)
    figure = profile.plot()
    assert [len(axes.get_lines()) for axes in figure.axes] == [3, 3]


def test_plot_failure_leaves_no_file(relu_default, tmp_path):
    pytest.importorskip("matplotlib")
    with pytest.raises(OSError):
        relu_default.plot(tmp_path / "missing" / "x.png")
    target = tmp_path / "a_directory"
    target.mkdir()
    with pytest.raises(OSError):
        relu_default.plot(target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_directory"]
    assert list(target.iterdir()) == []


def test_plot_without_matplotlib(relu_default, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        relu_default.plot()


# ---------------------------------------------------------------- command line

SMALL_CLI = ["--width", "32", "--depth", "6", "--batch", "64"]


def test_cli_prints_the_table(capsys):
    code, out, err = run(capsys, ["depth"] + SMALL_CLI)
    assert code == 0, err
    expected = depth_profile("relu", width=32, depth=6, batch=64).table()
    assert out.strip() == expected.strip()
    assert err == ""  # not a terminal: no progress bar


def test_cli_options(capsys, tmp_path):
    path = tmp_path / "tanh.png"
    code, out, err = run(capsys, ["depth", "-a", "tanh", "--methods",
                                  "xavier_normal,normal:std=0.05,constant:value=0.1",
                                  "--seed", "7", "--dtype", "float64", "--plot", str(path)]
                         + SMALL_CLI)
    assert code == 0, err
    expected = depth_profile("tanh", methods=["xavier_normal", ("normal", {"std": 0.05}),
                                              ("constant", {"value": 0.1})],
                             seed=7, dtype="float64", width=32, depth=6, batch=64)
    assert out.startswith(expected.table())
    assert f"wrote {path}" in out
    assert path.read_bytes()[:4] == b"\x89PNG"


def test_cli_widths_list(capsys):
    code, out, _ = run(capsys, ["depth", "--width", "16,32,8", "--batch", "8"])
    assert code == 0
    assert "widths 16-32-8 (2 layers)" in out
    code, out, _ = run(capsys, ["depth", "--width", "16,32,8", "--depth", "2", "--batch", "8"])
    assert code == 0


def test_cli_seed_before_the_command(capsys):
    _, out, _ = run(capsys, ["--seed", "9", "depth"] + SMALL_CLI)
    assert "seed 9" in out.splitlines()[0]


@pytest.mark.parametrize("argv, message", [
    (["--activation", "swish"], "unknown activation 'swish'; choose from relu"),
    (["--depth", "0"], "must be a positive integer"),
    (["--width", "32,x"], "invalid int value"),
    (["--methods", "he_normal,bogus"], "unknown method 'bogus'"),
    (["--methods", "normal:std"], "is not key=value"),
    (["--methods", "sparse"], "sparse needs sparsity"),
    (["--dtype", "float16"], "invalid choice"),
    (["--seed", "-3"], "must be in [0, 2**64)"),
    (["--plot", "/nonexistent-dir/x.png"], "does not exist"),
    (["--width", "16,32,8", "--depth", "5"], "make 2 layers, but --depth is 5"),
    (["--bogus"], "unrecognized arguments"),
])
def test_cli_usage_errors(capsys, argv, message):
    code, out, err = run(capsys, ["depth"] + argv)
    assert code == 2
    assert out == ""
    assert "usage: fastinit" in err
    assert message in err


def test_cli_exit_status_of_the_program(run_python):
    result = run_python("import sys; from fastinit.cli import main; "
                        "sys.exit(main(['depth', '--activation', 'mish']))")
    assert result.returncode == 2
    assert "choose from relu, leaky_relu" in result.stderr
    result = subprocess.run([sys.executable, "-m", "fastinit", "depth", "--depth", "2",
                             "--width", "8", "--batch", "4"],
                            capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "verdict" in result.stdout


def test_cli_help_lists_depth(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    assert "depth" in out
    code, out, _ = run(capsys, ["depth", "--help"])
    assert code == 0
    assert "name:key=value" in out


def test_explain_points_to_depth(capsys):
    code, out, _ = run(capsys, ["explain", "784", "128", "--activation", "tanh"])
    assert code == 0
    assert ("What each method does to a deep tanh network: "
            "fastinit depth --activation tanh --width 128") in out.splitlines()
    code, out, _ = run(capsys, ["explain", "784", "128"])
    assert "fastinit depth" not in out
    # mish is not an activation of the experiment: no hint
    code, out, _ = run(capsys, ["explain", "8", "8", "--activation", "mish"])
    assert "fastinit depth" not in out
    assert experiments.explain_hint("ReLU", 100000) == (
        "What each method does to a deep relu network: fastinit depth --activation relu")


class _Terminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_progress_bar_on_a_terminal_after_a_moment():
    terminal = _Terminal()
    bar = experiments._DelayedProgressBar(terminal, delay=0.0)
    depth_profile("relu", methods=["he_normal"], width=8, depth=3, batch=4, progress=bar)
    bar.close()
    assert "\r[" in terminal.text and "he_normal: backward, layer 1" in terminal.text
    assert terminal.text.endswith("\r")  # erased at the end

    quick = _Terminal()
    bar = experiments._DelayedProgressBar(quick, delay=3600.0)
    depth_profile("relu", methods=["he_normal"], width=8, depth=3, batch=4, progress=bar)
    bar.close()
    assert quick.text == ""


# ---------------------------------------------------------------- README

def test_readme_pictures_exist_with_their_commands():
    with open(os.path.join(REPO, "README.md"), encoding="utf-8") as readme:
        text = readme.read()
    section = text[text.index("## Why initialization matters"):text.index("## Command line")]
    for activation in ("relu", "tanh"):
        picture = f"docs/depth-{activation}.png"
        assert f"fastinit depth --activation {activation} --plot {picture}" in section
        assert f"]({picture})" in section
        with open(os.path.join(REPO, picture), "rb") as png:
            assert png.read(8) == b"\x89PNG\r\n\x1a\n"
