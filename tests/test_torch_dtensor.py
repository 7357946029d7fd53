"""Sharded parameters: each rank fills its DTensor shard, the gathered tensor is bit-identical.

Every test starts real processes that join a torch.distributed gloo group on
the loopback interface; each rank runs tests/torch_dtensor_worker.py, which
compares every parameter's ``full_tensor()`` with the same model initialized
whole in one process (after filling the shards with NaN, so an unwritten
element fails), and checks each shard's region against torch's own
``compute_local_shape_and_global_offset``.
"""
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from _markers import slow

torch = pytest.importorskip("torch")
pytest.importorskip("ml_dtypes")
if not torch.distributed.is_available():
    pytest.skip("torch was built without torch.distributed", allow_module_level=True)

WORKER = Path(__file__).with_name("torch_dtensor_worker.py")
ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_SECONDS = 240


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_ranks(world_size, cases):
    """Run the worker on `world_size` ranks; return each rank's output."""
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    ranks = [subprocess.Popen(
        [sys.executable, str(WORKER), str(rank), str(world_size), str(port), *cases],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
        for rank in range(world_size)]
    outputs = []
    try:
        for rank in ranks:
            out, err = rank.communicate(timeout=TIMEOUT_SECONDS)
            outputs.append((rank.returncode, out, err))
    finally:
        for rank in ranks:
            if rank.poll() is None:
                rank.kill()
                rank.communicate()
    for number, (code, out, err) in enumerate(outputs):
        assert code == 0, f"rank {number} failed:\n{err[-3000:]}"
        assert out.startswith("OK "), out
    return outputs


def test_world_size_1():
    run_ranks(1, ["1:S0:float32:init", "1:R:bfloat16:materialize", "1:S1:float16:twin"])


def test_world_size_2_shard0_shard1_replicate():
    # Linear(6 -> 5) weights split 3 + 2 rows; Conv1d's 7 channels 4 + 3.
    outputs = run_ranks(2, ["2:S0:float32:init", "2:S1:float32:init", "2:R:float32:init",
                            "2:S0:bfloat16:materialize", "2:S1:float32:twin"])
    assert len(outputs) == 2


@slow
def test_world_size_4_meshes_4_and_2x2():
    # 5 rows on 4 ranks: chunks 2, 2, 1, 0 (an empty shard).
    run_ranks(4, ["4:S0:float32:init", "4:S1:float32:init", "2x2:S0,S1:float32:init",
                  "2x2:S1,S0:bfloat16:init", "2x2:S0,S0:float32:materialize",
                  "2x2:R,S1:float16:init", "2x2:S1,R:float32:twin"])


@slow
def test_fsdp2_fully_shard_then_materialize():
    run_ranks(2, ["2:S0:float32:fsdp", "2:S0:bfloat16:fsdp"])
    run_ranks(4, ["4:S0:float32:fsdp"])
