"""The type stubs match the runtime, and mypy sees the real signatures."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fastinit
from fastinit import _stubgen

pytest.importorskip("mypy")

PACKAGE = Path(fastinit.__file__).resolve().parent


def test_table_stubs_are_generated_from_the_table():
    # `python -m fastinit._stubgen` rewrites them; a stale stub fails here
    for name, render in _stubgen.STUBS.items():
        assert (PACKAGE / name).read_text() == render(), f"regenerate {name}"


@pytest.mark.parametrize("module", ["fastinit._core", "fastinit.initializers",
                                    "fastinit._generator"])
def test_stub_matches_runtime(module):
    allowlist = Path(__file__).with_name("stubtest_allowlist.txt")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", module, "--allowlist", str(allowlist),
         "--ignore-unused-allowlist"],
        capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_type_checks():
    result = subprocess.run([sys.executable, "-m", "mypy", str(PACKAGE)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_catches_a_misspelled_keyword(tmp_path):
    user_code = tmp_path / "user.py"
    user_code.write_text(textwrap.dedent("""\
        import fastinit
        fastinit.he_normal((3, 4), sed=0)
        fastinit.Generator(0).xavier_uniform((3, 4), gain="big")
        fastinit.he_normal((3, 4), seed=0, mode="fan_in")
    """))
    result = subprocess.run([sys.executable, "-m", "mypy", str(user_code)],
                            capture_output=True, text=True, timeout=900,
                            cwd=str(PACKAGE.parent))
    assert result.returncode == 1, result.stdout + result.stderr
    assert 'Unexpected keyword argument "sed"' in result.stdout
    assert 'incompatible type "str"; expected "float"' in result.stdout
    assert "user.py:4" not in result.stdout


def test_every_public_callable_has_numpydoc_sections():
    import inspect
    for name in fastinit.__all__:
        obj = getattr(fastinit, name)
        if not callable(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        parameters = [p for p in inspect.signature(obj).parameters if p != "self"]
        if parameters:
            assert "Parameters\n----------" in doc, name
        if not inspect.isclass(obj):
            assert "Returns\n-------" in doc or "Yields\n------" in doc, name


def test_signatures_are_visible_to_inspect():
    import inspect
    signature = inspect.signature(fastinit.he_normal)
    assert list(signature.parameters)[:4] == ["shape", "a", "mode", "nonlinearity"]
    assert signature.parameters["seed"].kind is inspect.Parameter.KEYWORD_ONLY
    method = inspect.signature(fastinit.Generator.he_normal)
    assert "seed" not in method.parameters and "threads" in method.parameters
