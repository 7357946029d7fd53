"""He-normal initialization of a large matrix: fastinit, torch and numpy.

The default matrix is 16384 x 8192 float32 (2**27 elements, 512 MiB), a
dense layer with 16384 inputs in fastinit's (inputs, outputs) layout; torch
fills the same memory viewed as its (outputs, inputs) = (8192, 16384)
layout, so both use fan_in = 16384 and the same std. Set
FASTINIT_BENCH_SHAPE=ROWSxCOLS to change it (e.g. 1024x512 for a smoke run).

    pytest bench/bench_initializers.py

"in place" rows fill a preallocated, first-touched buffer; "fresh" rows
allocate the matrix each time, as a model constructor does, so they include
the page faults of new memory.
"""

import math

import numpy as np
import pytest

import fastinit

GROUP_IN_PLACE = "he_normal float32 in place"
GROUP_FRESH = "he_normal float32 fresh"


def _std(shape):
    return fastinit.describe("he_normal", shape)["std"]


@pytest.mark.parametrize("threads", (1, 2), ids=lambda t: f"{t}T")
def test_fastinit_he_normal(time_fill, buffer_cache, he_shape, threads):
    buffer = buffer_cache.get(he_shape, np.float32)
    time_fill(lambda: fastinit.he_normal(he_shape, seed=1, out=buffer, threads=threads),
              buffer.size, GROUP_IN_PLACE)


def test_numpy_standard_normal_scaled(time_fill, buffer_cache, he_shape):
    buffer = buffer_cache.get(he_shape, np.float32)
    rng = np.random.Generator(np.random.PCG64(1))
    std = np.float32(_std(he_shape))

    def fill():
        rng.standard_normal(out=buffer, dtype=np.float32)
        np.multiply(buffer, std, out=buffer)
    time_fill(fill, buffer.size, GROUP_IN_PLACE)


def test_torch_kaiming_normal(time_fill, buffer_cache, he_shape):
    torch = pytest.importorskip("torch")
    buffer = buffer_cache.get(he_shape, np.float32)
    # torch's (out, in) view of the same memory: fan_in is he_shape[0].
    tensor = torch.from_numpy(buffer).view(he_shape[1], he_shape[0])
    time_fill(lambda: torch.nn.init.kaiming_normal_(tensor, nonlinearity="relu"),
              buffer.size, GROUP_IN_PLACE)


def test_fastinit_he_normal_fresh(time_fill, he_shape):
    time_fill(lambda: fastinit.he_normal(he_shape, seed=1), math.prod(he_shape), GROUP_FRESH)


def test_torch_kaiming_normal_fresh(time_fill, he_shape):
    torch = pytest.importorskip("torch")
    torch_shape = (he_shape[1], he_shape[0])
    time_fill(lambda: torch.nn.init.kaiming_normal_(torch.empty(torch_shape),
                                                    nonlinearity="relu"),
              math.prod(he_shape), GROUP_FRESH)


def test_numpy_standard_normal_scaled_fresh(time_fill, he_shape):
    rng = np.random.Generator(np.random.PCG64(1))
    std = np.float32(_std(he_shape))

    def fill():
        weights = rng.standard_normal(he_shape, dtype=np.float32)
        np.multiply(weights, std, out=weights)
        return weights
    time_fill(fill, math.prod(he_shape), GROUP_FRESH)
