"""The compiled module's .pyi stub matches what it really exports."""
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")


def test_core_stub_matches_runtime():
    allowlist = Path(__file__).with_name("stubtest_allowlist.txt")
    result = subprocess.run(
        [sys.executable, "-m", "mypy.stubtest", "fastinit._core", "--allowlist", str(allowlist)],
        capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_package_type_checks():
    package = Path(__file__).resolve().parent.parent / "fastinit"
    result = subprocess.run([sys.executable, "-m", "mypy", str(package)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
