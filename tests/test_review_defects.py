"""Regression tests for the defects an outside review found (issue 9)."""
import math

import numpy as np
import pytest

import fastinit


# --- truncated normal: the far tail, narrow intervals, std = 0 ---------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("a, b", [(40.5, 41.0), (37.0, 38.0), (-41.0, -40.5), (100.0, 101.0)])
def test_far_tail_intervals_are_refused_consistently(a, b, dtype):
    # their mass under N(0, 1) is below 1e-280: no silent constant
    with pytest.raises(ValueError, match="too far in the tail"):
        fastinit.truncated_normal(5, 0, 1, a=a, b=b, seed=0, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tail_interval_within_reach_is_sampled_inside_it(dtype):
    values = fastinit.truncated_normal(10_000, 0, 1, a=30.0, b=31.0, seed=0, dtype=dtype)
    assert values.min() >= 30.0 and values.max() <= 31.0
    # the density falls like exp(-30 x) beyond 30: nearly all mass within 0.2
    assert np.mean(values < 30.2) > 0.99
    assert len(np.unique(values)) > 1000


def test_tiny_interval_centred_on_the_mean():
    values = fastinit.truncated_normal(3, a=-1e-300, b=1e-300, seed=0, dtype=np.float64)
    assert np.all((values >= -1e-300) & (values <= 1e-300))


def test_huge_std_with_unit_bounds_is_uniform_on_them():
    values = fastinit.truncated_normal(100_000, std=1e300, a=-1, b=1, seed=0, dtype=np.float64)
    assert values.min() >= -1 and values.max() <= 1
    # uniform on [-1, 1]: mean 0, std 1/sqrt(3); 6 standard errors (p ~ 2e-9)
    n = values.size
    assert abs(values.mean()) < 6 * (1 / math.sqrt(3)) / math.sqrt(n)
    assert abs(values.std() - 1 / math.sqrt(3)) < 6 * 0.26 / math.sqrt(n)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_zero_std_on_a_point_gives_the_rounded_mean(dtype):
    got = fastinit.truncated_normal(3, mean=0.3, std=0.0, seed=0, dtype=dtype)
    np.testing.assert_array_equal(got, np.full(3, 0.3, dtype=dtype))
    np.testing.assert_array_equal(got, fastinit.normal(3, mean=0.3, std=0.0, seed=0, dtype=dtype))


# --- normal: overflow is refused, as uniform's is -----------------------------------


@pytest.mark.parametrize("mean, std, dtype", [
    (3e38, 1e38, np.float32), (0.0, 1e38, np.float32), (0.0, 1e5, np.float16),
    (1.79e308, 1e306, np.float64),
])
def test_normal_overflow_is_refused(mean, std, dtype):
    with pytest.raises(ValueError, match="overflow"):
        fastinit.normal(8, mean=mean, std=std, seed=1, dtype=dtype)


def test_normal_close_to_the_limit_is_finite():
    values = fastinit.normal(10_000, mean=0.0, std=3e37, seed=1)
    assert np.all(np.isfinite(values))


# --- outputs and argument names ----------------------------------------------------


def test_masked_array_out_is_refused_with_advice():
    out = np.ma.masked_array(np.zeros(4, np.float32), mask=[0, 1, 0, 0])
    with pytest.raises(TypeError, match="masked array"):
        fastinit.normal(4, seed=0, out=out)


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_matrix_out_is_refused_with_advice():
    with pytest.raises(TypeError, match="numpy.matrix"):
        fastinit.normal((2, 2), seed=0, out=np.matrix(np.zeros((2, 2), np.float32)))


def test_zero_stride_out_is_refused():
    base = np.zeros(1, np.float32)
    out = np.lib.stride_tricks.as_strided(base, shape=(4,), strides=(0,), writeable=True)
    with pytest.raises(ValueError, match="zero stride"):
        fastinit.normal(4, seed=0, out=out)


def test_he_normal_names_the_bad_argument():
    with pytest.raises(ValueError, match="^a must be finite"):
        fastinit.he_normal((3, 4), a=float("nan"), seed=0)


def test_dtype_none_means_float32_the_default():
    assert fastinit.normal(3, seed=0, dtype=None).dtype == np.float32
    np.testing.assert_array_equal(fastinit.he_normal((3, 4), seed=0, dtype=None),
                                  fastinit.he_normal((3, 4), seed=0))


def test_validators_agree_on_what_a_real_number_is():
    from decimal import Decimal
    for call in (lambda v: fastinit.normal(3, mean=v, seed=0),
                 lambda v: fastinit.he_normal((3, 4), a=v, seed=0),
                 lambda v: fastinit.describe("normal", 3, mean=v)):
        with pytest.raises(TypeError):
            call(Decimal("1.5"))
        with pytest.raises(TypeError):
            call("1.5")
        call(np.array(1.5))  # a 0-d real array is a number everywhere
        call(np.float32(1.5))


# --- torch tensors as out: torch's layout, Parameters, bfloat16 ----------------------


def test_torch_out_uses_torch_layout_by_default():
    torch = pytest.importorskip("torch")
    weight = torch.empty(16, 8, 3, 3)  # (out, in, kh, kw)
    fastinit.he_normal(weight.shape, seed=0, out=weight)
    expected = fastinit.he_normal((16, 8, 3, 3), seed=0, layout="torch")
    np.testing.assert_array_equal(weight.numpy(), expected)
    keras = fastinit.he_normal((16, 8, 3, 3), seed=0, layout="keras")
    assert not np.array_equal(weight.numpy(), keras)
    assert fastinit.fans((16, 8, 3, 3), layout="torch") == (72, 144)


def test_torch_parameter_and_bfloat16_out():
    torch = pytest.importorskip("torch")
    pytest.importorskip("ml_dtypes")
    param = torch.nn.Parameter(torch.empty(4, 5))
    fastinit.xavier_uniform(param.shape, seed=3, out=param)
    np.testing.assert_array_equal(param.detach().numpy(),
                                  fastinit.xavier_uniform((4, 5), seed=3, layout="torch"))
    bf16 = torch.empty(64, 32, dtype=torch.bfloat16)
    fastinit.normal(bf16.shape, std=0.02, seed=5, out=bf16, dtype="bfloat16")
    as_float = fastinit.normal((64, 32), std=0.02, seed=5)
    # torch's own round-to-nearest-even of the float32 values
    assert torch.equal(bf16, torch.from_numpy(as_float).to(torch.bfloat16))


def test_meta_tensor_out_says_to_materialize():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="materialize it first"):
        fastinit.normal((2, 2), seed=0, out=torch.empty(2, 2, device="meta"))
