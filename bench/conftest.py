"""pytest configuration of fastinit's benchmark suites (pytest-benchmark).

The suites are ``bench_*.py`` files. They are collected when this directory
(``pytest bench``) or one of the files is named on the command line, never by
a plain ``pytest`` run of the test suite.

Environment variables:

``FASTINIT_BENCH_SIZES``
    Comma-separated element counts for ``bench_engine.py`` (``2**20`` style
    allowed); default ``2**24,2**27``.
``FASTINIT_BENCH_SHAPE``
    ``ROWSxCOLS`` of the He-normal matrix of ``bench_initializers.py``;
    default ``16384x8192``.
``FASTINIT_BENCH_ROUNDS``
    Timed rounds per benchmark after one warm-up round; default 5.
"""

import os
import pathlib
import platform

import numpy as np

from fastinit._timing import first_touched
import pytest

BENCH_DIR = pathlib.Path(__file__).resolve().parent

DEFAULT_SIZES = (2**24, 2**27)
DEFAULT_SHAPE = (16384, 8192)
DEFAULT_ROUNDS = 5


def parse_count(text):
    """An element count written as ``16777216`` or ``2**24``."""
    text = text.strip().replace("^", "**")
    if "**" in text:
        base, exponent = text.split("**", 1)
        value = int(base) ** int(exponent)
    else:
        value = int(text)
    if value < 1:
        raise ValueError(f"element counts must be positive, got {text!r}")
    return value


class ReplayClock:
    """A clock that advances only by the durations the child reports.

    Used as the pytest-benchmark timer of the forced-AVX2 benchmarks: the
    round's start and end readings differ by exactly the fill time measured
    inside the child with time.perf_counter.
    """

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def bench_sizes():
    """Element counts of bench_engine.py (FASTINIT_BENCH_SIZES or the default)."""
    text = os.environ.get("FASTINIT_BENCH_SIZES", "").strip()
    if not text:
        return DEFAULT_SIZES
    return tuple(parse_count(part) for part in text.split(",") if part.strip())


def bench_shape():
    """Matrix shape of bench_initializers.py (FASTINIT_BENCH_SHAPE or the default)."""
    text = os.environ.get("FASTINIT_BENCH_SHAPE", "").strip().lower()
    if not text:
        return DEFAULT_SHAPE
    rows, cols = (parse_count(part) for part in text.split("x"))
    return rows, cols


def bench_rounds():
    """Timed rounds per benchmark (FASTINIT_BENCH_ROUNDS or the default)."""
    return int(os.environ.get("FASTINIT_BENCH_ROUNDS", DEFAULT_ROUNDS))


def size_id(n):
    """'n=2^24' for powers of two, 'n=1000' otherwise."""
    if n & (n - 1) == 0:
        return f"n=2^{n.bit_length() - 1}"
    return f"n={n}"


class BufferCache:
    """Preallocated, first-touched output buffers, one per (shape, dtype).

    A 2**27-element float64 buffer is 1 GiB: tests share one per size and
    the owner of the cache frees them when the size changes.
    """

    def __init__(self):
        self._buffers = {}

    def get(self, shape, dtype):
        """The buffer of this shape and dtype, allocated on first use."""
        key = (tuple(np.atleast_1d(shape)), np.dtype(dtype))
        buffer = self._buffers.get(key)
        if buffer is None:
            # first touched outside the timed region: page faults are not timed
            buffer = self._buffers[key] = first_touched(key[0], key[1], "buffer")
        return buffer

    def clear(self):
        """Drop every buffer."""
        self._buffers.clear()


@pytest.fixture(scope="session")
def buffer_cache():
    """The session's BufferCache."""
    cache = BufferCache()
    yield cache
    cache.clear()


@pytest.fixture
def time_fill(benchmark):
    """Time a fill with one warm-up round and bench_rounds() timed rounds.

    Returns a function ``time_fill(target, elements, group)``;
    ``extra_info['elements']`` lets a reader turn the times into nanoseconds
    per element.
    """
    def run(target, elements, group):
        benchmark.group = group
        benchmark.extra_info["elements"] = elements
        benchmark.extra_info["ns_per_element_min"] = None
        benchmark.pedantic(target, rounds=bench_rounds(), warmup_rounds=1, iterations=1)
        if benchmark.stats is not None:
            benchmark.extra_info["ns_per_element_min"] = benchmark.stats.stats.min / elements * 1e9
    return run


@pytest.fixture(scope="module")
def bench_size(request, buffer_cache):
    """An element count of bench_sizes(); its buffers are freed afterwards."""
    yield request.param
    buffer_cache.clear()


@pytest.fixture(scope="session")
def he_shape():
    """The matrix shape of bench_initializers.py."""
    return bench_shape()


def pytest_generate_tests(metafunc):
    if "bench_size" in metafunc.fixturenames:
        metafunc.parametrize("bench_size", bench_sizes(), ids=size_id,
                             indirect=True, scope="module")


def pytest_collect_file(file_path, parent):
    # Named files are collected by pytest itself; bench_*.py are collected
    # here only when this directory is named on the command line.
    if (file_path.suffix == ".py" and file_path.name.startswith("bench_")
            and file_path.parent == BENCH_DIR
            and not parent.session.isinitpath(file_path)
            and parent.session.isinitpath(BENCH_DIR)):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


def pytest_benchmark_update_machine_info(config, machine_info):
    import fastinit

    machine_info["fastinit_version"] = getattr(fastinit, "__version__", "unknown")
    machine_info["fastinit_isa"] = fastinit.isa()
    machine_info["numpy_version"] = np.__version__
    machine_info["platform"] = platform.platform()
    try:
        import torch
    except ImportError:
        pass
    else:
        machine_info["torch_version"] = torch.__version__
        machine_info["torch_threads"] = torch.get_num_threads()
