"""A torch model's initialized weights written straight to a safetensors file."""
from __future__ import annotations

import os
from typing import Any, List, Mapping, Optional, Union

from torch import nn

from ._modules import plan_module


def save_initialized(module: nn.Module, path: Union[str, "os.PathLike[str]"], seed: int, *,
                     rules: Optional[Mapping] = None, dtype: Any = None,
                     max_shard_bytes: Optional[int] = None, on_unknown: str = "raise",
                     threads: Optional[int] = None, progress: bool = False) -> List[str]:
    """Write the weights :func:`materialize` would give `module` as a safetensors checkpoint.

    The module may live on the meta device: no tensor of it is ever
    allocated.  Each parameter and buffer is made from its
    :func:`init_module` scheme (or `rules`) with its qualified name as the
    stream, region by region in bounded memory, by
    :func:`fastinit.checkpoint.save_safetensors`.  So

    ``model.load_state_dict(safetensors.torch.load_file(path), assign=True)``

    on a meta model gives exactly what ``materialize(model, seed)`` gives:
    a "seed checkpoint" that any parallel layout can load.

    Parameters
    ----------
    module : torch.nn.Module
        The model (on the meta device, or anywhere: it is only read).
    path : str or path-like
        The ``.safetensors`` file, or with `max_shard_bytes` the directory of
        Hugging Face-style shards and ``model.safetensors.index.json``.
    seed : int
        Seed in ``[0, 2**64)``.
    rules, on_unknown
        As for :func:`init_module`.
    dtype : data-type, optional
        Store every floating-point tensor in this dtype (float32, float64,
        float16 or bfloat16) instead of its own.
    max_shard_bytes : int, optional
        Largest shard size in bytes; None writes one file.
    threads : int, optional
        Fill threads (None: all cores).
    progress : bool, optional
        Show a progress bar on a terminal.

    Returns
    -------
    list of str
        The files written.
    """
    from ..checkpoint import save_safetensors

    plan = plan_module(module, rules=rules, on_unknown=on_unknown, dtype=dtype)
    return save_safetensors(path, dict(plan), seed=seed, max_shard_bytes=max_shard_bytes,
                            threads=threads, progress=progress, metadata={"format": "pt"})
