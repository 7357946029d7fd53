"""Safetensors checkpoints written straight from initializers, in bounded memory.

:func:`save_safetensors` writes a mapping of tensor names to
:class:`fastinit.Spec` as a safetensors file (or a directory of shards with
a Hugging Face index) without ever holding a whole tensor: the values are
made one buffer at a time while a writer thread writes the previous
buffers, so memory stays bounded (a few tens of MiB) for any file size and
throughput approaches the disk's.  Each tensor's stream is its name unless
given.

The layout is the safetensors library's own: an 8-byte little-endian header
length, the JSON header (``__metadata__`` first, then the tensors in file
order, padded with spaces to a multiple of 8 bytes), then the data, the
tensors sorted by dtype (F64, F32, BF16, F16) and then by name, each
starting where the previous one ends -- which keeps every tensor aligned to
its element size.  The file is byte-identical to what
``safetensors.numpy.save_file`` writes for the same arrays.

Several processes (or Dask tasks) can write one file together:
:func:`plan_safetensors` computes the layout once, :func:`write_header`
creates the file at its final size, and each process calls
:func:`write_range` for its tensors or byte range::

    layout = fastinit.checkpoint.plan_safetensors(specs)
    fastinit.checkpoint.write_header("model.safetensors.partial", layout)
    # on worker k of n, for example in a dask.delayed task:
    fastinit.checkpoint.write_range("model.safetensors.partial", layout, seed=0,
                                    byte_range=layout.byte_ranges(n)[k], threads=1)
    # once every range is written:
    os.replace("model.safetensors.partial", "model.safetensors")
"""
from __future__ import annotations

import errno
import json
import math
import os
import queue
import secrets
import shutil
import struct
import sys
import threading
import time
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence
from typing import Tuple, Union

import numpy as np

from . import _validate
from ._argtypes import positive_int
from ._argtypes import seed as seed_argument
from ._spec import Spec, _positive_count, as_recipe_mapping, flat_range_regions

__all__ = [
    "save_safetensors",
    "plan_safetensors",
    "write_header",
    "write_range",
    "SafetensorsLayout",
    "TensorEntry",
    "shard_names",
    "parse_size",
    "add_cli_parser",
    "run_cli",
]

# safetensors dtype codes, and the library's order of tensors in a file:
# larger (more aligned) dtypes first, then the name.
DTYPE_CODES = {"float64": "F64", "float32": "F32", "bfloat16": "BF16", "float16": "F16"}
# Integer tensors come only from recipes (a BatchNorm's num_batches_tracked);
# the safetensors library puts I64 before every float dtype.
_INTEGER_DTYPE_CODES = {"int64": "I64"}
_DTYPE_ORDER = {"I64": -1, "F64": 0, "F32": 1, "BF16": 2, "F16": 3}
# The safetensors library refuses headers larger than this.
MAX_HEADER_BYTES = 100_000_000
INDEX_NAME = "model.safetensors.index.json"

# Buffers of this many bytes are filled and written in turn; BUFFER_COUNT of
# them exist at once, which bounds the writer's memory (with the engine's
# own temporaries of a few MiB) whatever the size of the file.
BUFFER_BYTES = 16 << 20
BUFFER_COUNT = 4

PathLike = Union[str, "os.PathLike[str]"]


class TensorEntry:
    """One tensor of a safetensors file: where its bytes go and how to make them.

    Attributes
    ----------
    name : str
    dtype_code : str
        ``"F32"``, ``"F64"``, ``"F16"`` or ``"BF16"``.
    shape : tuple of int
    begin, end : int
        Byte offsets in the file (not in the data section).
    stream : int
        The resolved stream the values are drawn from.
    recipe : fastinit.Spec or Spec-like
    """

    __slots__ = ("name", "dtype_code", "dtype", "shape", "begin", "end", "stream", "recipe")

    def __init__(self, name: str, dtype_code: str, dtype: np.dtype, shape: Tuple[int, ...],
                 begin: int, end: int, stream: int, recipe: Any):
        self.name = name
        self.dtype_code = dtype_code
        self.dtype = dtype
        self.shape = shape
        self.begin = begin
        self.end = end
        self.stream = stream
        self.recipe = recipe

    def __getstate__(self) -> Tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self.__slots__[:2]) + (
            self.dtype.name,) + tuple(getattr(self, name) for name in self.__slots__[3:])

    def __setstate__(self, state: Tuple[Any, ...]) -> None:
        values = list(state)
        values[2] = (np.dtype(values[2]) if values[2] in _INTEGER_DTYPE_CODES
                     else _validate.dtype(values[2]))
        for name, value in zip(self.__slots__, values):
            setattr(self, name, value)

    def __repr__(self) -> str:
        return (f"TensorEntry({self.name!r}, {self.dtype_code}, shape={self.shape}, "
                f"bytes=[{self.begin}, {self.end}))")


class SafetensorsLayout:
    """The complete byte layout of one safetensors file.

    Built by :func:`plan_safetensors`; picklable (with its Specs), so it can
    be computed once and sent to every process that writes part of the file.

    Attributes
    ----------
    header : bytes
        The first :attr:`data_start` bytes of the file (length and JSON).
    tensors : tuple of TensorEntry
        In file order.
    data_start : int
        Offset of the first tensor byte.
    file_size : int
        Size of the complete file in bytes.
    """

    def __init__(self, header: bytes, tensors: Tuple[TensorEntry, ...]):
        self.header = header
        self.tensors = tensors
        self.data_start = len(header)
        self.file_size = self.data_start + (tensors[-1].end - self.data_start if tensors else 0)

    @property
    def data_bytes(self) -> int:
        """Bytes of tensor data (the file without its header)."""
        return self.file_size - self.data_start

    def tensor(self, name: str) -> TensorEntry:
        """The entry of tensor `name`."""
        for entry in self.tensors:
            if entry.name == name:
                return entry
        raise KeyError(name)

    def byte_ranges(self, parts: int) -> List[Tuple[int, int]]:
        """Split the data section into `parts` contiguous byte ranges of
        nearly equal size (file offsets, boundaries at multiples of 8 bytes),
        for :func:`write_range` on `parts` workers."""
        parts = _positive_count(parts, "parts")
        size = self.data_bytes
        bounds = [self.data_start + (size * k // parts) // 8 * 8 for k in range(parts)]
        bounds.append(self.file_size)
        return [(bounds[k], bounds[k + 1]) for k in range(parts)]

    def __repr__(self) -> str:
        return (f"SafetensorsLayout({len(self.tensors)} tensors, {self.file_size} bytes, "
                f"data at {self.data_start})")


# --------------------------------------------------------------------------
# layout


def _dtype_code(recipe: Any, name: str) -> Tuple[str, np.dtype]:
    dtype = np.dtype(recipe.dtype)
    code = DTYPE_CODES.get(dtype.name) or _INTEGER_DTYPE_CODES.get(dtype.name)
    if code is None or dtype.byteorder == ">":
        raise TypeError(f"tensor {name!r} has dtype {dtype}; a checkpoint holds float32, "
                        "float64, float16 or bfloat16 (and int64 counters of a torch module)")
    return code, dtype


def _check_metadata(metadata: Any) -> Optional[Dict[str, str]]:
    if metadata is None:
        return None
    if not isinstance(metadata, Mapping):
        raise TypeError(f"metadata must be a mapping of str to str, not {type(metadata).__name__}")
    for key, value in metadata.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError(f"metadata must map str to str, got {key!r}: {value!r}")
    return dict(sorted(metadata.items()))


def _streams_for(specs: Mapping[str, Any], streams: Any) -> Dict[str, int]:
    if streams is None:
        streams = {}
    if not isinstance(streams, Mapping):
        raise TypeError(f"streams must be a mapping of tensor names to streams, "
                        f"not {type(streams).__name__}")
    unknown = [name for name in streams if name not in specs]
    if unknown:
        raise ValueError(f"streams names tensors that are not in specs: {unknown[:5]}")
    return {name: _validate.stream(streams.get(name, name)) for name in specs}


def plan_safetensors(specs: Mapping[str, Any], *, streams: Optional[Mapping[str, Any]] = None,
                     metadata: Optional[Mapping[str, str]] = None) -> SafetensorsLayout:
    """Compute the header and byte layout of a safetensors file.

    Parameters
    ----------
    specs : mapping of str to fastinit.Spec
        Tensor names to what they hold.  Besides Specs, any object with
        ``shape``, ``dtype``, ``nbytes``, ``regionable`` and
        ``generate(seed, stream, *, region=None, out=None, threads=None)``.
    streams : mapping of str to int or str, optional
        The stream of some or all tensors; a tensor not named here uses its
        own name as its stream.
    metadata : mapping of str to str, optional
        Written as the header's ``__metadata__`` (keys sorted).

    Returns
    -------
    SafetensorsLayout
    """
    specs = as_recipe_mapping(specs)
    meta = _check_metadata(metadata)
    stream_ids = _streams_for(specs, streams)
    rows = []
    for name, recipe in specs.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved in safetensors and cannot name a tensor")
        code, dtype = _dtype_code(recipe, name)
        shape = _validate.shape(recipe.shape)
        rows.append((_DTYPE_ORDER[code], name, code, dtype, shape, recipe))
    rows.sort(key=lambda row: (row[0], row[1]))
    offset = 0
    placed = []
    for _, name, code, dtype, shape, recipe in rows:
        nbytes = math.prod(shape) * dtype.itemsize
        placed.append((name, code, dtype, shape, offset, offset + nbytes, recipe))
        offset += nbytes
    document: Dict[str, Any] = {}
    if meta:
        document["__metadata__"] = meta
    for name, code, _, shape, begin, end, _ in placed:
        document[name] = {"dtype": code, "shape": list(shape), "data_offsets": [begin, end]}
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    if len(text) > MAX_HEADER_BYTES:
        raise ValueError(f"the header would take {len(text)} bytes; safetensors reads at most "
                         f"{MAX_HEADER_BYTES}")
    header = struct.pack("<Q", len(text)) + text
    start = len(header)
    entries = tuple(
        TensorEntry(name, code, dtype, shape, start + begin, start + end, stream_ids[name], recipe)
        for name, code, dtype, shape, begin, end, recipe in placed)
    return SafetensorsLayout(header, entries)


# --------------------------------------------------------------------------
# pieces: what to generate for a byte range


class _Piece:
    """Bytes ``[skip, skip + length)`` of the values of `region` of a tensor,
    which go at file offset `offset`."""

    __slots__ = ("entry", "region", "elements", "skip", "length", "offset")

    def __init__(self, entry: TensorEntry, region: Any, elements: int, skip: int, length: int,
                 offset: int):
        self.entry = entry
        self.region = region
        self.elements = elements
        self.skip = skip
        self.length = length
        self.offset = offset


def _pieces(layout: SafetensorsLayout, entries: Iterable[TensorEntry], start: int, stop: int,
            buffer_bytes: int) -> Iterator[_Piece]:
    """Pieces covering file bytes ``[start, stop)`` of `entries`, in order."""
    for entry in entries:
        lo, hi = max(start, entry.begin), min(stop, entry.end)
        if lo >= hi:
            continue
        itemsize = entry.dtype.itemsize
        first = (lo - entry.begin) // itemsize
        last = -(-(hi - entry.begin) // itemsize)
        if not entry.recipe.regionable:
            # made whole (orthogonal needs the whole matrix for its QR)
            yield _Piece(entry, None, math.prod(entry.shape), lo - entry.begin,
                         hi - lo, lo)
            continue
        per_buffer = max(1, buffer_bytes // itemsize)
        element = first
        for region in flat_range_regions(entry.shape, first, last, per_buffer):
            count = math.prod(s.stop - s.start for s in region)
            begin_byte = entry.begin + element * itemsize
            piece_lo = max(lo, begin_byte)
            piece_hi = min(hi, begin_byte + count * itemsize)
            yield _Piece(entry, region, count, piece_lo - begin_byte, piece_hi - piece_lo,
                         piece_lo)
            element += count


# --------------------------------------------------------------------------
# progress


class _ByteProgress:
    """A progress line for bytes written: amount, rate and time left."""

    def __init__(self, total: int, stream: Any = None):
        self.total = total
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.interactive = bool(isatty and isatty())
        self.started = time.monotonic()
        self.last_shown = 0.0
        self.next_fraction = 0.1
        self.lock = threading.Lock()
        self.done = 0

    def add(self, count: int) -> None:
        with self.lock:
            self.done += count
            now = time.monotonic()
            if self.interactive:
                if now - self.last_shown >= 0.2 or self.done >= self.total:
                    self.last_shown = now
                    self._show(now)
            elif self.total and self.done >= self.next_fraction * self.total:
                while self.next_fraction * self.total <= self.done and self.next_fraction < 1.05:
                    self.next_fraction += 0.1
                self._show(now)

    def _show(self, now: float) -> None:
        elapsed = max(now - self.started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else float("inf")
        fraction = self.done / self.total if self.total else 1.0
        width = 24
        filled = int(width * fraction)
        eta = "--:--" if not math.isfinite(left) else f"{int(left) // 60}:{int(left) % 60:02d}"
        text = (f"[{'#' * filled}{'-' * (width - filled)}] {_human(self.done)} / "
                f"{_human(self.total)}  {_human(rate)}/s  {eta} left")
        if self.interactive:
            self.stream.write("\r" + text + " ")
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.interactive:
            columns = shutil.get_terminal_size((80, 24)).columns
            self.stream.write("\r" + " " * (columns - 1) + "\r")
            self.stream.flush()


def _human(count: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(count) < 1024 or unit == "TiB":
            return f"{count:.1f} {unit}" if unit != "B" else f"{int(count)} B"
        count /= 1024
    return f"{count:.1f} TiB"


ProgressCallback = Callable[[int], None]


def _progress_callback(progress: Any, total: int) -> Tuple[Optional[ProgressCallback],
                                                           Optional[_ByteProgress]]:
    if progress is False or progress is None:
        return None, None
    if progress is True:
        bar = _ByteProgress(total)
        return bar.add, bar
    if callable(progress):
        return progress, None
    raise TypeError("progress must be a bool or a callable taking a byte count")


# --------------------------------------------------------------------------
# the filling and writing pipeline


class WriteError(OSError):
    """Writing a checkpoint failed; no complete-looking file was left."""


def _aligned_buffer(nbytes: int) -> np.ndarray:
    raw = np.empty(nbytes + 64, np.uint8)
    offset = (-raw.ctypes.data) % 64
    return raw[offset:offset + nbytes]


def _pwrite_all(fd: int, data: memoryview, offset: int) -> None:
    while len(data):
        written = os.pwrite(fd, data, offset)
        if written <= 0:
            raise OSError(errno.EIO, "write returned 0 bytes")
        data = data[written:]
        offset += written


class _Writer:
    """A thread that writes filled buffers while the caller fills the next."""

    def __init__(self, fd: int, progress: Optional[ProgressCallback]):
        self.fd = fd
        self.progress = progress
        self.pending: "queue.Queue[Optional[Tuple[memoryview, int, Optional[np.ndarray]]]]" = (
            queue.Queue())
        self.free: "queue.Queue[np.ndarray]" = queue.Queue()
        self.error: Optional[BaseException] = None
        self.cancelled = False
        self.written = 0
        self.thread = threading.Thread(target=self._run, name="fastinit-checkpoint-writer",
                                       daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            item = self.pending.get()
            if item is None:
                return
            data, offset, buffer = item
            if self.error is None and not self.cancelled:
                try:
                    _pwrite_all(self.fd, data, offset)
                    self.written += len(data)
                    if self.progress is not None:
                        self.progress(len(data))
                except BaseException as exc:  # reported to the filling thread
                    self.error = exc
            if buffer is not None:
                self.free.put(buffer)

    def check(self) -> None:
        if self.error is not None:
            raise self.error

    def take_buffer(self) -> np.ndarray:
        while True:
            self.check()
            try:
                return self.free.get(timeout=0.05)
            except queue.Empty:
                continue

    def submit(self, data: memoryview, offset: int, buffer: Optional[np.ndarray]) -> None:
        self.check()
        self.pending.put((data, offset, buffer))

    def finish(self, cancel: bool = False) -> None:
        self.cancelled = cancel
        self.pending.put(None)
        self.thread.join()


def _fill_and_write(fd: int, pieces: Iterable[_Piece], seed: int, threads: Any,
                    progress: Optional[ProgressCallback], buffer_bytes: int = BUFFER_BYTES,
                    buffer_count: int = BUFFER_COUNT) -> int:
    """Generate `pieces` into a pool of buffers and write them at their offsets."""
    writer = _Writer(fd, progress)
    ok = False
    try:
        for _ in range(buffer_count):
            writer.free.put(_aligned_buffer(buffer_bytes))
        buffer: Optional[np.ndarray] = None
        start = 0   # file offset of buffer[0]
        used = 0
        for piece in pieces:
            entry = piece.entry
            itemsize = entry.dtype.itemsize
            nbytes = piece.elements * itemsize
            if piece.region is None and nbytes > buffer_bytes:
                # a whole (non-regionable) tensor larger than a buffer
                if buffer is not None and used:
                    writer.submit(buffer.data[:used], start, buffer)
                    buffer, used = None, 0
                values = entry.recipe.generate(seed, entry.stream, threads=threads)
                raw = np.ascontiguousarray(values).reshape(-1).view(np.uint8).data
                writer.submit(raw[piece.skip:piece.skip + piece.length], piece.offset, None)
                continue
            if buffer is not None and (used + nbytes > buffer_bytes
                                       or start + used != piece.offset):
                writer.submit(buffer.data[:used], start, buffer)
                buffer, used = None, 0
            if buffer is None:
                buffer = writer.take_buffer()
                start, used = piece.offset, 0
            # generate into bytes [used, used + nbytes) of the buffer; only
            # [skip, skip + length) of them are kept (a range may start or
            # end inside an element)
            target = buffer[used:used + nbytes]
            shape = (tuple(s.stop - s.start for s in piece.region)
                     if piece.region is not None else entry.shape)
            out = target.view(entry.dtype).reshape(shape)
            entry.recipe.generate(seed, entry.stream, region=piece.region, out=out,
                                  threads=threads)
            if piece.skip or piece.length != nbytes:
                kept = target[piece.skip:piece.skip + piece.length].copy()
                target[:piece.length] = kept
            used += piece.length
        if buffer is not None and used:
            writer.submit(buffer.data[:used], start, buffer)
            buffer = None
        ok = True
    finally:
        writer.finish(cancel=not ok)
    writer.check()
    return writer.written


# --------------------------------------------------------------------------
# files


def _describe_os_error(exc: OSError) -> str:
    if exc.errno == errno.EFBIG:
        return "file too large (the file size limit, RLIMIT_FSIZE / ulimit -f, was reached)"
    if exc.errno == errno.ENOSPC:
        return "no space left on the device"
    return exc.strerror or str(exc)


def _temporary_name(path: str) -> str:
    directory, base = os.path.split(path)
    return os.path.join(directory, f".{base}.{os.getpid()}-{secrets.token_hex(4)}.partial")


def _open_new(path: str) -> int:
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                   0o666)


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _check_free_space(directory: str, needed: int) -> None:
    try:
        stats = os.statvfs(directory or ".")
    except (OSError, AttributeError):
        return
    available = stats.f_bavail * stats.f_frsize
    if needed > available:
        raise WriteError(errno.ENOSPC,
                         f"not enough space in {directory or '.'}: the checkpoint needs "
                         f"{_human(needed)}, {_human(available)} are free; nothing was written")


def _write_file_to(temporary: str, layout: SafetensorsLayout, seed: int, threads: Any,
                   progress: Optional[ProgressCallback]) -> None:
    fd = _open_new(temporary)
    try:
        _pwrite_all(fd, memoryview(layout.header), 0)
        if progress is not None:
            progress(len(layout.header))
        pieces = _pieces(layout, layout.tensors, layout.data_start, layout.file_size,
                         BUFFER_BYTES)
        _fill_and_write(fd, pieces, seed, threads, progress)
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _check_seed(seed: Any) -> int:
    if seed is None:
        raise TypeError("seed must be an integer: a checkpoint is reproducible only from a "
                        "known seed")
    return _validate.seed(seed)


def shard_names(specs: Mapping[str, Any], max_shard_bytes: int) -> List[List[str]]:
    """How :func:`save_safetensors` splits `specs` into shards.

    Tensors are taken in the mapping's order; a shard is closed when the
    next tensor would take it past `max_shard_bytes`.  A tensor larger than
    `max_shard_bytes` gets a shard of its own.  Returns one list of tensor
    names per shard (at least one shard).
    """
    max_shard_bytes = _check_shard_bytes(max_shard_bytes)
    shards: List[List[str]] = [[]]
    used = 0
    for name, recipe in specs.items():
        nbytes = int(recipe.nbytes)
        if shards[-1] and used + nbytes > max_shard_bytes:
            shards.append([])
            used = 0
        shards[-1].append(name)
        used += nbytes
    return shards


def _check_shard_bytes(value: Any) -> int:
    return _positive_count(value, "max_shard_bytes")


def _check_threads(threads: Any) -> Optional[int]:
    return None if threads is None else _validate.threads(threads, 0)


def save_safetensors(path: PathLike, specs: Mapping[str, Any], *, seed: int,
                     max_shard_bytes: Optional[int] = None, threads: Optional[int] = None,
                     progress: Union[bool, ProgressCallback] = False,
                     streams: Optional[Mapping[str, Any]] = None,
                     metadata: Optional[Mapping[str, str]] = None) -> List[str]:
    """Write initialized tensors as a safetensors checkpoint, in bounded memory.

    Parameters
    ----------
    path : str or path-like
        The ``.safetensors`` file to write; with `max_shard_bytes`, the
        directory that receives the shards and the index (created if
        missing).
    specs : mapping of str to fastinit.Spec
        Tensor names to what they hold (float32, float64, float16 or
        bfloat16).  Any object with ``shape``, ``dtype``, ``nbytes``,
        ``regionable`` and ``generate(seed, stream, *, region=None, out=None,
        threads=None)`` works too.
    seed : int
        In [0, 2**64); the tensor named ``n`` is
        ``specs[n].generate(seed, streams.get(n, n))``.
    max_shard_bytes : int, optional
        Split into Hugging Face-style shards ``model-00001-of-0000N.safetensors``
        of at most this many tensor bytes (a larger tensor gets a shard of
        its own), in the mapping's order, plus ``model.safetensors.index.json``
        with ``metadata.total_size`` and ``weight_map``.
    threads : int, optional
        Threads that fill each buffer (None: all cores); never changes the bytes.
    progress : bool or callable, optional
        True shows a progress bar (bytes, rate, time left) on stderr; a
        callable receives the number of bytes written after each write.
    streams : mapping of str to int or str, optional
        Streams for some tensors instead of their names.
    metadata : mapping of str to str, optional
        The header's ``__metadata__`` (in every shard).

    Returns
    -------
    list of str
        The paths of the files written (the index last).

    Raises
    ------
    WriteError
        (an OSError with the errno of the cause) when writing fails: the
        disk is full, the file size limit is reached, ...  The message says
        how far it got.  The partial file is removed, and the final name is
        never created or replaced, so a failed or killed writer leaves no
        file that looks complete (a killed one may leave a hidden
        ``.*.partial`` file).

    Notes
    -----
    Peak memory is :data:`BUFFER_COUNT` buffers of :data:`BUFFER_BYTES`
    plus the engine's bounded temporaries, whatever the file size.
    Tensors that cannot be made by region (orthogonal) are made whole.
    The data is flushed to disk (fsync) before the file gets its final
    name.
    """
    specs = as_recipe_mapping(specs)
    seed = _check_seed(seed)
    threads = _check_threads(threads)
    target = os.fspath(path)
    if max_shard_bytes is None:
        layouts = [(target, plan_safetensors(specs, streams=streams, metadata=metadata))]
        directory = os.path.dirname(target)
        if os.path.isdir(target):
            raise IsADirectoryError(errno.EISDIR, f"{target} is a directory; give a file name, "
                                    "or max_shard_bytes to write shards into it")
        index = None
    else:
        groups = shard_names(specs, max_shard_bytes)
        all_streams = _streams_for(specs, streams)
        directory = target
        count = len(groups)
        layouts = []
        weight_map: Dict[str, str] = {}
        for number, names in enumerate(groups, start=1):
            file_name = f"model-{number:05d}-of-{count:05d}.safetensors"
            layout = plan_safetensors({name: specs[name] for name in names},
                                      streams={name: all_streams[name] for name in names},
                                      metadata=metadata)
            layouts.append((os.path.join(target, file_name), layout))
            for name in names:
                weight_map[name] = file_name
        total_size = sum(int(recipe.nbytes) for recipe in specs.values())
        index = json.dumps({"metadata": {"total_size": total_size},
                            "weight_map": dict(sorted(weight_map.items()))}, indent=2) + "\n"
        if os.path.exists(target) and not os.path.isdir(target):
            raise NotADirectoryError(errno.ENOTDIR,
                                     f"{target} exists and is not a directory (with "
                                     "max_shard_bytes, path is the shard directory)")
        os.makedirs(target, exist_ok=True)
    if directory and not os.path.isdir(directory):
        raise FileNotFoundError(errno.ENOENT, f"directory {directory} does not exist")
    total = sum(layout.file_size for _, layout in layouts)
    _check_free_space(directory, total)
    callback, bar = _progress_callback(progress, total)
    done = [0]

    def counted(count: int) -> None:
        done[0] += count
        if callback is not None:
            callback(count)

    temporaries: List[Tuple[str, str]] = []
    current = target
    try:
        for final, layout in layouts:
            current = final
            temporary = _temporary_name(final)
            temporaries.append((temporary, final))
            _write_file_to(temporary, layout, seed, threads, counted)
        if index is not None:
            current = os.path.join(target, INDEX_NAME)
            temporary = _temporary_name(current)
            temporaries.append((temporary, current))
            fd = _open_new(temporary)
            try:
                _pwrite_all(fd, memoryview(index.encode("utf-8")), 0)
                os.fsync(fd)
            finally:
                os.close(fd)
        for temporary, final in temporaries:
            os.replace(temporary, final)
        _fsync_directory(directory)
    except OSError as exc:
        for temporary, _ in temporaries:
            _remove_quietly(temporary)
        raise WriteError(
            exc.errno or errno.EIO,
            f"could not write {current}: {_describe_os_error(exc)}, after {_human(done[0])} of "
            f"{_human(total)}; the partial file was removed and no checkpoint was written at "
            f"{target}") from exc
    except BaseException as exc:
        for temporary, _ in temporaries:
            _remove_quietly(temporary)
        exc.add_note(f"fastinit.checkpoint: stopped writing {current} after {_human(done[0])} "
                     f"of {_human(total)}; the partial file was removed and no checkpoint was "
                     f"written at {target}")
        raise
    finally:
        if bar is not None:
            bar.close()
    return [final for _, final in temporaries]


# --------------------------------------------------------------------------
# several writers for one file


def write_header(path: PathLike, layout: SafetensorsLayout) -> None:
    """Create the file `path` at its final size and write its header.

    The data section is left as a hole (read as zeros until written) for
    :func:`write_range` calls from any number of processes.  Write to a
    temporary name and rename it once every range is written, so that no
    incomplete file ever has the final name.
    """
    target = os.fspath(path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0),
                 0o666)
    try:
        os.ftruncate(fd, layout.file_size)
        _pwrite_all(fd, memoryview(layout.header), 0)
        os.fsync(fd)
    finally:
        os.close(fd)


def write_range(path: PathLike, layout: SafetensorsLayout, *, seed: int,
                names: Optional[Sequence[str]] = None,
                byte_range: Optional[Tuple[int, int]] = None,
                threads: Optional[int] = None) -> int:
    """Write some tensors, or a byte range, of a file made by :func:`write_header`.

    Parameters
    ----------
    path : str or path-like
        The file, already created by :func:`write_header` (possibly on
        another machine of a shared file system).
    layout : SafetensorsLayout
        The layout the file was created with.
    seed : int
        The checkpoint's seed (the same in every process).
    names : sequence of str, optional
        Write these tensors whole.
    byte_range : (int, int), optional
        Write the data bytes at file offsets ``[start, stop)``; the bounds
        may fall anywhere, even inside an element (for example
        ``layout.byte_ranges(n)[k]``).  With neither `names` nor
        `byte_range`, the whole data section is written.
    threads : int, optional
        Fill threads (in a Dask task, 1).

    Returns
    -------
    int
        Bytes written.  The data is flushed (fsync) before returning.
    """
    seed = _check_seed(seed)
    threads = _check_threads(threads)
    if names is not None and byte_range is not None:
        raise TypeError("give names or byte_range, not both")
    if names is not None:
        if isinstance(names, str):
            names = [names]
        entries = [layout.tensor(name) for name in names]
        pieces: Iterable[_Piece] = _pieces(layout, entries, 0, layout.file_size, BUFFER_BYTES)
    else:
        start, stop = (layout.data_start, layout.file_size) if byte_range is None else byte_range
        start, stop = int(start), int(stop)
        if not layout.data_start <= start <= stop <= layout.file_size:
            raise ValueError(f"byte_range {start}:{stop} is outside the data section "
                             f"[{layout.data_start}, {layout.file_size})")
        pieces = _pieces(layout, layout.tensors, start, stop, BUFFER_BYTES)
    fd = os.open(os.fspath(path), os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        if os.fstat(fd).st_size != layout.file_size:
            raise ValueError(f"{os.fspath(path)} has {os.fstat(fd).st_size} bytes, the layout "
                             f"{layout.file_size}: create it with write_header first")
        written = _fill_and_write(fd, pieces, seed, threads, None)
        os.fsync(fd)
    finally:
        os.close(fd)
    return written


# --------------------------------------------------------------------------
# command line


_SIZE_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
               "KIB": 1 << 10, "MIB": 1 << 20, "GIB": 1 << 30, "TIB": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes of a size such as ``"5GB"``, ``"500MiB"`` or ``"1000000"``."""
    cleaned = text.strip().upper().replace(" ", "")
    number = cleaned.rstrip("KMGTIB")
    unit = cleaned[len(number):]
    if unit not in _SIZE_UNITS or not number:
        raise ValueError(f"invalid size {text!r} (examples: 5GB, 500MiB, 1000000)")
    try:
        value = float(number)
    except ValueError:
        raise ValueError(f"invalid size {text!r} (examples: 5GB, 500MiB, 1000000)") from None
    size = int(value * _SIZE_UNITS[unit])
    if not math.isfinite(value) or size < 1:
        raise ValueError(f"size must be at least 1 byte, got {text!r}")
    return size


def _reject_duplicates(pairs: List[Tuple[str, Any]]) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate name {key!r}")
        result[key] = value
    return result


def specs_from_json(text: str, dtype: Optional[str] = None) -> Dict[str, Spec]:
    """Specs from the JSON of ``fastinit checkpoint``: names mapped to
    ``{"method": ..., "shape": [...], "dtype": ..., params...}``.

    `dtype`, when given, overrides every tensor's dtype.
    """
    try:
        document = json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise ValueError("the spec file must hold a JSON object mapping tensor names to "
                         "{\"method\": ..., \"shape\": [...], ...}")
    specs: Dict[str, Spec] = {}
    for name, entry in document.items():
        if not isinstance(entry, dict):
            raise ValueError(f"tensor {name!r}: expected an object with method and shape")
        entry = dict(entry)
        try:
            method = entry.pop("method")
            shape = entry.pop("shape")
        except KeyError as missing:
            raise ValueError(f"tensor {name!r}: missing {missing.args[0]!r}") from None
        if isinstance(shape, list):
            shape = tuple(shape)
        if not isinstance(shape, (tuple, int)) or isinstance(shape, bool) or any(
                not isinstance(d, int) or isinstance(d, bool)
                for d in (shape if isinstance(shape, tuple) else (shape,))):
            raise ValueError(f"tensor {name!r}: shape must be a list of integers, got {shape!r}")
        tensor_dtype = entry.pop("dtype", "float32") if dtype is None else dtype
        entry.pop("dtype", None)
        for key, value in entry.items():
            if isinstance(value, list):
                entry[key] = tuple(value)
        try:
            specs[name] = Spec(method, shape, dtype=tensor_dtype, **entry)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"tensor {name!r}: {exc}") from None
    return specs


def add_cli_parser(subparsers: Any) -> Any:
    """Add the ``checkpoint`` command to the ``fastinit`` command's subparsers."""
    import argparse
    import textwrap

    parser = subparsers.add_parser(
        "checkpoint",
        help="write a safetensors checkpoint of initialized tensors described in SPEC.json",
        description=textwrap.fill(
            "Write the tensors described in SPEC.json as a safetensors file OUT (or, with "
            "--max-shard-size, a directory OUT of shards and model.safetensors.index.json), "
            "in bounded memory, whatever the size. SPEC.json maps tensor names to "
            '{"method": ..., "shape": [...], "dtype": ..., params...}, the params being '
            "those of the fastinit function named by method; each tensor's stream is its "
            "name.", 79),
        epilog=("example:\n  fastinit checkpoint model.json model.safetensors --seed 0 "
                "--max-shard-size 5GB --dtype bfloat16\n\nmodel.json:\n"
                '  {"embed.weight": {"method": "normal", "shape": [32000, 4096], "std": 0.02},\n'
                '   "fc.weight": {"method": "he_normal", "shape": [4096, 11008], '
                '"layout": "torch"},\n'
                '   "fc.bias": {"method": "zeros", "shape": [4096]}}'),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        argument_default=argparse.SUPPRESS,
    )
    parser.add_argument("spec", metavar="SPEC.json", help="the tensors to write")
    parser.add_argument("out", metavar="OUT", help="the .safetensors file (or shard directory)")
    parser.add_argument("--seed", type=seed_argument, metavar="S", required=True,
                        help="seed in [0, 2**64)")
    parser.add_argument("--max-shard-size", type=_size_argument, metavar="SIZE",
                        help="split into shards of at most SIZE tensor bytes (5GB, 500MiB)")
    parser.add_argument("--dtype", choices=tuple(DTYPE_CODES), metavar="D",
                        help="dtype of every tensor, overriding SPEC.json: "
                             + ", ".join(DTYPE_CODES))
    parser.add_argument("--threads", type=positive_int, metavar="T",
                        help="fill threads (default: all cores)")
    parser.add_argument("--no-progress", action="store_true",
                        help="no progress bar (it is shown only on a terminal anyway)")
    parser.set_defaults(handler=run_cli)
    return parser


def _size_argument(text: str) -> int:
    import argparse
    try:
        return parse_size(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


class UsageError(ValueError):
    """A bad spec file or output path, found before anything is written."""


def _check_output(out: str, sharded: bool) -> None:
    directory = out if sharded else (os.path.dirname(out) or ".")
    if sharded:
        if os.path.exists(out) and not os.path.isdir(out):
            raise UsageError(f"{out} exists and is not a directory (--max-shard-size writes "
                             "a directory of shards)")
        parent = out
        while not os.path.exists(parent):
            parent = os.path.dirname(os.path.abspath(parent))
        directory = parent
    elif os.path.isdir(out):
        raise UsageError(f"{out} is a directory; give a file name, or --max-shard-size to "
                         "write shards into it")
    if not os.path.isdir(directory):
        raise UsageError(f"cannot write {out}: directory {directory} does not exist")
    # A probe file says whether the directory takes new files, also where
    # permission bits do not (root, read-only mounts, /proc).
    probe = _temporary_name(os.path.join(directory, "probe"))
    try:
        os.close(_open_new(probe))
    except OSError as exc:
        raise UsageError(f"cannot write {out}: directory {directory} does not take new "
                         f"files ({exc.strerror or exc})") from None
    os.unlink(probe)
    if not sharded and os.path.exists(out) and not os.access(out, os.W_OK):
        raise UsageError(f"cannot write {out}: it exists and is not writable")


def run_cli(args: Any) -> int:
    """Run ``fastinit checkpoint``; returns the exit status (2 for a usage error)."""
    prog = "fastinit checkpoint"
    sharded = getattr(args, "max_shard_size", None) is not None
    try:
        try:
            with open(args.spec, encoding="utf-8") as spec_file:
                text = spec_file.read()
        except OSError as exc:
            raise UsageError(f"cannot read {args.spec}: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"{args.spec} is not UTF-8 text: {exc}") from None
        try:
            specs = specs_from_json(text, getattr(args, "dtype", None))
        except ValueError as exc:
            raise UsageError(f"{args.spec}: {exc}") from None
        if not specs:
            raise UsageError(f"{args.spec} names no tensors")
        _check_output(args.out, sharded)
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    show_progress = not getattr(args, "no_progress", False) and sys.stderr.isatty()
    try:
        written = save_safetensors(args.out, specs, seed=args.seed,
                                   max_shard_bytes=getattr(args, "max_shard_size", None),
                                   threads=getattr(args, "threads", None),
                                   progress=show_progress)
    except WriteError as exc:
        print(f"{prog}: error: {exc.strerror}", file=sys.stderr)
        return 1
    total = sum(spec.nbytes for spec in specs.values())
    files = len(written) - (1 if sharded else 0)
    print(f"wrote {len(specs)} tensors, {_human(total)}, to {args.out}"
          + (f" ({files} shards and {INDEX_NAME})" if sharded else ""))
    return 0
