"""One rank of the DTensor tests (run by tests/test_torch_dtensor.py).

Usage: python torch_dtensor_worker.py RANK WORLD_SIZE PORT CASE

Joins a gloo process group on 127.0.0.1:PORT, builds the CASE's sharded
model, initializes it with fastinit.torch and compares every gathered
parameter (``full_tensor()``) bit for bit with the same model initialized
whole in this process.  Prints one line ``OK <n tensors checked>`` and exits 0
on success; a mismatch raises (non-zero exit, message on stderr).
"""
import datetime
import sys

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import DTensor, Replicate, Shard, distribute_tensor

import fastinit.torch as ft

SEED = 1234


class Tiny(nn.Module):
    """Uneven shapes (so shards are uneven or empty), a padding row, attention, norms."""

    def __init__(self, dtype=torch.float32):
        super().__init__()
        self.embed = nn.Embedding(11, 6, padding_idx=5, dtype=dtype)
        self.proj = nn.Linear(6, 5, dtype=dtype)
        self.attn = nn.MultiheadAttention(6, 2, dtype=dtype)
        self.norm = nn.LayerNorm(6, dtype=dtype)
        self.conv = nn.Conv1d(3, 7, 3, dtype=dtype)
        self.rotation = nn.Linear(9, 9, bias=False, dtype=dtype)


RULES = {"rotation.weight": ft.Init("orthogonal_", gain=0.5)}


def placements_for(tensor, kind, mesh_ndim):
    """Placements of one tensor for a test case; 1-D tensors shard on dim 0."""
    rank_of = {"S0": Shard(0), "S1": Shard(1) if tensor.dim() > 1 else Shard(0),
               "R": Replicate()}
    return [rank_of[k] for k in kind.split(",")][:mesh_ndim]


def shard_module(module, mesh, kind):
    for child in module.modules():
        for name, parameter in list(child._parameters.items()):
            if parameter is None:
                continue
            placements = placements_for(parameter, kind, mesh.ndim)
            sharded = distribute_tensor(parameter.detach(), mesh, placements)
            child._parameters[name] = nn.Parameter(sharded, requires_grad=parameter.requires_grad)
    return module


def reference(dtype):
    model = Tiny(dtype)
    ft.init_module(model, SEED, rules=RULES)
    return dict(model.named_parameters())


def check_region(name, parameter):
    """fastinit's shard region equals torch's own local shape and offset."""
    from torch.distributed.tensor._utils import compute_local_shape_and_global_offset

    from fastinit.torch._dtensor import local_region

    shape, offset = compute_local_shape_and_global_offset(
        parameter.shape, parameter.device_mesh, parameter.placements)
    _, region = local_region(parameter)
    ours = tuple(s.stop - s.start for s in region), tuple(s.start for s in region)
    if ours[0] != tuple(shape) or (min(shape, default=1) > 0 and ours[1] != tuple(offset)):
        raise AssertionError(f"{name}: region {region} but torch has shape {shape}, "
                             f"offset {offset}")


def compare(model, expected):
    checked = 0
    for name, parameter in model.named_parameters():
        if isinstance(parameter, DTensor):
            check_region(name, parameter)
        full = parameter.full_tensor() if isinstance(parameter, DTensor) else parameter
        want = expected[name].detach()
        if full.dtype == torch.bfloat16:
            full, want = full.view(torch.int16), want.view(torch.int16)
        if not torch.equal(full.detach(), want):
            raise AssertionError(f"{name} differs from the single-process fill "
                                 f"(placements {getattr(parameter, 'placements', None)})")
        checked += 1
    return checked


def run_case(case, world_size):
    mesh_text, kind, dtype_name, how = case.split(":")
    mesh_shape = tuple(int(n) for n in mesh_text.split("x"))
    dtype = getattr(torch, dtype_name)
    mesh = init_device_mesh("cpu", mesh_shape)
    expected = reference(dtype)
    if how == "init":
        model = shard_module(Tiny(dtype), mesh, kind)
        for parameter in model.parameters():
            parameter.to_local().detach().fill_(float("nan"))
        ft.init_module(model, SEED, rules=RULES)
    elif how == "materialize":
        with torch.device("meta"):
            model = shard_module(Tiny(dtype), mesh, kind)
        ft.materialize(model, SEED, rules=RULES)
    elif how == "twin":
        model = shard_module(Tiny(dtype), mesh, kind)
        expected = {}
        for name, parameter in model.named_parameters():
            ft.normal_(parameter, 0.0, 0.5, seed=SEED, stream=name)
            whole = torch.empty(parameter.shape, dtype=dtype)
            expected[name] = ft.normal_(whole, 0.0, 0.5, seed=SEED, stream=name)
    elif how == "fsdp":
        from torch.distributed.fsdp import fully_shard
        with torch.device("meta"):
            model = Tiny(dtype)
        for child in (model.embed, model.proj, model.attn, model.conv, model.rotation):
            fully_shard(child, mesh=mesh)
        fully_shard(model, mesh=mesh)
        ft.materialize(model, SEED, rules=RULES)
    else:
        raise ValueError(how)
    return compare(model, expected)


def main():
    rank, world_size, port = (int(a) for a in sys.argv[1:4])
    cases = sys.argv[4:]
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank,
                            world_size=world_size, timeout=datetime.timedelta(seconds=60))
    try:
        checked = sum(run_case(case, world_size) for case in cases)
        dist.barrier()
    finally:
        dist.destroy_process_group()
    print(f"OK {checked}")


if __name__ == "__main__":
    main()
