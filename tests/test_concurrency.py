"""Fills from many threads and processes.

Python threads filling at once get exactly the serial results; threads
sharing one Generator never receive the same blocks; fills after
``os.fork()`` and in ``multiprocessing`` workers (fork and spawn) give the
parent's bits and never deadlock.  Every wait has a timeout, so a deadlock
fails the test instead of hanging the suite.
"""

import ast
import math
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import fastinit

WAIT_SECONDS = 120
N_THREADS = 8


def bits(array):
    array = np.ascontiguousarray(array)
    return array.view(np.dtype(f"u{array.dtype.itemsize}"))


def assert_same_bits(got, expected, note=""):
    assert got.shape == expected.shape and got.dtype == expected.dtype, note
    assert np.array_equal(bits(got), bits(expected)), note


def run_in_threads(worker, n_threads=N_THREADS):
    """Run worker(k) for k in range(n_threads) at once; return their results.

    The workers start together (barrier) so that their fills overlap.
    """
    barrier = threading.Barrier(n_threads)

    def start(k):
        barrier.wait(timeout=WAIT_SECONDS)
        return worker(k)

    with ThreadPoolExecutor(n_threads) as pool:
        futures = [pool.submit(start, k) for k in range(n_threads)]
        return [future.result(timeout=WAIT_SECONDS) for future in futures]


# --------------------------------------------------------------------------
# separate arrays


def fill_jobs():
    """(name, fill(threads, out)) pairs covering methods, dtypes, regions and
    outputs that are filled in place or through temporary chunks."""
    jobs = []
    for k in range(24):
        method = ("uniform", "normal", "truncated_normal")[k % 3]
        dtype = (np.float32, np.float64, np.float16)[k % 3 if k % 4 else 0]
        seed, stream = 1000 + k, f"layer{k}.weight"
        shape = (257 + 31 * k, 1031)
        region = np.s_[5:250, 17:1000] if k % 2 else None

        def fill(threads, out=None, method=method, dtype=dtype, seed=seed, stream=stream,
                 shape=shape, region=region):
            return getattr(fastinit, method)(shape, dtype=dtype, seed=seed, stream=stream,
                                             region=region, out=out, threads=threads)

        jobs.append((f"{method}-{np.dtype(dtype).name}-{'region' if region else 'full'}", fill))
    return jobs


def test_threads_filling_separate_arrays_get_the_serial_results():
    jobs = fill_jobs()
    expected = [fill(1) for _, fill in jobs]

    def worker(k):
        results = []
        for round_index in range(3):
            for index in range(k, len(jobs), N_THREADS):
                name, fill = jobs[index]
                threads = (1, 2, None)[(round_index + index) % 3]
                if round_index == 2:
                    # into a preallocated output; F order goes through chunks
                    order = "F" if index % 2 else "C"
                    out = np.empty(expected[index].shape, expected[index].dtype, order=order)
                    results.append((index, fill(threads, out)))
                else:
                    results.append((index, fill(threads)))
        return results

    for results in run_in_threads(worker):
        for index, got in results:
            assert_same_bits(got, expected[index], jobs[index][0])


def test_threads_filling_disjoint_regions_of_one_array():
    # Shards of one logical array written by different threads into one
    # shared output equal the one-shot array.
    shape = (4096, 777)
    expected = fastinit.normal(shape, seed=77, stream="shared")
    out = np.full(shape, np.nan, np.float32)
    rows_per_thread = shape[0] // N_THREADS

    def worker(k):
        rows = np.s_[k * rows_per_thread:(k + 1) * rows_per_thread]
        fastinit.normal(shape, seed=77, stream="shared", region=(rows,), out=out[rows],
                        threads=1 + k % 2)

    run_in_threads(worker)
    assert_same_bits(out, expected)


# --------------------------------------------------------------------------
# one shared generator


def block_index(serial_words):
    """Map each block (4 words) of the serial stream to its block number.

    Philox is a bijection of the counter for a fixed key, so distinct blocks
    of one stream never have the same 4 words: the map is exact.
    """
    as_blocks = serial_words.reshape(-1, 4)
    return {as_blocks[i].tobytes(): i for i in range(as_blocks.shape[0])}


def check_disjoint_cover(intervals, total_blocks):
    """The (start, n_blocks) intervals tile [0, total_blocks) exactly."""
    position = 0
    for start, n_blocks in sorted(intervals):
        assert start == position, f"blocks {position} ... {start - 1} missing or reused"
        position = start + n_blocks
    assert position == total_blocks


def test_shared_generator_raw_words_are_the_serial_stream():
    generator = fastinit.Generator(seed=2024, stream="shared.raw")
    rng = np.random.default_rng(7)
    sizes = [rng.integers(1, 1500, size=150) * 4 for _ in range(N_THREADS)]

    def worker(k):
        return [generator.random_raw(int(n)) for n in sizes[k]]

    drawn = [words for results in run_in_threads(worker) for words in results]
    total_words = sum(int(s.sum()) for s in sizes)
    assert generator.block * 4 == total_words
    serial = fastinit.random_raw(total_words, seed=2024, stream="shared.raw")
    # Same multiset of words: nothing reused, nothing skipped.
    assert np.array_equal(np.sort(np.concatenate(drawn)), np.sort(serial))
    # And each call received one contiguous run of blocks of its own.
    index = block_index(serial)
    intervals = []
    for words in drawn:
        start = index[words[:4].tobytes()]
        assert np.array_equal(words, serial[4 * start:4 * start + words.size])
        intervals.append((start, words.size // 4))
    check_disjoint_cover(intervals, generator.block)


def test_shared_generator_partial_blocks_are_never_reused():
    # Calls whose word count is not a multiple of 4 discard the rest of their
    # last block; no other call may receive it.
    generator = fastinit.Generator(seed=99, stream=5)
    rng = np.random.default_rng(8)
    sizes = [rng.integers(4, 3000, size=120) for _ in range(N_THREADS)]

    def worker(k):
        return [generator.random_raw(int(n)) for n in sizes[k]]

    drawn = [words for results in run_in_threads(worker) for words in results]
    total_blocks = sum(int(np.sum((s + 3) // 4)) for s in sizes)
    assert generator.block == total_blocks
    serial = fastinit.random_raw(4 * total_blocks, seed=99, stream=5)
    index = block_index(serial)
    intervals = []
    for words in drawn:
        start = index[words[:4].tobytes()]
        assert np.array_equal(words, serial[4 * start:4 * start + words.size])
        intervals.append((start, -(-words.size // 4)))
    check_disjoint_cover(intervals, total_blocks)


class RecordingGenerator(fastinit.Generator):
    """A Generator that remembers, per thread, the blocks of its last call."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.last_call = threading.local()

    def _take_blocks(self, n_blocks):
        start = super()._take_blocks(n_blocks)
        self.last_call.blocks = (start, n_blocks)
        return start


def generator_calls():
    """(method name, args, kwargs, blocks the logical array uses)."""
    calls = []
    for k in range(12):
        shape = (33 + 7 * k, 65)
        dtype = (np.float32, np.float64)[k % 2]
        calls.append(("normal", (shape,), dict(dtype=dtype),
                      fastinit.blocks_for("normal", shape, dtype)))
        calls.append(("uniform", (shape, -1.0, 1.0), dict(dtype=dtype, region=np.s_[3:20, 5:]),
                      fastinit.blocks_for("uniform", shape, dtype)))
        calls.append(("truncated_normal", (shape,), dict(dtype=dtype, threads=2),
                      fastinit.blocks_for("truncated_normal", shape, dtype)))
        calls.append(("random_raw", (4 * k + 1,), {}, k + 1))
    return calls


def one_shot(name, args, kwargs, seed, stream, block):
    if name == "random_raw":
        return fastinit.random_raw(*args, seed=seed, stream=stream, block=block)
    return getattr(fastinit, name)(*args, **kwargs, seed=seed, stream=stream, block=block)


def test_shared_generator_methods_get_disjoint_blocks_and_correct_values():
    generator = RecordingGenerator(seed=31337, stream="shared.methods")
    calls = generator_calls()

    def worker(k):
        results = []
        for round_index in range(4):
            for index in range((k + round_index) % N_THREADS, len(calls), N_THREADS):
                name, args, kwargs, _ = calls[index]
                got = getattr(generator, name)(*args, **kwargs)
                results.append((index, got, generator.last_call.blocks))
        return results

    intervals = []
    for results in run_in_threads(worker):
        for index, got, (start, n_blocks) in results:
            name, args, kwargs, expected_blocks = calls[index]
            assert n_blocks == expected_blocks, name
            expected = one_shot(name, args, kwargs, generator.seed, generator.stream, start)
            assert_same_bits(got, expected, name)
            intervals.append((start, n_blocks))
    check_disjoint_cover(intervals, generator.block)


def test_shared_generator_initializers_get_disjoint_blocks():
    if not hasattr(fastinit, "he_normal"):
        pytest.skip("initializers are not available")
    generator = RecordingGenerator(seed=5, stream="shared.init")
    shapes = [(64 + k, 32 + 3 * k) for k in range(16)]

    def worker(k):
        results = []
        for shape in shapes[k::2] + shapes[:k]:
            got = generator.he_normal(shape)
            results.append((shape, got, generator.last_call.blocks))
        return results

    intervals = []
    for results in run_in_threads(worker):
        for shape, got, (start, n_blocks) in results:
            expected = fastinit.he_normal(shape, seed=5, stream="shared.init", block=start)
            assert_same_bits(got, expected)
            intervals.append((start, n_blocks))
    check_disjoint_cover(intervals, generator.block)


# --------------------------------------------------------------------------
# fork and multiprocessing

FORK_HELPERS = r"""
import os, signal, sys, threading, time, traceback
import numpy as np
import fastinit

WAIT_SECONDS = 60

def fills():
    # threads=2 on arrays big enough that the engine starts a second thread
    return [
        fastinit.normal(1 << 20, seed=7, stream="fork", threads=2),
        fastinit.uniform((1024, 515), seed=7, dtype=np.float64, threads=2,
                         region=np.s_[3:900, 5:]),
        fastinit.truncated_normal(300001, seed=7, dtype=np.float16, threads=2),
        fastinit.normal((700, 700), seed=7, threads=2,
                        out=np.empty((700, 700), np.float32, order="F")),
    ]

def same_bits(xs, ys):
    return len(xs) == len(ys) and all(
        x.shape == y.shape and x.dtype == y.dtype and x.tobytes() == y.tobytes()
        for x, y in zip(xs, ys))

def wait_child(pid):
    # waitpid with a deadline: a child stuck in a deadlock is killed, and the
    # caller sees exit code -1.
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return -1

def in_child(check):
    # run check() in a forked child; its exit code: 0 ok, 1 wrong bits, 2 error
    pid = os.fork()
    if pid == 0:
        code = 2
        try:
            code = 0 if check() else 1
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return wait_child(pid)
"""

FORK_AFTER_THREADED_FILL = FORK_HELPERS + r"""
expected = fills()
generator = fastinit.Generator(seed=11, stream=3)
generator.normal(1000)
position = generator.block
codes = []
for attempt in range(3):
    fills()   # a threaded fill right before the fork
    codes.append(in_child(lambda: same_bits(fills(), expected)
                          and same_bits([generator.normal(5000)],
                                        [fastinit.normal(5000, seed=11, stream=3,
                                                         block=position)])))
# the parent is unaffected
assert same_bits(fills(), expected)
print("CODES", codes)
"""

FORK_DURING_BACKGROUND_FILLS = FORK_HELPERS + r"""
expected = fills()
stop = threading.Event()
def background():
    while not stop.is_set():
        fastinit.normal(1 << 22, seed=1, threads=2)
        fastinit.uniform((2048, 1000), seed=1, threads=2, region=np.s_[1:, 1:])
workers = [threading.Thread(target=background) for _ in range(2)]
for worker in workers:
    worker.start()
codes = []
try:
    for attempt in range(10):
        time.sleep(0.05)
        codes.append(in_child(lambda: same_bits(fills(), expected)))
finally:
    stop.set()
    for worker in workers:
        worker.join(WAIT_SECONDS)
assert not any(worker.is_alive() for worker in workers)
print("CODES", codes)
"""

FORK_WHILE_GENERATOR_IS_IN_USE = FORK_HELPERS + r"""
# A thread is in the middle of reserving blocks of a shared generator (it
# holds the generator's lock) at the moment another thread forks.  In the
# child that thread does not exist; the child must still be able to draw.
generator = fastinit.Generator(seed=21, stream="forked")
generator.random_raw(40)
inside, leave = threading.Event(), threading.Event()
def reserve_slowly():
    with generator._lock:
        inside.set()
        leave.wait(WAIT_SECONDS)
holder = threading.Thread(target=reserve_slowly)
holder.start()
assert inside.wait(WAIT_SECONDS)
WAIT_SECONDS = 10

def check():
    position = generator.block
    got = generator.random_raw(8)
    return np.array_equal(got, fastinit.random_raw(8, seed=21, stream="forked",
                                                   block=position))

codes = [in_child(check)]
leave.set()
holder.join(WAIT_SECONDS)
codes.append(in_child(check))   # and with the lock free at fork time
print("CODES", codes)
"""


def child_codes(child):
    assert child.returncode == 0, child.stdout + child.stderr
    line = [line for line in child.stdout.splitlines() if line.startswith("CODES")][-1]
    return ast.literal_eval(line.split(" ", 1)[1])


def test_fork_after_threaded_fill_gives_the_same_bits(run_python):
    codes = child_codes(run_python(FORK_AFTER_THREADED_FILL, timeout=300))
    # 0: same bits; 1: different bits; 2: exception; -1: deadlock (killed)
    assert codes == [0, 0, 0]


def test_fork_while_other_threads_fill(run_python):
    codes = child_codes(run_python(FORK_DURING_BACKGROUND_FILLS, timeout=600))
    assert codes == [0] * 10


def test_fork_while_a_thread_reserves_generator_blocks(run_python):
    codes = child_codes(run_python(FORK_WHILE_GENERATOR_IS_IN_USE, timeout=300))
    # -1: the child hung drawing from the generator (killed after 10 s)
    assert codes == [0, 0]


MULTIPROCESSING_SCRIPT = r"""
import multiprocessing, sys
import numpy as np
import fastinit

TASKS = [
    ("normal", (3001, 17), "float32", None),
    ("uniform", (1 << 20,), "float64", None),
    ("truncated_normal", (1000, 1000), "float32", (slice(100, 900), slice(1, 999))),
    ("normal", (513, 513), "float16", (slice(0, 300),)),
]

def task(job):
    method, shape, dtype, region = job
    return getattr(fastinit, method)(shape, dtype=dtype, seed=4242, stream=method,
                                     region=region, threads=2)

def generator_task(k):
    generator = fastinit.Generator(seed=4242, stream="workers")
    generator._take_blocks(1000 * k)
    return generator.normal((100, 10))

if __name__ == "__main__":
    method = sys.argv[1]
    expected = [task(job) for job in TASKS]   # threaded fills in the parent first
    expected_generator = [fastinit.normal((100, 10), seed=4242, stream="workers",
                                          block=1000 * k) for k in range(4)]
    context = multiprocessing.get_context(method)
    with context.Pool(2) as pool:
        got = pool.map_async(task, TASKS * 2).get(timeout=120)
        got_generator = pool.map_async(generator_task, range(4)).get(timeout=120)
    ok = all(g.dtype == e.dtype and g.tobytes() == e.tobytes()
             for g, e in zip(got, expected * 2))
    ok_generator = all(g.tobytes() == e.tobytes()
                       for g, e in zip(got_generator, expected_generator))
    print("RESULT", ok, ok_generator)
"""


@pytest.mark.parametrize("start_method", ["fork", "spawn", "forkserver"])
def test_multiprocessing_workers_give_the_parent_bits(start_method, tmp_path, run_python):
    import multiprocessing

    if start_method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"start method {start_method} is not available")
    script = tmp_path / "workers.py"
    script.write_text(MULTIPROCESSING_SCRIPT)
    child = run_python(
        f"import runpy, sys; sys.argv = [{str(script)!r}, {start_method!r}]; "
        f"runpy.run_path({str(script)!r}, run_name='__main__')",
        timeout=300)
    assert child.returncode == 0, child.stdout + child.stderr
    assert "RESULT True True" in child.stdout, child.stdout + child.stderr


def test_blocks_counted_for_the_serial_stream_match_blocks_for():
    # The interval checks above rely on blocks_for; keep it honest here.
    for shape, dtype in [((33, 65), np.float32), ((33, 65), np.float64), ((7,), np.float32)]:
        n = math.prod(shape)
        per_block = 4 if np.dtype(dtype).itemsize == 4 else 2
        for method in ("uniform", "normal", "truncated_normal"):
            assert fastinit.blocks_for(method, shape, dtype) == -(-n // per_block)
