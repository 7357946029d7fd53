"""Build of the fastinit C core and its Cython wrapper.

The ISA-specific kernels carry their own target attributes (csrc/fi_target.h
and the pragmas in fi_fill_avx2.c / fi_fill_avx512.c), so no -march or -m
flag is passed here and the extension runs on any CPU of its architecture.
FP contraction is disabled: every rounding step is written out, which is what
keeps the scalar and vector paths bit-identical.
"""
import os

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

C_SOURCES = [
    "csrc/fi_dispatch.c",
    "csrc/fi_fill_scalar.c",
    "csrc/fi_fill_avx2.c",
    "csrc/fi_fill_avx512.c",
    "csrc/fi_parallel.c",
]


# GCC or clang (the job runner uses pthreads and C11 atomics).
COMPILE_ARGS = ["-O3", "-ffp-contract=off", "-fno-math-errno", "-pthread", "-std=c11"]
LINK_ARGS = ["-pthread"]


extensions = [
    Extension(
        "fastinit._core",
        sources=["fastinit/_core.pyx"] + C_SOURCES,
        include_dirs=["csrc", numpy.get_include()],
        extra_compile_args=COMPILE_ARGS,
        extra_link_args=LINK_ARGS,
        libraries=["m"],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    )
]

setup(
    ext_modules=cythonize(
        extensions,
        compiler_directives={"language_level": "3"},
        annotate=bool(os.environ.get("FASTINIT_CYTHON_ANNOTATE")),
    ),
)
