"""The stateful generator: engine methods plus every initializer."""
from ._engine import GeneratorBase
from .initializers import InitializerMethods

__all__ = ["Generator"]


class Generator(GeneratorBase, InitializerMethods):
    """A seeded stream whose methods never reuse each other's words.

    Parameters
    ----------
    seed : int or None, optional
        Seed in ``[0, 2**64)``.  None draws 64 bits from the OS; read them
        back from :attr:`seed` to reproduce the run.
    stream : int or str, optional
        Stream number in ``[0, 2**64)``, or a name (for example the parameter
        name ``"encoder.layer3.weight"``) hashed to one.

    Notes
    -----
    Each call starts at :attr:`block` and advances it past every block the
    whole logical array uses -- also when only a ``region`` is produced, so
    workers that each make their shard of the same calls stay in step.

    Examples
    --------
    >>> g = fastinit.Generator(seed=42)
    >>> w = g.he_normal((784, 256))
    >>> b = g.zeros(256)
    """
