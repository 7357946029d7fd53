"""Ctrl-C during a long fill.

A fill of many gigabytes answers SIGINT with KeyboardInterrupt within about
half a second and leaves no thread behind.  Each case runs in a fresh
interpreter that fills a 4 GiB buffer over and over; the test sends SIGINT
after about a second, while a fill is running, and the child reports when it
caught KeyboardInterrupt (CLOCK_MONOTONIC is shared by all processes) and
how many threads it has left, counted by Python and by the kernel
(/proc/self/task).
"""

import os
import select
import signal
import subprocess
import sys
import time

import pytest

import fastinit
from _markers import GIB, available_memory_bytes, slow

LATENCY_BOUND_SECONDS = 0.5
SIGNAL_AFTER_SECONDS = 1.0
BUFFER_BYTES = 4 * GIB

CHILD_SCRIPT = r"""
import os, sys, threading, time
import numpy as np
import fastinit

def os_thread_count():
    return len(os.listdir("/proc/self/task"))

case = sys.argv[1]
gib = 1 << 30
if case == "normal_float32":
    out = np.empty(gib, np.float32)
    fill = lambda: fastinit.normal(out.shape, seed=1, out=out, threads=2)
elif case == "normal_float32_auto_threads":
    out = np.empty(gib, np.float32)
    fill = lambda: fastinit.normal(out.shape, seed=1, out=out)
elif case == "fresh_array":
    fill = lambda: fastinit.normal(gib, seed=1, threads=2)
elif case == "normal_float64":
    out = np.empty(gib // 2, np.float64)
    fill = lambda: fastinit.normal(out.shape, seed=1, dtype=np.float64, out=out, threads=2)
elif case == "truncated_normal_float32":
    out = np.empty(gib, np.float32)
    fill = lambda: fastinit.truncated_normal(out.shape, seed=1, out=out, threads=2)
elif case == "float16_through_chunks":
    out = np.empty(2 * gib, np.float16)
    fill = lambda: fastinit.normal(out.shape, seed=1, dtype=np.float16, out=out, threads=2)
elif case == "fortran_order_through_chunks":
    out = np.empty((1 << 15, 1 << 15), np.float32, order="F")
    fill = lambda: fastinit.uniform(out.shape, seed=1, out=out, threads=2)
elif case == "region_of_wider_array":
    out = np.empty((1 << 15, 1 << 15), np.float32)
    fill = lambda: fastinit.normal((1 << 15, (1 << 15) + 3), seed=1, out=out,
                                   region=(slice(None), slice(2, (1 << 15) + 2)), threads=2)
else:
    raise SystemExit("unknown case " + case)

fastinit.normal(1 << 20, seed=0, threads=2)   # warm up the threaded path
baseline = os_thread_count()
print("READY", fastinit.isa(), flush=True)
deadline = time.monotonic() + 120
fills = 0
in_fill = False
try:
    while time.monotonic() < deadline:
        in_fill = True
        fill()
        in_fill = False
        fills += 1
    print("NOT_INTERRUPTED", fills, flush=True)
except KeyboardInterrupt:
    caught = time.monotonic()
    # the engine's threads have been joined by now, or never will be
    time.sleep(0.2)
    print("INTERRUPTED", repr(caught), fills, in_fill, threading.active_count(),
          os_thread_count(), baseline, flush=True)
"""


def run_interrupted(case, env=None):
    """Run the child for `case`, send SIGINT ~1 s into its fills, return a dict
    of what it reported."""
    if available_memory_bytes() < BUFFER_BYTES + 2 * GIB:
        pytest.skip("needs 6 GiB of available memory")
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))
    child_env = dict(os.environ)
    child_env.pop("FASTINIT_ISA", None)
    child_env.update({
        "PYTHONPATH": os.pathsep.join(filter(None, [package_parent,
                                                    child_env.get("PYTHONPATH")])),
        # No BLAS thread pools: every thread the child has is the engine's or its own.
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
    })
    child_env.update(env or {})
    child = subprocess.Popen([sys.executable, "-c", CHILD_SCRIPT, case], env=child_env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ready, _, _ = select.select([child.stdout], [], [], 120)
        assert ready, "the child did not start"
        line = child.stdout.readline()
        assert line.startswith("READY"), line + child.stderr.read()
        time.sleep(SIGNAL_AFTER_SECONDS)
        sent = time.monotonic()
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, stdout + stderr
    fields = stdout.split()
    assert fields and fields[0] == "INTERRUPTED", stdout + stderr
    caught, fills, in_fill, python_threads, os_threads, baseline = fields[1:7]
    return dict(latency=float(caught) - sent, fills=int(fills), in_fill=in_fill == "True",
                python_threads=int(python_threads), os_threads=int(os_threads),
                baseline_os_threads=int(baseline), isa=line.split()[1])


def check_prompt_and_clean(report):
    assert report["in_fill"], "the signal arrived between fills, not during one"
    assert report["latency"] <= LATENCY_BOUND_SECONDS, (
        f"KeyboardInterrupt came {report['latency']:.3f} s after SIGINT")
    assert report["python_threads"] == 1
    assert report["os_threads"] == report["baseline_os_threads"], report


def test_sigint_stops_a_4gib_normal_fill_promptly():
    check_prompt_and_clean(run_interrupted("normal_float32"))


@slow
@pytest.mark.parametrize("case", [
    "normal_float32_auto_threads",
    "fresh_array",
    "normal_float64",
    "truncated_normal_float32",
    "float16_through_chunks",
    "fortran_order_through_chunks",
    "region_of_wider_array",
])
def test_sigint_stops_every_kind_of_long_fill_promptly(case):
    check_prompt_and_clean(run_interrupted(case))


@slow
@pytest.mark.parametrize("case", ["normal_float32", "truncated_normal_float32"])
def test_sigint_stops_a_scalar_path_fill_promptly(case):
    report = run_interrupted(case, env={"FASTINIT_ISA": "scalar"})
    assert report["isa"] == "scalar"
    check_prompt_and_clean(report)
