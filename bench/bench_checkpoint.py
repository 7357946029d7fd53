"""Checkpoint throughput: fastinit.checkpoint.save_safetensors against ndarray.tofile.

    pytest bench/bench_checkpoint.py
    FASTINIT_BENCH_CHECKPOINT_BYTES=2**28 FASTINIT_BENCH_CHECKPOINT_ROUNDS=1 \\
        pytest bench/bench_checkpoint.py                      # smoke run

Each round runs in a fresh child process that writes one file of
FASTINIT_BENCH_CHECKPOINT_BYTES (default 2**33, 8 GiB) into
FASTINIT_BENCH_DIR (default the system's temporary directory), flushes it to
disk (fsync), reports its time and the growth of its peak RSS, and deletes
the file.  Contenders, all writing the same number of bytes to the same
disk:

* ``save_safetensors`` of eight He-normal float32 matrices, and of eight
  bfloat16 ones (bfloat16 costs a conversion per element);
* ``ndarray.tofile`` from a preallocated, first-touched float32 buffer of
  min(size, 1 GiB), written as many times as it takes (the same bytes from
  memory, no values to compute) -- the disk's own speed as NumPy sees it.

The timer replays the child's own measurement (interpreter start-up is not
timed).  ``test_targets`` checks the issue's targets: throughput >= 0.8x the
tofile figure and peak RSS <= 256 MiB above the interpreter's.
"""

import json
import os
import resource
import subprocess
import sys
import tempfile
import time

import pytest

import fastinit
from conftest import ReplayClock, parse_count

GIB = 1 << 30
SIZE_TARGET = 0.8
RSS_TARGET_BYTES = 256 << 20


def checkpoint_bytes():
    return parse_count(os.environ.get("FASTINIT_BENCH_CHECKPOINT_BYTES", "2**33"))


def checkpoint_rounds():
    return int(os.environ.get("FASTINIT_BENCH_CHECKPOINT_ROUNDS", "3"))


def bench_dir():
    return os.environ.get("FASTINIT_BENCH_DIR") or tempfile.gettempdir()


REPLAY_CLOCK = ReplayClock()
RESULTS = {}


def _run_child(kind, nbytes, directory):
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    result = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--child", kind, str(nbytes), directory],
        capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"{kind} child failed: {result.stderr.strip()}")
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.benchmark(timer=REPLAY_CLOCK)
@pytest.mark.parametrize("kind", ["tofile", "safetensors_f32", "safetensors_bf16"])
def test_write(benchmark, kind):
    nbytes = checkpoint_bytes()
    directory = bench_dir()
    benchmark.group = f"checkpoint {nbytes / GIB:g} GiB"
    benchmark.extra_info["bytes"] = nbytes
    growth = []

    def round_():
        report = _run_child(kind, nbytes, directory)
        growth.append(report["rss_growth_bytes"])
        REPLAY_CLOCK.advance(report["seconds"])

    benchmark.pedantic(round_, rounds=checkpoint_rounds(), warmup_rounds=0, iterations=1)
    best = benchmark.stats.stats.min
    benchmark.extra_info["GB_per_s"] = nbytes / best / 1e9
    benchmark.extra_info["peak_rss_growth_MiB"] = max(growth) / (1 << 20)
    RESULTS[kind] = (best, max(growth))


def test_targets():
    if not {"tofile", "safetensors_f32", "safetensors_bf16"} <= set(RESULTS):
        pytest.skip("run the whole file: the targets compare its three benchmarks")
    nbytes = checkpoint_bytes()
    lines = []
    failures = []
    for kind in ("safetensors_f32", "safetensors_bf16"):
        seconds, growth = RESULTS[kind]
        ratio = RESULTS["tofile"][0] / seconds
        lines.append(f"{kind}: {nbytes / seconds / 1e9:.2f} GB/s = {ratio:.2f}x tofile "
                     f"({nbytes / RESULTS['tofile'][0] / 1e9:.2f} GB/s), peak RSS "
                     f"+{growth / (1 << 20):.0f} MiB")
        if ratio < SIZE_TARGET:
            failures.append(f"{kind} throughput {ratio:.2f}x < {SIZE_TARGET}x tofile")
        if growth > RSS_TARGET_BYTES:
            failures.append(f"{kind} peak RSS +{growth >> 20} MiB > 256 MiB")
    print("\n" + "\n".join(lines))
    assert not failures, "; ".join(failures) + "\n" + "\n".join(lines)


# --------------------------------------------------------------------------
# the child


def _peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _child(kind, nbytes, directory):
    import numpy as np
    import fastinit.checkpoint

    path = os.path.join(directory, f"fastinit-bench-{os.getpid()}.bin")
    try:
        if kind == "tofile":
            buffer = np.empty(min(nbytes, GIB) // 4, np.float32)
            buffer.fill(1.0)
            baseline = _peak_rss_bytes()
            start = time.perf_counter()
            with open(path, "wb") as handle:
                left = nbytes
                while left > 0:
                    part = buffer if left >= buffer.nbytes else buffer[:left // 4]
                    part.tofile(handle)
                    left -= part.nbytes
                handle.flush()
                os.fsync(handle.fileno())
            seconds = time.perf_counter() - start
        else:
            dtype = "float32" if kind.endswith("f32") else "bfloat16"
            itemsize = 4 if dtype == "float32" else 2
            columns = 8192
            rows = nbytes // 8 // itemsize // columns
            specs = {f"layers.{i}.weight": fastinit.Spec("he_normal", (rows, columns),
                                                          dtype=dtype)
                     for i in range(8)}
            baseline = _peak_rss_bytes()
            start = time.perf_counter()
            fastinit.checkpoint.save_safetensors(path, specs, seed=0)
            seconds = time.perf_counter() - start
        growth = _peak_rss_bytes() - baseline
    finally:
        if os.path.exists(path):
            os.unlink(path)
    print(json.dumps({"seconds": seconds, "rss_growth_bytes": growth}), flush=True)


if __name__ == "__main__" and len(sys.argv) == 5 and sys.argv[1] == "--child":
    _child(sys.argv[2], int(sys.argv[3]), sys.argv[4])
