"""fastinit.dask on a real dask.distributed cluster with worker processes."""
import inspect
import pickle
from pathlib import Path

import numpy as np
import pytest

import fastinit

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import fastinit.dask as fdask  # noqa: E402

TIMEOUT = 120


@pytest.fixture(scope="module")
def client():
    """One LocalCluster with two worker processes for the whole module."""
    cluster = distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                       dashboard_address=None, timeout=TIMEOUT)
    client = distributed.Client(cluster, timeout=TIMEOUT)
    try:
        client.wait_for_workers(2, timeout=TIMEOUT)
        yield client
    finally:
        client.close(timeout=TIMEOUT)
        cluster.close(timeout=TIMEOUT)


def _compute(client, array):
    return client.compute(array).result(timeout=TIMEOUT)


def _bits(array):
    return np.asarray(array).view(f"u{np.asarray(array).dtype.itemsize}")


CHUNKINGS = [(64, 48), (1, 24), (7, 5), ((10, 13, 1, 16), (24,)), "auto", -1]


@pytest.mark.parametrize("chunks", CHUNKINGS)
def test_every_chunking_equals_the_in_memory_array(client, chunks):
    shape = (40, 24)
    expected = fastinit.he_normal(shape, nonlinearity="relu", seed=11, stream="enc.w")
    array = fdask.he_normal(shape, nonlinearity="relu", seed=11, stream="enc.w", chunks=chunks)
    assert isinstance(array, da.Array) and array.shape == shape and array.dtype == np.float32
    got = _compute(client, array)
    np.testing.assert_array_equal(_bits(got), _bits(expected))


# Made on the cluster: one case per kind of fill (engine, fans, structured).
CLUSTER_CASES = [
    ("normal", (50, 33), {"mean": 1.0, "std": 0.02, "dtype": np.float64}),
    ("uniform", (300,), {"low": -2.0, "high": 3.0, "dtype": "bfloat16"}),
    ("kaiming_normal", (32, 16, 3, 3), {"layout": "torch", "mode": "fan_out"}),
    ("sparse", (60, 20), {"sparsity": 0.4, "std": 0.1}),
    ("dirac", (3, 3, 8, 16), {"groups": 2}),
]
# The other methods, through the same chunk function on dask's local scheduler.
LOCAL_CASES = [
    ("truncated_normal", (40, 40), {"std": 0.5, "a": -0.2, "b": 0.9}),
    ("xavier_uniform", (5, 5, 16, 32), {"layout": "keras"}),
    ("lecun_normal", (64, 30), {"dtype": "float16"}),
    ("variance_scaling", (64, 30), {"scale": 0.5, "mode": "fan_avg"}),
    ("init", (60, 20), {"activation": "tanh"}),
    ("zeros", (33, 7), {}),
    ("constant", (33, 7), {"value": -0.25}),
    ("eye", (33, 17), {}),
]


def _check_method(compute, method, shape, params):
    numpy_function = getattr(fastinit, method)
    dask_function = getattr(fdask, method)
    random = "seed" in inspect.signature(numpy_function).parameters
    seeds = {"seed": 3, "stream": "p"} if random else {}
    expected = numpy_function(shape, **params, **seeds)
    rows = (max(1, shape[0] // 3),) + (-1,) * (len(shape) - 1)
    for chunks in [(7,) * len(shape), rows]:
        got = compute(dask_function(shape, **params, **seeds, chunks=chunks))
        assert got.dtype == expected.dtype
        np.testing.assert_array_equal(_bits(got), _bits(expected))


@pytest.mark.parametrize("method, shape, params", CLUSTER_CASES)
def test_methods_equal_numpy_on_the_cluster(client, method, shape, params):
    _check_method(lambda array: _compute(client, array), method, shape, params)


@pytest.mark.parametrize("method, shape, params", LOCAL_CASES)
def test_methods_equal_numpy_locally(method, shape, params):
    _check_method(lambda array: array.compute(scheduler="threads"), method, shape, params)


def test_every_method_is_tested():
    tested = {case[0] for case in CLUSTER_CASES + LOCAL_CASES} | {"he_normal", "orthogonal"}
    aliases = {"glorot_uniform", "glorot_normal", "kaiming_uniform", "xavier_normal",
               "he_uniform", "lecun_uniform", "ones"}
    assert set(fdask.__all__) - {"array"} <= tested | aliases


def test_array_of_a_spec_and_a_reduction(client):
    spec = fastinit.Spec("he_normal", (4096, 256), nonlinearity="relu")
    array = fdask.array(spec, seed=5, stream="big", chunks=(512, 128))
    expected = spec.generate(5, "big")
    total = client.compute(array.astype(np.float64).sum()).result(timeout=TIMEOUT)
    assert total == pytest.approx(expected.astype(np.float64).sum(), rel=1e-12, abs=1e-9)
    np.testing.assert_array_equal(_compute(client, array[1000:1010, 7]), expected[1000:1010, 7])


def test_to_zarr_round_trip(client, tmp_path):
    zarr = pytest.importorskip("zarr")
    shape = (300, 70)
    array = fdask.xavier_normal(shape, seed=8, stream="zarr", chunks=(64, 32))
    target = str(tmp_path / "w.zarr")
    array.to_zarr(target, compute=True)
    stored = zarr.open_array(target, mode="r")
    assert stored.shape == shape and tuple(stored.chunks) == (64, 32)
    np.testing.assert_array_equal(stored[...], fastinit.xavier_normal(shape, seed=8,
                                                                      stream="zarr"))
    np.testing.assert_array_equal(_compute(client, da.from_zarr(target)), stored[...])


def test_graph_holds_only_the_spec_and_chunk_bounds():
    array = fdask.he_normal((1 << 20, 4096), seed=0, chunks=(4096, 4096))  # 16 GiB, 256 chunks
    graph = dict(array.__dask_graph__())
    assert len(graph) == 256
    size = len(pickle.dumps(graph))
    assert size < 256 * 2048, f"{size} bytes of graph for 256 chunks"


def test_chunks_are_independent_of_the_scheduler_threads_default_to_one():
    calls = []

    class Recorder:
        """A Spec-like recipe recording how its chunks are asked for."""
        shape = (8, 6)
        dtype = np.dtype(np.float32)
        regionable = True

        def generate(self, seed, stream, *, region=None, out=None, threads=None):
            calls.append((seed, stream, region, threads))
            return fastinit.normal(self.shape, seed=seed, stream=stream, region=region,
                                   threads=threads)

    array = fdask.array(Recorder(), seed=4, stream="r", chunks=(3, 4))
    got = array.compute(scheduler="sync")
    np.testing.assert_array_equal(got, fastinit.normal((8, 6), seed=4, stream="r"))
    assert len(calls) == 6
    stream = fastinit._validate.stream("r")
    assert {c[:2] for c in calls} == {(4, stream)} and {c[3] for c in calls} == {1}
    assert sorted((r[0].start, r[1].start) for _, _, r, _ in calls) == [
        (0, 0), (0, 4), (3, 0), (3, 4), (6, 0), (6, 4)]
    calls.clear()
    fdask.array(Recorder(), seed=4, chunks=(8, 6), threads=None).compute(scheduler="sync")
    assert [c[3] for c in calls] == [None]


def test_same_array_same_name_different_parameters_different_name():
    a = fdask.normal((10, 10), seed=1, chunks=5)
    assert a.name == fdask.normal((10, 10), seed=1, chunks=5).name
    assert a.name != fdask.normal((10, 10), seed=2, chunks=5).name
    assert a.name != fdask.normal((10, 10), std=2.0, seed=1, chunks=5).name


def test_orthogonal_raises_a_clear_error():
    with pytest.raises(ValueError, match="orthogonal cannot be made chunk by chunk.*from_array"):
        fdask.orthogonal((64, 64), seed=0)
    with pytest.raises(ValueError, match="chunk by chunk"):
        fdask.array(fastinit.Spec("orthogonal", (4, 4)), seed=0)


def test_bad_arguments_fail_before_any_graph():
    with pytest.raises(TypeError, match="seed"):
        fdask.he_normal((4, 4))
    with pytest.raises(TypeError, match="unexpected keyword argument 'region'"):
        fdask.he_normal((4, 4), seed=0, region=np.s_[:2])
    with pytest.raises(ValueError, match="nonlinearity"):
        fdask.he_normal((4, 4), seed=0, nonlinearity="bogus")
    with pytest.raises(ValueError, match="seed"):
        fdask.normal((4, 4), seed=-1)
    with pytest.raises(ValueError, match="threads"):
        fdask.normal((4, 4), seed=0, threads=0)
    with pytest.raises(TypeError, match="fastinit.Spec"):
        fdask.array(np.zeros(3), seed=0)
    with pytest.raises(ValueError):
        fdask.normal((4, 4), seed=0, chunks=(3, 3, 3))


def test_signatures_are_the_numpy_ones_plus_chunks():
    signature = inspect.signature(fdask.he_normal)
    names = list(signature.parameters)
    assert names[:4] == ["shape", "a", "mode", "nonlinearity"]
    for name in ("seed", "stream", "chunks", "dtype", "layout", "threads", "fan_in"):
        assert signature.parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
    assert signature.parameters["seed"].default is inspect.Parameter.empty
    assert signature.parameters["threads"].default == 1
    assert signature.parameters["chunks"].default == "auto"
    assert not {"out", "region", "block"} & set(names)
    assert list(inspect.signature(fdask.zeros).parameters) == ["shape", "chunks", "dtype"]
    assert fdask.he_normal.__name__ == "he_normal" and "chunks" in fdask.he_normal.__doc__


def test_stub_is_current():
    stub = Path(fdask.__file__).with_suffix(".pyi").read_text()
    assert stub == fdask.stub_text(), "regenerate fastinit/dask.pyi from fastinit.dask.stub_text()"


def test_import_fastinit_does_not_import_dask(run_python):
    result = run_python("import sys, fastinit, fastinit.dask\n"
                        "print('dask' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_missing_dask_says_how_to_install(run_python):
    result = run_python(
        "import sys\n"
        "sys.modules['dask'] = None\n"
        "sys.modules['dask.array'] = None\n"
        "import fastinit.dask\n"
        "try:\n"
        "    fastinit.dask.normal((3, 3), seed=0)\n"
        "except ImportError as exc:\n"
        "    print(exc)\n")
    assert result.returncode == 0, result.stderr
    assert 'pip install "dask[array]"' in result.stdout


def test_cluster_tasks_write_one_checkpoint(client, tmp_path):
    pytest.importorskip("safetensors")
    import dask
    import os
    import safetensors.numpy
    import fastinit.checkpoint as checkpoint

    specs = {"w": fastinit.Spec("he_normal", (256, 96)),
             "v": fastinit.Spec("normal", (77, 13), dtype="bfloat16", std=0.1),
             "b": fastinit.Spec("zeros", (96,), dtype="float64")}
    layout = checkpoint.plan_safetensors(specs)
    partial = str(tmp_path / "model.safetensors.partial")
    checkpoint.write_header(partial, layout)
    tasks = [dask.delayed(checkpoint.write_range)(partial, layout, seed=6, byte_range=part,
                                                  threads=1)
             for part in layout.byte_ranges(4)]
    futures = client.compute(tasks)
    assert sum(future.result(timeout=TIMEOUT) for future in futures) == layout.data_bytes
    final = tmp_path / "model.safetensors"
    os.replace(partial, final)
    expected = {name: spec.generate(6, name) for name, spec in specs.items()}
    assert final.read_bytes() == safetensors.numpy.save(expected)
