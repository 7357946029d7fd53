"""The stateful generator: a seed, a stream and the next unused block.

Its methods are the module's initializers without ``seed``, ``stream`` and
``block`` (made from the same spec table, :mod:`fastinit._table`), plus
:meth:`Generator.random_raw`.
"""
from __future__ import annotations

import operator
import os
import threading
import weakref
from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _table, _validate
from ._engine import random_raw as _random_raw
from ._validate import UINT64_LIMIT
from ._derive import build as _build

__all__ = ["Generator"]

ShapeLike = Union[int, Sequence[int]]

# Every live generator, so that a forked child can replace their locks: a
# lock held by another thread at the moment of fork() would otherwise stay
# held forever in the child (which has only the forking thread).
_LIVE_GENERATORS: "weakref.WeakSet[Generator]" = weakref.WeakSet()


def _reset_generator_locks_in_child() -> None:
    for generator in list(_LIVE_GENERATORS):
        generator._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_generator_locks_in_child)


class Generator:
    """A seeded stream whose methods never reuse each other's words.

    Parameters
    ----------
    seed : int or None, optional
        Seed in ``[0, 2**64)``.  None draws 64 bits from the OS; read them
        back from :attr:`seed` to reproduce the run.
    stream : int or str, optional
        Stream number in ``[0, 2**64)``, or a name (for example the parameter
        name ``"encoder.layer3.weight"``) hashed to one.

    Notes
    -----
    Each call starts at :attr:`block` and advances it past every block the
    whole logical array uses -- also when only a ``region`` is produced, so
    workers that each make their shard of the same calls stay in step.  The
    position is advanced under a lock, so threads sharing a generator never
    receive the same blocks.

    Examples
    --------
    >>> g = fastinit.Generator(seed=42)
    >>> w = g.he_normal((784, 256))
    >>> b = g.zeros(256)
    """

    def __init__(self, seed: Optional[int] = None, stream: Union[int, str] = 0):
        self._seed = _validate.seed(seed)
        self._stream = _validate.stream(stream)
        self._block = 0
        self._lock = threading.Lock()
        _LIVE_GENERATORS.add(self)

    def __getstate__(self) -> dict:
        # A copy (pickle, multiprocessing) continues from the same block:
        # like copying any generator, it repeats the original's next words.
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()
        _LIVE_GENERATORS.add(self)

    @property
    def seed(self) -> int:
        """The 64-bit seed (drawn from the OS when the generator was made
        with ``seed=None``): pass it back to reproduce a run."""
        return self._seed

    @property
    def stream(self) -> int:
        """The stream number."""
        return self._stream

    @property
    def block(self) -> int:
        """The next unused block."""
        return self._block

    def _take_blocks(self, n_blocks: int) -> int:
        """Reserve `n_blocks` blocks; return the first."""
        n_blocks = operator.index(n_blocks)
        if n_blocks < 0:
            raise ValueError("n_blocks must be non-negative")
        with self._lock:
            start = self._block
            if start + n_blocks > UINT64_LIMIT:
                raise ValueError("this generator's stream is exhausted (2**64 blocks used)")
            self._block = start + n_blocks
        return start

    def random_raw(self, n: int) -> np.ndarray:
        """The next `n` raw 32-bit words (whole blocks are consumed).

        Parameters
        ----------
        n : int
            Number of words.

        Returns
        -------
        numpy.ndarray of uint32
        """
        shape = _validate.shape(n)
        if len(shape) != 1:
            raise TypeError("n must be an integer")
        block = self._take_blocks(-(-shape[0] // 4))
        return _random_raw(shape[0], seed=self._seed, stream=self._stream, block=block)

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(seed={self._seed}, stream={self._stream}, "
                f"block={self._block})")


def _add_methods(cls: Any) -> None:
    for method in _table.METHODS:
        function = _build(method, for_generator=True)
        setattr(cls, method.name, function)
        for alias in method.aliases:
            setattr(cls, alias, function)


_add_methods(Generator)
