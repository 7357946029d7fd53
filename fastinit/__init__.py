"""fastinit: fast, reproducible neural-network weight initialization.

Every function returns a NumPy array (or fills ``out=`` in place).  The
value of each element is a pure function of the seed, the stream, the
element's index in the logical array, the method and its parameters, so
the same seed gives the same bits on every machine, thread count,
instruction set and sharding (see ``docs/stream-format.md``).
"""
from ._engine import blocks_for, isa, random_raw, supported_isas  # noqa: F401
from ._fans import Fans, calculate_gain, fans  # noqa: F401
from ._generator import Generator  # noqa: F401
from ._spec import Spec, iter_regions  # noqa: F401
from ._scales import TRUNCATED_NORMAL_STD, Scale, variance_scaling_parameters  # noqa: F401
from .describe import Recommendation, describe, recommend  # noqa: F401
from .initializers import *  # noqa: F401,F403
from .initializers import __all__ as _initializers_all

__version__ = "0.1.0"

__all__ = sorted(set(_initializers_all) | {
    "random_raw", "blocks_for", "isa", "supported_isas", "Fans", "fans", "calculate_gain",
    "Generator", "Spec", "iter_regions", "TRUNCATED_NORMAL_STD", "Scale",
    "variance_scaling_parameters", "Recommendation", "describe", "recommend", "__version__",
})
