"""CPU PyTorch tensors can be filled in place through ``out=``."""
import numpy as np
import pytest

import fastinit

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("torch_dtype, np_dtype", [(torch.float32, np.float32),
                                                    (torch.float64, np.float64)])
def test_tensor_filled_in_place_equals_numpy_result(torch_dtype, np_dtype):
    tensor = torch.empty(33, 17, dtype=torch_dtype)
    returned = fastinit.normal((33, 17), seed=5, stream="w", dtype=np_dtype, out=tensor)
    assert returned is tensor
    expected = fastinit.normal((33, 17), seed=5, stream="w", dtype=np_dtype)
    np.testing.assert_array_equal(tensor.numpy(), expected)


def test_transposed_tensor_gets_logical_order():
    tensor = torch.empty(17, 33).T
    fastinit.uniform((33, 17), seed=2, out=tensor)
    np.testing.assert_array_equal(tensor.numpy(), fastinit.uniform((33, 17), seed=2))


def test_wrong_tensor_dtype_is_rejected_and_untouched():
    tensor = torch.zeros(4, 4, dtype=torch.float64)
    with pytest.raises(TypeError, match="wrong type"):
        fastinit.normal((4, 4), seed=1, out=tensor)
    assert torch.count_nonzero(tensor) == 0
