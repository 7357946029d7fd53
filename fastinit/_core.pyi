from typing import Dict, Optional, Tuple

import numpy as np
import numpy.typing as npt
from typing_extensions import disjoint_base

METHOD_CODES: Dict[Tuple[str, str], int]
ELEMENTS_PER_BLOCK: Dict[Tuple[str, str], int]
ITEMSIZES: Dict[Tuple[str, str], int]
ISA_LEVELS: Tuple[str, ...]

def isa_supported() -> str: ...
def isa_selected() -> str: ...
def select_isa(name: str) -> None: ...
def philox4x32_10(counter: Tuple[int, int, int, int] | list[int],
                  key: Tuple[int, int] | list[int]) -> Tuple[int, int, int, int]: ...
def fill(method: int, dest: npt.NDArray[np.uint8], dest_origin: int, begin: int, end: int,
         run_len: int, run_base: int, run_first: Optional[npt.NDArray[np.uint64]], first: int,
         seed: int, stream: int, block: int, params: tuple, streaming: bool, threads: int,
         piece: int) -> None: ...


@disjoint_base
class WholeArrayJob:
    def __init__(self, method: int, first: int, params: tuple, streaming: bool, threads: int,
                 piece: int, dtype: np.dtype, shape: tuple, needed_blocks: int) -> None: ...
    def fill(self, out: object, seed: int, stream: int, block: int) -> bool: ...
    def fill_address(self, address: int, size: int, seed: int, stream: int,
                     block: int) -> None: ...

def signed_key(values: tuple) -> tuple: ...
