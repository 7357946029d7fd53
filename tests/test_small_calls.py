"""The paths of small calls: kept plans and direct writes give the general path's bits.

A whole-array fill keeps its plan per argument set, and the torch twins
write contiguous tensors through their memory address.  Each test compares
those paths with one that cannot use them (a region of the whole array, a
non-contiguous output), or checks that a kept plan never lets through an
argument the general path refuses.
"""
import numpy as np
import pytest

import fastinit

PARAMETER_SETS = [
    ("normal", (0.0, 1.0)),
    ("normal", (-0.0, 0.0)),
    ("normal", (0.0, 0.0)),
    ("normal", (-0.0, 0.0)),  # after (0.0, 0.0): the kept plan must not be reused
    ("uniform", (-0.0, 0.0)),
    ("uniform", (-1.0, 2.0)),
    ("truncated_normal", (-0.0, 0.0, -1.0, 1.0)),
    ("truncated_normal", (0.0, 0.0, -1.0, 1.0)),
    ("truncated_normal", (0.5, 2.0, None, None)),
]
DTYPES = [np.float32, np.float64, np.float16, "bfloat16"]


def bits(array):
    array = np.asarray(array)
    return array.view(f"u{array.dtype.itemsize}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_kept_plans_give_the_bits_of_the_region_path(dtype):
    pytest.importorskip("ml_dtypes")
    shape = (7, 33)
    for name, params in PARAMETER_SETS:
        function = getattr(fastinit, name)
        whole = function(shape, *params, dtype=dtype, seed=11, stream="w")
        again = function(shape, *params, dtype=dtype, seed=11, stream="w")
        # a region is never planned through the kept plans
        rows = function(shape, *params, dtype=dtype, seed=11, stream="w", region=np.s_[0:7])
        out = np.empty_like(whole)
        function(shape, *params, dtype=dtype, seed=11, stream="w", out=out)
        for other in (again, rows, out):
            np.testing.assert_array_equal(bits(other), bits(whole), err_msg=f"{name}{params}")


def test_negative_zero_mean_keeps_its_sign_through_the_kept_plans():
    # std = 0: each value is mean + 0 * z, which is -0.0 only for mean -0.0
    # and negative z; a plan kept for mean 0.0 must not serve mean -0.0
    for mean in (0.0, -0.0, 0.0, -0.0):
        values = fastinit.normal(64, mean, 0.0, seed=1)
        assert np.all(values == 0)
        assert np.any(np.signbit(values)) == bool(np.signbit(mean))


def test_kept_plans_do_not_admit_refused_arguments():
    w = np.empty((4, 4), np.float32)
    fastinit.he_normal((4, 4), seed=0, out=w, threads=1)  # plan kept for threads=1
    with pytest.raises(TypeError):
        fastinit.he_normal((4, 4), seed=0, out=w, threads=True)
    fastinit.normal((4, 4), seed=0)
    with pytest.raises(TypeError):
        fastinit.normal((4.0, 4), seed=0)
    fastinit.he_normal((4, 4), seed=0, in_axis=0)
    with pytest.raises(TypeError):
        fastinit.he_normal((4, 4), seed=0, in_axis=False)


def test_outputs_the_direct_path_cannot_take():
    expected = fastinit.normal((6, 8), seed=3)
    read_only = np.zeros((6, 8), np.float32)
    read_only.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        fastinit.normal((6, 8), seed=3, out=read_only)
    strided = np.zeros((6, 16), np.float32)[:, ::2]
    fastinit.normal((6, 8), seed=3, out=strided)
    np.testing.assert_array_equal(strided, expected)
    fortran = np.zeros((6, 8), np.float32, order="F")
    fastinit.normal((6, 8), seed=3, out=fortran)
    np.testing.assert_array_equal(fortran, expected)
    with pytest.raises(TypeError, match="wrong type"):
        fastinit.normal((6, 8), seed=3, out=np.zeros((6, 8), np.float64))
    with pytest.raises(ValueError, match="shape"):
        fastinit.normal((6, 8), seed=3, out=np.zeros((8, 6), np.float32))


def test_generator_methods_advance_alike_on_both_paths():
    shape = (5, 9)
    first, second = fastinit.Generator(4), fastinit.Generator(4)
    for _ in range(3):
        direct = first.normal(shape)
        strided = np.zeros((5, 18), np.float32)[:, ::2]
        second.normal(shape, out=strided)
        np.testing.assert_array_equal(strided, direct)


# --- the torch twins ---------------------------------------------------------------------------

TWINS = [
    ("normal_", (0.5, 2.0)),
    ("uniform_", (-1.0, 3.0)),
    ("trunc_normal_", (0.0, 1.0, -1.5, 2.0)),
    ("xavier_uniform_", (1.5,)),
    ("xavier_normal_", (1.0,)),
    ("kaiming_uniform_", (5 ** 0.5, "fan_in", "leaky_relu")),
    ("kaiming_normal_", (0.0, "fan_out", "relu")),
]


@pytest.mark.parametrize("name, params", TWINS)
@pytest.mark.parametrize("dtype_name", ["float32", "float64", "float16", "bfloat16"])
def test_twins_write_contiguous_tensors_as_views_are_written(name, params, dtype_name):
    torch = pytest.importorskip("torch")
    pytest.importorskip("ml_dtypes")
    import fastinit.torch as ft
    dtype = getattr(torch, dtype_name)
    twin = getattr(ft, name)
    contiguous = torch.empty(12, 10, dtype=dtype)
    transposed = torch.empty(10, 12, dtype=dtype).t()  # the NumPy-view path
    assert not transposed.is_contiguous()
    for tensor in (contiguous, transposed):
        twin(tensor, *params, seed=5, stream="layer.weight")
    np.testing.assert_array_equal(bits(contiguous.view(torch.int16 if dtype.itemsize == 2 else
                                                       contiguous.dtype).numpy()),
                                  bits(transposed.contiguous().view(
                                      torch.int16 if dtype.itemsize == 2 else dtype).numpy()))
    # the default generator: both paths take the same blocks
    ft.manual_seed(9)
    twin(contiguous, *params)
    twin(contiguous, *params)
    ft.manual_seed(9)
    twin(transposed, *params)
    twin(transposed, *params)
    assert torch.equal(contiguous, transposed)


def test_twin_on_a_tensor_with_a_storage_offset():
    torch = pytest.importorskip("torch")
    import fastinit.torch as ft
    base = torch.zeros(5, 8)
    rows = base[1:3]
    assert rows.is_contiguous() and rows.storage_offset() == 8
    ft.normal_(rows, seed=2)
    assert torch.equal(rows, torch.from_numpy(fastinit.normal((2, 8), seed=2)))
    assert torch.count_nonzero(base[0]) == 0 and torch.count_nonzero(base[3:]) == 0


def test_automatic_thread_counts_of_large_fills_follow_the_affinity():
    import os
    from fastinit import _table
    if not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs os.sched_setaffinity and two CPUs")
    cpus = os.sched_getaffinity(0)
    method = _table.BY_NAME["normal"]
    values = {"mean": 0.0, "std": 1.0}
    shape = (1 << 18,)
    small = (64,)
    try:
        os.sched_setaffinity(0, {min(cpus)})
        one = _table._whole_array_plan(method, shape, np.dtype(np.float32), values, None, ())
        kept = _table._whole_array_plan(method, small, np.dtype(np.float32), values, None, ())
        os.sched_setaffinity(0, cpus)
        both = _table._whole_array_plan(method, shape, np.dtype(np.float32), values, None, ())
    finally:
        os.sched_setaffinity(0, cpus)
    assert one.threads == 1 and both.threads == 2
    # a small fill runs on one thread whatever the affinity: its plan is kept
    assert _table._whole_array_plan(method, small, np.dtype(np.float32), values, None, ()) is kept


@pytest.mark.parametrize("region", [None, np.s_[0:4]])
def test_a_refused_output_takes_no_blocks_of_the_generator(region):
    shape = (8, 8)
    generator = fastinit.Generator(12)
    for bad in (np.empty((3, 3), np.float32), np.empty((8, 8), np.float64)):
        with pytest.raises((TypeError, ValueError)):
            generator.normal(shape, out=bad, region=region)
        with pytest.raises((TypeError, ValueError)):
            generator.he_normal(shape, out=bad, region=region)
        with pytest.raises((TypeError, ValueError)):
            generator.sparse(shape, 0.5, out=bad, region=region)
    np.testing.assert_array_equal(generator.normal(shape), fastinit.Generator(12).normal(shape))
