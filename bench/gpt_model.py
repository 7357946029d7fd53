"""The GPT-like model of ``bench_torch.py`` and the ways it is built.

Kept apart from the benchmark so that a fresh-process run imports torch, and
fastinit only in fastinit's builders, as a user's program would.
"""

import os

import torch
from torch import nn


def gpt_config():
    """(vocabulary, width, blocks) from FASTINIT_BENCH_GPT (``32000x1024x22``)."""
    text = os.environ.get("FASTINIT_BENCH_GPT", "32000x1024x22")
    vocab, width, blocks = (int(part) for part in text.lower().split("x"))
    return vocab, width, blocks


class Block(nn.Module):
    def __init__(self, width, dtype):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width, dtype=dtype)
        self.qkv = nn.Linear(width, 3 * width, dtype=dtype)
        self.c_proj = nn.Linear(width, width, dtype=dtype)
        self.ln_2 = nn.LayerNorm(width, dtype=dtype)
        self.fc = nn.Linear(width, 4 * width, dtype=dtype)
        self.mlp_proj = nn.Linear(4 * width, width, dtype=dtype)


class GPT(nn.Module):
    def __init__(self, vocab, width, blocks, dtype=torch.float32, context=2048):
        super().__init__()
        self.wte = nn.Embedding(vocab, width, dtype=dtype)
        self.wpe = nn.Embedding(context, width, dtype=dtype)
        self.blocks = nn.ModuleList(Block(width, dtype) for _ in range(blocks))
        self.ln_f = nn.LayerNorm(width, dtype=dtype)
        self.lm_head = nn.Linear(width, vocab, bias=False, dtype=dtype)


def build_torch_default(dtype):
    return GPT(*gpt_config(), dtype=dtype)


def build_meta_reset(dtype):
    with torch.device("meta"):
        model = GPT(*gpt_config(), dtype=dtype)
    model.to_empty(device="cpu")
    with torch.no_grad():
        for module in model.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
    return model


def build_fastinit(dtype):
    import fastinit.torch as ft
    with ft.meta_device():
        model = GPT(*gpt_config(), dtype=dtype)
    return ft.materialize(model, 0)


def build_fastinit_torch_meta(dtype):
    import fastinit.torch as ft
    with torch.device("meta"):
        model = GPT(*gpt_config(), dtype=dtype)
    return ft.materialize(model, 0)


BUILDERS = {"torch default": build_torch_default, "meta+to_empty+reset_parameters":
            build_meta_reset, "fastinit meta_device+materialize": build_fastinit,
            "fastinit torch.device(meta)+materialize": build_fastinit_torch_meta}
