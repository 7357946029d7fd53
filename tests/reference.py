"""Plain NumPy model of fastinit's stream format, version 1 (docs/stream-format.md).

Everything here is rebuilt from the written contract, independently of the C
core: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as
easy as 1, 2, 3", SC'11) on uint64 lanes, the word stream w(j), the exact
transform inputs U24/U53/R32/R64 and every value transform, evaluated in
float64 or wider so that the result is a close approximation of the exact
real-number value the contract refers to.
"""

import hashlib

import numpy as np

MASK32 = np.uint64(0xFFFFFFFF)
PHILOX_M0 = np.uint64(0xD2511F53)
PHILOX_M1 = np.uint64(0xCD9E8D57)
PHILOX_W0 = 0x9E3779B9
PHILOX_W1 = 0xBB67AE85
PHILOX_ROUNDS = 10

# Accuracy bounds of docs/stream-format.md, in standard-normal units, scaled by max(1, |z|).
NORMAL_TOL = {np.dtype(np.float32): 4e-6, np.dtype(np.float64): 1e-12}
TRUNCATED_TOL = {np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-11}


def philox4x32_10(counter, key):
    """Philox4x32-10 on arrays of counters.

    Parameters
    ----------
    counter : sequence of 4 array_like of uint32 values
        Counter words c0..c3 (broadcast against each other).
    key : sequence of 2 ints
        Key words k0, k1.

    Returns
    -------
    tuple of 4 ndarray of uint32
        The four output words.
    """
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) & MASK32 for c in counter)
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    k0 = int(key[0]) & 0xFFFFFFFF
    k1 = int(key[1]) & 0xFFFFFFFF
    for round_index in range(PHILOX_ROUNDS):
        if round_index:
            k0 = (k0 + PHILOX_W0) & 0xFFFFFFFF
            k1 = (k1 + PHILOX_W1) & 0xFFFFFFFF
        # 32x32 -> 64-bit products fit exactly in uint64.
        product0 = PHILOX_M0 * c0
        product1 = PHILOX_M1 * c2
        hi0, lo0 = product0 >> np.uint64(32), product0 & MASK32
        hi1, lo1 = product1 >> np.uint64(32), product1 & MASK32
        c0, c1, c2, c3 = (
            hi1 ^ c1 ^ np.uint64(k0),
            lo1,
            hi0 ^ c3 ^ np.uint64(k1),
            lo0,
        )
    return tuple(c.astype(np.uint32) for c in (c0, c1, c2, c3))


def stream_id(name):
    """Stream number of a stream name: BLAKE2b-64 of its UTF-8 bytes, little-endian."""
    digest = hashlib.blake2b(name.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def resolve_stream(stream):
    return stream_id(stream) if isinstance(stream, str) else int(stream)


def words_at(seed, stream, block, word_index):
    """Words w(j) for an array of word indices j (int64) of the fill with block offset `block`.

    Block numbers wrap modulo 2**64 (only reached by callers that ask for it).
    """
    seed = int(seed)
    stream = resolve_stream(stream)
    word_index = np.asarray(word_index, dtype=np.int64)
    block_numbers = np.uint64(int(block) % 2**64) + (word_index // 4).astype(np.uint64)
    key = (seed & 0xFFFFFFFF, seed >> 32)
    out = philox4x32_10(
        (
            block_numbers & MASK32,
            block_numbers >> np.uint64(32),
            np.uint64(stream & 0xFFFFFFFF),
            np.uint64(stream >> 32),
        ),
        key,
    )
    lane = word_index % 4
    result = np.empty(word_index.shape, dtype=np.uint32)
    for position in range(4):
        chosen = lane == position
        result[chosen] = out[position][chosen]
    return result


def words(seed, stream=0, block=0, start=0, count=0):
    """Words w(start) ... w(start + count - 1) of the fill with block offset `block`."""
    seed = int(seed)
    stream = resolve_stream(stream)
    if count <= 0:
        return np.empty(0, dtype=np.uint32)
    first_block = start // 4
    last_block = (start + count - 1) // 4
    n_blocks = last_block - first_block + 1
    base = (int(block) + first_block) % 2**64
    # numpy uint64 additions wrap modulo 2**64, as block numbers do.
    block_numbers = np.uint64(base) + np.arange(n_blocks, dtype=np.uint64)
    key = (seed & 0xFFFFFFFF, seed >> 32)
    out = philox4x32_10(
        (
            block_numbers & MASK32,
            block_numbers >> np.uint64(32),
            np.uint64(stream & 0xFFFFFFFF),
            np.uint64(stream >> 32),
        ),
        key,
    )
    flat = np.stack(out, axis=1).reshape(-1)
    offset = start - 4 * first_block
    return flat[offset : offset + count]


# --- exact transform inputs ---------------------------------------------------

def u24(w):
    """U24(w) = (w >> 8) * 2**-24, exact, returned as float64."""
    return (np.asarray(w, dtype=np.uint32) >> np.uint32(8)).astype(np.float64) * 2.0**-24


def u53(lo, hi):
    """U53(lo, hi) = ((hi * 2**32 + lo) >> 11) * 2**-53, exact float64."""
    return _mantissa53(lo, hi).astype(np.float64) * 2.0**-53


def r32(w):
    """R32(w) = fl32(fl32(w) * 2**-32 + 2**-33), as float32 (exact in float64)."""
    w32 = np.asarray(w, dtype=np.uint32).astype(np.float32)
    return w32 * np.float32(2.0**-32) + np.float32(2.0**-33)


def r64(lo, hi):
    """R64(lo, hi) = fl64(((hi * 2**32 + lo) >> 11) * 2**-53 + 2**-54)."""
    return _mantissa53(lo, hi).astype(np.float64) * 2.0**-53 + 2.0**-54


def _mantissa53(lo, hi):
    lo = np.asarray(lo, dtype=np.uint32).astype(np.uint64)
    hi = np.asarray(hi, dtype=np.uint32).astype(np.uint64)
    return ((hi << np.uint64(32)) | lo) >> np.uint64(11)


# --- word layout of each method ----------------------------------------------

def words_per_element(method, dtype):
    """Words element i consumes (for normals: words per element pair)."""
    wide = np.dtype(dtype) == np.float64
    if method == "raw":
        return 1
    if method == "normal":
        return 4 if wide else 2  # per pair of elements
    return 2 if wide else 1


def words_used(method, n, dtype):
    """Number of words a fill of n elements reads, starting at w(0)."""
    if method == "normal":
        return ((n + 1) // 2) * words_per_element(method, dtype)
    return n * words_per_element(method, dtype)


def blocks_used(method, n, dtype):
    return -(-words_used(method, n, dtype) // 4)


def value_dtype(dtype):
    """The dtype the contract computes in: float16/bfloat16 go through float32."""
    dtype = np.dtype(dtype)
    return dtype if dtype == np.float64 else np.dtype(np.float32)


# --- transforms, indexed by flat element index --------------------------------

def _element_words(method, dtype, flat_index, seed, stream, block):
    """Per element, the words it reads: a (len(flat_index), k) uint32 array."""
    flat_index = np.asarray(flat_index, dtype=np.int64).reshape(-1)
    per = words_per_element(method, dtype)
    unit = flat_index // 2 if method == "normal" else flat_index
    if unit.size and np.all(np.diff(unit) >= 0) and unit[-1] - unit[0] < 2 * unit.size:
        # Dense ascending indices: generate the covering run of words once.
        first = int(unit[0])
        span = words(seed, stream, block, first * per, (int(unit[-1]) - first + 1) * per)
        return span.reshape(-1, per)[unit - first]
    word_index = unit[:, None] * per + np.arange(per, dtype=np.int64)
    return words_at(seed, stream, block, word_index)


def raw_values(n, seed, stream=0, block=0):
    return words(seed, stream, block, 0, n)


def standard_uniform(flat_index, dtype, seed, stream=0, block=0):
    """U in [0, 1) of each element, exact float64."""
    w = _element_words("uniform", value_dtype(dtype), flat_index, seed, stream, block)
    if value_dtype(dtype) == np.float64:
        return u53(w[:, 0], w[:, 1])
    return u24(w[:, 0])


def standard_normal(flat_index, dtype, seed, stream=0, block=0):
    """z of each element, evaluated in long double where available."""
    flat_index = np.asarray(flat_index, dtype=np.int64).reshape(-1)
    w = _element_words("normal", value_dtype(dtype), flat_index, seed, stream, block)
    ld = np.longdouble
    if value_dtype(dtype) == np.float64:
        radius_input = r64(w[:, 0], w[:, 1]).astype(ld)
        turn = _mantissa53(w[:, 2], w[:, 3]).astype(ld) * ld(2.0) ** -53
    else:
        radius_input = r32(w[:, 0]).astype(ld)
        turn = (w[:, 1] >> np.uint32(8)).astype(ld) * ld(2.0) ** -24
    radius = np.sqrt(ld(-2.0) * np.log(radius_input))
    angle = ld(2.0) * np.arccos(ld(-1.0)) * turn
    odd = (flat_index & 1).astype(bool)
    return np.where(odd, radius * np.sin(angle), radius * np.cos(angle)).astype(np.float64)


def standard_truncated_normal(flat_index, dtype, alpha, beta, seed, stream=0, block=0):
    """z in [alpha, beta] of each element (alpha, beta in standard units).

    Phi(alpha) + R (Phi(beta) - Phi(alpha)) is evaluated as (1 - R) Phi(alpha) +
    R Phi(beta), and above the median through the complementary form
    (1 - R) Phi(-alpha) + R Phi(-beta): both are sums of non-negative terms, so
    the probability keeps full relative accuracy in either tail.
    """
    from scipy.special import ndtr, ndtri

    w = _element_words("truncated_normal", value_dtype(dtype), flat_index, seed, stream, block)
    if value_dtype(dtype) == np.float64:
        r = r64(w[:, 0], w[:, 1])
    else:
        r = r32(w[:, 0]).astype(np.float64)
    one_minus_r = 1.0 - r
    lower = one_minus_r * ndtr(alpha) + r * ndtr(beta)
    upper = one_minus_r * ndtr(-alpha) + r * ndtr(-beta)
    z = np.where(lower <= 0.5, ndtri(lower), -ndtri(upper))
    return np.clip(z, alpha, beta)


def flat_indices(shape, region=None):
    """Flat C-order indices of `region` (tuple of step-1 slices) of `shape`, in C order."""
    shape = tuple(int(s) for s in shape)
    if region is None:
        region = tuple(slice(0, s) for s in shape)
    ranges = []
    for sl, size in zip(region, shape):
        start, stop, step = sl.indices(size)
        assert step == 1
        ranges.append(np.arange(start, stop, dtype=np.int64))
    strides = [1] * len(shape)
    for axis in range(len(shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    index = np.zeros([len(r) for r in ranges], dtype=np.int64)
    for axis, r in enumerate(ranges):
        expand = [1] * len(shape)
        expand[axis] = len(r)
        index = index + r.reshape(expand) * strides[axis]
    return index.reshape(-1), tuple(len(r) for r in ranges)
