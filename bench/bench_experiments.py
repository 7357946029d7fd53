"""The depth experiment at its defaults, next to its bare matrix products.

``fastinit depth`` (ReLU or tanh, width 256, 50 layers, batch 512, the five
default methods) should take well under two seconds.  The peer is the
floor any implementation pays: the same 5 x (50 + 49) float32 matrix
products of a (512, 256) batch with (256, 256) weights, in numpy alone, so
the ratio shows the experiment's own overhead (weights, activations,
statistics) on the machine at hand.

    pytest bench/bench_experiments.py

numpy's BLAS threads matter here: on a busy host its multithreaded products
of these small matrices can be several times slower than with
OPENBLAS_NUM_THREADS=1, for the experiment and for the peer alike.
"""

import numpy as np
import pytest

from conftest import bench_rounds
from fastinit.experiments import DEFAULT_METHODS, depth_profile

GROUP = "depth experiment, defaults (width 256, depth 50, batch 512)"


@pytest.mark.parametrize("activation", ("relu", "tanh"))
def test_depth_profile_defaults(benchmark, activation):
    benchmark.group = GROUP
    profile = benchmark.pedantic(depth_profile, args=(activation,), rounds=bench_rounds(),
                                 warmup_rounds=1, iterations=1)
    assert len(profile) == len(DEFAULT_METHODS)


def test_numpy_matrix_products_alone(benchmark):
    benchmark.group = GROUP
    rng = np.random.default_rng(0)
    batch = rng.standard_normal((512, 256), dtype=np.float32)
    weights = rng.standard_normal((256, 256), dtype=np.float32) / np.float32(16)
    products = len(DEFAULT_METHODS) * (50 + 49)

    def run():
        for _ in range(products):
            np.matmul(batch, weights)

    benchmark.pedantic(run, rounds=bench_rounds(), warmup_rounds=1, iterations=1)
