"""The C method table (csrc/fi_methods.h) against its hand mirror in
fastinit/_cfill.pxd and the codes fastinit._core derives from it, and the
argument checks of the raw Philox entry point."""
import re
from pathlib import Path

import pytest

from fastinit import _core

ROOT = Path(__file__).resolve().parent.parent
ROW = re.compile(r"X\((\w+),\s*(\w+),\s*(\w+),\s*(\w+),\s*(\d+),\s*(VECTOR|SCALAR|AVX2)\)")
C_TYPES = {"uint32_t": 4, "float": 4, "double": 8, "uint16_t": 2}


def header_rows():
    text = (ROOT / "csrc" / "fi_methods.h").read_text()
    table = text[text.index("#define FI_METHODS(X)"):]
    table = table[:table.index("\n\n")]
    rows = ROW.findall(table)
    assert rows, "no rows found in FI_METHODS"
    return rows


def pxd_codes():
    text = (ROOT / "fastinit" / "_cfill.pxd").read_text()
    block = text[text.index("ctypedef enum fi_method:"):]
    block = block[:block.index("\n\n")]
    return re.findall(r"^\s+(FI_\w+)$", block, re.M)


def test_pxd_enum_mirrors_the_table():
    codes = ["FI_" + row[0] for row in header_rows()]
    assert pxd_codes() == codes + ["FI_METHOD_COUNT"]


def test_core_codes_follow_the_table():
    rows = header_rows()
    assert sorted(_core.METHOD_CODES.values()) == list(range(len(rows)))
    by_code = {code: key for key, code in _core.METHOD_CODES.items()}
    kinds = {"raw": "raw", "uniform": "uniform", "normal": "normal", "truncnorm": "truncated_normal"}
    dtypes = {"u32": "uint32", "f32": "float32", "f64": "float64", "f16": "float16", "bf16": "bfloat16"}
    for code, (_, name, out_t, _, per_block, _) in enumerate(rows):
        kind, dtype = name.rsplit("_", 1)
        key = (kinds[kind], dtypes[dtype])
        assert by_code[code] == key
        assert _core.ELEMENTS_PER_BLOCK[key] == int(per_block)
        assert _core.ITEMSIZES[key] == C_TYPES[out_t]


def test_parameter_counts_are_checked():
    dest = bytearray(64)
    view = memoryview(dest).cast("B")
    code = _core.METHOD_CODES[("normal", "float32")]
    args = (view, 0, 0, 4, 4, 0, None, 0, 1, 0, 0)
    with pytest.raises(ValueError, match="does not take 3 parameters"):
        _core.fill(code, *args, (0.0, 1.0, 2.0), False, 1, 1 << 20)
    with pytest.raises(ValueError, match="unknown method code"):
        _core.fill(len(_core.METHOD_CODES), *args, (), False, 1, 1 << 20)
    _core.fill(code, *args, (0.0, 1.0), False, 1, 1 << 20)
    assert any(dest[:16])


@pytest.mark.parametrize("counter, key", [((0, 0, 0), (0, 0)), ((0, 0, 0, 0, 0), (0, 0)),
                                          ((0, 0, 0, 0), (0,)), ((0, 0, 0, 0), (0, 0, 0))])
def test_philox_word_counts(counter, key):
    with pytest.raises(ValueError, match="must have"):
        _core.philox4x32_10(counter, key)


@pytest.mark.parametrize("counter, key, error", [
    ((0.5, 0, 0, 0), (0, 0), TypeError),
    ((0, 0, 0, 0), (1.0, 0), TypeError),
    ((0, 0, 0, 2**32), (0, 0), ValueError),
    ((0, 0, 0, 0), (-1, 0), ValueError),
])
def test_philox_word_values(counter, key, error):
    with pytest.raises(error):
        _core.philox4x32_10(counter, key)


def test_philox_accepts_numpy_integers():
    import numpy as np
    words = np.array([1, 2, 3, 4], dtype=np.uint32)
    assert _core.philox4x32_10(words, np.array([5, 6], dtype=np.uint64)) == _core.philox4x32_10((1, 2, 3, 4), (5, 6))
