"""Timing and buffers shared by the command line, bench/make_results.py and the
pytest-benchmark suites: best-of-N timing, interleaved rounds, first-touched
buffers and a description of the machine."""
from __future__ import annotations

import math
import platform
import time
from typing import Callable, Dict, Optional, Tuple

import numpy as np


def best_time(fill: Callable[[], object], repeat: int) -> float:
    """Best wall-clock time of fill() over repeat runs, after one warm-up."""
    fill()
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        fill()
        best = min(best, time.perf_counter() - start)
    return best


def best_in_rounds(fills: Dict[str, Callable[[], object]], rounds: int,
                   on_round: Optional[Callable[[int], None]] = None) -> Dict[str, float]:
    """Best time of each fill when the fills take turns, one run each per round.

    Taking turns puts every contender through the same moments of a shared
    machine's load, so their ratios are fairer than back-to-back bests.
    """
    for fill in fills.values():
        fill()
    best = {key: math.inf for key in fills}
    for r in range(rounds):
        for key, fill in fills.items():
            start = time.perf_counter()
            fill()
            best[key] = min(best[key], time.perf_counter() - start)
        if on_round is not None:
            on_round(r)
    return best


def available_bytes() -> Optional[int]:
    """MemAvailable of /proc/meminfo in bytes, or None where unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def first_touched(shape: Tuple[int, ...], dtype, what: str = "matrix",
                  hint: str = "choose a smaller size") -> np.ndarray:
    """A buffer whose pages are all touched once, so that page faults are not
    timed; ValueError when it cannot fit in memory."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    available = available_bytes()
    if available is not None and nbytes > 0.8 * available:
        raise ValueError(
            f"a {' x '.join(map(str, shape))} {dtype.name} {what} needs "
            f"{nbytes / 2**30:.1f} GiB but only {available / 2**30:.1f} GiB of memory "
            f"is available; {hint}")
    try:
        buffer = np.empty(shape, dtype=dtype)
    except MemoryError:
        raise ValueError(
            f"cannot allocate a {' x '.join(map(str, shape))} {dtype.name} {what} "
            f"({nbytes / 2**30:.1f} GiB); {hint}") from None
    buffer.fill(0)
    return buffer


def cpu_model() -> str:
    """The CPU's model name (from /proc/cpuinfo), or the platform's processor."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
