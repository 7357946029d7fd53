"""fastinit for PyTorch: torch.nn.init twins and whole-model initialization.

``import fastinit.torch`` needs PyTorch (``pip install torch``); ``import
fastinit`` never imports it.
"""
try:
    import torch as _torch  # noqa: F401
except ImportError as error:  # pragma: no cover - exercised without torch only
    raise ImportError(
        "fastinit.torch needs PyTorch: install it with `pip install torch` "
        "(CPU wheels: pip install torch --index-url https://download.pytorch.org/whl/cpu)"
    ) from error

from ._init_functions import *  # noqa: F401,F403
from ._init_functions import __all__ as _init_functions_all

__all__ = sorted(set(_init_functions_all))
