"""Type stubs of the table-made functions: ``initializers.pyi`` and ``_generator.pyi``.

``python -m fastinit._stubgen`` rewrites both from the spec table;
``tests/test_stubs.py`` checks that the committed files equal what this
module renders, and runs ``mypy.stubtest`` on them.
"""
from __future__ import annotations

import os
import sys
from typing import List

from . import _table
from ._derive import keywords

_HEADER = '''# Generated from fastinit/_table.py by `python -m fastinit._stubgen`: do not edit.
from typing import Any, Optional, Sequence, Union

import numpy as np
from numpy.typing import DTypeLike

ShapeLike = Union[int, Sequence[int]]
'''


def _parameters(method: _table.Method, for_generator: bool) -> str:
    parts: List[str] = ["self"] if for_generator else []
    parts.append("shape: ShapeLike")
    for p in method.params:
        default = "" if p.default is _table.REQUIRED else " = ..."
        parts.append(f"{p.name}: {p.annotation}{default}")
    parts.append("*")
    for name, _, annotation, _ in keywords(method, for_generator):
        parts.append(f"{name}: {annotation} = ...")
    return ", ".join(parts)


def render_initializers() -> str:
    names = [n for m in _table.METHODS for n in (m.name,) + m.aliases]
    lines = [_HEADER, "__all__ = [" + ", ".join(f'"{n}"' for n in names) + "]", ""]
    for method in _table.METHODS:
        lines.append(f"def {method.name}({_parameters(method, False)}) -> np.ndarray: ...")
        for alias in method.aliases:
            lines.append(f"{alias} = {method.name}")
    return "\n".join(lines) + "\n"


def render_generator() -> str:
    lines = [_HEADER, '__all__ = ["Generator"]', "", "class Generator:",
             "    def __init__(self, seed: Optional[int] = ..., "
             "stream: Union[int, str] = ...) -> None: ...",
             "    def __getstate__(self) -> dict: ...",
             "    def __setstate__(self, state: dict) -> None: ...",
             "    @property", "    def seed(self) -> int: ...",
             "    @property", "    def stream(self) -> int: ...",
             "    @property", "    def block(self) -> int: ...",
             "    def _take_blocks(self, n_blocks: int) -> int: ...",
             "    def random_raw(self, n: int) -> np.ndarray: ..."]
    for method in _table.METHODS:
        lines.append(f"    def {method.name}({_parameters(method, True)}) -> np.ndarray: ...")
        for alias in method.aliases:
            lines.append(f"    {alias} = {method.name}")
    return "\n".join(lines) + "\n"


STUBS = {"initializers.pyi": render_initializers, "_generator.pyi": render_generator}


def main() -> int:
    package = os.path.dirname(os.path.abspath(__file__))
    for name, render in STUBS.items():
        with open(os.path.join(package, name), "w") as f:
            f.write(render())
        print(os.path.join(package, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
