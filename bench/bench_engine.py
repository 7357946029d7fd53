"""Raw fills: fastinit against numpy.random, numpy's fill and torch.

Every contender fills the same preallocated, first-touched buffer of n
elements, n in FASTINIT_BENCH_SIZES (default 2**24 and 2**27), so that
neither allocation nor page faults are timed.

    pytest bench/bench_engine.py
    FASTINIT_BENCH_SIZES=2**20 pytest bench/bench_engine.py    # smoke run

Groups (one table each): "<method> <dtype> n=2^k". The forced-AVX2 fastinit
rows are measured in a child process started with FASTINIT_ISA=avx2 (the
SIMD level is chosen once, at import); the child times each fill itself and
the timer of those benchmarks replays the child's times, so the pipe to the
child is not timed.
"""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import fastinit
from conftest import ReplayClock

THREADS = (1, 2)
DTYPES = ("float32", "float64")
BIT_GENERATORS = ("PCG64", "Philox")


def _group(method, dtype, n):
    return f"{method} {dtype} n={n}"


@pytest.mark.parametrize("threads", THREADS, ids=lambda t: f"{t}T")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", ("normal", "uniform"))
def test_fastinit(time_fill, buffer_cache, bench_size, method, dtype, threads):
    buffer = buffer_cache.get(bench_size, dtype)
    fill = getattr(fastinit, method)
    shape = buffer.shape
    time_fill(lambda: fill(shape, dtype=buffer.dtype, seed=1, out=buffer, threads=threads),
              bench_size, _group(method, dtype, bench_size))


@pytest.mark.parametrize("bit_generator", BIT_GENERATORS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", ("normal", "uniform"))
def test_numpy(time_fill, buffer_cache, bench_size, method, dtype, bit_generator):
    buffer = buffer_cache.get(bench_size, dtype)
    rng = np.random.Generator(getattr(np.random, bit_generator)(1))
    if method == "normal":
        target = lambda: rng.standard_normal(out=buffer, dtype=buffer.dtype)  # noqa: E731
    else:
        target = lambda: rng.random(out=buffer, dtype=buffer.dtype)  # noqa: E731
    time_fill(target, bench_size, _group(method, dtype, bench_size))


@pytest.mark.parametrize("dtype", DTYPES)
def test_numpy_fill_constant(time_fill, buffer_cache, bench_size, dtype):
    """buf.fill(1.0): what writing the buffer with ordinary stores costs."""
    buffer = buffer_cache.get(bench_size, dtype)
    time_fill(lambda: buffer.fill(1.0), bench_size, _group("uniform", dtype, bench_size))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("method", ("normal", "uniform"))
def test_torch(time_fill, buffer_cache, bench_size, method, dtype):
    torch = pytest.importorskip("torch")
    tensor = torch.from_numpy(buffer_cache.get(bench_size, dtype))
    target = tensor.normal_ if method == "normal" else tensor.uniform_
    time_fill(target, bench_size, _group(method, dtype, bench_size))


# ----------------------------------------------------------- forced AVX2 path

REPLAY_CLOCK = ReplayClock()


class Avx2Child:
    """A child process running fastinit with FASTINIT_ISA=avx2."""

    def __init__(self, n):
        # The child must import the same fastinit as this process.
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))
        python_path = os.pathsep.join(
            [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
        env = dict(os.environ, FASTINIT_ISA="avx2", PYTHONPATH=python_path)
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--child", str(n)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env)
        self.ready = json.loads(self.process.stdout.readline() or "null")
        if self.ready is None:
            error = self.process.stderr.read().strip().splitlines()
            self.close()
            self.error = error[-1] if error else "the child exited without a word"
        else:
            self.error = None

    def fill(self, method, threads):
        """Run one fill in the child; return its duration in seconds."""
        self.process.stdin.write(f"{method} {threads}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["seconds"]

    def close(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=60)


@pytest.fixture(scope="module")
def avx2_child(bench_size):
    child = Avx2Child(bench_size)
    if child.error is not None:
        pytest.skip(f"fastinit cannot run its AVX2 path here: {child.error}")
    if child.ready["isa"] != "avx2":
        child.close()
        pytest.fail(f"FASTINIT_ISA=avx2 gave fastinit.isa() == {child.ready['isa']!r}")
    yield child
    child.close()


@pytest.mark.benchmark(timer=REPLAY_CLOCK)
@pytest.mark.parametrize("threads", THREADS, ids=lambda t: f"{t}T")
@pytest.mark.parametrize("method", ("normal", "uniform"))
def test_fastinit_forced_avx2(time_fill, avx2_child, bench_size, method, threads):
    time_fill(lambda: REPLAY_CLOCK.advance(avx2_child.fill(method, threads)),
              bench_size, _group(method, "float32", bench_size))


def _child_main(n):
    """Serve timed float32 fills of n elements: one JSON line per request."""
    buffer = np.empty(n, dtype=np.float32)
    buffer.fill(1.0)
    print(json.dumps({"isa": fastinit.isa()}), flush=True)
    for request in sys.stdin:
        method, threads = request.split()
        fill = getattr(fastinit, method)
        start = time.perf_counter()
        fill(buffer.shape, seed=1, out=buffer, threads=int(threads))
        seconds = time.perf_counter() - start
        print(json.dumps({"seconds": seconds}), flush=True)


if __name__ == "__main__" and len(sys.argv) == 3 and sys.argv[1] == "--child":
    _child_main(int(sys.argv[2]))
