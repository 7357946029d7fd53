"""A picklable description of one initialized array, and region iterators.

A :class:`Spec` names a method, a logical shape, a dtype and the method's
parameters.  It is the unit that Dask tasks, checkpoint writers and framework
adapters share: it is small (a few hundred bytes pickled), validated when it
is built, and makes the whole array or any region of it with
:meth:`Spec.generate`.
"""
from __future__ import annotations

import inspect
import math
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Tuple, Union

import numpy as np

from . import _table, _validate
from . import initializers as _initializers

__all__ = ["Spec", "iter_regions", "spec_methods"]

# Arguments of the NumPy functions that say where the values come from or go
# to: a Spec takes them at generate() time, never as parameters.
_CALL_ARGUMENTS = ("seed", "stream", "block", "out", "region", "threads")

# Methods whose values cannot be made one region at a time.
_NOT_REGIONABLE = frozenset(m.name for m in _table.METHODS if not m.regionable)

_METHODS: Optional[Dict[str, Callable[..., np.ndarray]]] = None


def spec_methods() -> Dict[str, Callable[..., np.ndarray]]:
    """The methods a :class:`Spec` accepts, mapped to their NumPy functions.

    Every initializer of the spec table (:mod:`fastinit._table`) and its
    aliases.

    Returns
    -------
    dict
        Method name to function, in a stable order.
    """
    global _METHODS
    if _METHODS is None:
        _METHODS = {name: getattr(_initializers, name) for name in _initializers.__all__}
    return _METHODS


_SIGNATURES: Dict[str, inspect.Signature] = {}


def _signature(method: str) -> inspect.Signature:
    try:
        return _SIGNATURES[method]
    except KeyError:
        signature = _SIGNATURES[method] = inspect.signature(spec_methods()[method])
        return signature


def _check_method(method: Any) -> str:
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, not {type(method).__name__}")
    if method not in spec_methods():
        known = ", ".join(sorted(spec_methods()))
        raise ValueError(f"unknown method {method!r}; expected one of: {known}")
    return method


class Spec:
    """One initialized array, described but not made.

    Parameters
    ----------
    method : str
        Name of a fastinit function: ``"normal"``, ``"uniform"``,
        ``"truncated_normal"``, ``"he_normal"``, ``"xavier_uniform"``,
        ``"orthogonal"``, ``"zeros"``, ... (see :func:`spec_methods`).
    shape : int or tuple of ints
        Logical shape of the array.
    dtype : data-type, optional
        float32 (default), float64, float16 or bfloat16.
    **params
        The method's parameters, by keyword, as the NumPy function takes
        them (``nonlinearity="relu"``, ``std=0.02``, ``layout="torch"``,
        ...).  ``seed``, ``stream``, ``out``, ``region`` and ``threads`` are
        given to :meth:`generate` instead.

    Raises
    ------
    ValueError
        For an unknown method (the message lists the known ones) or a
        parameter value the method rejects.
    TypeError
        For an unknown parameter or one of the wrong type.

    Notes
    -----
    The spec is checked when it is built by running the method's own
    validation on an empty region of the array, so a bad spec fails before
    any work starts and the check costs nothing that grows with the array.
    ``spec.generate(seed, stream)`` equals
    ``fastinit.<method>(shape, **params, dtype=dtype, seed=seed,
    stream=stream)``, and with ``region=`` the same slice of it.

    Examples
    --------
    >>> spec = Spec("he_normal", (4096, 1024), nonlinearity="relu")
    >>> spec.nbytes
    16777216
    >>> block = spec.generate(0, "encoder.weight", region=np.s_[:16])
    >>> block.shape
    (16, 1024)
    """

    __slots__ = ("_method", "_shape", "_dtype", "_params")

    def __init__(self, method: str, shape: Any, *, dtype: Any = "float32", **params: Any):
        method = _check_method(method)
        shape = _validate.shape(shape)
        dt = _validate.dtype(dtype, method)
        for name in _CALL_ARGUMENTS:
            if name in params:
                raise TypeError(
                    f"Spec() got {name!r} as a parameter; pass it to Spec.generate() or to "
                    "the function that makes the array instead")
        signature = _signature(method)
        try:
            signature.bind(shape, dtype=dt, **params)
        except TypeError as exc:
            raise TypeError(f"{method}(): {exc}") from None
        self._method = method
        self._shape = shape
        self._dtype = dt
        self._params = dict(params)
        self._validate()

    def _validate(self) -> None:
        """Run the method's own checks on an empty part of the array."""
        if self.regionable:
            if math.prod(self._shape) == 0 or not self._shape:
                self._call(self._shape, 0, 0, None, None, 1)
            else:
                empty = (slice(0, 0),) + tuple(slice(0, d) for d in self._shape[1:])
                self._call(self._shape, 0, 0, empty, None, 1)
        else:
            # Nothing is drawn for a shape with no elements; the shape's rank
            # and every parameter are still checked.
            empty_shape = tuple(0 for _ in self._shape)
            try:
                self._call(empty_shape, 0, 0, None, None, 1)
            except (TypeError, ValueError) as exc:
                message = str(exc).replace(repr(empty_shape), repr(self._shape))
                raise type(exc)(message) from None

    @classmethod
    def _unchecked(cls, method: str, shape: Tuple[int, ...], dtype: np.dtype,
                   params: Dict[str, Any]) -> "Spec":
        spec = cls.__new__(cls)
        spec._method = method
        spec._shape = shape
        spec._dtype = dtype
        spec._params = params
        return spec

    def __reduce__(self) -> Any:
        # Rebuilt without re-validating: every copy comes from a checked spec.
        return (_rebuild_spec, (self._method, self._shape, self._dtype.name, self._params))

    @property
    def method(self) -> str:
        """Name of the fastinit function that makes the array."""
        return self._method

    @property
    def shape(self) -> Tuple[int, ...]:
        """Logical shape."""
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        """Data type of the array."""
        return self._dtype

    @property
    def params(self) -> Dict[str, Any]:
        """The method's parameters as given (a copy)."""
        return dict(self._params)

    @property
    def size(self) -> int:
        """Number of elements."""
        return math.prod(self._shape)

    @property
    def nbytes(self) -> int:
        """Bytes of the whole array."""
        return self.size * self._dtype.itemsize

    @property
    def regionable(self) -> bool:
        """Whether :meth:`generate` accepts ``region=`` (False for orthogonal)."""
        return self._method not in _NOT_REGIONABLE

    @property
    def random(self) -> bool:
        """Whether the values depend on the seed and stream."""
        return "seed" in _signature(self._method).parameters

    def _call(self, shape: Tuple[int, ...], seed: Any, stream: Any, region: Any, out: Any,
              threads: Any) -> np.ndarray:
        function = spec_methods()[self._method]
        accepted = _signature(self._method).parameters
        call: Dict[str, Any] = dict(self._params)
        call["dtype"] = self._dtype
        if out is not None:
            call["out"] = out
        if region is not None:
            call["region"] = region
        if "seed" in accepted:
            call["seed"] = seed
            call["stream"] = stream
        if "threads" in accepted:
            call["threads"] = threads
        return function(shape, **call)

    def generate(self, seed: Optional[int], stream: Union[int, str], *, region: Any = None,
                 out: Any = None, threads: Optional[int] = None) -> np.ndarray:
        """Make the array, or one region of it.

        Parameters
        ----------
        seed : int
            In [0, 2**64) (None draws one from the OS, as in the NumPy API).
        stream : int or str
            Stream number or name; a checkpoint uses the tensor's name.
        region : tuple of slices, optional
            Block of the logical shape to make; it equals the same slice of
            the whole array.  Not accepted when :attr:`regionable` is False.
        out : ndarray, optional
            Array of the result's shape and dtype to fill in place.
        threads : int, optional
            Threads of the fill (None: automatic); the values never depend on it.

        Returns
        -------
        ndarray
            The values (``out`` when given).
        """
        if not self.random:
            # deterministic methods take no seed; still reject bad values
            _validate.seed(0 if seed is None else seed)
            _validate.stream(stream)
        return self._call(self._shape, seed, stream, region, out, threads)

    def __repr__(self) -> str:
        items = [repr(self._method), repr(self._shape)]
        if self._dtype != np.float32:
            items.append(f"dtype={self._dtype.name!r}")
        items.extend(f"{name}={value!r}" for name, value in self._params.items())
        return f"Spec({', '.join(items)})"

    def _key(self) -> Tuple[Any, ...]:
        bound = _signature(self._method).bind(self._shape, dtype=self._dtype, **self._params)
        bound.apply_defaults()
        arguments = {k: v for k, v in bound.arguments.items() if k not in _CALL_ARGUMENTS}
        return (self._method, self._shape, self._dtype, sorted(arguments.items()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Spec):
            return NotImplemented
        return self._key() == other._key()

    __hash__ = None  # type: ignore[assignment]  # parameters may be lists


def _rebuild_spec(method: str, shape: Tuple[int, ...], dtype_name: str,
                  params: Dict[str, Any]) -> Spec:
    return Spec._unchecked(method, shape, _validate.dtype(dtype_name, method), params)


# --------------------------------------------------------------------------
# regions


def _positive_count(value: Any, name: str) -> int:
    return _validate.integer(value, name, minimum=1)


def _whole(shape: Tuple[int, ...]) -> Tuple[slice, ...]:
    return tuple(slice(0, d) for d in shape)


def flat_range_regions(shape: Tuple[int, ...], start: int, stop: int,
                       max_elements: int) -> Iterator[Tuple[slice, ...]]:
    """Regions that cover C-order elements ``[start, stop)`` of `shape` in order.

    Each region has at most `max_elements` elements and is one contiguous
    run of the C-ordered array: the axes after its cut axis are whole, the
    ones before it have length 1.
    """
    if start >= stop:
        return
    if not shape:
        yield ()
        return
    inner = math.prod(shape[1:])
    rest = _whole(shape[1:])
    row, offset = divmod(start, inner)
    if offset:
        end = min(stop, (row + 1) * inner)
        for sub in flat_range_regions(shape[1:], offset, end - row * inner, max_elements):
            yield (slice(row, row + 1),) + sub
        row += 1
        if end == stop:
            return
    last_row, tail = divmod(stop, inner)
    if last_row > row:
        if inner <= max_elements:
            step = max_elements // inner
            for first in range(row, last_row, step):
                yield (slice(first, min(first + step, last_row)),) + rest
        else:
            for index in range(row, last_row):
                for sub in flat_range_regions(shape[1:], 0, inner, max_elements):
                    yield (slice(index, index + 1),) + sub
    if tail:
        for sub in flat_range_regions(shape[1:], 0, tail, max_elements):
            yield (slice(last_row, last_row + 1),) + sub


def iter_regions(shape: Any, max_elements: int) -> Iterator[Tuple[slice, ...]]:
    """Blocks of rows that cover `shape` exactly, in C order.

    Use it for hand-written loops over an array too large to make at once
    (``region=`` bounds must lie inside the array: they are not clipped the
    way NumPy slices are).

    Parameters
    ----------
    shape : int or tuple of ints
        Logical shape of the array.
    max_elements : int
        Largest number of elements in one block (at least 1).

    Yields
    ------
    tuple of slices
        One ``slice(start, stop)`` per axis.  The blocks are as large as
        `max_elements` allows, in C order, and each one is a contiguous
        stretch of the C-ordered array: whole rows of the first axis while
        a row fits, and when one row has more than `max_elements` elements,
        rows split along the next axes.  An array with no elements yields
        nothing; a 0-d array yields ``()`` once.

    Examples
    --------
    >>> list(iter_regions((5, 3), 6))
    [(slice(0, 2, None), slice(0, 3, None)), (slice(2, 4, None), slice(0, 3, None)), \
(slice(4, 5, None), slice(0, 3, None))]
    >>> for region in iter_regions((10_000, 512), 1 << 20):
    ...     block = fastinit.he_normal((10_000, 512), seed=0, region=region)  # doctest: +SKIP
    """
    shape = _validate.shape(shape)
    max_elements = _positive_count(max_elements, "max_elements")
    return flat_range_regions(shape, 0, math.prod(shape), max_elements)


def as_recipe_mapping(specs: Any, what: str = "specs") -> Mapping[str, Any]:
    """Check that `specs` maps names to Spec-like recipes."""
    if not isinstance(specs, Mapping):
        raise TypeError(f"{what} must be a mapping of names to fastinit.Spec, "
                        f"not {type(specs).__name__}")
    for name, recipe in specs.items():
        if not isinstance(name, str):
            raise TypeError(f"tensor names must be str, got {type(name).__name__} {name!r}")
        missing = [attribute for attribute in ("shape", "dtype", "nbytes", "regionable",
                                               "generate") if not hasattr(recipe, attribute)]
        if missing:
            raise TypeError(
                f"{what}[{name!r}] is a {type(recipe).__name__}, not a fastinit.Spec "
                f"(it lacks {', '.join(missing)})")
    return specs
