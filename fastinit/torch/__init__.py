"""fastinit for PyTorch: torch.nn.init twins and whole-model initialization.

* Twins of every ``torch.nn.init`` function (``normal_``, ``kaiming_uniform_``,
  ...): same arguments and semantics, filled in place by fastinit, with extra
  keyword-only ``seed``, ``stream`` and ``generator``.
* :func:`init_module` fills every parameter and buffer of a module tree with
  each module type's own ``reset_parameters`` scheme, or with rules; each
  tensor's stream is its qualified name.  :func:`materialize` does the same
  for a module on the meta device; :func:`plan_module` returns the recipes
  without filling anything.
* DTensor parameters: each rank fills only its shard, bit-identical to the
  same block of a single-process fill.

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
from ._modules import (ModulePlan, TensorRecipe, UncoveredError, init_module, materialize,
                       meta_device, plan_module)
from ._checkpoint import save_initialized
from ._rules import Init, depth_scaled_trunc_normal, hf_init_weights

__all__ = sorted(set(_init_functions_all) | {
    "Init", "ModulePlan", "TensorRecipe", "UncoveredError", "depth_scaled_trunc_normal",
    "hf_init_weights", "init_module", "materialize", "meta_device", "plan_module",
    "save_initialized"})
