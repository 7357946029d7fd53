"""fastinit.torch against torch: in-place fills, a GPT-like model, many small tensors.

    pytest bench/bench_torch.py

Groups (one table each; compare rows within a table):

* ``fill <method> <dtype> <threads>T``: the twin (``fastinit.torch.normal_``,
  ``uniform_``, ``kaiming_normal_``) against ``torch.nn.init``'s on the same
  preallocated tensor of FASTINIT_BENCH_TORCH_SIZE elements (default 2**26),
  float32 and bfloat16.  "1T"/"2T" pin the process to that many CPUs
  (``os.sched_setaffinity``) and set ``torch.set_num_threads`` likewise, so
  both libraries get the same cores.  Targets: the twin >= 4x faster on one
  thread, >= 7x on two.
* ``gpt <dtype> in process``: a GPT-like model (FASTINIT_BENCH_GPT,
  default vocabulary 32000, width 1024, 22 blocks: about 343M parameters)
  built by torch on CPU with its default init, by meta + ``to_empty`` +
  every module's ``reset_parameters``, and by ``fastinit.torch.materialize``
  of the meta model (built under ``fastinit.torch.meta_device()``, which
  skips torch's initializers on meta tensors, and under plain
  ``torch.device("meta")``).  Target: materialize >= 8x faster than both
  torch rows.
* ``gpt <dtype> fresh process``: the same three in a new Python process
  each round; the timed span is the whole child, imports included: torch's
  rows import torch, fastinit's import torch and ``fastinit.torch`` (in the
  builder, as a user would); ``extra_info["build_seconds"]`` holds the build
  alone as measured inside the child.
* ``small <method> <dtype>``: FASTINIT_BENCH_SMALL tensors (default
  5000x1024: 5,000 tensors of 1,024 elements) filled one by one, the twin
  against torch, on one CPU.  Target: fastinit's total no slower.

A smoke run: ``FASTINIT_BENCH_TORCH_SIZE=2**18 FASTINIT_BENCH_GPT=1000x64x2
FASTINIT_BENCH_SMALL=200x1024 FASTINIT_BENCH_ROUNDS=1 pytest bench/bench_torch.py``.
"""

import contextlib
import math
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import bench_rounds, parse_count
from gpt_model import BUILDERS, gpt_config

torch = pytest.importorskip("torch")
pytest.importorskip("ml_dtypes")
import fastinit.torch as ft  # noqa: E402

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)

DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16}


def fill_size():
    return parse_count(os.environ.get("FASTINIT_BENCH_TORCH_SIZE", "2**26"))


def small_config():
    text = os.environ.get("FASTINIT_BENCH_SMALL", "5000x1024")
    count, elements = (int(part) for part in text.lower().split("x"))
    return count, elements


@contextlib.contextmanager
def cpus(n):
    """Run on `n` CPUs (fewer if the machine has fewer), torch likewise."""
    try:
        previous = os.sched_getaffinity(0)
    except AttributeError:  # pragma: no cover - not Linux
        previous = None
    torch_threads = torch.get_num_threads()
    if previous is not None:
        os.sched_setaffinity(0, sorted(previous)[:n])
    torch.set_num_threads(n)
    try:
        yield
    finally:
        if previous is not None:
            os.sched_setaffinity(0, previous)
        torch.set_num_threads(torch_threads)


def timed(benchmark, target, group, elements):
    benchmark.group = group
    benchmark.extra_info["elements"] = elements
    benchmark.pedantic(target, rounds=bench_rounds(), warmup_rounds=1, iterations=1)
    if benchmark.stats is not None:
        benchmark.extra_info["ns_per_element_min"] = benchmark.stats.stats.min / elements * 1e9


# --- in-place fills ------------------------------------------------------------------------------

_TENSORS = {}


def big_tensor(dtype):
    n = fill_size()
    key = (n, dtype)
    if key not in _TENSORS:
        _TENSORS.clear()
        side = 1 << (max(n.bit_length() - 1, 0) // 2)
        tensor = torch.empty(side, n // side, dtype=dtype)
        tensor.fill_(1.0)  # first touch outside the timed region
        _TENSORS[key] = tensor
    return _TENSORS[key]


FILLS = {
    "normal_": ((0.0, 0.02), {}),
    "uniform_": ((-0.1, 0.1), {}),
    "kaiming_normal_": ((), {"nonlinearity": "relu"}),
}


@pytest.mark.parametrize("threads", (1, 2), ids=lambda t: f"{t}T")
@pytest.mark.parametrize("dtype_name", list(DTYPES))
@pytest.mark.parametrize("method", list(FILLS))
@pytest.mark.parametrize("library", ["fastinit", "torch"])
def test_fill(benchmark, library, method, dtype_name, threads):
    tensor = big_tensor(DTYPES[dtype_name])
    args, kwargs = FILLS[method]
    if library == "fastinit":
        twin = getattr(ft, method)
        generator = ft.manual_seed(0)

        def target():
            twin(tensor, *args, generator=generator, **kwargs)
    else:
        function = getattr(torch.nn.init, method)

        def target():
            function(tensor, *args, **kwargs)
    with cpus(threads):
        timed(benchmark, target, f"fill {method} {dtype_name} {threads}T", tensor.numel())


# --- a GPT-like model (its builders: bench/gpt_model.py) ----------------------------------

def gpt_parameters():
    vocab, width, blocks = gpt_config()
    per_block = 12 * width * width + 13 * width
    return 2 * vocab * width + 2048 * width + blocks * per_block + 2 * width


@pytest.mark.parametrize("dtype_name", list(DTYPES))
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_gpt_in_process(benchmark, builder, dtype_name):
    dtype = DTYPES[dtype_name]
    build = BUILDERS[builder]
    benchmark.extra_info["parameters"] = gpt_parameters()

    def target():
        model = build(dtype)
        del model
    timed(benchmark, target, f"gpt {dtype_name} in process", gpt_parameters())


# The child imports what a user of its builder would (torch, and fastinit.torch
# in fastinit's builders), none of the benchmark's own tools.
CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {bench!r})
    import torch
    import gpt_model
    build = gpt_model.BUILDERS[{builder!r}]
    start = time.perf_counter()
    model = build(getattr(torch, {dtype!r}))
    print(time.perf_counter() - start)
""")


@pytest.mark.parametrize("dtype_name", list(DTYPES))
@pytest.mark.parametrize("builder", list(BUILDERS))
def test_gpt_fresh_process(benchmark, builder, dtype_name):
    code = CHILD.format(bench=BENCH_DIR, builder=builder, dtype=dtype_name)
    env = dict(os.environ, PYTHONPATH=ROOT)
    inner = []

    def target():
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env=env, cwd=ROOT, check=True, timeout=1800)
        inner.append(float(result.stdout.strip().splitlines()[-1]))
    timed(benchmark, target, f"gpt {dtype_name} fresh process", gpt_parameters())
    benchmark.extra_info["build_seconds"] = min(inner)


# --- many small tensors ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype_name", list(DTYPES))
@pytest.mark.parametrize("method", ["normal_", "kaiming_uniform_"])
@pytest.mark.parametrize("library", ["fastinit", "torch"])
def test_small(benchmark, library, method, dtype_name):
    count, elements = small_config()
    side = int(math.isqrt(elements))
    shape = (side, elements // side)
    tensors = [torch.empty(shape, dtype=DTYPES[dtype_name]) for _ in range(count)]
    if library == "fastinit":
        function = getattr(ft, method)
        ft.manual_seed(0)
    else:
        function = getattr(torch.nn.init, method)

    def target():
        for tensor in tensors:
            function(tensor)
    with cpus(1):
        timed(benchmark, target, f"small {method} {dtype_name} {count}x{elements}",
              count * elements)
