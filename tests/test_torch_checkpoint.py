"""fastinit.torch.save_initialized: a seed checkpoint equal to materialize()."""
import json
import os

import pytest

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")
pytest.importorskip("ml_dtypes")

from torch import nn  # noqa: E402

import fastinit.torch as ft  # noqa: E402


class Block(nn.Module):
    def __init__(self, width=24, vocab=50):
        super().__init__()
        self.embed = nn.Embedding(vocab, width, padding_idx=0)
        self.norm = nn.LayerNorm(width)
        self.attn = nn.MultiheadAttention(width, 4)
        self.conv = nn.Conv1d(width, width, 3)
        self.bn = nn.BatchNorm1d(width)
        self.head = nn.Linear(width, vocab)


def _meta_model():
    with torch.device("meta"):
        return Block()


def _assert_same(model_a, model_b):
    state_a, state_b = model_a.state_dict(), model_b.state_dict()
    assert state_a.keys() == state_b.keys()
    for name in state_a:
        assert state_a[name].dtype == state_b[name].dtype, name
        assert torch.equal(state_a[name], state_b[name]), name


@pytest.mark.parametrize("shard", [None, 20_000])
def test_loading_the_checkpoint_equals_materialize(tmp_path, shard):
    path = tmp_path / ("ckpt" if shard else "model.safetensors")
    files = ft.save_initialized(_meta_model(), path, seed=7, max_shard_bytes=shard)
    if shard:
        assert len(files) > 1
        index = json.loads((path / "model.safetensors.index.json").read_text())
        state = {}
        for name in sorted(set(index["weight_map"].values())):
            state.update(safetensors_torch.load_file(os.fspath(path / name)))
    else:
        state = safetensors_torch.load_file(os.fspath(path))
    loaded = _meta_model()
    loaded.load_state_dict(state, assign=True)
    expected = ft.materialize(_meta_model(), seed=7)
    _assert_same(loaded, expected)
    assert torch.count_nonzero(loaded.embed.weight[0]) == 0  # padding_idx row
    assert loaded.bn.num_batches_tracked.dtype == torch.int64


def test_bfloat16_checkpoint_equals_materialize_in_bfloat16(tmp_path):
    path = tmp_path / "bf16.safetensors"
    ft.save_initialized(_meta_model(), path, seed=3, dtype="bfloat16")
    state = safetensors_torch.load_file(os.fspath(path))
    assert state["head.weight"].dtype == torch.bfloat16
    expected = ft.materialize(_meta_model().to(torch.bfloat16), seed=3)
    for name, value in expected.state_dict().items():
        assert torch.equal(state[name], value), name


def test_a_different_seed_gives_different_weights(tmp_path):
    ft.save_initialized(_meta_model(), tmp_path / "a.safetensors", seed=1)
    ft.save_initialized(_meta_model(), tmp_path / "b.safetensors", seed=2)
    a = safetensors_torch.load_file(os.fspath(tmp_path / "a.safetensors"))
    b = safetensors_torch.load_file(os.fspath(tmp_path / "b.safetensors"))
    assert not torch.equal(a["head.weight"], b["head.weight"])
    assert torch.equal(a["norm.weight"], b["norm.weight"])  # ones either way
