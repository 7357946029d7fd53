"""The timed He-normal fill of the default run, and ``fastinit bench``."""
from __future__ import annotations

import os

import numpy as np

import fastinit

from .._timing import best_time, first_touched
from ._common import (BENCH_METHODS, BENCH_PEERS, BENCH_REPEAT, DEFAULT_DTYPE, DEFAULT_SEED,
                      DEMO_REPEAT, _render_table)
from .progress import ProgressBar

__all__ = ["timed_he_normal_text", "bench_text"]


def _allocate(shape, dtype):
    """A first-touched buffer, or ValueError when it cannot fit in memory."""
    return first_touched(shape, dtype, hint="choose a smaller --size")


def _threads_text(threads):
    if threads is not None:
        return f"{threads} thread{'s' * (threads != 1)}"
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return f"automatic threads, {cores} core{'s' * (cores != 1)} available"


def timed_he_normal_text(size, *, repeat=DEMO_REPEAT, threads=None, seed=DEFAULT_SEED):
    """Fill a size x size He-normal float32 matrix; time it next to numpy.

    Parameters
    ----------
    size : int
        Side of the square matrix.
    repeat : int, optional
        Timed runs after one warm-up; the best is reported.
    threads : int, optional
        Threads fastinit fills with; None for automatic.
    seed : int, optional
        Seed of both generators.

    Returns
    -------
    str
        The report.
    """
    shape = (size, size)
    std = fastinit.describe("he_normal", shape)["std"]
    weights = _allocate(shape, np.float32)
    n = weights.size

    def fill_fastinit():
        fastinit.he_normal(shape, seed=seed, out=weights, threads=threads)

    numpy_rng = np.random.Generator(np.random.PCG64(seed))
    numpy_std = np.float32(std)

    def fill_numpy():
        numpy_rng.standard_normal(out=weights, dtype=np.float32)
        np.multiply(weights, numpy_std, out=weights)

    t_fastinit = best_time(fill_fastinit, repeat)
    t_numpy = best_time(fill_numpy, repeat)
    fill_fastinit()
    corner = weights[:min(size, 512)].astype(np.float64)
    sample_std = float(corner.std())

    label_fastinit = "fastinit.he_normal(shape, out=W)"
    label_numpy = "numpy standard_normal(out=W), W *= std"
    width = max(len(label_fastinit), len(label_numpy))
    lines = [
        f"He-normal fill of a {size} x {size} float32 matrix ({n:,} elements, "
        f"std = sqrt(2/{size}) = {std:.4g}), best of {repeat} after a warm-up:",
        f"  {label_fastinit.ljust(width)}  {t_fastinit * 1e3:10.2f} ms  "
        f"{t_fastinit / n * 1e9:7.3f} ns/element  (isa {fastinit.isa()}; "
        f"{_threads_text(threads)})",
        f"  {label_numpy.ljust(width)}  {t_numpy * 1e3:10.2f} ms  "
        f"{t_numpy / n * 1e9:7.3f} ns/element  (numpy {np.__version__}, PCG64)",
        f"  fastinit is {t_numpy / t_fastinit:.1f}x as fast as numpy.random; "
        f"std of the first {corner.shape[0]} rows: {sample_std:.4g}.",
    ]
    return "\n".join(lines)



# ---------------------------------------------------------------- bench

def _import_peer(name):
    """The module of an optional peer, or None when it does not import."""
    try:
        if name == "torch":
            import torch
            return torch
        if name == "jax":
            # Compare on the CPU unless the user chose otherwise.
            os.environ.setdefault("JAX_PLATFORMS", "cpu")
            import jax
            return jax
    except Exception:  # noqa: BLE001 -- a broken optional install counts as absent
        return None
    return np if name == "numpy" else None


#: (fastinit method, torch.nn.init function or None, jax variance_scaling
#: (scale, mode, distribution) or None) for the initializers timed.
_INITIALIZER_PEERS = {
    "xavier_normal": ("xavier_normal_", (1.0, "fan_avg", "normal")),
    "xavier_uniform": ("xavier_uniform_", (1.0, "fan_avg", "uniform")),
    "he_normal": ("kaiming_normal_", (2.0, "fan_in", "normal")),
    "he_uniform": ("kaiming_uniform_", (2.0, "fan_in", "uniform")),
    "lecun_normal": (None, (1.0, "fan_in", "normal")),
    "lecun_uniform": (None, (1.0, "fan_in", "uniform")),
}


def _bench_fills(method, buffer, dtype, threads, peers):
    """Fill functions {library: callable} of one method on buffer."""
    shape = buffer.shape
    fills = {}
    fill_fastinit = getattr(fastinit, method)
    fills["fastinit"] = lambda: fill_fastinit(shape, dtype=dtype, seed=1, out=buffer,
                                              threads=threads)
    std = bound = None
    if method not in ("normal", "uniform", "truncated_normal"):
        info = fastinit.describe(method, shape)
        std, bound = info["std"], info.get("bound")

    numpy_mod = peers.get("numpy")
    if numpy_mod is not None and method != "truncated_normal":
        rng = np.random.Generator(np.random.PCG64(1))
        if method == "normal":
            fills["numpy"] = lambda: rng.standard_normal(out=buffer, dtype=dtype)
        elif method == "uniform":
            fills["numpy"] = lambda: rng.random(out=buffer, dtype=dtype)
        elif method.endswith("_normal"):
            scale = dtype.type(std)

            def fill_numpy_normal():
                rng.standard_normal(out=buffer, dtype=dtype)
                np.multiply(buffer, scale, out=buffer)
            fills["numpy"] = fill_numpy_normal
        else:
            width, low = dtype.type(2 * bound), dtype.type(-bound)

            def fill_numpy_uniform():
                rng.random(out=buffer, dtype=dtype)
                np.multiply(buffer, width, out=buffer)
                np.add(buffer, low, out=buffer)
            fills["numpy"] = fill_numpy_uniform

    torch = peers.get("torch")
    if torch is not None:
        # Square matrices: torch's (out, in) layout has the same fans.
        tensor = torch.from_numpy(buffer)
        init = torch.nn.init
        if method == "normal":
            fills["torch"] = tensor.normal_
        elif method == "uniform":
            fills["torch"] = tensor.uniform_
        elif method == "truncated_normal":
            fills["torch"] = lambda: init.trunc_normal_(tensor, 0.0, 1.0, -2.0, 2.0)
        else:
            torch_name = _INITIALIZER_PEERS[method][0]
            if torch_name is not None and torch_name.startswith("kaiming"):
                fills["torch"] = lambda: getattr(init, torch_name)(tensor, nonlinearity="relu")
            elif torch_name is not None:
                fills["torch"] = lambda: getattr(init, torch_name)(tensor)
            elif method.endswith("_normal"):
                fills["torch"] = lambda: tensor.normal_(0.0, std)
            else:
                fills["torch"] = lambda: tensor.uniform_(-bound, bound)

    jax = peers.get("jax")
    if jax is not None and (dtype == np.float32 or jax.config.jax_enable_x64):
        key = jax.random.key(1)
        if method == "normal":
            make = lambda k: jax.random.normal(k, shape, dtype)  # noqa: E731
        elif method == "uniform":
            make = lambda k: jax.random.uniform(k, shape, dtype)  # noqa: E731
        elif method == "truncated_normal":
            make = lambda k: jax.random.truncated_normal(k, -2.0, 2.0, shape, dtype)  # noqa: E731
        else:
            initializer = jax.nn.initializers.variance_scaling(*_INITIALIZER_PEERS[method][1])
            make = lambda k: initializer(k, shape, dtype)  # noqa: E731
        compiled = jax.jit(make)
        fills["jax"] = lambda: compiled(key).block_until_ready()
    return fills


def bench_text(size, *, repeat=BENCH_REPEAT, threads=None, dtype=DEFAULT_DTYPE,
               peers=None, progress=None):
    """Time every method against the peers; the report as text.

    Parameters
    ----------
    size : int
        Side of the square matrix filled.
    repeat : int, optional
        Timed runs after one warm-up; the best is kept.
    threads : int, optional
        Threads fastinit fills with; None for automatic.
    dtype : str, optional
        'float32' or 'float64'.
    peers : sequence of str, optional
        Libraries to compare with; default all of BENCH_PEERS that import.
    progress : ProgressBar factory, optional
        Called with the number of steps; default ProgressBar on stderr.

    Returns
    -------
    str
        The table.
    """
    dtype = np.dtype(dtype)
    requested = BENCH_PEERS if peers is None else tuple(peers)
    modules = {name: _import_peer(name) for name in requested}
    missing = [name for name, module in modules.items() if module is None]
    modules = {name: module for name, module in modules.items() if module is not None}
    shape = (size, size)
    buffer = _allocate(shape, dtype)
    n = buffer.size

    plan = [(method, _bench_fills(method, buffer, dtype, threads, modules))
            for method in BENCH_METHODS]
    libraries = ["fastinit"] + [name for name in BENCH_PEERS if name in modules]
    steps = sum(len(fills) for _, fills in plan)
    bar = (progress or ProgressBar)(steps)
    results = {}
    try:
        for method, fills in plan:
            for library, fill in fills.items():
                bar.start(f"{method}: {library}")
                results[method, library] = best_time(fill, repeat) / n * 1e9
                bar.finish_step()
    finally:
        bar.close()

    peers_shown = libraries[1:]
    headers = ["method"] + [f"{lib} ns" for lib in libraries] + \
              [f"vs {lib}" for lib in peers_shown]
    rows = []
    for method, _ in plan:
        own = results[method, "fastinit"]
        row = [[method]]
        for library in libraries:
            value = results.get((method, library))
            row.append(["-" if value is None else f"{value:.3f}"])
        for library in peers_shown:
            value = results.get((method, library))
            row.append(["-" if value is None else f"{value / own:.1f}x"])
        rows.append(row)

    versions = [f"fastinit {fastinit.__version__} (isa {fastinit.isa()}; {_threads_text(threads)})"]
    for library in peers_shown:
        versions.append(f"{library} {modules[library].__version__}")
    lines = [
        f"{size} x {size} {dtype.name} ({n:,} elements), ns per element, best of "
        f"{repeat} after a warm-up; 'vs X' is X's time over fastinit's.",
        ", ".join(versions),
        "",
        _render_table(headers, rows, right_aligned=range(1, len(headers))),
        "",
        "numpy: PCG64, scaled in place for the initializers; it has no truncated normal.",
    ]
    if "torch" in modules:
        lines.append("torch: lecun_* as normal_/uniform_ with the same std/bound.")
    if "jax" in modules:
        lines.append("jax: jitted; no in-place fill, so allocating the result is included.")
        if dtype != np.float32 and not modules["jax"].config.jax_enable_x64:
            lines.append("jax: float64 needs JAX_ENABLE_X64=1; not timed.")
    if missing:
        lines.append(f"not importable, skipped: {', '.join(missing)}")
    return "\n".join(lines)


