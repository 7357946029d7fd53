"""Write tests/data/golden_v1.json: the frozen bits of stream format v1.

Run only to create the file for a new format version; ``test_golden.py``
checks the current code against the committed file.  Each case is a call of
the public API; the file holds the SHA-256 of the output's bytes and its
first values (as hex words, so that NaN payloads and signed zeros are kept).
"""
import hashlib
import json
import os
import sys

import numpy as np

import fastinit

try:
    import ml_dtypes
    BF16 = np.dtype(ml_dtypes.bfloat16)
except ImportError:  # pragma: no cover
    BF16 = None

N = 4099  # odd, not a multiple of any batch, crosses several blocks
SEEDS = [0, 1, 2**64 - 1, 2**64 - 2, 0x0123456789ABCDEF]
STREAMS = [0, 2**64 - 1, "encoder.layers.0.linear1.weight"]
BLOCKS = [0, 2**32 - 3, 2**40 + 5]
DTYPES = ["float32", "float64", "float16", "bfloat16"]


def _dtype(name):
    return BF16 if name == "bfloat16" else np.dtype(name)


def engine_cases():
    yield "random_raw", {"n": N}, "uint32"
    for dt in DTYPES:
        yield "uniform", {"shape": N, "dtype": dt}, dt
        yield "uniform", {"shape": N, "low": -3.5, "high": 0.25, "dtype": dt}, dt
        yield "normal", {"shape": N, "dtype": dt}, dt
        yield "normal", {"shape": N, "mean": 1.5, "std": 0.02, "dtype": dt}, dt
        yield "truncated_normal", {"shape": N, "dtype": dt}, dt
        yield "truncated_normal", {"shape": N, "mean": 0.5, "std": 2.0, "a": -1.0, "b": 4.0,
                                   "dtype": dt}, dt
        yield "truncated_normal", {"shape": N, "a": 3.0, "b": 6.0, "dtype": dt}, dt


def initializer_cases():
    shape = (37, 61)
    conv = (3, 3, 7, 11)
    for dt in DTYPES:
        for name in ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal",
                     "lecun_uniform", "lecun_normal"]:
            yield name, {"shape": shape, "dtype": dt}, dt
            yield name, {"shape": conv, "dtype": dt, "layout": "torch"}, dt
        yield "he_normal", {"shape": shape, "a": 0.1, "mode": "fan_out",
                            "nonlinearity": "leaky_relu", "dtype": dt}, dt
        yield "xavier_uniform", {"shape": shape, "gain": 5.0 / 3, "dtype": dt}, dt
        for dist in ["truncated_normal", "normal", "uniform"]:
            for mode in ["fan_in", "fan_out", "fan_avg", "fan_geo_avg"]:
                yield "variance_scaling", {"shape": conv, "scale": 2.0, "mode": mode,
                                           "distribution": dist, "dtype": dt}, dt
        yield "orthogonal", {"shape": (24, 40), "dtype": dt}, dt
        yield "orthogonal", {"shape": (40, 24), "gain": 2.0, "dtype": dt}, dt
        yield "sparse", {"shape": (30, 20), "sparsity": 0.3, "dtype": dt}, dt
        yield "init", {"shape": shape, "activation": "tanh", "dtype": dt}, dt
        yield "init", {"shape": shape, "activation": "selu", "dtype": dt}, dt


def deterministic_cases():
    for dt in DTYPES:
        yield "zeros", {"shape": (5, 7), "dtype": dt}, dt
        yield "ones", {"shape": (5, 7), "dtype": dt}, dt
        yield "constant", {"shape": (5, 7), "value": 0.1, "dtype": dt}, dt
        yield "eye", {"shape": (5, 7), "dtype": dt}, dt
        yield "dirac", {"shape": (3, 3, 4, 4), "dtype": dt}, dt


def _encode(kwargs):
    return {k: v for k, v in kwargs.items()}


def _call(func, kwargs):
    kw = dict(kwargs)
    if "dtype" in kw:
        kw["dtype"] = _dtype(kw["dtype"])
    return getattr(fastinit, func)(**kw)


def _record(array, dtype_name):
    array = np.ascontiguousarray(array)
    words = array.view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[array.itemsize])
    return {
        "dtype": dtype_name,
        "shape": list(array.shape),
        "sha256": hashlib.sha256(array.tobytes()).hexdigest(),
        "first": [format(int(w), "x") for w in words.reshape(-1)[:6]],
    }


def cases():
    """Every case as (label, function, kwargs, dtype name)."""
    for func, kw, dt in engine_cases():
        for seed in SEEDS:
            for stream in STREAMS:
                for block in BLOCKS:
                    yield func, dict(kw, seed=seed, stream=stream, block=block), dt
        # regions of a 2-d logical array, including ones crossing block edges
        if func != "random_raw":
            base = {k: v for k, v in kw.items() if k != "shape"}
            for region in [((3, 17), (5, 63)), ((0, 64), (0, 63)), ((63, 64), (1, 2))]:
                yield func, dict(base, shape=(64, 63), seed=7, stream="r", block=3,
                                 region=region), dt
    for func, kw, dt in initializer_cases():
        for seed in [0, 2**64 - 1]:
            yield func, dict(kw, seed=seed, stream="layer.weight"), dt
        if func not in ("orthogonal",):
            region = ((1, 9), (2, 5)) if len(kw["shape"]) == 2 else ((0, 2), (1, 3), (0, 7), (4, 9))
            yield func, dict(kw, seed=11, stream=3, region=region), dt
    for func, kw, dt in deterministic_cases():
        yield func, kw, dt


def _region(kwargs):
    kw = dict(kwargs)
    if "region" in kw:
        kw["region"] = tuple(slice(a, b) for a, b in kw["region"])
    return kw


def generator_sequence():
    """One Generator's calls in order: each call's output depends on the ones before."""
    steps = [
        ("random_raw", {"n": 13}, "uint32"),
        ("normal", {"shape": (17, 3)}, "float32"),
        ("he_normal", {"shape": (40, 30)}, "float32"),
        ("uniform", {"shape": 9, "low": -1.0, "high": 1.0, "dtype": "float64"}, "float64"),
        ("truncated_normal", {"shape": 33, "dtype": "bfloat16"}, "bfloat16"),
        ("xavier_uniform", {"shape": (8, 8), "dtype": "float16"}, "float16"),
        ("he_normal", {"shape": (100, 50), "region": ((10, 20), (0, 50))}, "float32"),
        ("orthogonal", {"shape": (6, 6)}, "float32"),
        ("sparse", {"shape": (10, 4), "sparsity": 0.5}, "float32"),
        ("lecun_normal", {"shape": (5, 5), "dtype": "float64"}, "float64"),
    ]
    return steps


def build():
    out = {"format": 1, "cases": [], "generator": []}
    for func, kw, dt in cases():
        array = _call(func, _region(kw))
        out["cases"].append({"func": func, "kwargs": _encode(kw), **_record(array, dt)})
    for seed, stream, block in [(0, 0, 0), (2**64 - 1, "g", 2**32 - 1)]:
        g = fastinit.Generator(seed=seed, stream=stream)
        if block:
            # a one-element region of a huge logical array advances the
            # generator past every block of the array
            g.uniform(4 * block, region=(slice(0, 1),))
        seq = []
        for func, kw, dt in generator_sequence():
            k = _region(kw)
            if "dtype" in k:
                k["dtype"] = _dtype(k["dtype"])
            array = getattr(g, func)(**k)
            seq.append({"func": func, "kwargs": kw, **_record(array, dt)})
        out["generator"].append({"seed": seed, "stream": stream, "advance_blocks": block,
                                 "block_after": g.block, "steps": seq})
    return out


if __name__ == "__main__":
    path = os.path.join(os.path.dirname(__file__), "data", "golden_v1.json")
    if os.path.exists(path) and "--force" not in sys.argv:
        sys.exit(f"{path} exists: the bits of format v1 are frozen (pass --force to rewrite)")
    data = build()
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=0, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)
    print(path)
