/*
 * fastinit fill entry points, one per method of fi_methods.h.
 *
 * Each fi_fill_<name> writes elements first .. first+n-1 of the logical
 * array described by the stream format to out[0 .. n-1].  Element i depends
 * only on (stream key, stream, block offset, i) and the parameters, never on
 * how a fill is split.  The functions cannot fail and return nothing: the
 * caller has validated every argument.  They run on the instruction set
 * selected in fi_dispatch.h.
 */
#ifndef FI_FILL_H
#define FI_FILL_H

#include <stdint.h>
#include "fi_methods.h"
#include "fi_philox.h"

/* Use non-temporal stores for the bulk of the output (large fills). */
#define FI_FLAG_STREAMING_STORES 1u

#define FI_PARAM_FIELD(type, field) type field;
#define FI_PARAM_TYPEDEF(params) typedef struct fi_##params { FI_PARAMS_##params(FI_PARAM_FIELD) } fi_##params;
FI_PARAM_STRUCTS(FI_PARAM_TYPEDEF)
#undef FI_PARAM_TYPEDEF
typedef struct fi_no_params { char unused; } fi_no_params;

/* The parameters of any method. */
typedef union fi_params {
#define FI_PARAM_MEMBER(params) fi_##params params;
    FI_PARAM_STRUCTS(FI_PARAM_MEMBER)
#undef FI_PARAM_MEMBER
    fi_no_params no_params;
} fi_params;

typedef enum fi_method {
#define FI_METHOD_CODE(CODE, name, out_t, params, per_block, paths) FI_##CODE,
    FI_METHODS(FI_METHOD_CODE)
#undef FI_METHOD_CODE
    FI_METHOD_COUNT
} fi_method;

/* void fi_fill_<name>(out_t *out, uint64_t n, const fi_stream *s,
 *                     uint64_t first, const fi_<params> *p, unsigned flags) */
#define FI_FILL_PROTOTYPE(CODE, name, out_t, params, per_block, paths)                  \
    void fi_fill_##name(out_t *out, uint64_t n, const fi_stream *s, uint64_t first, \
                        const fi_##params *p, unsigned flags);
FI_METHODS(FI_FILL_PROTOTYPE)
#undef FI_FILL_PROTOTYPE

/* The same for any method, out and p untyped. */
void fi_fill(fi_method method, void *out, uint64_t n, const fi_stream *s, uint64_t first,
             const fi_params *p, unsigned flags);

/* Bytes per output element, output elements per Philox block, and the name
 * (the table's `name`) of a method; 0 / NULL for an unknown code. */
unsigned fi_method_itemsize(int method);
unsigned fi_method_elements_per_block(int method);
const char *fi_method_name(int method);

/* Set the parameters of `method` from `count` doubles in field order;
 * returns 0, or -1 when the method is unknown or count is not its number of
 * parameters. */
int fi_params_set(int method, const double *values, unsigned count, fi_params *p);

#endif
