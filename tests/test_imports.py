"""What importing fastinit and its adapters costs: only the modules they need.

`import fastinit` loads NumPy and the standard library, nothing else;
adapters import their framework and no more of it than every call needs.
Each check runs in a fresh interpreter, since this one has imported
everything already.
"""
import sys

import pytest


def _imported_after(run_python, statement):
    result = run_python(f"import sys\n{statement}\n"
                        "print(' '.join(sorted(sys.modules)))\n")
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


@pytest.mark.skipif(sys.version_info < (3, 10), reason="sys.stdlib_module_names is 3.10+")
def test_import_fastinit_loads_only_numpy_and_the_standard_library(run_python):
    # site hooks (.pth files) may load packages into every interpreter
    added = _imported_after(run_python, "import fastinit") - _imported_after(run_python, "pass")
    foreign = {name.split(".")[0] for name in added} - set(sys.stdlib_module_names)
    foreign -= {"numpy", "fastinit", "cython_runtime"}  # and Cython's shared runtime:
    assert all(name.startswith("_cython_") for name in foreign), foreign


def test_import_fastinit_torch_leaves_dtensor_and_ml_dtypes_unloaded(run_python):
    pytest.importorskip("torch")
    # each of these takes over a second to import; fills that need them load them
    loaded = _imported_after(run_python, "import fastinit.torch")
    assert "torch" in loaded
    assert not {"ml_dtypes", "torch.distributed.tensor"} & loaded


def test_bfloat16_and_dtensor_fills_after_a_lean_import(run_python, tmp_path):
    pytest.importorskip("torch")
    pytest.importorskip("ml_dtypes")
    source = f"""
import sys
import torch
import fastinit.torch as ft
assert "ml_dtypes" not in sys.modules and "torch.distributed.tensor" not in sys.modules
half = ft.normal_(torch.empty(4096, dtype=torch.bfloat16), seed=3)
full = ft.normal_(torch.empty(4096), seed=3)
print(torch.equal(half.view(torch.int16), full.to(torch.bfloat16).view(torch.int16)))

import torch.distributed as dist
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.tensor import Shard, distribute_tensor
dist.init_process_group("gloo", init_method="file://{tmp_path / 'store'}", rank=0,
                        world_size=1)
mesh = init_device_mesh("cpu", (1,))
sharded = distribute_tensor(torch.zeros(16, 8), mesh, [Shard(0)])
ft.normal_(sharded, seed=5, stream="w")
print(torch.equal(sharded.full_tensor(), ft.normal_(torch.empty(16, 8), seed=5, stream="w")))
dist.destroy_process_group()
"""
    result = run_python(source)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
