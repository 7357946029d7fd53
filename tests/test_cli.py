"""The command line: ``python -m fastinit`` and the ``fastinit`` script."""

import io
import math
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import fastinit
from fastinit.cli import BENCH_METHODS, ProgressBar, main

# A small timed fill keeps the default run fast.
SMALL_FILL = ["--size", "64", "--repeat", "1"]


def run(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def row_block(output, label):
    """The lines of the table row whose method cell starts with label."""
    lines = output.splitlines()
    for start, line in enumerate(lines):
        if line[2:].startswith(label):
            block = []
            for row_line in lines[start:]:
                if not row_line.strip():
                    break
                block.append(row_line)
            return block
    raise AssertionError(f"no table row {label!r} in:\n{output}")


def sampled_matrix(block):
    """The numbers printed in the brackets of a row block."""
    rows = []
    for line in block:
        match = re.search(r"\[([^\]]*)\]", line)
        if match:
            rows.append([float(v) for v in match.group(1).replace("...", "").split()])
    return np.array(rows)


def fan_variances(n_in, n_out):
    """label -> the published variance of each fan-based method."""
    return {
        "Xavier": 2 / (n_in + n_out),   # Glorot & Bengio 2010
        "He": 2 / n_in,                  # He et al. 2015
        "LeCun": 1 / n_in,               # LeCun et al. 1998
    }


# ---------------------------------------------------------------- default run

def test_default_run_explains_the_3_to_2_layer(capsys):
    code, out, err = run(capsys, SMALL_FILL)
    assert code == 0, err
    assert "3 inputs and 2 outputs" in out
    assert "fan_in = 3, fan_out = 2" in out
    assert "seed 0" in out
    expected_fractions = {"Xavier": "2/5", "He": "2/3", "LeCun": "1/3"}
    for label, variance in fan_variances(3, 2).items():
        first_line = row_block(out, label)[0]
        assert f"{expected_fractions[label]} = {variance:.4g}" in first_line
        assert f"{math.sqrt(variance):.4g}" in first_line
        assert f"{math.sqrt(3 * variance):.4g}" in first_line  # uniform bound
    assert "2/5 = 0.4" in out and "2/3 = 0.6667" in out and "1/3 = 0.3333" in out
    random_normal = row_block(out, "random normal")[0]
    assert "0.0025" in random_normal and "0.05" in random_normal
    assert np.array_equal(sampled_matrix(row_block(out, "zeros")), np.zeros((3, 2)))


def test_default_run_samples_are_the_library_s(capsys):
    code, out, _ = run(capsys, SMALL_FILL + ["--seed", "11"])
    assert code == 0
    assert "seed 11" in out
    for label, method in (("Xavier", "xavier_normal"), ("He", "he_normal"),
                          ("LeCun", "lecun_normal")):
        printed = sampled_matrix(row_block(out, label))
        expected = getattr(fastinit, method)((3, 2), seed=11).astype(np.float64)
        assert printed.shape == (3, 2)
        # printed with 4 decimals
        np.testing.assert_allclose(printed, expected, rtol=0, atol=0.5e-4 + 1e-9)
    printed = sampled_matrix(row_block(out, "random normal"))
    expected = fastinit.normal((3, 2), std=0.05, seed=11).astype(np.float64)
    np.testing.assert_allclose(printed, expected, rtol=0, atol=0.5e-4 + 1e-9)


def test_default_run_times_he_normal_against_numpy(capsys):
    code, out, _ = run(capsys, ["--size", "48", "--repeat", "2", "--threads", "1"])
    assert code == 0
    assert "He-normal fill of a 48 x 48 float32 matrix (2,304 elements" in out
    assert f"std = sqrt(2/48) = {math.sqrt(2 / 48):.4g}" in out
    assert "best of 2" in out
    timing_lines = [line for line in out.splitlines() if "ns/element" in line]
    assert len(timing_lines) == 2
    assert "fastinit.he_normal" in timing_lines[0] and "1 thread" in timing_lines[0]
    assert "numpy standard_normal" in timing_lines[1]
    assert re.search(r"fastinit is \d+(\.\d)?x as fast as numpy\.random", out)


# ---------------------------------------------------------------- explain

def test_explain_any_layer(capsys):
    code, out, _ = run(capsys, ["explain", "784", "256", "--seed", "7"])
    assert code == 0
    assert "fan_in = 784, fan_out = 256" in out
    assert "top-left 4x4" in out
    for label, variance in fan_variances(784, 256).items():
        assert f"{variance:.4g}" in row_block(out, label)[0]
    printed = sampled_matrix(row_block(out, "He"))
    expected = fastinit.he_normal((784, 256), seed=7)[:4, :4].astype(np.float64)
    np.testing.assert_allclose(printed, expected, rtol=0, atol=0.5e-4 + 1e-9)
    assert "*" not in "".join(line[:2] for line in out.splitlines())


def test_explain_marks_the_recommended_method(capsys):
    code, out, _ = run(capsys, ["explain", "128", "64", "--activation", "relu"])
    assert code == 0
    recommendation = fastinit.recommend("relu")
    assert recommendation.method == "he_normal"
    assert row_block(out, "He")[0].startswith("* ")
    assert not row_block(out, "Xavier")[0].startswith("* ")
    assert "For activation 'relu': he_normal(" in out
    assert recommendation.reason in out


def test_explain_adds_a_row_for_a_recommendation_outside_the_table(capsys):
    recommendation = fastinit.recommend("tanh")
    code, out, _ = run(capsys, ["explain", "30", "20", "-a", "tanh"])
    assert code == 0
    assert recommendation.method not in ("xavier_normal", "he_normal", "lecun_normal")
    block = row_block(out, "for tanh")
    assert block[0].startswith("* ")
    assert recommendation.method in block[1]
    info = fastinit.describe(recommendation.method, (30, 20), **recommendation.kwargs)
    assert f"{info['variance']:.4g}" in block[0]


def test_explain_dtype(capsys):
    code, out, _ = run(capsys, ["explain", "3", "2", "--dtype", "float64", "--seed", "5"])
    assert code == 0
    assert "Samples are float64, seed 5" in out
    printed = sampled_matrix(row_block(out, "LeCun"))
    np.testing.assert_allclose(printed, fastinit.lecun_normal((3, 2), seed=5, dtype=np.float64),
                               rtol=0, atol=0.5e-4 + 1e-12)


def test_explain_unknown_activation_is_a_usage_error(capsys):
    # issue 9, defect 7: exit 2 with the known names, not a silent He
    code, _, err = run(capsys, ["explain", "8", "4", "--activation", "nonsense"])
    assert code == 2
    assert "unknown activation 'nonsense'" in err
    assert "relu" in err and "tanh" in err


def test_option_before_the_command_applies_to_it(capsys):
    code, out, _ = run(capsys, ["--seed", "9", "explain", "3", "2"])
    assert code == 0
    assert "seed 9" in out


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("argv, message", [
    (["explain", "x", "2"], "invalid int value: 'x'"),
    (["explain", "3", "2.5"], "invalid int value: '2.5'"),
    (["explain", "-3", "2"], "must be a positive integer, got -3"),
    (["explain", "3", "0"], "must be a positive integer, got 0"),
    (["explain", "3"], "the following arguments are required: N_OUT"),
    (["explain", "3", "2", "--seed", "-1"], "must be in [0, 2**64), got -1"),
    (["explain", "3", "2", "--seed", str(2**64)], "must be in [0, 2**64)"),
    (["--size", "0"], "must be a positive integer, got 0"),
    (["--size", "1e3"], "invalid int value: '1e3'"),
    (["--repeat", "-2"], "must be a positive integer, got -2"),
    (["bench", "--dtype", "float16"], "invalid choice: 'float16'"),
    (["bench", "--peers", "numpy,cupy"], "unknown peer 'cupy'"),
    (["bench", "--threads", "0"], "must be a positive integer, got 0"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_usage_errors(capsys, argv, message):
    code, out, err = run(capsys, argv)
    assert code == 2
    assert out == ""
    assert err.startswith("usage: fastinit")
    assert message in err


@pytest.mark.parametrize("argv, message", [
    (["explain", "3", "2", "--dtype", "nonsense"], "nonsense"),
    (["explain", "3", "2", "--dtype", "int32"], "int32"),
])
def test_errors_from_fastinit_are_reported_without_a_traceback(capsys, argv, message):
    code, out, err = run(capsys, argv)
    assert code == 2
    assert err.startswith("fastinit: error: ")
    assert message in err
    assert "Traceback" not in err
    assert out == ""


def test_a_fill_larger_than_memory_is_refused(capsys):
    code, out, err = run(capsys, ["--size", str(10**7)])
    assert code == 2
    assert err.startswith("fastinit: error: a 10000000 x 10000000 float32 matrix needs ")
    assert "choose a smaller --size" in err


# ---------------------------------------------------------------- help, version

def test_help(capsys):
    code, out, _ = run(capsys, ["--help"])
    assert code == 0
    assert out.startswith("usage: fastinit")
    for text in ("3 inputs", "examples:", "explain", "bench", "--size", "--version",
                 "fastinit explain 784 256 --activation relu"):
        assert text in out


@pytest.mark.parametrize("command, text", [("explain", "N_IN"), ("bench", "--peers")])
def test_command_help(capsys, command, text):
    code, out, _ = run(capsys, [command, "--help"])
    assert code == 0
    assert out.startswith(f"usage: fastinit {command}")
    assert text in out


def test_version(capsys):
    code, out, _ = run(capsys, ["--version"])
    assert code == 0
    assert out.strip() == f"fastinit {fastinit.__version__}"


# ---------------------------------------------------------------- bench

def test_bench_with_numpy(capsys):
    code, out, err = run(capsys, ["bench", "--size", "32", "--repeat", "1",
                                  "--peers", "numpy", "--threads", "1"])
    assert code == 0, err
    assert "32 x 32 float32 (1,024 elements)" in out
    assert f"fastinit {fastinit.__version__} (isa {fastinit.isa()}; 1 thread)" in out
    number = r"\d+\.\d{3}"
    for method in BENCH_METHODS:
        row = next(line for line in out.splitlines() if line.split()[:1] == [method])
        if method == "truncated_normal":
            assert re.fullmatch(rf"{method}\s+{number}\s+-\s+-", row), row
        else:
            assert re.fullmatch(rf"{method}\s+{number}\s+{number}\s+\d+\.\dx", row), row
    # progress on stderr, one line per timed step when stderr is not a terminal
    steps = len(BENCH_METHODS) * 2 - 1
    assert err.count("\n") == steps
    assert f"[{steps}/{steps}] lecun_uniform: numpy" in err


def test_bench_float64(capsys):
    code, out, _ = run(capsys, ["bench", "--size", "16", "--repeat", "1", "--peers", "numpy",
                                "--dtype", "float64"])
    assert code == 0
    assert "16 x 16 float64" in out


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_on_a_terminal():
    stream = FakeTerminal()
    bar = ProgressBar(4, stream=stream, width=8)
    bar.start("first")
    bar.finish_step()
    bar.start("second")
    bar.finish_step()
    bar.close()
    text = stream.getvalue()
    assert "\n" not in text
    assert "\r[--------] 1/4 first" in text
    assert "\r[##------] 2/4 second" in text
    assert text.endswith("\r")


def test_progress_bar_elsewhere():
    stream = io.StringIO()
    bar = ProgressBar(2, stream=stream)
    for label in ("a", "b"):
        bar.start(label)
        bar.finish_step()
    bar.close()
    assert stream.getvalue() == "[1/2] a\n[2/2] b\n"


# ---------------------------------------------------------------- python -m fastinit

def run_module(*args):
    """Run `python -m fastinit ARGS` with the fastinit this process imported."""
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))
    env = dict(os.environ)
    env.pop("FASTINIT_ISA", None)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, "-m", "fastinit", *args], env=env,
                          capture_output=True, text=True, timeout=300)


def test_python_dash_m_default_run():
    result = run_module(*SMALL_FILL)
    assert result.returncode == 0, result.stderr
    for text in ("2/5 = 0.4", "2/3 = 0.6667", "1/3 = 0.3333", "He-normal fill of a 64 x 64",
                 "as fast as numpy.random"):
        assert text in result.stdout


def test_python_dash_m_errors():
    usage = run_module("explain", "3", "-2")
    assert usage.returncode == 2
    assert usage.stderr.startswith("usage: fastinit")
    rejected = run_module("explain", "3", "2", "--dtype", "nonsense")
    assert rejected.returncode == 2
    assert rejected.stderr.startswith("fastinit: error: ")
    assert "Traceback" not in rejected.stderr
