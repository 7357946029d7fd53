/*
 * Whether this build has the x86 vector paths.  Each of fi_fill_avx2.c and
 * fi_fill_avx512.c compiles its functions with a target pragma (GCC's
 * "#pragma GCC target", clang's "#pragma clang attribute") -- the same as a
 * target attribute on every function -- so no global -m flag is needed and
 * the library runs on any CPU of the architecture; fi_dispatch.c picks the
 * path at run time.
 */
#ifndef FI_TARGET_H
#define FI_TARGET_H

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#define FI_HAVE_X86_PATHS 1
#else
#define FI_HAVE_X86_PATHS 0
#endif

#endif
