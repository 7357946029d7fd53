"""Weight initializers: the methods of ``torch.nn.init``, Keras and JAX.

Every function returns a NumPy array (or fills ``out`` in place).  The
random ones draw through the fill engine with the scale their rule in
:mod:`fastinit._scales` computes, so ``seed``, ``stream``, ``block``,
``dtype``, ``out``, ``region`` and ``threads`` behave the same everywhere:
the same seed gives the same bits on every machine and thread count, and a
``region`` of a weight equals the same slice of the full weight (the scale
always comes from the full logical shape).

Biases are initialized to zero (:func:`zeros`); weights never should be,
because units with identical weights receive identical gradients and never
become different.

Shapes follow Keras/JAX, ``(*receptive_field, in, out)``, unless
``layout="torch"`` is given (or ``out`` is a torch tensor), which reads
PyTorch's ``(out, in, *receptive_field)``; see :func:`fastinit.fans`.

The functions are made from the spec table (:mod:`fastinit._table`): each
has a real signature (``inspect.signature``) and the type stub
``initializers.pyi`` is generated from the same table.
"""
from typing import Sequence, Union

from . import _table
from ._derive import build

ShapeLike = Union[int, Sequence[int]]

__all__ = []
for _method in _table.METHODS:
    globals()[_method.name] = build(_method)
    __all__.append(_method.name)
    for _alias in _method.aliases:
        globals()[_alias] = globals()[_method.name]
        __all__.append(_alias)
del _method, _alias
