"""fastinit.keras under the JAX, PyTorch and NumPy backends of Keras 3.

Keras chooses its backend once, at import, from KERAS_BACKEND, so the checks
(tests/keras_checks.py) run in one child process per backend, all three at
once, and each reports every check's outcome; the NumPy child also loads the
models that the JAX and PyTorch children save.  This process never imports Keras.
The statistical parity checks (against keras.initializers, n = 2**16, Z = 6
standard errors: a false failure about 2e-9 per check) run in the NumPy
child only: they do not depend on the backend.
"""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastinit

if importlib.util.find_spec("keras") is None:
    pytest.skip("keras is not installed (pip install keras)", allow_module_level=True)

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
CHECKS_SCRIPT = os.path.join(TESTS_DIR, "keras_checks.py")
BACKENDS = ("jax", "torch", "numpy")
BACKEND_PACKAGES = {"jax": "jax", "torch": "torch", "numpy": "numpy"}
COMMON_CHECKS = ("same_bits", "seed_semantics", "errors", "model")
NUMPY_ONLY_CHECKS = ("signatures", "parity_scales", "parity_distributions")
INITIALIZERS_IN_THE_MODEL = ["GlorotUniform", "HeNormal", "Identity", "LecunUniform",
                             "Orthogonal", "RandomNormal", "RandomUniform", "TruncatedNormal",
                             "VarianceScaling"]


def _child_env(backend):
    env = dict(os.environ)
    env.pop("FASTINIT_ISA", None)
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_parent, TESTS_DIR, env.get("PYTHONPATH")) if p)
    env["KERAS_BACKEND"] = backend
    env["JAX_PLATFORMS"] = "cpu"
    env["CUDA_VISIBLE_DEVICES"] = ""
    return env


def _available(backend):
    return importlib.util.find_spec(BACKEND_PACKAGES[backend]) is not None


def _read_report(path, process, label):
    _, stderr = process.communicate(timeout=900)
    if not os.path.exists(path):
        return {"crashed": f"{label} exited with {process.returncode}:\n{stderr[-4000:]}"}
    with open(path) as handle:
        return json.load(handle)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    outdir = str(tmp_path_factory.mktemp("keras"))
    backends = [b for b in BACKENDS if _available(b)]
    others = [b for b in backends if b != "numpy"]
    processes = {}
    for backend in backends:
        checks = COMMON_CHECKS
        if backend == "numpy":
            # the NumPy child also loads the models the other children save
            checks += NUMPY_ONLY_CHECKS + ("load=" + "+".join(others),)
        processes[backend] = subprocess.Popen(
            [sys.executable, CHECKS_SCRIPT, outdir, *checks], env=_child_env(backend),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return {backend: _read_report(os.path.join(outdir, f"{backend}.json"), process,
                                  f"the {backend} child")
            for backend, process in processes.items()}


def _report(reports, backend):
    if not _available(backend):
        pytest.skip(f"Keras backend {backend} is not installed")
    report = reports[backend]
    if "crashed" in report:
        pytest.fail(report["crashed"])
    return report


CASES = [(b, c) for b in BACKENDS for c in COMMON_CHECKS] + [("numpy", c)
                                                              for c in NUMPY_ONLY_CHECKS]


@pytest.mark.parametrize("backend, check", CASES, ids=[f"{b}-{c}" for b, c in CASES])
def test_backend_check(reports, backend, check):
    outcome = _report(reports, backend)["outcomes"][check]
    if outcome != "ok":
        pytest.fail(f"{check} under KERAS_BACKEND={backend}:\n{outcome}")


def _digest(array):
    array = np.ascontiguousarray(array)
    return hashlib.sha256(str(array.dtype).encode() + array.tobytes()).hexdigest()


def test_same_bits_under_every_backend(reports):
    hashes = {}
    for backend in BACKENDS:
        if _available(backend):
            report = _report(reports, backend)
            if report["outcomes"]["same_bits"] != "ok":
                pytest.fail(f"same_bits failed under {backend}")
            hashes[backend] = report["hashes"]
    assert len(hashes) >= 2
    common = set.intersection(*(set(h) for h in hashes.values()))
    assert len(common) >= 60  # 10 classes x 2 shapes x 3 dtypes (float64 only without jax)
    for key in common:
        assert len({h[key] for h in hashes.values()}) == 1, key
    # and those bits are the NumPy API's, computed here without Keras
    some = next(iter(hashes.values()))
    expected = fastinit.variance_scaling((24, 16), 2.0, "fan_in", "truncated_normal", seed=5)
    assert some["HeNormal (24, 16) float32"] == _digest(expected)
    expected = fastinit.orthogonal((3, 3, 4, 8), seed=5, dtype=np.float16)
    assert some["Orthogonal (3, 3, 4, 8) float16"] == _digest(expected)


def test_models_saved_under_other_backends_load_in_another_process(reports):
    report = _report(reports, "numpy")
    assert report["outcomes"]["load"] == "ok", report["outcomes"]["load"]
    assert report["saved_by"] == [b for b in BACKENDS if _available(b) and b != "numpy"]
    assert report["saved_by"], "no other backend to load from"
    assert report["loaded"] == INITIALIZERS_IN_THE_MODEL


def test_models_agree_across_backends(reports):
    outputs = {b: np.array(_report(reports, b)["y"]) for b in BACKENDS
               if _available(b) and "y" in reports[b]}
    assert len(outputs) >= 2
    first = next(iter(outputs.values()))
    for backend, y in outputs.items():
        # identical weights; only the backends' float32 arithmetic differs
        np.testing.assert_allclose(y, first, rtol=1e-4, atol=1e-6, err_msg=backend)
    registered = _report(reports, "numpy")["registered_names"]
    assert registered == sorted(f"fastinit>{name}" for name in INITIALIZERS_IN_THE_MODEL)


def _run(source, env):
    return subprocess.run([sys.executable, "-c", source], env=env, capture_output=True,
                          text=True, timeout=300)


def test_import_errors_say_what_to_do():
    blocked = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'keras' or name.startswith('keras.'):\n"
        "            raise ImportError('no keras here')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import fastinit\n"
        "try:\n"
        "    import fastinit.keras\n"
        "except ImportError as e:\n"
        "    print('ImportError:', e)\n"
    )
    result = _run(blocked, _child_env("numpy"))
    assert result.returncode == 0, result.stderr
    assert "pip install keras" in result.stdout
    if importlib.util.find_spec("tensorflow") is None:
        # Keras installed, its configured backend not: the message names KERAS_BACKEND
        failing = "try:\n    import fastinit.keras\nexcept ImportError as e:\n    print(e)\n"
        result = _run(failing, _child_env("tensorflow"))
        assert result.returncode == 0, result.stderr
        assert "KERAS_BACKEND" in result.stdout
