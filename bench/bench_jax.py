"""Initializing a Flax model with jax.jit(model.init) on CPU: fastinit.jax vs JAX.

The model is a stack of Dense layers (default 12 layers of 2048 x 2048 plus
biases: 50.4 million parameters).  Both contenders draw the same
distribution: JAX's default Dense kernel initializer is
``jax.nn.initializers.lecun_normal()`` (a truncated normal), fastinit's is
``fastinit.jax.lecun_normal()``; biases are zeros in both.  Each
``jax.jit(model.init)`` is compiled once outside the timed region
(``.lower(...).compile()``), so only running the initialization is timed.
Speed target: fastinit at least 5x faster.

As a pytest-benchmark suite (one table, "flax init"):

    pytest bench/bench_jax.py

or standalone, the two contenders taking turns in one process, best round of
each, with the ratio and the target's pass/fail:

    python bench/bench_jax.py                    # 12 x 2048 x 2048
    python bench/bench_jax.py --layers 2 --width 256 --repeat 2   # smoke run

Environment variables of the pytest mode: ``FASTINIT_BENCH_JAX_LAYERS``
(default 12), ``FASTINIT_BENCH_JAX_WIDTH`` (default 2048) and
``FASTINIT_BENCH_ROUNDS``.
"""

import argparse
import os
import sys
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
if __name__ == "__main__" and os.path.exists(
        os.path.join(os.path.dirname(BENCH_DIR), "fastinit", "__init__.py")):
    # the source tree this file belongs to (its extension built in place)
    # comes before any installed fastinit
    sys.path.insert(0, os.path.dirname(BENCH_DIR))

DEFAULT_LAYERS = 12
DEFAULT_WIDTH = 2048
TARGET_RATIO = 5.0
GROUP = "flax init"


def make_model(layers, width, kernel_init=None):
    """A Flax linen MLP of `layers` Dense layers of `width` x `width`."""
    import flax.linen as nn

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x):
            for _ in range(layers):
                dense = (nn.Dense(width) if kernel_init is None
                         else nn.Dense(width, kernel_init=kernel_init))
                x = nn.relu(dense(x))
            return x

    return MLP()


def compiled_init(layers, width, contender):
    """``(run, parameter_count)``: a compiled ``jax.jit(model.init)`` and its size."""
    import jax
    import jax.numpy as jnp

    if contender == "fastinit":
        import fastinit.jax as fij
        model = make_model(layers, width, fij.lecun_normal())
    else:
        model = make_model(layers, width)
    key = jax.random.key(0)
    x = jnp.ones((1, width), jnp.float32)
    compiled = jax.jit(model.init).lower(key, x).compile()
    parameters = sum(leaf.size for leaf in jax.tree_util.tree_leaves(
        jax.eval_shape(model.init, key, x)))

    def run():
        return jax.block_until_ready(compiled(key, x))

    return run, parameters


def _pytest_size():
    return (int(os.environ.get("FASTINIT_BENCH_JAX_LAYERS", DEFAULT_LAYERS)),
            int(os.environ.get("FASTINIT_BENCH_JAX_WIDTH", DEFAULT_WIDTH)))


if __name__ != "__main__":
    import pytest

    @pytest.mark.parametrize("contender", ["jax", "fastinit"])
    def test_flax_jit_init(benchmark, contender):
        pytest.importorskip("jax")
        pytest.importorskip("flax")
        from conftest import bench_rounds

        layers, width = _pytest_size()
        run, parameters = compiled_init(layers, width, contender)
        run()  # warm: the first run allocates
        benchmark.group = GROUP
        benchmark.extra_info["parameters"] = parameters
        benchmark.pedantic(run, rounds=bench_rounds(), warmup_rounds=1, iterations=1)
        if benchmark.stats is not None:
            benchmark.extra_info["ns_per_parameter_min"] = (
                benchmark.stats.stats.min / parameters * 1e9)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--layers", type=int, default=DEFAULT_LAYERS)
    parser.add_argument("--width", type=int, default=DEFAULT_WIDTH)
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    args = parser.parse_args(argv)
    if args.layers < 1 or args.width < 1 or args.repeat < 1:
        parser.error("--layers, --width and --repeat must be positive")

    import jax

    runs = {}
    for contender in ("jax", "fastinit"):
        started = time.perf_counter()
        run, parameters = compiled_init(args.layers, args.width, contender)
        compile_seconds = time.perf_counter() - started
        run()  # warm-up, untimed
        runs[contender] = run
        print(f"{contender:>8}: compiled in {compile_seconds:.2f} s (not timed)")
    best = {contender: float("inf") for contender in runs}
    for _ in range(args.repeat):
        for contender, run in runs.items():
            started = time.perf_counter()
            run()
            best[contender] = min(best[contender], time.perf_counter() - started)
    ratio = best["jax"] / best["fastinit"]
    print(f"model: {args.layers} Dense layers of {args.width} x {args.width} "
          f"({parameters / 1e6:.1f} M parameters), jax {jax.__version__} on "
          f"{jax.devices()[0].platform}, best of {args.repeat} rounds")
    print("| initializer | best time (s) | ns per parameter |")
    print("|---|---|---|")
    for contender, label in (("jax", "jax.nn.initializers.lecun_normal (Flax default)"),
                             ("fastinit", "fastinit.jax.lecun_normal")):
        print(f"| {label} | {best[contender]:.4f} | {best[contender] / parameters * 1e9:.2f} |")
    verdict = "pass" if ratio >= TARGET_RATIO else "FAIL"
    print(f"speed-up: {ratio:.1f}x (target >= {TARGET_RATIO:g}x: {verdict})")
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
