"""fastinit: fast, reproducible neural-network weight initialization.

Every function returns a NumPy array (or fills ``out=`` in place).  The
value of each element is a pure function of the seed, the stream, the
element's index in the logical array, the method and its parameters, so
the same seed gives the same bits on every machine, thread count,
instruction set and sharding (see ``docs/stream-format.md``).
"""
from ._engine import (
    blocks_for,
    isa,
    normal,
    random_raw,
    supported_isas,
    truncated_normal,
    uniform,
)
from ._engine import __all__ as _engine_all
from ._generator import Generator
from ._scales import *  # noqa: F401,F403
from ._scales import __all__ as _scales_all
from ._spec import Spec, iter_regions
from .initializers import *  # noqa: F401,F403
from .initializers import __all__ as _initializers_all

__version__ = "0.1.0"

__all__ = sorted(
    set(_engine_all) | set(_scales_all) | set(_initializers_all)
    | {"Generator", "Spec", "iter_regions", "__version__"}
)
