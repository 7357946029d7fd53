/*
 * Per-file instruction-set targets without global -m flags: everything
 * between FI_TARGET_BEGIN_* and FI_TARGET_END is compiled as if each
 * function carried __attribute__((target(...))).
 */
#ifndef FI_TARGET_H
#define FI_TARGET_H

#if (defined(__x86_64__) || defined(_M_X64)) && (defined(__GNUC__) || defined(__clang__))
#define FI_HAVE_X86_PATHS 1
#else
#define FI_HAVE_X86_PATHS 0
#endif

#endif
