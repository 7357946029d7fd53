"""fastinit.checkpoint: streaming safetensors files, shards, ranges, failures, CLI."""
import json
import os
import struct
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

import fastinit
import fastinit.checkpoint as checkpoint
from _markers import slow
from fastinit.cli import main

safetensors = pytest.importorskip("safetensors")
import safetensors.numpy  # noqa: E402

SEED = 77
ITEMSIZE = {"F64": 8, "F32": 4, "BF16": 2, "F16": 2}


def _specs():
    return {
        "encoder.embed.weight": fastinit.Spec("normal", (300, 64), std=0.02),
        "encoder.fc.weight": fastinit.Spec("he_normal", (64, 129), layout="torch",
                                           dtype="bfloat16"),
        "encoder.fc.bias": fastinit.Spec("zeros", (64,), dtype="bfloat16"),
        "decoder.proj": fastinit.Spec("xavier_uniform", (129, 33), dtype="float16"),
        "decoder.scale": fastinit.Spec("ones", (33,), dtype="float64"),
        "decoder.q": fastinit.Spec("orthogonal", (40, 24), dtype="float64"),
        "decoder.sparse": fastinit.Spec("sparse", (50, 17), sparsity=0.5),
        "empty": fastinit.Spec("normal", (0, 9)),
        "scalar": fastinit.Spec("constant", (), value=3.5),
        "unicode.wéight": fastinit.Spec("lecun_normal", (7, 5), dtype="float16"),
    }


def _arrays(specs, seed=SEED, streams=None):
    streams = streams or {}
    return {name: spec.generate(seed, streams.get(name, name)) for name, spec in specs.items()}


def _bits(array):
    array = np.asarray(array)
    return array.view(f"u{array.dtype.itemsize}") if array.dtype.itemsize > 1 else array


def _parse(path):
    """The header of a safetensors file, read without the library."""
    with open(path, "rb") as handle:
        length = struct.unpack("<Q", handle.read(8))[0]
        text = handle.read(length)
    return length, json.loads(text.decode("utf-8")), text


def test_header_offsets_alignment_and_dtypes(tmp_path):
    specs = _specs()
    path = tmp_path / "model.safetensors"
    assert checkpoint.save_safetensors(path, specs, seed=SEED,
                                       metadata={"format": "pt"}) == [str(path)]
    length, header, text = _parse(path)
    assert (8 + length) % 8 == 0 and len(text) - len(text.rstrip(b" ")) < 8
    assert list(header)[0] == "__metadata__" and header.pop("__metadata__") == {"format": "pt"}
    assert set(header) == set(specs)
    order = list(header)
    # the safetensors library's order: dtype by size (F64, F32, BF16, F16), then name
    rank = {"F64": 0, "F32": 1, "BF16": 2, "F16": 3}
    assert order == sorted(order, key=lambda n: (rank[header[n]["dtype"]], n))
    position = 0
    for name in order:
        entry = header[name]
        spec = specs[name]
        assert entry["dtype"] == {"float32": "F32", "float64": "F64", "float16": "F16",
                                  "bfloat16": "BF16"}[spec.dtype.name]
        assert tuple(entry["shape"]) == spec.shape
        begin, end = entry["data_offsets"]
        assert begin == position and end - begin == spec.nbytes
        assert (8 + length + begin) % ITEMSIZE[entry["dtype"]] == 0
        position = end
    assert os.path.getsize(path) == 8 + length + position


def test_bytes_equal_the_safetensors_library(tmp_path):
    specs = _specs()
    path = tmp_path / "a.safetensors"
    checkpoint.save_safetensors(path, specs, seed=SEED)
    expected = safetensors.numpy.save(_arrays(specs))
    assert path.read_bytes() == expected
    checkpoint.save_safetensors(path, specs, seed=SEED, metadata={"format": "np"})
    assert path.read_bytes() == safetensors.numpy.save(_arrays(specs), metadata={"format": "np"})
    # the library orders several metadata keys as its hash map does; fastinit sorts them
    checkpoint.save_safetensors(path, specs, seed=SEED, metadata={"b": "2", "a": "1"})
    with safetensors.safe_open(str(path), framework="numpy") as handle:
        assert handle.metadata() == {"a": "1", "b": "2"}
    assert list(_parse(path)[1]["__metadata__"]) == ["a", "b"]


def test_safe_open_numpy_bit_exact(tmp_path):
    specs = {n: s for n, s in _specs().items() if s.dtype.name != "bfloat16"}
    path = tmp_path / "np.safetensors"
    checkpoint.save_safetensors(path, specs, seed=SEED, threads=1)
    expected = _arrays(specs)
    with safetensors.safe_open(str(path), framework="numpy") as handle:
        assert set(handle.keys()) == set(specs)
        for name in handle.keys():
            got = handle.get_tensor(name)
            assert got.dtype == expected[name].dtype and got.shape == expected[name].shape
            np.testing.assert_array_equal(_bits(got), _bits(expected[name]))


def test_safe_open_torch_bit_exact_with_bfloat16(tmp_path):
    torch = pytest.importorskip("torch")
    specs = _specs()
    path = tmp_path / "pt.safetensors"
    checkpoint.save_safetensors(path, specs, seed=SEED)
    expected = _arrays(specs)
    dtypes = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16,
              "bfloat16": torch.bfloat16}
    with safetensors.safe_open(str(path), framework="pt") as handle:
        for name in handle.keys():
            tensor = handle.get_tensor(name)
            want = expected[name]
            assert tensor.dtype == dtypes[want.dtype.name]
            assert tuple(tensor.shape) == want.shape
            int_type = {8: torch.int64, 4: torch.int32, 2: torch.int16}[want.dtype.itemsize]
            got_bits = tensor.contiguous().view(int_type).numpy()
            np.testing.assert_array_equal(got_bits, want.view(got_bits.dtype))
    assert specs["encoder.fc.weight"].dtype.name == "bfloat16"


def test_many_buffers_and_tensors_split_inside(tmp_path, monkeypatch):
    # small buffers: every tensor spans several buffers and rows split
    monkeypatch.setattr(checkpoint, "BUFFER_BYTES", 1000)
    specs = _specs()
    path = tmp_path / "small-buffers.safetensors"
    checkpoint.save_safetensors(path, specs, seed=SEED, threads=2)
    assert path.read_bytes() == safetensors.numpy.save(_arrays(specs))


def test_explicit_streams_and_duck_typed_recipes(tmp_path):
    class Recipe:
        """What fastinit.torch hands over: not a Spec, but Spec-like."""

        def __init__(self, shape):
            self.shape = shape
            self.dtype = np.dtype(np.float32)
            self.nbytes = int(np.prod(shape)) * 4
            self.regionable = True

        def generate(self, seed, stream, *, region=None, out=None, threads=None):
            return fastinit.uniform(self.shape, -1.0, 1.0, seed=seed, stream=stream,
                                    region=region, out=out, threads=threads)

    specs = {"a": Recipe((40, 30)), "b": Recipe((17,)), "c": fastinit.Spec("normal", (5,))}
    streams = {"a": "model.layers.0.weight", "b": 12345}
    path = tmp_path / "duck.safetensors"
    checkpoint.save_safetensors(path, specs, seed=3, streams=streams)
    loaded = safetensors.numpy.load_file(str(path))
    np.testing.assert_array_equal(
        loaded["a"], fastinit.uniform((40, 30), -1.0, 1.0, seed=3, stream="model.layers.0.weight"))
    np.testing.assert_array_equal(loaded["b"], fastinit.uniform((17,), -1.0, 1.0, seed=3,
                                                                stream=12345))
    np.testing.assert_array_equal(loaded["c"], fastinit.normal((5,), seed=3, stream="c"))
    with pytest.raises(ValueError, match="not in specs"):
        checkpoint.save_safetensors(path, specs, seed=3, streams={"zz": 1})


def test_shards_and_index(tmp_path):
    specs = _specs()
    directory = tmp_path / "sharded"
    limit = 20_000
    written = checkpoint.save_safetensors(directory, specs, seed=SEED, max_shard_bytes=limit)
    groups = checkpoint.shard_names(specs, limit)
    count = len(groups)
    assert count > 2
    names = [f"model-{k:05d}-of-{count:05d}.safetensors" for k in range(1, count + 1)]
    assert written == [str(directory / n) for n in names] + [
        str(directory / "model.safetensors.index.json")]
    assert sorted(os.listdir(directory)) == sorted(names + ["model.safetensors.index.json"])
    index = json.loads((directory / "model.safetensors.index.json").read_text())
    assert index["metadata"]["total_size"] == sum(s.nbytes for s in specs.values())
    assert set(index["weight_map"]) == set(specs)
    expected = _arrays(specs)
    flat = [name for group in groups for name in group]
    assert flat == list(specs)          # shards follow the mapping's order
    for file_name, group in zip(names, groups):
        assert [n for n, f in index["weight_map"].items() if f == file_name] == sorted(group)
        assert sum(specs[n].nbytes for n in group) <= limit or len(group) == 1
        loaded = safetensors.numpy.load_file(str(directory / file_name))
        assert set(loaded) == set(group)
        for name in group:
            np.testing.assert_array_equal(_bits(loaded[name]), _bits(expected[name]))
    # deterministic: the same call writes the same bytes
    again = tmp_path / "again"
    checkpoint.save_safetensors(again, specs, seed=SEED, max_shard_bytes=limit)
    for name in names + ["model.safetensors.index.json"]:
        assert (again / name).read_bytes() == (directory / name).read_bytes()


def test_shard_names_rules():
    specs = {"a": fastinit.Spec("zeros", 10), "b": fastinit.Spec("zeros", 10),
             "big": fastinit.Spec("zeros", 100), "c": fastinit.Spec("zeros", 5)}
    assert checkpoint.shard_names(specs, 80) == [["a", "b"], ["big"], ["c"]]
    assert checkpoint.shard_names(specs, 10 ** 9) == [["a", "b", "big", "c"]]
    with pytest.raises(ValueError, match="at least 1"):
        checkpoint.shard_names(specs, 0)


def _write_part(args):
    path, layout, part = args
    return checkpoint.write_range(path, layout, seed=SEED, byte_range=part, threads=1)


def test_several_processes_write_one_file(tmp_path):
    specs = _specs()
    layout = checkpoint.plan_safetensors(specs)
    partial = str(tmp_path / "model.safetensors.partial")
    checkpoint.write_header(partial, layout)
    assert os.path.getsize(partial) == layout.file_size
    parts = layout.byte_ranges(5)
    assert parts[0][0] == layout.data_start and parts[-1][1] == layout.file_size
    assert all(a[1] == b[0] for a, b in zip(parts, parts[1:]))
    with ProcessPoolExecutor(2) as pool:
        written = list(pool.map(_write_part, [(partial, layout, part) for part in parts],
                                timeout=120))
    assert sum(written) == layout.data_bytes
    final = tmp_path / "model.safetensors"
    os.replace(partial, final)
    assert final.read_bytes() == safetensors.numpy.save(_arrays(specs))


def test_ranges_anywhere_and_by_tensor_name(tmp_path):
    specs = _specs()
    layout = checkpoint.plan_safetensors(specs)
    expected = safetensors.numpy.save(_arrays(specs))
    rng = np.random.default_rng(0)
    cuts = np.sort(rng.choice(np.arange(layout.data_start + 1, layout.file_size), 25,
                              replace=False))
    bounds = [layout.data_start] + cuts.tolist() + [layout.file_size]
    by_range = str(tmp_path / "ranges")
    checkpoint.write_header(by_range, layout)
    for start, stop in reversed(list(zip(bounds, bounds[1:]))):
        checkpoint.write_range(by_range, layout, seed=SEED, byte_range=(start, stop))
    assert open(by_range, "rb").read() == expected
    by_name = str(tmp_path / "names")
    checkpoint.write_header(by_name, layout)
    names = list(specs)
    checkpoint.write_range(by_name, layout, seed=SEED, names=names[::2])
    checkpoint.write_range(by_name, layout, seed=SEED, names=names[1::2])
    assert open(by_name, "rb").read() == expected
    with pytest.raises(ValueError, match="outside the data section"):
        checkpoint.write_range(by_name, layout, seed=SEED, byte_range=(0, 10))
    with pytest.raises(KeyError):
        checkpoint.write_range(by_name, layout, seed=SEED, names=["nope"])
    short = tmp_path / "short"
    short.write_bytes(b"x" * 10)
    with pytest.raises(ValueError, match="write_header"):
        checkpoint.write_range(str(short), layout, seed=SEED)


def test_layout_pickles():
    import pickle
    layout = checkpoint.plan_safetensors(_specs())
    copy = pickle.loads(pickle.dumps(layout))
    assert copy.header == layout.header and copy.file_size == layout.file_size
    assert [(e.name, e.begin, e.end, e.stream, e.dtype) for e in copy.tensors] == [
        (e.name, e.begin, e.end, e.stream, e.dtype) for e in layout.tensors]


def test_progress_callback_and_bar(tmp_path, capsys):
    specs = _specs()
    seen = []
    path = tmp_path / "p.safetensors"
    checkpoint.save_safetensors(path, specs, seed=SEED, progress=seen.append)
    assert sum(seen) == os.path.getsize(path)
    checkpoint.save_safetensors(path, specs, seed=SEED, progress=True)
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines and "/s" in lines[-1] and "left" in lines[-1]


# --------------------------------------------------------------------------
# failures


class _Failing:
    """A recipe whose generate fails after `good` calls."""

    def __init__(self, shape, good, error):
        self.shape = shape
        self.dtype = np.dtype(np.float32)
        self.nbytes = int(np.prod(shape)) * 4
        self.regionable = True
        self.good = good
        self.error = error

    def generate(self, seed, stream, *, region=None, out=None, threads=None):
        if self.good <= 0:
            raise self.error
        self.good -= 1
        return fastinit.normal(self.shape, seed=seed, stream=stream, region=region, out=out,
                               threads=threads)


@pytest.mark.parametrize("error", [RuntimeError("injected failure"), KeyboardInterrupt()])
def test_failure_mid_write_leaves_no_file(tmp_path, monkeypatch, error):
    monkeypatch.setattr(checkpoint, "BUFFER_BYTES", 1 << 16)
    path = tmp_path / "model.safetensors"
    path.write_bytes(b"previous checkpoint")
    specs = {"a": fastinit.Spec("normal", (1 << 16,)), "b": _Failing((1 << 16,), 2, error)}
    with pytest.raises(type(error)) as info:
        checkpoint.save_safetensors(path, specs, seed=1)
    assert any("no checkpoint was written" in note for note in info.value.__notes__)
    assert path.read_bytes() == b"previous checkpoint"    # never replaced
    assert sorted(os.listdir(tmp_path)) == ["model.safetensors"]   # no partial file left


def test_failure_in_a_later_shard_leaves_no_index(tmp_path):
    specs = {"a": fastinit.Spec("normal", (1000,)), "b": _Failing((1000,), 0, ValueError("x"))}
    with pytest.raises(ValueError):
        checkpoint.save_safetensors(tmp_path / "d", specs, seed=1, max_shard_bytes=4000)
    assert os.listdir(tmp_path / "d") == []


def test_file_size_limit_is_reported_and_leaves_no_file(run_python, tmp_path):
    target = tmp_path / "big.safetensors"
    result = run_python(
        "import resource, sys, fastinit, fastinit.checkpoint as ck\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (48 << 20, 48 << 20))\n"
        f"specs = {{'w': fastinit.Spec('normal', (64 << 20,))}}\n"
        "try:\n"
        f"    ck.save_safetensors({str(target)!r}, specs, seed=0)\n"
        "except ck.WriteError as exc:\n"
        "    print('errno', exc.errno)\n"
        "    print(exc)\n", timeout=300)
    assert result.returncode == 0, result.stderr
    import errno
    assert f"errno {errno.EFBIG}" in result.stdout
    assert "file size limit" in result.stdout and "no checkpoint was written" in result.stdout
    assert os.listdir(tmp_path) == []


def test_not_enough_space_is_caught_before_writing(tmp_path, monkeypatch):
    class Stats:
        f_bavail = 10
        f_frsize = 4096

    monkeypatch.setattr(os, "statvfs", lambda path: Stats())
    with pytest.raises(checkpoint.WriteError, match="not enough space") as info:
        checkpoint.save_safetensors(tmp_path / "m.safetensors",
                                    {"w": fastinit.Spec("zeros", (1 << 20,))}, seed=0)
    assert info.value.errno == __import__("errno").ENOSPC
    assert os.listdir(tmp_path) == []


@slow  # about 5 s on a quiet 2-core host, 17 s under load
def test_memory_stays_bounded_on_a_one_gib_file(run_python, tmp_path):
    target = tmp_path / "big.safetensors"
    result = run_python(
        "import resource, os, fastinit, fastinit.checkpoint as ck\n"
        "import numpy as np\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "specs = {f'layer{i}.weight': fastinit.Spec('he_normal', (8192, 8192)) "
        "for i in range(3)}\n"
        "specs['head'] = fastinit.Spec('normal', (16384, 8192), dtype='bfloat16')\n"
        f"ck.save_safetensors({str(target)!r}, specs, seed=0)\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        f"print(before, after, os.path.getsize({str(target)!r}))\n", timeout=600)
    assert result.returncode == 0, result.stderr
    before, after, size = map(int, result.stdout.split())
    try:
        assert size >= 1 << 30
        assert (after - before) * 1024 < 256 << 20, f"peak RSS grew by {(after - before) >> 10} MiB"
        with safetensors.safe_open(str(target), framework="numpy") as handle:
            corner = handle.get_slice("layer2.weight")[8000:8003, 5:9]
        np.testing.assert_array_equal(
            corner, fastinit.he_normal((8192, 8192), seed=0, stream="layer2.weight",
                                       region=np.s_[8000:8003, 5:9]))
    finally:
        target.unlink()


# --------------------------------------------------------------------------
# bad input


def test_bad_arguments(tmp_path):
    spec = fastinit.Spec("zeros", 3)
    path = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match="mapping"):
        checkpoint.save_safetensors(path, [spec], seed=0)
    with pytest.raises(TypeError, match="names must be str"):
        checkpoint.save_safetensors(path, {1: spec}, seed=0)
    with pytest.raises(TypeError, match="not a fastinit.Spec"):
        checkpoint.save_safetensors(path, {"a": np.zeros(3)}, seed=0)
    with pytest.raises(ValueError, match="reserved"):
        checkpoint.save_safetensors(path, {"__metadata__": spec}, seed=0)
    with pytest.raises(TypeError, match="known seed"):
        checkpoint.save_safetensors(path, {"a": spec}, seed=None)
    with pytest.raises(ValueError, match="seed"):
        checkpoint.save_safetensors(path, {"a": spec}, seed=-1)
    with pytest.raises(ValueError, match="max_shard_bytes"):
        checkpoint.save_safetensors(tmp_path / "d", {"a": spec}, seed=0, max_shard_bytes=0)
    with pytest.raises(TypeError, match="metadata"):
        checkpoint.save_safetensors(path, {"a": spec}, seed=0, metadata={"a": 1})
    with pytest.raises(IsADirectoryError):
        checkpoint.save_safetensors(tmp_path, {"a": spec}, seed=0)
    with pytest.raises(FileNotFoundError):
        checkpoint.save_safetensors(tmp_path / "missing" / "x.safetensors", {"a": spec}, seed=0)
    with pytest.raises(NotADirectoryError):
        (tmp_path / "file").write_text("")
        checkpoint.save_safetensors(tmp_path / "file", {"a": spec}, seed=0, max_shard_bytes=10)

    class WrongDtype:
        shape, dtype, nbytes, regionable = (3,), np.dtype(np.int32), 12, True

        def generate(self, seed, stream, *, region=None, out=None, threads=None):
            raise AssertionError("never called")

    with pytest.raises(TypeError, match="int32"):
        checkpoint.save_safetensors(path, {"a": WrongDtype()}, seed=0)
    assert sorted(os.listdir(tmp_path)) == ["file"]


def test_parse_size():
    assert checkpoint.parse_size("5GB") == 5 * 10 ** 9
    assert checkpoint.parse_size("500MiB") == 500 << 20
    assert checkpoint.parse_size("1.5 kb") == 1500
    assert checkpoint.parse_size("123") == 123
    for bad in ("", "GB", "5XB", "-1GB", "0"):
        with pytest.raises(ValueError):
            checkpoint.parse_size(bad)


# --------------------------------------------------------------------------
# command line


def _write_spec(tmp_path, text):
    path = tmp_path / "spec.json"
    path.write_text(text)
    return str(path)


SPEC_JSON = json.dumps({
    "embed.weight": {"method": "normal", "shape": [100, 16], "std": 0.02},
    "fc.weight": {"method": "he_normal", "shape": [16, 32], "layout": "torch",
                  "dtype": "float16"},
    "fc.bias": {"method": "zeros", "shape": [16]},
    "conv": {"method": "variance_scaling", "shape": [3, 3, 4, 8], "batch_axis": [],
             "mode": "fan_avg"},
})


def test_cli_writes_the_checkpoint(tmp_path, capsys):
    spec = _write_spec(tmp_path, SPEC_JSON)
    out = tmp_path / "model.safetensors"
    assert main(["checkpoint", spec, str(out), "--seed", "9"]) == 0
    assert "wrote 4 tensors" in capsys.readouterr().out
    loaded = safetensors.numpy.load_file(str(out))
    np.testing.assert_array_equal(loaded["embed.weight"],
                                  fastinit.normal((100, 16), std=0.02, seed=9,
                                                  stream="embed.weight"))
    np.testing.assert_array_equal(loaded["fc.weight"],
                                  fastinit.he_normal((16, 32), layout="torch", seed=9,
                                                     stream="fc.weight", dtype=np.float16))
    assert loaded["fc.bias"].dtype == np.float32


def test_cli_dtype_override_and_shards(tmp_path):
    torch = pytest.importorskip("torch")
    import safetensors.torch
    spec = _write_spec(tmp_path, SPEC_JSON)
    out = tmp_path / "shards"
    assert main(["checkpoint", spec, str(out), "--seed", "9", "--max-shard-size", "4KB",
                 "--dtype", "bfloat16"]) == 0
    index = json.loads((out / "model.safetensors.index.json").read_text())
    assert len(set(index["weight_map"].values())) >= 2
    for name, file_name in index["weight_map"].items():
        tensor = safetensors.torch.load_file(str(out / file_name))[name]
        assert tensor.dtype == torch.bfloat16


@pytest.mark.parametrize("text, message", [
    ('{"a": {"method": "normal", "shape": [2]}, "a": {"method": "zeros", "shape": [3]}}',
     "duplicate name 'a'"),
    ('{"a": {"method": "nromal", "shape": [2]}}', "unknown method 'nromal'"),
    ('{"a": {"method": "normal", "shape": [2, -3]}}', "negative dimensions"),
    ('{"a": {"method": "normal", "shape": "2x3"}}', "shape must be a list of integers"),
    ('{"a": {"method": "normal", "shape": [2.5]}}', "shape must be a list of integers"),
    ('{"a": {"method": "normal"}}', "missing 'shape'"),
    ('{"a": {"method": "normal", "shape": [2], "stdev": 1}}', "unexpected keyword"),
    ('{"a": {"method": "normal", "shape": [2], "dtype": "int8"}}', "int8"),
    ('[1, 2]', "JSON object"),
    ('{"a": ', "not valid JSON"),
    ('{}', "names no tensors"),
])
def test_cli_bad_specs_are_usage_errors(tmp_path, capsys, text, message):
    spec = _write_spec(tmp_path, text)
    out = tmp_path / "out.safetensors"
    assert main(["checkpoint", spec, str(out), "--seed", "1"]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_unwritable_paths_are_usage_errors(tmp_path, capsys):
    spec = _write_spec(tmp_path, SPEC_JSON)
    before = sorted(os.listdir(tmp_path))
    cases = [str(tmp_path / "missing" / "m.safetensors"), str(tmp_path)]
    if sys.platform.startswith("linux"):
        cases.append("/proc/fastinit-test.safetensors")
    for out in cases:
        assert main(["checkpoint", spec, out, "--seed", "1"]) == 2
        assert "error" in capsys.readouterr().err
    (tmp_path / "plain").write_text("")
    assert main(["checkpoint", spec, str(tmp_path / "plain"), "--seed", "1",
                 "--max-shard-size", "1MB"]) == 2
    assert main(["checkpoint", str(tmp_path / "nope.json"), str(tmp_path / "o"),
                 "--seed", "1"]) == 2
    assert main(["checkpoint", spec, str(tmp_path / "o"), "--seed", "1",
                 "--max-shard-size", "5XB"]) == 2
    assert main(["checkpoint", spec, str(tmp_path / "o")]) == 2       # no seed
    assert sorted(os.listdir(tmp_path)) == sorted(before + ["plain"])
