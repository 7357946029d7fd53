/*
 * Instantiates the fill driver (fi_fill_body.h) for every kernel of one
 * instruction-set file and defines that file's kernel table `kernels`.
 *
 * Define before including: FI_BLOCKS (Philox blocks per batch), the batch
 * functions batch_raw_u32, batch_uniform_f32, batch_uniform_f64,
 * batch_normal_f32, batch_normal_f64, batch_truncnorm_f32, and
 * FI_TRUNCNORM_F64 (the float64 truncated-normal fill, scalar on every path).
 */

#define FI_FILL_NAME fill_raw_u32
#define FI_ELEM_T uint32_t
#define FI_PARAM_T void
#define FI_BATCH_FN batch_raw_u32
#define FI_BATCH_ELEMS (4 * FI_BLOCKS)
#define FI_BATCH_BLOCKS FI_BLOCKS
#include "fi_fill_body.h"

#define FI_FILL_NAME fill_uniform_f32
#define FI_ELEM_T float
#define FI_PARAM_T fi_uniform_f32
#define FI_BATCH_FN batch_uniform_f32
#define FI_BATCH_ELEMS (4 * FI_BLOCKS)
#define FI_BATCH_BLOCKS FI_BLOCKS
#include "fi_fill_body.h"

#define FI_FILL_NAME fill_uniform_f64
#define FI_ELEM_T double
#define FI_PARAM_T fi_uniform_f64
#define FI_BATCH_FN batch_uniform_f64
#define FI_BATCH_ELEMS (2 * FI_BLOCKS)
#define FI_BATCH_BLOCKS FI_BLOCKS
#include "fi_fill_body.h"

#define FI_FILL_NAME fill_normal_f32
#define FI_ELEM_T float
#define FI_PARAM_T fi_normal_f32
#define FI_BATCH_FN batch_normal_f32
#define FI_BATCH_ELEMS (4 * FI_BLOCKS)
#define FI_BATCH_BLOCKS FI_BLOCKS
#include "fi_fill_body.h"

#define FI_FILL_NAME fill_normal_f64
#define FI_ELEM_T double
#define FI_PARAM_T fi_normal_f64
#define FI_BATCH_FN batch_normal_f64
#define FI_BATCH_ELEMS (2 * FI_BLOCKS)
#define FI_BATCH_BLOCKS FI_BLOCKS
#include "fi_fill_body.h"

#define FI_FILL_NAME fill_truncnorm_f32
#define FI_ELEM_T float
#define FI_PARAM_T fi_truncnorm
#define FI_BATCH_FN batch_truncnorm_f32
#define FI_BATCH_ELEMS (4 * FI_BLOCKS)
#define FI_BATCH_BLOCKS FI_BLOCKS
#include "fi_fill_body.h"

static const fi_kernels kernels = {
    fill_raw_u32,    fill_uniform_f32,   fill_uniform_f64, fill_normal_f32,
    fill_normal_f64, fill_truncnorm_f32, FI_TRUNCNORM_F64,
};
