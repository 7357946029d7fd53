"""Initializers named in rules, how rules match, and two ready schemes."""
from __future__ import annotations

import fnmatch
import inspect
import math
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from torch import nn

from ._init_functions import METHODS, TWINS

__all__ = ["Init", "hf_init_weights", "depth_scaled_trunc_normal"]

_SOURCE_ARGUMENTS = ("generator", "seed", "stream")
_SIGNATURES = {name: inspect.signature(twin) for name, twin in TWINS.items()}


class Init:
    """An initializer for rules: a ``torch.nn.init`` method name and its arguments.

    Parameters
    ----------
    method : str
        The name of a twin, with or without torch's trailing underscore:
        ``"normal_"``, ``"trunc_normal_"``, ``"uniform_"``, ``"constant_"``,
        ``"ones_"``, ``"zeros_"``, ``"eye_"``, ``"dirac_"``,
        ``"xavier_uniform_"``, ``"xavier_normal_"``, ``"kaiming_uniform_"``,
        ``"kaiming_normal_"``, ``"orthogonal_"``, ``"sparse_"``.
    *args, **kwargs
        The method's arguments after the tensor, as for the twin (for
        example ``Init("normal_", std=0.02)``).  ``generator``, ``seed`` and
        ``stream`` are not accepted: :func:`init_module` supplies the seed
        and uses the parameter's qualified name as its stream.

    Raises
    ------
    ValueError
        For an unknown method name.
    TypeError
        For arguments the method does not take.

    Examples
    --------
    >>> Init("trunc_normal_", std=0.02, a=-0.04, b=0.04)
    Init('trunc_normal_', mean=0.0, std=0.02, a=-0.04, b=0.04)
    """

    __slots__ = ("method", "params", "_names")

    def __init__(self, method: str, *args: Any, **kwargs: Any) -> None:
        if not isinstance(method, str):
            raise TypeError(f"the initializer's method must be a name (str), got {method!r}")
        name = method if method.endswith("_") else method + "_"
        if name not in METHODS:
            raise ValueError(f"unknown initializer {method!r}; expected one of "
                             f"{', '.join(sorted(METHODS))}")
        for argument in _SOURCE_ARGUMENTS:
            if argument in kwargs:
                raise TypeError(
                    f"Init({method!r}) does not take {argument!r}: init_module supplies the "
                    "seed, and each tensor's stream is its qualified name")
        signature = _SIGNATURES[name]
        try:
            bound = signature.bind(None, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"Init({method!r}): {error}") from None
        bound.apply_defaults()
        if bound.arguments.get("generator") is not None:
            raise TypeError(f"Init({method!r}) does not take a generator")
        names = [p for p in signature.parameters if p != "tensor" and p not in _SOURCE_ARGUMENTS]
        self.method = name
        self.params = tuple(bound.arguments[p] for p in names)
        self._names = tuple(names)

    def __repr__(self) -> str:
        arguments = "".join(f", {n}={v!r}" for n, v in zip(self._names, self.params))
        return f"Init({self.method!r}{arguments})"

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Init) and other.method == self.method
                and other.params == self.params)

    def __hash__(self) -> int:
        return hash((self.method, self.params))


def as_init(spec: Any, where: str) -> Init:
    """`spec` (an Init, a method name, or ``(name, {kwargs})``) as an Init."""
    if isinstance(spec, Init):
        return spec
    if isinstance(spec, str):
        return Init(spec)
    if isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[1], Mapping):
        return Init(spec[0], **spec[1])
    raise TypeError(f"rule {where}: expected an Init, a method name or (name, {{arguments}}), "
                    f"got {spec!r}")


class Rules:
    """Rules normalized for matching (see :func:`fastinit.torch.init_module`)."""

    def __init__(self, rules: Optional[Mapping]) -> None:
        self.patterns: List[Tuple[str, Init]] = []
        self.types: Dict[type, List[Tuple[str, Init]]] = {}
        if rules is None:
            return
        if not isinstance(rules, Mapping):
            raise TypeError(f"rules must be a mapping, got {type(rules).__name__}")
        for key, value in rules.items():
            if isinstance(key, str):
                self.patterns.append((key, as_init(value, repr(key))))
            elif isinstance(key, type) and issubclass(key, nn.Module):
                if isinstance(value, Mapping):
                    entries = [(str(local), as_init(spec, f"{key.__name__}[{local!r}]"))
                               for local, spec in value.items()]
                else:
                    entries = [("*", as_init(value, key.__name__))]
                self.types[key] = entries
            else:
                raise TypeError(
                    f"rule keys are module types or qualified-name patterns (str), got {key!r}")

    def __bool__(self) -> bool:
        return bool(self.patterns or self.types)

    def match(self, qualified_name: str, owner: nn.Module, local_name: str) -> Optional[Init]:
        """The rule's initializer for one tensor, or None."""
        found = None
        for pattern, init in self.patterns:
            if fnmatch.fnmatchcase(qualified_name, pattern):
                found = init
        if found is not None or not self.types:
            return found
        for cls in type(owner).__mro__:
            entries = self.types.get(cls)
            if entries is None:
                continue
            for pattern, init in entries:
                if fnmatch.fnmatchcase(local_name, pattern):
                    found = init
            if found is not None:
                return found
        return None


_NORMS = {
    nn.LayerNorm: {"weight": "ones_", "bias": "zeros_"},
    nn.RMSNorm: {"weight": "ones_"},
}


def hf_init_weights(initializer_range: float = 0.02) -> dict:
    """Rules for Hugging Face transformers' ``_init_weights``.

    Parameters
    ----------
    initializer_range : float, optional
        The config's ``initializer_range`` (default 0.02).

    Returns
    -------
    dict
        Rules for :func:`init_module`: Linear weights and Embedding weights
        N(0, initializer_range²) (an Embedding's ``padding_idx`` row zero),
        Linear biases zero, LayerNorm weight one and bias zero, RMSNorm
        weight one.  Other module types keep their torch defaults.  Extend
        it with your own entries: ``{**hf_init_weights(0.02), "lm_head.weight":
        Init("normal_", std=0.01)}``.
    """
    normal = Init("normal_", 0.0, initializer_range)
    return {
        nn.Linear: {"weight": normal, "bias": "zeros_"},
        nn.Embedding: {"weight": normal},
        **_NORMS,
    }


RESIDUAL_PROJECTIONS = ("*.out_proj.weight", "*.c_proj.weight", "*.o_proj.weight",
                        "*.down_proj.weight", "*.linear2.weight", "*.fc2.weight",
                        "*.w2.weight", "*.wo.weight")


def depth_scaled_trunc_normal(num_layers: int, std: float = 0.02, cutoff: float = 3.0,
                              residual: Sequence[str] = RESIDUAL_PROJECTIONS) -> dict:
    """Rules for a depth-scaled truncated-normal scheme (GPT-2, Megatron-LM, OLMo).

    Parameters
    ----------
    num_layers : int
        Number of residual blocks of the network.
    std : float, optional
        Standard deviation of Linear and Embedding weights (default 0.02).
    cutoff : float, optional
        Truncation at ``± cutoff · std`` of each tensor's own std (default 3).
    residual : sequence of str, optional
        fnmatch patterns of the projections that write into the residual
        stream (default: the output projections of torch's
        MultiheadAttention and TransformerEncoderLayer and of common GPT/Llama
        code: ``*.out_proj.weight``, ``*.c_proj.weight``, ``*.o_proj.weight``,
        ``*.down_proj.weight``, ``*.linear2.weight``, ``*.fc2.weight``,
        ``*.w2.weight``, ``*.wo.weight``).

    Returns
    -------
    dict
        Rules: Linear and Embedding weights from N(0, std²) truncated to
        ``± cutoff · std``; the residual projections from
        N(0, (std / sqrt(2 · num_layers))²) truncated likewise; Linear biases
        zero; LayerNorm/RMSNorm weights one and biases zero.

    Notes
    -----
    Radford et al. (2019, GPT-2) scale the weights of residual layers by
    1 / sqrt(N) for N residual layers, N = 2 · num_layers (attention and MLP
    in each block); Shoeybi et al. (2019, Megatron-LM) use std / sqrt(2 ·
    num_layers) for the output projections.
    """
    if not isinstance(num_layers, int) or isinstance(num_layers, bool) or num_layers < 1:
        raise ValueError(f"num_layers must be a positive integer, got {num_layers!r}")
    if not (std > 0 and math.isfinite(std)):
        raise ValueError(f"std must be positive and finite, got {std!r}")
    if not (cutoff > 0):
        raise ValueError(f"cutoff must be positive, got {cutoff!r}")
    residual_std = std / math.sqrt(2 * num_layers)
    weight = Init("trunc_normal_", 0.0, std, -cutoff * std, cutoff * std)
    scaled = Init("trunc_normal_", 0.0, residual_std, -cutoff * residual_std,
                  cutoff * residual_std)
    rules: dict = {
        nn.Linear: {"weight": weight, "bias": "zeros_"},
        nn.Embedding: {"weight": weight},
        nn.MultiheadAttention: {"in_proj_weight": weight, "[qkv]_proj_weight": weight,
                                "in_proj_bias": "zeros_"},
        **_NORMS,
    }
    for pattern in residual:
        rules[pattern] = scaled
    return rules
