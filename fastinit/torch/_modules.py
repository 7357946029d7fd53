"""Whole modules: each module type's own scheme, plans, init_module and materialize."""
from __future__ import annotations

import contextlib
import math
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Tuple

import numpy as np
import torch
from torch import nn
from torch.overrides import TorchFunctionMode

from ._dtensor import local_region
from ._init_functions import METHODS, _torch_fans, generate
from ._rules import Init, Rules
from ._tensors import check_fillable, is_dtensor, is_uninitialized, numpy_dtype, numpy_view

__all__ = ["init_module", "materialize", "plan_module", "meta_device", "TensorRecipe",
           "ModulePlan", "UncoveredError", "SCHEME_TABLE"]

# --- each module type's scheme ---------------------------------------------------------------
#
# A scheme maps names relative to its module (its own tensors, or a
# descendant's such as MultiheadAttention's "out_proj.bias") to initializers,
# as the type's reset method does.  It applies only while that method is not
# overridden by the module's class.

_SCHEMES: Dict[type, Tuple[str, Callable[[nn.Module], Dict[str, Init]]]] = {}
_SQRT5 = math.sqrt(5)


def _scheme(cls: type, reset: str = "reset_parameters"):
    def register(function):
        _SCHEMES[cls] = (reset, function)
        return function
    return register


def _bias_bound(weight_shape) -> float:
    fan_in = _torch_fans(weight_shape)[0]
    return 1 / math.sqrt(fan_in) if fan_in > 0 else 0


def _linear_like(module) -> Dict[str, Init]:
    schemes = {"weight": Init("kaiming_uniform_", a=_SQRT5)}
    if module.bias is not None:
        bound = _bias_bound(tuple(module.weight.shape))
        schemes["bias"] = Init("uniform_", -bound, bound)
    return schemes


_scheme(nn.Linear)(_linear_like)
_scheme(nn.modules.conv._ConvNd)(_linear_like)


@_scheme(nn.Bilinear)
def _bilinear(module) -> Dict[str, Init]:
    bound = 1 / math.sqrt(module.weight.shape[1])
    schemes = {"weight": Init("uniform_", -bound, bound)}
    if module.bias is not None:
        schemes["bias"] = Init("uniform_", -bound, bound)
    return schemes


def _embedding(module) -> Dict[str, Init]:
    return {"weight": Init("normal_")}


_scheme(nn.Embedding)(_embedding)
_scheme(nn.EmbeddingBag)(_embedding)


@_scheme(nn.LayerNorm)
def _layer_norm(module) -> Dict[str, Init]:
    if not module.elementwise_affine:
        return {}
    return {"weight": Init("ones_"), "bias": Init("zeros_")}


@_scheme(nn.RMSNorm)
def _rms_norm(module) -> Dict[str, Init]:
    return {"weight": Init("ones_")} if module.elementwise_affine else {}


@_scheme(nn.GroupNorm)
def _group_norm(module) -> Dict[str, Init]:
    return {"weight": Init("ones_"), "bias": Init("zeros_")} if module.affine else {}


@_scheme(nn.modules.batchnorm._NormBase)
def _batch_norm(module) -> Dict[str, Init]:
    schemes: Dict[str, Init] = {}
    if module.track_running_stats:
        schemes.update(running_mean=Init("zeros_"), running_var=Init("ones_"),
                       num_batches_tracked=Init("zeros_"))
    if module.affine:
        schemes.update(weight=Init("ones_"), bias=Init("zeros_"))
    return schemes


@_scheme(nn.MultiheadAttention, "_reset_parameters")
def _multihead_attention(module) -> Dict[str, Init]:
    xavier = Init("xavier_uniform_")
    if module._qkv_same_embed_dim:
        schemes = {"in_proj_weight": xavier}
    else:
        schemes = {"q_proj_weight": xavier, "k_proj_weight": xavier, "v_proj_weight": xavier}
    if module.in_proj_bias is not None:
        schemes["in_proj_bias"] = Init("zeros_")
        schemes["out_proj.bias"] = Init("zeros_")
    if module.bias_k is not None:
        schemes["bias_k"] = Init("xavier_normal_")
    if module.bias_v is not None:
        schemes["bias_v"] = Init("xavier_normal_")
    return schemes


def _recurrent(module) -> Dict[str, Init]:
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    return {name: Init("uniform_", -bound, bound) for name, _ in module.named_parameters()}


_scheme(nn.RNNBase)(_recurrent)
_scheme(nn.RNNCellBase)(_recurrent)


@_scheme(nn.PReLU)
def _prelu(module) -> Dict[str, Init]:
    return {"weight": Init("constant_", module.init)}


@_scheme(nn.Transformer, "_reset_parameters")
def _transformer(module) -> Dict[str, Init]:
    return {name: Init("xavier_uniform_") for name, parameter in module.named_parameters()
            if parameter.dim() > 1}


SCHEME_TABLE = """\
| module type | parameters and buffers | torch source |
|---|---|---|
| `Linear`, `Conv1d/2d/3d`, `ConvTranspose1d/2d/3d` (and their lazy forms once materialized) | weight `kaiming_uniform_(a=√5)` = U(±1/√fan_in); bias U(±1/√fan_in), fan_in from the weight (0 if fan_in = 0) | `Linear.reset_parameters`, `_ConvNd.reset_parameters` |
| `Bilinear` | weight and bias U(±1/√in1_features) | `Bilinear.reset_parameters` |
| `Embedding`, `EmbeddingBag` | weight N(0, 1), the `padding_idx` row zero | `Embedding.reset_parameters`, `EmbeddingBag.reset_parameters` |
| `LayerNorm`, `GroupNorm` | weight 1, bias 0 (when affine) | `LayerNorm.reset_parameters`, `GroupNorm.reset_parameters` |
| `RMSNorm` | weight 1 (when affine) | `RMSNorm.reset_parameters` |
| `BatchNorm1d/2d/3d`, `SyncBatchNorm`, `InstanceNorm1d/2d/3d` | weight 1, bias 0 (when affine); `running_mean` 0, `running_var` 1, `num_batches_tracked` 0 (when tracking) | `_NormBase.reset_parameters` / `reset_running_stats` |
| `MultiheadAttention` | `in_proj_weight` (or `q/k/v_proj_weight`) `xavier_uniform_`; `in_proj_bias` and `out_proj.bias` 0 (overriding `out_proj`'s Linear scheme); `bias_k`, `bias_v` `xavier_normal_`; `out_proj.weight` keeps Linear's | `MultiheadAttention._reset_parameters` |
| `RNN`, `LSTM`, `GRU`, `RNNCell`, `LSTMCell`, `GRUCell` | every weight and bias U(±1/√hidden_size) | `RNNBase.reset_parameters`, `RNNCellBase.reset_parameters` |
| `PReLU` | weight = `init` | `PReLU.reset_parameters` |
| `Transformer` | every parameter with more than one dimension `xavier_uniform_` (overriding its layers); the rest as its layers | `Transformer._reset_parameters` |
| `TransformerEncoderLayer`, `TransformerDecoderLayer`, `TransformerEncoder`, `TransformerDecoder` | composed of the above (each layer from its own streams, so cloned layers differ) | — |
"""


def builtin_scheme(module: nn.Module) -> Optional[Dict[str, Init]]:
    """The scheme of `module`'s type, or None (unknown or reset method overridden)."""
    cls = type(module)
    for base in cls.__mro__:
        entry = _SCHEMES.get(base)
        if entry is None:
            continue
        reset, scheme = entry
        if getattr(cls, reset, None) is not getattr(base, reset):
            return None
        return scheme(module)
    return None


# --- recipes -------------------------------------------------------------------------------------

_CONSTANTS = {"zeros_": lambda params: 0, "ones_": lambda params: 1,
              "constant_": lambda params: params[0]}


class TensorRecipe:
    """How to make one parameter's or buffer's values.

    This is the protocol :func:`plan_module` hands out (and checkpoint
    writers consume): ``shape``, ``dtype``, ``nbytes``, ``regionable`` and
    :meth:`generate`.

    Attributes
    ----------
    shape : tuple of ints
        The tensor's logical (global) shape.
    dtype : numpy.dtype
        float32, float64, float16, ``ml_dtypes.bfloat16``, or an integer type
        for integer buffers (which only take constants).
    nbytes : int
        Bytes of the whole tensor.
    regionable : bool
        True when a region is made alone at its own cost; False for
        orthogonal, whose region is cut from the whole matrix.
    init : Init
        The initializer.
    zero_rows : tuple of ints
        Rows set to zero after filling (an Embedding's ``padding_idx``).
    """

    __slots__ = ("shape", "dtype", "nbytes", "regionable", "init", "zero_rows")

    def __init__(self, init: Init, shape: Tuple[int, ...], dtype: np.dtype,
                 zero_rows: Tuple[int, ...] = ()) -> None:
        self.init = init
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.nbytes = math.prod(self.shape) * self.dtype.itemsize
        self.regionable = METHODS[init.method].regionable
        self.zero_rows = tuple(zero_rows)
        if self.dtype.kind not in "f" and self.dtype.name != "bfloat16":
            if init.method not in _CONSTANTS:
                raise TypeError(f"{init!r} cannot fill an integer tensor of dtype "
                                f"{self.dtype}; only zeros_, ones_ and constant_ can")

    def __repr__(self) -> str:
        return f"TensorRecipe({self.init!r}, shape={self.shape}, dtype={self.dtype})"

    def generate(self, seed: int, stream, *, region=None, out: Optional[np.ndarray] = None,
                 threads: Optional[int] = None) -> np.ndarray:
        """The tensor's values, or those of `region` of it.

        Parameters
        ----------
        seed : int
            In ``[0, 2**64)``.
        stream : int or str
            The stream: :func:`init_module` uses the tensor's qualified name.
        region : tuple of slices, optional
            Block of :attr:`shape` to make (step 1); the result equals that
            block of the whole tensor.
        out : ndarray, optional
            Array of :attr:`dtype` and the region's shape to fill in place.
        threads : int, optional
            Number of threads (None: automatic); never changes the values.

        Returns
        -------
        ndarray
            `out`, or a new array.
        """
        method = self.init.method
        if self.nbytes == 0:
            if out is not None:
                return out
            return np.empty(_region_shape(self.shape, region), dtype=self.dtype)
        if self.dtype.kind in "iub":
            value = _CONSTANTS[method](self.init.params)
            region_shape = _region_shape(self.shape, region)
            if out is None:
                return np.full(region_shape, value, dtype=self.dtype)
            out[...] = value
            return out
        result = generate(method, self.init.params, self.shape, self.dtype, (seed, stream),
                          out=out, region=region, threads=threads)
        if self.zero_rows:
            start, stop = (0, self.shape[0]) if region is None else _bounds(region[0],
                                                                             self.shape[0])
            for row in self.zero_rows:
                if start <= row < stop:
                    result[row - start] = 0
        return result


def _bounds(part: slice, size: int) -> Tuple[int, int]:
    start, stop, _ = part.indices(size)
    return start, max(start, stop)


def _region_shape(shape, region) -> Tuple[int, ...]:
    if region is None:
        return tuple(shape)
    return tuple(max(0, stop - start) for start, stop in
                 (_bounds(part, size) for part, size in zip(region, shape)))


# --- planning -------------------------------------------------------------------------------------

class UncoveredError(ValueError):
    """Parameters or buffers that no rule and no known module type covers.

    Attributes
    ----------
    names : list of (str, str)
        Each uncovered tensor's qualified name and its module's type name.
    """

    def __init__(self, names: List[Tuple[str, str]]) -> None:
        self.names = names
        listed = "\n".join(f"  {name} ({owner})" for name, owner in names)
        super().__init__(
            f"no rule and no known module type covers {len(names)} parameter(s)/buffer(s):\n"
            f"{listed}\n"
            "Give them rules (rules={'pattern': Init(...)} or {ModuleType: {...}}), pass "
            "on_unknown='skip' to leave them as they are, or on_unknown='reset_parameters' to "
            "call their modules' own reset_parameters (drawing from torch's generator)")


class ModulePlan(dict):
    """Recipes by qualified name, from :func:`plan_module`.

    Attributes
    ----------
    uncovered : list of (str, str)
        Tensors left out (``on_unknown="skip"``): qualified name and module
        type name.
    """

    def __init__(self, recipes: Dict[str, TensorRecipe], uncovered: List[Tuple[str, str]]):
        super().__init__(recipes)
        self.uncovered = uncovered


def _named_tensors(module: nn.Module) -> Dict[str, torch.Tensor]:
    """Each parameter and buffer once, by its first qualified name."""
    tensors: Dict[str, torch.Tensor] = {}
    seen = set()
    for name, parameter in module.named_parameters(remove_duplicate=False):
        if id(parameter) not in seen:
            seen.add(id(parameter))
            tensors[name] = parameter
    for name, buffer in module.named_buffers(remove_duplicate=False):
        if buffer is not None and id(buffer) not in seen:
            seen.add(id(buffer))
            tensors[name] = buffer
    return tensors


def _owners(module: nn.Module) -> Dict[str, Tuple[nn.Module, str]]:
    owners: Dict[str, Tuple[nn.Module, str]] = {}
    for prefix, child in module.named_modules(remove_duplicate=False):
        for local, _ in list(child._parameters.items()) + list(child._buffers.items()):
            owners.setdefault(f"{prefix}.{local}" if prefix else local, (child, local))
    return owners


_ON_UNKNOWN = ("raise", "skip", "reset_parameters")


def _resolve_dtype(dtype) -> Optional[np.dtype]:
    if dtype is None:
        return None
    if isinstance(dtype, torch.dtype):
        return numpy_dtype(dtype)
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a torch or NumPy floating dtype, got {dtype!r}") from None
    if resolved.kind != "f" and resolved.name != "bfloat16":
        raise TypeError(f"dtype must be floating point, got {resolved}")
    return resolved


def _plan(module: nn.Module, rules, dtype) -> Tuple[Dict[str, TensorRecipe],
                                                   List[Tuple[str, str]],
                                                   Dict[str, torch.Tensor],
                                                   Dict[str, Tuple[nn.Module, str]]]:
    if not isinstance(module, nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(module).__name__}")
    rules = rules if isinstance(rules, Rules) else Rules(rules)
    dtype = _resolve_dtype(dtype)
    tensors = _named_tensors(module)
    owners = _owners(module)
    for name, tensor in tensors.items():
        if is_uninitialized(tensor):
            raise ValueError(
                f"{name} is an uninitialized lazy parameter or buffer with no shape yet: run one "
                "forward pass (or the module's initialize_parameters) before initializing it")
    chosen: Dict[str, Init] = {}
    for prefix, child in reversed(list(module.named_modules())):
        scheme = builtin_scheme(child)
        if scheme:
            for relative, scheme_init in scheme.items():
                name = f"{prefix}.{relative}" if prefix else relative
                if name in tensors:
                    chosen[name] = scheme_init
    recipes: Dict[str, TensorRecipe] = {}
    uncovered: List[Tuple[str, str]] = []
    for name, tensor in tensors.items():
        owner, local = owners[name]
        init: Optional[Init] = rules.match(name, owner, local) if rules else None
        if init is None:
            init = chosen.get(name)
        if init is None:
            uncovered.append((name, type(owner).__name__))
            continue
        if tensor.is_floating_point():
            tensor_dtype = dtype if dtype is not None else numpy_dtype(tensor.dtype)
        else:
            tensor_dtype = numpy_dtype(tensor.dtype, integers=True)
        zero_rows: Tuple[int, ...] = ()
        if (local == "weight" and isinstance(owner, (nn.Embedding, nn.EmbeddingBag))
                and owner.padding_idx is not None):
            zero_rows = (owner.padding_idx % tensor.shape[0],)
        try:
            recipes[name] = TensorRecipe(init, tuple(tensor.shape), tensor_dtype, zero_rows)
        except TypeError as error:
            raise TypeError(f"{name}: {error}") from None
    return recipes, uncovered, tensors, owners


def plan_module(module: nn.Module, *, rules: Optional[Mapping] = None, on_unknown: str = "raise",
                dtype: Any = None) -> ModulePlan:
    """The recipe of every parameter and buffer of `module`, without filling anything.

    Parameters
    ----------
    module : torch.nn.Module
        Any module, also on the meta device (only shapes and dtypes are
        read) or with DTensor parameters (global shapes).
    rules : mapping, optional
        As for :func:`init_module`.
    on_unknown : {"raise", "skip"}, optional
        Uncovered tensors raise :class:`UncoveredError` (default) or are left
        out of the plan and listed in its ``uncovered`` attribute.
    dtype : torch.dtype or numpy dtype, optional
        Make floating-point tensors in this dtype instead of their own
        (integer buffers keep theirs).

    Returns
    -------
    ModulePlan
        A dict from qualified name (``"encoder.layers.0.linear1.weight"``) to
        :class:`TensorRecipe`.  ``recipe.generate(seed, name, region=...)``
        gives exactly the values :func:`init_module` would put in that tensor
        (or block of it) with that seed.  A parameter shared by several
        modules appears once, under its first name.
    """
    if on_unknown not in ("raise", "skip"):
        raise ValueError(f"on_unknown must be 'raise' or 'skip' for a plan, got {on_unknown!r} "
                         "(a module's own reset_parameters cannot be planned)")
    recipes, uncovered, _, _ = _plan(module, rules, dtype)
    if uncovered and on_unknown == "raise":
        raise UncoveredError(uncovered)
    return ModulePlan(recipes, uncovered if on_unknown == "skip" else [])


def _fill_target(name: str, tensor: torch.Tensor):
    """(tensor holding memory here, region of the global shape or None)."""
    if is_dtensor(tensor):
        local, region = local_region(tensor)
        if local is not None:
            check_fillable(local, name)
        return local, region
    check_fillable(tensor, name)
    return tensor, None


def init_module(module: nn.Module, seed: int, *, rules: Optional[Mapping] = None,
                on_unknown: str = "raise", threads: Optional[int] = None) -> List[str]:
    """Fill every parameter and buffer of `module` in place, each module type as torch does.

    Parameters
    ----------
    module : torch.nn.Module
        The module tree, on CPU (parameters may be DTensors: each rank fills
        only its local shard).
    seed : int
        In ``[0, 2**64)``.  Each tensor's values are a function of the seed,
        its qualified name (its stream, such as
        ``"encoder.layers.0.linear1.weight"``) and the element index only:
        cloned layers differ, adding a layer never changes another's values,
        and the values do not depend on thread count, placement or world size.
    rules : mapping, optional
        Initializers that take precedence over the module types' own
        schemes.  Keys are either fnmatch patterns of qualified names
        (``"*.c_proj.weight"``), mapped to an initializer, or module types
        (``nn.Linear``), mapped to an initializer for all the tensors such a
        module owns directly or to a dict from local names or patterns
        (``"weight"``, ``"bias"``) to initializers.  An initializer is an
        :class:`Init`, a method name (``"zeros_"``) or ``(name, {arguments})``.
        Name patterns beat type rules; among patterns the last match wins;
        among types the nearest base class of the owning module.  See
        :func:`hf_init_weights` and :func:`depth_scaled_trunc_normal`.
    on_unknown : {"raise", "skip", "reset_parameters"}, optional
        What to do with tensors no rule and no known module type covers:
        raise :class:`UncoveredError` listing each (default, before anything
        is written), leave them as they are, or call their modules' own
        ``reset_parameters()`` -- which draws from torch's generator, not
        fastinit's, so those values are not reproducible by fastinit's seed.
    threads : int, optional
        Threads per tensor (None: automatic); never changes the values.

    Returns
    -------
    list of str
        The qualified names fastinit did not fill (empty unless `on_unknown`
        is ``"skip"`` or ``"reset_parameters"``).

    Raises
    ------
    UncoveredError
        See `on_unknown`.
    ValueError
        For meta tensors (use :func:`materialize`), CUDA tensors (initialize on
        CPU, then move the module) and uninitialized lazy parameters (run a
        forward pass first).

    Notes
    -----
    Where torch's parent module re-initializes a child's tensor
    (MultiheadAttention zeroes ``out_proj.bias``; ``nn.Transformer`` applies
    ``xavier_uniform_`` to all its matrices), the parent's scheme wins, as in
    torch.  A module whose class overrides its base's ``reset_parameters``
    counts as unknown, since its own scheme may differ.
    """
    if on_unknown not in _ON_UNKNOWN:
        raise ValueError(f"on_unknown must be one of {_ON_UNKNOWN}, got {on_unknown!r}")
    recipes, uncovered, tensors, owners = _plan(module, rules, None)
    if uncovered and on_unknown == "raise":
        raise UncoveredError(uncovered)
    return _fill_module(recipes, uncovered, tensors, owners, seed, on_unknown, threads)


def _fill_module(recipes, uncovered, tensors, owners, seed, on_unknown, threads) -> List[str]:
    targets = [(name, recipe) + _fill_target(name, tensors[name])
               for name, recipe in recipes.items()]
    if uncovered and on_unknown == "reset_parameters":
        _reset_with_torch(uncovered, owners)
    with torch.no_grad():
        for name, recipe, local, region in targets:
            if local is None:
                continue
            view = numpy_view(local, numpy_dtype(local.dtype, integers=True))
            if view.size == 0:
                continue
            recipe.generate(seed, name, region=region, out=view, threads=threads)
    return [name for name, _ in uncovered]


def _reset_with_torch(uncovered, owners) -> None:
    modules: Dict[int, Any] = {}
    missing = []
    for name, owner_type in uncovered:
        owner = owners[name][0]
        if callable(getattr(owner, "reset_parameters", None)):
            modules.setdefault(id(owner), owner)
        else:
            missing.append((name, owner_type))
    if missing:
        raise UncoveredError(missing)
    with torch.no_grad():
        for owner in modules.values():
            owner.reset_parameters()


def _has_meta(module: nn.Module) -> bool:
    tensor: Any
    for tensor in list(module.parameters()) + list(module.buffers()):
        if is_dtensor(tensor):
            if tensor.to_local().is_meta:
                return True
        elif tensor.is_meta:
            return True
    return False


def materialize(module: nn.Module, seed: int, *, rules: Optional[Mapping] = None,
                on_unknown: str = "raise", device: Any = "cpu",
                threads: Optional[int] = None) -> nn.Module:
    """Allocate a meta-device module on CPU and initialize it: ``to_empty`` + :func:`init_module`.

    Parameters
    ----------
    module : torch.nn.Module
        A module built on the meta device (``with torch.device("meta"):``),
        possibly with DTensor parameters (FSDP2 ``fully_shard``); a module
        already on CPU is initialized in place.
    seed : int
        As for :func:`init_module`.
    rules, on_unknown, threads
        As for :func:`init_module`.
    device : str or torch.device, optional
        ``"cpu"`` (the default and only choice: fastinit fills CPU memory;
        move the module afterwards with ``module.to(device)``).

    Returns
    -------
    torch.nn.Module
        `module`, materialized and initialized.

    Notes
    -----
    Coverage is checked before any memory is allocated.  Peak memory is the
    parameters and buffers themselves plus the engine's bounded working
    buffers (a few MiB): every tensor is filled in place.
    """
    if torch.device(device).type != "cpu":
        raise ValueError(f"materialize fills CPU memory, not {device!r}: materialize on CPU, "
                         "then move the module with module.to(device)")
    if on_unknown not in _ON_UNKNOWN:
        raise ValueError(f"on_unknown must be one of {_ON_UNKNOWN}, got {on_unknown!r}")
    recipes, uncovered, _, _ = _plan(module, rules, None)
    if uncovered and on_unknown == "raise":
        raise UncoveredError(uncovered)
    if _has_meta(module):
        module.to_empty(device=torch.device(device))
    # to_empty replaced the tensors; the recipes (shapes, dtypes, schemes) stand.
    _fill_module(recipes, uncovered, _named_tensors(module), _owners(module), seed, on_unknown,
                 threads)
    return module


_TORCH_INITIALIZERS = frozenset(
    [torch.Tensor.uniform_, torch.Tensor.normal_, torch.Tensor.fill_, torch.Tensor.zero_]
    + [getattr(nn.init, name) for name in nn.init.__all__ if name.endswith("_")])


class _SkipMetaInit(TorchFunctionMode):
    """Makes torch's initializers return meta tensors untouched."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if func in _TORCH_INITIALIZERS:
            target = args[0] if args else kwargs.get("tensor")
            if isinstance(target, torch.Tensor) and target.is_meta:
                return target
        return func(*args, **kwargs)


@contextlib.contextmanager
def meta_device() -> Iterator[None]:
    """Build modules on the meta device without running torch's initializers.

    Use it in place of ``with torch.device("meta"):`` before
    :func:`materialize`::

        with fastinit.torch.meta_device():
            model = GPT(config)
        fastinit.torch.materialize(model, seed=0)

    Notes
    -----
    Inside, tensors are created on the meta device as with
    ``torch.device("meta")``, and the ``torch.nn.init`` functions and the
    in-place ``uniform_``, ``normal_``, ``fill_`` and ``zero_`` return meta
    tensors untouched.  On meta tensors they compute nothing anyway, but each
    call still costs Python dispatch: skipping them makes building a model
    about two to three times faster.  Tensors on other devices are
    initialized as usual.
    """
    with torch.device("meta"), _SkipMetaInit():
        yield
