"""Dask arrays of fastinit initializers, made chunk by chunk on the workers.

Each chunk is made where it is computed, with ``region=``: the task graph
holds only the :class:`fastinit.Spec` (a few hundred bytes) and each
chunk's bounds, and no full array exists anywhere.  The values are those of
the in-memory array: the same for every chunking, worker count and thread
count.

>>> import fastinit.dask
>>> w = fastinit.dask.he_normal((1 << 20, 8192), seed=0, stream="embed",
...                             chunks=(65536, 8192))          # doctest: +SKIP
>>> w.to_zarr("embed.zarr")                                     # doctest: +SKIP

Dask itself is imported when an array is first built; without it the
functions raise ImportError saying how to install it.
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, List, Optional, Union

import numpy as np

from . import _validate
from ._spec import Spec, spec_methods

__all__ = ["array"] + list(spec_methods())

INSTALL_HINT = 'fastinit.dask needs dask: pip install "dask[array]"'

# Arguments of the NumPy functions that a Dask array decides itself.
_DROPPED = ("seed", "stream", "block", "out", "region", "threads")


def _dask_array_module() -> Any:
    try:
        import dask.array
    except ImportError as exc:
        raise ImportError(f"{INSTALL_HINT} ({exc})") from None
    return dask.array


def _make_chunk(spec: Any, seed: int, stream: int, threads: Optional[int],
                block_info: Optional[dict] = None) -> np.ndarray:
    assert block_info is not None
    location = block_info[None]["array-location"]
    region = tuple(slice(start, stop) for start, stop in location)
    return spec.generate(seed, stream, region=region, threads=threads)


def array(spec: Any, *, seed: Optional[int], stream: Union[int, str] = 0,
          chunks: Any = "auto", threads: Optional[int] = 1) -> Any:
    """A Dask array of the values of `spec`.

    Parameters
    ----------
    spec : fastinit.Spec
        What to make (or any object with ``shape``, ``dtype``,
        ``regionable`` and ``generate(seed, stream, region=, threads=)``).
    seed : int
        In [0, 2**64).  None draws one from the OS once, for the whole array.
    stream : int or str, optional
        Stream number or name (default 0).
    chunks : optional
        Anything ``dask.array`` accepts as chunks: ``"auto"`` (default,
        dask's ``array.chunk-size``), a chunk shape such as ``(4096, -1)``,
        or explicit chunk sizes per axis.  The values never depend on it.
    threads : int or None, optional
        Threads each task fills its chunk with (default 1, as a Dask worker
        already runs one task per core); None lets fastinit use every core.

    Returns
    -------
    dask.array.Array
        Chunk ``i`` is ``spec.generate(seed, stream, region=<its bounds>)``.

    Raises
    ------
    ValueError
        When the spec cannot be made by region (orthogonal).
    ImportError
        When dask is not installed.
    """
    da = _dask_array_module()
    from dask.base import tokenize

    for attribute in ("shape", "dtype", "regionable", "generate"):
        if not hasattr(spec, attribute):
            raise TypeError(f"spec must be a fastinit.Spec, not {type(spec).__name__}")
    if not spec.regionable:
        method = getattr(spec, "method", type(spec).__name__)
        raise ValueError(
            f"{method} cannot be made chunk by chunk: each of its values depends on the whole "
            "array, so no chunk can be made alone; make it in memory with "
            f"fastinit.{method}(...) and wrap it with dask.array.from_array")
    seed = _validate.seed(seed)
    stream = _validate.stream(stream)
    if threads is not None:
        threads = _validate.threads(threads, 0)
    shape = tuple(spec.shape)
    dtype = np.dtype(spec.dtype)
    normalized = da.core.normalize_chunks(chunks, shape, dtype=dtype)
    name = "fastinit-{}-{}".format(
        getattr(spec, "method", "array"), tokenize(repr(spec), seed, stream, normalized, threads))
    return da.map_blocks(_make_chunk, spec, seed, stream, threads, name=name,
                         chunks=normalized, dtype=dtype,
                         meta=np.empty((0,) * len(shape), dtype=dtype))


# --------------------------------------------------------------------------
# one function per method, with the NumPy function's arguments plus chunks


def _dask_signature(method: str) -> inspect.Signature:
    original = inspect.signature(spec_methods()[method])
    random = "seed" in original.parameters
    positional: List[inspect.Parameter] = []
    keyword: List[inspect.Parameter] = []
    for parameter in original.parameters.values():
        if parameter.name in _DROPPED:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keyword.append(parameter)
        else:
            positional.append(parameter)
    kw = inspect.Parameter.KEYWORD_ONLY
    added = []
    if random:
        added += [inspect.Parameter("seed", kw), inspect.Parameter("stream", kw, default=0)]
    added.append(inspect.Parameter("chunks", kw, default="auto"))
    if "threads" in original.parameters:
        keyword.append(inspect.Parameter("threads", kw, default=1))
    return inspect.Signature(positional + added + keyword)


_DOC = """Dask array of :func:`fastinit.{method}`, chunk by chunk.

Parameters are those of :func:`fastinit.{method}` (without ``out``,
``region`` and ``block``), plus:

chunks : optional
    Chunks as ``dask.array`` takes them (default ``"auto"``); the values
    never depend on them.
{extra}
Returns
-------
dask.array.Array
    Equal to ``fastinit.{method}(...)`` with the same arguments; each chunk
    is made on the worker that computes it, with ``region=``.
"""

_RANDOM_EXTRA = """seed : int
    In [0, 2**64), required: every chunk uses it.
stream : int or str, optional
    Stream number or name (default 0).
threads : int or None, optional
    Threads per task (default 1: a worker already runs one task per core).
"""


def _make_function(method: str) -> Callable[..., Any]:
    signature = _dask_signature(method)
    random = "seed" in signature.parameters

    def function(*args: Any, **kwargs: Any) -> Any:
        arguments = signature.bind(*args, **kwargs).arguments
        shape = arguments.pop("shape")
        seed = arguments.pop("seed", 0)
        stream = arguments.pop("stream", 0)
        chunks = arguments.pop("chunks", "auto")
        threads = arguments.pop("threads", 1)
        spec = Spec(method, shape, **arguments)
        return array(spec, seed=seed, stream=stream, chunks=chunks, threads=threads)

    function.__name__ = function.__qualname__ = method
    function.__module__ = __name__
    function.__doc__ = _DOC.format(method=method, extra=_RANDOM_EXTRA if random else "")
    function.__signature__ = signature  # type: ignore[attr-defined]
    return function


def _install_functions() -> None:
    namespace = globals()
    for method in spec_methods():
        namespace[method] = _make_function(method)


_install_functions()


def stub_text() -> str:
    """The text of ``fastinit/dask.pyi``: every function's real signature."""
    lines = [
        '"""Type stub of fastinit.dask (generated by fastinit.dask.stub_text())."""',
        "from typing import Any, Optional, Union",
        "",
        "import dask.array",
        "",
        "__all__: list[str]",
        "",
        "INSTALL_HINT: str",
        "",
        "def array(spec: Any, *, seed: Optional[int], stream: Union[int, str] = ..., "
        "chunks: Any = ..., threads: Optional[int] = ...) -> dask.array.Array: ...",
        "def stub_text() -> str: ...",
    ]
    for method in spec_methods():
        parts = []
        previous_kind = None
        for parameter in _dask_signature(method).parameters.values():
            if (parameter.kind is inspect.Parameter.KEYWORD_ONLY
                    and previous_kind is not inspect.Parameter.KEYWORD_ONLY):
                parts.append("*")
            previous_kind = parameter.kind
            default = "" if parameter.default is inspect.Parameter.empty else " = ..."
            parts.append(f"{parameter.name}: Any{default}")
        lines.append(f"def {method}({', '.join(parts)}) -> dask.array.Array: ...")
    return "\n".join(lines) + "\n"

