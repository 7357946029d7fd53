"""Shared fixtures of the fastinit test suite."""

import os
import subprocess
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    # `reference` (the NumPy model of the stream format) lives next to the tests.
    sys.path.insert(0, TESTS_DIR)


@pytest.fixture
def run_python():
    """Run Python source in a fresh interpreter that imports the same fastinit as this one.

    Returns a function ``run(source, env=None, timeout=600)`` giving the
    `subprocess.CompletedProcess` (text mode, stdout and stderr captured).
    ``FASTINIT_ISA`` is removed from the inherited environment unless ``env``
    sets it.
    """
    import fastinit

    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))

    def run(source, env=None, timeout=600):
        child_env = dict(os.environ)
        child_env.pop("FASTINIT_ISA", None)
        child_env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_parent, TESTS_DIR, child_env.get("PYTHONPATH")) if p
        )
        child_env.update(env or {})
        return subprocess.run(
            [sys.executable, "-c", source],
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    return run
