"""When the long (``slow``) and big-memory (``huge``) tests run.

Both markers are declared in pyproject.toml.  A ``slow`` test runs only in CI
(``CI=true``) or when ``FASTINIT_SLOW=1``; a ``huge`` test additionally needs
the memory it uses plus 2 GiB of headroom to be available right now.

Usage::

    from _markers import slow, huge

    @slow
    def test_long(): ...

    @huge(needed_bytes=9 << 30)
    def test_big(): ...
"""

import functools
import os

import pytest

GIB = 1 << 30
HEADROOM_BYTES = 2 * GIB
SLOW_REASON = "slow test: set FASTINIT_SLOW=1"


def slow_enabled():
    """True in CI (``CI=true``) or when ``FASTINIT_SLOW=1``."""
    return os.environ.get("CI", "").strip().lower() == "true" or (
        os.environ.get("FASTINIT_SLOW", "").strip() == "1")


def available_memory_bytes():
    """Memory available to new allocations without swapping, in bytes.

    psutil's figure when psutil is installed, else ``MemAvailable`` from
    /proc/meminfo; 0 when neither can be read (so memory-hungry tests skip).
    """
    try:
        import psutil
    except ImportError:
        psutil = None
    if psutil is not None:
        return int(psutil.virtual_memory().available)
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def slow(test):
    """Mark `test` ``slow``: skipped unless CI=true or FASTINIT_SLOW=1."""
    test = pytest.mark.skipif(not slow_enabled(), reason=SLOW_REASON)(test)
    return pytest.mark.slow(test)


def huge(needed_bytes):
    """Mark a test ``huge``: it needs `needed_bytes` of memory.

    The test runs only when slow tests are enabled and at least
    ``needed_bytes + 2 GiB`` are available when it starts; the memory check
    happens at run time, not at collection, because other tests free and take
    memory in between.
    """

    def decorate(test):
        def check_memory():
            available = available_memory_bytes()
            if available < needed_bytes + HEADROOM_BYTES:
                pytest.skip(
                    f"huge test needs {(needed_bytes + HEADROOM_BYTES) / GIB:.1f} GiB of "
                    f"available memory, only {available / GIB:.1f} GiB are available")

        @functools.wraps(test)
        def run(*args, **kwargs):
            check_memory()
            return test(*args, **kwargs)

        run = pytest.mark.skipif(not slow_enabled(), reason=SLOW_REASON)(run)
        return pytest.mark.huge(run)

    return decorate
