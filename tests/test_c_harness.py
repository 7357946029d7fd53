"""The C core outside Python: tests/c/harness.c under sanitizers and release flags.

The harness links csrc/*.c directly (not the extension module) and checks the
Philox known-answer vectors, every fill entry point on every instruction-set
level of this CPU for every size 0..300 at many offsets with guard bytes, and
the threaded job runner.  It is built twice: with AddressSanitizer +
UndefinedBehaviorSanitizer, and with the compile flags setup.py uses for the
extension.  Both builds start at once (two compiler processes) and each test
waits for its own.
"""
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSRC = ROOT / "csrc"
HARNESS = ROOT / "tests" / "c" / "harness.c"
KAT_FILE = ROOT / "tests" / "data" / "philox4x32_10_kat.csv"

COMMON_FLAGS = ["-std=c11", "-pthread", "-Wall", "-Wextra"]
SANITIZER_FLAGS = ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
                   "-fno-omit-frame-pointer", "-ffp-contract=off"]
UBSAN_ONLY_FLAGS = ["-O1", "-g", "-fsanitize=undefined", "-fno-sanitize-recover=all",
                    "-fno-omit-frame-pointer", "-ffp-contract=off"]
# setup.py's compile_args() on POSIX
RELEASE_FLAGS = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-pthread", "-std=c11"]

SANITIZER_ENV = {
    "ASAN_OPTIONS": "abort_on_error=0:halt_on_error=1",
    "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
}

SUMMARY = re.compile(r"^harness: (\d+) passed, (\d+) failed$", re.MULTILINE)
COMPILE_TIMEOUT = 600
RUN_TIMEOUT = 900

PROBE_SOURCE = r"""
#include <stdio.h>
#include <stdlib.h>
int main(void)
{
    int *p = malloc(4 * sizeof *p);
    if (!p)
        return 1;
    p[3] = 7;
    printf("%d\n", p[3]);
    free(p);
    return 0;
}
"""


def find_compiler():
    """The C compiler command (a list): $CC, else cc, gcc or clang; None if there is none."""
    candidates = []
    if os.environ.get("CC"):
        candidates.append(shlex.split(os.environ["CC"]))
    candidates += [["cc"], ["gcc"], ["clang"]]
    for command in candidates:
        if command and shutil.which(command[0]):
            return [shutil.which(command[0])] + command[1:]
    return None


def probe_sanitizer(compiler, workdir, flags, env):
    """None if a small program built with `flags` runs cleanly under `env`, else why not."""
    source = workdir / "probe.c"
    source.write_text(PROBE_SOURCE)
    exe = workdir / "probe"
    build = subprocess.run(compiler + flags + [str(source), "-o", str(exe)],
                           capture_output=True, text=True, timeout=COMPILE_TIMEOUT)
    if build.returncode != 0:
        return f"compiling with {' '.join(flags)} failed: {build.stderr.strip()[-400:]}"
    run = subprocess.run([str(exe)], capture_output=True, text=True, env=env, timeout=60)
    if run.returncode != 0 or run.stdout.strip() != "7":
        return f"a program built with {' '.join(flags)} exited {run.returncode}: {run.stderr.strip()[-400:]}"
    return None


def sanitizer_setup(compiler, workdir):
    """The sanitizer build to run: ("asan", flags, env, note) or ("ubsan", flags, env, reason).

    AddressSanitizer needs its runtime to map shadow memory and, for the leak
    checker, to stop the process's threads; some sandboxes forbid either.
    Leak detection is dropped first; if ASan still cannot run, the
    UndefinedBehaviorSanitizer build runs alone and the reason is kept.
    Returns None when neither sanitizer works.
    """
    env = dict(os.environ, **SANITIZER_ENV)
    reason = probe_sanitizer(compiler, workdir, SANITIZER_FLAGS, env)
    if reason is None:
        return "asan", SANITIZER_FLAGS, env, ""
    no_leaks = dict(env, ASAN_OPTIONS=SANITIZER_ENV["ASAN_OPTIONS"] + ":detect_leaks=0")
    if probe_sanitizer(compiler, workdir, SANITIZER_FLAGS, no_leaks) is None:
        return "asan", SANITIZER_FLAGS, no_leaks, f"leak detection disabled ({reason})"
    ubsan_reason = probe_sanitizer(compiler, workdir, UBSAN_ONLY_FLAGS, env)
    if ubsan_reason is None:
        return "ubsan", UBSAN_ONLY_FLAGS, env, reason
    return None, None, None, f"{reason}; {ubsan_reason}"


class Build:
    """A harness build started in the background."""

    def __init__(self, compiler, flags, exe, env):
        self.exe = exe
        self.env = env
        self.command = (compiler + COMMON_FLAGS + flags + [f"-I{CSRC}", str(HARNESS)]
                        + [str(p) for p in sorted(CSRC.glob("*.c"))] + ["-o", str(exe), "-lm"])
        self.process = subprocess.Popen(self.command, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self._output = None

    def wait(self):
        if self._output is None:
            try:
                self._output, _ = self.process.communicate(timeout=COMPILE_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self._output, _ = self.process.communicate()
                pytest.fail(f"compiling the harness took over {COMPILE_TIMEOUT} s")
        return self.process.returncode, self._output


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The release build and one sanitizer build, compiling concurrently."""
    compiler = find_compiler()
    if compiler is None:
        pytest.skip("no C compiler found ($CC, cc, gcc or clang)")
    workdir = tmp_path_factory.mktemp("c_harness")
    kind, flags, env, note = sanitizer_setup(compiler, workdir)
    started = {"release": Build(compiler, RELEASE_FLAGS, workdir / "harness-release", dict(os.environ))}
    if kind is not None:
        started[kind] = Build(compiler, flags, workdir / f"harness-{kind}", env)
    yield started, note
    for build in started.values():
        if build.process.poll() is None:
            build.process.kill()
            build.process.wait()


def kat_rows():
    return len([line for line in KAT_FILE.read_text().splitlines()
                if line.strip() and not line.startswith("#") and not line.startswith("c0")])


def run_harness(build):
    returncode, compile_output = build.wait()
    assert returncode == 0, f"compiling the harness failed:\n{' '.join(build.command)}\n{compile_output}"
    # The harness itself compiles cleanly with -Wall -Wextra.
    harness_warnings = [line for line in compile_output.splitlines() if HARNESS.name in line]
    assert not harness_warnings, "warnings in harness.c:\n" + "\n".join(harness_warnings)
    result = subprocess.run([str(build.exe), str(KAT_FILE)], capture_output=True, text=True,
                            env=build.env, timeout=RUN_TIMEOUT)
    output = result.stdout + result.stderr
    tail = "\n".join(output.splitlines()[-80:])
    summary = SUMMARY.findall(result.stdout)
    assert summary, f"no summary line (exit status {result.returncode}):\n{tail}"
    passed, failed = map(int, summary[-1])
    assert result.returncode == 0, f"harness exited with {result.returncode}:\n{tail}"
    assert failed == 0, f"harness reports {failed} failed checks:\n{tail}"
    assert passed > 0
    vectors = re.search(r"^harness: (\d+) known-answer vectors checked$", result.stdout, re.MULTILINE)
    assert vectors and int(vectors.group(1)) == kat_rows(), (
        f"the harness did not check every vector of {KAT_FILE.name}:\n{tail}")


def test_harness_under_sanitizers(builds):
    """AddressSanitizer + UndefinedBehaviorSanitizer, or UBSan alone where
    the ASan runtime cannot run on this machine."""
    started, note = builds
    if "asan" in started:
        if note:
            print(f"AddressSanitizer build: {note}")
        run_harness(started["asan"])
    elif "ubsan" in started:
        print(f"AddressSanitizer cannot run here ({note}); UndefinedBehaviorSanitizer alone")
        run_harness(started["ubsan"])
    else:
        pytest.skip(f"no sanitizer runtime works here: {note}")


def test_harness_with_release_flags(builds):
    started, _ = builds
    run_harness(started["release"])
