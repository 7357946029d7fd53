# Declarations mirroring the C headers in csrc/ (fi_philox.h, fi_fill.h with
# the method table of fi_methods.h, fi_dispatch.h, fi_parallel.h).
from libc.stdint cimport uint32_t, uint64_t


cdef extern from "fi_philox.h" nogil:
    ctypedef struct fi_stream:
        uint32_t key[2]
        uint32_t stream[2]
        uint64_t block

    void fi_philox4x32_10(const uint32_t ctr_in[4], const uint32_t key_in[2], uint32_t out[4])


cdef extern from "fi_fill.h" nogil:
    unsigned FI_FLAG_STREAMING_STORES
    enum: FI_MAX_PARAMS

    # the methods of FI_METHODS in csrc/fi_methods.h, in table order
    # (tests/test_method_table.py checks this list against the header)
    ctypedef enum fi_method:
        FI_RAW_U32
        FI_UNIFORM_F32
        FI_UNIFORM_F64
        FI_NORMAL_F32
        FI_NORMAL_F64
        FI_TRUNCNORM_F32
        FI_TRUNCNORM_F64
        FI_UNIFORM_F16
        FI_UNIFORM_BF16
        FI_NORMAL_F16
        FI_NORMAL_BF16
        FI_TRUNCNORM_F16
        FI_TRUNCNORM_BF16
        FI_METHOD_COUNT

    # the union of the parameter structs; set through fi_params_set
    ctypedef struct fi_params:
        pass

    unsigned fi_method_itemsize(int method)
    unsigned fi_method_elements_per_block(int method)
    const char *fi_method_name(int method)
    int fi_params_set(int method, const double *values, unsigned count, fi_params *p)


cdef extern from "fi_dispatch.h" nogil:
    int FI_ISA_SCALAR
    int FI_ISA_AVX2
    int FI_ISA_AVX512
    int FI_ISA_COUNT

    int fi_isa_supported()
    int fi_isa_select(int level)
    int fi_isa_selected()
    const char *fi_isa_name(int level)


cdef extern from "fi_parallel.h" nogil:
    ctypedef struct fi_job:
        fi_method method
        void *out
        uint64_t out_origin
        uint64_t run_len, run_base
        const uint64_t *run_first
        uint64_t first
        fi_stream stream
        fi_params params
        unsigned flags

    void fi_run_job(const fi_job *job, uint64_t begin, uint64_t end, int n_threads)
