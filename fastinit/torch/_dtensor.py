"""Regions of DTensor shards: which block of the global tensor a rank holds.

A DTensor's rank fills only its local shard, as the ``region`` of the global
shape it holds, so the gathered tensor is bit-identical to one filled whole
in one process, for any mesh, placements and world size.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch

__all__ = ["local_region", "shard_region"]


def shard_region(global_shape, mesh_shape, coordinate, placements) -> Tuple[slice, ...]:
    """The block of `global_shape` held at mesh `coordinate`.

    Parameters
    ----------
    global_shape : tuple of ints
        The DTensor's logical shape.
    mesh_shape : tuple of ints
        The device mesh's shape.
    coordinate : tuple of ints
        This rank's coordinate in the mesh.
    placements : sequence of Placement
        One per mesh dimension: ``Shard(d)`` or ``Replicate()``.

    Returns
    -------
    tuple of slices
        One slice per dimension of `global_shape`.

    Notes
    -----
    Placements are applied in mesh-dimension order, as torch does: a
    ``Shard(d)`` on a mesh dimension of size ``n`` splits the part of
    dimension ``d`` left by the earlier mesh dimensions as ``torch.chunk``
    does -- chunks of ``ceil(size / n)``, the last ones shorter or empty.
    """
    from torch.distributed.tensor import Replicate, Shard

    offsets = [0] * len(global_shape)
    sizes = list(global_shape)
    for mesh_dim, placement in enumerate(placements):
        if isinstance(placement, Replicate):
            continue
        if type(placement) is not Shard:
            raise NotImplementedError(
                f"fastinit fills DTensors placed with Shard(dim) and Replicate(); got "
                f"{placement!r} on mesh dimension {mesh_dim} (a Partial tensor holds "
                "pending sums, not values; a strided shard needs its own layout): "
                "redistribute the tensor to Shard/Replicate placements first")
        dim = placement.dim if placement.dim >= 0 else placement.dim + len(global_shape)
        parts = mesh_shape[mesh_dim]
        chunk = -(-sizes[dim] // parts) if sizes[dim] else 0
        start = min(coordinate[mesh_dim] * chunk, sizes[dim])
        length = min(chunk, sizes[dim] - start)
        offsets[dim] += start
        sizes[dim] = length
    return tuple(slice(offset, offset + size) for offset, size in zip(offsets, sizes))


def local_region(dtensor) -> Tuple[Optional[torch.Tensor], Optional[Tuple[slice, ...]]]:
    """This rank's local tensor of `dtensor` and the region of the global shape it holds.

    ``(None, None)`` when this rank is not part of the DTensor's mesh.
    """
    mesh = dtensor.device_mesh
    coordinate = mesh.get_coordinate()
    if coordinate is None:
        return None, None
    region = shard_region(tuple(dtensor.shape), tuple(mesh.shape), tuple(coordinate),
                          dtensor.placements)
    local = dtensor.to_local()
    expected = tuple(s.stop - s.start for s in region)
    if tuple(local.shape) != expected:
        raise ValueError(
            f"the local shard has shape {tuple(local.shape)}, but the placements "
            f"{dtensor.placements} on mesh {tuple(mesh.shape)} give {expected} at coordinate "
            f"{tuple(coordinate)}: the shard is not laid out as torch.chunk splits it")
    return local, region
