# Declarations mirroring the C headers in csrc/ (fi_philox.h, fi_fill.h,
# fi_dispatch.h, fi_parallel.h).
from libc.stdint cimport uint32_t, uint64_t


cdef extern from "fi_philox.h" nogil:
    ctypedef struct fi_stream:
        uint32_t key[2]
        uint32_t stream[2]
        uint64_t block

    void fi_philox4x32_10(const uint32_t ctr_in[4], const uint32_t key_in[2], uint32_t out[4])


cdef extern from "fi_fill.h" nogil:
    unsigned FI_FLAG_STREAMING_STORES

    ctypedef struct fi_uniform_f32:
        float low, scale, cap
    ctypedef struct fi_uniform_f64:
        double low, scale, cap
    ctypedef struct fi_normal_f32:
        float mean, std
    ctypedef struct fi_normal_f64:
        double mean, std
    ctypedef struct fi_truncnorm:
        double mean, std, alpha, beta
        double cdf_alpha, ccdf_beta, span
        double out_low, out_high

    void fi_fill_raw_u32(uint32_t *out, uint64_t n, const fi_stream *s, uint64_t first,
                         unsigned flags)
    void fi_fill_uniform_f32(float *out, uint64_t n, const fi_stream *s, uint64_t first,
                             const fi_uniform_f32 *p, unsigned flags)
    void fi_fill_uniform_f64(double *out, uint64_t n, const fi_stream *s, uint64_t first,
                             const fi_uniform_f64 *p, unsigned flags)
    void fi_fill_normal_f32(float *out, uint64_t n, const fi_stream *s, uint64_t first,
                            const fi_normal_f32 *p, unsigned flags)
    void fi_fill_normal_f64(double *out, uint64_t n, const fi_stream *s, uint64_t first,
                            const fi_normal_f64 *p, unsigned flags)
    void fi_fill_truncnorm_f32(float *out, uint64_t n, const fi_stream *s, uint64_t first,
                               const fi_truncnorm *p, unsigned flags)
    void fi_fill_truncnorm_f64(double *out, uint64_t n, const fi_stream *s, uint64_t first,
                               const fi_truncnorm *p, unsigned flags)


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
    ctypedef enum fi_method:
        FI_RAW_U32
        FI_UNIFORM_F32
        FI_UNIFORM_F64
        FI_NORMAL_F32
        FI_NORMAL_F64
        FI_TRUNCNORM_F32
        FI_TRUNCNORM_F64

    ctypedef struct fi_job:
        fi_method method
        void *out
        uint64_t out_origin
        uint64_t run_len, run_base
        const uint64_t *run_first
        uint64_t first
        fi_stream stream
        fi_uniform_f32 uniform_f32
        fi_uniform_f64 uniform_f64
        fi_normal_f32 normal_f32
        fi_normal_f64 normal_f64
        fi_truncnorm truncnorm
        unsigned flags

    unsigned fi_method_itemsize(fi_method method)
    void fi_run_job(const fi_job *job, uint64_t begin, uint64_t end, int n_threads)
