"""float16 and bfloat16 fills (converted inside the kernels) against the
float32 fill of the same size, in one group per method and size, so the
ratio comes from one run (target: a float16/bfloat16 normal fill within
1.3x of a float32 one).

    pytest bench/bench_half.py
    FASTINIT_BENCH_SIZES=2**20 pytest bench/bench_half.py    # smoke run
"""

import numpy as np
import pytest

import fastinit


def _dtype(name):
    if name == "bfloat16":
        ml_dtypes = pytest.importorskip("ml_dtypes")
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


@pytest.mark.parametrize("dtype", ("float32", "float16", "bfloat16"))
@pytest.mark.parametrize("method", ("normal", "uniform", "truncated_normal"))
def test_fastinit_half(time_fill, bench_size, method, dtype):
    buffer = np.empty(bench_size, _dtype(dtype))
    buffer.fill(0)  # first touch outside the timing
    fill = getattr(fastinit, method)
    time_fill(lambda: fill(bench_size, dtype=buffer.dtype, seed=1, out=buffer, threads=1),
              bench_size, f"{method} narrow dtypes n={bench_size}")
