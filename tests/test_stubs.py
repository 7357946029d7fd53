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
