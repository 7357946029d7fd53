"""Measure fastinit's fills against numpy and torch and write bench/RESULTS.md.

Everything is measured in one process on the same preallocated, first-touched
buffers, so the ratios compare figures taken side by side: the contenders
take turns in --repeat rounds (after one warm-up run each), and each figure
is a contender's best round, timed with time.perf_counter. Only the forced-AVX2 rows come
from a child process started with FASTINIT_ISA=avx2 (fastinit picks its SIMD
level once, at import), right after the parent's own measurements; torch's
float32 normal_ takes turns with them there too, and the AVX2 target uses
that figure.

    python bench/make_results.py                        # n = 2**24 and 2**27
    python bench/make_results.py --sizes 2**20 --repeat 3 --output /tmp/RESULTS.md
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

import numpy as np


BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
try:
    import fastinit  # noqa: F401 -- the installed package
except ImportError:
    # A source tree with the extension built in place.
    sys.path.insert(0, os.path.dirname(BENCH_DIR))
from fastinit._timing import best_in_rounds, cpu_model, first_touched  # noqa: E402
DEFAULT_OUTPUT = os.path.join(BENCH_DIR, "RESULTS.md")
DEFAULT_SIZES = "2**24,2**27"
DEFAULT_REPEAT = 7


# ------------------------------------------------------------------ cases

class Case:
    """One contender: how to fill a buffer of a dtype.

    Attributes
    ----------
    key : str
        Unique identifier, e.g. 'fastinit normal float32 1T'.
    method, dtype : str
        The table the case belongs to ('normal'/'uniform', 'float32'/'float64').
    label : str
        The row label in that table.
    make_fill : callable
        make_fill(buffer) -> a function of no arguments that fills buffer.
    """

    def __init__(self, key, method, dtype, label, make_fill):
        self.key = key
        self.method = method
        self.dtype = dtype
        self.label = label
        self.make_fill = make_fill


def fastinit_cases(key_label=""):
    """fastinit normal/uniform, float32/float64, 1 and 2 threads.

    key_label tells the forced-AVX2 cases apart; the row labels name the
    SIMD path that ran.
    """
    import fastinit

    isa = "avx2" if key_label else fastinit.isa()
    cases = []
    combos = [(m, d) for m in ("normal", "uniform") for d in ("float32", "float64")]
    if not key_label:
        combos += [("normal", "float16"), ("normal", "bfloat16")]
    for method, dtype in combos:
        for threads in (1, 2):
            def make_fill(buffer, fill=getattr(fastinit, method), threads=threads):
                shape = buffer.shape
                return lambda: fill(shape, dtype=buffer.dtype, seed=1, out=buffer,
                                    threads=threads)
            key = f"fastinit{key_label} {method} {dtype} {threads}T"
            label = f"fastinit ({isa}) `{method}`, {threads} thread{'s' * (threads > 1)}"
            cases.append(Case(key, method, dtype, label, make_fill))
    return cases


def buffer_dtype(name):
    """numpy dtype of a case's buffer (bfloat16 from ml_dtypes)."""
    if name == "bfloat16":
        import ml_dtypes
        return np.dtype(ml_dtypes.bfloat16)
    return np.dtype(name)


SMALL_CALLS = 1000


def measure_small_calls(torch, repeat):
    """Microseconds per call of the small fills a model makes thousands of:
    {label: us}, the contenders taking turns, each figure the best round of
    SMALL_CALLS calls, all on one thread."""
    import fastinit

    vector = np.empty(1024, np.float32)
    matrix = np.empty((32, 32), np.float32)
    fills = {
        "fastinit `normal(1024, out=x)`":
            lambda: fastinit.normal(1024, seed=1, out=vector, threads=1),
        "fastinit `he_normal((32, 32), out=w)`":
            lambda: fastinit.he_normal((32, 32), seed=1, out=matrix, threads=1),
    }
    if torch is not None:
        tensor = torch.empty(1024)
        weight = torch.empty(32, 32)
        fills["torch `normal_()` on 1,024 elements"] = tensor.normal_
        fills["torch `nn.init.kaiming_normal_` on 32 x 32"] = (
            lambda: torch.nn.init.kaiming_normal_(weight))

    def batch(fill):
        def run():
            for _ in range(SMALL_CALLS):
                fill()
        return run

    best = best_in_rounds({k: batch(f) for k, f in fills.items()}, repeat)
    return {k: v / SMALL_CALLS * 1e6 for k, v in best.items()}


def numpy_cases():
    """numpy.random.Generator (PCG64, Philox) and buf.fill(1.0)."""
    cases = []
    for method, numpy_name in (("normal", "standard_normal"), ("uniform", "random")):
        for dtype in ("float32", "float64"):
            for bit_generator in ("PCG64", "Philox"):
                def make_fill(buffer, bit_generator=bit_generator, numpy_name=numpy_name):
                    rng = np.random.Generator(getattr(np.random, bit_generator)(1))
                    fill = getattr(rng, numpy_name)
                    return lambda: fill(out=buffer, dtype=buffer.dtype)
                cases.append(Case(f"numpy {bit_generator} {method} {dtype}", method, dtype,
                                  f"numpy `Generator({bit_generator}).{numpy_name}(out=)`",
                                  make_fill))
    for dtype in ("float32", "float64"):
        cases.append(Case(f"numpy fill {dtype}", "uniform", dtype, "numpy `buf.fill(1.0)`",
                          lambda buffer: (lambda: buffer.fill(1.0))))
    return cases


def torch_cases(torch):
    """torch normal_ and uniform_ on a tensor sharing the buffer."""
    cases = []
    for method in ("normal", "uniform"):
        for dtype in ("float32", "float64"):
            def make_fill(buffer, method=method):
                return getattr(torch.from_numpy(buffer), f"{method}_")
            cases.append(Case(f"torch {method} {dtype}", method, dtype,
                              f"torch `Tensor.{method}_()`", make_fill))
    return cases


AVX2_KEYS = ("normal float32 1T", "normal float32 2T", "uniform float32 1T",
             "uniform float32 2T", "normal float64 1T")


AVX2_TORCH_KEY = "torch normal float32 (AVX2 child)"


def avx2_cases(torch=None):
    """The forced-AVX2 fastinit cases (measured in the child), and torch's
    float32 normal_ taking turns with them there, so that the AVX2 target
    compares figures taken side by side."""
    cases = [case for case in fastinit_cases(" (AVX2)")
             if case.key.split(" ", 2)[2] in AVX2_KEYS]
    if torch is not None:
        cases.append(Case(AVX2_TORCH_KEY, "normal", "float32",
                          "torch `Tensor.normal_()`, beside the AVX2 rows",
                          lambda buffer: torch.from_numpy(buffer).normal_))
    return cases


# ------------------------------------------------------------------ measuring

def measure(cases, sizes, repeat, log=sys.stderr):
    """{case key: {n: ns per element}} for every case at every size.

    The cases take turns: each round times every case once, and a case's
    figure is its best round.  A burst of load from other tenants of the
    machine then slows one round of every contender rather than all rounds
    of one, which keeps the ratios between contenders honest.
    """
    results = {case.key: {} for case in cases}
    for n in sizes:
        buffers = {}
        fills = {}
        for case in cases:
            buffer = buffers.get(case.dtype)
            if buffer is None:
                buffer = buffers[case.dtype] = first_touched((n,), buffer_dtype(case.dtype),
                                                             "buffer")
            fills[case.key] = case.make_fill(buffer)

        def report(round_index, n=n):
            print(f"n={size_label(n)} round {round_index + 1}/{repeat} done", file=log,
                  flush=True)

        best = best_in_rounds(fills, repeat, on_round=report)
        for case in cases:
            results[case.key][n] = best[case.key] / n * 1e9
        buffers.clear()
    return results


def measure_avx2_in_child(sizes, repeat):
    """Run this script with FASTINIT_ISA=avx2; (results, None) or (None, reason)."""
    import fastinit

    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(fastinit.__file__)))
    python_path = os.pathsep.join(
        [package_parent] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    env = dict(os.environ, FASTINIT_ISA="avx2", PYTHONPATH=python_path)
    command = [sys.executable, os.path.abspath(__file__), "--child-avx2",
               "--sizes", ",".join(map(str, sizes)), "--repeat", str(repeat)]
    child = subprocess.run(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, check=False)
    sys.stderr.write(child.stderr)
    if child.returncode != 0:
        lines = child.stderr.strip().splitlines()
        return None, lines[-1] if lines else f"the child exited with status {child.returncode}"
    report = json.loads(child.stdout)
    if report["isa"] != "avx2":
        return None, f"FASTINIT_ISA=avx2 gave isa {report['isa']!r}"
    results = {key: {int(n): value for n, value in by_size.items()}
               for key, by_size in report["results"].items()}
    return results, None


def child_avx2_main(sizes, repeat):
    import fastinit

    try:
        import torch
    except ImportError:
        torch = None
    results = measure(avx2_cases(torch), sizes, repeat)
    json.dump({"isa": fastinit.isa(), "results": results}, sys.stdout)
    return 0


# ------------------------------------------------------------------ machine

def cpu_flags():
    wanted = ("avx2", "fma", "avx512f", "avx512dq", "avx512vl", "avx512bw")
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return [flag for flag in wanted if flag in flags]
    except OSError:
        pass
    return []


def memory_total():
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def transparent_hugepages():
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled", encoding="ascii") as thp:
            text = thp.read().strip()
    except OSError:
        return "unknown"
    return text[text.find("[") + 1:text.find("]")] if "[" in text else text


# ------------------------------------------------------------------ report

def size_label(n):
    return f"2^{n.bit_length() - 1}" if n & (n - 1) == 0 else str(n)


def ratio_text(value):
    return "-" if value is None else f"{value:.2f}x"


def evaluate_targets(results, sizes, avx2_reason, torch_reason, small_calls=None):
    """fastinit's speed targets at the largest size: rows of text."""
    n = max(sizes)

    def ns(key):
        return results.get(key, {}).get(n)

    def faster_numpy(method, dtype):
        figures = [ns(f"numpy {bg} {method} {dtype}") for bg in ("PCG64", "Philox")]
        figures = [f for f in figures if f is not None]
        return min(figures) if figures else None

    def ratio(slow, fast):
        return None if slow is None or fast is None else slow / fast

    targets = [
        ("float32 normal, 1 thread, vs torch `normal_`",
         ratio(ns("torch normal float32"), ns("fastinit normal float32 1T")), 6.0,
         torch_reason),
        ("float32 normal, 1 thread, vs numpy (faster of PCG64, Philox)",
         ratio(faster_numpy("normal", "float32"), ns("fastinit normal float32 1T")), 20.0, None),
        ("float32 normal, 2 threads, vs fastinit 1 thread",
         ratio(ns("fastinit normal float32 1T"), ns("fastinit normal float32 2T")), 1.7, None),
        ("float64 normal, 1 thread, vs numpy (faster of PCG64, Philox)",
         ratio(faster_numpy("normal", "float64"), ns("fastinit normal float64 1T")), 7.0, None),
        ("float32 uniform, 2 threads, vs numpy `buf.fill(1.0)`",
         ratio(ns("numpy fill float32"), ns("fastinit uniform float32 2T")), 1.0, None),
        ("AVX2 path (forced), float32 normal, 1 thread, vs torch `normal_`",
         ratio(ns(AVX2_TORCH_KEY), ns("fastinit (AVX2) normal float32 1T")), 2.5,
         avx2_reason or torch_reason),
    ]
    # times relative to a reference: at most the required factor
    at_most = []
    for dtype in ("bfloat16", "float16"):
        for threads in (1, 2):
            at_most.append((f"{dtype} normal, {threads} thread{'s' * (threads > 1)}, time vs "
                            "float32", ratio(ns(f"fastinit normal {dtype} {threads}T"),
                                             ns(f"fastinit normal float32 {threads}T")), 1.3,
                            None))
    small = small_calls or {}
    torch_small = small.get("torch `normal_()` on 1,024 elements")
    at_most += [
        ("`normal(1024, out=x)`, time vs torch `normal_()` on 1,024 elements",
         ratio(small.get("fastinit `normal(1024, out=x)`"), torch_small), 1.2, torch_reason),
        ("`he_normal((32, 32), out=w)`, time vs torch `normal_()` on 1,024 elements",
         ratio(small.get("fastinit `he_normal((32, 32), out=w)`"), torch_small), 2.0,
         torch_reason),
    ]
    rows = []
    for kind, entries in ((">=", targets), ("<=", at_most)):
        for label, measured, bound, reason in entries:
            if measured is None:
                verdict = f"not measured: {reason}" if reason else "not measured"
            else:
                met = measured >= bound if kind == ">=" else measured <= bound
                verdict = "pass" if met else "FAIL"
            rows.append((label, ratio_text(measured), f"{kind} {bound:g}x", verdict))
    return rows


def markdown_table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |",
             "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render(results, cases, sizes, repeat, info, avx2_reason, torch_reason, command,
           small_calls=None):
    largest = max(sizes)
    lines = [
        "# fastinit benchmark results",
        "",
        f"Generated by `{command}` on {info['date']}. Each figure is the best of "
        f"{repeat} rounds after a warm-up, in nanoseconds per output element, filling a "
        "preallocated, first-touched buffer of n elements; in each round every contender "
        "ran once, one after the other in one process (the forced-AVX2 rows in a child "
        "process started with `FASTINIT_ISA=avx2` right after, taking turns with a second "
        "torch `normal_` row, which the AVX2 target uses). On a shared virtual machine "
        "single figures can move by up to a factor of two between runs minutes apart, "
        "and the ratios within one run move too, much less.",
        "",
        "## Machine",
        "",
        f"- CPU: {info['cpu']} ({info['cores']} logical cores, {info['available']} "
        f"available to the process); flags: {', '.join(info['flags']) or 'none of avx2/avx512'}",
        f"- fastinit SIMD path chosen: `{info['isa']}`",
        f"- memory: {info['memory']}; transparent huge pages: `{info['thp']}`",
        f"- load average (1 min) before / after measuring: {info['load_before']} / "
        f"{info['load_after']} (other work on the machine skews the figures)",
        f"- OS: {info['platform']}",
        "",
        "## Versions",
        "",
        f"- Python {info['python']}",
        f"- numpy {info['numpy']}",
        f"- torch {info['torch']}",
        f"- fastinit {info['fastinit']}",
        "",
        "`OPENBLAS_CORETYPE` does not affect any of these figures: fastinit's kernels "
        "use no BLAS, and neither do numpy's or torch's random fills.",
        "",
        f"## Targets (at n = {size_label(largest)})",
        "",
        markdown_table(["target", "measured", "required", "result"],
                       evaluate_targets(results, sizes, avx2_reason, torch_reason,
                                        small_calls)),
        "",
        "Speed-ups are the other contender's time divided by fastinit's; for the "
        "`buf.fill(1.0)` target, at least 1.00x means fastinit's 2-thread uniform fill "
        "is no slower than writing a constant.",
        "",
        "## ns per element",
        "",
        "The last columns give each row's time relative to fastinit's 1-thread fill of "
        "the same method and dtype: 20x means fastinit is 20 times as fast; below 1x, "
        "the row is faster.",
    ]
    if small_calls:
        lines += ["", "## Small calls", "",
                  f"Microseconds per call, best round of {SMALL_CALLS} calls, one thread, "
                  "the contenders taking turns:", "",
                  markdown_table(["call", "us per call"],
                                 [(k, f"{v:.2f}") for k, v in small_calls.items()])]
    size_headers = [f"n = {size_label(n)}" for n in sizes]
    for method, dtype in [("normal", "float32"), ("normal", "float64"), ("normal", "float16"),
                          ("normal", "bfloat16"), ("uniform", "float32"),
                          ("uniform", "float64")]:
        reference_dtype = dtype if dtype in ("float32", "float64") else "float32"
        reference = results.get(f"fastinit {method} {reference_dtype} 1T", {})
        rows = []
        for case in cases:
            if case.method != method or case.dtype != dtype or case.key not in results:
                continue
            by_size = results[case.key]
            figures = [f"{by_size[n]:.3f}" if n in by_size else "-" for n in sizes]
            ratios = [ratio_text(by_size[n] / reference[n])
                      if n in by_size and reference.get(n) else "-" for n in sizes]
            rows.append([case.label] + figures + ratios)
        lines += ["", f"### {method}, {dtype}", "",
                  markdown_table(["contender"] + [f"ns/element, {h}" for h in size_headers]
                                 + [f"vs fastinit 1T, {h}" for h in size_headers], rows)]
    notes = []
    if torch_reason:
        notes.append(f"- torch: {torch_reason}")
    if avx2_reason:
        notes.append(f"- forced AVX2 path: {avx2_reason}")
    if notes:
        lines += ["", "## Not measured", ""] + notes
    return "\n".join(lines) + "\n"


def load_average():
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except (AttributeError, OSError):
        return "unknown"


def machine_info(torch, load_before):
    import fastinit

    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:
        available = os.cpu_count()
    torch_text = "not installed"
    if torch is not None:
        torch_text = f"{torch.__version__} ({torch.get_num_threads()} threads)"
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "available": available,
        "flags": cpu_flags(),
        "isa": fastinit.isa(),
        "memory": memory_total(),
        "load_before": load_before,
        "load_after": load_average(),
        "thp": transparent_hugepages(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "torch": torch_text,
        "fastinit": getattr(fastinit, "__version__", "unknown"),
    }


# ------------------------------------------------------------------ main

def parse_sizes(text):
    sizes = []
    for part in text.split(","):
        part = part.strip().replace("^", "**")
        if not part:
            continue
        if "**" in part:
            base, exponent = part.split("**", 1)
            value = int(base) ** int(exponent)
        else:
            value = int(part)
        if value < 1:
            raise argparse.ArgumentTypeError(f"sizes must be positive, got {part!r}")
        sizes.append(value)
    if not sizes:
        raise argparse.ArgumentTypeError("no size given")
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Measure fastinit against numpy and torch and write RESULTS.md.")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES),
                        help=f"comma-separated element counts (default {DEFAULT_SIZES})")
    parser.add_argument("--repeat", type=int, default=DEFAULT_REPEAT,
                        help=f"timed runs per figure after a warm-up (default {DEFAULT_REPEAT})")
    parser.add_argument("--output", default=DEFAULT_OUTPUT,
                        help="the Markdown file to write (default bench/RESULTS.md); "
                             "'-' prints it instead")
    parser.add_argument("--no-avx2", action="store_true",
                        help="skip the forced-AVX2 child process")
    parser.add_argument("--child-avx2", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = sorted(set(args.sizes))
    if args.child_avx2:
        return child_avx2_main(sizes, args.repeat)

    try:
        import torch
    except ImportError:
        torch = None
    torch_reason = None if torch is not None else "torch is not importable"

    load_before = load_average()
    cases = fastinit_cases() + numpy_cases() + (torch_cases(torch) if torch else [])
    results = measure(cases, sizes, args.repeat)
    small_calls = measure_small_calls(torch, max(args.repeat, 5))
    avx2_reason = "skipped with --no-avx2"
    if not args.no_avx2:
        avx2_results, avx2_reason = measure_avx2_in_child(sizes, args.repeat)
        if avx2_results is not None:
            results.update(avx2_results)
            cases += avx2_cases(torch if AVX2_TORCH_KEY in avx2_results else None)

    command_args = argv if argv is not None else sys.argv[1:]
    command = " ".join(["python bench/make_results.py"] + list(command_args))
    text = render(results, cases, sizes, args.repeat, machine_info(torch, load_before), avx2_reason,
                  torch_reason, command, small_calls)
    if args.output == "-":
        sys.stdout.write(text)
    else:
        text += kept_section(args.output)
        with open(args.output, "w", encoding="utf-8") as output:
            output.write(text)
        print(f"wrote {args.output}", file=sys.stderr)
        targets_start = text.index("## Targets")
        print(text[targets_start:text.index("## ns per element")].rstrip())
    return 0


#: The pytest-benchmark suites' figures follow this line in the results file,
#: written by hand from their runs; a regeneration keeps them.
ADAPTERS_MARKER = "<!-- adapters: kept by make_results.py -->"


def kept_section(path):
    """The part of the results file at `path` from ADAPTERS_MARKER on ('' if none)."""
    try:
        with open(path, encoding="utf-8") as existing:
            old = existing.read()
    except FileNotFoundError:
        return ""
    start = old.find(ADAPTERS_MARKER)
    return "" if start < 0 else "\n" + old[start:]


if __name__ == "__main__":
    sys.exit(main())
