"""NumPy views of torch tensors' memory, and the checks that come before them."""
from __future__ import annotations

import sys
from typing import Dict

import numpy as np
import torch

from fastinit import _validate

__all__ = ["numpy_dtype", "numpy_view", "check_fillable", "is_dtensor", "is_uninitialized"]

_FLOAT_DTYPES: Dict[torch.dtype, np.dtype] = {
    torch.float32: np.dtype(np.float32),
    torch.float64: np.dtype(np.float64),
    torch.float16: np.dtype(np.float16),
}

_INTEGER_DTYPES: Dict[torch.dtype, np.dtype] = {
    torch.int64: np.dtype(np.int64),
    torch.int32: np.dtype(np.int32),
    torch.int16: np.dtype(np.int16),
    torch.int8: np.dtype(np.int8),
    torch.uint8: np.dtype(np.uint8),
    torch.bool: np.dtype(np.bool_),
}

from torch.nn.parameter import (  # type: ignore[attr-defined]
    UninitializedTensorMixin as _Uninitialized,
)


def is_uninitialized(tensor) -> bool:
    """True for a lazy module's parameter or buffer that has no shape yet."""
    return isinstance(tensor, _Uninitialized)


def is_dtensor(tensor) -> bool:
    """True for a ``torch.distributed.tensor.DTensor``."""
    # A DTensor exists only once its module is imported, and importing it
    # here would cost a second of every `import fastinit.torch`.
    dtensor_type = getattr(sys.modules.get("torch.distributed.tensor"), "DTensor", None)
    return dtensor_type is not None and isinstance(tensor, dtensor_type)


def numpy_dtype(torch_dtype, *, integers: bool = False) -> np.dtype:
    """The NumPy dtype with the same bits as `torch_dtype`.

    Floating types always; integer and bool types only when `integers`
    (buffers such as ``num_batches_tracked`` that get constants).
    """
    dtype = _FLOAT_DTYPES.get(torch_dtype)
    if dtype is not None:
        return dtype
    if integers and torch_dtype in _INTEGER_DTYPES:
        return _INTEGER_DTYPES[torch_dtype]
    if torch_dtype == torch.bfloat16:
        # ml_dtypes is imported only here: it takes over a second to import
        bfloat16 = _validate.bfloat16_dtype()
        if bfloat16 is None:
            raise TypeError("bfloat16 tensors need the ml_dtypes package: pip install ml_dtypes")
        _FLOAT_DTYPES[torch.bfloat16] = bfloat16
        return bfloat16
    raise TypeError(
        f"fastinit fills floating-point tensors (float32, float64, float16, bfloat16), "
        f"not {torch_dtype}; fill a float tensor and convert it with .to({torch_dtype})")


def check_fillable(tensor, what: str) -> None:
    """Raise a clear error unless `tensor` is a CPU tensor with storage.

    `what` names the caller in the message (``"fastinit.torch.normal_"``).
    """
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"{what} expects a torch.Tensor, got {type(tensor).__name__}")
    if tensor.is_cpu and not isinstance(tensor, _Uninitialized):
        return
    if isinstance(tensor, _Uninitialized):
        raise ValueError(
            f"{what}: the parameter is an uninitialized lazy parameter with no shape yet; "
            "run one forward pass (or the module's initialize_parameters) to materialize it first")
    if tensor.is_meta:
        raise ValueError(
            f"{what}: the tensor is on the meta device and has no memory to fill; "
            "materialize it first (module.to_empty(device='cpu'), or "
            "fastinit.torch.materialize(module, seed) for a whole module)")
    raise ValueError(
        f"{what}: the tensor is on {tensor.device}, and fastinit fills CPU memory; "
        "fill a CPU tensor and copy it over (gpu_tensor.copy_(cpu_tensor)), or "
        "initialize the module on CPU and move it with module.to(device)")


def numpy_view(tensor: torch.Tensor, dtype: np.dtype) -> np.ndarray:
    """A writable NumPy array on `tensor`'s memory (strides kept).

    `tensor` must have passed :func:`check_fillable`; `dtype` is
    ``numpy_dtype(tensor.dtype)``.
    """
    if tensor.dtype is torch.bfloat16:
        array = tensor.detach().view(torch.int16).numpy().view(dtype)
    elif tensor.requires_grad:
        array = tensor.detach().numpy()
    else:
        array = tensor.numpy()
    if array.ndim and 0 in array.strides and array.size > 1:
        for size, stride in zip(array.shape, array.strides):
            if stride == 0 and size > 1:
                raise ValueError(
                    "the tensor has overlapping memory (an expanded or broadcast view): "
                    "several elements share one memory location, so they cannot be "
                    "filled independently; fill a .clone() or the original tensor")
    return array
