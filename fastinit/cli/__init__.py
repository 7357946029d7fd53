"""The ``fastinit`` command line (also ``python -m fastinit``).

Three commands:

* no command: the worked example of a dense layer with 3 inputs and
  2 outputs (what zeros, a fixed-std normal, Xavier, He and LeCun give it),
  then a large He-normal fill timed next to ``numpy.random`` doing the same;
* ``explain N_IN N_OUT``: the same table for any layer, optionally with the
  method recommended for an activation;
* ``bench``: every method timed against numpy, and torch and jax when they
  are importable.
"""
from __future__ import annotations

import argparse
import os
import sys
import textwrap

import fastinit
from fastinit import experiments

from .._argtypes import positive_int, seed as seed_argument
from ._common import (BENCH_METHODS, BENCH_PEERS, BENCH_REPEAT, BENCH_SIZE, DEFAULT_DTYPE,
                      DEFAULT_SEED, DEMO_N_IN, DEMO_N_OUT, DEMO_REPEAT, DEMO_SIZE, PROG,
                      _DESCRIPTION, _EPILOG)
from .bench import bench_text, timed_he_normal_text
from .explain import explain_text
from .progress import ProgressBar

__all__ = ["main", "build_parser", "ProgressBar", "BENCH_METHODS", "explain_text", "bench_text",
           "timed_he_normal_text"]


# ---------------------------------------------------------------- argument types

def _peer_list(text):
    """argparse type: a comma-separated subset of BENCH_PEERS."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in BENCH_PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown peer {unknown[0]!r} (choose from {', '.join(BENCH_PEERS)})")
    return tuple(dict.fromkeys(names))



def build_parser():
    """Build the argument parser of the ``fastinit`` command.

    Returns
    -------
    argparse.ArgumentParser
        The parser; each command stores its handler in ``handler``.

    Notes
    -----
    Options default to ``argparse.SUPPRESS`` so that an option given before
    the command (``fastinit --seed 3 explain 3 2``) is not overwritten by the
    command's own default; each handler supplies its default.
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("--version", action="version",
                        version=f"{PROG} {fastinit.__version__}")
    parser.add_argument("--size", type=positive_int, metavar="N",
                        help=f"side of the timed square He-normal matrix (default {DEMO_SIZE})")
    parser.add_argument("--repeat", type=positive_int, metavar="R",
                        help=f"timed runs after one warm-up; the best is shown (default {DEMO_REPEAT})")
    parser.add_argument("--threads", type=positive_int, metavar="T",
                        help="threads fastinit fills with (default: automatic)")
    parser.add_argument("--seed", type=seed_argument, metavar="S",
                        help=f"seed of the sampled weights, in [0, 2**64) (default {DEFAULT_SEED})")
    parser.set_defaults(handler=_run_demo)

    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    explain = commands.add_parser(
        "explain",
        help="explain the initializers for a layer with N_IN inputs and N_OUT outputs",
        description=textwrap.fill(
            "Explain zeros, a random normal (std 0.05), Xavier, He and LeCun for a "
            "dense layer with N_IN inputs and N_OUT outputs: formula, variance, "
            "std, uniform bound, suitable activations and a sampled weight matrix "
            "(its top-left corner for large layers).", 79),
        epilog=("example:\n  fastinit explain 784 256 --activation gelu --seed 7"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    explain.add_argument("n_in", type=positive_int, metavar="N_IN",
                         help="number of inputs of the layer (fan_in)")
    explain.add_argument("n_out", type=positive_int, metavar="N_OUT",
                         help="number of outputs of the layer (fan_out)")
    explain.add_argument("--activation", "-a", metavar="A",
                         help="activation after the layer (relu, gelu, tanh, selu, ...): "
                              "marks the recommended method and says why")
    explain.add_argument("--seed", type=seed_argument, metavar="S",
                         help=f"seed of the sampled weights (default {DEFAULT_SEED})")
    explain.add_argument("--dtype", metavar="D",
                         help=f"dtype of the sampled weights: float32, float64, float16, "
                              f"bfloat16 (default {DEFAULT_DTYPE})")
    explain.set_defaults(handler=_run_explain)

    bench = commands.add_parser(
        "bench",
        help="time every method against numpy (and torch, jax when importable)",
        description=textwrap.fill(
            "Time fastinit's methods on a preallocated SIZE x SIZE matrix against "
            "numpy.random (PCG64) and, when importable, torch and jax; print "
            "nanoseconds per element and fastinit's speed-up. Each figure is the "
            "best of R runs after a warm-up. numpy and torch fill the same "
            "buffer in place; jax has no in-place fill, so its figures include "
            "allocating the result.", 79),
        epilog="example:\n  fastinit bench --size 8192 --repeat 5 --threads 1 --peers numpy,torch",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    bench.add_argument("--size", type=positive_int, metavar="N",
                       help=f"side of the square matrix filled (default {BENCH_SIZE})")
    bench.add_argument("--repeat", type=positive_int, metavar="R",
                       help=f"timed runs after one warm-up; the best is kept (default {BENCH_REPEAT})")
    bench.add_argument("--threads", type=positive_int, metavar="T",
                       help="threads fastinit fills with (default: automatic)")
    bench.add_argument("--dtype", choices=("float32", "float64"), metavar="D",
                       help=f"float32 or float64 (default {DEFAULT_DTYPE})")
    bench.add_argument("--peers", type=_peer_list, metavar="LIST",
                       help="comma-separated libraries to compare with, among "
                            f"{','.join(BENCH_PEERS)} (default: all importable)")
    bench.set_defaults(handler=_run_bench)
    experiments.add_cli_parser(commands)
    from ..checkpoint import add_cli_parser as add_checkpoint_parser
    add_checkpoint_parser(commands)
    return parser



# ---------------------------------------------------------------- handlers

def _run_demo(args):
    seed = getattr(args, "seed", DEFAULT_SEED)
    print(explain_text(DEMO_N_IN, DEMO_N_OUT, seed=seed))
    print()
    sys.stdout.flush()
    print(timed_he_normal_text(getattr(args, "size", DEMO_SIZE),
                               repeat=getattr(args, "repeat", DEMO_REPEAT),
                               threads=getattr(args, "threads", None),
                               seed=seed))
    return 0


def _run_explain(args):
    print(explain_text(args.n_in, args.n_out,
                       activation=getattr(args, "activation", None),
                       seed=getattr(args, "seed", DEFAULT_SEED),
                       dtype=getattr(args, "dtype", DEFAULT_DTYPE)))
    return 0


def _run_bench(args):
    print(bench_text(getattr(args, "size", BENCH_SIZE),
                     repeat=getattr(args, "repeat", BENCH_REPEAT),
                     threads=getattr(args, "threads", None),
                     dtype=getattr(args, "dtype", DEFAULT_DTYPE),
                     peers=getattr(args, "peers", None)))
    return 0


def main(argv=None):
    """Run the ``fastinit`` command.

    Parameters
    ----------
    argv : list of str, optional
        Arguments without the program name; sys.argv[1:] by default.

    Returns
    -------
    int
        Exit status: 0 on success, 2 for a usage error or a value fastinit
        rejects, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:
        # --help, --version and usage errors: return argparse's status.
        code = exit_request.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    try:
        return args.handler(args)
    except (ValueError, TypeError) as error:
        sys.stdout.flush()
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"\n{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader (e.g. `fastinit | head`) went away: stop quietly, and
        # keep the interpreter from complaining while flushing stdout at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1

