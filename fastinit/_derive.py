"""Functions with real signatures made from the spec table (:mod:`fastinit._table`).

:func:`build` turns a table entry into the module function (or the
:class:`fastinit.Generator` method) of that initializer: its signature,
annotations and numpydoc docstring all come from the entry, and its body
hands the arguments to :func:`fastinit._table.call`.
"""
import functools
from typing import Any, Callable, Dict, List, Tuple

import numpy as np

from . import _table
from ._table import REQUIRED, Method, Param

# --------------------------------------------------------------------------
# the keyword groups every method of a kind takes, in signature order:
# (name, default expression, annotation, documentation)

KEYWORDS_OUTPUT = (
    ("dtype", "_FLOAT32", "DTypeLike",
     "float32 (default; None means float32 too), float64, float16 or\n"
     "        ml_dtypes.bfloat16."),
)
KEYWORDS_SOURCE = (
    ("seed", "None", "Optional[int]", "In [0, 2**64); None draws one from the OS."),
    ("stream", "0", "Union[int, str]",
     "Stream number in [0, 2**64) or a name such as a parameter's\n"
     "        ``\"encoder.layer3.weight\"``; different streams are independent."),
    ("block", "0", "int", "Block offset into the stream (default 0)."),
)
KEYWORDS_TARGET = (
    ("out", "None", "Any",
     "Writable array of ``dtype`` and of the shape of the result (the\n"
     "        region's shape when ``region`` is given), filled in place and\n"
     "        returned.  A CPU ``torch.Tensor`` (also a Parameter, or bfloat16)\n"
     "        works too and is returned as is."),
    ("region", "None", "Any",
     "Block of the logical ``shape`` to produce (``np.s_[a:b, c:d]``, step\n"
     "        1); the result equals that slice of the full array, which is never\n"
     "        allocated, and the scale still comes from the full ``shape``."),
)
KEYWORDS_THREADS = (
    ("threads", "None", "Optional[int]",
     "Number of threads (None: automatic); the values never depend on it."),
)
KEYWORDS_LAYOUT = (
    ("layout", "None", "Optional[str]",
     "``\"keras\"``: ``(*receptive_field, in, out)``; ``\"torch\"``:\n"
     "        ``(out, in, *receptive_field)``; None (default): ``\"torch\"`` when\n"
     "        ``out`` is a torch tensor, else ``\"keras\"``."),
)
KEYWORDS_FANS = (
    ("in_axis", "-2", "Union[int, Sequence[int]]",
     "Input axes for ``layout=\"keras\"`` (default -2), as in ``jax.nn.initializers``."),
    ("out_axis", "-1", "Union[int, Sequence[int]]",
     "Output axes for ``layout=\"keras\"`` (default -1)."),
    ("batch_axis", "()", "Union[int, Sequence[int]]",
     "Axes to ignore for ``layout=\"keras\"`` (default none)."),
    ("fan_in", "None", "Optional[float]", "Override the fan-in computed from the shape."),
    ("fan_out", "None", "Optional[float]", "Override the fan-out computed from the shape."),
)

_RETURNS = ("Returns\n    -------\n    ndarray\n"
            "        The weights (``out`` when given).")


def keywords(method: Method, for_generator: bool = False):
    """The keyword-only parameters of `method`, in signature order."""
    group: List[Any] = list(KEYWORDS_OUTPUT)
    if method.random and not for_generator:
        group += KEYWORDS_SOURCE
    group += KEYWORDS_TARGET
    if method.random:
        group += KEYWORDS_THREADS
    if method.fans or method.layout:
        group += KEYWORDS_LAYOUT
    if method.fans:
        group += KEYWORDS_FANS
    return group


def _default_name(param_name: str) -> str:
    return f"_default_{param_name}"


def signature_text(method: Method, for_generator: bool = False, defaults: bool = True) -> str:
    """The parameter list of `method`'s function (or Generator method)."""
    parts = ["self"] if for_generator else []
    parts.append("shape")
    for p in method.params:
        if p.default is REQUIRED:
            parts.append(p.name)
        elif defaults:
            parts.append(f"{p.name}={_default_name(p.name)}")
        else:
            parts.append(f"{p.name}=...")
    parts.append("*")
    for name, default, _, _ in keywords(method, for_generator):
        parts.append(f"{name}={default}" if defaults else f"{name}=...")
    return ", ".join(parts)


def docstring(method: Method, for_generator: bool = False) -> str:
    """The numpydoc docstring of `method`'s function."""
    lines = [method.summary, ""]
    if method.aliases:
        lines += ["Also available as " + ", ".join(f"``{a}``" for a in method.aliases) + ".",
                  ""]
    if for_generator:
        lines += [f"Draws from this generator: see :func:`fastinit.{method.name}`, whose",
                  "seed, stream and block this generator supplies (it advances past every",
                  "block the full logical array uses).", ""]
    lines += ["Parameters", "----------", "shape : " + method.shape_doc]
    for p in method.params:
        optional = "" if p.default is REQUIRED else ", optional"
        lines.append(f"{p.name} : {p.annotation.replace('Optional[', '').rstrip(']')}{optional}")
        lines.append(f"    {p.doc}")
    for name, _, annotation, doc in keywords(method, for_generator):
        lines.append(f"{name} : {annotation}, optional")
        lines.append(f"    {doc}")
    lines += ["", _RETURNS.replace("\n    ", "\n")]
    if method.notes:
        lines += ["", "Notes", "-----", method.notes.replace("\n    ", "\n")]
    if method.examples and not for_generator:
        lines += ["", "Examples", "--------", method.examples.replace("\n    ", "\n")]
    return "\n".join(lines).replace("\n", "\n    ")


def _check_code(p: Param) -> Tuple[str, Dict[str, Any]]:
    """The expression that checks parameter `p` in a generated function, and
    the names it reads (for the function's namespace).

    A validator given as ``functools.partial(function, name=...)`` is called
    directly with its keywords: a partial's call costs more than the check
    itself, and a model's thousands of small calls pay it each time.
    """
    check = p.check
    if isinstance(check, functools.partial) and not check.args:
        names = {f"_check_{p.name}_{k}": v for k, v in check.keywords.items()}
        names[f"_check_{p.name}"] = check.func
        keywords = ", ".join(f"{k}=_check_{p.name}_{k}" for k in check.keywords)
        return f"_check_{p.name}({p.name}, {keywords})", names
    return f"_check_{p.name}({p.name})", {f"_check_{p.name}": check}


def build(method: Method, for_generator: bool = False) -> Callable[..., Any]:
    """The function (or Generator method) of a table entry, with a real signature."""
    # each parameter checked once, by its validator, into the dict the
    # scale rule and the draw read
    checks = {p.name: _check_code(p) for p in method.params}
    args = "{" + ", ".join(f"'{name}': {code}" for name, (code, _) in checks.items()) + "}"
    if method.fans:
        fan_args = "(layout, in_axis, out_axis, batch_axis, fan_in, fan_out)"
    elif method.layout:
        fan_args = "(layout,)"
    else:
        fan_args = "()"
    if not method.random:
        source = "None, None, None, None"
    elif for_generator:
        source = "self, None, None, None"
    else:
        source = "None, seed, stream, block"
    threads = "threads" if method.random else "None"
    text = (f"def {method.name}({signature_text(method, for_generator)}):\n"
            f"    return _call(_method, {source}, shape, {args}, dtype, out, region, "
            f"{threads}, {fan_args})\n")
    namespace: Dict[str, Any] = {"_call": _table.call, "_method": method, "_FLOAT32": np.float32}
    namespace.update({_default_name(p.name): p.default for p in method.params})
    for _, names in checks.values():
        namespace.update(names)
    exec(text, namespace)  # noqa: S102 -- a signature made from the table, as dataclasses do
    function = namespace[method.name]
    function.__module__ = "fastinit" if not for_generator else "fastinit._generator"
    function.__qualname__ = method.name if not for_generator else f"Generator.{method.name}"
    function.__doc__ = docstring(method, for_generator)
    annotations = {"shape": "ShapeLike"}
    annotations.update({p.name: p.annotation for p in method.params})
    annotations.update({name: annotation
                        for name, _, annotation, _ in keywords(method, for_generator)})
    annotations["return"] = "np.ndarray"
    function.__annotations__ = annotations
    return function


